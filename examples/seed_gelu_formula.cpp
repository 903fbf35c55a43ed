// Twin of the seed tutorials' GELU code (shared/seeds/000_*.txt, section 7.2, and the GELU
// section of 001_*.txt): x * Phi(x) written out with erf, and the tanh approximation
// 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))), next to activ's GELU with
// approximate 'none' and 'tanh'.
#include <cmath>
#include <iostream>
#include <numbers>

#include "activ/nn/activation.h"

namespace F = activ::nn::functional;

activ::Tensor gelu(const activ::Tensor& input_tensor) {
  const activ::Tensor cdf = 0.5 * (1.0 + activ::erf(input_tensor / std::sqrt(2.0)));
  return input_tensor * cdf;
}

activ::Tensor gelu_tanh(const activ::Tensor& x) {
  return 0.5 * x *
         (1 + F::tanh(std::sqrt(2 / std::numbers::pi) * (x + 0.044715 * activ::pow(x, 3))));
}

int main() {
  const activ::nn::GELU m;
  const activ::Tensor input_tensor = activ::tensor({-2.2, -0.7071, 0.0, 0.4, 1.3, 3.0});
  const activ::Tensor output_tensor = m(input_tensor);
  std::cout << m << '\n';
  std::cout << "Input: " << input_tensor << '\n';
  std::cout << "Output: " << output_tensor << '\n';
  std::cout << gelu(input_tensor) << '\n';
  const activ::nn::GELU m_tanh({.approximate = "tanh"});
  std::cout << m_tanh << '\n';
  std::cout << m_tanh(input_tensor) << '\n';
  std::cout << gelu_tanh(input_tensor) << '\n';
}
