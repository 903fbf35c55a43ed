// Modules of the elementwise activations, generated from activation_table.h:
//   activ::nn::ELU elu({.alpha = 0.5});  elu(x);  elu.repr() == "ELU(alpha=0.5)"
#pragma once

#include "activ/nn/functional.h"
#include "activ/nn/module.h"

namespace activ::nn {

#define ACTIV_MODULE_DECLARATION(Name, functional, OPTIONS)                     \
  class Name : public Module {                                                  \
   public:                                                                      \
    explicit Name(Name##Options options = {});                                  \
    Tensor forward(const Tensor& input) const;                                  \
    Tensor operator()(const Tensor& input) const { return forward(input); }     \
    std::string name() const override { return #Name; }                         \
    std::string extra_repr() const override;                                    \
    const Name##Options& options() const { return options_; }                   \
                                                                                \
   private:                                                                     \
    Name##Options options_;                                                     \
  };
ACTIV_ELEMENTWISE_ACTIVATIONS(ACTIV_MODULE_DECLARATION, ACTIV_IGNORE_OPTION)
#undef ACTIV_MODULE_DECLARATION

}  // namespace activ::nn
