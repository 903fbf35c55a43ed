// What the seed tutorial's activation examples print for one module (shared/seeds/001_*.txt):
// the module, then its input and output.
#pragma once

#include <iostream>

#include "activ/nn/module.h"
#include "activ/tensor.h"

inline void show(const activ::nn::Module& m, const activ::Tensor& input_tensor) {
  const activ::Tensor output_tensor = m(input_tensor);
  std::cout << m << '\n';
  std::cout << "Input: " << input_tensor << '\n';
  std::cout << "Output: " << output_tensor << '\n';
}
