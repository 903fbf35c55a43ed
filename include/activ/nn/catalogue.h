// The catalogue at run time: what the CLI, tests and benchmarks iterate.
#pragma once

#include <string>
#include <vector>

#include "activ/kernels.h"
#include "activ/nn/options.h"

namespace activ::nn {

struct OptionInfo {
  std::string name;
  std::string type;           // "number", "bool" or "string"
  std::string default_value;  // as torch prints it: 1.0, 20, False, 'none'
};

struct ActivationInfo {
  std::string module_name;      // "LeakyReLU"
  std::string functional_name;  // "leaky_relu"
  std::vector<OptionInfo> options;
  kernels::Activation kernel;
};

// Every elementwise activation, in table order.
const std::vector<ActivationInfo>& elementwise_activations();

// Python's repr of a number as torch's extra_repr prints it: 1 stays 1, 1.0 stays 1.0,
// 1e-05, 0.3333333333333333, True, inf, nan.
std::string python_repr(const Scalar& value);

}  // namespace activ::nn
