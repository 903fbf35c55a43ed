// torch.nn.init: in-place initializers of parameters (run without recording gradients), drawing
// from activ's generator (activ::manual_seed).
#pragma once

#include <optional>
#include <string>

#include "activ/tensor.h"

namespace activ::nn::init {

// The recommended gain for a nonlinearity, as torch.nn.init.calculate_gain: "linear",
// "conv1d".."conv3d", "conv_transpose1d".."3d", "sigmoid" -> 1; "tanh" -> 5/3; "relu" -> sqrt(2);
// "leaky_relu" -> sqrt(2 / (1 + slope^2)) (slope default 0.01); "selu" -> 3/4. ValueError otherwise.
double calculate_gain(const std::string& nonlinearity, std::optional<double> param = {});

// fan_in and fan_out as torch computes them (dims >= 2; receptive field = product of dims 2..).
struct Fans {
  std::int64_t fan_in;
  std::int64_t fan_out;
};
Fans calculate_fan_in_and_fan_out(const Tensor& tensor);

Tensor& uniform_(Tensor& tensor, double a = 0.0, double b = 1.0);
Tensor& normal_(Tensor& tensor, double mean = 0.0, double std = 1.0);
Tensor& constant_(Tensor& tensor, double value);
Tensor& ones_(Tensor& tensor);
Tensor& zeros_(Tensor& tensor);
Tensor& xavier_uniform_(Tensor& tensor, double gain = 1.0);
Tensor& xavier_normal_(Tensor& tensor, double gain = 1.0);
// mode "fan_in" or "fan_out"; nonlinearity as calculate_gain with param a.
Tensor& kaiming_uniform_(Tensor& tensor, double a = 0.0, const std::string& mode = "fan_in",
                         const std::string& nonlinearity = "leaky_relu");
Tensor& kaiming_normal_(Tensor& tensor, double a = 0.0, const std::string& mode = "fan_in",
                        const std::string& nonlinearity = "leaky_relu");

}  // namespace activ::nn::init
