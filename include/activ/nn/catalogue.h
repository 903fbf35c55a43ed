// The catalogue at run time: what the CLI, tests and benchmarks iterate.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "activ/kernels.h"
#include "activ/nn/options.h"
#include "activ/tensor.h"

namespace activ::nn {

// Option values as typed on a command line, by option name: {"negative_slope", "0.2"}. Parsed
// by each option's type: numbers keep how they were written ("1" is the int 1, "1.0" the float
// 1.0, as Python prints them), bools are true/false/True/False/1/0, a dim int or None. Options
// left out keep their defaults; an unknown name or a bad value raises ValueError naming the
// activation, the option, what was expected and what came.
using OptionValues = std::map<std::string, std::string>;

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
  std::string formula;                  // one line: "x if x > 0 else alpha * (exp(x) - 1)"

  // Evaluation by name, with options as strings. Learnable activations use their modules'
  // initial parameters; RReLU draws random slopes only with training=true, and its backward
  // draws them again, so seed the generator (manual_seed) the same before each call.
  Tensor (*forward)(const Tensor& input, const OptionValues& values) = nullptr;
  // The gradient for input of sum(forward(input) * grad_output).
  Tensor (*backward)(const Tensor& grad_output, const Tensor& input,
                     const OptionValues& values) = nullptr;
  // The module's repr with these options: "LeakyReLU(negative_slope=0.2)". Constructs the
  // module, so it makes the constructor's checks (Hardtanh: max_val > min_val).
  std::string (*repr)(const OptionValues& values) = nullptr;
  // The functional call with these options, parsed as repr parses them but without the module
  // constructor's checks, which torch's functional does not make: "hardtanh(min_val=0.5,
  // max_val=-0.5)". Checks made at call time are forward's.
  std::string (*call)(const OptionValues& values) = nullptr;
};

// Every elementwise activation, in table order.
const std::vector<ActivationInfo>& elementwise_activations();
// The activations of ACTIV_SHAPED_ACTIVATIONS (dim-based, parametric, randomized), in table order.
const std::vector<ActivationInfo>& shaped_activations();

// Python's repr of a number (activ/scalar.h), also under activ::nn.
using activ::python_repr;

// "elementwise", "dim", "parametric" or "randomized", as `activ list --json` and Python name kinds.
const char* kind_name(ActivationKind kind);

// The activation whose module or functional name is `name`, ignoring case ("leaky_relu",
// "LeakyReLU", "leakyrelu"); nullptr when there is none.
const ActivationInfo* find_activation(std::string_view name);

}  // namespace activ::nn
