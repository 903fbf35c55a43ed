// The catalogue at run time: what the CLI, tests and benchmarks iterate.
#pragma once

#include <string>
#include <vector>

#include "activ/kernels.h"
#include "activ/nn/options.h"

namespace activ::nn {

struct OptionInfo {
  std::string name;
  std::string type;           // "number", "bool", "string", "int" or "int or None" (a dim)
  std::string default_value;  // as torch prints it: 1.0, 20, False, 'none'
};

struct ActivationInfo {
  std::string module_name;      // "LeakyReLU"
  std::string functional_name;  // "leaky_relu"
  std::vector<OptionInfo> options;
  kernels::Activation kernel;  // kernels::Activation::kCount unless kind is kElementwise
  ActivationKind kind = ActivationKind::kElementwise;
  std::vector<std::string> parameters;  // learnable tensors: {"weight"} for PReLU
};

// Every elementwise activation, in table order.
const std::vector<ActivationInfo>& elementwise_activations();
// The activations of ACTIV_SHAPED_ACTIVATIONS (dim-based, parametric, randomized), in table order.
const std::vector<ActivationInfo>& shaped_activations();

// Python's repr of a number as torch's extra_repr prints it: 1 stays 1, 1.0 stays 1.0,
// 1e-05, 0.3333333333333333, True, inf, nan.
std::string python_repr(const Scalar& value);

}  // namespace activ::nn
