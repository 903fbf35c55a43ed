// SIMD softmax and log_softmax rows (softmax.h) for every Highway target, picked at run time.
// The operations and their order follow torch 1.13's vectorized CPU kernels: the row max, exp(x -
// max) summed in the input type, then a multiply by 1 / sum (softmax) or (x - max) - log(sum)
// (log_softmax); exp is within 1 ULP (Highway's polynomial).
#include "kernels/softmax.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

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

// float32 exp for |x| <= 86.5, where 2^round(x / ln 2) is a normal number: hn::Exp's reduction
// and polynomial (within 1 ULP), with a one-step exponent scaling and no range masking, a third
// fewer instructions: softmax spends most of its time here.
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
  const auto scale = hn::ShiftLeft<23>(hn::ConvertTo(di, q));
  return hn::BitCast(d, hn::Add(hn::BitCast(di, exp_r), scale));
}

// exp of any value; the fast path when every lane allows it (float32).
template <class D>
HWY_INLINE V<D> SoftmaxExp(D d, V<D> x) {
  if constexpr (sizeof(hn::TFromD<D>) == 4) {
    if (hn::AllTrue(d, hn::Le(hn::Abs(x), hn::Set(d, 86.5f)))) return ExpNormalFloat(d, x);
  }
  return ExpOfAny(d, x);
}

// Sums of a row, per lane in long double: the kernels add vectors of T for kFoldEvery steps,
// then fold them in here, so a sum of any length stays within about an ULP of T (one running
// sum of 1024 terms in T drifts by tens of ULPs).
constexpr std::size_t kFoldEvery = 8;

template <class D>
class LaneSums {
 public:
  using T = hn::TFromD<D>;
  explicit LaneSums(D d) : d_(d) {}
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

// --- rows contiguous in memory (dim is last) ------------------------------------------------

template <class T>
void ForwardRow(SoftmaxKind kind, const T* x, T* y, std::size_t n) {
  const hn::ScalableTag<T> d;
  const std::size_t lanes = hn::Lanes(d);
  V<decltype(d)> max0 = hn::Set(d, kMinusInf<T>), max1 = max0;
  std::size_t i = 0;
  for (; i + 2 * lanes <= n; i += 2 * lanes) {
    max0 = hn::Max(max0, hn::LoadU(d, x + i));
    max1 = hn::Max(max1, hn::LoadU(d, x + i + lanes));
  }
  for (; i < n; i += lanes) {
    max0 = hn::Max(max0, LoadPadded(d, x + i, std::min(lanes, n - i), kMinusInf<T>));
  }
  const T row_max = hn::GetLane(hn::MaxOfLanes(d, hn::Max(max0, max1)));
  // A NaN, +inf (inf - inf) or only -inf (-inf + inf) in torch's x - max makes the row NaN. The
  // max may have skipped a NaN (x86's max is not symmetric in NaN); then exp, and the sum, is
  // NaN.
  const auto make_nan = [&] { std::fill(y, y + n, kNaN<T>); };
  if (!std::isfinite(row_max)) return make_nan();

  const auto vmax = hn::Set(d, row_max);
  LaneSums sums(d);
  V<decltype(d)> sum0 = hn::Zero(d), sum1 = sum0;
  std::size_t steps = 0;
  i = 0;
  for (; i + 2 * lanes <= n; i += 2 * lanes) {
    const auto e0 = SoftmaxExp(d, hn::Sub(hn::LoadU(d, x + i), vmax));
    const auto e1 = SoftmaxExp(d, hn::Sub(hn::LoadU(d, x + i + lanes), vmax));
    if (kind == SoftmaxKind::kSoftmax) {
      hn::StoreU(e0, d, y + i);
      hn::StoreU(e1, d, y + i + lanes);
    }
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
    // Padding -inf: exp(-inf) = 0 adds nothing.
    const auto e = SoftmaxExp(d, hn::Sub(LoadPadded(d, x + i, count, kMinusInf<T>), vmax));
    if (kind == SoftmaxKind::kSoftmax) StoreFirst(d, e, y + i, count);
    sum0 = hn::Add(sum0, e);
  }
  sums.Fold(hn::Add(sum0, sum1));
  const T sum = sums.Total();
  if (std::isnan(sum)) return make_nan();

  i = 0;
  if (kind == SoftmaxKind::kSoftmax) {
    const T scale = T(1) / sum;
    const auto vscale = hn::Set(d, scale);
    for (; i + lanes <= n; i += lanes) hn::StoreU(hn::Mul(hn::LoadU(d, y + i), vscale), d, y + i);
    for (; i < n; ++i) y[i] *= scale;
  } else {
    const T log_sum = std::log(sum);
    const auto vlog_sum = hn::Set(d, log_sum);
    for (; i + lanes <= n; i += lanes) {
      hn::StoreU(hn::Sub(hn::Sub(hn::LoadU(d, x + i), vmax), vlog_sum), d, y + i);
    }
    for (; i < n; ++i) y[i] = (x[i] - row_max) - log_sum;
  }
}

template <class T>
void BackwardRow(SoftmaxKind kind, const T* g, const T* y, T* gx, std::size_t n) {
  const hn::ScalableTag<T> d;
  const std::size_t lanes = hn::Lanes(d);
  LaneSums sums(d);
  V<decltype(d)> sum0 = hn::Zero(d), sum1 = sum0;
  std::size_t steps = 0;
  std::size_t i = 0;
  // The sum of g * y (softmax) or of g (log_softmax); padding 0 adds nothing.
  auto add_to = [&](V<decltype(d)> sum, V<decltype(d)> gv, V<decltype(d)> yv) {
    return kind == SoftmaxKind::kSoftmax ? hn::MulAdd(gv, yv, sum) : hn::Add(sum, gv);
  };
  for (; i + 2 * lanes <= n; i += 2 * lanes) {
    sum0 = add_to(sum0, hn::LoadU(d, g + i), hn::LoadU(d, y + i));
    sum1 = add_to(sum1, hn::LoadU(d, g + i + lanes), hn::LoadU(d, y + i + lanes));
    if (++steps == kFoldEvery) {
      sums.Fold(hn::Add(sum0, sum1));
      sum0 = sum1 = hn::Zero(d);
      steps = 0;
    }
  }
  for (; i < n; i += lanes) {
    const std::size_t count = std::min(lanes, n - i);
    sum0 = add_to(sum0, LoadPadded(d, g + i, count, T(0)), LoadPadded(d, y + i, count, T(0)));
  }
  sums.Fold(hn::Add(sum0, sum1));
  const T sum = sums.Total();
  const auto vsum = hn::Set(d, sum);

  i = 0;
  if (kind == SoftmaxKind::kSoftmax) {
    for (; i + lanes <= n; i += lanes) {
      hn::StoreU(hn::Mul(hn::Sub(hn::LoadU(d, g + i), vsum), hn::LoadU(d, y + i)), d, gx + i);
    }
    for (; i < n; ++i) gx[i] = (g[i] - sum) * y[i];
  } else {
    for (; i < n; i += lanes) {
      const std::size_t count = std::min(lanes, n - i);
      const auto e = SoftmaxExp(d, LoadPadded(d, y + i, count, T(0)));
      StoreFirst(d, hn::NegMulAdd(e, vsum, LoadPadded(d, g + i, count, T(0))), gx + i, count);
    }
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
    LaneSums sums(d);
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
    LaneSums sums(d);
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
      ForwardRow(kind, x + at, y + at, layout.length);
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
      BackwardRow(kind, g + at, y + at, gx + at, layout.length);
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
