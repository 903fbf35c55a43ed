// float32 building blocks of the native float32 kernels (8 lanes on AVX2 rather than 4 widened
// to float64): exp as (1 + q) 2^n, expm1, log1p on [0, 1], tanh and the logistic pair. Included
// once per SIMD target (no include guard, by Highway's design).
//
// Each block is within about 1 ULP (relative) so that the activations built from two or three
// of them stay within the catalogue's bounds (forward 4 ULP, backward 8 ULP), measured by
// tests/activation_accuracy_test. Results that may fall below the smallest normal number are
// returned as mantissa and exponent, and the caller scales last: a product such as
// x * sigmoid(x) must not be rounded through a subnormal factor.

#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace activ::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class D>
HWY_INLINE hn::Vec<D> F(D d, float value) {
  return hn::Set(d, value);
}

// 2^n for integral n in [-127, 127] (-127 gives 0).
template <class D>
HWY_INLINE hn::Vec<D> Pow2F32(D d, hn::Vec<D> n) {
  const hn::RebindToSigned<D> di;
  return hn::BitCast(d, hn::ShiftLeft<23>(hn::Add(hn::ConvertTo(di, n), hn::Set(di, 127))));
}

// AVX-512's vscalefps: v * 2^n in one instruction, rounded once over the whole range
// (subnormal results included).
template <class D>
inline constexpr bool kHasScalef = HWY_TARGET <= HWY_AVX3&& hn::MaxLanes(D()) == 16;

template <class D>
HWY_INLINE hn::Vec<D> ScalefF32(D d, hn::Vec<D> v, hn::Vec<D> n) {
#if HWY_TARGET <= HWY_AVX3
  if constexpr (kHasScalef<D>) return hn::Vec<D>{_mm512_scalef_ps(v.raw, n.raw)};
#endif
  (void)n;
  return v;  // unreachable: callers test kHasScalef
}

// v * 2^n for integral n in [-218, 218], rounded once: in two steps (each power of two normal)
// in the lanes whose |n| is above 126, which is rare enough to branch on.
template <class D>
HWY_INLINE hn::Vec<D> ScaleF32(D d, hn::Vec<D> v, hn::Vec<D> n) {
  if constexpr (kHasScalef<D>) return ScalefF32(d, v, n);
  const auto beyond = hn::Gt(hn::Abs(n), F(d, 126.0f));
  const hn::Vec<D> once = hn::Mul(v, Pow2F32(d, hn::IfThenZeroElse(beyond, n)));
  if (HWY_LIKELY(hn::AllFalse(d, beyond))) return once;
  const hn::Vec<D> half = hn::Round(hn::Mul(n, F(d, 0.5f)));
  return hn::IfThenElse(beyond, hn::Mul(hn::Mul(v, Pow2F32(d, half)), Pow2F32(d, hn::Sub(n, half))),
                        once);
}

// 1 / w for positive normal w: on AVX-512, vrcp14ps (14 bits) and a Newton step (28 bits),
// within 0.51 ULP at several times the throughput of a division; a division elsewhere (vrcpps'
// 12 bits would need two steps).
template <class D>
HWY_INLINE hn::Vec<D> ReciprocalF32(D d, hn::Vec<D> w) {
  if constexpr (kHasScalef<D>) {
    const hn::Vec<D> r = hn::ApproximateReciprocal(w);
    return hn::MulAdd(r, hn::NegMulAdd(w, r, F(d, 1.0f)), r);
  }
  return hn::Div(F(d, 1.0f), w);
}

// a / b for finite a and positive normal b: a times the reciprocal, corrected by its residual
// (exact through the fused multiply-add), within a hair of the division's 0.5 ULP.
template <class D>
HWY_INLINE hn::Vec<D> DivF32(D d, hn::Vec<D> a, hn::Vec<D> b) {
  if constexpr (kHasScalef<D>) {
    const hn::Vec<D> r = ReciprocalF32(d, b);
    const hn::Vec<D> q = hn::Mul(a, r);
    return hn::MulAdd(hn::NegMulAdd(b, q, a), r, q);
  }
  return hn::Div(a, b);
}

// exp(x) = (1 + q) 2^n with n integral and |q| < 0.42.
template <class D>
struct ExpParts {
  hn::Vec<D> q, n;
};

// exp(x), x clamped to [-150, 150], beyond which every caller's result is 0 or infinite anyway.
template <class D>
HWY_INLINE ExpParts<D> ExpF32(D d, hn::Vec<D> x) {
  x = hn::Min(hn::Max(x, F(d, -150.0f)), F(d, 150.0f));
  const hn::Vec<D> n = hn::Round(hn::Mul(x, F(d, 1.44269504088896341f)));
  // Cody-Waite: ln 2 = 0.693359375 - 2.12194440e-4 (more bits below); n * 0.693359375 has at
  // most 17 bits and x - n * 0.693359375 is exact (Sterbenz).
  const hn::Vec<D> r =
      hn::NegMulAdd(n, F(d, -2.12194440e-4f), hn::NegMulAdd(n, F(d, 0.693359375f), x));
  // expm1(r) = r + r^2 P(r) on |r| <= ln 2 / 2 (Cephes' minimax P, 1 ULP)
  hn::Vec<D> p = F(d, 1.9875691500e-4f);
  p = hn::MulAdd(p, r, F(d, 1.3981999507e-3f));
  p = hn::MulAdd(p, r, F(d, 8.3334519073e-3f));
  p = hn::MulAdd(p, r, F(d, 4.1665795894e-2f));
  p = hn::MulAdd(p, r, F(d, 1.6666665459e-1f));
  p = hn::MulAdd(p, r, F(d, 5.0000001201e-1f));
  return {hn::MulAdd(hn::Mul(r, r), p, r), n};
}
// exp(hi + lo) for |lo| <= 2^-20 |hi| (lo: a rounding error of the caller's argument).
template <class D>
HWY_INLINE ExpParts<D> ExpF32(D d, hn::Vec<D> hi, hn::Vec<D> lo) {
  const ExpParts<D> e = ExpF32(d, hi);
  return {hn::MulAdd(lo, hn::Add(F(d, 1.0f), e.q), e.q), e.n};  // exp(r + lo) - 1 = q + lo (1 + q)
}

// exp(x) where results below 2^-126 need no relative accuracy (they only enter 1 + exp(x)).
template <class D>
HWY_INLINE hn::Vec<D> ExpValueF32(D d, const ExpParts<D>& e) {
  if constexpr (kHasScalef<D>) return ScalefF32(d, hn::Add(F(d, 1.0f), e.q), e.n);
  return hn::Mul(hn::Add(F(d, 1.0f), e.q), Pow2F32(d, hn::Max(e.n, F(d, -126.0f))));
}

// expm1(x) for x <= 88 (-0.0 gives +0.0): 2^n (1 + q) - 1 = 2^n q + (2^n - 1), where 2^n - 1 is
// exact and the sum cancels at most a factor 2 (n = -1).
template <class D>
HWY_INLINE hn::Vec<D> Expm1F32(D d, hn::Vec<D> x) {
  const ExpParts<D> e = ExpF32(d, hn::Min(x, F(d, 88.0f)));
  const hn::Vec<D> p2 = Pow2F32(d, hn::Max(e.n, F(d, -127.0f)));
  return hn::Add(hn::MulAdd(p2, e.q, hn::Sub(p2, F(d, 1.0f))), hn::Zero(d));
}

// log1p(t) for t in [0, 1]: 2 atanh(s), s = t / (2 + t) carried as s + s_lo (the rounding of
// 2 + t and of the quotient both recovered), so only the series' last roundings remain.
template <class D>
HWY_INLINE hn::Vec<D> Log1pF32(D d, hn::Vec<D> t) {
  const hn::Vec<D> w = hn::Add(F(d, 2.0f), t);
  const hn::Vec<D> w_lo = hn::Add(hn::Sub(F(d, 2.0f), w), t);  // 2 + t = w + w_lo exactly
  const hn::Vec<D> reciprocal = ReciprocalF32(d, w);
  const hn::Vec<D> s = hn::Mul(t, reciprocal);
  const hn::Vec<D> s_lo = hn::Mul(hn::NegMulAdd(s, w_lo, hn::NegMulAdd(s, w, t)), reciprocal);
  // atanh(s) = s + s^3 (1/3 + s^2/5 + ...), s <= 1/3: seven terms leave 1e-9 relative
  const hn::Vec<D> s2 = hn::Mul(s, s);
  hn::Vec<D> series = F(d, 1.0f / 15);
  for (const float c : {1.0f / 13, 1.0f / 11, 1.0f / 9, 1.0f / 7, 1.0f / 5, 1.0f / 3}) {
    series = hn::MulAdd(series, s2, F(d, c));
  }
  const hn::Vec<D> atanh = hn::Add(s, hn::MulAdd(hn::Mul(s, s2), series, s_lo));
  return hn::Add(atanh, atanh);
}

// sigma(|u|) and sigma(-|u|) = small 2^n for u = hi + lo.
template <class D>
struct LogisticF32 {
  hn::Vec<D> large, small, n;
};
template <class D>
HWY_INLINE LogisticF32<D> LogisticsF32(D d, const ExpParts<D>& e) {
  const hn::Vec<D> r = ReciprocalF32(d, hn::Add(F(d, 1.0f), ExpValueF32(d, e)));
  return {r, hn::Mul(hn::Add(F(d, 1.0f), e.q), r), e.n};
}
template <class D>
HWY_INLINE LogisticF32<D> LogisticsF32(D d, hn::Vec<D> hi, hn::Vec<D> lo) {
  // exp(-|u|) = exp(-|hi| - sign(hi) lo)
  const hn::Vec<D> lo_toward = hn::IfThenElse(hn::Lt(hi, hn::Zero(d)), lo, hn::Neg(lo));
  return LogisticsF32(d, ExpF32(d, hn::Neg(hn::Abs(hi)), lo_toward));
}
template <class D>
HWY_INLINE LogisticF32<D> LogisticsF32(D d, hn::Vec<D> x) {
  return LogisticsF32(d, ExpF32(d, hn::Neg(hn::Abs(x))));
}

// sech^2(x) = 4e / (1 + e)^2, e = exp(-2|x|), without cancellation and scaled last.
template <class D>
HWY_INLINE hn::Vec<D> Sech2F32(D d, hn::Vec<D> x) {
  const ExpParts<D> e = ExpF32(d, hn::Mul(F(d, -2.0f), hn::Abs(x)));
  const hn::Vec<D> r = ReciprocalF32(d, hn::Add(F(d, 1.0f), ExpValueF32(d, e)));
  return ScaleF32(d, hn::Mul(hn::Mul(F(d, 4.0f), hn::Add(F(d, 1.0f), e.q)), hn::Mul(r, r)), e.n);
}

// beta * x = hi + lo to float32 double-word precision: rounding beta x first would move
// exp(beta x) by |beta x| times the rounding, up to 100 ULP on the tails.
template <class D>
struct ProductF32 {
  hn::Vec<D> hi, lo;
};
template <class D>
HWY_INLINE ProductF32<D> ExactProductF32(D d, hn::Vec<D> x, double beta) {
  if (beta == 1) return {x, hn::Zero(d)};
  const float beta_hi = static_cast<float>(beta);
  const float beta_lo = static_cast<float>(beta - beta_hi);
  const hn::Vec<D> hi = hn::Mul(x, F(d, beta_hi));
  const hn::Vec<D> lo = hn::MulAdd(x, F(d, beta_lo), hn::MulSub(x, F(d, beta_hi), hi));
  // lo is NaN where hi is infinite and meaningless where exp is 0 or saturated
  return {hi, hn::IfThenZeroElse(hn::Gt(hn::Abs(hi), F(d, 150.0f)), lo)};
}

}  // namespace activ::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
