// Softmax, Softmin, LogSoftmax and Softmax2d: forward and backward along any dim.
//
// A contiguous tensor seen as [outer, n, inner] holds outer * inner rows of n elements with
// stride inner. The SIMD kernels (kernels/softmax.h) vectorize along the row when dim is last
// (inner = 1) and across neighbouring rows otherwise, so there is no transposing copy.
#include "kernels/softmax.h"

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "activ/autograd.h"
#include "activ/nn/activation.h"
#include "activ/nn/functional.h"
#include "activ/parallel.h"
#include "nn/common.h"

namespace activ::nn {
namespace {

// Elements per parallel chunk.
constexpr std::int64_t kSoftmaxGrain = 16384;
// When dim is not last, a block of neighbouring rows is processed at once (one row per SIMD
// lane); this many bytes of it, at most, so the block stays in L2 between the kernel's passes.
constexpr std::int64_t kColumnBlockBytes = 65536;

using kernels::SoftmaxKind;

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

// Calls rows(offset, rows, extent) for blocks of rows covering the tensor, in parallel: offset is
// the element index of the block's first element and extent the number of elements its layout
// spans.
template <class Rows>
void for_each_row_block(const RowLayout& layout, std::size_t itemsize, Rows rows) {
  if (layout.outer == 0 || layout.n == 0 || layout.inner == 0) return;
  const auto n = static_cast<std::size_t>(layout.n);
  if (layout.inner == 1) {
    const std::int64_t grain = std::max<std::int64_t>(1, kSoftmaxGrain / layout.n);
    parallel_for(0, layout.outer, grain, [&](std::int64_t first, std::int64_t last) {
      const auto count = static_cast<std::size_t>(last - first);
      rows(first * layout.n,
           kernels::SoftmaxRows{.rows = count, .length = n, .element_stride = 1, .row_stride = n},
           count * n);
    });
    return;
  }
  const std::int64_t width =
      std::min(layout.inner,
               std::max<std::int64_t>(16, kColumnBlockBytes / (layout.n * std::int64_t(itemsize))));
  const std::int64_t blocks_per_outer = (layout.inner + width - 1) / width;
  const std::int64_t grain = std::max<std::int64_t>(1, kSoftmaxGrain / (layout.n * width));
  parallel_for(0, layout.outer * blocks_per_outer, grain,
               [&](std::int64_t first, std::int64_t last) {
                 for (std::int64_t b = first; b < last; ++b) {
                   const std::int64_t o = b / blocks_per_outer;
                   const std::int64_t j0 = (b % blocks_per_outer) * width;
                   const auto count = static_cast<std::size_t>(std::min(width, layout.inner - j0));
                   const auto stride = static_cast<std::size_t>(layout.inner);
                   rows(o * layout.n * layout.inner + j0,
                        kernels::SoftmaxRows{
                            .rows = count, .length = n, .element_stride = stride, .row_stride = 1},
                        (n - 1) * stride + count);
                 }
               });
}

std::int64_t resolve_dim(std::optional<std::int64_t> dim, std::int64_t ndim, const char* op) {
  return wrap_dim(dim.value_or(functional::implicit_softmax_dim(ndim)), ndim, op);
}

template <SoftmaxKind kind>
Tensor softmax_forward(const Tensor& input, std::optional<std::int64_t> dim, const char* op) {
  check_float_input(input, op, "input");
  const RowLayout layout = row_layout(input.sizes(), resolve_dim(dim, input.dim(), op));
  const Tensor x = input.contiguous();
  Tensor y = empty(input.sizes(), input.dtype());
  visit_dtype(x.dtype(), [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      const T* src = x.data_ptr<T>();
      T* dst = y.data_ptr<T>();
      for_each_row_block(
          layout, sizeof(T),
          [&](std::int64_t offset, const kernels::SoftmaxRows& rows, std::size_t extent) {
            kernels::softmax_forward(kind, rows, {src + offset, extent}, {dst + offset, extent});
          });
    }
  });
  return y;
}

template <SoftmaxKind kind>
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
      for_each_row_block(
          layout, sizeof(T),
          [&](std::int64_t offset, const kernels::SoftmaxRows& rows, std::size_t extent) {
            kernels::softmax_backward(kind, rows, {gp + offset, extent}, {yp + offset, extent},
                                      {out + offset, extent});
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
    return softmax_forward<SoftmaxKind::kSoftmax>(input, options.dim, "softmax");
  const std::int64_t dim = resolve_dim(options.dim, input.dim(), "softmax");
  return record_softmax("SoftmaxBackward0", input, dim, false, [dim](const Tensor& x) {
    return softmax_forward<SoftmaxKind::kSoftmax>(x, dim, "softmax");
  });
}

Tensor softmax_backward(const Tensor& grad_output, const Tensor& output,
                        std::optional<std::int64_t> dim) {
  return softmax_backward_impl<SoftmaxKind::kSoftmax>(grad_output, output, dim, "softmax_backward");
}

Tensor softmin(const Tensor& input, const SoftminOptions& options) {
  check_float_input(input, "softmin", "input");
  return softmax(neg(input), {.dim = options.dim});
}

Tensor softmin_backward(const Tensor& grad_output, const Tensor& output,
                        std::optional<std::int64_t> dim) {
  return neg(
      softmax_backward_impl<SoftmaxKind::kSoftmax>(grad_output, output, dim, "softmin_backward"));
}

Tensor log_softmax(const Tensor& input, const LogSoftmaxOptions& options) {
  if (!autograd::needs_grad({input}))
    return softmax_forward<SoftmaxKind::kLogSoftmax>(input, options.dim, "log_softmax");
  const std::int64_t dim = resolve_dim(options.dim, input.dim(), "log_softmax");
  return record_softmax("LogSoftmaxBackward0", input, dim, true, [dim](const Tensor& x) {
    return softmax_forward<SoftmaxKind::kLogSoftmax>(x, dim, "log_softmax");
  });
}

Tensor log_softmax_backward(const Tensor& grad_output, const Tensor& output,
                            std::optional<std::int64_t> dim) {
  return softmax_backward_impl<SoftmaxKind::kLogSoftmax>(grad_output, output, dim,
                                                         "log_softmax_backward");
}

Tensor softmax2d(const Tensor& input, const Softmax2dOptions&) {
  check_softmax2d_input(input, "softmax2d");
  return softmax(input, {.dim = -3});
}

Tensor softmax2d_backward(const Tensor& grad_output, const Tensor& output) {
  check_softmax2d_input(output, "softmax2d_backward");
  return softmax_backward_impl<SoftmaxKind::kSoftmax>(grad_output, output, -3,
                                                      "softmax2d_backward");
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
