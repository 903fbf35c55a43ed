// Span entry points of the vectorized erf and erfc (erf-inl.h), dispatched to the best SIMD
// target of the running CPU.
#include "kernels/erf.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/erf.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "kernels/erf-inl.h"

HWY_BEFORE_NAMESPACE();
namespace activ::kernels::HWY_NAMESPACE {

template <class Function>
HWY_INLINE void ApplyDouble(const double* x, double* out, std::size_t n, Function function) {
  const hn::ScalableTag<double> d;
  const std::size_t lanes = hn::Lanes(d);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) hn::StoreU(function(d, hn::LoadU(d, x + i)), d, out + i);
  if (i == n) return;
  double buffer[HWY_MAX_BYTES / sizeof(double)] = {};
  std::memcpy(buffer, x + i, (n - i) * sizeof(double));
  hn::StoreU(function(d, hn::LoadU(d, buffer)), d, buffer);
  std::memcpy(out + i, buffer, (n - i) * sizeof(double));
}

void ErfcSpan(const double* x, double* out, std::size_t n) {
  ApplyDouble(x, out, n, [](auto d, auto v) { return Erfc(d, v); });
}
void ErfSpan(const double* x, double* out, std::size_t n) {
  ApplyDouble(x, out, n, [](auto d, auto v) { return Erf(d, v); });
}

}  // namespace activ::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace activ::kernels {

HWY_EXPORT(ErfcSpan);
HWY_EXPORT(ErfSpan);

void erfc(std::span<const double> x, std::span<double> out) {
  HWY_DYNAMIC_DISPATCH(ErfcSpan)(x.data(), out.data(), std::min(x.size(), out.size()));
}
void erf(std::span<const double> x, std::span<double> out) {
  HWY_DYNAMIC_DISPATCH(ErfSpan)(x.data(), out.data(), std::min(x.size(), out.size()));
}

}  // namespace activ::kernels
#endif  // HWY_ONCE
