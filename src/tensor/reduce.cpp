// Reductions along dims: sum, mean, max/min with indices, argmax/argmin, logsumexp.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "activ/autograd.h"
#include "activ/parallel.h"
#include "activ/tensor.h"

namespace activ {
namespace {

// The input rearranged as a contiguous [outer, inner] matrix whose rows are the elements
// reduced together, and the shape of the result.
struct ReductionLayout {
  Tensor rows;  // contiguous, shape [outer, inner]
  std::int64_t outer = 1;
  std::int64_t inner = 1;
  Shape out_shape;  // with or without the kept size-1 dims
};

ReductionLayout layout_for(const Tensor& x, const Shape& dims, bool keepdim, const char* op) {
  if (!x.defined()) throw ValueError(std::string(op) + ": the tensor is undefined");
  const std::int64_t ndim = x.dim();
  std::vector<bool> reduced(std::max<std::int64_t>(ndim, 1), dims.empty());
  for (auto d : dims) {
    const std::int64_t w = wrap_dim(d, ndim, op);
    if (reduced[w] && !dims.empty()) {
      throw ValueError(std::string(op) + ": dim " + std::to_string(w) +
                       " appears multiple times in the list of dims");
    }
    reduced[w] = true;
  }
  Shape order, out_shape;
  Shape kept_order, reduced_order;
  ReductionLayout layout;
  for (std::int64_t d = 0; d < ndim; ++d) {
    if (reduced[d]) {
      reduced_order.push_back(d);
      layout.inner *= x.sizes()[d];
      if (keepdim) out_shape.push_back(1);
    } else {
      kept_order.push_back(d);
      layout.outer *= x.sizes()[d];
      out_shape.push_back(x.sizes()[d]);
    }
  }
  order = kept_order;
  order.insert(order.end(), reduced_order.begin(), reduced_order.end());
  layout.rows = x.permute(order).contiguous().view({layout.outer, layout.inner});
  layout.out_shape = out_shape;
  return layout;
}

// Runs row_fn(row_pointer, inner, out_index) for each row, in parallel over rows.
template <class T, class RowFn>
void for_each_row(const ReductionLayout& layout, RowFn row_fn) {
  const T* data = layout.rows.data_ptr<T>();
  const std::int64_t grain =
      std::max<std::int64_t>(1, 32768 / std::max<std::int64_t>(layout.inner, 1));
  parallel_for(0, layout.outer, grain, [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t r = lo; r < hi; ++r) row_fn(data + r * layout.inner, layout.inner, r);
  });
}

// Pairwise summation in a wide accumulator: error grows with log(n), not n.
template <class Acc, class T>
Acc pairwise_sum(const T* p, std::int64_t n) {
  if (n <= 32) {
    Acc s = 0;
    for (std::int64_t i = 0; i < n; ++i) s += static_cast<Acc>(p[i]);
    return s;
  }
  const std::int64_t half = n / 2;
  return pairwise_sum<Acc>(p, half) + pairwise_sum<Acc>(p + half, n - half);
}

template <class T>
using Accumulator = std::conditional_t<std::is_floating_point_v<T>, double, std::int64_t>;

Tensor sum_impl(const Tensor& x, const Shape& dims, bool keepdim, const char* op) {
  const ReductionLayout layout = layout_for(x, dims, keepdim, op);
  const Dtype out_dtype = x.is_floating_point() ? x.dtype() : Dtype::Int64;
  Tensor out = empty(layout.out_shape, out_dtype);
  visit_dtype(x.dtype(), [&]<class T>() {
    using Out = std::conditional_t<std::is_floating_point_v<T>, T, std::int64_t>;
    Out* o = out.data_ptr<Out>();
    for_each_row<T>(layout, [&](const T* row, std::int64_t n, std::int64_t r) {
      if constexpr (std::is_floating_point_v<T>) {
        o[r] = static_cast<Out>(pairwise_sum<double>(row, n));
      } else {
        std::uint64_t s = 0;  // wraps on overflow as torch's does
        for (std::int64_t i = 0; i < n; ++i)
          s += static_cast<std::uint64_t>(static_cast<std::int64_t>(row[i]));
        o[r] = static_cast<std::int64_t>(s);
      }
    });
  });
  return out;
}

// Index of the maximum (or minimum) of each row: the first NaN if there is one, else the
// first extreme value, as torch's CPU kernels pick it.
template <bool kMax, class T>
std::int64_t extreme_index(const T* row, std::int64_t n) {
  std::int64_t best = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const T v = row[i];
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(v)) return i;
    }
    if (kMax ? v > row[best] : v < row[best]) best = i;
  }
  return best;
}

template <bool kMax>
MaxResult extreme_along(const Tensor& x, std::int64_t dim, bool keepdim, const char* op) {
  if (!x.defined()) throw ValueError(std::string(op) + ": the tensor is undefined");
  const std::int64_t d = wrap_dim(dim, x.dim(), op);
  if (x.dim() > 0 && x.sizes()[d] == 0) {
    throw IndexError(std::string(op) + ": expected reduction dim " + std::to_string(d) +
                     " to have non-zero size");
  }
  const ReductionLayout layout = layout_for(x, {dim}, keepdim, op);
  MaxResult result{empty(layout.out_shape, x.dtype()), empty(layout.out_shape, Dtype::Int64)};
  visit_dtype(x.dtype(), [&]<class T>() {
    T* values = result.values.data_ptr<T>();
    std::int64_t* indices = result.indices.data_ptr<std::int64_t>();
    for_each_row<T>(layout, [&](const T* row, std::int64_t n, std::int64_t r) {
      const std::int64_t i = extreme_index<kMax>(row, n);
      values[r] = row[i];
      indices[r] = i;
    });
  });
  return result;
}

template <bool kMax>
Tensor extreme_all(const Tensor& x, const char* op) {
  if (!x.defined()) throw ValueError(std::string(op) + ": the tensor is undefined");
  if (x.numel() == 0) {
    throw IndexError(std::string(op) +
                     ": expected reduction dim to be specified for input.numel() == 0; specify the "
                     "reduction dim "
                     "with the 'dim' argument");
  }
  return extreme_along<kMax>(x.reshape({-1}), 0, false, op).values;
}

template <bool kMax>
Tensor arg_extreme(const Tensor& x, std::optional<std::int64_t> dim, bool keepdim, const char* op) {
  if (!x.defined()) throw ValueError(std::string(op) + ": the tensor is undefined");
  if (x.dtype() == Dtype::Bool)
    throw TypeError(std::string(op) + ": not implemented for bool tensors");
  if (!dim) {
    if (x.numel() == 0) {
      throw IndexError(std::string(op) +
                       ": expected reduction dim to be specified for input.numel() == 0");
    }
    Tensor index = extreme_along<kMax>(x.reshape({-1}), 0, false, op).indices;
    return keepdim ? index.reshape(Shape(x.dim(), 1)) : index;
  }
  return extreme_along<kMax>(x, *dim, keepdim, op).indices;
}

}  // namespace

namespace {
// A reduced gradient brought back to the input's shape: the reduced dims are put back (when
// not kept) and broadcast.
Tensor expand_reduced(const Tensor& g, const Shape& input_shape, const Shape& dims, bool keepdim) {
  Tensor out = g;
  if (!keepdim && !input_shape.empty()) {
    const std::int64_t ndim = static_cast<std::int64_t>(input_shape.size());
    std::vector<bool> reduced(ndim, dims.empty());
    for (auto d : dims) reduced[wrap_dim(d, ndim, "sum")] = true;
    for (std::int64_t d = 0; d < ndim; ++d) {
      if (reduced[d]) out = out.unsqueeze(d);
    }
  }
  return out.expand(input_shape);
}

std::int64_t reduced_count(const Shape& shape, const Shape& dims) {
  std::int64_t n = 1;
  const std::int64_t ndim = static_cast<std::int64_t>(shape.size());
  if (dims.empty()) {
    for (auto s : shape) n *= s;
  } else {
    for (auto d : dims) n *= shape.empty() ? 1 : shape[wrap_dim(d, ndim, "mean")];
  }
  return n;
}

Tensor mean_values(const Tensor& x, const Shape& dims, bool keepdim) {
  if (x.defined() && !x.is_floating_point()) {
    throw TypeError(
        "mean: could not infer output dtype; input dtype must be a floating point dtype, got " +
        std::string(name(x.dtype())));
  }
  const ReductionLayout layout = layout_for(x, dims, keepdim, "mean");
  Tensor out = empty(layout.out_shape, x.dtype());
  visit_dtype(x.dtype(), [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      T* o = out.data_ptr<T>();
      for_each_row<T>(layout, [&](const T* row, std::int64_t n, std::int64_t r) {
        o[r] = static_cast<T>(pairwise_sum<double>(row, n) / static_cast<double>(n));
      });
    }
  });
  return out;
}
}  // namespace

namespace {
Tensor sum_differentiable(const Tensor& x, const Shape& dims, bool keepdim, const char* node_name) {
  return autograd::differentiable(
      node_name, {x}, [&] { return sum_impl(x, dims, keepdim, "sum"); },
      [shape = x.sizes(), dims, keepdim](const Tensor& g) -> std::vector<Tensor> {
        return {expand_reduced(g, shape, dims, keepdim)};
      });
}

Tensor mean_differentiable(const Tensor& x, const Shape& dims, bool keepdim,
                           const char* node_name) {
  return autograd::differentiable(
      node_name, {x}, [&] { return mean_values(x, dims, keepdim); },
      [shape = x.sizes(), dims, keepdim](const Tensor& g) -> std::vector<Tensor> {
        return {expand_reduced(g, shape, dims, keepdim) /
                static_cast<double>(reduced_count(shape, dims))};
      });
}
}  // namespace

// torch names the all-elements reductions ...Backward0 and the ones over dims ...Backward1.
Tensor sum(const Tensor& x) {
  return sum_differentiable(x, {}, false, "SumBackward0");
}
Tensor sum(const Tensor& x, const Shape& dims, bool keepdim) {
  return sum_differentiable(x, dims, keepdim, "SumBackward1");
}
Tensor mean(const Tensor& x) {
  return mean_differentiable(x, {}, false, "MeanBackward0");
}
Tensor mean(const Tensor& x, const Shape& dims, bool keepdim) {
  return mean_differentiable(x, dims, keepdim, "MeanBackward1");
}

namespace {
// Gradient of max()/min() over all elements: shared evenly by the elements equal to the result.
Tensor extreme_all_differentiable(const Tensor& x, bool is_max) {
  return autograd::differentiable(
      is_max ? "MaxBackward1" : "MinBackward1", {x},
      [&] { return is_max ? extreme_all<true>(x, "max") : extreme_all<false>(x, "min"); },
      [sx = autograd::SavedTensor(x), is_max](const Tensor& g) -> std::vector<Tensor> {
        const Tensor v = sx.unpack();
        const Tensor result = is_max ? max(v.detach()) : min(v.detach());
        const Tensor hits = eq(v.detach(), result);
        const Tensor share = g / sum(hits.to(g.dtype()));
        return {where(hits, share.expand(v.sizes()), zeros_like(v, g.dtype()))};
      });
}

// Gradient of max/min along a dim: to the element the index names.
MaxResult extreme_along_differentiable(const Tensor& x, std::int64_t dim, bool keepdim,
                                       bool is_max) {
  MaxResult result = autograd::without_grad([&] {
    return is_max ? extreme_along<true>(x, dim, keepdim, "max")
                  : extreme_along<false>(x, dim, keepdim, "min");
  });
  if (autograd::needs_grad({x})) {
    autograd::record(
        is_max ? "MaxBackward0" : "MinBackward0", result.values, {x},
        [shape = x.sizes(), indices = result.indices, dim,
         keepdim](const Tensor& g) -> std::vector<Tensor> {
          const std::int64_t d = wrap_dim(dim, static_cast<std::int64_t>(shape.size()), "max");
          const Tensor index = keepdim || shape.empty() ? indices : indices.unsqueeze(d);
          const Tensor grad = keepdim || shape.empty() ? g : g.unsqueeze(d);
          Shape position_shape(shape.size(), 1);
          if (!shape.empty()) position_shape[d] = shape[d];
          const Tensor positions = arange(shape.empty() ? 1 : shape[d]).view(position_shape);
          const Tensor hit = eq(positions, index);
          return {where(hit, grad.expand(shape), zeros(shape, g.dtype()))};
        });
  }
  return result;
}
}  // namespace

Tensor max(const Tensor& x) {
  return extreme_all_differentiable(x, true);
}
Tensor min(const Tensor& x) {
  return extreme_all_differentiable(x, false);
}
MaxResult max(const Tensor& x, std::int64_t dim, bool keepdim) {
  return extreme_along_differentiable(x, dim, keepdim, true);
}
MaxResult min(const Tensor& x, std::int64_t dim, bool keepdim) {
  return extreme_along_differentiable(x, dim, keepdim, false);
}
Tensor argmax(const Tensor& x, std::optional<std::int64_t> dim, bool keepdim) {
  return arg_extreme<true>(x, dim, keepdim, "argmax");
}
Tensor argmin(const Tensor& x, std::optional<std::int64_t> dim, bool keepdim) {
  return arg_extreme<false>(x, dim, keepdim, "argmin");
}

namespace {
Tensor logsumexp_values(const Tensor& x, const Shape& dims, bool keepdim) {
  if (!x.defined()) throw ValueError("logsumexp: the tensor is undefined");
  const Tensor input = x.is_floating_point() ? x : x.to(Dtype::Float32);
  const ReductionLayout layout = layout_for(input, dims, keepdim, "logsumexp");
  Tensor out = empty(layout.out_shape, input.dtype());
  visit_dtype(input.dtype(), [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      T* o = out.data_ptr<T>();
      for_each_row<T>(layout, [&](const T* row, std::int64_t n, std::int64_t r) {
        double m = -std::numeric_limits<double>::infinity();
        for (std::int64_t i = 0; i < n; ++i) m = std::max(m, static_cast<double>(row[i]));
        // Subtracting the max keeps exp in range; an infinite max is the answer itself.
        if (std::isinf(m)) {
          bool has_nan = false;
          for (std::int64_t i = 0; i < n; ++i) has_nan |= std::isnan(row[i]);
          o[r] = has_nan ? std::numeric_limits<T>::quiet_NaN() : static_cast<T>(m);
          return;
        }
        double s = 0;
        for (std::int64_t i = 0; i < n; ++i) s += std::exp(static_cast<double>(row[i]) - m);
        o[r] = static_cast<T>(m + std::log(s));
      });
    }
  });
  return out;
}
}  // namespace

Tensor logsumexp(const Tensor& x, const Shape& dims, bool keepdim) {
  return autograd::differentiable(
      "LogsumexpBackward0", {x}, [&] { return logsumexp_values(x, dims, keepdim); },
      [sx = autograd::SavedTensor(x), dims, keepdim](const Tensor& g) -> std::vector<Tensor> {
        // d/dx logsumexp = softmax(x) along the reduced dims = exp(x - logsumexp(x)).
        const Tensor v = sx.unpack();
        const Tensor lse = logsumexp(v, dims, true);
        return {expand_reduced(g, v.sizes(), dims, keepdim) * exp(v - lse)};
      });
}

Tensor Tensor::sum() const {
  return activ::sum(*this);
}
Tensor Tensor::sum(const Shape& dims, bool keepdim) const {
  return activ::sum(*this, dims, keepdim);
}
Tensor Tensor::mean() const {
  return activ::mean(*this);
}
Tensor Tensor::mean(const Shape& dims, bool keepdim) const {
  return activ::mean(*this, dims, keepdim);
}
Tensor Tensor::max() const {
  return activ::max(*this);
}
MaxResult Tensor::max(std::int64_t dim, bool keepdim) const {
  return activ::max(*this, dim, keepdim);
}
Tensor Tensor::min() const {
  return activ::min(*this);
}
MaxResult Tensor::min(std::int64_t dim, bool keepdim) const {
  return activ::min(*this, dim, keepdim);
}
Tensor Tensor::argmax(std::optional<std::int64_t> dim, bool keepdim) const {
  return activ::argmax(*this, dim, keepdim);
}
Tensor Tensor::argmin(std::optional<std::int64_t> dim, bool keepdim) const {
  return activ::argmin(*this, dim, keepdim);
}
Tensor Tensor::logsumexp(const Shape& dims, bool keepdim) const {
  return activ::logsumexp(*this, dims, keepdim);
}

}  // namespace activ
