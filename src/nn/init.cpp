#include "activ/nn/init.h"

#include <cmath>

#include "activ/autograd.h"

namespace activ::nn::init {
namespace {

// Writes values (a fresh tensor of tensor's shape) into tensor without recording.
Tensor& assign(Tensor& tensor, const Tensor& values) {
  autograd::NoGradGuard guard;
  tensor.copy_(values);
  return tensor;
}

void check_defined_float(const Tensor& tensor, const char* op) {
  if (!tensor.defined()) throw ValueError(std::string(op) + ": the tensor is undefined");
  if (!tensor.is_floating_point()) {
    throw TypeError(std::string(op) + ": expected a floating point tensor, got " + std::string(name(tensor.dtype())));
  }
}

std::int64_t chosen_fan(const Tensor& tensor, const std::string& mode, const char* op) {
  const Fans fans = calculate_fan_in_and_fan_out(tensor);
  if (mode == "fan_in") return fans.fan_in;
  if (mode == "fan_out") return fans.fan_out;
  throw ValueError(std::string(op) + ": mode " + mode + " not supported, please use one of fan_in, fan_out");
}

}  // namespace

double calculate_gain(const std::string& nonlinearity, std::optional<double> param) {
  static const char* const kLinear[] = {"linear",           "conv1d",           "conv2d",          "conv3d",
                                        "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid"};
  for (const char* name : kLinear) {
    if (nonlinearity == name) return 1.0;
  }
  if (nonlinearity == "tanh") return 5.0 / 3.0;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") {
    const double slope = param.value_or(0.01);
    return std::sqrt(2.0 / (1.0 + slope * slope));
  }
  if (nonlinearity == "selu") return 3.0 / 4.0;
  throw ValueError("calculate_gain: unsupported nonlinearity " + nonlinearity);
}

Fans calculate_fan_in_and_fan_out(const Tensor& tensor) {
  if (!tensor.defined()) throw ValueError("calculate_fan_in_and_fan_out: the tensor is undefined");
  if (tensor.dim() < 2) {
    throw ValueError("calculate_fan_in_and_fan_out: fan in and fan out can not be computed for tensor with fewer "
                     "than 2 dimensions (got " + std::to_string(tensor.dim()) + ")");
  }
  std::int64_t receptive = 1;
  for (std::int64_t d = 2; d < tensor.dim(); ++d) receptive *= tensor.sizes()[d];
  return {tensor.sizes()[1] * receptive, tensor.sizes()[0] * receptive};
}

Tensor& uniform_(Tensor& tensor, double a, double b) {
  check_defined_float(tensor, "uniform_");
  return assign(tensor, rand(tensor.sizes(), tensor.dtype()) * (b - a) + a);
}

Tensor& normal_(Tensor& tensor, double mean, double std) {
  check_defined_float(tensor, "normal_");
  return assign(tensor, randn(tensor.sizes(), tensor.dtype()) * std + mean);
}

Tensor& constant_(Tensor& tensor, double value) {
  check_defined_float(tensor, "constant_");
  autograd::NoGradGuard guard;
  tensor.fill_(value);
  return tensor;
}
Tensor& ones_(Tensor& tensor) { return constant_(tensor, 1.0); }
Tensor& zeros_(Tensor& tensor) { return constant_(tensor, 0.0); }

Tensor& xavier_uniform_(Tensor& tensor, double gain) {
  check_defined_float(tensor, "xavier_uniform_");
  const Fans fans = calculate_fan_in_and_fan_out(tensor);
  const double std = gain * std::sqrt(2.0 / static_cast<double>(fans.fan_in + fans.fan_out));
  const double bound = std::sqrt(3.0) * std;
  return uniform_(tensor, -bound, bound);
}

Tensor& xavier_normal_(Tensor& tensor, double gain) {
  check_defined_float(tensor, "xavier_normal_");
  const Fans fans = calculate_fan_in_and_fan_out(tensor);
  return normal_(tensor, 0.0, gain * std::sqrt(2.0 / static_cast<double>(fans.fan_in + fans.fan_out)));
}

Tensor& kaiming_uniform_(Tensor& tensor, double a, const std::string& mode, const std::string& nonlinearity) {
  check_defined_float(tensor, "kaiming_uniform_");
  const double fan = static_cast<double>(chosen_fan(tensor, mode, "kaiming_uniform_"));
  const double bound = std::sqrt(3.0) * calculate_gain(nonlinearity, a) / std::sqrt(fan);
  return uniform_(tensor, -bound, bound);
}

Tensor& kaiming_normal_(Tensor& tensor, double a, const std::string& mode, const std::string& nonlinearity) {
  check_defined_float(tensor, "kaiming_normal_");
  const double fan = static_cast<double>(chosen_fan(tensor, mode, "kaiming_normal_"));
  return normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / std::sqrt(fan));
}

}  // namespace activ::nn::init
