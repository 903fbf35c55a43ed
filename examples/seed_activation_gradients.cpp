// Twin of the seed tutorial's derivative plots (shared/seeds/003_*.txt, section 2): the
// gradients of relu, sigmoid and tanh on x = arange(-8, 8, 0.1) by backward() with a gradient of
// ones, clearing x.grad between them; the tutorial plots them, this prints them. x[80] is 2^-51,
// not 0, in torch's arange, so relu's gradient there is 1.
#include <iostream>

#include "activ/autograd.h"
#include "activ/nn/functional.h"

namespace F = activ::nn::functional;

int main() {
  const activ::Tensor x = activ::arange(-8.0, 8.0, 0.1).requires_grad_();
  std::cout << "torch.Size(" << activ::shape_str(x.sizes()) << ")\n";
  activ::Tensor y = F::relu(x);
  y.backward(activ::ones_like(x), /*retain_graph=*/true);
  std::cout << x.grad() << '\n';

  y = F::sigmoid(x);
  x.grad().zero_();
  y.backward(activ::ones_like(x), /*retain_graph=*/true);
  std::cout << x.grad() << '\n';

  // Only -2 <= x < 2: beyond, torch's 1 - y * y from the float32 output y loses digits
  // (4.7684e-07 at x = -8 where sech^2 is 4.5014e-07), and activ's is exact.
  y = F::tanh(x);
  x.grad().zero_();
  y.backward(activ::ones_like(x), /*retain_graph=*/true);
  std::cout << x.grad().slice(0, 60, 100) << '\n';
}
