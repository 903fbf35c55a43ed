// Softmax, Softmin, LogSoftmax and Softmax2d: forward and backward along any dim.
//
// A contiguous tensor seen as [outer, n, inner] holds outer * inner rows of n elements with
// stride inner. The kernels below work on `width` neighbouring rows at once (x[k * inner + j],
// j < width), so the inner loop runs over contiguous memory whether dim is last (inner = 1,
// width = 1: one contiguous row) or not; there is no transposing copy.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "activ/autograd.h"
#include "activ/nn/activation.h"
#include "activ/nn/functional.h"
#include "activ/parallel.h"
#include "nn/common.h"

namespace activ::nn {
namespace {

// Rows processed together when dim is not last: enough to fill vector registers, few enough
// that the row state stays in L1.
constexpr std::int64_t kRowBlock = 256;
// Elements per parallel chunk.
constexpr std::int64_t kSoftmaxGrain = 16384;

enum class Variant { kSoftmax, kLogSoftmax };

// Forward for `width` rows of n elements, element k of row j at k * stride + j. The max is
// subtracted before exp; sums are accumulated in double. A NaN anywhere in a row makes the max
// NaN, hence the whole row NaN, as in torch (and so does +inf: inf - inf).
template <Variant variant, class T>
void softmax_rows(const T* x, T* y, std::int64_t n, std::int64_t stride, std::int64_t width) {
  T row_max[kRowBlock];
  double row_sum[kRowBlock];
  std::fill(row_max, row_max + width, -std::numeric_limits<T>::infinity());
  std::fill(row_sum, row_sum + width, 0.0);
  for (std::int64_t k = 0; k < n; ++k) {
    const T* row = x + k * stride;
    for (std::int64_t j = 0; j < width; ++j) {
      if (row[j] > row_max[j] || std::isnan(row[j])) row_max[j] = row[j];  // a NaN sticks
    }
  }
  for (std::int64_t k = 0; k < n; ++k) {
    const T* in = x + k * stride;
    T* out = y + k * stride;
    for (std::int64_t j = 0; j < width; ++j) {
      const T e = std::exp(in[j] - row_max[j]);
      if constexpr (variant == Variant::kSoftmax) out[j] = e;
      row_sum[j] += e;
    }
  }
  if constexpr (variant == Variant::kSoftmax) {
    for (std::int64_t k = 0; k < n; ++k) {
      T* out = y + k * stride;
      for (std::int64_t j = 0; j < width; ++j) out[j] = static_cast<T>(out[j] / row_sum[j]);
    }
  } else {
    T log_sum[kRowBlock];
    for (std::int64_t j = 0; j < width; ++j) log_sum[j] = static_cast<T>(std::log(row_sum[j]));
    for (std::int64_t k = 0; k < n; ++k) {
      const T* in = x + k * stride;
      T* out = y + k * stride;
      for (std::int64_t j = 0; j < width; ++j) out[j] = (in[j] - row_max[j]) - log_sum[j];
    }
  }
}

// Backward for the same row layout, from the forward's output y:
//   softmax      gx = y * (gy - sum(gy * y))
//   log_softmax  gx = gy - exp(y) * sum(gy)
template <Variant variant, class T>
void softmax_backward_rows(const T* gy, const T* y, T* gx, std::int64_t n, std::int64_t stride,
                           std::int64_t width) {
  double dot[kRowBlock];
  std::fill(dot, dot + width, 0.0);
  for (std::int64_t k = 0; k < n; ++k) {
    const T* g = gy + k * stride;
    const T* out = y + k * stride;
    for (std::int64_t j = 0; j < width; ++j) {
      if constexpr (variant == Variant::kSoftmax)
        dot[j] += double(g[j]) * double(out[j]);
      else
        dot[j] += g[j];
    }
  }
  for (std::int64_t k = 0; k < n; ++k) {
    const T* g = gy + k * stride;
    const T* out = y + k * stride;
    T* result = gx + k * stride;
    for (std::int64_t j = 0; j < width; ++j) {
      if constexpr (variant == Variant::kSoftmax) {
        result[j] = static_cast<T>(out[j] * (g[j] - dot[j]));
      } else {
        result[j] = static_cast<T>(g[j] - std::exp(out[j]) * dot[j]);
      }
    }
  }
}

struct RowLayout {
  std::int64_t outer = 1, n = 1, inner = 1;
};

RowLayout row_layout(const Shape& sizes, std::int64_t dim) {
  RowLayout layout;
  if (sizes.empty()) return layout;  // a 0-d tensor is one row of one element
  for (std::int64_t d = 0; d < dim; ++d) layout.outer *= sizes[d];
  layout.n = sizes[dim];
  for (std::size_t d = static_cast<std::size_t>(dim) + 1; d < sizes.size(); ++d)
    layout.inner *= sizes[d];
  return layout;
}

// Calls rows(offset, width) for every block of rows, in parallel; offset is the element index of
// the block's first element.
template <class Rows>
void for_each_row_block(const RowLayout& layout, Rows rows) {
  if (layout.outer == 0 || layout.n == 0 || layout.inner == 0) return;
  const std::int64_t width = std::min(layout.inner, kRowBlock);
  const std::int64_t blocks_per_outer = (layout.inner + width - 1) / width;
  const std::int64_t blocks = layout.outer * blocks_per_outer;
  const std::int64_t grain = std::max<std::int64_t>(1, kSoftmaxGrain / (layout.n * width));
  parallel_for(0, blocks, grain, [&](std::int64_t first, std::int64_t last) {
    for (std::int64_t b = first; b < last; ++b) {
      const std::int64_t o = b / blocks_per_outer;
      const std::int64_t j0 = (b % blocks_per_outer) * width;
      rows(o * layout.n * layout.inner + j0, std::min(width, layout.inner - j0));
    }
  });
}

std::int64_t resolve_dim(std::optional<std::int64_t> dim, std::int64_t ndim, const char* op) {
  return wrap_dim(dim.value_or(functional::implicit_softmax_dim(ndim)), ndim, op);
}

template <Variant variant>
Tensor softmax_forward(const Tensor& input, std::optional<std::int64_t> dim, const char* op) {
  check_float_input(input, op, "input");
  const RowLayout layout = row_layout(input.sizes(), resolve_dim(dim, input.dim(), op));
  const Tensor x = input.contiguous();
  Tensor y = empty(input.sizes(), input.dtype());
  visit_dtype(x.dtype(), [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      const T* src = x.data_ptr<T>();
      T* dst = y.data_ptr<T>();
      for_each_row_block(layout, [&](std::int64_t offset, std::int64_t width) {
        softmax_rows<variant>(src + offset, dst + offset, layout.n, layout.inner, width);
      });
    }
  });
  return y;
}

template <Variant variant>
Tensor softmax_backward_impl(const Tensor& grad_output, const Tensor& output,
                             std::optional<std::int64_t> dim, const char* op) {
  check_gradient_pair(grad_output, output, op, "output");
  const RowLayout layout = row_layout(output.sizes(), resolve_dim(dim, output.dim(), op));
  const Tensor g = grad_output.contiguous(), y = output.contiguous();
  Tensor gx = empty(output.sizes(), output.dtype());
  visit_dtype(y.dtype(), [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      const T* gp = g.data_ptr<T>();
      const T* yp = y.data_ptr<T>();
      T* out = gx.data_ptr<T>();
      for_each_row_block(layout, [&](std::int64_t offset, std::int64_t width) {
        softmax_backward_rows<variant>(gp + offset, yp + offset, out + offset, layout.n,
                                       layout.inner, width);
      });
    }
  });
  return gx;
}

void check_softmax2d_input(const Tensor& input, const char* op) {
  if (input.defined() && input.dim() != 3 && input.dim() != 4) {
    throw ShapeError(
        std::string(op) +
        ": expected argument 'input' to be a 3-D (C, H, W) or 4-D (N, C, H, W) tensor, got " +
        std::to_string(input.dim()) + "-D of shape " + shape_str(input.sizes()));
  }
}

}  // namespace

namespace functional {

std::int64_t implicit_softmax_dim(std::int64_t ndim) {
  return (ndim == 0 || ndim == 1 || ndim == 3) ? 0 : 1;
}

namespace {
// Records a softmax-family node. Its gradient comes from the recomputed output (saving the
// output would make a reference cycle through its own node); while a graph of the gradient is
// being built (double backward) it is written with differentiable ops instead of the kernel.
Tensor record_softmax(const char* node_name, const Tensor& input, std::int64_t dim, bool log,
                      const std::function<Tensor(const Tensor&)>& forward) {
  return autograd::differentiable(
      node_name, {input}, [&] { return forward(input); },
      [saved = autograd::SavedTensor(input), node_name, dim, log,
       forward](const Tensor& g) -> std::vector<Tensor> {
        const Tensor x = saved.unpack();
        if (!autograd::is_grad_enabled()) {
          const Tensor y = forward(x);
          return {log ? functional::log_softmax_backward(g, y, dim)
                      : functional::softmax_backward(g, y, dim)};
        }
        // The output recomputed as a recorded node, so the gradient depends on x as well as g.
        const Tensor y = record_softmax(node_name, x, dim, log, forward);
        if (log) return {g - exp(y) * sum(g, {dim}, true)};
        return {y * (g - sum(g * y, {dim}, true))};
      });
}
}  // namespace

Tensor softmax(const Tensor& input, const SoftmaxOptions& options) {
  if (!autograd::needs_grad({input}))
    return softmax_forward<Variant::kSoftmax>(input, options.dim, "softmax");
  const std::int64_t dim = resolve_dim(options.dim, input.dim(), "softmax");
  return record_softmax("SoftmaxBackward0", input, dim, false, [dim](const Tensor& x) {
    return softmax_forward<Variant::kSoftmax>(x, dim, "softmax");
  });
}

Tensor softmax_backward(const Tensor& grad_output, const Tensor& output,
                        std::optional<std::int64_t> dim) {
  return softmax_backward_impl<Variant::kSoftmax>(grad_output, output, dim, "softmax_backward");
}

Tensor softmin(const Tensor& input, const SoftminOptions& options) {
  check_float_input(input, "softmin", "input");
  return softmax(neg(input), {.dim = options.dim});
}

Tensor softmin_backward(const Tensor& grad_output, const Tensor& output,
                        std::optional<std::int64_t> dim) {
  return neg(
      softmax_backward_impl<Variant::kSoftmax>(grad_output, output, dim, "softmin_backward"));
}

Tensor log_softmax(const Tensor& input, const LogSoftmaxOptions& options) {
  if (!autograd::needs_grad({input}))
    return softmax_forward<Variant::kLogSoftmax>(input, options.dim, "log_softmax");
  const std::int64_t dim = resolve_dim(options.dim, input.dim(), "log_softmax");
  return record_softmax("LogSoftmaxBackward0", input, dim, true, [dim](const Tensor& x) {
    return softmax_forward<Variant::kLogSoftmax>(x, dim, "log_softmax");
  });
}

Tensor log_softmax_backward(const Tensor& grad_output, const Tensor& output,
                            std::optional<std::int64_t> dim) {
  return softmax_backward_impl<Variant::kLogSoftmax>(grad_output, output, dim,
                                                     "log_softmax_backward");
}

Tensor softmax2d(const Tensor& input, const Softmax2dOptions&) {
  check_softmax2d_input(input, "softmax2d");
  return softmax(input, {.dim = -3});
}

Tensor softmax2d_backward(const Tensor& grad_output, const Tensor& output) {
  check_softmax2d_input(output, "softmax2d_backward");
  return softmax_backward_impl<Variant::kSoftmax>(grad_output, output, -3, "softmax2d_backward");
}

}  // namespace functional

Softmax::Softmax(SoftmaxOptions options) : options_(options) {}
Tensor Softmax::forward(const Tensor& input) const {
  return functional::softmax(input, options_);
}

Softmin::Softmin(SoftminOptions options) : options_(options) {}
Tensor Softmin::forward(const Tensor& input) const {
  return functional::softmin(input, options_);
}

LogSoftmax::LogSoftmax(LogSoftmaxOptions options) : options_(options) {}
Tensor LogSoftmax::forward(const Tensor& input) const {
  return functional::log_softmax(input, options_);
}

Softmax2d::Softmax2d(Softmax2dOptions options) : options_(options) {}
Tensor Softmax2d::forward(const Tensor& input) const {
  return functional::softmax2d(input, options_);
}

}  // namespace activ::nn
