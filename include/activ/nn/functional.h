// The functional API of the elementwise activations, generated from activation_table.h. For
// each activation NAME (torch.nn.functional's name):
//   NAME(input, options)                    -> a new tensor; with options.inplace, input itself
//   NAME_(input, options)                   -> writes into input and returns it (also a temporary
//                                              view: NAME_(x[0]) writes into x)
//   NAME_backward(grad_output, input, opts) -> grad_output * f'(input), torch's value at kinks
//   NAME_second_derivative(input, opts)     -> f''(input), for double backward
// float32 and float64 tensors of any shape and stride; accuracy bounds in
// src/kernels/activation_math-inl.h.
#pragma once

#include "activ/nn/options.h"
#include "activ/tensor.h"

namespace activ::nn::functional {

#define ACTIV_FUNCTIONAL_DECLARATIONS(Name, functional, ...)                                    \
  Tensor functional(const Tensor& input, const Name##Options& options = {});                    \
  Tensor& functional##_(Tensor& input, const Name##Options& options = {});                      \
  /* For a temporary view, as in functional##_(x[0]): writes through it, returns its handle. */ \
  inline Tensor functional##_(Tensor&& input, const Name##Options& options = {}) {              \
    return functional##_(input, options);                                                       \
  }                                                                                             \
  Tensor functional##_backward(const Tensor& grad_output, const Tensor& input,                  \
                               const Name##Options& options = {});                              \
  Tensor functional##_second_derivative(const Tensor& input, const Name##Options& options = {});
ACTIV_ELEMENTWISE_ACTIVATIONS(ACTIV_FUNCTIONAL_DECLARATIONS, ACTIV_IGNORE_OPTION)
#undef ACTIV_FUNCTIONAL_DECLARATIONS

// --- the activations of ACTIV_SHAPED_ACTIVATIONS (hand-written: each has its own shape rules) ---
// Inputs are float32 or float64 tensors of any stride; dims are wrapped as torch wraps them
// (IndexError outside [-ndim, ndim)). Backward functions return the gradients of sum(y *
// grad_output).

// The dim torch picks for softmax, softmin and log_softmax when dim is None: 0 for 0-, 1- and
// 3-d inputs, else 1. (torch also warns that the implicit choice is deprecated.)
std::int64_t implicit_softmax_dim(std::int64_t ndim);

// exp(x - max) / sum(exp(x - max)) along dim; a row holding NaN or +inf gives NaN, an all -inf
// row gives NaN.
Tensor softmax(const Tensor& input, const SoftmaxOptions& options = {});
// output * (grad_output - sum(grad_output * output)) along dim, from softmax's output.
Tensor softmax_backward(const Tensor& grad_output, const Tensor& output,
                        std::optional<std::int64_t> dim);
// softmax(-input).
Tensor softmin(const Tensor& input, const SoftminOptions& options = {});
// From softmin's output.
Tensor softmin_backward(const Tensor& grad_output, const Tensor& output,
                        std::optional<std::int64_t> dim);
// x - max - log(sum(exp(x - max))) along dim.
Tensor log_softmax(const Tensor& input, const LogSoftmaxOptions& options = {});
// grad_output - exp(output) * sum(grad_output) along dim, from log_softmax's output.
Tensor log_softmax_backward(const Tensor& grad_output, const Tensor& output,
                            std::optional<std::int64_t> dim);
// softmax over the channels (dim -3) of a 3-d (C, H, W) or 4-d (N, C, H, W) input.
Tensor softmax2d(const Tensor& input, const Softmax2dOptions& options = {});
Tensor softmax2d_backward(const Tensor& grad_output, const Tensor& output);

// Splits input in halves a, b along dim (even size) and returns a * sigmoid(b).
Tensor glu(const Tensor& input, const GLUOptions& options = {});
// The gradient for input (input's shape): grad_output * s for a, (1 - s) * s * a * grad_output for
// b.
Tensor glu_backward(const Tensor& grad_output, const Tensor& input, std::int64_t dim = -1);

// cat(relu(x), relu(-x), dim): the size of dim doubles.
Tensor crelu(const Tensor& input, const CReLUOptions& options = {});
Tensor crelu_backward(const Tensor& grad_output, const Tensor& input, std::int64_t dim = 1);

// x > 0 ? x : weight[c] * x, c the index along dim 1 (a single channel when input has fewer than
// 2 dims); weight is a 0-d or 1-d tensor of 1 or C elements and input's dtype.
Tensor prelu(const Tensor& input, const Tensor& weight);
struct PReLUGradients {
  Tensor input;   // x > 0 ? grad_output : weight[c] * grad_output
  Tensor weight;  // weight's shape: sum over all but dim 1 of (x > 0 ? 0 : x * grad_output)
};
PReLUGradients prelu_backward(const Tensor& grad_output, const Tensor& input, const Tensor& weight);

// Randomized leaky ReLU. options.training: x <= 0 ? x * r : x with r ~ U(lower, upper) drawn per
// element from activ's generator (manual_seed); otherwise leaky_relu with slope (lower + upper)
// / 2. ValueError when lower > upper.
Tensor rrelu(const Tensor& input, const RReLUOptions& options = {});
Tensor& rrelu_(Tensor& input, const RReLUOptions& options = {});
// rrelu that also returns the slopes it used (needed by the backward in training mode): noise
// becomes a tensor of input's shape, r where x <= 0 and 1 elsewhere; in eval mode it is left as is.
Tensor rrelu_with_noise(const Tensor& input, Tensor& noise, const RReLUOptions& options = {});
// Training mode: grad_output * noise (also when lower == upper: torch 1.13 gives grad_output at
// x = NaN, where the noise is 1); eval mode: leaky_relu_backward with the mean slope, and noise
// may be undefined.
Tensor rrelu_backward(const Tensor& grad_output, const Tensor& input, const Tensor& noise,
                      const RReLUOptions& options = {});

// Swish with a learnable beta (seed documents): x * sigmoid(beta * x); beta a one-element tensor.
Tensor learnable_swish(const Tensor& input, const Tensor& beta);
struct LearnableSwishGradients {
  Tensor input;  // swish_backward with this beta
  Tensor beta;   // beta's shape: sum of grad_output * x^2 * s * (1 - s), s = sigmoid(beta * x)
};
LearnableSwishGradients learnable_swish_backward(const Tensor& grad_output, const Tensor& input,
                                                 const Tensor& beta);

// GELU with a learnable normal distribution (seed documents): x * Phi((x - mu) / sigma); mu and
// sigma one-element tensors.
Tensor learnable_gelu(const Tensor& input, const Tensor& mu, const Tensor& sigma);
struct LearnableGELUGradients {
  Tensor input;  // Phi(z) + x * phi(z) / sigma, z = (x - mu) / sigma
  Tensor mu;     // sum of grad_output * -x * phi(z) / sigma
  Tensor sigma;  // sum of grad_output * -x * z * phi(z) / sigma
};
LearnableGELUGradients learnable_gelu_backward(const Tensor& grad_output, const Tensor& input,
                                               const Tensor& mu, const Tensor& sigma);

}  // namespace activ::nn::functional
