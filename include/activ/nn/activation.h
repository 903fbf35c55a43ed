// Modules of the elementwise activations, generated from activation_table.h:
//   activ::nn::ELU elu({.alpha = 0.5});  elu(x);  elu.repr() == "ELU(alpha=0.5)"
#pragma once

#include <vector>

#include "activ/nn/functional.h"
#include "activ/nn/module.h"

namespace activ::nn {

#define ACTIV_MODULE_DECLARATION(Name, ...)                   \
  class Name : public Module {                                \
   public:                                                    \
    explicit Name(Name##Options options = {});                \
    Tensor forward(const Tensor& input) const override;       \
    using Module::operator();                                 \
    std::string name() const override { return #Name; }       \
    std::string extra_repr() const override;                  \
    const Name##Options& options() const { return options_; } \
                                                              \
   private:                                                   \
    Name##Options options_;                                   \
  };
ACTIV_ELEMENTWISE_ACTIVATIONS(ACTIV_MODULE_DECLARATION, ACTIV_IGNORE_OPTION)
#undef ACTIV_MODULE_DECLARATION

// Modules of ACTIV_SHAPED_ACTIVATIONS, generated from the table; constructors and forward are
// hand-written next to each one's math. Learnable tensors start as float32 (torch's default) and
// to(float64) converts them; each is a registered parameter with an accessor named as in the
// table: PReLU::weight(), LearnableSwish::beta(), LearnableGELU::mu() and sigma().
//   activ::nn::Softmax softmax({.dim = 1});   softmax.repr() == "Softmax(dim=1)"
//   activ::nn::PReLU prelu({.num_parameters = 3});   prelu.weight()   // [0.25, 0.25, 0.25]
//   activ::nn::RReLU rrelu;   rrelu.eval();   // training mode (the default) draws random slopes

// An accessor per learnable tensor, named as in the table (registered as a parameter).
#define ACTIV_PARAMETER_ACCESSOR(name) \
  Tensor name() const {                \
    return parameter(#name);           \
  }

#define ACTIV_SHAPED_MODULE_DECLARATION(Name, functional, kind, OPTIONS, PARAMETERS) \
  class Name : public Module {                                                       \
   public:                                                                           \
    explicit Name(Name##Options options = {});                                       \
    Tensor forward(const Tensor& input) const override;                              \
    using Module::operator();                                                        \
    std::string name() const override { return #Name; }                              \
    std::string extra_repr() const override;                                         \
    const Name##Options& options() const { return options_; }                        \
    PARAMETERS                                                                       \
                                                                                     \
   private:                                                                          \
    Name##Options options_;                                                          \
  };
ACTIV_SHAPED_ACTIVATIONS(ACTIV_SHAPED_MODULE_DECLARATION, ACTIV_IGNORE_OPTION,
                         ACTIV_PARAMETER_ACCESSOR)
#undef ACTIV_PARAMETER_ACCESSOR
#undef ACTIV_SHAPED_MODULE_DECLARATION

}  // namespace activ::nn
