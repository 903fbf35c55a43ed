// Twin of the seed tutorial's ReLU6 example (shared/seeds/000_*.txt, section 3.2.1): with
// inplace=True, ReLU6 and ReLU write into their input, so x itself ends up clamped to [0, 6],
// as torch.clamp(x, 0, 6) would give.
#include <iostream>

#include "activ/nn/activation.h"

int main() {
  activ::Tensor x = activ::linspace(-5, 10, 20);
  const activ::nn::ReLU6 r6({.inplace = true});
  std::cout << r6 << '\n';
  std::cout << x << '\n';
  activ::Tensor y = r6(x);
  std::cout << y << '\n';
  const activ::nn::ReLU relu({.inplace = true});
  y = relu(x);
  std::cout << y << '\n';
  const activ::Tensor y2 = activ::clamp(x, 0, 6);
  std::cout << y2 << '\n';
  std::cout << x << '\n';  // changed by r6: inplace
}
