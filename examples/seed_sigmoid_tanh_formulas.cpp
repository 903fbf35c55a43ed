// Twin of the seed tutorial's sigmoid and tanh formulas (shared/seeds/002_*.txt): on the
// plotted grid linspace(-10, 10, 1000), 1 / (1 + exp(-x)) and
// (exp(x) - exp(-x)) / (exp(x) + exp(-x)) agree with the built-in sigmoid and tanh, and tanh is
// 2 * sigmoid(2x) - 1. Every 111th point is printed instead of the plot.
#include <iostream>

#include "activ/nn/functional.h"

namespace F = activ::nn::functional;

activ::Tensor every_111th(const activ::Tensor& x) {
  return x.slice(0, {}, {}, 111);
}

int main() {
  const activ::Tensor sigmoid_x = activ::linspace(-10, 10, 1000);
  const activ::Tensor sigmoid_y = 1 / (1 + activ::exp(-sigmoid_x));
  std::cout << every_111th(sigmoid_x) << '\n';
  std::cout << every_111th(sigmoid_y) << '\n';
  std::cout << every_111th(F::sigmoid(sigmoid_x)) << '\n';

  const activ::Tensor tan_x = activ::linspace(-10, 10, 1000);
  const activ::Tensor tanh_y =
      (activ::exp(tan_x) - activ::exp(-tan_x)) / (activ::exp(tan_x) + activ::exp(-tan_x));
  std::cout << every_111th(tanh_y) << '\n';
  std::cout << every_111th(F::tanh(tan_x)) << '\n';
  std::cout << every_111th(2 * F::sigmoid(2 * tan_x) - 1) << '\n';
}
