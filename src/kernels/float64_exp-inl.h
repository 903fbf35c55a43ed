// Vectorized float64 exp, expm1 and log1p on [0, 1] on Highway vectors, table-driven: about half
// the operations of Highway's Exp (a degree-12 polynomial on |r| <= ln(2) / 2) and no division
// where Highway's Log1p has one, within 1 ULP. Included once per SIMD target by erf-inl.h (no
// include guard, by Highway's design).
//
// x = k ln(2) / 16 + r, k = 16 m + j, |r| <= ln(2) / 32: exp(x) = 2^m 2^(j/16) exp(r), with
// 2^(j/16) = hi + lo from a 16-entry table and exp(r) - 1 = r + r^2 P(r) of degree 7. k is
// rounded by adding 1.5 * 2^52, which leaves it in the low bits of the sum's significand: the
// table index, without a conversion. AVX-512 looks the table up with one two-register
// permutation and scales by 2^m with vscalefpd (overflow, subnormals and underflow included).

#include "hwy/highway.h"
#include "kernels/erf_coefficients.h"

HWY_BEFORE_NAMESPACE();
namespace activ::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Polynomial c[0] + c[1] t + ... by Horner's rule.
template <class D, std::size_t N>
HWY_INLINE hn::Vec<D> Horner(D d, hn::Vec<D> t, const double (&c)[N]) {
  hn::Vec<D> sum = hn::Set(d, c[N - 1]);
  for (std::size_t k = N - 1; k-- > 0;) sum = hn::MulAdd(sum, t, hn::Set(d, c[k]));
  return sum;
}

// 1.5 * 2^52: v + kRoundingShifter rounds v (|v| < 2^51) to an integer held in the sum's low
// significand bits.
inline constexpr double kRoundingShifter = 6755399441055744.0;

// 2^n for an integral n in [-1022, 1023], built in the exponent field.
template <class D>
HWY_INLINE hn::Vec<D> Pow2(D d, hn::Vec<D> n) {
  const hn::RebindToSigned<D> di;
  const auto biased = hn::Add(hn::BitCast(di, hn::Add(n, hn::Set(d, kRoundingShifter))),
                              hn::Set(di, 1023 - 0x4338000000000000ll));
  return hn::BitCast(d, hn::ShiftLeft<52>(biased));
}

// v * 2^n for an integral n in [-2000, 2000]: vscalefpd on AVX-512; elsewhere two factors, each
// a normal power of two, so that only the final product rounds into the subnormals.
template <class D>
HWY_INLINE hn::Vec<D> ScaleByPow2(D d, hn::Vec<D> v, hn::Vec<D> n) {
#if HWY_TARGET <= HWY_AVX3
  if constexpr (hn::MaxLanes(d) == 8) return hn::Vec<D>{_mm512_scalef_pd(v.raw, n.raw)};
#endif
  const auto half = hn::Floor(hn::Mul(n, hn::Set(d, 0.5)));
  return hn::Mul(hn::Mul(v, Pow2(d, half)), Pow2(d, hn::Sub(n, half)));
}

// table[index & 15] per lane.
template <class D>
HWY_INLINE hn::Vec<D> Lookup16(D d, const double (&table)[16],
                               hn::Vec<hn::RebindToSigned<D>> index) {
#if HWY_TARGET <= HWY_AVX3
  if constexpr (hn::MaxLanes(d) == 8) {
    return hn::Vec<D>{
        _mm512_permutex2var_pd(hn::LoadU(d, table).raw, index.raw, hn::LoadU(d, table + 8).raw)};
  }
#endif
  const hn::RebindToSigned<D> di;
  return hn::GatherIndex(d, table, hn::And(index, hn::Set(di, 15)));
}

// exp(x) = (hi + tail) 2^m, hi = 2^(j/16) rounded, |tail| < 0.05 hi.
template <class D>
struct ReducedExp {
  hn::Vec<D> hi, tail, m;
};

// For x in [-1000, 1000] (callers clamp).
template <class D>
HWY_INLINE ReducedExp<D> ReduceExp(D d, hn::Vec<D> x) {
  namespace c = erf_coefficients;
  static_assert(sizeof(hn::TFromD<D>) == 8, "float64 only");
  const hn::RebindToSigned<D> di;
  const auto shifter = hn::Set(d, kRoundingShifter);
  const auto shifted = hn::MulAdd(x, hn::Set(d, 16 / 0.69314718055994530942), shifter);
  const auto k = hn::Sub(shifted, shifter);
  // k kLn2Hi / 16 is exact (32 + 15 bits) and x minus it too (Sterbenz).
  const auto r =
      hn::NegMulAdd(k, hn::Set(d, c::kLn2Lo / 16), hn::NegMulAdd(k, hn::Set(d, c::kLn2Hi / 16), x));
  const auto index = hn::BitCast(di, shifted);
  const auto hi = Lookup16(d, c::kExp2Hi, index);
  const auto lo = Lookup16(d, c::kExp2Lo, index);
  const auto expm1_r = hn::MulAdd(hn::Mul(r, r), Horner(d, r, c::kExpTableRemainder), r);
  return {hi, hn::MulAdd(hi, expm1_r, lo), hn::Floor(hn::Mul(k, hn::Set(d, 1.0 / 16)))};
}

// x clamped to [-760, 711], where exp(x) is 0 at the low end and inf at the high end, and 2^m
// tail stays finite (an infinite tail would make expm1 inf - inf).
template <class D>
HWY_INLINE ReducedExp<D> ReduceExpClamped(D d, hn::Vec<D> x) {
  return ReduceExp(d, hn::Min(hn::Max(x, hn::Set(d, -760.0)), hn::Set(d, 711.0)));
}

template <class D>
HWY_INLINE hn::Vec<D> ExpOf(D d, const ReducedExp<D>& e) {
  return ScaleByPow2(d, hn::Add(e.hi, e.tail), e.m);
}

// exp(x) - 1 without cancellation: 2^m hi - 1 is exact wherever the result is below 1 in
// magnitude (Sterbenz), and the small rest 2^m tail is added to it.
template <class D>
HWY_INLINE hn::Vec<D> Expm1Of(D d, const ReducedExp<D>& e) {
  return hn::Add(hn::Sub(ScaleByPow2(d, e.hi, e.m), hn::Set(d, 1.0)), ScaleByPow2(d, e.tail, e.m));
}

// exp(x) for every x but NaN (callers that see NaN mask it): 0 below -745.2, inf above 709.8.
template <class D>
HWY_INLINE hn::Vec<D> TableExp(D d, hn::Vec<D> x) {
  return ExpOf(d, ReduceExpClamped(d, x));
}

// exp(x) - 1 for every x but NaN.
template <class D>
HWY_INLINE hn::Vec<D> TableExpm1(D d, hn::Vec<D> x) {
  return Expm1Of(d, ReduceExpClamped(d, x));
}

// log(1 + e) for e in [0, 1] (exp(-|x|) in softplus and logsigmoid), or NaN: with j = round(15 e)
// and c_j ~ 1 / (1 + j / 15) from a table, r = (1 + e) c_j - 1 = e c_j + (c_j - 1) is one FMA
// (c_j - 1 is exact) with |r| <= 1/30, and log(1 + e) = -log(c_j) + log(1 + r), -log(c_j) = hi +
// lo from two more tables and log(1 + r) = r + r^2 P(r) of degree 7. For j = 0, r = e: full
// relative precision down to the subnormals.
template <class D>
HWY_INLINE hn::Vec<D> Log1pOfUnit(D d, hn::Vec<D> e) {
  namespace c = erf_coefficients;
  static_assert(sizeof(hn::TFromD<D>) == 8, "float64 only");
  const hn::RebindToSigned<D> di;
  const auto index = hn::BitCast(di, hn::MulAdd(e, hn::Set(d, 15.0), hn::Set(d, kRoundingShifter)));
  const auto reciprocal = Lookup16(d, c::kLog1pReciprocal, index);
  const auto r = hn::MulAdd(e, reciprocal, hn::Sub(reciprocal, hn::Set(d, 1.0)));
  const auto log_lo = Lookup16(d, c::kLog1pLogLo, index);
  const auto tail = hn::MulAdd(hn::Mul(r, r), Horner(d, r, c::kLog1pRemainder), log_lo);
  return hn::Add(Lookup16(d, c::kLog1pLogHi, index), hn::Add(r, tail));
}

}  // namespace activ::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
