// The weight target's 10-line program (scripts/bench-vs-libtorch times its build and sizes it).
#include <iostream>

#include "activ/nn/activation.h"
#include "activ/tensor.h"

int main() {
  const activ::Tensor x = activ::linspace(-3.0, 3.0, 7);
  activ::nn::GELU gelu({.approximate = "tanh"});
  std::cout << gelu << '\n' << gelu(x) << '\n';
}
