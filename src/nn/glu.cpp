// GLU (a * sigmoid(b) over the halves of a dim) and CReLU (cat(relu(x), relu(-x))): shape
// handling around the elementwise kernels of the activation table.
#include <string>

#include "activ/nn/activation.h"
#include "activ/nn/functional.h"
#include "nn/common.h"

namespace activ::nn {
namespace {

// The wrapped dim of a function that splits or concatenates along it; a 0-d input has none.
std::int64_t split_dim(const Tensor& input, std::int64_t dim, const char* op, const char* why) {
  check_float_input(input, op, "input");
  if (input.dim() == 0) {
    throw ShapeError(std::string(op) + ": expected argument 'input' to have at least 1 dim " + why +
                     ", got a 0-d tensor");
  }
  return wrap_dim(dim, input.dim(), op);
}

std::int64_t glu_dim(const Tensor& input, std::int64_t dim, const char* op) {
  const std::int64_t d = split_dim(input, dim, op, "(halving a scalar is impossible)");
  if (input.size(d) % 2 != 0) {
    throw ShapeError(std::string(op) + ": the halved dim must have an even size, but dim " +
                     std::to_string(d) + " of input of shape " + shape_str(input.sizes()) +
                     " has size " + std::to_string(input.size(d)));
  }
  return d;
}

// grad_output must have input's shape with dim scaled by factor (GLU halves, CReLU doubles).
void check_grad_shape(const Tensor& grad_output, const Tensor& input, std::int64_t dim,
                      double factor, const char* op) {
  check_float_input(grad_output, op, "grad_output");
  Shape expected = input.sizes();
  expected[dim] = static_cast<std::int64_t>(static_cast<double>(expected[dim]) * factor);
  if (grad_output.sizes() != expected) {
    throw ShapeError(std::string(op) + ": expected grad_output of the output's shape " +
                     shape_str(expected) + ", got " + shape_str(grad_output.sizes()));
  }
  if (grad_output.dtype() != input.dtype()) {
    throw TypeError(std::string(op) + ": grad_output has dtype " +
                    std::string(name(grad_output.dtype())) + " but input has dtype " +
                    std::string(name(input.dtype())));
  }
}

}  // namespace

namespace functional {

Tensor glu(const Tensor& input, const GLUOptions& options) {
  const std::int64_t d = glu_dim(input, options.dim, "glu");
  const std::int64_t half = input.size(d) / 2;
  return mul(input.narrow(d, 0, half), sigmoid(input.narrow(d, half, half)));
}

Tensor glu_backward(const Tensor& grad_output, const Tensor& input, std::int64_t dim) {
  const std::int64_t d = glu_dim(input, dim, "glu_backward");
  check_grad_shape(grad_output, input, d, 0.5, "glu_backward");
  const std::int64_t half = input.size(d) / 2;
  const Tensor a = input.narrow(d, 0, half), b = input.narrow(d, half, half);
  // s * (1 - s) as s * sigmoid(-b): 1 - s cancels for large b.
  const Tensor s = sigmoid(b);
  return cat({mul(grad_output, s), mul(mul(grad_output, a), mul(s, sigmoid(neg(b))))}, d);
}

Tensor crelu(const Tensor& input, const CReLUOptions& options) {
  const std::int64_t d = split_dim(input, options.dim, "crelu", "to concatenate along");
  return cat({relu(input), relu(neg(input))}, d);
}

Tensor crelu_backward(const Tensor& grad_output, const Tensor& input, std::int64_t dim) {
  const std::int64_t d = split_dim(input, dim, "crelu_backward", "to concatenate along");
  check_grad_shape(grad_output, input, d, 2, "crelu_backward");
  const std::int64_t n = input.size(d);
  return sub(relu_backward(grad_output.narrow(d, 0, n), input),
             relu_backward(grad_output.narrow(d, n, n), neg(input)));
}

}  // namespace functional

GLU::GLU(GLUOptions options) : options_(options) {}
Tensor GLU::forward(const Tensor& input) const {
  return functional::glu(input, options_);
}

CReLU::CReLU(CReLUOptions options) : options_(options) {}
Tensor CReLU::forward(const Tensor& input) const {
  return functional::crelu(input, options_);
}

}  // namespace activ::nn
