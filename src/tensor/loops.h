// The strided loop engine under every elementwise tensor op: walks N operands of one
// iteration shape (inputs already broadcast, so a broadcast dim has stride 0), merges dims
// that are contiguous for all operands, splits the work over threads, and hands each
// innermost run to a kernel as pointers plus byte strides.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <utility>

#include "activ/parallel.h"
#include "activ/tensor.h"

namespace activ::detail {

// Elements per thread chunk for cheap elementwise work; below it a loop stays on one thread.
inline constexpr std::int64_t kElementwiseGrain = 32768;

template <std::size_t N>
struct LoopPlan {
  Shape sizes;                                // merged iteration shape, innermost last
  std::array<Shape, N> strides;               // bytes, per operand
  std::array<std::byte*, N> base{};           // first element of each operand
  std::int64_t numel = 1;
};

// operands[0] is usually the output; each must already have the iteration shape `sizes`.
template <std::size_t N>
LoopPlan<N> plan_loop(const Shape& sizes, const std::array<const Tensor*, N>& operands) {
  LoopPlan<N> plan;
  for (std::size_t k = 0; k < N; ++k) {
    const Tensor& t = *operands[k];
    plan.base[k] = t.storage()->data() + (t.storage_offset() * static_cast<std::int64_t>(itemsize(t.dtype())));
  }
  for (auto s : sizes) plan.numel *= s;
  // Walk dims from innermost out, merging a dim into the one inside it when every operand
  // steps over it as one contiguous block.
  for (std::int64_t d = static_cast<std::int64_t>(sizes.size()) - 1; d >= 0; --d) {
    const std::int64_t size = sizes[d];
    if (size == 1) continue;
    std::array<std::int64_t, N> stride{};
    for (std::size_t k = 0; k < N; ++k) {
      stride[k] = operands[k]->strides()[d] * static_cast<std::int64_t>(itemsize(operands[k]->dtype()));
    }
    bool merge = !plan.sizes.empty();
    for (std::size_t k = 0; merge && k < N; ++k) {
      merge = stride[k] == plan.strides[k].front() * plan.sizes.front();
    }
    if (merge) {
      plan.sizes.front() *= size;
    } else {
      plan.sizes.insert(plan.sizes.begin(), size);
      for (std::size_t k = 0; k < N; ++k) plan.strides[k].insert(plan.strides[k].begin(), stride[k]);
    }
  }
  if (plan.sizes.empty()) {  // a single element
    plan.sizes.push_back(1);
    for (std::size_t k = 0; k < N; ++k) plan.strides[k].push_back(0);
  }
  return plan;
}

// Calls inner(ptrs, inner_strides, n) on runs along the innermost merged dim, covering
// every element exactly once, in parallel chunks of at least `grain` elements.
template <std::size_t N, class Inner>
void run_loop(const LoopPlan<N>& plan, std::int64_t grain, Inner&& inner) {
  if (plan.numel == 0) return;
  const std::int64_t ndim = static_cast<std::int64_t>(plan.sizes.size());
  const std::int64_t inner_size = plan.sizes.back();
  std::array<std::int64_t, N> inner_stride;
  for (std::size_t k = 0; k < N; ++k) inner_stride[k] = plan.strides[k].back();

  auto chunk = [&](std::int64_t lo, std::int64_t hi) {
    // Multi-index of element lo over the outer dims, and the offset within the row.
    std::array<std::int64_t, kMaxDims + 1> index{};
    std::int64_t rest = lo / inner_size;
    std::int64_t col = lo % inner_size;
    for (std::int64_t d = ndim - 2; d >= 0; --d) {
      index[d] = rest % plan.sizes[d];
      rest /= plan.sizes[d];
    }
    std::array<std::byte*, N> row;
    for (std::size_t k = 0; k < N; ++k) {
      std::int64_t offset = 0;
      for (std::int64_t d = 0; d < ndim - 1; ++d) offset += index[d] * plan.strides[k][d];
      row[k] = plan.base[k] + offset;
    }
    std::int64_t pos = lo;
    while (pos < hi) {
      const std::int64_t n = std::min(inner_size - col, hi - pos);
      std::array<std::byte*, N> ptrs;
      for (std::size_t k = 0; k < N; ++k) ptrs[k] = row[k] + col * inner_stride[k];
      inner(ptrs, inner_stride, n);
      pos += n;
      col = 0;
      // Advance the outer multi-index by one row.
      for (std::int64_t d = ndim - 2; d >= 0; --d) {
        for (std::size_t k = 0; k < N; ++k) row[k] += plan.strides[k][d];
        if (++index[d] < plan.sizes[d]) break;
        for (std::size_t k = 0; k < N; ++k) row[k] -= plan.strides[k][d] * plan.sizes[d];
        index[d] = 0;
      }
    }
  };
  parallel_for(0, plan.numel, grain, chunk);
}

// out[i] = f(a[i]) elementwise; out and a have the same shape (a may be a broadcast view).
template <class R, class A, class F>
void unary_loop(const Tensor& out, const Tensor& a, F f, std::int64_t grain = kElementwiseGrain) {
  auto plan = plan_loop<2>(out.sizes(), {&out, &a});
  run_loop(plan, grain, [&](const std::array<std::byte*, 2>& p, const std::array<std::int64_t, 2>& s,
                            std::int64_t n) {
    if (s[0] == sizeof(R) && s[1] == sizeof(A)) {
      R* o = reinterpret_cast<R*>(p[0]);
      const A* x = reinterpret_cast<const A*>(p[1]);
      for (std::int64_t i = 0; i < n; ++i) o[i] = f(x[i]);
    } else {
      for (std::int64_t i = 0; i < n; ++i) {
        *reinterpret_cast<R*>(p[0] + i * s[0]) = f(*reinterpret_cast<const A*>(p[1] + i * s[1]));
      }
    }
  });
}

// out[i] = f(a[i], b[i]); a and b already expanded to out's shape.
template <class R, class A, class B, class F>
void binary_loop(const Tensor& out, const Tensor& a, const Tensor& b, F f,
                 std::int64_t grain = kElementwiseGrain) {
  auto plan = plan_loop<3>(out.sizes(), {&out, &a, &b});
  run_loop(plan, grain, [&](const std::array<std::byte*, 3>& p, const std::array<std::int64_t, 3>& s,
                            std::int64_t n) {
    R* o = reinterpret_cast<R*>(p[0]);
    const A* x = reinterpret_cast<const A*>(p[1]);
    const B* y = reinterpret_cast<const B*>(p[2]);
    if (s[0] == sizeof(R) && s[1] == sizeof(A) && s[2] == sizeof(B)) {
      // In place (o == x): a loop the compiler can vectorize, where o and x would fail its
      // overlap check and run scalar.
      if (static_cast<const void*>(o) == static_cast<const void*>(x)) {
        for (std::int64_t i = 0; i < n; ++i) o[i] = f(o[i], y[i]);
        return;
      }
      for (std::int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i]);
    } else if (s[0] == sizeof(R) && s[1] == sizeof(A) && s[2] == 0) {
      const B y0 = *y;
      for (std::int64_t i = 0; i < n; ++i) o[i] = f(x[i], y0);
    } else {
      for (std::int64_t i = 0; i < n; ++i) {
        *reinterpret_cast<R*>(p[0] + i * s[0]) = f(*reinterpret_cast<const A*>(p[1] + i * s[1]),
                                                   *reinterpret_cast<const B*>(p[2] + i * s[2]));
      }
    }
  });
}

// out[i] = f(c[i], a[i], b[i]); all already expanded to out's shape.
template <class R, class C, class A, class B, class F>
void ternary_loop(const Tensor& out, const Tensor& c, const Tensor& a, const Tensor& b, F f) {
  auto plan = plan_loop<4>(out.sizes(), {&out, &c, &a, &b});
  run_loop(plan, kElementwiseGrain,
           [&](const std::array<std::byte*, 4>& p, const std::array<std::int64_t, 4>& s, std::int64_t n) {
             for (std::int64_t i = 0; i < n; ++i) {
               *reinterpret_cast<R*>(p[0] + i * s[0]) =
                   f(*reinterpret_cast<const C*>(p[1] + i * s[1]), *reinterpret_cast<const A*>(p[2] + i * s[2]),
                     *reinterpret_cast<const B*>(p[3] + i * s[3]));
             }
           });
}

}  // namespace activ::detail
