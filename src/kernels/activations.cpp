// Lifts each activation's vector math (activation_math-inl.h) to span kernels for every SIMD
// target and picks the best one at run time.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <type_traits>

#include "activ/error.h"
#include "activ/kernels.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/activations.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "kernels/activation_math-inl.h"
// The float32 kernels build on activation_math-inl.h's.
#include "kernels/activation_float32-inl.h"

HWY_BEFORE_NAMESPACE();
namespace activ::kernels::HWY_NAMESPACE {

// Applies op to n elements of `inputs` (1 or 2 arrays of T) into out, one vector at a time; the
// tail goes through a zero-padded stack buffer, so every element sees the same code. float32
// is widened to float64 unless kNative.
template <bool kNative, class T, std::size_t kInputs, class Op>
HWY_INLINE void Apply(const T* const* inputs, T* out, std::size_t n, Op op) {
  using Compute = std::conditional_t<kNative, T, double>;
  const hn::ScalableTag<Compute> dc;
  const hn::Rebind<T, decltype(dc)> dt;
  const std::size_t lanes = hn::Lanes(dc);
  auto load = [&](const T* p) {
    if constexpr (std::is_same_v<T, Compute>)
      return hn::LoadU(dc, p);
    else
      return hn::PromoteTo(dc, hn::LoadU(dt, p));
  };
  auto store = [&](V<decltype(dc)> v, T* p) {
    if constexpr (std::is_same_v<T, Compute>)
      hn::StoreU(v, dc, p);
    else
      hn::StoreU(hn::DemoteTo(dt, v), dt, p);
  };
  // Prefetching 2 KB ahead, the output too, keeps the loads of arrays beyond the cache in flight
  // while the core computes: on a Xeon (Emerald Rapids) at 16M float32 elements on 2 threads,
  // GELU went from 71-79% of a copy's throughput to 89-101%, float64 Tanh from 64-80% to 84-86%
  // (1 KB ahead: 85-92%; 4 KB: as 2 KB). Prefetches past the end are harmless: they never fault.
  constexpr std::size_t kAhead = 2048 / sizeof(T);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    for (std::size_t k = 0; k < kInputs; ++k) __builtin_prefetch(inputs[k] + i + kAhead, 0);
    __builtin_prefetch(out + i + kAhead, 1);
    if constexpr (kInputs == 1)
      store(op(dc, load(inputs[0] + i)), out + i);
    else
      store(op(dc, load(inputs[0] + i), load(inputs[1] + i)), out + i);
  }
  if (i == n) return;
  constexpr std::size_t kMaxLanes = HWY_MAX_BYTES / sizeof(T);
  T buffers[2][kMaxLanes] = {};
  T result[kMaxLanes];
  const std::size_t rest = n - i;
  for (std::size_t k = 0; k < kInputs; ++k)
    std::memcpy(buffers[k], inputs[k] + i, rest * sizeof(T));
  if constexpr (kInputs == 1)
    store(op(dc, load(buffers[0])), result);
  else
    store(op(dc, load(buffers[0]), load(buffers[1])), result);
  std::memcpy(out + i, result, rest * sizeof(T));
}

template <class Math, class D>
HWY_INLINE V<D> PropagateNaN(V<D> x, V<D> result) {
  if constexpr (Math::kPropagateNaN)
    return hn::IfThenElse(hn::IsNaN(x), x, result);
  else
    return result;
}

// A float32 kernel whose forward gives NaN for NaN by itself (kForwardKeepsNaN) skips the check.
template <class Kernel>
constexpr bool ForwardKeepsNaN() {
  if constexpr (requires { Kernel::kForwardKeepsNaN; })
    return Kernel::kForwardKeepsNaN;
  else
    return false;
}

// Math's float32 kernel (activation_float32-inl.h) for float32 where it has one, computed in
// float32; otherwise Math, float32 widened to float64 unless Math is native. The float32 kernels
// keep their error bounds through fused multiply-adds (exact products, compensated arguments):
// on targets without FMA, where MulAdd rounds twice, float32 is widened instead.
template <class Math, class T>
inline constexpr bool kHasFloat32Kernel = HWY_NATIVE_FMA&& std::is_same_v<T, float> &&
                                          !std::is_void_v<typename Float32Kernel<Math>::type>;
template <class Math, class T>
using KernelOf =
    std::conditional_t<kHasFloat32Kernel<Math, T>, typename Float32Kernel<Math>::type, Math>;
template <class Math, class T>
inline constexpr bool kComputeNative = Math::kNative || kHasFloat32Kernel<Math, T>;

// The parameters come by value: the compiler then knows the output stores cannot change them
// and keeps them in registers (from a pointer, float64 kernels reloaded them for every vector).
template <class Math, class T, class P>
void Forward(const T* x, T* y, std::size_t n, P params) {
  using Kernel = KernelOf<Math, T>;
  const T* inputs[] = {x};
  Apply<kComputeNative<Math, T>, T, 1>(inputs, y, n, [params](auto d, auto v) {
    if constexpr (ForwardKeepsNaN<Kernel>())
      return Kernel::Forward(d, v, params);
    else
      return PropagateNaN<Math, decltype(d)>(v, Kernel::Forward(d, v, params));
  });
}
template <class Math, class T, class P>
void Backward(const T* g, const T* x, T* gx, std::size_t n, P params) {
  using Kernel = KernelOf<Math, T>;
  const T* inputs[] = {g, x};
  Apply<kComputeNative<Math, T>, T, 2>(inputs, gx, n, [params](auto d, auto gv, auto xv) {
    return PropagateNaN<Math, decltype(d)>(xv, Kernel::Backward(d, gv, xv, params));
  });
}
// f'' (double backward) stays in float64 for float32.
template <class Math, class T, class P>
void Second(const T* x, T* out, std::size_t n, P params) {
  const T* inputs[] = {x};
  Apply<Math::kNative, T, 1>(inputs, out, n, [params](auto d, auto v) {
    return PropagateNaN<Math, decltype(d)>(v, Math::Second(d, v, params));
  });
}

// The table's smoothness column and the Math struct's base agree.
template <class Math>
constexpr Smoothness kSmoothnessOf =
    std::is_base_of_v<PiecewiseLinear, Math> ? Smoothness::kPiecewiseLinear : Smoothness::kSmooth;

// One exported entry per activation, kind and type, listed in table order.
#define ACTIV_DEFINE_KERNELS(Module, functional, smoothness, ...)                            \
  static_assert(kSmoothnessOf<Module##Math> == Smoothness::smoothness,                       \
                #Module "Math's base (PiecewiseLinear or Smooth) disagrees with the table"); \
  void Module##ForwardF32(const float* x, float* y, std::size_t n, Module##Params p) {       \
    Forward<Module##Math>(x, y, n, p);                                                       \
  }                                                                                          \
  void Module##ForwardF64(const double* x, double* y, std::size_t n, Module##Params p) {     \
    Forward<Module##Math>(x, y, n, p);                                                       \
  }                                                                                          \
  void Module##BackwardF32(const float* g, const float* x, float* gx, std::size_t n,         \
                           Module##Params p) {                                               \
    Backward<Module##Math>(g, x, gx, n, p);                                                  \
  }                                                                                          \
  void Module##BackwardF64(const double* g, const double* x, double* gx, std::size_t n,      \
                           Module##Params p) {                                               \
    Backward<Module##Math>(g, x, gx, n, p);                                                  \
  }                                                                                          \
  void Module##SecondF32(const float* x, float* y, std::size_t n, Module##Params p) {        \
    Second<Module##Math>(x, y, n, p);                                                        \
  }                                                                                          \
  void Module##SecondF64(const double* x, double* y, std::size_t n, Module##Params p) {      \
    Second<Module##Math>(x, y, n, p);                                                        \
  }
ACTIV_ELEMENTWISE_ACTIVATIONS(ACTIV_DEFINE_KERNELS, ACTIV_IGNORE_OPTION)
#undef ACTIV_DEFINE_KERNELS

}  // namespace activ::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace activ::kernels {

#define ACTIV_EXPORT_KERNELS(Module, ...) \
  HWY_EXPORT(Module##ForwardF32);         \
  HWY_EXPORT(Module##ForwardF64);         \
  HWY_EXPORT(Module##BackwardF32);        \
  HWY_EXPORT(Module##BackwardF64);        \
  HWY_EXPORT(Module##SecondF32);          \
  HWY_EXPORT(Module##SecondF64);
ACTIV_ELEMENTWISE_ACTIVATIONS(ACTIV_EXPORT_KERNELS, ACTIV_IGNORE_OPTION)
#undef ACTIV_EXPORT_KERNELS

namespace {
// ACTIV_MAX_SIMD=sse4|avx2 keeps the kernels to that instruction set or older, so the code
// paths of older CPUs can be tested (and compared) on a newer one.
void cap_simd_target_from_environment() {
  const char* cap = std::getenv("ACTIV_MAX_SIMD");
  if (!cap) return;
  const std::string name(cap);
  // Highway numbers better targets with lower bits: disabling the bits below a target keeps it
  // and everything older.
  if (name == "sse4") hwy::DisableTargets(HWY_SSE4 - 1);
  if (name == "avx2") hwy::DisableTargets(HWY_AVX2 - 1);
}

// Chooses the target once, before the kernel sets capture their entries (unresolved, every entry
// is Highway's first-call trampoline, which re-detects the CPU (CPUID) on each call), and returns
// its name. Only here: hwy::SupportedTargets() re-detects and re-chooses, ignoring the cap.
const char* choose_target() {
  static const char* const chosen = [] {
    cap_simd_target_from_environment();
    const std::int64_t targets = hwy::SupportedTargets();
    hwy::GetChosenTarget().Update(targets);
    const std::int64_t compiled = targets & HWY_TARGETS;
    return hwy::TargetName(compiled & -compiled);  // the lowest bit is the best target
  }();
  return chosen;
}

template <class T, class P>
struct KernelSet {
  void (*forward)(const T*, T*, std::size_t, P);
  void (*backward)(const T*, const T*, T*, std::size_t, P);
  void (*second)(const T*, T*, std::size_t, P);
};

// A size mismatch is a caller's bug: computing over the shorter span would leave the rest of
// the output unwritten.
void check_sizes(const char* op, std::size_t a, std::size_t b) {
  if (a != b) {
    throw ValueError(std::string("kernels::") + op + ": expected spans of the same size, got " +
                     std::to_string(a) + " and " + std::to_string(b) + " elements");
  }
}
}  // namespace

const char* simd_target() { return choose_target(); }

#define ACTIV_KERNEL_ENTRY_POINTS(Module, T, suffix)                                      \
  namespace {                                                                             \
  const KernelSet<T, Module##Params>& Module##Kernels##suffix() {                         \
    choose_target();                                                                      \
    static const KernelSet<T, Module##Params> set = {                                     \
        HWY_DYNAMIC_DISPATCH(Module##Forward##suffix),                                    \
        HWY_DYNAMIC_DISPATCH(Module##Backward##suffix),                                   \
        HWY_DYNAMIC_DISPATCH(Module##Second##suffix)};                                    \
    return set;                                                                           \
  }                                                                                       \
  }                                                                                       \
  void forward(Module##Params params, std::span<const T> x, std::span<T> y) {             \
    check_sizes("forward", x.size(), y.size());                                           \
    Module##Kernels##suffix().forward(x.data(), y.data(), x.size(), params);              \
  }                                                                                       \
  void backward(Module##Params params, std::span<const T> g, std::span<const T> x,        \
                std::span<T> gx) {                                                        \
    check_sizes("backward", g.size(), x.size());                                          \
    check_sizes("backward", x.size(), gx.size());                                         \
    Module##Kernels##suffix().backward(g.data(), x.data(), gx.data(), x.size(), params);  \
  }                                                                                       \
  void second_derivative(Module##Params params, std::span<const T> x, std::span<T> out) { \
    check_sizes("second_derivative", x.size(), out.size());                               \
    Module##Kernels##suffix().second(x.data(), out.data(), x.size(), params);             \
  }
#define ACTIV_KERNEL_ENTRY_POINTS_BOTH(Module, ...) \
  ACTIV_KERNEL_ENTRY_POINTS(Module, float, F32)     \
  ACTIV_KERNEL_ENTRY_POINTS(Module, double, F64)
ACTIV_ELEMENTWISE_ACTIVATIONS(ACTIV_KERNEL_ENTRY_POINTS_BOTH, ACTIV_IGNORE_OPTION)
#undef ACTIV_KERNEL_ENTRY_POINTS_BOTH
#undef ACTIV_KERNEL_ENTRY_POINTS

Activation activation_of(const Params& params) {
  return std::visit(
      []<class P>(const P&) {
        if constexpr (std::is_same_v<P, std::monostate>)
          return Activation::kCount;
        else
          return P::kActivation;
      },
      params);
}

namespace {
// call(typed params) for the activation `params` holds.
template <class Call>
void dispatch(const char* op, const Params& params, Call call) {
  std::visit(
      [&]<class P>(const P& typed) {
        if constexpr (std::is_same_v<P, std::monostate>)
          throw ValueError(std::string("kernels::") + op + ": no activation's parameters given");
        else
          call(typed);
      },
      params);
}
}  // namespace

void forward(const Params& params, std::span<const float> x, std::span<float> y) {
  dispatch("forward", params, [&](auto typed) { forward(typed, x, y); });
}
void forward(const Params& params, std::span<const double> x, std::span<double> y) {
  dispatch("forward", params, [&](auto typed) { forward(typed, x, y); });
}
void backward(const Params& params, std::span<const float> g, std::span<const float> x,
              std::span<float> gx) {
  dispatch("backward", params, [&](auto typed) { backward(typed, g, x, gx); });
}
void backward(const Params& params, std::span<const double> g, std::span<const double> x,
              std::span<double> gx) {
  dispatch("backward", params, [&](auto typed) { backward(typed, g, x, gx); });
}
void second_derivative(const Params& params, std::span<const float> x, std::span<float> out) {
  dispatch("second_derivative", params, [&](auto typed) { second_derivative(typed, x, out); });
}
void second_derivative(const Params& params, std::span<const double> x, std::span<double> out) {
  dispatch("second_derivative", params, [&](auto typed) { second_derivative(typed, x, out); });
}

}  // namespace activ::kernels
#endif  // HWY_ONCE
