// Twin of the seed tutorial's gradient example (shared/seeds/002_*.txt, "autograd"): the MSE of
// 1 and x*w at w = 3 is 4, and its gradient with respect to w is 4, through autograd::grad and
// through backward().
#include <iostream>

#include "activ/autograd.h"
#include "activ/nn/loss.h"

int main() {
  using namespace activ;
  const Tensor x = ones({1});
  nn::MSELoss mse({.reduction = "mean"});

  Tensor w = full({1}, 3.).requires_grad_();
  std::cout << mse(ones({1}), x * w) << '\n';                         // tensor(4., grad_fn=<MseLossBackward0>)
  std::cout << autograd::grad({mse(ones({1}), x * w)}, {w})[0] << '\n';  // torch: (tensor([4.]),)

  Tensor mse1 = mse(ones({1}), x * w);
  mse1.backward();
  std::cout << w.grad() << '\n';  // tensor([4.])
}
