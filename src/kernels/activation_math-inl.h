// Per-target math of every elementwise activation, on Highway vectors. Included once per SIMD
// target by activations.cpp (no include guard, by Highway's design).
//
// Each activation is a struct (deriving from PiecewiseLinear or Smooth for the defaults) with
//   kNative     true: computed in the input type with torch's exact expression (piecewise-
//               linear functions are then bit-identical to torch); false: float32 inputs are
//               computed in float64 and rounded once, unless activation_float32-inl.h has a
//               native float32 kernel for the activation (Float32Kernel).
//   Forward(d, x, p)          f(x)
//   Backward(d, g, x, p)      g * f'(x), with torch's value at every kink
//   Second(d, x, p)           f''(x), for double backward
//   kPropagateNaN  true: a NaN input gives NaN for all three (the stable formulas clamp
//                  internally and would otherwise hide it)
// p is the activation's parameter struct (kernels::<Name>Params, generated from the table).
//
// Accuracy contract (every finite input, measured by tests/activation_accuracy_test):
//   smooth functions: forward <= 4 ULP, backward with g = 1 <= 8 ULP (below 2^-126: absolute
//   2^-126); piecewise-linear functions: identical to torch.

#include "activ/kernels.h"
#include "hwy/contrib/math/math-inl.h"
#include "hwy/highway.h"
#include "kernels/activation_polynomials.h"
#include "kernels/erf-inl.h"

HWY_BEFORE_NAMESPACE();
namespace activ::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class D>
using V = hn::Vec<D>;

template <class D>
HWY_INLINE V<D> K(D d, double value) {
  return hn::Set(d, static_cast<hn::TFromD<D>>(value));
}

// exp(x) for x <= 0, including -inf.
template <class D>
HWY_INLINE V<D> ExpNonPositive(D d, V<D> x) {
  return TableExp(d, x);
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
  return hn::Add(hn::Max(x, hn::Zero(d)), Log1pOfUnit(d, ExpNonPositive(d, hn::Neg(hn::Abs(x)))));
}

// beta * x as hi + lo exactly (FMA, or Dekker's product where the target has none): rounding
// beta * x first would move exp(beta * x) by |beta x| times the rounding, hundreds of ULP on the
// far tails. lo is 0 where |hi| > 1000 (exp is 0 or saturated there; the split would be NaN).
template <class D>
struct Product {
  V<D> hi, lo;
};
template <class D>
HWY_INLINE Product<D> ExactProduct(D d, V<D> x, double beta) {
  const V<D> b = K(d, beta);
  const V<D> hi = hn::Mul(x, b);
#if HWY_NATIVE_FMA
  const V<D> lo = hn::MulSub(x, b, hi);
#else
  const V<D> split = K(d, 134217729.0);  // 2^27 + 1
  const V<D> x_hi = hn::Sub(hn::Mul(split, x), hn::Sub(hn::Mul(split, x), x));
  const V<D> x_lo = hn::Sub(x, x_hi);
  const V<D> b_hi = K(d, beta * 134217729.0 - (beta * 134217729.0 - beta));
  const V<D> b_lo = hn::Sub(b, b_hi);
  const V<D> lo = hn::Add(
      hn::Add(hn::Add(hn::Sub(hn::Mul(x_hi, b_hi), hi), hn::Mul(x_hi, b_lo)), hn::Mul(x_lo, b_hi)),
      hn::Mul(x_lo, b_lo));
#endif
  return {hi, hn::IfThenZeroElse(hn::Gt(hn::Abs(hi), K(d, 1000.0)), lo)};
}

// Below this, exp(-|u|) nears the subnormals (exp(-700) ~ 1e-304), where it would lose bits
// before being multiplied by factors such as x.
inline constexpr double kExpFarTail = -700.0;

// exp(-|u|) for u = hi + lo, as value = scale * part. Below -|u| = kExpFarTail,
// scale = part = exp(-|u| / 2), and callers multiply by scale last; elsewhere scale = 1.
// kFarTail = false promises that no lane is there and skips the split.
template <class D>
struct SplitExp {
  V<D> value, scale, part;
};
template <bool kFarTail, class D>
HWY_INLINE SplitExp<D> ExpNegAbs(D d, V<D> hi, V<D> lo) {
  const V<D> a = hn::Neg(hn::Abs(hi));
  // lo moves -|u| by delta = -sign(hi) lo, and exp(a + delta) = exp(a) (1 + delta): |delta| <
  // 1e-13.
  const V<D> delta = hn::IfThenElse(hn::Ge(hi, hn::Zero(d)), hn::Neg(lo), lo);
  if constexpr (!kFarTail) {
    const V<D> base = ExpNonPositive(d, a);
    const V<D> part = hn::MulAdd(base, delta, base);
    return {part, K(d, 1.0), part};
  } else {
    const auto tail = hn::Lt(a, K(d, kExpFarTail));
    const V<D> half = K(d, 0.5);
    const V<D> base = ExpNonPositive(d, hn::IfThenElse(tail, hn::Mul(a, half), a));
    const V<D> part = hn::MulAdd(base, hn::IfThenElse(tail, hn::Mul(delta, half), delta), base);
    const V<D> scale = hn::IfThenElse(tail, part, K(d, 1.0));
    return {hn::Mul(part, scale), scale, part};
  }
}

// body(ExpNegAbs(d, hi, lo)), with scale = 1 known to the compiler for vectors with no lane on
// the far tail: nearly all of them.
template <class D, class Body>
HWY_INLINE V<D> WithExpNegAbs(D d, V<D> hi, V<D> lo, const Body& body) {
  if (HWY_LIKELY(hn::AllFalse(d, hn::Lt(hn::Neg(hn::Abs(hi)), K(d, kExpFarTail))))) {
    return body(ExpNegAbs<false>(d, hi, lo));
  }
  return body(ExpNegAbs<true>(d, hi, lo));
}

// Horner's scheme, coefficients lowest degree first.
template <class D, std::size_t kCount>
HWY_INLINE V<D> Polynomial(D d, V<D> x, const double (&coefficients)[kCount]) {
  V<D> sum = K(d, coefficients[kCount - 1]);
  for (std::size_t k = kCount - 1; k-- > 0;) sum = hn::MulAdd(sum, x, K(d, coefficients[k]));
  return sum;
}

// f'(u) near its zero r (SiLU's or Mish's), where the usual formulas cancel: t Q(t) with
// t = u - r from u = hi + lo and r = root_hi + root_lo (hi - root_hi is exact there), Q the
// generated fit: g t Q(t) in the lanes inside the fit's window, general elsewhere. A vector with
// no lane in the window skips the polynomial.
template <class D, std::size_t kCount>
HWY_INLINE V<D> NearRoot(D d, V<D> g, V<D> hi, V<D> lo, double root_hi, double root_lo,
                         double window, const double (&coefficients)[kCount], V<D> general) {
  const V<D> t = hn::Add(hn::Sub(hi, K(d, root_hi)), hn::Sub(lo, K(d, root_lo)));
  const auto inside = hn::Lt(hn::Abs(t), K(d, window));
  if (hn::AllFalse(d, inside)) return general;
  return hn::IfThenElse(inside, hn::Mul(g, hn::Mul(t, Polynomial(d, t, coefficients))), general);
}

// sech^2(y) = 1 - tanh^2(y) without cancellation: 4e / (1 + e)^2 with e = exp(-2|y|).
template <class D>
HWY_INLINE V<D> Sech2(D d, V<D> y) {
  const V<D> e = ExpNonPositive(d, hn::Mul(K(d, -2.0), hn::Abs(y)));
  const V<D> r = hn::Div(K(d, 1.0), hn::Add(K(d, 1.0), e));
  return hn::Mul(hn::Mul(K(d, 4.0), e), hn::Mul(r, r));
}

// tanh|x| = (1 - e) / (1 + e), e = exp(-2|x|), with x's sign; the numerator -expm1(-2|x|) where
// 1 - e would cancel (e > 1/2).
template <class D>
HWY_INLINE V<D> TableTanh(D d, V<D> x) {
  const auto reduced = ReduceExpClamped(d, hn::Mul(K(d, -2.0), hn::Abs(x)));
  const V<D> e = ExpOf(d, reduced);
  const V<D> numerator =
      hn::IfThenElse(hn::Lt(e, K(d, 0.5)), hn::Sub(K(d, 1.0), e), hn::Neg(Expm1Of(d, reduced)));
  return hn::CopySign(hn::Div(numerator, hn::Add(K(d, 1.0), e)), x);
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
  template <class D, class Params>
  static V<D> Second(D d, V<D>, Params) {
    return hn::Zero(d);
  }
};

struct ReLUMath : PiecewiseLinear {
  template <class D>
  static V<D> Forward(D d, V<D> x, ReLUParams) {
    return hn::IfThenElse(hn::Lt(x, hn::Zero(d)), hn::Zero(d), x);  // keeps -0.0 and NaN
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, ReLUParams) {
    return hn::IfThenZeroElse(hn::Le(x, hn::Zero(d)), g);
  }
};

// clamp(x, lo, hi) as torch's min(max(x, lo), hi): NaN stays, lo > hi gives hi.
template <class D>
HWY_INLINE V<D> ClampKeepNaN(D, V<D> x, V<D> lo, V<D> hi) {
  const V<D> v = hn::IfThenElse(hn::Lt(x, lo), lo, x);
  return hn::IfThenElse(hn::Gt(v, hi), hi, v);
}

template <class D>
HWY_INLINE V<D> ClampBackward(D d, V<D> g, V<D> x, double lo, double hi) {
  return hn::IfThenZeroElse(hn::Or(hn::Le(x, K(d, lo)), hn::Ge(x, K(d, hi))), g);
}

struct ReLU6Math : PiecewiseLinear {
  template <class D>
  static V<D> Forward(D d, V<D> x, ReLU6Params) {
    return ClampKeepNaN(d, x, hn::Zero(d), K(d, 6.0));
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, ReLU6Params) {
    return ClampBackward(d, g, x, 0.0, 6.0);
  }
};

struct HardtanhMath : PiecewiseLinear {
  template <class D>
  static V<D> Forward(D d, V<D> x, HardtanhParams p) {
    return ClampKeepNaN(d, x, K(d, p.min_val), K(d, p.max_val));
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, HardtanhParams p) {
    return ClampBackward(d, g, x, p.min_val, p.max_val);
  }
};

struct LeakyReLUMath : PiecewiseLinear {
  template <class D>
  static V<D> Forward(D d, V<D> x, LeakyReLUParams p) {
    return hn::IfThenElse(hn::Gt(x, hn::Zero(d)), x, hn::Mul(x, K(d, p.negative_slope)));
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, LeakyReLUParams p) {
    return hn::IfThenElse(hn::Gt(x, hn::Zero(d)), g, hn::Mul(g, K(d, p.negative_slope)));
  }
};

struct ThresholdMath : PiecewiseLinear {
  template <class D>
  static V<D> Forward(D d, V<D> x, ThresholdParams p) {
    return hn::IfThenElse(hn::Le(x, K(d, p.threshold)), K(d, p.value), x);
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, ThresholdParams p) {
    return hn::IfThenZeroElse(hn::Le(x, K(d, p.threshold)), g);
  }
};

template <class D>
HWY_INLINE auto InBand(D d, V<D> x, double lambd) {
  return hn::And(hn::Ge(x, K(d, -lambd)), hn::Le(x, K(d, lambd)));
}

struct HardshrinkMath : PiecewiseLinear {
  template <class D>
  static V<D> Forward(D d, V<D> x, HardshrinkParams p) {
    return hn::IfThenZeroElse(InBand(d, x, p.lambd), x);
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, HardshrinkParams p) {
    return hn::IfThenZeroElse(InBand(d, x, p.lambd), g);
  }
};

struct SoftshrinkMath : PiecewiseLinear {
  template <class D>
  static V<D> Forward(D d, V<D> x, SoftshrinkParams p) {
    const V<D> lambd = K(d, p.lambd);
    const V<D> below = hn::IfThenElseZero(hn::Lt(x, hn::Neg(lambd)), hn::Add(x, lambd));
    return hn::IfThenElse(hn::Gt(x, lambd), hn::Sub(x, lambd), below);  // NaN gives 0, as torch
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, SoftshrinkParams p) {
    return hn::IfThenZeroElse(InBand(d, x, p.lambd), g);
  }
};

// min(max(x + 3, 0), 6), NaN kept.
template <class D>
HWY_INLINE V<D> Relu6Shifted(D d, V<D> x) {
  return ClampKeepNaN(d, hn::Add(x, K(d, 3.0)), hn::Zero(d), K(d, 6.0));
}

struct HardsigmoidMath : PiecewiseLinear {
  template <class D>
  static V<D> Forward(D d, V<D> x, HardsigmoidParams) {
    return hn::Div(Relu6Shifted(d, x), K(d, 6.0));
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, HardsigmoidParams) {
    // torch multiplies by the float 1/6 for every dtype. The And, not IfThenElseZero: GCC folds
    // that into a zero-masked multiply reading grad_output, a masked load, and at 16M elements
    // this kernel then ran at 70-78% of the 2-in/1-out add instead of 100-110% (Zen 4).
    const auto inside = hn::And(hn::Gt(x, K(d, -3.0)), hn::Lt(x, K(d, 3.0)));
    return hn::And(hn::VecFromMask(d, inside), hn::Mul(g, K(d, static_cast<double>(1.0f / 6.0f))));
  }
};

struct HardswishMath : PiecewiseLinear {
  template <class D>
  static V<D> Forward(D d, V<D> x, HardswishParams) {
    return hn::Div(hn::Mul(x, Relu6Shifted(d, x)), K(d, 6.0));
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, HardswishParams) {
    const V<D> middle = hn::Mul(g, hn::Add(hn::Div(x, K(d, 3.0)), K(d, 0.5)));
    return hn::IfThenZeroElse(hn::Lt(x, K(d, -3.0)),
                              hn::IfThenElse(hn::Le(x, K(d, 3.0)), middle, g));
  }
  template <class D>
  static V<D> Second(D d, V<D> x, HardswishParams) {
    const auto inside = hn::And(hn::Gt(x, K(d, -3.0)), hn::Lt(x, K(d, 3.0)));
    return hn::IfThenElseZero(inside, K(d, 1.0 / 3.0));
  }
};

// --- smooth: float64 arithmetic, stable formulas --------------------------------------------

// Smooth functions: float32 is computed in float64 where it has no native kernel
// (activation_float32-inl.h) and for f''; a NaN input gives NaN.
struct Smooth {
  static constexpr bool kNative = false;
  static constexpr bool kPropagateNaN = true;
};

// torch's ELU kernel: x <= 0 ? coef * expm1(x * input_scale) : x * scale.
template <class D>
HWY_INLINE V<D> EluForward(D d, V<D> x, double coef, double input_scale, double scale) {
  // + 0: -0.0 maps to +0.0, as torch's exp(x) - 1 gives
  const V<D> expm1 = hn::Add(TableExpm1(d, hn::Mul(x, K(d, input_scale))), hn::Zero(d));
  const V<D> negative = hn::Mul(expm1, K(d, coef));
  return hn::IfThenElse(hn::Le(x, hn::Zero(d)), negative, hn::Mul(x, K(d, scale)));
}
template <class D>
HWY_INLINE V<D> EluBackward(D d, V<D> g, V<D> x, double coef, double input_scale, double scale) {
  const V<D> negative =
      hn::Mul(g, hn::Mul(K(d, coef * input_scale), TableExp(d, hn::Mul(x, K(d, input_scale)))));
  return hn::IfThenElse(hn::Le(x, hn::Zero(d)), negative, hn::Mul(g, K(d, scale)));
}
// f'' is 0 at x = 0, as torch's double backward gives.
template <class D>
HWY_INLINE V<D> EluSecond(D d, V<D> x, double coef, double input_scale) {
  const V<D> e = TableExp(d, hn::Mul(x, K(d, input_scale)));
  return hn::IfThenElseZero(hn::Lt(x, hn::Zero(d)),
                            hn::Mul(K(d, coef * input_scale * input_scale), e));
}

struct ELUMath : Smooth {
  static constexpr bool kPropagateNaN =
      false;  // x <= 0 is false for NaN: y = NaN, grad = g, as torch
  template <class D>
  static V<D> Forward(D d, V<D> x, ELUParams p) {
    return EluForward(d, x, p.alpha, 1.0, 1.0);
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, ELUParams p) {
    return EluBackward(d, g, x, p.alpha, 1.0, 1.0);
  }
  template <class D>
  static V<D> Second(D d, V<D> x, ELUParams p) {
    return EluSecond(d, x, p.alpha, 1.0);
  }
};

struct CELUMath : Smooth {
  static constexpr bool kPropagateNaN =
      false;  // x <= 0 is false for NaN: y = NaN, grad = g, as torch
  template <class D>
  static V<D> Forward(D d, V<D> x, CELUParams p) {
    return EluForward(d, x, p.alpha, 1.0 / p.alpha, 1.0);
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, CELUParams p) {
    return EluBackward(d, g, x, p.alpha, 1.0 / p.alpha, 1.0);
  }
  template <class D>
  static V<D> Second(D d, V<D> x, CELUParams p) {
    return EluSecond(d, x, p.alpha, 1.0 / p.alpha);
  }
};

inline constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
inline constexpr double kSeluScale = 1.0507009873554804934193349852946;

struct SELUMath : Smooth {
  static constexpr bool kPropagateNaN =
      false;  // x <= 0 is false for NaN: y = NaN, grad = g, as torch
  template <class D>
  static V<D> Forward(D d, V<D> x, SELUParams) {
    return EluForward(d, x, kSeluAlpha * kSeluScale, 1.0, kSeluScale);
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, SELUParams) {
    return EluBackward(d, g, x, kSeluAlpha * kSeluScale, 1.0, kSeluScale);
  }
  template <class D>
  static V<D> Second(D d, V<D> x, SELUParams) {
    return EluSecond(d, x, kSeluAlpha * kSeluScale, 1.0);
  }
};

struct SigmoidMath : Smooth {
  template <class D>
  static V<D> Forward(D d, V<D> x, SigmoidParams) {
    return Sigmoids(d, x).pos;
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, SigmoidParams) {
    const auto s = Sigmoids(d, x);
    return hn::Mul(g, hn::Mul(s.pos, s.neg));
  }
  template <class D>
  static V<D> Second(D d, V<D> x, SigmoidParams) {
    const auto s = Sigmoids(d, x);
    return hn::Mul(hn::Mul(s.pos, s.neg), hn::Sub(s.neg, s.pos));
  }
};

struct LogSigmoidMath : Smooth {
  template <class D>
  static V<D> Forward(D d, V<D> x, LogSigmoidParams) {
    // torch's min(x, 0) - log1p(exp(-|x|)): +0.0 (not -0.0) where the log1p term underflows.
    return hn::Sub(hn::Min(x, hn::Zero(d)), Log1pOfUnit(d, ExpNonPositive(d, hn::Neg(hn::Abs(x)))));
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, LogSigmoidParams) {
    return hn::Mul(g, Sigmoids(d, x).neg);
  }
  template <class D>
  static V<D> Second(D d, V<D> x, LogSigmoidParams) {
    const auto s = Sigmoids(d, x);
    return hn::Neg(hn::Mul(s.pos, s.neg));
  }
};

struct TanhMath : Smooth {
  template <class D>
  static V<D> Forward(D d, V<D> x, TanhParams) {
    return TableTanh(d, x);
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, TanhParams) {
    return hn::Mul(g, Sech2(d, x));
  }
  template <class D>
  static V<D> Second(D d, V<D> x, TanhParams) {
    return hn::Mul(K(d, -2.0), hn::Mul(TableTanh(d, x), Sech2(d, x)));
  }
};

// x - tanh(x): the generated x^3 P(x^2) below |x| = 1, where the difference cancels; above,
// (|x| - 1) + (1 - tanh|x|) = (|x| - 1) + 2e / (1 + e), e = exp(-2|x|), a sum of non-negatives.
struct TanhshrinkMath : Smooth {
  template <class D>
  static V<D> Forward(D d, V<D> x, TanhshrinkParams) {
    const V<D> magnitude = hn::Abs(x);
    const V<D> x2 = hn::Mul(x, x);
    const V<D> series = hn::Mul(hn::Mul(x, x2), Polynomial(d, x2, kTanhshrinkSeries));
    const V<D> e = ExpNonPositive(d, hn::Mul(K(d, -2.0), magnitude));
    const V<D> complement = hn::Div(hn::Add(e, e), hn::Add(K(d, 1.0), e));
    const V<D> large = hn::CopySignToAbs(hn::Add(hn::Sub(magnitude, K(d, 1.0)), complement), x);
    // + 0.0: torch's x - tanh(x) is +0.0 at x = -0.0
    return hn::Add(hn::IfThenElse(hn::Lt(magnitude, K(d, 1.0)), series, large), hn::Zero(d));
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, TanhshrinkParams) {
    const V<D> t = TableTanh(d, x);
    return hn::Add(hn::Mul(g, hn::Mul(t, t)), hn::Zero(d));  // torch's g - g (1 - t^2) is +0.0 at 0
  }
  template <class D>
  static V<D> Second(D d, V<D> x, TanhshrinkParams) {
    return hn::Mul(K(d, 2.0), hn::Mul(TableTanh(d, x), Sech2(d, x)));
  }
};

struct SoftsignMath : Smooth {
  template <class D>
  static V<D> Forward(D d, V<D> x, SoftsignParams) {
    return hn::Div(x, hn::Add(K(d, 1.0), hn::Abs(x)));  // +-inf give NaN, as torch's inf/inf
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, SoftsignParams) {
    const V<D> r = hn::Div(K(d, 1.0), hn::Add(K(d, 1.0), hn::Abs(x)));
    return NaNIfInf(d, x, hn::Mul(g, hn::Mul(r, r)));
  }
  template <class D>
  static V<D> Second(D d, V<D> x, SoftsignParams) {
    const V<D> r = hn::Div(K(d, 1.0), hn::Add(K(d, 1.0), hn::Abs(x)));
    const V<D> magnitude = hn::Mul(K(d, 2.0), hn::Mul(r, hn::Mul(r, r)));
    const V<D> signed_value = hn::IfThenElse(hn::Gt(x, hn::Zero(d)), hn::Neg(magnitude), magnitude);
    return NaNIfInf(d, x, hn::IfThenZeroElse(hn::Eq(x, hn::Zero(d)), signed_value));
  }
};

// torch switches to the identity when beta * x > threshold.
struct SoftplusMath : Smooth {
  template <class D>
  static V<D> Forward(D d, V<D> x, SoftplusParams p) {
    const auto identity = [&](V<D> u) { return hn::Gt(u, K(d, p.threshold)); };
    // beta = 1 (the default): u = x, and no division to keep subnormal exponentials exact for.
    if (p.beta == 1.0) return hn::IfThenElse(identity(x), x, Softplus1(d, x));
    // log(1 + exp(u)) / beta for u = beta x = hi + lo: u + log1p(exp(-u)) above 0, log1p(exp(u))
    // below, which is exp(u) = scale * part itself on the split tail.
    const auto u = ExactProduct(d, x, p.beta);
    return WithExpNegAbs(d, u.hi, u.lo, [&](const SplitExp<D>& e) {
      const auto positive = hn::Gt(u.hi, hn::Zero(d));
      const V<D> linear = hn::IfThenElseZero(positive, hn::Add(u.hi, u.lo));
      const V<D> log_part =
          hn::IfThenElse(hn::Eq(e.scale, K(d, 1.0)), Log1pOfUnit(d, e.value), e.part);
      const V<D> smooth = hn::Mul(e.scale, hn::Div(hn::Add(linear, log_part), K(d, p.beta)));
      return hn::IfThenElse(identity(u.hi), x, smooth);
    });
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, SoftplusParams p) {
    // sigma(u): 1 / (1 + e) above 0, e / (1 + e) = scale (part / (1 + e)) below.
    const auto u = ExactProduct(d, x, p.beta);
    return WithExpNegAbs(d, u.hi, u.lo, [&](const SplitExp<D>& e) {
      const V<D> r = hn::Div(K(d, 1.0), hn::Add(K(d, 1.0), e.value));
      const V<D> s =
          hn::IfThenElse(hn::Ge(u.hi, hn::Zero(d)), r, hn::Mul(e.scale, hn::Mul(e.part, r)));
      return hn::IfThenElse(hn::Gt(u.hi, K(d, p.threshold)), g, hn::Mul(g, s));
    });
  }
  template <class D>
  static V<D> Second(D d, V<D> x, SoftplusParams p) {
    const V<D> z = hn::Mul(x, K(d, p.beta));
    const auto s = Sigmoids(d, z);
    return hn::IfThenZeroElse(hn::Gt(z, K(d, p.threshold)),
                              hn::Mul(K(d, p.beta), hn::Mul(s.pos, s.neg)));
  }
};

// x * sigmoid(beta * x) (SiLU is beta = 1) and its derivative, from u = beta x = hi + lo and
// e = exp(-|u|) split on the far negative tail (ExpNegAbs), where sigma(u) = e / (1 + e) would
// otherwise be subnormal before its product with x.
template <class D>
HWY_INLINE V<D> SwishForward(D d, V<D> x, double beta) {
  const auto u = ExactProduct(d, x, beta);
  return WithExpNegAbs(d, u.hi, u.lo, [&](const SplitExp<D>& e) {
    const V<D> r = hn::Div(K(d, 1.0), hn::Add(K(d, 1.0), e.value));
    const V<D> negative = hn::Mul(hn::Mul(x, e.scale), hn::Mul(e.part, r));
    return hn::IfThenElse(hn::Ge(u.hi, hn::Zero(d)), hn::Mul(x, r), negative);
  });
}
// g * f'(x): for u >= 0 and on the far tail as torch computes it, SiLU g sigma(u) (1 + u
// sigma(-u)), Swish (autograd of x * sigmoid(beta x)) g sigma(u) + (g x) beta sigma(u) sigma(-u),
// where g x may overflow; below 0 a form that cancels less, and the generated t Q(t) next to the
// zero of f'.
template <bool kSiLU, class D>
HWY_INLINE V<D> SwishBackward(D d, V<D> g, V<D> x, double beta) {
  const auto u = ExactProduct(d, x, beta);
  return WithExpNegAbs(d, u.hi, u.lo, [&](const SplitExp<D>& e) {
    const V<D> r = hn::Div(K(d, 1.0), hn::Add(K(d, 1.0), e.value));
    const auto non_negative = hn::Ge(u.hi, hn::Zero(d));
    // sigma(u) = scale * s_part and sigma(-u), scale = 1 but on the negative tail
    const V<D> s_part = hn::IfThenElse(non_negative, r, hn::Mul(e.part, r));
    const V<D> s_neg = hn::IfThenElse(non_negative, hn::Mul(e.value, r), r);
    const V<D> scale = hn::IfThenElse(non_negative, K(d, 1.0), e.scale);
    // Below 0 (to the far tail, where scale = 1), 1 + u sigma(-u) = ((1 + u) + e) / (1 + e):
    // 1 + hi is exact for hi <= -1 and e carries its own ULP only, so that the sum cancels to
    // f''s size without the rounding of u sigma(-u), and only a narrow window next to the root
    // needs the series.
    const auto band = hn::And(hn::Lt(u.hi, hn::Zero(d)), hn::Ge(u.hi, K(d, kExpFarTail)));
    const V<D> banded_factor =
        hn::Mul(hn::Add(hn::Add(K(d, 1.0), u.hi), hn::Add(u.lo, e.value)), r);
    V<D> general;
    if constexpr (kSiLU) {
      const V<D> factor = hn::IfThenElse(band, banded_factor, hn::MulAdd(u.hi, s_neg, K(d, 1.0)));
      general = hn::Mul(g, hn::Mul(scale, hn::Mul(s_part, factor)));
    } else {
      // g x may overflow where torch's does; the band never multiplies by x
      const V<D> autograd =
          hn::Mul(scale, hn::MulAdd(hn::Mul(g, x), hn::Mul(K(d, beta), hn::Mul(s_part, s_neg)),
                                    hn::Mul(g, s_part)));
      general = hn::IfThenElse(band, hn::Mul(hn::Mul(g, s_part), banded_factor), autograd);
    }
    return NearRoot(d, g, u.hi, u.lo, kSiluRootHi, kSiluRootLo, kSiluRootWindow, kSiluRootSeries,
                    general);
  });
}
template <class D>
HWY_INLINE V<D> SwishSecond(D d, V<D> x, double beta) {
  const V<D> bx = hn::Mul(x, K(d, beta));
  const auto s = Sigmoids(d, bx);
  const V<D> slope = hn::Mul(s.pos, s.neg);
  return hn::Mul(hn::Mul(K(d, beta), slope),
                 hn::Add(K(d, 2.0), hn::Mul(bx, hn::Sub(s.neg, s.pos))));
}

struct SiLUMath : Smooth {
  template <class D>
  static V<D> Forward(D d, V<D> x, SiLUParams) {
    return SwishForward(d, x, 1.0);
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, SiLUParams) {
    return SwishBackward<true>(d, g, x, 1.0);
  }
  template <class D>
  static V<D> Second(D d, V<D> x, SiLUParams) {
    return SwishSecond(d, x, 1.0);
  }
};

struct SwishMath : Smooth {
  template <class D>
  static V<D> Forward(D d, V<D> x, SwishParams p) {
    return SwishForward(d, x, p.beta);
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, SwishParams p) {
    return SwishBackward<false>(d, g, x, p.beta);
  }
  template <class D>
  static V<D> Second(D d, V<D> x, SwishParams p) {
    return SwishSecond(d, x, p.beta);
  }
};

struct MishMath : Smooth {
  template <class D>
  static V<D> Forward(D d, V<D> x, MishParams) {
    // tanh(log(1 + exp(x))) = e (2 + e) / (2 + 2e + e^2) with e = exp(x) below 0 (times x: split
    // on the far tail, see ExpNegAbs), (1 + 2e) / (1 + 2e + 2e^2) with e = exp(-x) above; one
    // division for both.
    return WithExpNegAbs(d, x, hn::Zero(d), [&](const SplitExp<D>& e) {
      const auto negative = hn::Lt(x, hn::Zero(d));
      const V<D> two_plus_e = hn::Add(K(d, 2.0), e.value);
      const V<D> one_plus_twice = hn::MulAdd(K(d, 2.0), e.value, K(d, 1.0));
      const V<D> numerator = hn::IfThenElse(negative, hn::Mul(e.part, two_plus_e), one_plus_twice);
      const V<D> denominator =
          hn::IfThenElse(negative, hn::MulAdd(e.value, two_plus_e, K(d, 2.0)),
                         hn::MulAdd(hn::Add(e.value, e.value), e.value, one_plus_twice));
      const V<D> factor = hn::Div(numerator, denominator);
      return hn::Mul(hn::IfThenElse(negative, hn::Mul(x, e.scale), x), factor);
    });
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, MishParams) {
    // tanh(sp) + x sigma(x) sech^2(sp), sp = softplus(x), as N / Q^2 with one exponential and
    // one division. Below 0, e = exp(x), n = e (2 + e), Q = 2 + n:
    // N = e ((2 + e) Q + 4x (1 + e)), whose factor e is split on the far tail (ExpNegAbs).
    // Above, e = exp(-x), Q = 1 + 2e + 2e^2: N = (1 + 2e) Q + 4x e^2 (1 + e), all terms
    // positive. The generated t Q(t) next to the zero of f', where the sum below 0 cancels.
    return WithExpNegAbs(d, x, hn::Zero(d), [&](const SplitExp<D>& e) {
      const auto negative = hn::Lt(x, hn::Zero(d));
      const V<D> two_plus_e = hn::Add(K(d, 2.0), e.value);
      const V<D> one_plus_e = hn::Add(K(d, 1.0), e.value);
      const V<D> one_plus_twice = hn::MulAdd(K(d, 2.0), e.value, K(d, 1.0));
      const V<D> q = hn::IfThenElse(negative, hn::MulAdd(e.value, two_plus_e, K(d, 2.0)),
                                    hn::MulAdd(hn::Add(e.value, e.value), e.value, one_plus_twice));
      // 4x overflows beyond 4.5e307 where its factor is 0 long before; +-inf keep torch's NaN
      // (inf * 0)
      const V<D> bounded =
          hn::IfThenElse(hn::IsFinite(x), hn::Min(hn::Max(x, K(d, -1e300)), K(d, 1e300)), x);
      const V<D> four_x = hn::Mul(K(d, 4.0), bounded);
      // Below 0, (2 + e) Q + 4x (1 + e) = 4 (1 + x) + e ((6 + 4x) + e (4 + e)), whose first
      // terms are exact next to the root (4x + 4 and 4x + 6 where x <= -1/2): the sum cancels
      // to f''s size with e's own ULP and one rounding of a product only.
      const V<D> sum = hn::MulAdd(
          e.value, hn::MulAdd(e.value, hn::Add(K(d, 4.0), e.value), hn::Add(K(d, 6.0), four_x)),
          hn::Add(four_x, K(d, 4.0)));
      const V<D> numerator = hn::IfThenElse(negative, hn::Mul(e.part, sum),
                                            hn::MulAdd(hn::Mul(four_x, hn::Mul(e.value, e.value)),
                                                       one_plus_e, hn::Mul(one_plus_twice, q)));
      const V<D> scale = hn::IfThenElse(negative, e.scale, K(d, 1.0));
      const V<D> derivative = hn::Mul(scale, hn::Div(numerator, hn::Mul(q, q)));
      return NearRoot(d, g, x, hn::Zero(d), kMishRootHi, kMishRootLo, kMishRootWindow,
                      kMishRootSeries, hn::Mul(g, derivative));
    });
  }
  template <class D>
  static V<D> Second(D d, V<D> x, MishParams) {
    const V<D> sp = Softplus1(d, x);
    const V<D> t = TableTanh(d, sp), sech2 = Sech2(d, sp);
    const auto s = Sigmoids(d, x);
    // d/dx [t + x s sech2] = 2 s sech2 + x sech2 (s(1-s) - 2 t s^2)
    const V<D> inner =
        hn::Sub(hn::Mul(s.pos, s.neg), hn::Mul(K(d, 2.0), hn::Mul(t, hn::Mul(s.pos, s.pos))));
    return hn::Add(hn::Mul(K(d, 2.0), hn::Mul(s.pos, sech2)), hn::Mul(x, hn::Mul(sech2, inner)));
  }
};

// relu(x)^2 (Primer): x * x above 0, else 0, so f'(0) = 0 as torch's relu(x) ** 2 gives; a NaN
// input gives NaN (kPropagateNaN) and +inf gives +inf. x * x is rounded once in either type, as
// torch's, so the kernel runs in the input type.
struct SquaredReLUMath : Smooth {
  static constexpr bool kNative = true;
  template <class D>
  static V<D> Forward(D d, V<D> x, SquaredReLUParams) {
    return hn::IfThenElseZero(hn::Gt(x, hn::Zero(d)), hn::Mul(x, x));
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, SquaredReLUParams) {
    // torch: g * (2 relu(x)), then relu's mask
    return hn::IfThenElseZero(hn::Gt(x, hn::Zero(d)), hn::Mul(g, hn::Add(x, x)));
  }
  template <class D>
  static V<D> Second(D d, V<D> x, SquaredReLUParams) {
    return hn::IfThenElseZero(hn::Gt(x, hn::Zero(d)), K(d, 2.0));
  }
};

// --- GELU ----------------------------------------------------------------------------------

// torch's tanh approximation 0.5 x (1 + tanh(k (x + c x^3))) = x sigma(w), w = 2k (x + c x^3):
// sigma does not cancel on the negative tail as 1 + tanh does. k is torch's double constant
// M_SQRT2 * M_2_SQRTPI * 0.5, so 2k is its double M_SQRT2 * M_2_SQRTPI.
inline constexpr double kGeluTanhScale = 1.4142135623730951 * 1.1283791670955126;
inline constexpr double kGeluTanhCubic = 0.044715;

// Double-word arithmetic on Pair (erf-inl.h).
template <class D>
HWY_INLINE Pair<D> TwoSum(V<D> a, V<D> b) {
  const V<D> s = hn::Add(a, b);
  const V<D> b_part = hn::Sub(s, a);
  return {s, hn::Add(hn::Sub(a, hn::Sub(s, b_part)), hn::Sub(b, b_part))};
}
// a * b (hi + lo) as a double word, a and b doubles.
template <class D>
HWY_INLINE Pair<D> MulPair(V<D> a, Pair<D> b) {
  const V<D> p = hn::Mul(a, b.hi);
  return {p, hn::MulAdd(a, b.lo, ProductError<D>(a, b.hi, p))};
}

// w = 2k x (1 + c x^2) to double-word precision: sigma(w) on the negative tail multiplies the
// absolute error of w into its relative error (|w| reaches 745). |x| is clamped to 30, where
// sigma(w) is 0 or 1 already.
template <class D>
HWY_INLINE Pair<D> GeluTanhArgument(D d, V<D> x) {
  x = hn::Min(hn::Max(x, K(d, -30.0)), K(d, 30.0));
  const V<D> x2 = hn::Mul(x, x);
  const Pair<D> cx2 = MulPair<D>(K(d, kGeluTanhCubic), {x2, ProductError<D>(x, x, x2)});
  const Pair<D> one_plus = TwoSum<D>(K(d, 1.0), cx2.hi);
  const Pair<D> q = {one_plus.hi, hn::Add(one_plus.lo, cx2.lo)};
  return MulPair<D>(K(d, kGeluTanhScale), MulPair<D>(x, q));
}

// sigma(w) and sigma(-w) for a double-word w: on the negative side (w <= 0) sigma(w) comes as
// value * 2^n, so that x sigma(w) is not rounded through a subnormal; elsewhere n = 0.
template <class D>
struct ScaledSigmoids {
  V<D> pos, neg, n;
};
template <class D>
HWY_INLINE ScaledSigmoids<D> SigmoidsOf(D d, Pair<D> w) {
  const auto negative = hn::Le(w.hi, hn::Zero(d));
  // exp(-|w|) = (1 + hi + lo) 2^n
  const ScaledExp<D> e =
      ExpDoubleWord(d, hn::Neg(hn::Abs(w.hi)), hn::IfThenElse(negative, w.lo, hn::Neg(w.lo)));
  const V<D> mantissa = Mantissa(d, e);
  const V<D> exp_value = ScaleByPow2(d, mantissa, e.n);
  const V<D> r = hn::Div(K(d, 1.0), hn::Add(K(d, 1.0), exp_value));
  const V<D> small = hn::Mul(mantissa, r);  // sigma(-|w|) / 2^n
  const V<D> small_final = hn::Mul(exp_value, r);
  return {hn::IfThenElse(negative, small, r), hn::IfThenElse(negative, r, small_final),
          hn::IfThenElseZero(negative, e.n)};
}

// Below x = -40 both forms of GELU and their derivatives are 0 (exp(-x^2 / 2) underflows near
// -38.6, sigma(w) near -24); the kernels clamp x there, and these lanes are set apart.
struct GELUMath : Smooth {
  static bool Tanh(GELUParams p) { return p.approximate == GeluApproximate::kTanh; }
  template <class D>
  static auto Vanishes(D d, V<D> x) {
    return hn::Lt(x, K(d, -40.0));
  }
  // w' = 2k (1 + 3c x^2)
  template <class D>
  static V<D> TanhArgumentSlope(D d, V<D> x) {
    const V<D> x2 = hn::Mul(x, x);
    return hn::Mul(K(d, kGeluTanhScale), hn::MulAdd(K(d, 3 * kGeluTanhCubic), x2, K(d, 1.0)));
  }

  template <class D>
  static V<D> Forward(D d, V<D> x, GELUParams p) {
    V<D> y;
    if (Tanh(p)) {
      const auto s = SigmoidsOf(d, GeluTanhArgument(d, x));
      y = ScaleByPow2(d, hn::Mul(x, s.pos), s.n);
    } else {
      const Normal<D> normal = NormalDistribution(d, x);
      y = ScaleByPow2(d, hn::Mul(x, normal.cdf), normal.n);
    }
    // -0.0 there, and -inf * 0 = NaN as torch
    return hn::IfThenElse(Vanishes(d, x), hn::Mul(x, hn::Zero(d)), y);
  }
  // Next to the zero r of f', where its two terms cancel, f' = t P(t), t = x - r (r = hi + lo,
  // x - hi exact); elsewhere unchanged.
  template <class D, std::size_t N>
  static V<D> NearRoot(D d, V<D> x, V<D> derivative, double root_hi, double root_lo, double radius,
                       const double (&series)[N]) {
    const V<D> offset = hn::Sub(x, K(d, root_hi));
    const auto near = hn::Lt(hn::Abs(offset), K(d, radius));
    if (hn::AllFalse(d, near)) return derivative;
    const V<D> t = hn::Sub(offset, K(d, root_lo));
    return hn::IfThenElse(near, hn::Mul(t, Horner(d, t, series)), derivative);
  }

  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, GELUParams p) {
    namespace c = erf_coefficients;
    V<D> derivative;
    if (Tanh(p)) {
      // sigma(w) (1 + x w' sigma(-w)); beyond |x| = 40 the second term is 0 (or 1 + 0)
      const V<D> xc = hn::Min(hn::Max(x, K(d, -40.0)), K(d, 40.0));
      const auto s = SigmoidsOf(d, GeluTanhArgument(d, xc));
      const V<D> slope_term = hn::Mul(xc, TanhArgumentSlope(d, xc));
#if HWY_NATIVE_FMA
      const V<D> factor = hn::MulAdd(slope_term, s.neg, K(d, 1.0));
#else  // the product's rounding error added back: what the fused multiply-add saves
      const V<D> product = hn::Mul(slope_term, s.neg);
      const V<D> factor =
          hn::Add(hn::Add(K(d, 1.0), product), ProductError<D>(slope_term, s.neg, product));
#endif
      derivative = ScaleByPow2(d, hn::Mul(s.pos, factor), s.n);
      derivative = NearRoot(d, x, derivative, c::kGeluTanhRootHi, c::kGeluTanhRootLo,
                            c::kGeluRootRadius, c::kGeluTanhRootSeries);
    } else {
      derivative = CdfPlusXPdf(d, x);
      derivative = NearRoot(d, x, derivative, c::kGeluRootHi, c::kGeluRootLo,
                            c::kGeluNoneRootRadius, c::kGeluRootSeries);
    }
    const V<D> grad = hn::Mul(g, hn::IfThenZeroElse(Vanishes(d, x), derivative));
    // torch's tanh-form backward is NaN where x^2 overflows (tanh' = 0 times an infinite w');
    // its 'none' form is NaN at +-inf only (x times phi(x) = 0).
    return NaNIfInf(d, Tanh(p) ? hn::Mul(x, x) : x, grad);
  }
  template <class D>
  static V<D> Second(D d, V<D> x, GELUParams p) {
    V<D> second;
    if (Tanh(p)) {
      // sigma(w) sigma(-w) (2 w' + x ((sigma(-w) - sigma(w)) w'^2 + w'')), w'' = 6 (2k) c x
      const V<D> xc = hn::Min(hn::Max(x, K(d, -40.0)), K(d, 40.0));
      const auto s = Sigmoids(d, GeluTanhArgument(d, xc).hi);
      const V<D> dw = TanhArgumentSlope(d, xc);
      const V<D> d2w = hn::Mul(K(d, 6 * kGeluTanhScale * kGeluTanhCubic), xc);
      const V<D> inner = hn::MulAdd(hn::Sub(s.neg, s.pos), hn::Mul(dw, dw), d2w);
      second = hn::Mul(hn::Mul(s.pos, s.neg), hn::MulAdd(xc, inner, hn::Mul(K(d, 2.0), dw)));
    } else {
      // phi(x) (2 - x^2)
      const Normal<D> normal = NormalDistribution(d, x);
      second = hn::Mul(ScaleByPow2(d, normal.pdf, normal.n), hn::NegMulAdd(x, x, K(d, 2.0)));
    }
    return hn::IfThenZeroElse(Vanishes(d, x), second);
  }
};

}  // namespace activ::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
