// The same 10-line program on LibTorch, for the weight comparison (scripts/bench-vs-libtorch).
#include <torch/torch.h>

#include <iostream>

int main() {
  const torch::Tensor x = torch::linspace(-3.0, 3.0, 7);
  torch::nn::GELU gelu(torch::nn::GELUOptions().approximate("tanh"));
  std::cout << gelu << '\n' << gelu(x) << '\n';
}
