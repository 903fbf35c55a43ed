// Per-target math of every elementwise activation, on Highway vectors. Included once per SIMD
// target by activations.cpp (no include guard, by Highway's design).
//
// Each activation is a struct (deriving from PiecewiseLinear or Smooth for the defaults) with
//   kNative     true: computed in the input type with torch's exact expression (piecewise-
//               linear functions are then bit-identical to torch); false: float32 inputs are
//               computed in float64 and rounded once, which keeps them within 1 ULP.
//   Forward(d, x, p)          f(x)
//   Backward(d, g, x, p)      g * f'(x), with torch's value at every kink
//   Second(d, x, p)           f''(x), for double backward
//   kPropagateNaN  true: a NaN input gives NaN for all three (the stable formulas clamp
//                  internally and would otherwise hide it)
// p holds the numeric options in table order (activation_table.h).
//
// Accuracy contract (float32, every finite input; float64 measured by tests/activation_accuracy_test):
//   smooth functions: forward <= 1 ULP, backward with g = 1 <= 2 ULP (computed in float64);
//   piecewise-linear functions: identical to torch.

#include "hwy/contrib/math/math-inl.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace activ::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class D>
using V = hn::Vec<D>;

template <class D>
HWY_INLINE V<D> K(D d, double value) {
  return hn::Set(d, static_cast<hn::TFromD<D>>(value));
}

// exp(x) for x <= 0, including -inf (Highway's Exp is valid down to -DBL_MAX only).
template <class D>
HWY_INLINE V<D> ExpNonPositive(D d, V<D> x) {
  return hn::Exp(d, hn::Max(x, K(d, -800.0)));
}

// sigma(x) and sigma(-x), both to full relative precision on either tail.
template <class D>
struct SigmoidPair {
  V<D> pos, neg;
};
template <class D>
HWY_INLINE SigmoidPair<D> Sigmoids(D d, V<D> x) {
  const V<D> e = ExpNonPositive(d, hn::Neg(hn::Abs(x)));
  const V<D> r = hn::Div(K(d, 1.0), hn::Add(K(d, 1.0), e));
  const V<D> er = hn::Mul(e, r);
  const auto non_negative = hn::Ge(x, hn::Zero(d));
  return {hn::IfThenElse(non_negative, r, er), hn::IfThenElse(non_negative, er, r)};
}

// log(1 + exp(x)) without overflow or cancellation.
template <class D>
HWY_INLINE V<D> Softplus1(D d, V<D> x) {
  return hn::Add(hn::Max(x, hn::Zero(d)), hn::Log1p(d, ExpNonPositive(d, hn::Neg(hn::Abs(x)))));
}

// sech^2(y) = 1 - tanh^2(y) without cancellation: 4e / (1 + e)^2 with e = exp(-2|y|).
template <class D>
HWY_INLINE V<D> Sech2(D d, V<D> y) {
  const V<D> e = ExpNonPositive(d, hn::Mul(K(d, -2.0), hn::Abs(y)));
  const V<D> r = hn::Div(K(d, 1.0), hn::Add(K(d, 1.0), e));
  return hn::Mul(hn::Mul(K(d, 4.0), e), hn::Mul(r, r));
}

// expm1(x) for x <= 0 (-0.0 maps to +0.0, as torch's exp(x) - 1 gives).
template <class D>
HWY_INLINE V<D> Expm1NonPositive(D d, V<D> x) {
  return hn::Add(hn::Expm1(d, hn::Max(x, K(d, -800.0))), hn::Zero(d));
}

// exp(x) and expm1(x) for every x: CELU with alpha < 0 evaluates them at positive arguments,
// where Highway's Exp/Expm1 are valid only up to 709 (above 700: exp(x/2)^2, overflowing to inf).
template <class D>
HWY_INLINE V<D> ExpAnySign(D d, V<D> x) {
  const V<D> half = hn::Exp(d, hn::Mul(hn::Min(x, K(d, 1400.0)), K(d, 0.5)));
  return hn::IfThenElse(hn::Gt(x, K(d, 700.0)), hn::Mul(half, half), ExpNonPositive(d, hn::Min(x, K(d, 700.0))));
}
template <class D>
HWY_INLINE V<D> Expm1AnySign(D d, V<D> x) {
  return hn::IfThenElse(hn::Gt(x, K(d, 700.0)), ExpAnySign(d, x), Expm1NonPositive(d, hn::Min(x, K(d, 700.0))));
}

template <class D>
HWY_INLINE V<D> NaNIfInf(D d, V<D> x, V<D> y) {
  return hn::IfThenElse(hn::IsInf(x), hn::NaN(d), y);
}

// --- piecewise-linear: torch's expressions in the input type ------------------------------

// Piecewise-linear functions: torch's expression in the input type (NaN handled by each
// expression as torch's does), f'' = 0 unless a struct says otherwise.
struct PiecewiseLinear {
  static constexpr bool kNative = true;
  static constexpr bool kPropagateNaN = false;
  template <class D>
  static V<D> Second(D d, V<D>, const double*) { return hn::Zero(d); }
};

struct ReLUMath : PiecewiseLinear {
  template <class D>
  static V<D> Forward(D d, V<D> x, const double*) {
    return hn::IfThenElse(hn::Lt(x, hn::Zero(d)), hn::Zero(d), x);  // keeps -0.0 and NaN
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, const double*) {
    return hn::IfThenZeroElse(hn::Le(x, hn::Zero(d)), g);
  }
};

// clamp(x, lo, hi) as torch's min(max(x, lo), hi): NaN stays, lo > hi gives hi.
template <class D>
HWY_INLINE V<D> ClampKeepNaN(D, V<D> x, V<D> lo, V<D> hi) {
  const V<D> v = hn::IfThenElse(hn::Lt(x, lo), lo, x);
  return hn::IfThenElse(hn::Gt(v, hi), hi, v);
}

template <int kLo, int kHi>
struct ClampMath : PiecewiseLinear {
  template <class D>
  static V<D> Lo(D d, const double* p) { return kLo == kHi ? K(d, p[0]) : K(d, kLo); }
  template <class D>
  static V<D> Hi(D d, const double* p) { return kLo == kHi ? K(d, p[1]) : K(d, kHi); }
  template <class D>
  static V<D> Forward(D d, V<D> x, const double* p) { return ClampKeepNaN(d, x, Lo(d, p), Hi(d, p)); }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, const double* p) {
    return hn::IfThenZeroElse(hn::Or(hn::Le(x, Lo(d, p)), hn::Ge(x, Hi(d, p))), g);
  }
};
using ReLU6Math = ClampMath<0, 6>;
using HardtanhMath = ClampMath<0, 0>;  // bounds from the options

struct LeakyReLUMath : PiecewiseLinear {
  template <class D>
  static V<D> Forward(D d, V<D> x, const double* p) {
    return hn::IfThenElse(hn::Gt(x, hn::Zero(d)), x, hn::Mul(x, K(d, p[0])));
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, const double* p) {
    return hn::IfThenElse(hn::Gt(x, hn::Zero(d)), g, hn::Mul(g, K(d, p[0])));
  }
};

struct ThresholdMath : PiecewiseLinear {
  template <class D>
  static V<D> Forward(D d, V<D> x, const double* p) {
    return hn::IfThenElse(hn::Le(x, K(d, p[0])), K(d, p[1]), x);
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, const double* p) {
    return hn::IfThenZeroElse(hn::Le(x, K(d, p[0])), g);
  }
};

template <class D>
HWY_INLINE auto InBand(D d, V<D> x, const double* p) {
  return hn::And(hn::Ge(x, K(d, -p[0])), hn::Le(x, K(d, p[0])));
}

struct HardshrinkMath : PiecewiseLinear {
  template <class D>
  static V<D> Forward(D d, V<D> x, const double* p) { return hn::IfThenZeroElse(InBand(d, x, p), x); }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, const double* p) { return hn::IfThenZeroElse(InBand(d, x, p), g); }
};

struct SoftshrinkMath : PiecewiseLinear {
  template <class D>
  static V<D> Forward(D d, V<D> x, const double* p) {
    const V<D> lambd = K(d, p[0]);
    const V<D> below = hn::IfThenElseZero(hn::Lt(x, hn::Neg(lambd)), hn::Add(x, lambd));
    return hn::IfThenElse(hn::Gt(x, lambd), hn::Sub(x, lambd), below);  // NaN gives 0, as torch
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, const double* p) { return hn::IfThenZeroElse(InBand(d, x, p), g); }
};

// min(max(x + 3, 0), 6), NaN kept.
template <class D>
HWY_INLINE V<D> Relu6Shifted(D d, V<D> x) {
  return ClampKeepNaN(d, hn::Add(x, K(d, 3.0)), hn::Zero(d), K(d, 6.0));
}

struct HardsigmoidMath : PiecewiseLinear {
  template <class D>
  static V<D> Forward(D d, V<D> x, const double*) { return hn::Div(Relu6Shifted(d, x), K(d, 6.0)); }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, const double*) {
    // torch multiplies by the float 1/6 for every dtype.
    const auto inside = hn::And(hn::Gt(x, K(d, -3.0)), hn::Lt(x, K(d, 3.0)));
    return hn::IfThenElseZero(inside, hn::Mul(g, K(d, static_cast<double>(1.0f / 6.0f))));
  }
};

struct HardswishMath : PiecewiseLinear {
  template <class D>
  static V<D> Forward(D d, V<D> x, const double*) {
    return hn::Div(hn::Mul(x, Relu6Shifted(d, x)), K(d, 6.0));
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, const double*) {
    const V<D> middle = hn::Mul(g, hn::Add(hn::Div(x, K(d, 3.0)), K(d, 0.5)));
    return hn::IfThenZeroElse(hn::Lt(x, K(d, -3.0)), hn::IfThenElse(hn::Le(x, K(d, 3.0)), middle, g));
  }
  template <class D>
  static V<D> Second(D d, V<D> x, const double*) {
    const auto inside = hn::And(hn::Gt(x, K(d, -3.0)), hn::Lt(x, K(d, 3.0)));
    return hn::IfThenElseZero(inside, K(d, 1.0 / 3.0));
  }
};

// --- smooth: float64 arithmetic, stable formulas --------------------------------------------

// exp and expm1 of x * input_scale for x <= 0: the argument is positive only for CELU with
// alpha < 0, which alone pays for the wide-range versions.
template <class D>
HWY_INLINE V<D> EluExp(D d, V<D> a, double input_scale) {
  return input_scale < 0 ? ExpAnySign(d, a) : ExpNonPositive(d, a);
}
template <class D>
HWY_INLINE V<D> EluExpm1(D d, V<D> a, double input_scale) {
  return input_scale < 0 ? Expm1AnySign(d, a) : Expm1NonPositive(d, a);
}

// Smooth functions: float32 is computed in float64; a NaN input gives NaN.
struct Smooth {
  static constexpr bool kNative = false;
  static constexpr bool kPropagateNaN = true;
};

// torch's ELU kernel: x <= 0 ? coef * expm1(x * input_scale) : x * scale.
template <class D>
HWY_INLINE V<D> EluForward(D d, V<D> x, double coef, double input_scale, double scale) {
  const V<D> negative = hn::Mul(EluExpm1(d, hn::Mul(x, K(d, input_scale)), input_scale), K(d, coef));
  return hn::IfThenElse(hn::Le(x, hn::Zero(d)), negative, hn::Mul(x, K(d, scale)));
}
template <class D>
HWY_INLINE V<D> EluBackward(D d, V<D> g, V<D> x, double coef, double input_scale, double scale) {
  const V<D> negative = hn::Mul(g, hn::Mul(K(d, coef * input_scale), EluExp(d, hn::Mul(x, K(d, input_scale)), input_scale)));
  return hn::IfThenElse(hn::Le(x, hn::Zero(d)), negative, hn::Mul(g, K(d, scale)));
}
// f'' is 0 at x = 0, as torch's double backward gives.
template <class D>
HWY_INLINE V<D> EluSecond(D d, V<D> x, double coef, double input_scale) {
  const V<D> e = EluExp(d, hn::Mul(x, K(d, input_scale)), input_scale);
  return hn::IfThenElseZero(hn::Lt(x, hn::Zero(d)), hn::Mul(K(d, coef * input_scale * input_scale), e));
}

struct ELUMath : Smooth {
  static constexpr bool kPropagateNaN = false;  // x <= 0 is false for NaN: y = NaN, grad = g, as torch
  template <class D>
  static V<D> Forward(D d, V<D> x, const double* p) { return EluForward(d, x, p[0], 1.0, 1.0); }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, const double* p) { return EluBackward(d, g, x, p[0], 1.0, 1.0); }
  template <class D>
  static V<D> Second(D d, V<D> x, const double* p) { return EluSecond(d, x, p[0], 1.0); }
};

struct CELUMath : Smooth {
  static constexpr bool kPropagateNaN = false;  // x <= 0 is false for NaN: y = NaN, grad = g, as torch
  template <class D>
  static V<D> Forward(D d, V<D> x, const double* p) { return EluForward(d, x, p[0], 1.0 / p[0], 1.0); }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, const double* p) { return EluBackward(d, g, x, p[0], 1.0 / p[0], 1.0); }
  template <class D>
  static V<D> Second(D d, V<D> x, const double* p) { return EluSecond(d, x, p[0], 1.0 / p[0]); }
};

inline constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
inline constexpr double kSeluScale = 1.0507009873554804934193349852946;

struct SELUMath : Smooth {
  static constexpr bool kPropagateNaN = false;  // x <= 0 is false for NaN: y = NaN, grad = g, as torch
  template <class D>
  static V<D> Forward(D d, V<D> x, const double*) { return EluForward(d, x, kSeluAlpha * kSeluScale, 1.0, kSeluScale); }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, const double*) {
    return EluBackward(d, g, x, kSeluAlpha * kSeluScale, 1.0, kSeluScale);
  }
  template <class D>
  static V<D> Second(D d, V<D> x, const double*) { return EluSecond(d, x, kSeluAlpha * kSeluScale, 1.0); }
};

struct SigmoidMath : Smooth {
  template <class D>
  static V<D> Forward(D d, V<D> x, const double*) { return Sigmoids(d, x).pos; }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, const double*) {
    const auto s = Sigmoids(d, x);
    return hn::Mul(g, hn::Mul(s.pos, s.neg));
  }
  template <class D>
  static V<D> Second(D d, V<D> x, const double*) {
    const auto s = Sigmoids(d, x);
    return hn::Mul(hn::Mul(s.pos, s.neg), hn::Sub(s.neg, s.pos));
  }
};

struct LogSigmoidMath : Smooth {
  template <class D>
  static V<D> Forward(D d, V<D> x, const double*) {
    // torch's min(x, 0) - log1p(exp(-|x|)): +0.0 (not -0.0) where the log1p term underflows.
    return hn::Sub(hn::Min(x, hn::Zero(d)), hn::Log1p(d, ExpNonPositive(d, hn::Neg(hn::Abs(x)))));
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, const double*) { return hn::Mul(g, Sigmoids(d, x).neg); }
  template <class D>
  static V<D> Second(D d, V<D> x, const double*) {
    const auto s = Sigmoids(d, x);
    return hn::Neg(hn::Mul(s.pos, s.neg));
  }
};

struct TanhMath : Smooth {
  template <class D>
  static V<D> Forward(D d, V<D> x, const double*) { return hn::Tanh(d, x); }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, const double*) { return hn::Mul(g, Sech2(d, x)); }
  template <class D>
  static V<D> Second(D d, V<D> x, const double*) {
    return hn::Mul(K(d, -2.0), hn::Mul(hn::Tanh(d, x), Sech2(d, x)));
  }
};

// x - tanh(x): below |x| = 0.25 the difference cancels, so it comes from the odd Taylor series
// x^3/3 - 2x^5/15 + ..., whose terms then shrink by ~0.025 each (10 terms reach 1e-16).
template <class D>
HWY_INLINE V<D> TanhshrinkSeries(D d, V<D> x) {
  const V<D> x2 = hn::Mul(x, x);
  // Horner from the highest term: coefficients of x^(2k+1) in x - tanh(x), k = 1..10.
  static constexpr double kCoefficients[] = {
      1.0 / 3.0,         -2.0 / 15.0,          17.0 / 315.0,          -62.0 / 2835.0,
      1382.0 / 155925.0, -21844.0 / 6081075.0, 929569.0 / 638512875.0, -6404582.0 / 10854718875.0,
      443861162.0 / 1856156927625.0, -18888466084.0 / 194896477400625.0};
  V<D> sum = K(d, kCoefficients[9]);
  for (int k = 8; k >= 0; --k) sum = hn::MulAdd(sum, x2, K(d, kCoefficients[k]));
  return hn::Mul(hn::Mul(sum, x2), x);
}

struct TanhshrinkMath : Smooth {
  template <class D>
  static V<D> Forward(D d, V<D> x, const double*) {
    const V<D> direct = hn::Sub(x, hn::Tanh(d, x));
    // + 0.0: torch's x - tanh(x) is +0.0 at x = -0.0
    return hn::Add(hn::IfThenElse(hn::Lt(hn::Abs(x), K(d, 0.25)), TanhshrinkSeries(d, x), direct), hn::Zero(d));
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, const double*) {
    const V<D> t = hn::Tanh(d, x);
    return hn::Add(hn::Mul(g, hn::Mul(t, t)), hn::Zero(d));  // torch's g - g (1 - t^2) is +0.0 at 0
  }
  template <class D>
  static V<D> Second(D d, V<D> x, const double*) {
    return hn::Mul(K(d, 2.0), hn::Mul(hn::Tanh(d, x), Sech2(d, x)));
  }
};

struct SoftsignMath : Smooth {
  template <class D>
  static V<D> Forward(D d, V<D> x, const double*) {
    return hn::Div(x, hn::Add(K(d, 1.0), hn::Abs(x)));  // +-inf give NaN, as torch's inf/inf
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, const double*) {
    const V<D> r = hn::Div(K(d, 1.0), hn::Add(K(d, 1.0), hn::Abs(x)));
    return NaNIfInf(d, x, hn::Mul(g, hn::Mul(r, r)));
  }
  template <class D>
  static V<D> Second(D d, V<D> x, const double*) {
    const V<D> r = hn::Div(K(d, 1.0), hn::Add(K(d, 1.0), hn::Abs(x)));
    const V<D> magnitude = hn::Mul(K(d, 2.0), hn::Mul(r, hn::Mul(r, r)));
    const V<D> signed_value = hn::IfThenElse(hn::Gt(x, hn::Zero(d)), hn::Neg(magnitude), magnitude);
    return NaNIfInf(d, x, hn::IfThenZeroElse(hn::Eq(x, hn::Zero(d)), signed_value));
  }
};

// torch switches to the identity when beta * x > threshold.
struct SoftplusMath : Smooth {
  template <class D>
  static V<D> Forward(D d, V<D> x, const double* p) {
    const V<D> z = hn::Mul(x, K(d, p[0]));
    const V<D> smooth = hn::Div(Softplus1(d, z), K(d, p[0]));
    return hn::IfThenElse(hn::Gt(z, K(d, p[1])), x, smooth);
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, const double* p) {
    const V<D> z = hn::Mul(x, K(d, p[0]));
    return hn::IfThenElse(hn::Gt(z, K(d, p[1])), g, hn::Mul(g, Sigmoids(d, z).pos));
  }
  template <class D>
  static V<D> Second(D d, V<D> x, const double* p) {
    const V<D> z = hn::Mul(x, K(d, p[0]));
    const auto s = Sigmoids(d, z);
    return hn::IfThenZeroElse(hn::Gt(z, K(d, p[1])), hn::Mul(K(d, p[0]), hn::Mul(s.pos, s.neg)));
  }
};

// x * sigmoid(beta * x): SiLU is beta = 1.
template <class D>
HWY_INLINE V<D> SwishForward(D d, V<D> x, double beta) {
  return hn::Mul(x, Sigmoids(d, hn::Mul(x, K(d, beta))).pos);
}
template <class D>
HWY_INLINE V<D> SwishDerivative(D d, V<D> x, double beta) {
  const V<D> bx = hn::Mul(x, K(d, beta));
  const auto s = Sigmoids(d, bx);
  return hn::Mul(s.pos, hn::Add(K(d, 1.0), hn::Mul(bx, s.neg)));
}
template <class D>
HWY_INLINE V<D> SwishSecond(D d, V<D> x, double beta) {
  const V<D> bx = hn::Mul(x, K(d, beta));
  const auto s = Sigmoids(d, bx);
  const V<D> slope = hn::Mul(s.pos, s.neg);
  return hn::Mul(hn::Mul(K(d, beta), slope), hn::Add(K(d, 2.0), hn::Mul(bx, hn::Sub(s.neg, s.pos))));
}

struct SiLUMath : Smooth {
  template <class D>
  static V<D> Forward(D d, V<D> x, const double*) { return SwishForward(d, x, 1.0); }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, const double*) { return hn::Mul(g, SwishDerivative(d, x, 1.0)); }
  template <class D>
  static V<D> Second(D d, V<D> x, const double*) { return SwishSecond(d, x, 1.0); }
};

struct SwishMath : Smooth {
  template <class D>
  static V<D> Forward(D d, V<D> x, const double* p) { return SwishForward(d, x, p[0]); }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, const double* p) {
    // torch's autograd of x * sigmoid(beta x): g s + (g x) beta s (1 - s), where g x may overflow
    const auto s = Sigmoids(d, hn::Mul(x, K(d, p[0])));
    return hn::MulAdd(hn::Mul(g, x), hn::Mul(K(d, p[0]), hn::Mul(s.pos, s.neg)), hn::Mul(g, s.pos));
  }
  template <class D>
  static V<D> Second(D d, V<D> x, const double* p) { return SwishSecond(d, x, p[0]); }
};

struct MishMath : Smooth {
  template <class D>
  static V<D> Forward(D d, V<D> x, const double*) { return hn::Mul(x, hn::Tanh(d, Softplus1(d, x))); }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, const double*) {
    const V<D> sp = Softplus1(d, x);
    const V<D> derivative = hn::MulAdd(hn::Mul(x, Sigmoids(d, x).pos), Sech2(d, sp), hn::Tanh(d, sp));
    return hn::Mul(g, derivative);
  }
  template <class D>
  static V<D> Second(D d, V<D> x, const double*) {
    const V<D> sp = Softplus1(d, x);
    const V<D> t = hn::Tanh(d, sp), sech2 = Sech2(d, sp);
    const auto s = Sigmoids(d, x);
    // d/dx [t + x s sech2] = 2 s sech2 + x sech2 (s(1-s) - 2 t s^2)
    const V<D> inner = hn::Sub(hn::Mul(s.pos, s.neg), hn::Mul(K(d, 2.0), hn::Mul(t, hn::Mul(s.pos, s.pos))));
    return hn::Add(hn::Mul(K(d, 2.0), hn::Mul(s.pos, sech2)), hn::Mul(x, hn::Mul(sech2, inner)));
  }
};

}  // namespace activ::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
