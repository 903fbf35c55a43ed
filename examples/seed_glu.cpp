// Twin of the seed tutorial's GLU example (shared/seeds/001_*.txt): the last dim of a 4x2 input
// splits into halves a and b, and the output is a * sigmoid(b), of shape 4x1. The tutorial's
// torch.randn(4, 2) input is fixed values here.
#include <iostream>

#include "activ/nn/activation.h"

int main() {
  const activ::nn::GLU m;
  const activ::Tensor input_tensor =
      activ::tensor({{-0.5217, 1.3380}, {0.8146, -0.2075}, {1.9021, 0.4498}, {-1.1650, -2.0317}});
  const activ::Tensor output_tensor = m(input_tensor);
  std::cout << m << '\n';
  std::cout << "Input: " << input_tensor << '\n';
  std::cout << "Output: " << output_tensor << '\n';
}
