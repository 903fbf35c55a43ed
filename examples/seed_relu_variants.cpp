// Twin of the seed tutorial's ReLU-family examples (shared/seeds/001_*.txt): ReLU, ReLU6,
// LeakyReLU, PReLU, ELU, SELU, CELU, CReLU through cat, and RReLU, each applied to a
// two-element input. The tutorial's torch.randn(2) inputs are fixed values here.
#include <iostream>

#include "activ/nn/activation.h"
#include "seed_show.h"

int main() {
  using activ::tensor;
  namespace nn = activ::nn;
  show(nn::ReLU(), tensor({-0.4512, 1.0876}));
  show(nn::ReLU6(), tensor({-1.3020, 6.5041}));
  show(nn::LeakyReLU({.negative_slope = 0.1}), tensor({-1.5300, 0.2795}));
  show(nn::PReLU(), tensor({-0.8611, 0.5430}));
  show(nn::ELU({.alpha = 1.0, .inplace = false}), tensor({-0.9432, 0.7718}));
  show(nn::SELU(), tensor({-1.1257, 0.3364}));
  show(nn::CELU({.alpha = 1.0}), tensor({-2.0141, 0.6622}));

  // CReLU: the positive and the negated negative part, concatenated.
  const nn::ReLU m;
  activ::Tensor input_tensor = tensor({-0.6204, 1.1853}).unsqueeze(0);
  const activ::Tensor output_tensor = activ::cat({m(input_tensor), m(-input_tensor)}, 1);
  std::cout << "Input: " << input_tensor << '\n';
  std::cout << "Output: " << output_tensor << '\n';

  // RReLU draws its slopes in training mode (so only their range is printed); eval mode uses
  // (lower + upper) / 2.
  nn::RReLU rrelu({.lower = 0.1, .upper = 0.3});
  input_tensor = tensor({-1.2380, 0.9021});
  const double slope = (rrelu(input_tensor)[0] / input_tensor[0]).item<float>();
  std::cout << rrelu << '\n';
  std::cout << "Input: " << input_tensor << '\n';
  std::cout << "Training slope within [0.1, 0.3]: "
            << (0.1 <= slope && slope <= 0.3 ? "True" : "False") << '\n';
  rrelu.eval();
  std::cout << "Output: " << rrelu(input_tensor) << '\n';
}
