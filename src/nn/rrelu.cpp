// RReLU: leaky ReLU whose negative slope is random per element in training mode and the mean
// of its bounds in eval mode.
#include <string>

#include "activ/autograd.h"
#include "activ/nn/activation.h"
#include "activ/nn/functional.h"
#include "nn/common.h"

namespace activ::nn {
namespace {

constexpr std::int64_t kRReLUGrain = 16384;

void check_bounds(const RReLUOptions& options, const char* op) {
  if (!(options.lower.to_double() <= options.upper.to_double())) {
    throw ValueError(std::string(op) +
                     ": expected lower <= upper (the bounds of the random slope), got lower=" +
                     python_repr(options.lower) + ", upper=" + python_repr(options.upper));
  }
}

// The eval-mode slope, computed in double as torch does before casting to the dtype.
Scalar mean_slope(const RReLUOptions& options) {
  return (options.lower.to_double() + options.upper.to_double()) / 2;
}

}  // namespace

namespace functional {

Tensor rrelu_with_noise(const Tensor& input, Tensor& noise, const RReLUOptions& options) {
  check_bounds(options, "rrelu");
  check_float_input(input, "rrelu", "input");
  if (!options.training) {
    return leaky_relu(input, {.negative_slope = mean_slope(options), .inplace = options.inplace});
  }
  if (autograd::needs_grad({input})) {
    // In the graph: draw the slopes without recording, then y = x * noise, whose gradient is
    // grad_output * noise as torch's.
    RReLUOptions out_of_place = options;
    out_of_place.inplace = false;
    autograd::without_grad([&] { return rrelu_with_noise(input.detach(), noise, out_of_place); });
    const Tensor y = input * noise;
    if (!options.inplace) return y;
    autograd::check_inplace(input, "rrelu_");
    Tensor self = input;
    {
      autograd::NoGradGuard guard;
      self.copy_(y);
    }
    autograd::rebase_history(self, y);
    return input;
  }
  const double lower = options.lower.to_double(), upper = options.upper.to_double();
  const Tensor x = input.contiguous();
  // Uniform numbers for every element (not only x <= 0) keep the draw independent of the values.
  Tensor slopes = rand(input.sizes(), input.dtype());
  const bool write_input = options.inplace && input.is_contiguous();
  Tensor y = write_input ? input : empty(input.sizes(), input.dtype());
  visit_dtype(x.dtype(), [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      const T* xp = x.data_ptr<T>();
      T* rp = slopes.data_ptr<T>();
      T* yp = y.data_ptr<T>();
      parallel_for(0, x.numel(), kRReLUGrain, [&](std::int64_t lo, std::int64_t hi) {
        for (std::int64_t i = lo; i < hi; ++i) {
          const T v = xp[i];
          // NaN is not <= 0: slope 1, as torch.
          const T r = v <= 0 ? static_cast<T>(lower + (upper - lower) * double(rp[i])) : T(1);
          rp[i] = r;
          yp[i] = v <= 0 ? v * r : v;
        }
      });
    }
  });
  noise = slopes;
  if (!options.inplace || write_input) return y;
  Tensor self = input;
  self.copy_(y);
  return input;
}

Tensor rrelu(const Tensor& input, const RReLUOptions& options) {
  Tensor noise;
  return rrelu_with_noise(input, noise, options);
}

Tensor& rrelu_(Tensor& input, const RReLUOptions& options) {
  RReLUOptions inplace = options;
  inplace.inplace = true;
  Tensor noise;
  rrelu_with_noise(input, noise, inplace);
  return input;
}

Tensor rrelu_backward(const Tensor& grad_output, const Tensor& input, const Tensor& noise,
                      const RReLUOptions& options) {
  check_bounds(options, "rrelu_backward");
  check_gradient_pair(grad_output, input, "rrelu_backward", "input");
  if (!options.training)
    return leaky_relu_backward(grad_output, input, {.negative_slope = mean_slope(options)});
  check_gradient_pair(grad_output, noise, "rrelu_backward", "noise");
  return mul(grad_output, noise);
}

}  // namespace functional

RReLU::RReLU(RReLUOptions options) : options_(options) {}

Tensor RReLU::forward(const Tensor& input) const {
  RReLUOptions options = options_;
  options.training = is_training();
  return functional::rrelu(input, options);
}

}  // namespace activ::nn
