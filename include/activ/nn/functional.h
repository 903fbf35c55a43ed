// The functional API of the elementwise activations, generated from activation_table.h. For
// each activation NAME (torch.nn.functional's name):
//   NAME(input, options)                    -> a new tensor; with options.inplace, input itself
//   NAME_(input, options)                   -> writes into input and returns it
//   NAME_backward(grad_output, input, opts) -> grad_output * f'(input), torch's value at kinks
//   NAME_second_derivative(input, opts)     -> f''(input), for double backward
// float32 and float64 tensors of any shape and stride; accuracy bounds in
// src/kernels/activation_math-inl.h.
#pragma once

#include "activ/nn/options.h"
#include "activ/tensor.h"

namespace activ::nn::functional {

#define ACTIV_FUNCTIONAL_DECLARATIONS(Name, functional, OPTIONS)                                        \
  Tensor functional(const Tensor& input, const Name##Options& options = {});                            \
  Tensor& functional##_(Tensor& input, const Name##Options& options = {});                               \
  Tensor functional##_backward(const Tensor& grad_output, const Tensor& input,                          \
                               const Name##Options& options = {});                                      \
  Tensor functional##_second_derivative(const Tensor& input, const Name##Options& options = {});
ACTIV_ELEMENTWISE_ACTIVATIONS(ACTIV_FUNCTIONAL_DECLARATIONS, ACTIV_IGNORE_OPTION)
#undef ACTIV_FUNCTIONAL_DECLARATIONS

}  // namespace activ::nn::functional
