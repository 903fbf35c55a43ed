// Native float32 kernels of the smooth activations (float32_math-inl.h's blocks, 8 lanes on
// AVX2): the same stable formulas as activation_math-inl.h's float64 ones, with the tails that
// fall below the smallest normal number scaled last. Float32Kernel<Math>::type names the float32
// kernel of an activation (Forward, Backward), void where float32 is still computed in float64.
// Included once per SIMD target after activation_math-inl.h (no include guard, by Highway's
// design).

#include "hwy/highway.h"
#include "kernels/float32_math-inl.h"
#include "kernels/float32_polynomials.h"

HWY_BEFORE_NAMESPACE();
namespace activ::kernels::HWY_NAMESPACE {

template <class Math>
struct Float32Kernel {
  using type = void;
};

// Next to the zero r = root_hi + root_lo of f', where the general formula cancels: t Q(t),
// t = x - r (exact in the window), Q the generated float64 fit. The lanes outside keep `general`.
template <class D, std::size_t kCount>
HWY_INLINE V<D> NearRootF32(D d, V<D> hi, V<D> lo, V<D> general, double root_hi, double root_lo,
                            double window, const double (&coefficients)[kCount]) {
  const float root = static_cast<float>(root_hi);
  const float root_rest = static_cast<float>((root_hi - root) + root_lo);
  const V<D> offset = hn::Sub(hi, F(d, root));
  const auto inside = hn::Lt(hn::Abs(offset), F(d, static_cast<float>(window)));
  if (hn::AllFalse(d, inside)) return general;
  const V<D> t = hn::Add(offset, hn::Sub(lo, F(d, root_rest)));
  return hn::IfThenElse(inside, hn::Mul(t, Polynomial(d, t, coefficients)), general);
}

// table[i] in each lane of a 16-entry table, i the low 4 bits of the lane's index: a
// permutation of the table's vector where it has 16 lanes, two and a blend where 8, a gather
// elsewhere.
template <class D>
HWY_INLINE V<D> Lookup16(D d, const float* table, hn::Vec<hn::RebindToSigned<D>> index) {
  constexpr std::size_t kLanes = hn::MaxLanes(D());
  const hn::RebindToSigned<D> di;
#if HWY_TARGET <= HWY_AVX3
  if constexpr (kLanes == 16)
    return V<D>{_mm512_permutexvar_ps(index.raw, hn::LoadU(d, table).raw)};
#endif
  if constexpr (kLanes == 8) {
    const auto within = hn::IndicesFromVec(d, hn::And(index, hn::Set(di, 7)));
    return hn::IfThenElse(hn::RebindMask(d, hn::TestBit(index, hn::Set(di, 8))),
                          hn::TableLookupLanes(hn::LoadU(d, table + 8), within),
                          hn::TableLookupLanes(hn::LoadU(d, table), within));
  } else {
    return hn::GatherIndex(d, table, hn::And(index, hn::Set(di, 15)));
  }
}
template <class D>
HWY_INLINE V<D> Lookup(D d, const float (&table)[16], hn::Vec<hn::RebindToSigned<D>> index) {
  return Lookup16(d, table, index);
}

// The same for a 32-entry table (the low 5 bits): AVX-512's two-table permutation (one
// instruction), two 16-entry lookups and a blend elsewhere.
template <class D>
HWY_INLINE V<D> Lookup(D d, const float (&table)[32], hn::Vec<hn::RebindToSigned<D>> index) {
  constexpr std::size_t kLanes = hn::MaxLanes(D());
  const hn::RebindToSigned<D> di;
#if HWY_TARGET <= HWY_AVX3
  if constexpr (kLanes == 16) {
    return V<D>{
        _mm512_permutex2var_ps(hn::LoadU(d, table).raw, index.raw, hn::LoadU(d, table + 16).raw)};
  }
#endif
  if constexpr (kLanes == 8) {
    return hn::IfThenElse(hn::RebindMask(d, hn::TestBit(index, hn::Set(di, 16))),
                          Lookup16(d, table + 16, index), Lookup16(d, table, index));
  } else {
    return hn::GatherIndex(d, table, hn::And(index, hn::Set(di, 31)));
  }
}

// The interval round(v) for v in [0, 2^22), in the low bits of an integer lane: v + 2^23 rounds
// to an integer in the last bits of the significand (one operation where a conversion takes
// five).
template <class D>
HWY_INLINE hn::Vec<hn::RebindToSigned<D>> TableIndex(D d, V<D> v, float scale) {
  return hn::BitCast(hn::RebindToSigned<D>(), hn::MulAdd(v, F(d, scale), F(d, 8388608.0f)));
}

// A piecewise polynomial of float32_polynomials.h at y: P_i(y - c_i), i from TableIndex.
template <class D, std::size_t kTerms, std::size_t kEntries>
HWY_INLINE V<D> TablePolynomial(D d, V<D> y, hn::Vec<hn::RebindToSigned<D>> index,
                                const float (&centre)[kEntries],
                                const float (&table)[kTerms][kEntries]) {
  const V<D> t = hn::Sub(y, Lookup(d, centre, index));
  V<D> p = Lookup(d, table[kTerms - 1], index);
  for (std::size_t k = kTerms - 1; k-- > 0;) p = hn::MulAdd(p, t, Lookup(d, table[k], index));
  return p;
}

// The GELU tables' interval of y in [0, kGeluTableReach]: intervals uniform in y (y + offset).
template <class D>
HWY_INLINE hn::Vec<hn::RebindToSigned<D>> GeluTableIndex(D d, V<D> y) {
  return TableIndex(d, hn::Mul(y, hn::Add(y, F(d, kGeluTableOffset))), GeluTables::kScale);
}

// The logistic tables (sigma(-y), log1p(exp(-y))) at y = min(|x|, kLogisticTableReach), where
// the caller has no lane below -kLogisticTableReach (or above, for functions of -x): beyond it
// the values need exp's range.
template <class D>
HWY_INLINE V<D> LogisticTable(D d, V<D> x, const float (&table)[8][16]) {
  const V<D> y = hn::Min(hn::Abs(x), F(d, kLogisticTableReach));
  return TablePolynomial(d, y, TableIndex(d, y, kLogisticTableScale), kLogisticCentre, table);
}
template <class D>
HWY_INLINE auto BeyondLogisticReach(D d, V<D> x) {
  return hn::Lt(x, F(d, -kLogisticTableReach));
}

// sigma(x) and sigma(-x) from the logistic table, for |x| <= kLogisticTableReach.
template <class D>
struct LogisticPair {
  V<D> positive, negative;
};
template <class D>
HWY_INLINE LogisticPair<D> LogisticPairTable(D d, V<D> x) {
  const V<D> s = LogisticTable(d, x, kLogisticTable);  // sigma(-|x|)
  const V<D> rest = hn::Sub(F(d, 1.0f), s);
  const auto negative = hn::Lt(x, hn::Zero(d));
  return {hn::IfThenElse(negative, s, rest), hn::IfThenElse(negative, rest, s)};
}
template <class D>
HWY_INLINE auto BeyondLogisticReachEitherSide(D d, V<D> x) {
  return hn::Gt(hn::Abs(x), F(d, kLogisticTableReach));
}

// The table's value in each lane but those `beyond` its reach, which take general()'s, computed
// only when some lane needs it: a lane's result never depends on its neighbours.
template <class D, class Table, class General>
HWY_INLINE V<D> TableOrGeneral(D d, hn::Mask<D> beyond, Table table, General general) {
  const V<D> fast = table();
  if (HWY_LIKELY(hn::AllFalse(d, beyond))) return fast;
  return hn::IfThenElse(beyond, general(), fast);
}

// sigma(x): from the logistic table where every lane is >= -kLogisticTableReach (nearly always),
// else from exp.
struct SigmoidF32 {
  template <class D>
  static V<D> Forward(D d, V<D> x, SigmoidParams) {
    return TableOrGeneral(
        d, BeyondLogisticReach(d, x),
        [&] {
          const V<D> s = LogisticTable(d, x, kLogisticTable);  // sigma(-|x|)
          return hn::IfThenElse(hn::Lt(x, hn::Zero(d)), s, hn::Sub(F(d, 1.0f), s));
        },
        [&] {
          const auto s = LogisticsF32(d, x);
          return hn::IfThenElse(hn::Lt(x, hn::Zero(d)), ScaleF32(d, s.small, s.n), s.large);
        });
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, SigmoidParams) {
    // sigma(x) sigma(-x) is tiny on both sides beyond the reach
    return TableOrGeneral(
        d, BeyondLogisticReachEitherSide(d, x),
        [&] {
          const V<D> s = LogisticTable(d, x, kLogisticTable);
          return hn::Mul(g, hn::Mul(s, hn::Sub(F(d, 1.0f), s)));
        },
        [&] {
          const auto s = LogisticsF32(d, x);
          return hn::Mul(g, ScaleF32(d, hn::Mul(s.large, s.small), s.n));
        });
  }
};
template <>
struct Float32Kernel<SigmoidMath> {
  using type = SigmoidF32;
};

struct LogSigmoidF32 {
  template <class D>
  static V<D> Forward(D d, V<D> x, LogSigmoidParams) {
    // min(x, 0) - log1p(exp(-|x|)): from the table unless a lane is above the reach, where the
    // result is a tiny -exp(-x)
    return TableOrGeneral(
        d, BeyondLogisticReach(d, hn::Neg(x)),
        [&] { return hn::Sub(hn::Min(x, hn::Zero(d)), LogisticTable(d, x, kLog1pExpTable)); },
        [&] {
          const ExpParts<D> e = ExpF32(d, hn::Neg(hn::Abs(x)));
          const V<D> log_part = Log1pF32(d, ScaleF32(d, hn::Add(F(d, 1.0f), e.q), e.n));
          // +0.0 where log_part underflows, as torch
          return hn::Sub(hn::Min(x, hn::Zero(d)), log_part);
        });
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, LogSigmoidParams) {
    // g sigma(-x), from the table unless a lane is above its reach (below it, 1 - sigma(-18)
    // rounds to 1 as sigma(-x) does)
    return TableOrGeneral(
        d, BeyondLogisticReach(d, hn::Neg(x)),
        [&] { return hn::Mul(g, LogisticPairTable(d, x).negative); },
        [&] {
          const auto s = LogisticsF32(d, x);
          return hn::Mul(
              g, hn::IfThenElse(hn::Lt(x, hn::Zero(d)), s.large, ScaleF32(d, s.small, s.n)));
        });
  }
};
template <>
struct Float32Kernel<LogSigmoidMath> {
  using type = LogSigmoidF32;
};

// tanh(x) from the tanh table (relative accuracy down to 0), the sign copied back; 1 beyond the
// reach, where tanh rounds to 1.
template <class D>
HWY_INLINE V<D> TanhTableF32(D d, V<D> x) {
  const V<D> y = hn::Min(hn::Abs(x), F(d, kTanhTableReach));
  const V<D> t = TablePolynomial(d, y, TableIndex(d, y, kTanhTableScale), kTanhCentre, kTanhTable);
  return hn::CopySign(hn::IfThenElse(hn::Ge(y, F(d, kTanhTableReach)), F(d, 1.0f), t), x);
}

struct TanhF32Kernel {
  template <class D>
  static V<D> Forward(D d, V<D> x, TanhParams) {
    return TanhTableF32(d, x);
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, TanhParams) {
    // sech^2(x) = 4 sigma(2|x|) sigma(-2|x|), from the logistic table where 2|x| is within its
    // reach (no cancellation: both factors are at least 1/2 or the smaller one's own value)
    const V<D> twice = hn::Add(x, x);
    return TableOrGeneral(
        d, BeyondLogisticReachEitherSide(d, twice),
        [&] {
          const V<D> s = LogisticTable(d, twice, kLogisticTable);
          return hn::Mul(g, hn::Mul(F(d, 4.0f), hn::Mul(s, hn::Sub(F(d, 1.0f), s))));
        },
        [&] { return hn::Mul(g, Sech2F32(d, x)); });
  }
};
template <>
struct Float32Kernel<TanhMath> {
  using type = TanhF32Kernel;
};

// y^3 P_i(y - c_i), y = |x|, from the table of (y - tanh(y)) / y^3 (no cancellation near 0),
// the sign copied back; y - 1 beyond the tanh table's reach, where tanh rounds to 1.
struct TanhshrinkF32 {
  template <class D>
  static V<D> Forward(D d, V<D> x, TanhshrinkParams) {
    const V<D> magnitude = hn::Abs(x);
    const V<D> y = hn::Min(magnitude, F(d, kTanhTableReach));
    const V<D> quotient =
        TablePolynomial(d, y, TableIndex(d, y, kTanhTableScale), kTanhCentre, kTanhshrinkTable);
    // y^3 rounded once: y (y^2 + the rounding of y^2)
    const V<D> square = hn::Mul(y, y);
    const V<D> cube = hn::MulAdd(y, square, hn::Mul(y, hn::MulSub(y, y, square)));
    const V<D> value = hn::IfThenElse(hn::Ge(magnitude, F(d, kTanhTableReach)),
                                      hn::Sub(magnitude, F(d, 1.0f)), hn::Mul(cube, quotient));
    // +0.0 at x = -0.0, as torch's x - tanh(x)
    return hn::Add(hn::CopySignToAbs(value, x), hn::Zero(d));
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, TanhshrinkParams) {
    const V<D> t = TanhTableF32(d, x);
    return hn::Add(hn::Mul(g, hn::Mul(t, t)), hn::Zero(d));
  }
};
template <>
struct Float32Kernel<TanhshrinkMath> {
  using type = TanhshrinkF32;
};

// x / (1 + |x|) and 1 / (1 + |x|)^2 are as accurate in float32 as in float64.
template <>
struct Float32Kernel<SoftsignMath> {
  using type = SoftsignMath;
};

// torch's ELU kernel x <= 0 ? coef * expm1(x * input_scale) : x * scale; input_scale < 0 (CELU
// with alpha < 0) takes the exponentials at positive arguments, overflowing above 88.72.
// Otherwise expm1(a) = -(1 - exp(-|a|)) from its table (clamped at the reach, where it rounds to
// -1).
template <class D>
HWY_INLINE V<D> EluValueF32(D d, V<D> x, double coef, double input_scale, double scale) {
  const V<D> a = hn::Mul(x, F(d, static_cast<float>(input_scale)));
  if (input_scale > 0) {
    const V<D> y = hn::Min(hn::Abs(a), F(d, kLogisticTableReach));
    const V<D> complement = TablePolynomial(d, y, TableIndex(d, y, kLogisticTableScale),
                                            kLogisticCentre, kNegativeExpm1Table);
    // expm1 as 0 - complement: +0.0 at x = -0.0, as torch's exp(x) - 1, before the product
    const V<D> expm1 = hn::Sub(hn::Zero(d), complement);
    return hn::IfThenElse(hn::Le(x, hn::Zero(d)), hn::Mul(expm1, F(d, static_cast<float>(coef))),
                          hn::Mul(x, F(d, static_cast<float>(scale))));
  }
  V<D> negative = hn::Mul(Expm1F32(d, a), F(d, static_cast<float>(coef)));
  if (input_scale < 0) {
    // coef expm1(a) = coef exp(a) - coef, exp(a) scaled after the product (it may overflow alone)
    const ExpParts<D> e = ExpF32(d, a);
    const V<D> large =
        ScaleF32(d, hn::Mul(hn::Add(F(d, 1.0f), e.q), F(d, static_cast<float>(coef))), e.n);
    negative = hn::IfThenElse(hn::Gt(a, F(d, 60.0f)),
                              hn::Sub(large, F(d, static_cast<float>(coef))), negative);
  }
  return hn::IfThenElse(hn::Le(x, hn::Zero(d)), negative,
                        hn::Mul(x, F(d, static_cast<float>(scale))));
}
template <class D>
HWY_INLINE V<D> EluGradientF32(D d, V<D> g, V<D> x, double coef, double input_scale, double scale) {
  const ExpParts<D> e = ExpF32(d, hn::Mul(x, F(d, static_cast<float>(input_scale))));
  const V<D> slope = ScaleF32(
      d, hn::Mul(hn::Add(F(d, 1.0f), e.q), F(d, static_cast<float>(coef * input_scale))), e.n);
  return hn::Mul(g, hn::IfThenElse(hn::Le(x, hn::Zero(d)), slope, F(d, static_cast<float>(scale))));
}

struct ELUF32 {
  template <class D>
  static V<D> Forward(D d, V<D> x, ELUParams p) {
    return EluValueF32(d, x, p.alpha, 1.0, 1.0);
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, ELUParams p) {
    return EluGradientF32(d, g, x, p.alpha, 1.0, 1.0);
  }
};
template <>
struct Float32Kernel<ELUMath> {
  using type = ELUF32;
};

// CELU(alpha = 1), the default, is ELU(alpha = 1): constants the compiler folds.
struct CELUF32 {
  template <class D>
  static V<D> Forward(D d, V<D> x, CELUParams p) {
    if (p.alpha == 1) return EluValueF32(d, x, 1.0, 1.0, 1.0);
    return EluValueF32(d, x, p.alpha, 1.0 / p.alpha, 1.0);
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, CELUParams p) {
    if (p.alpha == 1) return EluGradientF32(d, g, x, 1.0, 1.0, 1.0);
    return EluGradientF32(d, g, x, p.alpha, 1.0 / p.alpha, 1.0);
  }
};
template <>
struct Float32Kernel<CELUMath> {
  using type = CELUF32;
};

struct SELUF32 {
  template <class D>
  static V<D> Forward(D d, V<D> x, SELUParams) {
    return EluValueF32(d, x, kSeluAlpha * kSeluScale, 1.0, kSeluScale);
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, SELUParams) {
    return EluGradientF32(d, g, x, kSeluAlpha * kSeluScale, 1.0, kSeluScale);
  }
};
template <>
struct Float32Kernel<SELUMath> {
  using type = SELUF32;
};

// log(1 + exp(u)) / beta for u = beta x = hi + lo, the identity where beta x > threshold (torch).
struct SoftplusF32 {
  template <class D>
  static V<D> Forward(D d, V<D> x, SoftplusParams p) {
    if (p.beta != 1) return General(d, x, p);
    return TableOrGeneral(
        d, BeyondLogisticReach(d, x),
        [&] {
          // max(x, 0) + log1p(exp(-|x|)) from the table (x beyond the reach: x itself)
          const V<D> value = hn::Add(hn::Max(x, hn::Zero(d)), LogisticTable(d, x, kLog1pExpTable));
          return hn::IfThenElse(hn::Gt(x, F(d, static_cast<float>(p.threshold))), x, value);
        },
        [&] { return General(d, x, p); });
  }
  template <class D>
  static V<D> General(D d, V<D> x, SoftplusParams p) {
    const auto u = ExactProductF32(d, x, p.beta);
    const auto s = ExpF32(d, hn::Neg(hn::Abs(u.hi)),
                          hn::IfThenElse(hn::Lt(u.hi, hn::Zero(d)), u.lo, hn::Neg(u.lo)));
    const V<D> mantissa = hn::Add(F(d, 1.0f), s.q);
    const V<D> beta = F(d, static_cast<float>(p.beta));
    // u + log1p(exp(-u)) above 0, log1p(exp(u)) below; where exp(u) < 2^-30, log1p(exp(u)) is
    // exp(u) itself, scaled last since it may be subnormal before the division by beta
    const V<D> linear = hn::IfThenElseZero(hn::Gt(u.hi, hn::Zero(d)), hn::Add(u.hi, u.lo));
    V<D> smooth = hn::Add(linear, Log1pF32(d, ScaleF32(d, mantissa, s.n)));
    V<D> tail = mantissa;
    if (p.beta != 1) {
      smooth = hn::Div(smooth, beta);
      tail = hn::Div(tail, beta);
    }
    tail = ScaleF32(d, tail, s.n);
    const V<D> value =
        hn::IfThenElse(hn::And(hn::Lt(u.hi, hn::Zero(d)), hn::Lt(s.n, F(d, -30.0f))), tail, smooth);
    return hn::IfThenElse(hn::Gt(u.hi, F(d, static_cast<float>(p.threshold))), x, value);
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, SoftplusParams p) {
    if (p.beta != 1) return GeneralBackward(d, g, x, p);
    return TableOrGeneral(
        d, BeyondLogisticReach(d, x),
        [&] {
          const V<D> sigma = LogisticPairTable(d, x).positive;
          return hn::IfThenElse(hn::Gt(x, F(d, static_cast<float>(p.threshold))), g, hn::Mul(g, sigma));
        },
        [&] { return GeneralBackward(d, g, x, p); });
  }
  template <class D>
  static V<D> GeneralBackward(D d, V<D> g, V<D> x, SoftplusParams p) {
    const auto u = ExactProductF32(d, x, p.beta);
    const auto s = p.beta == 1 ? LogisticsF32(d, x) : LogisticsF32(d, u.hi, u.lo);
    const V<D> sigma =
        hn::IfThenElse(hn::Ge(u.hi, hn::Zero(d)), s.large, ScaleF32(d, s.small, s.n));
    return hn::IfThenElse(hn::Gt(u.hi, F(d, static_cast<float>(p.threshold))), g, hn::Mul(g, sigma));
  }
};
template <>
struct Float32Kernel<SoftplusMath> {
  using type = SoftplusF32;
};

// Below -150, x exp(x) is 0 in float32 whatever x (exp, clamped there, would not be): x * 0,
// which keeps torch's NaN at -inf.
template <class D>
HWY_INLINE auto Vanishes(D d, V<D> u) {
  return hn::Lt(u, F(d, -150.0f));
}

// x sigma(beta x) and its derivative (see SwishForward/SwishBackward), sigma(u) on the negative
// side as small 2^n, scaled after the product with x.
template <class D>
HWY_INLINE V<D> SwishValueF32(D d, V<D> x, double beta) {
  const auto general = [&] {
    const auto u = ExactProductF32(d, x, beta);
    const auto s = beta == 1 ? LogisticsF32(d, x) : LogisticsF32(d, u.hi, u.lo);
    const V<D> y = hn::IfThenElse(hn::Ge(u.hi, hn::Zero(d)), hn::Mul(x, s.large),
                                  ScaleF32(d, hn::Mul(x, s.small), s.n));
    return hn::IfThenElse(Vanishes(d, u.hi), hn::Mul(x, hn::Zero(d)), y);
  };
  if (beta != 1) return general();
  return TableOrGeneral(
      d, BeyondLogisticReach(d, x),
      [&] {
        const V<D> s = LogisticTable(d, x, kLogisticTable);  // sigma(-|x|)
        return hn::Mul(x, hn::IfThenElse(hn::Lt(x, hn::Zero(d)), s, hn::Sub(F(d, 1.0f), s)));
      },
      general);
}
template <bool kSiLU, class D>
HWY_INLINE V<D> SwishGradientGeneralF32(D d, V<D> g, V<D> x, double beta) {
  const auto u = ExactProductF32(d, x, beta);
  const auto s = beta == 1 ? LogisticsF32(d, x) : LogisticsF32(d, u.hi, u.lo);
  const auto non_negative = hn::Ge(u.hi, hn::Zero(d));
  // sigma(u) = s_part 2^n_part and sigma(-u), which is used unscaled (it only adds to 1)
  const V<D> s_part = hn::IfThenElse(non_negative, s.large, s.small);
  const V<D> n_part = hn::IfThenZeroElse(non_negative, s.n);
  const V<D> small_value = hn::Mul(s.small, Pow2F32(d, hn::Max(s.n, F(d, -127.0f))));
  const V<D> s_neg = hn::IfThenElse(non_negative, small_value, s.large);
  if constexpr (kSiLU) {
    V<D> derivative = ScaleF32(d, hn::Mul(s_part, hn::MulAdd(u.hi, s_neg, F(d, 1.0f))), n_part);
    derivative = NearRootF32(d, u.hi, u.lo, derivative, kSiluRootHi, kSiluRootLo, kRootWindow,
                             kSiluRootSeriesF32);
    return hn::Mul(g, hn::IfThenElse(Vanishes(d, u.hi), hn::Mul(x, hn::Zero(d)), derivative));
  } else {
    // torch's autograd of x * sigmoid(beta x): g sigma(u) + (g x) beta sigma(u) sigma(-u)
    const V<D> general = ScaleF32(
        d,
        hn::MulAdd(hn::Mul(g, x), hn::Mul(F(d, static_cast<float>(beta)), hn::Mul(s_part, s_neg)),
                   hn::Mul(g, s_part)),
        n_part);
    const V<D> near_root = NearRootF32(d, u.hi, u.lo, hn::Zero(d), kSiluRootHi, kSiluRootLo,
                                       kRootWindow, kSiluRootSeriesF32);
    const V<D> offset = hn::Abs(hn::Sub(u.hi, F(d, static_cast<float>(kSiluRootHi))));
    const V<D> grad = hn::IfThenElse(hn::Lt(offset, F(d, static_cast<float>(kRootWindow))),
                                     hn::Mul(g, near_root), general);
    return hn::IfThenElse(Vanishes(d, u.hi), hn::Mul(hn::Mul(g, x), hn::Zero(d)), grad);
  }
}

template <bool kSiLU, class D>
HWY_INLINE V<D> SwishGradientF32(D d, V<D> g, V<D> x, double beta) {
  if (beta != 1) return SwishGradientGeneralF32<kSiLU>(d, g, x, beta);
  // SiLU'(-|x|) from its table within the logistic reach (SiLU'(x) = 1 - SiLU'(-x); beyond it
  // above, (x - 1) exp(-x) still counts next to 1). For Swish(beta=1) too: the same derivative,
  // more accurate than torch's autograd formula.
  return TableOrGeneral(
      d, BeyondLogisticReachEitherSide(d, x),
      [&] {
        const V<D> y = hn::Min(hn::Abs(x), F(d, kLogisticTableReach));
        const V<D> lower = TablePolynomial(d, y, TableIndex(d, y, kLogisticTableScale),
                                           kSiluDerivativeCentre, kSiluDerivativeTable);
        return hn::Mul(g,
                       hn::IfThenElse(hn::Lt(x, hn::Zero(d)), lower, hn::Sub(F(d, 1.0f), lower)));
      },
      [&] { return SwishGradientGeneralF32<kSiLU>(d, g, x, beta); });
}
struct SiLUF32 {
  // x times a factor: a NaN x gives NaN by itself
  static constexpr bool kForwardKeepsNaN = true;
  template <class D>
  static V<D> Forward(D d, V<D> x, SiLUParams) {
    return SwishValueF32(d, x, 1.0);
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, SiLUParams) {
    return SwishGradientF32<true>(d, g, x, 1.0);
  }
};
template <>
struct Float32Kernel<SiLUMath> {
  using type = SiLUF32;
};

struct SwishF32 {
  // x times a factor: a NaN x gives NaN by itself
  static constexpr bool kForwardKeepsNaN = true;
  template <class D>
  static V<D> Forward(D d, V<D> x, SwishParams p) {
    return SwishValueF32(d, x, p.beta);
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, SwishParams p) {
    return SwishGradientF32<false>(d, g, x, p.beta);
  }
};
template <>
struct Float32Kernel<SwishMath> {
  using type = SwishF32;
};

// Mish's table index of x clamped to [-kLogisticTableReach, kLogisticTableReach] (NaN lanes
// to the reach: x86's min returns its second operand).
template <class D>
HWY_INLINE V<D> MishTableArgument(D d, V<D> x) {
  return hn::Max(hn::Min(x, F(d, kLogisticTableReach)), F(d, -kLogisticTableReach));
}
template <class D>
HWY_INLINE hn::Vec<hn::RebindToSigned<D>> MishTableIndex(D d, V<D> y) {
  return hn::BitCast(hn::RebindToSigned<D>(),
                     hn::MulAdd(y, F(d, kMishTableScale), F(d, 8388608.0f + 16.0f)));
}

// Mish from its tables on [-kLogisticTableReach, kLogisticTableReach] (above, the factor and f'
// round to 1); below, as MishMath with e = exp(x) = (1 + q) 2^n, scaled after the product with
// x.
struct MishF32 {
  // x times a factor: a NaN x gives NaN by itself
  static constexpr bool kForwardKeepsNaN = true;
  // x tanh(softplus(x)) from the Mish table unless a lane is below -kLogisticTableReach, where
  // the factor needs exp's range (above, it rounds to 1)
  template <class D>
  static V<D> Forward(D d, V<D> x, MishParams p) {
    return TableOrGeneral(
        d, BeyondLogisticReach(d, x),
        [&] {
          const V<D> y = MishTableArgument(d, x);
          return hn::Mul(x, TablePolynomial(d, y, MishTableIndex(d, y), kMishCentre, kMishTable));
        },
        [&] { return General(d, x, p); });
  }
  // x < -kLogisticTableReach: x e (2 + e) / (e (2 + e) + 2)
  template <class D>
  static V<D> General(D d, V<D> x, MishParams) {
    const ExpParts<D> e = ExpF32(d, x);
    const V<D> value = ExpValueF32(d, e);
    const V<D> two_plus_e = hn::Add(F(d, 2.0f), value);
    const V<D> y = ScaleF32(d,
                            hn::Div(hn::Mul(x, hn::Mul(hn::Add(F(d, 1.0f), e.q), two_plus_e)),
                                    hn::MulAdd(value, two_plus_e, F(d, 2.0f))),
                            e.n);
    return hn::IfThenElse(Vanishes(d, x), hn::Mul(x, hn::Zero(d)), y);
  }
  // Mish'(x) from its table unless a lane is below -kLogisticTableReach (above, Mish' is 1
  // within float32 precision)
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, MishParams p) {
    return TableOrGeneral(
        d, BeyondLogisticReach(d, x),
        [&] {
          const V<D> y = MishTableArgument(d, x);
          const V<D> derivative = TablePolynomial(d, y, MishTableIndex(d, y), kMishDerivativeCentre,
                                                  kMishDerivativeTable);
          // torch's formula gives NaN at +inf
          return NaNIfInf(d, x, hn::Mul(g, derivative));
        },
        [&] { return GeneralBackward(d, g, x, p); });
  }
  // x < -kLogisticTableReach: e ((2 + e)(2 + n) + 4x (1 + e)) / (2 + n)^2, n = e (2 + e); 4x
  // bounded short of overflow (e is 0 long before), -inf kept for torch's NaN (-inf * 0)
  template <class D>
  static V<D> GeneralBackward(D d, V<D> g, V<D> x, MishParams) {
    const ExpParts<D> e = ExpF32(d, x);
    const V<D> value = ExpValueF32(d, e);
    const V<D> two_plus_e = hn::Add(F(d, 2.0f), value);
    const V<D> two_plus_n = hn::MulAdd(value, two_plus_e, F(d, 2.0f));
    const V<D> bounded = hn::IfThenElse(hn::IsFinite(x), hn::Max(x, F(d, -1e37f)), x);
    const V<D> inner = hn::MulAdd(hn::Mul(F(d, 4.0f), bounded), hn::Add(F(d, 1.0f), value),
                                  hn::Mul(two_plus_e, two_plus_n));
    const V<D> derivative = ScaleF32(
        d, hn::Div(hn::Mul(hn::Add(F(d, 1.0f), e.q), inner), hn::Mul(two_plus_n, two_plus_n)), e.n);
    // torch: NaN at -inf (inf * 0 in its formula)
    return NaNIfInf(
        d, x, hn::Mul(g, hn::IfThenElse(Vanishes(d, x), hn::Mul(x, hn::Zero(d)), derivative)));
  }
};
template <>
struct Float32Kernel<MishMath> {
  using type = MishF32;
};

// GELU(approximate='tanh') = x sigma(w), w = 2k x (1 + c x^2) in float32 double-word (sigma(w)
// on the negative tail turns w's absolute error into its relative error). Below x = -12 the
// result is below 2^-126 (sigma(w) < e^-112), and the lanes are set apart as in GELUMath.
template <class D>
HWY_INLINE ProductF32<D> GeluTanhArgumentF32(D d, V<D> x) {
  const float cubic_hi = static_cast<float>(kGeluTanhCubic);
  const float cubic_lo = static_cast<float>(kGeluTanhCubic - cubic_hi);
  const float scale_hi = static_cast<float>(kGeluTanhScale);
  const float scale_lo = static_cast<float>(kGeluTanhScale - scale_hi);
  x = hn::Min(hn::Max(x, F(d, -12.0f)), F(d, 12.0f));
  const V<D> x2 = hn::Mul(x, x);
  const V<D> x2_lo = hn::MulSub(x, x, x2);
  const V<D> cx2 = hn::Mul(F(d, cubic_hi), x2);
  const V<D> cx2_lo = hn::MulAdd(
      F(d, cubic_hi), x2_lo, hn::MulAdd(F(d, cubic_lo), x2, hn::MulSub(F(d, cubic_hi), x2, cx2)));
  // 1 + c x^2 = q + q_lo (TwoSum)
  const V<D> q = hn::Add(F(d, 1.0f), cx2);
  const V<D> cx2_part = hn::Sub(q, F(d, 1.0f));
  const V<D> q_lo =
      hn::Add(hn::Add(hn::Sub(F(d, 1.0f), hn::Sub(q, cx2_part)), hn::Sub(cx2, cx2_part)), cx2_lo);
  const V<D> xq = hn::Mul(x, q);
  const V<D> xq_lo = hn::MulAdd(x, q_lo, hn::MulSub(x, q, xq));
  const V<D> w = hn::Mul(F(d, scale_hi), xq);
  const V<D> w_lo = hn::MulAdd(F(d, scale_hi), xq_lo,
                               hn::MulAdd(F(d, scale_lo), xq, hn::MulSub(F(d, scale_hi), xq, w)));
  return {w, w_lo};
}

// x sigma(w), w = 2 sqrt(2 / pi) (x + 0.044715 x^3): where every lane is >= -kGeluTableReach,
// from the GELU tanh tables (as GELUF32's), else through exp.
struct GELUTanhF32 {
  // x times a factor: a NaN x gives NaN by itself
  static constexpr bool kForwardKeepsNaN = true;
  template <class D>
  static auto Vanishes(D d, V<D> x) {
    return hn::Lt(x, F(d, -12.0f));
  }
  template <class D>
  static V<D> Forward(D d, V<D> x, GELUParams p) {
    return TableOrGeneral(
        d, hn::Lt(x, F(d, -kGeluTableReach)),
        [&] {
          const V<D> y = hn::Min(hn::Abs(x), F(d, kGeluTableReach));
          // intervals uniform in y (1 + c y^2), w(y) up to a factor
          const V<D> u = hn::Mul(
              y, hn::MulAdd(F(d, static_cast<float>(kGeluTanhCubic)), hn::Mul(y, y), F(d, 1.0f)));
          const V<D> lower = TablePolynomial(d, y, TableIndex(d, u, kGeluTanhTableScale),
                                             kGeluTanhCentre, kGeluTanhLowerTable);
          return hn::Mul(x,
                         hn::IfThenElse(hn::Lt(x, hn::Zero(d)), lower, hn::Sub(F(d, 1.0f), lower)));
        },
        [&] { return General(d, x, p); });
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, GELUParams p) {
    return TableOrGeneral(
        d, hn::Lt(x, F(d, -kGeluTableReach)),
        [&] {
          const V<D> y = hn::Min(hn::Abs(x), F(d, kGeluTableReach));
          // f'(y) = 1 - f'(-y)
          const V<D> lower =
              TablePolynomial(d, y, GeluTableIndex(d, y), GeluTables::kTanhDerivativeCentre,
                              GeluTables::kTanhDerivative);
          const V<D> derivative =
              hn::IfThenElse(hn::Lt(x, hn::Zero(d)), lower, hn::Sub(F(d, 1.0f), lower));
          return NaNIfInf(d, x, hn::Mul(g, derivative));
        },
        [&] { return GeneralBackward(d, g, x, p); });
  }
  template <class D>
  static V<D> General(D d, V<D> x, GELUParams) {
    const auto w = GeluTanhArgumentF32(d, x);
    const auto s = LogisticsF32(d, w.hi, w.lo);
    const V<D> y = hn::IfThenElse(hn::Lt(w.hi, hn::Zero(d)), ScaleF32(d, hn::Mul(x, s.small), s.n),
                                  hn::Mul(x, s.large));
    return hn::IfThenElse(Vanishes(d, x), hn::Mul(x, hn::Zero(d)), y);  // -0.0, and NaN at -inf
  }
  template <class D>
  static V<D> GeneralBackward(D d, V<D> g, V<D> x, GELUParams) {
    // sigma(w) (1 + x w' sigma(-w)), w' = 2k (1 + 3c x^2)
    const V<D> xc = hn::Min(hn::Max(x, F(d, -12.0f)), F(d, 12.0f));
    const auto w = GeluTanhArgumentF32(d, xc);
    const auto s = LogisticsF32(d, w.hi, w.lo);
    const auto negative = hn::Lt(w.hi, hn::Zero(d));
    const V<D> small_value = hn::Mul(s.small, Pow2F32(d, hn::Max(s.n, F(d, -127.0f))));
    const V<D> s_pos = hn::IfThenElse(negative, s.small, s.large);
    const V<D> s_neg = hn::IfThenElse(negative, s.large, small_value);
    const V<D> slope = hn::Mul(
        F(d, static_cast<float>(kGeluTanhScale)),
        hn::MulAdd(F(d, static_cast<float>(3 * kGeluTanhCubic)), hn::Mul(xc, xc), F(d, 1.0f)));
    V<D> derivative = ScaleF32(d, hn::Mul(s_pos, hn::MulAdd(hn::Mul(xc, slope), s_neg, F(d, 1.0f))),
                               hn::IfThenElseZero(negative, s.n));
    derivative = NearRootF32(d, x, hn::Zero(d), derivative, erf_coefficients::kGeluTanhRootHi,
                             erf_coefficients::kGeluTanhRootLo, erf_coefficients::kGeluRootRadius,
                             erf_coefficients::kGeluTanhRootSeries);
    const V<D> grad = hn::Mul(g, hn::IfThenZeroElse(Vanishes(d, x), derivative));
    return NaNIfInf(d, x, grad);
  }
};

// The standard normal distribution for GELU(approximate='none'), |x| clamped to 14: phi(x) =
// pdf 2^n (x^2 taken exactly); Phi(x) - 1/2 = x P(x^2) for |x| <= 1; Phi(-|x|) = tail 2^n with
// tail = exp(x^2 / 2) 2^-n P(1 / |x|) / |x| for |x| >= 1. Scaled by the caller, after the product
// with x, so that x Phi(x) is not rounded through a subnormal.
template <class D>
struct NormalF32 {
  V<D> central, tail, pdf, n;
};
template <class D>
HWY_INLINE NormalF32<D> NormalDistributionF32(D d, V<D> x) {
  const V<D> y = hn::Min(hn::Abs(x), F(d, 14.0f));
  const V<D> y2 = hn::Mul(y, y);
  const ExpParts<D> e =
      ExpF32(d, hn::Mul(F(d, -0.5f), y2), hn::Mul(F(d, -0.5f), hn::MulSub(y, y, y2)));
  const V<D> mantissa = hn::Add(F(d, 1.0f), e.q);
  const V<D> z = ReciprocalF32(d, hn::Max(y, F(d, 1.0f)));
  const V<D> t = hn::Sub(z, F(d, static_cast<float>(kNormalCdfTailCentre)));
  // P / y = P z (1 + (1 - z y)), the rounding of z recovered (1 - z y is exact)
  const V<D> pz = hn::Mul(Polynomial(d, t, kNormalCdfTail), z);
  const V<D> quotient = hn::MulAdd(pz, hn::NegMulAdd(z, hn::Max(y, F(d, 1.0f)), F(d, 1.0f)), pz);
  const V<D> tail = hn::MulAdd(e.q, quotient, quotient);  // times 1 + q, rounded once
  const V<D> xc = hn::Min(hn::Max(x, F(d, -1.0f)), F(d, 1.0f));
  const V<D> central =
      hn::MulAdd(xc, Polynomial(d, hn::Mul(xc, xc), kNormalCdfCentral), F(d, 0.5f));
  return {central, tail, hn::Mul(mantissa, F(d, 0.398942280401432678f)), e.n};
}

// GELU's float32 kernel: the tanh form above; 'none' where every lane is >= -kGeluTableReach
// (nearly always: above it GELU is x within float32 precision) from the table's piecewise
// polynomials of Phi(-|x|) and of f'(-|x|), with a third of the operations of the full-range
// paths. Below: the forward in float64 (Widened), the backward from NormalDistributionF32;
// below x = -14 the derivative vanishes (x phi(x) < 2^-126), set apart as in GELUMath.
struct GELUF32 {
  // x times a factor: a NaN x gives NaN by itself
  static constexpr bool kForwardKeepsNaN = true;
  template <class D>
  static V<D> Forward(D d, V<D> x, GELUParams p) {
    if (GELUMath::Tanh(p)) return GELUTanhF32::Forward(d, x, p);
    return TableOrGeneral(
        d, hn::Lt(x, F(d, -kGeluTableReach)),
        [&] {
          // Min keeps NaN lanes out of the table index (x86's min returns its second operand)
          const V<D> y = hn::Min(hn::Abs(x), F(d, kGeluTableReach));
          const V<D> lower =
              TablePolynomial(d, y, GeluTableIndex(d, y), GeluTables::kCdfCentre, GeluTables::kCdf);
          return hn::Mul(x,
                         hn::IfThenElse(hn::Lt(x, hn::Zero(d)), lower, hn::Sub(F(d, 1.0f), lower)));
        },
        [&] { return Widened(d, x, p); });
  }
  template <class D>
  static V<D> Backward(D d, V<D> g, V<D> x, GELUParams p) {
    if (GELUMath::Tanh(p)) return GELUTanhF32::Backward(d, g, x, p);
    return TableOrGeneral(
        d, hn::Lt(x, F(d, -kGeluTableReach)),
        [&] {
          const V<D> y = hn::Min(hn::Abs(x), F(d, kGeluTableReach));
          // f'(-y) = Phi(-y) - y phi(y); f'(y) = 1 - f'(-y)
          const V<D> lower = TablePolynomial(
              d, y, GeluTableIndex(d, y), GeluTables::kDerivativeCentre, GeluTables::kDerivative);
          const V<D> derivative =
              hn::IfThenElse(hn::Lt(x, hn::Zero(d)), lower, hn::Sub(F(d, 1.0f), lower));
          return NaNIfInf(d, x, hn::Mul(g, derivative));
        },
        [&] { return FullRangeBackward(d, g, x); });
  }

  // GELUMath's float64 forward, for vectors with a lane below -kGeluTableReach (about one in a
  // million for normally distributed inputs): float32's own tail formula, exp(-x^2 / 2) times a
  // polynomial in 1 / x, rounds six times and reached 4.1 ULP next to -6; the float64 kernel's
  // result rounds to float32 within 0.5 ULP.
  template <class D>
  static V<D> Widened(D d, V<D> x, GELUParams p) {
#if HWY_TARGET == HWY_SCALAR
    const hn::Rebind<double, D> dd;
    return hn::DemoteTo(d, GELUMath::Forward(dd, hn::PromoteTo(dd, x), p));
#else
    const hn::Half<D> dh;
    const hn::Rebind<double, decltype(dh)> dd;
    const auto lower = GELUMath::Forward(dd, hn::PromoteTo(dd, hn::LowerHalf(dh, x)), p);
    const auto upper = GELUMath::Forward(dd, hn::PromoteTo(dd, hn::UpperHalf(dh, x)), p);
    return hn::Combine(d, hn::DemoteTo(dh, upper), hn::DemoteTo(dh, lower));
#endif
  }
  template <class D>
  static V<D> FullRangeBackward(D d, V<D> g, V<D> x) {
    // Phi(x) + x phi(x)
    const NormalF32<D> normal = NormalDistributionF32(d, x);
    const V<D> xc = hn::Min(hn::Max(x, F(d, -14.0f)), F(d, 14.0f));
    const V<D> x_pdf = hn::Mul(xc, ScaleF32(d, normal.pdf, normal.n));
    const V<D> lower = ScaleF32(d, hn::MulAdd(xc, normal.pdf, normal.tail), normal.n);
    const V<D> upper = hn::Add(hn::Sub(F(d, 1.0f), ScaleF32(d, normal.tail, normal.n)), x_pdf);
    const V<D> central = hn::Add(normal.central, x_pdf);
    V<D> derivative = hn::IfThenElse(hn::Lt(x, F(d, -1.0f)), lower,
                                     hn::IfThenElse(hn::Gt(x, F(d, 1.0f)), upper, central));
    derivative = NearRootF32(d, x, hn::Zero(d), derivative, erf_coefficients::kGeluRootHi,
                             erf_coefficients::kGeluRootLo, erf_coefficients::kGeluRootRadius,
                             kGeluRootSeriesF32);
    return NaNIfInf(d, x, hn::Mul(g, hn::IfThenZeroElse(hn::Lt(x, F(d, -14.0f)), derivative)));
  }
};
template <>
struct Float32Kernel<GELUMath> {
  using type = GELUF32;
};

}  // namespace activ::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
