// Vectorized float64 erf, erfc and the standard normal distribution, on Highway vectors (Highway
// has no erf). Included once per SIMD target (no include guard, by Highway's design).
//
// Accuracy (tests/erf_kernel_test.cpp, against glibc's long double erfcl/erfl on a dense
// sample): erfc within 2 ULP relative over its whole range down to underflow (subnormal results
// within 1 subnormal step), erf within 1 ULP.
//
// Design: erf(z) = z P(z^2) below 0.5; above, erfc(a) = exp(-a^2) g(a) with g = erfcx fitted by
// pieces (tools/gen_erf_coefficients.py). exp(-a^2) varies by a factor 2a per unit of a^2, so a^2
// must not be rounded: a = hi + lo with hi of 26 bits, a^2 = hi^2 (exact) + lo (a + hi), and the
// exponential of that double-word argument is reduced by n ln 2 (ln 2 in two parts) keeping the
// remainder double-word. The result stays m * 2^n until the caller's last product, so GELU's
// x * Phi(x) does not go through a subnormal Phi.

#include <algorithm>
#include <iterator>
#include <type_traits>

#include "hwy/highway.h"
#include "kernels/erf_coefficients.h"
#include "kernels/float64_exp-inl.h"

HWY_BEFORE_NAMESPACE();
namespace activ::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

inline constexpr double kSqrt1_2 = 0.70710678118654752440084436210484903928;
inline constexpr double kInvSqrt2Pi = 0.39894228040143267793994605993438186848;
inline constexpr double kInvSqrt2PiLo = -2.49232720227773e-17;  // 1 / sqrt(2 pi) - kInvSqrt2Pi

// exp(z) = (1 + hi + lo) * 2^n, n integral, |hi| <= 0.35, |lo| <= 0.06.
template <class D>
struct ScaledExp {
  hn::Vec<D> hi, lo, n;
};

// exp(z_hi + z_lo) for z_hi <= 0 (below -760 the result is 0 anyway), |z_lo| <= 2^-10 |z_hi|:
// the remainder r = z - n ln 2 is kept double-word, so exp loses nothing to the rounding of z.
template <class D>
HWY_INLINE ScaledExp<D> ExpDoubleWord(D d, hn::Vec<D> z_hi, hn::Vec<D> z_lo) {
  namespace c = erf_coefficients;
  static_assert(sizeof(hn::TFromD<D>) == 8, "float64 only");
  z_hi = hn::Max(z_hi, hn::Set(d, -760.0));
  const auto n = hn::Round(hn::Mul(z_hi, hn::Set(d, 1.4426950408889634)));
  // z_hi - n kLn2Hi is exact (n kLn2Hi has at most 43 bits; Sterbenz).
  const auto head = hn::NegMulAdd(n, hn::Set(d, c::kLn2Hi), z_hi);
  const auto w = hn::NegMulAdd(n, hn::Set(d, c::kLn2Lo), z_lo);
  const auto r_hi = hn::Add(head, w);  // TwoSum(head, w)
  const auto w_part = hn::Sub(r_hi, head);
  const auto r_lo = hn::Add(hn::Sub(head, hn::Sub(r_hi, w_part)), hn::Sub(w, w_part));
  // exp(r) - 1 = r_hi + r_hi^2 P(r_hi) + r_lo (1 + r_hi)
  const auto tail = hn::MulAdd(hn::Mul(r_hi, r_hi), Horner(d, r_hi, c::kExpRemainder),
                               hn::MulAdd(r_lo, r_hi, r_lo));
  return {r_hi, tail, n};
}

// exp(z) / 2^n, rounded once.
template <class D>
HWY_INLINE hn::Vec<D> Mantissa(D d, const ScaledExp<D>& e) {
  return hn::Add(hn::Set(d, 1.0), hn::Add(e.hi, e.lo));
}

// A double-word value hi + lo, |lo| <= ulp(hi).
template <class D>
struct Pair {
  hn::Vec<D> hi, lo;
};

// The rounding error a * b - p of p = fl(a * b), exactly: one fused multiply-add where the
// target has FMA, else Dekker's product of Veltkamp halves (a MulSub without FMA rounds twice).
template <class D>
HWY_INLINE hn::Vec<D> ProductError(hn::Vec<D> a, hn::Vec<D> b, hn::Vec<D> p) {
#if HWY_NATIVE_FMA
  return hn::MulSub(a, b, p);
#else
  const D d;
  const hn::Vec<D> split = hn::Set(
      d, static_cast<hn::TFromD<D> >(std::is_same_v<hn::TFromD<D>, float> ? 4097.0 : 134217729.0));
  const auto halves = [&](hn::Vec<D> v) {
    const hn::Vec<D> t = hn::Mul(split, v);
    const hn::Vec<D> hi = hn::Sub(t, hn::Sub(t, v));
    return Pair<D>{hi, hn::Sub(v, hi)};
  };
  const Pair<D> x = halves(a), y = halves(b);
  const hn::Vec<D> e = hn::Add(hn::Sub(hn::Mul(x.hi, y.hi), p), hn::Mul(x.hi, y.lo));
  return hn::Add(hn::Add(e, hn::Mul(x.lo, y.hi)), hn::Mul(x.lo, y.lo));
#endif
}

// c_0 + c_1 t + ... + c_(count-1) t^(count-1) with the last step c_0 + t (...) taken
// double-word; coefficient(k) is c_k's vector.
template <class D, class Coefficient>
HWY_INLINE Pair<D> HornerPairOf(D, hn::Vec<D> t, std::size_t count, Coefficient coefficient) {
  hn::Vec<D> rest = coefficient(count - 1);
  for (std::size_t k = count - 1; k-- > 1;) rest = hn::MulAdd(rest, t, coefficient(k));
  const auto product = hn::Mul(t, rest);
  const auto product_error = ProductError<D>(t, rest, product);
  const auto head = coefficient(0);
  const auto sum = hn::Add(head, product);  // TwoSum(head, product)
  const auto product_part = hn::Sub(sum, head);
  const auto sum_error =
      hn::Add(hn::Sub(head, hn::Sub(sum, product_part)), hn::Sub(product, product_part));
  return {sum, hn::Add(sum_error, product_error)};
}
template <class D, std::size_t N>
HWY_INLINE Pair<D> HornerPair(D d, hn::Vec<D> t, const double (&c)[N]) {
  return HornerPairOf(d, t, N, [&](std::size_t k) { return hn::Set(d, c[k]); });
}

// (g_hi + g_lo) exp(z) / 2^n, rounded once.
template <class D>
HWY_INLINE hn::Vec<D> MulMantissa(Pair<D> g, const ScaledExp<D>& e) {
  const auto small = hn::MulAdd(g.hi, e.lo, hn::MulAdd(g.lo, hn::Add(e.hi, e.lo), g.lo));
  return hn::Add(g.hi, hn::MulAdd(g.hi, e.hi, small));
}

// exp(-s y^2) for 0 <= y, s = 1 or 1/2, with y^2 taken exactly: y = hi + lo, hi of 26 bits,
// y^2 = hi^2 (exact) + lo (y + hi).
template <class D>
HWY_INLINE ScaledExp<D> ExpNegSquare(D d, hn::Vec<D> y, double s) {
  const hn::RebindToUnsigned<D> du;
  y = hn::Min(y, hn::Set(d, 40.0));  // exp(-y^2 / 2) underflows above 39
  const auto y_hi = hn::And(y, hn::BitCast(d, hn::Set(du, 0xFFFFFFFFF8000000ull)));
  const auto y_lo = hn::Sub(y, y_hi);
  return ExpDoubleWord(d, hn::Mul(hn::Set(d, -s), hn::Mul(y_hi, y_hi)),
                       hn::Mul(hn::Set(d, -s), hn::Mul(y_lo, hn::Add(y, y_hi))));
}

// The pieces' centres and coefficients by column for AVX-512's Erfcx, one lane per slot
// round(a): piece k spans [k - 0.5, k + 0.5) but the first and the last, which slots 6 and 7
// (a >= 5.5) share.
inline constexpr std::size_t kPieceDegree = std::size(erf_coefficients::kPiece[0]) - 1;
struct PieceColumns {
  double centre[8];
  double coefficient[kPieceDegree + 1][8];
};
inline constexpr PieceColumns kPieceColumns = [] {
  namespace c = erf_coefficients;
  static_assert(c::kPieces <= 8 && c::kPieceLo[0] == 0.0);
  for (std::size_t piece = 1; piece < c::kPieces; ++piece) {
    if (c::kPieceLo[piece] != static_cast<double>(piece) - 0.5)
      throw "pieces must start at round(a)'s steps";
  }
  PieceColumns columns{};
  for (std::size_t slot = 0; slot < 8; ++slot) {
    const std::size_t piece = std::min(slot, c::kPieces - 1);
    columns.centre[slot] = c::kPieceCenter[piece];
    for (std::size_t k = 0; k <= kPieceDegree; ++k)
      columns.coefficient[k][slot] = c::kPiece[piece][k];
  }
  return columns;
}();

// erfcx(a) = exp(a^2) erfc(a) for 0 <= a (any a above 40 counts as 40), double-word.
template <class D>
HWY_INLINE Pair<D> Erfcx(D d, hn::Vec<D> a) {
  namespace c = erf_coefficients;
  a = hn::Min(a, hn::Set(d, 40.0));
  // Piece by piece; pieces absent from the vector are skipped.
  const auto in_tail = hn::Ge(a, hn::Set(d, c::kTailStart));
  Pair<D> g = {hn::Zero(d), hn::Zero(d)};
  if (!hn::AllFalse(d, in_tail)) {  // (a erfcx(a)) / a
    const Pair<D> h = HornerPair(d, hn::Div(hn::Set(d, 1.0), hn::Mul(a, a)), c::kTail);
    const auto quotient = hn::Div(h.hi, a);
    g = {quotient, hn::Div(hn::Add(hn::NegMulAdd(quotient, a, h.hi), h.lo), a)};
  }
#if HWY_TARGET <= HWY_AVX3
  if constexpr (hn::MaxLanes(d) == 8) {
    // One polynomial for the vector: each lane's piece's centre and coefficients by a
    // permutation, whose index is round(a) (its low 3 bits: the tail's lanes get any piece).
    const hn::RebindToSigned<D> di;
    const auto index = hn::BitCast(di, hn::Add(a, hn::Set(d, kRoundingShifter))).raw;
    const auto pick = [&](const double(&column)[8]) {
      return hn::Vec<D>{_mm512_permutexvar_pd(index, hn::LoadU(d, column).raw)};
    };
    const Pair<D> p =
        HornerPairOf(d, hn::Sub(a, pick(kPieceColumns.centre)), kPieceDegree + 1,
                     [&](std::size_t k) { return pick(kPieceColumns.coefficient[k]); });
    return {hn::IfThenElse(in_tail, g.hi, p.hi), hn::IfThenElse(in_tail, g.lo, p.lo)};
  }
#endif
  for (std::size_t piece = 0; piece < c::kPieces; ++piece) {
    const auto in_piece = hn::And(hn::Ge(a, hn::Set(d, c::kPieceLo[piece])),
                                  hn::Lt(a, hn::Set(d, c::kPieceHi[piece])));
    if (hn::AllFalse(d, in_piece)) continue;
    const Pair<D> p =
        HornerPair(d, hn::Sub(a, hn::Set(d, c::kPieceCenter[piece])), c::kPiece[piece]);
    g = {hn::IfThenElse(in_piece, p.hi, g.hi), hn::IfThenElse(in_piece, p.lo, g.lo)};
  }
  return g;
}

// erf(z) for |z| < 0.5: z (2/sqrt(pi) + z^2 P(z^2)) with 2/sqrt(pi) double-word, rounded once.
template <class D>
HWY_INLINE hn::Vec<D> ErfSmall(D d, hn::Vec<D> z) {
  namespace c = erf_coefficients;
  const auto s = hn::Mul(z, z);
  const auto rest = hn::MulAdd(s, Horner(d, s, c::kErfSmall), hn::Set(d, c::kTwoOverSqrtPiLo));
  return hn::MulAdd(z, hn::Set(d, c::kTwoOverSqrtPiHi), hn::Mul(z, rest));
}

// erfc(|x|) for |x| >= 0.5.
template <class D>
HWY_INLINE hn::Vec<D> ErfcOfAbs(D d, hn::Vec<D> x) {
  const auto a = hn::Abs(x);
  const ScaledExp<D> e = ExpNegSquare(d, a, 1.0);
  return ScaleByPow2(d, MulMantissa(Erfcx(d, a), e), e.n);
}

template <class D>
HWY_INLINE hn::Vec<D> Erfc(D d, hn::Vec<D> x) {
  const auto positive = ErfcOfAbs(d, x);
  const auto large =
      hn::IfThenElse(hn::Lt(x, hn::Zero(d)), hn::Sub(hn::Set(d, 2.0), positive), positive);
  const auto small = hn::Sub(hn::Set(d, 1.0), ErfSmall(d, x));
  const auto result = hn::IfThenElse(hn::Lt(hn::Abs(x), hn::Set(d, 0.5)), small, large);
  return hn::IfThenElse(hn::IsNaN(x), x, result);
}

template <class D>
HWY_INLINE hn::Vec<D> Erf(D d, hn::Vec<D> x) {
  const auto large = hn::CopySignToAbs(hn::Sub(hn::Set(d, 1.0), ErfcOfAbs(d, x)), x);
  const auto result = hn::IfThenElse(hn::Lt(hn::Abs(x), hn::Set(d, 0.5)), ErfSmall(d, x), large);
  return hn::IfThenElse(hn::IsNaN(x), x, result);
}

// The standard normal distribution at x: cdf Phi(x) = erfc(-x / sqrt(2)) / 2 and pdf phi(x).
// For x < 0 both are returned as value * 2^n, for the caller to scale once at its end (x Phi(x)
// is normal where Phi(x) is already subnormal); elsewhere n = 0.
template <class D>
struct Normal {
  hn::Vec<D> cdf, pdf, n;
};
// What both are computed from: exp(-x^2 / 2) = mantissa * 2^n and erfcx(|x| / sqrt(2)).
template <class D>
struct NormalTerms {
  ScaledExp<D> e;
  Pair<D> erfcx;
};
template <class D>
HWY_INLINE NormalTerms<D> NormalTermsOf(D d, hn::Vec<D> x) {
  const auto y = hn::Abs(x);
  const auto a = hn::Mul(y, hn::Set(d, kSqrt1_2));  // rounded: enters only erfcx
  return {ExpNegSquare(d, y, 0.5), Erfcx(d, a)};
}
template <class D>
HWY_INLINE Normal<D> NormalDistribution(D d, hn::Vec<D> x) {
  const NormalTerms<D> terms = NormalTermsOf(d, x);
  const ScaledExp<D>& e = terms.e;
  const auto pdf = hn::Mul(Mantissa(d, e), hn::Set(d, kInvSqrt2Pi));
  // Next to 0, Phi is about 1/2: erfc from erfcx needs no series of erf there.
  const auto half_erfc = hn::Mul(MulMantissa(terms.erfcx, e), hn::Set(d, 0.5));
  const auto scaled = hn::Lt(x, hn::Zero(d));
  const auto upper_cdf = hn::Sub(hn::Set(d, 1.0), ScaleByPow2(d, half_erfc, e.n));
  const auto cdf = hn::IfThenElse(scaled, half_erfc, upper_cdf);
  return {cdf, hn::IfThenElse(scaled, pdf, ScaleByPow2(d, pdf, e.n)),
          hn::IfThenElseZero(scaled, e.n)};
}

// Phi(x) + x phi(x) (GELU's derivative) = [x >= 0] + exp(-x^2 / 2) (x / sqrt(2 pi) +- erfcx(a) / 2)
// (+ below 0), the bracket double-word, so that next to its zero it cancels to its own size with
// the errors of erfcx and of a's rounding only; scaled by 2^n once.
template <class D>
HWY_INLINE hn::Vec<D> CdfPlusXPdf(D d, hn::Vec<D> x) {
  const NormalTerms<D> terms = NormalTermsOf(d, x);
  const auto negative = hn::Lt(x, hn::Zero(d));
  const auto half = hn::IfThenElse(negative, hn::Set(d, 0.5), hn::Set(d, -0.5));
  // Beyond |x| = 40 exp(-x^2 / 2) is 0; the bound keeps Dekker's product (no FMA) finite.
  x = hn::Min(hn::Max(x, hn::Set(d, -40.0)), hn::Set(d, 40.0));
  const auto product = hn::Mul(x, hn::Set(d, kInvSqrt2Pi));
  const auto sum = hn::MulAdd(terms.erfcx.hi, half, product);  // exact next to the zero
  const auto rest = hn::MulAdd(terms.erfcx.lo, half,
                               hn::MulAdd(x, hn::Set(d, kInvSqrt2PiLo),
                                          ProductError<D>(x, hn::Set(d, kInvSqrt2Pi), product)));
  const auto scaled = ScaleByPow2(d, MulMantissa(Pair<D>{sum, rest}, terms.e), terms.e.n);
  return hn::Add(hn::IfThenZeroElse(negative, hn::Set(d, 1.0)), scaled);
}

}  // namespace activ::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
