// PReLU: x > 0 ? x : weight[c] * x with one learnable slope per channel (dim 1).
#include <algorithm>
#include <string>

#include "activ/autograd.h"
#include "activ/nn/activation.h"
#include "activ/nn/functional.h"
#include "nn/common.h"

namespace activ::nn {
namespace {

constexpr std::int64_t kPReLUGrain = 16384;

// The input seen as rows of `inner` elements whose channel is row % channels.
struct ChannelLayout {
  std::int64_t channels = 1, inner = 1;
};

ChannelLayout check_prelu(const Tensor& input, const Tensor& weight, const char* op) {
  check_float_input(input, op, "input");
  check_float_input(weight, op, "weight");
  if (weight.dim() > 1) {
    throw ShapeError(std::string(op) +
                     ": expected argument 'weight' to be a 0-d or 1-d tensor, got ndim = " +
                     std::to_string(weight.dim()) + " (shape " + shape_str(weight.sizes()) + ")");
  }
  if (weight.dtype() != input.dtype()) {
    throw TypeError(std::string(op) + ": weight has dtype " + std::string(name(weight.dtype())) +
                    " but input has dtype " + std::string(name(input.dtype())));
  }
  ChannelLayout layout;
  layout.inner = input.numel();
  const std::int64_t parameters = weight.numel();
  if (parameters == 1) return layout;  // one slope for everything
  if (input.dim() == 0) {
    throw ShapeError(std::string(op) +
                     ": a 0-d input needs a weight of 1 element (num_parameters = 1), got " +
                     std::to_string(parameters) + " elements");
  }
  const std::int64_t channels = input.dim() >= 2 ? input.size(1) : 1;
  if (channels != parameters) {
    throw ShapeError(std::string(op) + ": weight has " + std::to_string(parameters) +
                     " elements (num_parameters) but input of shape " + shape_str(input.sizes()) +
                     " has " + std::to_string(channels) +
                     " channels (dim 1); expected them to be equal");
  }
  layout.channels = channels;
  layout.inner = 1;
  for (std::int64_t d = 2; d < input.dim(); ++d) layout.inner *= input.size(d);
  return layout;
}

// Calls segment(first, last, channel) for the pieces of [first, last) that lie in one row.
template <class Segment>
void for_each_segment(std::int64_t first, std::int64_t last, const ChannelLayout& layout,
                      Segment segment) {
  while (first < last) {
    const std::int64_t row = first / layout.inner;
    const std::int64_t end = std::min(last, (row + 1) * layout.inner);
    segment(first, end, row % layout.channels);
    first = end;
  }
}

}  // namespace

namespace functional {

namespace {
Tensor prelu_values(const Tensor& input, const Tensor& weight) {
  const ChannelLayout layout = check_prelu(input, weight, "prelu");
  const Tensor x = input.contiguous(), w = weight.contiguous();
  Tensor y = empty(input.sizes(), input.dtype());
  visit_dtype(x.dtype(), [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      const T* xp = x.data_ptr<T>();
      const T* wp = w.data_ptr<T>();
      T* yp = y.data_ptr<T>();
      parallel_for(0, x.numel(), kPReLUGrain, [&](std::int64_t lo, std::int64_t hi) {
        for_each_segment(lo, hi, layout,
                         [&](std::int64_t first, std::int64_t last, std::int64_t c) {
                           const T slope = wp[c];
                           for (std::int64_t i = first; i < last; ++i)
                             yp[i] = xp[i] > 0 ? xp[i] : slope * xp[i];
                         });
      });
    }
  });
  return y;
}
}  // namespace

// First-order gradients come from prelu_backward; the gradient is not differentiated again.
Tensor prelu(const Tensor& input, const Tensor& weight) {
  return autograd::differentiable(
      "PreluBackward0", {input, weight}, [&] { return prelu_values(input, weight); },
      [sx = autograd::SavedTensor(input),
       sw = autograd::SavedTensor(weight)](const Tensor& g) -> std::vector<Tensor> {
        const PReLUGradients grads = prelu_backward(g, sx.unpack(), sw.unpack());
        return {grads.input, grads.weight};
      });
}

PReLUGradients prelu_backward(const Tensor& grad_output, const Tensor& input,
                              const Tensor& weight) {
  const ChannelLayout layout = check_prelu(input, weight, "prelu_backward");
  check_gradient_pair(grad_output, input, "prelu_backward", "input");
  const Tensor g = grad_output.contiguous(), x = input.contiguous(), w = weight.contiguous();
  PReLUGradients grads{empty(input.sizes(), input.dtype()), empty(weight.sizes(), weight.dtype())};
  visit_dtype(x.dtype(), [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      const T* gp = g.data_ptr<T>();
      const T* xp = x.data_ptr<T>();
      const T* wp = w.data_ptr<T>();
      T* gxp = grads.input.data_ptr<T>();
      const std::vector<double> sums = parallel_sums(
          x.numel(), static_cast<std::size_t>(w.numel()), kPReLUGrain,
          [&](std::int64_t lo, std::int64_t hi, double* gw) {
            for_each_segment(lo, hi, layout,
                             [&](std::int64_t first, std::int64_t last, std::int64_t c) {
                               const T slope = wp[c];
                               double sum = 0;
                               for (std::int64_t i = first; i < last; ++i) {
                                 const bool positive = xp[i] > 0;
                                 gxp[i] = positive ? gp[i] : slope * gp[i];
                                 if (!positive) sum += double(xp[i]) * double(gp[i]);
                               }
                               gw[c] += sum;
                             });
          });
      T* gwp = grads.weight.data_ptr<T>();
      for (std::size_t c = 0; c < sums.size(); ++c) gwp[c] = static_cast<T>(sums[c]);
    }
  });
  return grads;
}

}  // namespace functional

PReLU::PReLU(PReLUOptions options) : options_(options) {
  if (options_.num_parameters < 0) {
    throw ValueError("PReLU: num_parameters must be non-negative, got " +
                     std::to_string(options_.num_parameters));
  }
  register_parameter("weight", full({options_.num_parameters}, options_.init, float32));
}

Tensor PReLU::forward(const Tensor& input) const {
  return functional::prelu(input, weight());
}

}  // namespace activ::nn
