// Twin of the seed tutorial's Swish and Mish functions (shared/seeds/000_*.txt, section 6.2):
// swish(x, beta) = x * sigmoid(beta * x) and mish(x) = x * tanh(softplus(x)), as functions and
// as a module, next to activ's SiLU and Mish, which give the same values. (The tutorial's mish
// function applies tanh twice, a typo; its Mish class has the formula used here.)
#include <iostream>

#include "activ/nn/activation.h"

namespace F = activ::nn::functional;

activ::Tensor swish(const activ::Tensor& x, activ::Scalar beta = 1) {
  return x * activ::nn::Sigmoid()(x * beta);
}

activ::Tensor mish(const activ::Tensor& x) {
  return x * F::tanh(F::softplus(x));
}

class Mish : public activ::nn::Module {
 public:
  std::string name() const override { return "Mish"; }
  activ::Tensor forward(const activ::Tensor& x) const override {
    return x * (F::tanh(F::softplus(x)));
  }
};

int main() {
  const activ::Tensor x = activ::tensor({-3.0, -1.0, -0.25, 0.0, 0.5, 2.0}).requires_grad_();
  std::cout << x << '\n';
  std::cout << swish(x) << '\n';
  std::cout << activ::nn::SiLU()(x) << '\n';
  std::cout << swish(x, 2) << '\n';
  std::cout << mish(x) << '\n';
  std::cout << Mish() << '\n';
  std::cout << Mish()(x) << '\n';
  std::cout << activ::nn::Mish()(x) << '\n';
}
