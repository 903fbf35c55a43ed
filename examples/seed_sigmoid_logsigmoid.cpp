// Twin of the seed tutorial's Sigmoid/LogSigmoid example (shared/seeds/000_*.txt, section 1.2):
//   input = torch.autograd.Variable(torch.randn(2))  # printed tensor([0.3439, 0.6682])
//   print(nn.Sigmoid()(input)); print(nn.LogSigmoid()(input))
// The tutorial's random input is fixed to the values it printed, so the outputs match too.
#include <iostream>

#include "activ/nn/activation.h"

int main() {
  const activ::Tensor input = activ::tensor({0.3439, 0.6682});
  std::cout << input << '\n';
  std::cout << activ::nn::Sigmoid()(input) << '\n';
  std::cout << activ::nn::LogSigmoid()(input) << '\n';
}
