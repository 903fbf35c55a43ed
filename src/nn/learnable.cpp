// The seed documents' learnable activations: Swish with a learnable beta, x * sigmoid(beta * x),
// and GELU with a learnable normal distribution, x * Phi((x - mu) / sigma).
#include <cmath>
#include <numbers>
#include <string>

#include "activ/autograd.h"
#include "activ/nn/activation.h"
#include "activ/nn/functional.h"
#include "nn/common.h"

namespace activ::nn {
namespace {

constexpr std::int64_t kLearnableGrain = 16384;

// A learnable scalar: a one-element float tensor of input's dtype; returns its value.
double scalar_parameter(const Tensor& parameter, const Tensor& input, const char* op,
                        const char* argument) {
  check_float_input(parameter, op, argument);
  if (parameter.numel() != 1) {
    throw ShapeError(std::string(op) + ": expected argument '" + argument +
                     "' to be a one-element tensor, got shape " + shape_str(parameter.sizes()));
  }
  if (parameter.dtype() != input.dtype()) {
    throw TypeError(std::string(op) + ": " + argument + " has dtype " +
                    std::string(name(parameter.dtype())) + " but input has dtype " +
                    std::string(name(input.dtype())));
  }
  return parameter.item().to_double();
}

// A parameter gradient: sum in parameter's shape and dtype.
Tensor gradient_like(const Tensor& parameter, double sum) {
  return full(parameter.sizes(), sum, parameter.dtype());
}

// Standard normal cdf and pdf; erfc keeps the cdf's relative accuracy in the left tail.
double normal_cdf(double z) {
  return 0.5 * std::erfc(-z * std::numbers::sqrt2 / 2);
}
double normal_pdf(double z) {
  return std::exp(-0.5 * z * z) * (std::numbers::inv_sqrtpi / std::numbers::sqrt2);
}

}  // namespace

namespace functional {

// First-order gradients come from learnable_swish_backward; they are not differentiated again.
Tensor learnable_swish(const Tensor& input, const Tensor& beta) {
  check_float_input(input, "learnable_swish", "input");
  const double b = scalar_parameter(beta, input, "learnable_swish", "beta");
  return autograd::differentiable(
      "LearnableSwishBackward0", {input, beta}, [&] { return swish(input, {.beta = b}); },
      [sx = autograd::SavedTensor(input), sb = autograd::SavedTensor(beta)](const Tensor& g) -> std::vector<Tensor> {
        const LearnableSwishGradients grads = learnable_swish_backward(g, sx.unpack(), sb.unpack());
        return {grads.input, grads.beta};
      });
}

LearnableSwishGradients learnable_swish_backward(const Tensor& grad_output, const Tensor& input,
                                                 const Tensor& beta) {
  check_gradient_pair(grad_output, input, "learnable_swish_backward", "input");
  const double b = scalar_parameter(beta, input, "learnable_swish_backward", "beta");
  const Tensor g = grad_output.contiguous(), x = input.contiguous();
  double grad_beta = 0;
  visit_dtype(x.dtype(), [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      const T* gp = g.data_ptr<T>();
      const T* xp = x.data_ptr<T>();
      // d/dbeta x * sigmoid(beta x) = x^2 s (1 - s), with 1 - s as sigmoid(-beta x), multiplied
      // in autograd's order ((g x) s (1 - s)) x with g x in the dtype: at the dtype's extremes
      // torch's overflow to inf (times 0: NaN) is its answer.
      grad_beta = parallel_sums(
          x.numel(), 1, kLearnableGrain, [&](std::int64_t lo, std::int64_t hi, double* sum) {
            for (std::int64_t i = lo; i < hi; ++i) {
              const double v = xp[i], z = b * v;
              const double s = 1 / (1 + std::exp(-z)), complement = 1 / (1 + std::exp(z));
              const double gv = static_cast<T>(double(gp[i]) * v);
              sum[0] += gv * s * complement * v;
            }
          })[0];
    }
  });
  return {swish_backward(grad_output, input, {.beta = b}), gradient_like(beta, grad_beta)};
}

namespace {
Tensor learnable_gelu_values(const Tensor& input, const Tensor& mu, const Tensor& sigma) {
  check_float_input(input, "learnable_gelu", "input");
  const double m = scalar_parameter(mu, input, "learnable_gelu", "mu");
  const double s = scalar_parameter(sigma, input, "learnable_gelu", "sigma");
  const Tensor x = input.contiguous();
  Tensor y = empty(input.sizes(), input.dtype());
  visit_dtype(x.dtype(), [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      const T* xp = x.data_ptr<T>();
      T* yp = y.data_ptr<T>();
      parallel_for(0, x.numel(), kLearnableGrain, [&](std::int64_t lo, std::int64_t hi) {
        for (std::int64_t i = lo; i < hi; ++i)
          yp[i] = static_cast<T>(xp[i] * normal_cdf((xp[i] - m) / s));
      });
    }
  });
  return y;
}
}  // namespace

// First-order gradients come from learnable_gelu_backward; they are not differentiated again.
Tensor learnable_gelu(const Tensor& input, const Tensor& mu, const Tensor& sigma) {
  return autograd::differentiable(
      "LearnableGeluBackward0", {input, mu, sigma},
      [&] { return learnable_gelu_values(input, mu, sigma); },
      [sx = autograd::SavedTensor(input), sm = autograd::SavedTensor(mu),
       ss = autograd::SavedTensor(sigma)](const Tensor& g) -> std::vector<Tensor> {
        const LearnableGELUGradients grads =
            learnable_gelu_backward(g, sx.unpack(), sm.unpack(), ss.unpack());
        return {grads.input, grads.mu, grads.sigma};
      });
}

LearnableGELUGradients learnable_gelu_backward(const Tensor& grad_output, const Tensor& input,
                                               const Tensor& mu, const Tensor& sigma) {
  check_gradient_pair(grad_output, input, "learnable_gelu_backward", "input");
  const double m = scalar_parameter(mu, input, "learnable_gelu_backward", "mu");
  const double s = scalar_parameter(sigma, input, "learnable_gelu_backward", "sigma");
  const Tensor g = grad_output.contiguous(), x = input.contiguous();
  Tensor gx = empty(input.sizes(), input.dtype());
  std::vector<double> sums;
  visit_dtype(x.dtype(), [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      const T* gp = g.data_ptr<T>();
      const T* xp = x.data_ptr<T>();
      T* gxp = gx.data_ptr<T>();
      // With z = (x - mu) / sigma: dy/dx = Phi(z) + x phi(z) / sigma, dy/dmu = -x phi(z) / sigma,
      // dy/dsigma = -x z phi(z) / sigma.
      sums = parallel_sums(x.numel(), 2, kLearnableGrain,
                           [&](std::int64_t lo, std::int64_t hi, double* sum) {
                             for (std::int64_t i = lo; i < hi; ++i) {
                               const double v = xp[i], gy = gp[i], z = (v - m) / s;
                               const double slope = v * normal_pdf(z) / s;
                               gxp[i] = static_cast<T>(gy * (normal_cdf(z) + slope));
                               sum[0] -= gy * slope;
                               sum[1] -= gy * slope * z;
                             }
                           });
    }
  });
  return {gx, gradient_like(mu, sums[0]), gradient_like(sigma, sums[1])};
}

}  // namespace functional

LearnableSwish::LearnableSwish(LearnableSwishOptions options) : options_(options) {
  register_parameter("beta", full({1}, options_.beta, float32));
}

Tensor LearnableSwish::forward(const Tensor& input) const {
  return functional::learnable_swish(input, beta());
}

LearnableGELU::LearnableGELU(LearnableGELUOptions options) : options_(options) {
  if (!(options_.sigma.to_double() > 0)) {
    throw ValueError("LearnableGELU: sigma (the standard deviation) must be positive, got " +
                     python_repr(options_.sigma));
  }
  register_parameter("mu", full({1}, options_.mu, float32));
  register_parameter("sigma", full({1}, options_.sigma, float32));
}

Tensor LearnableGELU::forward(const Tensor& input) const {
  return functional::learnable_gelu(input, mu(), sigma());
}

}  // namespace activ::nn
