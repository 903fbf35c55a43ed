// Twin of the seed tutorial's examples of the smooth activations (shared/seeds/001_*.txt):
// LogSigmoid, Sigmoid, SiLU, Mish, Softplus, Softsign and Tanh, each applied to a two-element
// input (GELU is in seed_gelu_formula). The tutorial's torch.randn(2) inputs are fixed values.
#include <iostream>

#include "activ/nn/activation.h"
#include "seed_show.h"

int main() {
  using activ::tensor;
  namespace nn = activ::nn;
  show(nn::LogSigmoid(), tensor({-1.4461, 0.5572}));
  show(nn::Sigmoid(), tensor({-0.2247, 1.8390}));
  show(nn::SiLU(), tensor({-1.0930, 0.4421}));
  show(nn::Mish(), tensor({-0.7615, 1.3306}));
  show(nn::Softplus(), tensor({-2.3514, 0.1468}));
  show(nn::Softsign(), tensor({-0.6723, 3.0419}));
  show(nn::Tanh(), tensor({-0.3892, 1.5703}));
}
