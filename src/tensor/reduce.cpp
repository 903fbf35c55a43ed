// Reductions along dims: sum, mean, max/min with indices, argmax/argmin, logsumexp.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "activ/parallel.h"
#include "activ/tensor.h"

namespace activ {
namespace {

// The input rearranged as a contiguous [outer, inner] matrix whose rows are the elements
// reduced together, and the shape of the result.
struct ReductionLayout {
  Tensor rows;       // contiguous, shape [outer, inner]
  std::int64_t outer = 1;
  std::int64_t inner = 1;
  Shape out_shape;   // with or without the kept size-1 dims
};

ReductionLayout layout_for(const Tensor& x, const Shape& dims, bool keepdim, const char* op) {
  if (!x.defined()) throw ValueError(std::string(op) + ": the tensor is undefined");
  const std::int64_t ndim = x.dim();
  std::vector<bool> reduced(std::max<std::int64_t>(ndim, 1), dims.empty());
  for (auto d : dims) {
    const std::int64_t w = wrap_dim(d, ndim, op);
    if (reduced[w] && !dims.empty()) {
      throw ValueError(std::string(op) + ": dim " + std::to_string(w) + " appears multiple times in the list of dims");
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
  const std::int64_t grain = std::max<std::int64_t>(1, 32768 / std::max<std::int64_t>(layout.inner, 1));
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
        for (std::int64_t i = 0; i < n; ++i) s += static_cast<std::uint64_t>(static_cast<std::int64_t>(row[i]));
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
                     ": expected reduction dim to be specified for input.numel() == 0; specify the reduction dim "
                     "with the 'dim' argument");
  }
  return extreme_along<kMax>(x.reshape({-1}), 0, false, op).values;
}

template <bool kMax>
Tensor arg_extreme(const Tensor& x, std::optional<std::int64_t> dim, bool keepdim, const char* op) {
  if (!x.defined()) throw ValueError(std::string(op) + ": the tensor is undefined");
  if (x.dtype() == Dtype::Bool) throw TypeError(std::string(op) + ": not implemented for bool tensors");
  if (!dim) {
    if (x.numel() == 0) {
      throw IndexError(std::string(op) + ": expected reduction dim to be specified for input.numel() == 0");
    }
    Tensor index = extreme_along<kMax>(x.reshape({-1}), 0, false, op).indices;
    return keepdim ? index.reshape(Shape(x.dim(), 1)) : index;
  }
  return extreme_along<kMax>(x, *dim, keepdim, op).indices;
}

}  // namespace

Tensor sum(const Tensor& x) { return sum_impl(x, {}, false, "sum"); }
Tensor sum(const Tensor& x, const Shape& dims, bool keepdim) { return sum_impl(x, dims, keepdim, "sum"); }

Tensor mean(const Tensor& x, const Shape& dims, bool keepdim) {
  if (x.defined() && !x.is_floating_point()) {
    throw TypeError("mean: could not infer output dtype; input dtype must be a floating point dtype, got " +
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
Tensor mean(const Tensor& x) { return mean(x, {}, false); }

Tensor max(const Tensor& x) { return extreme_all<true>(x, "max"); }
Tensor min(const Tensor& x) { return extreme_all<false>(x, "min"); }
MaxResult max(const Tensor& x, std::int64_t dim, bool keepdim) { return extreme_along<true>(x, dim, keepdim, "max"); }
MaxResult min(const Tensor& x, std::int64_t dim, bool keepdim) { return extreme_along<false>(x, dim, keepdim, "min"); }
Tensor argmax(const Tensor& x, std::optional<std::int64_t> dim, bool keepdim) {
  return arg_extreme<true>(x, dim, keepdim, "argmax");
}
Tensor argmin(const Tensor& x, std::optional<std::int64_t> dim, bool keepdim) {
  return arg_extreme<false>(x, dim, keepdim, "argmin");
}

Tensor logsumexp(const Tensor& x, const Shape& dims, bool keepdim) {
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

Tensor Tensor::sum() const { return activ::sum(*this); }
Tensor Tensor::sum(const Shape& dims, bool keepdim) const { return activ::sum(*this, dims, keepdim); }
Tensor Tensor::mean() const { return activ::mean(*this); }
Tensor Tensor::mean(const Shape& dims, bool keepdim) const { return activ::mean(*this, dims, keepdim); }
Tensor Tensor::max() const { return activ::max(*this); }
MaxResult Tensor::max(std::int64_t dim, bool keepdim) const { return activ::max(*this, dim, keepdim); }
Tensor Tensor::min() const { return activ::min(*this); }
MaxResult Tensor::min(std::int64_t dim, bool keepdim) const { return activ::min(*this, dim, keepdim); }
Tensor Tensor::argmax(std::optional<std::int64_t> dim, bool keepdim) const { return activ::argmax(*this, dim, keepdim); }
Tensor Tensor::argmin(std::optional<std::int64_t> dim, bool keepdim) const { return activ::argmin(*this, dim, keepdim); }
Tensor Tensor::logsumexp(const Shape& dims, bool keepdim) const { return activ::logsumexp(*this, dims, keepdim); }

}  // namespace activ
