// SIMD softmax and log_softmax rows (softmax.h) for every Highway target, picked at run time.
// The operations and their order follow torch 1.13's vectorized CPU kernels: the row max, exp(x -
// max) summed (in partial sums of the input type, added up in a wider one), then a multiply by
// 1 / sum (softmax) or (x - max) - log(sum) (log_softmax); exp is within 1 ULP (Highway's
// polynomial, or for float32 rows a cheaper one of the same accuracy where every x - max allows).
#include "kernels/softmax.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/softmax.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
// After highway.h: it is included once per target.
#include "hwy/contrib/math/math-inl.h"

HWY_BEFORE_NAMESPACE();
namespace activ::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class D>
using V = hn::Vec<D>;

template <class T>
constexpr T kNaN = std::numeric_limits<T>::quiet_NaN();
template <class T>
constexpr T kMinusInf = -std::numeric_limits<T>::infinity();

// The first `count` lanes at p, the others `pad`: the row ends go through the same vector code
// as the rest without reading past the array.
template <class D, class T = hn::TFromD<D>>
HWY_INLINE V<D> LoadPadded(D d, const T* p, std::size_t count, T pad) {
  if (count == hn::Lanes(d)) return hn::LoadU(d, p);
  T buffer[HWY_MAX_BYTES / sizeof(T)];
  std::fill(buffer, buffer + hn::Lanes(d), pad);
  std::memcpy(buffer, p, count * sizeof(T));
  return hn::LoadU(d, buffer);
}

template <class D, class T = hn::TFromD<D>>
HWY_INLINE void StoreFirst(D d, V<D> v, T* p, std::size_t count) {
  if (count == hn::Lanes(d)) return hn::StoreU(v, d, p);
  T buffer[HWY_MAX_BYTES / sizeof(T)];
  hn::StoreU(v, d, buffer);
  std::memcpy(p, buffer, count * sizeof(T));
}

// exp of any value: NaN stays NaN and large arguments overflow to +inf (hn::Exp maps NaN to 0;
// its 2^q scaling has room for arguments up to these bounds, past the overflow thresholds).
template <class D>
HWY_INLINE V<D> ExpOfAny(D d, V<D> x) {
  using T = hn::TFromD<D>;
  const V<D> clamped = hn::Min(x, hn::Set(d, T(sizeof(T) == 4 ? 100.0 : 1000.0)));
  return hn::IfThenElse(hn::IsNaN(x), x, hn::Exp(d, clamped));
}

// The fast float32 exps below take |x| <= kFastExpBound, where every result and scale factor
// is a normal number; NaN gives NaN and +inf gives NaN (a row holding either becomes NaN).
constexpr float kFastExpBound = 86.5f;

// float32 exp for |x| <= kFastExpBound: hn::Exp's reduction and polynomial (within 1 ULP), with
// a one-step exponent scaling and no range masking, a third fewer instructions. The scaling
// multiplies (exactly) rather than adding to the exponent bits, which would turn a NaN finite.
template <class D>
HWY_INLINE V<D> ExpNormalFloat(D d, V<D> x) {
  const hn::RebindToSigned<D> di;
  const auto q = hn::Round(hn::Mul(x, hn::Set(d, 1.442695040888963407359924681f)));
  auto r = hn::MulAdd(q, hn::Set(d, -0.693145751953125f), x);
  r = hn::MulAdd(q, hn::Set(d, -1.428606765330187045e-6f), r);
  auto p = hn::MulAdd(hn::Set(d, 0.000198527617612853646278381f), r,
                      hn::Set(d, 0.00139304355252534151077271f));
  p = hn::MulAdd(p, r, hn::Set(d, 0.00833336077630519866943359f));
  p = hn::MulAdd(p, r, hn::Set(d, 0.0416664853692054748535156f));
  p = hn::MulAdd(p, r, hn::Set(d, 0.166666671633720397949219f));
  p = hn::MulAdd(p, r, hn::Set(d, 0.5f));
  const auto exp_r = hn::Add(hn::MulAdd(p, hn::Mul(r, r), r), hn::Set(d, 1.0f));
  const auto scale = hn::ShiftLeft<23>(hn::Add(hn::ConvertTo(di, q), hn::Set(di, 127)));
  return hn::Mul(exp_r, hn::BitCast(d, scale));
}

// exp of any value, choosing per vector: the fast path when every lane allows it (float32).
template <class D>
HWY_INLINE V<D> SoftmaxExp(D d, V<D> x) {
  if constexpr (sizeof(hn::TFromD<D>) == 4) {
    if (hn::AllTrue(d, hn::Le(hn::Abs(x), hn::Set(d, kFastExpBound)))) {
      return ExpNormalFloat(d, x);
    }
  }
  return ExpOfAny(d, x);
}

#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
// float32 exp for |x| <= kFastExpBound (checked once per row by the callers); on AVX-512 half
// the floating-point work of ExpNormalFloat: exp(x) = 2^m 2^(j/16) exp(r) with q = 16 m + j =
// round(16 x / ln 2) and |r| <= ln 2 / 32, 2^(j/16) from a table of one register and exp(r) - 1
// a degree-3 minimax polynomial (error 1.6e-9), the result rounded once from 2^(m + j/16) and
// exp(r) - 1. Within 1 ULP, as ExpNormalFloat (measured over every float of the range).
template <class D>
class FastExp {
 public:
  explicit FastExp(D d) {
    static constexpr float kPowers[16] = {
        1.0f,          1.0442737341f, 1.0905077457f, 1.1387885809f, 1.1892070770f, 1.2418577671f,
        1.2968395948f, 1.3542555571f, 1.4142135382f, 1.4768261909f, 1.5422108173f, 1.6104903221f,
        1.6817928553f, 1.7562521696f, 1.8340080976f, 1.9152065516f};
    // Entry j less j << 19: adding q << 19 = (m << 23) + (j << 19) to it adds m to the exponent.
    const auto powers = hn::BitCast(di_, hn::LoadU(d, kPowers));
    entries_ = hn::Sub(powers, hn::ShiftLeft<19>(hn::Iota(di_, 0)));
  }

  HWY_INLINE V<D> operator()(D d, V<D> x) const {
    // Adding 1.5 * 2^23 rounds 16 x / ln 2 to the integer q, held in the sum's low bits.
    const auto round_shift = hn::Set(d, 12582912.0f);
    const auto shifted = hn::MulAdd(x, hn::Set(d, 23.08312034606933594f), round_shift);
    const auto q = hn::Sub(shifted, round_shift);
    // Cody-Waite: ln 2 / 16 = 0.0433197021484375 (12 bits: q times it is exact) + 1.99663646e-6.
    auto r = hn::NegMulAdd(q, hn::Set(d, 0.0433197021484375f), x);
    r = hn::NegMulAdd(q, hn::Set(d, 1.99663646e-6f), r);
    const auto c = hn::MulAdd(hn::Set(d, 0.166668176651f), r, hn::Set(d, 0.500016152859f));
    const auto expm1_r = hn::MulAdd(hn::Mul(r, r), c, r);
    const auto q_bits = hn::BitCast(di_, shifted);
    // vpermd reads the low 4 bits of each index, j (hn::TableLookupLanes wants them masked).
    const V<decltype(di_)> entry{_mm512_permutexvar_epi32(q_bits.raw, entries_.raw)};
    const auto scale = hn::BitCast(d, hn::Add(entry, hn::ShiftLeft<19>(q_bits)));
    return hn::MulAdd(scale, expm1_r, scale);
  }

 private:
  hn::RebindToSigned<D> di_;
  V<hn::RebindToSigned<D>> entries_;
};
#else
// float32 exp for |x| <= kFastExpBound (checked once per row by the callers).
template <class D>
class FastExp {
 public:
  explicit FastExp(D) {}
  HWY_INLINE V<D> operator()(D d, V<D> x) const { return ExpNormalFloat(d, x); }
};
#endif

struct AnyExp {
  template <class D>
  HWY_INLINE V<D> operator()(D d, V<D> x) const {
    return SoftmaxExp(d, x);
  }
};

// Sums of a row, per lane in long double: the kernels add vectors of T for kFoldEvery steps,
// then fold them in here, so a sum of any length stays within about an ULP of T (one running
// sum of 1024 terms in T drifts by tens of ULPs).
constexpr std::size_t kFoldEvery = 8;

template <class D>
class LongDoubleLaneSums {
 public:
  using T = hn::TFromD<D>;
  explicit LongDoubleLaneSums(D d) : d_(d) {}
  void Fold(V<D> partial) {
    T lanes[kMaxLanes];
    hn::StoreU(partial, d_, lanes);
    for (std::size_t lane = 0; lane < hn::Lanes(d_); ++lane) sums_[lane] += lanes[lane];
  }
  T Total() const {
    long double total = 0;
    for (std::size_t lane = 0; lane < hn::Lanes(d_); ++lane) total += sums_[lane];
    return static_cast<T>(total);
  }
  V<D> PerLane() const {
    T lanes[kMaxLanes];
    for (std::size_t lane = 0; lane < hn::Lanes(d_); ++lane)
      lanes[lane] = static_cast<T>(sums_[lane]);
    return hn::LoadU(d_, lanes);
  }

 private:
  static constexpr std::size_t kMaxLanes = HWY_MAX_BYTES / sizeof(T);
  D d_;
  long double sums_[kMaxLanes] = {};
};

#if HWY_TARGET != HWY_SCALAR
// The float32 sums per lane in float64 vectors: as exact as long double for float32 and a few
// instructions per fold (long double's are x87 loads and stores, a quarter of the row's time).
template <class D>
class DoubleLaneSums {
 public:
  explicit DoubleLaneSums(D d) : d_(d), lower_(hn::Zero(dd_)), upper_(lower_) {}
  void Fold(V<D> partial) {
    lower_ = hn::Add(lower_, hn::PromoteTo(dd_, hn::LowerHalf(dh_, partial)));
    upper_ = hn::Add(upper_, hn::PromoteTo(dd_, hn::UpperHalf(dh_, partial)));
  }
  float Total() const {
    return static_cast<float>(hn::GetLane(hn::SumOfLanes(dd_, hn::Add(lower_, upper_))));
  }
  V<D> PerLane() const {
    return hn::Combine(d_, hn::DemoteTo(dh_, upper_), hn::DemoteTo(dh_, lower_));
  }

 private:
  D d_;
  hn::Half<D> dh_;
  hn::Rebind<double, hn::Half<D>> dd_;
  V<decltype(dd_)> lower_, upper_;
};

template <class D>
using LaneSums =
    std::conditional_t<sizeof(hn::TFromD<D>) == 4, DoubleLaneSums<D>, LongDoubleLaneSums<D>>;
#else
template <class D>
using LaneSums = LongDoubleLaneSums<D>;
#endif

// --- rows contiguous in memory (dim is last) ------------------------------------------------

// The row's largest and smallest elements. Either may skip a NaN (x86's max and min are not
// symmetric in NaN): the callers' sums see it.
template <class D, class T = hn::TFromD<D>>
HWY_INLINE void RowExtremes(D d, const T* x, std::size_t n, T& row_max, T& row_min) {
  const std::size_t lanes = hn::Lanes(d);
  V<D> max0 = hn::Set(d, kMinusInf<T>), max1 = max0;
  V<D> min0 = hn::Neg(max0), min1 = min0;
  std::size_t i = 0;
  for (; i + 2 * lanes <= n; i += 2 * lanes) {
    const auto v0 = hn::LoadU(d, x + i), v1 = hn::LoadU(d, x + i + lanes);
    max0 = hn::Max(max0, v0);
    max1 = hn::Max(max1, v1);
    min0 = hn::Min(min0, v0);
    min1 = hn::Min(min1, v1);
  }
  for (; i < n; i += lanes) {
    // Padding with an element of the row changes neither extreme.
    const auto v = LoadPadded(d, x + i, std::min(lanes, n - i), x[0]);
    max0 = hn::Max(max0, v);
    min0 = hn::Min(min0, v);
  }
  row_max = hn::GetLane(hn::MaxOfLanes(d, hn::Max(max0, max1)));
  row_min = hn::GetLane(hn::MinOfLanes(d, hn::Min(min0, min1)));
}

// Stores exp(x - max) (softmax) and returns its sum. The next row (its input to read, its output
// to write) is fetched into the cache meanwhile: this pass computes, the others wait on memory.
template <SoftmaxKind kind, class D, class Exp, class T = hn::TFromD<D>>
HWY_INLINE T ExpAndSum(D d, const Exp& exp, const T* x, T* y, std::size_t n, T row_max,
                       const T* next_x, T* next_y) {
  const std::size_t lanes = hn::Lanes(d);
  const auto vmax = hn::Set(d, row_max);
  LaneSums<D> sums(d);
  V<D> sum0 = hn::Zero(d), sum1 = sum0;
  std::size_t steps = 0;
  std::size_t i = 0;
  for (; i + 2 * lanes <= n; i += 2 * lanes) {
    const auto e0 = exp(d, hn::Sub(hn::LoadU(d, x + i), vmax));
    const auto e1 = exp(d, hn::Sub(hn::LoadU(d, x + i + lanes), vmax));
    if constexpr (kind == SoftmaxKind::kSoftmax) {
      hn::StoreU(e0, d, y + i);
      hn::StoreU(e1, d, y + i + lanes);
    }
    __builtin_prefetch(next_x + i, 0);
    __builtin_prefetch(next_x + i + lanes, 0);
    __builtin_prefetch(next_y + i, 1);
    __builtin_prefetch(next_y + i + lanes, 1);
    sum0 = hn::Add(sum0, e0);
    sum1 = hn::Add(sum1, e1);
    if (++steps == kFoldEvery) {
      sums.Fold(hn::Add(sum0, sum1));
      sum0 = sum1 = hn::Zero(d);
      steps = 0;
    }
  }
  for (; i < n; i += lanes) {
    const std::size_t count = std::min(lanes, n - i);
    // Padding with the max: exp(0), which every exp takes, masked out of the sum.
    const auto shifted = hn::Sub(LoadPadded(d, x + i, count, row_max), vmax);
    const auto e = hn::IfThenElseZero(hn::FirstN(d, count), exp(d, shifted));
    if constexpr (kind == SoftmaxKind::kSoftmax) StoreFirst(d, e, y + i, count);
    sum0 = hn::Add(sum0, e);
  }
  sums.Fold(hn::Add(sum0, sum1));
  return sums.Total();
}

// next_x and next_y: the next row's, to prefetch.
template <SoftmaxKind kind, class T>
void ForwardRow(const T* x, T* y, std::size_t n, const T* next_x, T* next_y) {
  const hn::ScalableTag<T> d;
  const std::size_t lanes = hn::Lanes(d);
  T row_max, row_min;
  RowExtremes(d, x, n, row_max, row_min);
  // A NaN, +inf (inf - inf) or only -inf (-inf + inf) in torch's x - max makes the row NaN. The
  // max may have skipped a NaN; then exp, and the sum, is NaN.
  const auto make_nan = [&] { std::fill(y, y + n, kNaN<T>); };
  if (!std::isfinite(row_max)) return make_nan();

  T sum;
  if constexpr (sizeof(T) == 4) {
    // Every x - max within the fast exp's range (a skipped NaN: see above).
    if (row_min - row_max >= -kFastExpBound) {
      sum = ExpAndSum<kind>(d, FastExp(d), x, y, n, row_max, next_x, next_y);
    } else {
      sum = ExpAndSum<kind>(d, AnyExp(), x, y, n, row_max, next_x, next_y);
    }
  } else {
    sum = ExpAndSum<kind>(d, AnyExp(), x, y, n, row_max, next_x, next_y);
  }
  if (std::isnan(sum)) return make_nan();

  std::size_t i = 0;
  if constexpr (kind == SoftmaxKind::kSoftmax) {
    const T scale = T(1) / sum;
    const auto vscale = hn::Set(d, scale);
    for (; i + lanes <= n; i += lanes) hn::StoreU(hn::Mul(hn::LoadU(d, y + i), vscale), d, y + i);
    for (; i < n; ++i) y[i] *= scale;
  } else {
    const T log_sum = std::log(sum);
    const auto vmax = hn::Set(d, row_max);
    const auto vlog_sum = hn::Set(d, log_sum);
    for (; i + lanes <= n; i += lanes) {
      hn::StoreU(hn::Sub(hn::Sub(hn::LoadU(d, x + i), vmax), vlog_sum), d, y + i);
    }
    for (; i < n; ++i) y[i] = (x[i] - row_max) - log_sum;
  }
}

template <SoftmaxKind kind, class T>
void BackwardRow(const T* g, const T* y, T* gx, std::size_t n) {
  const hn::ScalableTag<T> d;
  const std::size_t lanes = hn::Lanes(d);
  LaneSums<decltype(d)> sums(d);
  V<decltype(d)> sum0 = hn::Zero(d), sum1 = sum0;
  // log_softmax: the largest |y| (NaN skipped on x86, else carried: either way NaN passes the
  // fast exp as NaN), to pick the exp.
  V<decltype(d)> abs_max0 = hn::Zero(d), abs_max1 = abs_max0;
  std::size_t steps = 0;
  std::size_t i = 0;
  // The sum of g * y (softmax) or of g (log_softmax); padding 0 adds nothing.
  auto add_to = [&](V<decltype(d)> sum, V<decltype(d)> gv, V<decltype(d)> yv,
                    V<decltype(d)>& abs_max) {
    if constexpr (kind == SoftmaxKind::kSoftmax) {
      return hn::MulAdd(gv, yv, sum);
    } else {
      abs_max = hn::Max(hn::Abs(yv), abs_max);
      return hn::Add(sum, gv);
    }
  };
  for (; i + 2 * lanes <= n; i += 2 * lanes) {
    sum0 = add_to(sum0, hn::LoadU(d, g + i), hn::LoadU(d, y + i), abs_max0);
    sum1 = add_to(sum1, hn::LoadU(d, g + i + lanes), hn::LoadU(d, y + i + lanes), abs_max1);
    if (++steps == kFoldEvery) {
      sums.Fold(hn::Add(sum0, sum1));
      sum0 = sum1 = hn::Zero(d);
      steps = 0;
    }
  }
  for (; i < n; i += lanes) {
    const std::size_t count = std::min(lanes, n - i);
    sum0 = add_to(sum0, LoadPadded(d, g + i, count, T(0)), LoadPadded(d, y + i, count, T(0)),
                  abs_max0);
  }
  sums.Fold(hn::Add(sum0, sum1));
  const T sum = sums.Total();
  const auto vsum = hn::Set(d, sum);

  i = 0;
  if constexpr (kind == SoftmaxKind::kSoftmax) {
    for (; i + lanes <= n; i += lanes) {
      hn::StoreU(hn::Mul(hn::Sub(hn::LoadU(d, g + i), vsum), hn::LoadU(d, y + i)), d, gx + i);
    }
    for (; i < n; ++i) gx[i] = (g[i] - sum) * y[i];
  } else {
    const auto backward = [&](const auto& exp) {
      for (; i < n; i += lanes) {
        const std::size_t count = std::min(lanes, n - i);
        const auto e = exp(d, LoadPadded(d, y + i, count, T(0)));
        StoreFirst(d, hn::NegMulAdd(e, vsum, LoadPadded(d, g + i, count, T(0))), gx + i, count);
      }
    };
    if constexpr (sizeof(T) == 4) {
      const T abs_max = hn::GetLane(hn::MaxOfLanes(d, hn::Max(abs_max0, abs_max1)));
      if (abs_max <= kFastExpBound) return backward(FastExp(d));
    }
    backward(AnyExp());
  }
}

// --- neighbouring rows neighbouring in memory (dim is not last): one row per lane ----------

template <class T>
void ForwardColumns(SoftmaxKind kind, const T* x, T* y, std::size_t n, std::size_t stride,
                    std::size_t width) {
  const hn::ScalableTag<T> d;
  const std::size_t lanes = hn::Lanes(d);
  for (std::size_t j = 0; j < width; j += lanes) {
    const std::size_t count = std::min(lanes, width - j);
    auto vmax = hn::Set(d, kMinusInf<T>);
    auto has_nan = hn::IsNaN(vmax);
    for (std::size_t k = 0; k < n; ++k) {
      const auto v = LoadPadded(d, x + k * stride + j, count, kMinusInf<T>);
      vmax = hn::Max(vmax, v);
      has_nan = hn::Or(has_nan, hn::IsNaN(v));
    }
    // Rows whose x - max would meet a NaN: see ForwardRow.
    const auto invalid = hn::Or(has_nan, hn::Not(hn::IsFinite(vmax)));
    const auto nan = hn::Set(d, kNaN<T>);
    LaneSums<decltype(d)> sums(d);
    auto partial = hn::Zero(d);
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t at = k * stride + j;
      const auto e = SoftmaxExp(d, hn::Sub(LoadPadded(d, x + at, count, kMinusInf<T>), vmax));
      if (kind == SoftmaxKind::kSoftmax) StoreFirst(d, e, y + at, count);
      partial = hn::Add(partial, e);
      if ((k + 1) % kFoldEvery == 0) {
        sums.Fold(partial);
        partial = hn::Zero(d);
      }
    }
    sums.Fold(partial);
    const auto sum = sums.PerLane();
    if (kind == SoftmaxKind::kSoftmax) {
      const auto scale = hn::Div(hn::Set(d, T(1)), sum);
      for (std::size_t k = 0; k < n; ++k) {
        const std::size_t at = k * stride + j;
        const auto result = hn::Mul(LoadPadded(d, y + at, count, T(0)), scale);
        StoreFirst(d, hn::IfThenElse(invalid, nan, result), y + at, count);
      }
    } else {
      // Padding lanes hold sum 0; their log (-inf) is never stored.
      T log_sums[HWY_MAX_BYTES / sizeof(T)];
      hn::StoreU(sum, d, log_sums);
      for (std::size_t lane = 0; lane < lanes; ++lane) log_sums[lane] = std::log(log_sums[lane]);
      const auto log_sum = hn::LoadU(d, log_sums);
      for (std::size_t k = 0; k < n; ++k) {
        const std::size_t at = k * stride + j;
        const auto shifted = hn::Sub(LoadPadded(d, x + at, count, T(0)), vmax);
        StoreFirst(d, hn::IfThenElse(invalid, nan, hn::Sub(shifted, log_sum)), y + at, count);
      }
    }
  }
}

template <class T>
void BackwardColumns(SoftmaxKind kind, const T* g, const T* y, T* gx, std::size_t n,
                     std::size_t stride, std::size_t width) {
  const hn::ScalableTag<T> d;
  const std::size_t lanes = hn::Lanes(d);
  for (std::size_t j = 0; j < width; j += lanes) {
    const std::size_t count = std::min(lanes, width - j);
    LaneSums<decltype(d)> sums(d);
    auto partial = hn::Zero(d);
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t at = k * stride + j;
      const auto gv = LoadPadded(d, g + at, count, T(0));
      partial = kind == SoftmaxKind::kSoftmax
                    ? hn::MulAdd(gv, LoadPadded(d, y + at, count, T(0)), partial)
                    : hn::Add(partial, gv);
      if ((k + 1) % kFoldEvery == 0) {
        sums.Fold(partial);
        partial = hn::Zero(d);
      }
    }
    sums.Fold(partial);
    const auto sum = sums.PerLane();
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t at = k * stride + j;
      const auto gv = LoadPadded(d, g + at, count, T(0));
      const auto yv = LoadPadded(d, y + at, count, T(0));
      const auto result = kind == SoftmaxKind::kSoftmax ? hn::Mul(hn::Sub(gv, sum), yv)
                                                        : hn::NegMulAdd(SoftmaxExp(d, yv), sum, gv);
      StoreFirst(d, result, gx + at, count);
    }
  }
}

template <class T>
void Forward(SoftmaxKind kind, const SoftmaxRows& layout, const T* x, T* y) {
  if (layout.element_stride == 1) {
    for (std::size_t r = 0; r < layout.rows; ++r) {
      const std::size_t at = r * layout.row_stride;
      // The last row prefetches itself.
      const std::size_t next = r + 1 < layout.rows ? at + layout.row_stride : at;
      if (kind == SoftmaxKind::kSoftmax) {
        ForwardRow<SoftmaxKind::kSoftmax>(x + at, y + at, layout.length, x + next, y + next);
      } else {
        ForwardRow<SoftmaxKind::kLogSoftmax>(x + at, y + at, layout.length, x + next, y + next);
      }
    }
  } else {
    ForwardColumns(kind, x, y, layout.length, layout.element_stride, layout.rows);
  }
}

template <class T>
void Backward(SoftmaxKind kind, const SoftmaxRows& layout, const T* g, const T* y, T* gx) {
  if (layout.element_stride == 1) {
    for (std::size_t r = 0; r < layout.rows; ++r) {
      const std::size_t at = r * layout.row_stride;
      if (kind == SoftmaxKind::kSoftmax) {
        BackwardRow<SoftmaxKind::kSoftmax>(g + at, y + at, gx + at, layout.length);
      } else {
        BackwardRow<SoftmaxKind::kLogSoftmax>(g + at, y + at, gx + at, layout.length);
      }
    }
  } else {
    BackwardColumns(kind, g, y, gx, layout.length, layout.element_stride, layout.rows);
  }
}

void ForwardF32(SoftmaxKind kind, const SoftmaxRows& layout, const float* x, float* y) {
  Forward(kind, layout, x, y);
}
void ForwardF64(SoftmaxKind kind, const SoftmaxRows& layout, const double* x, double* y) {
  Forward(kind, layout, x, y);
}
void BackwardF32(SoftmaxKind kind, const SoftmaxRows& layout, const float* g, const float* y,
                 float* gx) {
  Backward(kind, layout, g, y, gx);
}
void BackwardF64(SoftmaxKind kind, const SoftmaxRows& layout, const double* g, const double* y,
                 double* gx) {
  Backward(kind, layout, g, y, gx);
}

}  // namespace activ::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace activ::kernels {

HWY_EXPORT(ForwardF32);
HWY_EXPORT(ForwardF64);
HWY_EXPORT(BackwardF32);
HWY_EXPORT(BackwardF64);

void softmax_forward(SoftmaxKind kind, const SoftmaxRows& layout, std::span<const float> x,
                     std::span<float> y) {
  HWY_DYNAMIC_DISPATCH(ForwardF32)(kind, layout, x.data(), y.data());
}
void softmax_forward(SoftmaxKind kind, const SoftmaxRows& layout, std::span<const double> x,
                     std::span<double> y) {
  HWY_DYNAMIC_DISPATCH(ForwardF64)(kind, layout, x.data(), y.data());
}
void softmax_backward(SoftmaxKind kind, const SoftmaxRows& layout,
                      std::span<const float> grad_output, std::span<const float> y,
                      std::span<float> grad_input) {
  HWY_DYNAMIC_DISPATCH(BackwardF32)(kind, layout, grad_output.data(), y.data(), grad_input.data());
}
void softmax_backward(SoftmaxKind kind, const SoftmaxRows& layout,
                      std::span<const double> grad_output, std::span<const double> y,
                      std::span<double> grad_input) {
  HWY_DYNAMIC_DISPATCH(BackwardF64)(kind, layout, grad_output.data(), y.data(), grad_input.data());
}

}  // namespace activ::kernels
#endif  // HWY_ONCE
