#include "activation_reference.h"

#include <mpfr.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <sstream>
#include <utility>

namespace activ::reference {
namespace {

// --- arithmetic: long double, or an MPFR number with the same operators -----------------------

class Mp {
 public:
  static constexpr mpfr_prec_t kBits = 160;

  Mp(long double value = 0) {  // NOLINT: implicit, so formulas can write 1 + e
    mpfr_init2(value_, kBits);
    mpfr_set_ld(value_, value, MPFR_RNDN);
  }
  Mp(const Mp& other) {
    mpfr_init2(value_, kBits);
    mpfr_set(value_, other.value_, MPFR_RNDN);
  }
  Mp& operator=(const Mp& other) {
    mpfr_set(value_, other.value_, MPFR_RNDN);
    return *this;
  }
  ~Mp() { mpfr_clear(value_); }

  explicit operator long double() const { return mpfr_get_ld(value_, MPFR_RNDN); }

  using Unary = int (*)(mpfr_ptr, mpfr_srcptr, mpfr_rnd_t);
  using Binary = int (*)(mpfr_ptr, mpfr_srcptr, mpfr_srcptr, mpfr_rnd_t);
  friend Mp apply(Unary op, const Mp& a) {
    Mp out;
    op(out.value_, a.value_, MPFR_RNDN);
    return out;
  }
  friend Mp apply(Binary op, const Mp& a, const Mp& b) {
    Mp out;
    op(out.value_, a.value_, b.value_, MPFR_RNDN);
    return out;
  }
  friend int compare(const Mp& a, const Mp& b) { return mpfr_cmp(a.value_, b.value_); }

 private:
  mpfr_t value_;
};

Mp operator+(const Mp& a, const Mp& b) {
  return apply(mpfr_add, a, b);
}
Mp operator-(const Mp& a, const Mp& b) {
  return apply(mpfr_sub, a, b);
}
Mp operator*(const Mp& a, const Mp& b) {
  return apply(mpfr_mul, a, b);
}
Mp operator/(const Mp& a, const Mp& b) {
  return apply(mpfr_div, a, b);
}
Mp operator-(const Mp& a) {
  return apply(mpfr_neg, a);
}
bool operator<(const Mp& a, const Mp& b) {
  return compare(a, b) < 0;
}
bool operator>(const Mp& a, const Mp& b) {
  return compare(a, b) > 0;
}
bool operator>=(const Mp& a, const Mp& b) {
  return compare(a, b) >= 0;
}
Mp exp(const Mp& x) {
  return apply(mpfr_exp, x);
}
Mp expm1(const Mp& x) {
  return apply(mpfr_expm1, x);
}
Mp log1p(const Mp& x) {
  return apply(mpfr_log1p, x);
}
Mp tanh(const Mp& x) {
  return apply(mpfr_tanh, x);
}
Mp cosh(const Mp& x) {
  return apply(mpfr_cosh, x);
}
Mp abs(const Mp& x) {
  return apply(mpfr_abs, x);
}
Mp erfc(const Mp& x) {
  return apply(mpfr_erfc, x);
}
Mp sqrt(const Mp& x) {
  return apply(mpfr_sqrt, x);
}
Mp atan(const Mp& x) {
  return apply(mpfr_atan, x);
}

long double exp(long double x) {
  return std::exp(x);
}
long double expm1(long double x) {
  return std::expm1(x);
}
long double log1p(long double x) {
  return std::log1p(x);
}
long double tanh(long double x) {
  return std::tanh(x);
}
long double cosh(long double x) {
  return std::cosh(x);
}
long double abs(long double x) {
  return std::abs(x);
}
long double erfc(long double x) {
  return std::erfc(x);
}
long double sqrt(long double x) {
  return std::sqrt(x);
}
long double atan(long double x) {
  return std::atan(x);
}

template <class R>
R max(const R& a, const R& b) {
  return a < b ? b : a;
}

// --- formulas ---------------------------------------------------------------------------------

template <class R>
R sigmoid(const R& x) {
  if (x >= R(0)) return 1 / (1 + exp(-x));
  const R e = exp(x);
  return e / (1 + e);
}
// log(1 + exp(x)) without overflow or cancellation.
template <class R>
R softplus1(const R& x) {
  return max(x, R(0)) + log1p(exp(-abs(x)));
}
// 1 - tanh(x)^2 as 4e / (1 + e)^2, e = exp(-2|x|).
template <class R>
R sech2(const R& x) {
  const R e = exp(-2 * abs(x));
  return 4 * e / ((1 + e) * (1 + e));
}
// x - tanh(x) = (x cosh x - sinh x) / cosh x; the numerator's series sum 2k x^(2k+1) / (2k+1)!
// has positive terms only, so small |x| loses nothing to cancellation (40 terms: < 1e-100).
template <class R>
R tanhshrink(const R& x) {
  if (abs(x) >= R(1)) return x - tanh(x);
  const R x2 = x * x;
  R term = x, sum = 0;  // term = x^(2k+1) / (2k+1)!
  for (int k = 1; k <= 40; ++k) {
    term = term * x2 / R((2 * k) * (2 * k + 1));
    sum = sum + R(2 * k) * term;
  }
  return sum / cosh(x);
}

// torch's CELU evaluates exp(x / alpha) in the input type, so with alpha < 0 it overflows to inf
// (and the result to -inf) where the exact product alpha * expm1(x / alpha) would still be finite.
const long double kLogDoubleMax =
    std::log(static_cast<long double>(std::numeric_limits<double>::max()));
template <class R>
R overflowing_exp(const R& x) {
  return x > R(kLogDoubleMax) ? R(INFINITY) : exp(x);
}
template <class R>
R overflowing_expm1(const R& x) {
  return x > R(kLogDoubleMax) ? R(INFINITY) : expm1(x);
}

// Exact in long double and MPFR alike: the products of a 64-bit and a double constant are
// computed in R.
constexpr long double kSeluAlpha = 1.6732632423543772848170429916717L;
constexpr long double kSeluScale = 1.0507009873554804934193349852946L;

template <class R>
R swish(const R& x, const R& beta) {
  return x * sigmoid(beta * x);
}
template <class R>
R swish_derivative(const R& x, const R& beta) {
  const R bx = beta * x;
  return sigmoid(bx) * (1 + bx * sigmoid(-bx));
}
template <class R>
R mish(const R& x) {
  return x * tanh(softplus1(x));
}
template <class R>
R mish_derivative(const R& x) {
  const R sp = softplus1(x);
  return tanh(sp) + x * sigmoid(x) * sech2(sp);
}

// GELU: x Phi(x), Phi(x) = erfc(-x / sqrt(2)) / 2, phi(x) = exp(-x^2 / 2) / sqrt(2 pi).
template <class R>
R normal_cdf(const R& x) {
  return erfc(-x / sqrt(R(2))) / 2;
}
template <class R>
R normal_pdf(const R& x) {
  return exp(-x * x / 2) / sqrt(8 * atan(R(1)));
}
// torch's tanh form 0.5 x (1 + tanh(k (x + c x^3))) = x sigmoid(w), w = 2k (x + c x^3), with
// torch's double constants: 2k = M_SQRT2 * M_2_SQRTPI, c = 0.044715.
constexpr double kGeluTanhScale = 1.4142135623730951 * 1.1283791670955126;
constexpr double kGeluTanhCubic = 0.044715;
template <class R>
R gelu_tanh(const R& x) {
  return x * sigmoid(R(kGeluTanhScale) * (x + R(kGeluTanhCubic) * x * x * x));
}
template <class R>
R gelu_tanh_derivative(const R& x) {
  const R w = R(kGeluTanhScale) * (x + R(kGeluTanhCubic) * x * x * x);
  const R dw = R(kGeluTanhScale) * (1 + 3 * R(kGeluTanhCubic) * x * x);
  return sigmoid(w) * (1 + x * dw * sigmoid(-w));
}

// --- the catalogue ----------------------------------------------------------------------------

std::string num(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

// formula(zero, x) evaluates in the type of zero (long double or Mp).
template <class Forward, class Backward>
Function make(std::string module, std::string options, kernels::Params params, Forward f,
              Backward df, Precision float64_precision = Precision::kLongDouble) {
  std::string name = options.empty() ? module : module + "(" + options + ")";
  return {std::move(name),
          std::move(module),
          std::move(params),
          float64_precision,
          [f](double x) { return f(0.0L, x); },
          [df](double x) { return df(0.0L, x); },
          [f](double x) { return static_cast<long double>(f(Mp(0), x)); },
          [df](double x) { return static_cast<long double>(df(Mp(0), x)); }};
}

namespace k = kernels;

std::vector<Function> build_functions() {
  std::vector<Function> out;
  for (double alpha : {1.0, 0.5, -1.5}) {
    out.push_back(make(
        "ELU", "alpha=" + num(alpha), k::ELUParams{.alpha = alpha},
        [alpha](auto r, double x) {
          using R = decltype(r);
          return x > 0 ? R(x) : R(alpha) * expm1(R(x));
        },
        [alpha](auto r, double x) {
          using R = decltype(r);
          return x > 0 ? R(1) : R(alpha) * exp(R(x));
        }));
  }
  for (double alpha : {1.0, 2.0, -0.5}) {
    out.push_back(make(
        "CELU", "alpha=" + num(alpha), k::CELUParams{.alpha = alpha},
        [alpha](auto r, double x) {
          using R = decltype(r);
          return x > 0 ? R(x) : R(alpha) * overflowing_expm1(R(x) / R(alpha));
        },
        [alpha](auto r, double x) {
          using R = decltype(r);
          return x > 0 ? R(1) : overflowing_exp(R(x) / R(alpha));
        }));
  }
  out.push_back(make(
      "SELU", "", k::SELUParams{},
      [](auto r, double x) {
        using R = decltype(r);
        return x > 0 ? R(kSeluScale) * R(x) : R(kSeluScale) * R(kSeluAlpha) * expm1(R(x));
      },
      [](auto r, double x) {
        using R = decltype(r);
        return x > 0 ? R(kSeluScale) : R(kSeluScale) * R(kSeluAlpha) * exp(R(x));
      }));
  out.push_back(make(
      "Sigmoid", "", k::SigmoidParams{}, [](auto r, double x) { return sigmoid(decltype(r)(x)); },
      [](auto r, double x) {
        using R = decltype(r);
        return sigmoid(R(x)) * sigmoid(-R(x));
      }));
  out.push_back(make(
      "LogSigmoid", "", k::LogSigmoidParams{},
      [](auto r, double x) { return -softplus1(-decltype(r)(x)); },
      [](auto r, double x) { return sigmoid(-decltype(r)(x)); }));
  out.push_back(make(
      "Tanh", "", k::TanhParams{}, [](auto r, double x) { return tanh(decltype(r)(x)); },
      [](auto r, double x) { return sech2(decltype(r)(x)); }));
  out.push_back(make(
      "Tanhshrink", "", k::TanhshrinkParams{},
      [](auto r, double x) { return tanhshrink(decltype(r)(x)); },
      [](auto r, double x) {
        const auto t = tanh(decltype(r)(x));
        return t * t;
      }));
  out.push_back(make(
      "Softsign", "", k::SoftsignParams{},
      [](auto r, double x) {
        using R = decltype(r);
        return R(x) / (1 + abs(R(x)));
      },
      [](auto r, double x) {
        using R = decltype(r);
        const R d = 1 + abs(R(x));
        return 1 / (d * d);
      }));
  for (auto [beta, threshold] : {std::pair{1.0, 20.0}, std::pair{2.5, 10.0}, std::pair{0.5, 3.0}}) {
    // torch's switch to the identity when x * beta > threshold, tested in double as activ does.
    const double b = beta, t = threshold;
    out.push_back(make(
        "Softplus", "beta=" + num(beta) + ", threshold=" + num(threshold),
        k::SoftplusParams{.beta = beta, .threshold = threshold},
        [b, t](auto r, double x) {
          using R = decltype(r);
          return x * b > t ? R(x) : softplus1(R(x) * R(b)) / R(b);
        },
        [b, t](auto r, double x) {
          using R = decltype(r);
          return x * b > t ? R(1) : sigmoid(R(x) * R(b));
        }));
  }
  out.push_back(make(
      "SiLU", "", k::SiLUParams{},
      [](auto r, double x) { return swish(decltype(r)(x), decltype(r)(1)); },
      [](auto r, double x) { return swish_derivative(decltype(r)(x), decltype(r)(1)); },
      Precision::kMpfr));
  for (double beta : {1.0, 1.702}) {
    out.push_back(make(
        "Swish", "beta=" + num(beta), k::SwishParams{.beta = beta},
        [beta](auto r, double x) { return swish(decltype(r)(x), decltype(r)(beta)); },
        [beta](auto r, double x) { return swish_derivative(decltype(r)(x), decltype(r)(beta)); },
        Precision::kMpfr));
  }
  out.push_back(make(
      "Mish", "", k::MishParams{}, [](auto r, double x) { return mish(decltype(r)(x)); },
      [](auto r, double x) { return mish_derivative(decltype(r)(x)); }, Precision::kMpfr));
  out.push_back(make(
      "GELU", "approximate='none'", k::GELUParams{.approximate = k::GeluApproximate::kNone},
      [](auto r, double x) { return decltype(r)(x) * normal_cdf(decltype(r)(x)); },
      [](auto r, double x) {
        using R = decltype(r);
        return normal_cdf(R(x)) + R(x) * normal_pdf(R(x));
      },
      Precision::kMpfr));
  out.push_back(make(
      "GELU", "approximate='tanh'", k::GELUParams{.approximate = k::GeluApproximate::kTanh},
      [](auto r, double x) { return gelu_tanh(decltype(r)(x)); },
      [](auto r, double x) {
        // torch's backward is NaN where x^2 overflows in double (tanh' = 0 times w' = inf).
        return std::isinf(x * x) ? decltype(r)(NAN) : gelu_tanh_derivative(decltype(r)(x));
      },
      Precision::kMpfr));
  out.push_back(make(
      "SquaredReLU", "", k::SquaredReLUParams{},
      [](auto r, double x) {
        using R = decltype(r);
        return x > 0 ? R(x) * R(x) : R(0);
      },
      [](auto r, double x) {
        using R = decltype(r);
        return x > 0 ? 2 * R(x) : R(0);
      }));
  return out;
}

}  // namespace

const std::vector<Function>& functions() {
  static const std::vector<Function> all = build_functions();
  return all;
}

// --- measurement ------------------------------------------------------------------------------

template <class T>
double ulp_error(T actual, long double exact) {
  using LD = long double;
  const T rounded = static_cast<T>(exact);
  if (std::isnan(exact) || std::isinf(rounded)) {
    return (std::isnan(actual) && std::isnan(exact)) || actual == rounded ? 0 : INFINITY;
  }
  if (!std::isfinite(actual)) return INFINITY;
  const LD error = std::abs(LD(actual) - exact);
  const LD tiny = std::numeric_limits<T>::min();
  if (std::abs(exact) < tiny && error <= tiny) return 0;
  const int exponent =
      std::max(std::ilogb(exact == 0 ? tiny : exact), std::numeric_limits<T>::min_exponent - 1);
  return static_cast<double>(error /
                             std::ldexp(LD(1), exponent - (std::numeric_limits<T>::digits - 1)));
}
template double ulp_error<float>(float, long double);
template double ulp_error<double>(double, long double);

void ErrorStats::add(double ulp, double x) {
  if (!(ulp <= max_ulp)) max_ulp = ulp, worst_x = x;
  sum_ulp += ulp;
  ++count;
}

void ErrorStats::merge(const ErrorStats& other) {
  if (!(other.max_ulp <= max_ulp)) max_ulp = other.max_ulp, worst_x = other.worst_x;
  sum_ulp += other.sum_ulp;
  count += other.count;
}

void Accuracy::merge(const Accuracy& other) {
  forward.merge(other.forward);
  backward.merge(other.backward);
}

template <class T>
Accuracy measure(const Function& function, std::span<const T> inputs, Precision precision) {
  std::vector<T> y(inputs.size()), gx(inputs.size());
  const std::vector<T> ones(inputs.size(), T(1));
  kernels::forward(function.params, inputs, std::span<T>(y));
  kernels::backward(function.params, std::span<const T>(ones), inputs, std::span<T>(gx));
  Accuracy out;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const double x = inputs[i];
    out.forward.add(ulp_error<T>(y[i], function.forward(x, precision)), x);
    out.backward.add(ulp_error<T>(gx[i], function.backward(x, precision)), x);
  }
  return out;
}
template Accuracy measure<float>(const Function&, std::span<const float>, Precision);
template Accuracy measure<double>(const Function&, std::span<const double>, Precision);

double float32_ulp_error(float actual, double exact) {
  const float rounded = static_cast<float>(exact);
  if (std::isnan(exact) || std::isinf(rounded)) {
    return (std::isnan(actual) && std::isnan(exact)) || actual == rounded ? 0 : INFINITY;
  }
  if (!std::isfinite(actual)) return INFINITY;
  // exact within 2^-29 relative of a float: the difference is exact to float64 rounding
  const double error = std::abs(static_cast<double>(actual) - exact);
  constexpr double kTiny = 0x1p-126;  // float's smallest normal number
  if (std::abs(exact) < kTiny) return error <= kTiny ? 0 : error * 0x1p149;
  // 1 / ulp = 2^(23 - e), e the binary exponent of exact, from its bits (no library call: the
  // sweeps spend most of their time here)
  const auto exponent =
      static_cast<std::int64_t>(std::bit_cast<std::uint64_t>(exact) >> 52 & 0x7ff);
  return error * std::bit_cast<double>(static_cast<std::uint64_t>(2 * 1023 + 23 - exponent) << 52);
}

Accuracy measure_float32_bits(const Function& function, std::uint64_t first_bits,
                              std::uint64_t last_bits) {
  constexpr std::uint32_t kChunk = 1 << 14;
  std::vector<float> x(kChunk), y(kChunk), gx(kChunk);
  std::vector<double> x64(kChunk), y64(kChunk), gx64(kChunk);
  const std::vector<float> ones(kChunk, 1.0f);
  const std::vector<double> ones64(kChunk, 1.0);
  Accuracy out;
  for (std::uint64_t begin = first_bits; begin < last_bits;) {
    const auto n = static_cast<std::uint32_t>(std::min<std::uint64_t>(kChunk, last_bits - begin));
    for (std::uint32_t i = 0; i < n; ++i) {
      x[i] = std::bit_cast<float>(static_cast<std::uint32_t>(begin + i));
      x64[i] = x[i];
    }
    const std::span<const float> xs(x.data(), n);
    const std::span<const double> xs64(x64.data(), n);
    kernels::forward(function.params, xs, std::span(y.data(), n));
    kernels::backward(function.params, std::span(ones.data(), n), xs, std::span(gx.data(), n));
    kernels::forward(function.params, xs64, std::span(y64.data(), n));
    kernels::backward(function.params, std::span(ones64.data(), n), xs64,
                      std::span(gx64.data(), n));
    for (std::uint32_t i = 0; i < n; ++i) {
      out.forward.add(float32_ulp_error(y[i], y64[i]), x[i]);
      out.backward.add(float32_ulp_error(gx[i], gx64[i]), x[i]);
    }
    begin += n;
  }
  return out;
}

// The zeros of f' for SiLU (and Swish(beta=1.702) there divided by beta), Mish and GELU
// ('none', 'tanh').
constexpr double kDerivativeRoots[] = {-1.2784645427610738, -1.2784645427610738 / 1.702,
                                       -1.1924312145154952, -0.7517915246935645,
                                       -0.7524614220710162};

std::vector<float> float32_samples() {
  std::vector<float> out;
  for (std::uint32_t bits = 0; bits < 0x7f800000u; bits += 4099) {
    out.push_back(std::bit_cast<float>(bits));
    out.push_back(-std::bit_cast<float>(bits));
  }
  for (float start : {0.0f, 1e-30f, 1e-8f, 1e-3f, 0.25f, 1.0f, 20.0f, 88.0f}) {
    float v = start;
    for (int k = 0; k < 2000; ++k, v = std::nextafter(v, INFINITY)) {
      out.push_back(v), out.push_back(-v);
    }
  }
  for (float v : {std::numeric_limits<float>::max(), std::numeric_limits<float>::denorm_min(),
                  std::numeric_limits<float>::min()}) {
    out.push_back(v), out.push_back(-v);
  }
  // Around the zeros of f' (see float64_samples), where the float32 tables change their centre.
  for (double root : kDerivativeRoots) {
    float below = static_cast<float>(root), above = below;
    out.push_back(below);
    for (int k = 0; k < 1000; ++k) {
      out.push_back(below = std::nextafter(below, -INFINITY));
      out.push_back(above = std::nextafter(above, INFINITY));
    }
  }
  return out;
}

std::vector<double> float64_samples(int count) {
  std::vector<double> out;
  std::mt19937_64 rng(12345);
  std::uniform_int_distribution<std::uint64_t> bits(0, 0x7fefffffffffffffULL);
  std::uniform_real_distribution<double> uniform(-50, 50), exponent(-20, 3);
  for (int k = 0; k < count / 4; ++k) {
    const double v = std::bit_cast<double>(bits(rng));
    out.push_back((k & 1) ? v : -v);
  }
  for (int k = 0; k < count / 2; ++k) out.push_back(uniform(rng));
  for (int k = 0; k < count / 4; ++k) {
    const double v = std::pow(10.0, exponent(rng));
    out.push_back((k & 1) ? v : -v);
  }
  for (double root : kDerivativeRoots) {
    double below = root, above = root;
    for (int k = 0; k < 1000; ++k) {
      out.push_back(below = std::nextafter(below, -INFINITY));
      out.push_back(above = std::nextafter(above, INFINITY));
    }
  }
  out.push_back(0.0), out.push_back(-0.0);
  return out;
}

}  // namespace activ::reference
