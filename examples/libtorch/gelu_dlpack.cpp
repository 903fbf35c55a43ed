// activ's GELU forward and backward on LibTorch tensors, through DLPack and without a copy:
// at::toDLPack hands the tensor's memory to activ::from_dlpack, activ::to_dlpack hands activ's
// results to at::fromDLPack. Prints activ's results next to torch's and exits with 1 if any
// tensor was copied on the way.
#include <ATen/DLConvertor.h>
#include <torch/torch.h>

#include <iostream>

#include "activ/dlpack.h"
#include "activ/nn/functional.h"

namespace F = activ::nn::functional;

int main() {
  const torch::Tensor x = torch::linspace(-3, 3, 7, torch::kFloat64).requires_grad_();
  const torch::Tensor grad_output = torch::ones_like(x);

  // torch -> activ: the same memory (detach: DLPack carries data, not autograd history).
  const activ::Tensor activ_x = activ::from_dlpack(at::toDLPack(x.detach()));
  const activ::Tensor activ_grad_output = activ::from_dlpack(at::toDLPack(grad_output));
  const bool shared = activ_x.data_ptr<double>() == x.data_ptr<double>();

  const activ::Tensor y = F::gelu(activ_x);
  const activ::Tensor grad = F::gelu_backward(activ_grad_output, activ_x);

  // activ -> torch: the results' memory, kept alive until torch frees its tensors.
  const torch::Tensor torch_y = at::fromDLPack(activ::to_dlpack(y));
  const torch::Tensor torch_grad = at::fromDLPack(activ::to_dlpack(grad));
  const bool returned = torch_y.data_ptr<double>() == y.data_ptr<double>() &&
                        torch_grad.data_ptr<double>() == grad.data_ptr<double>();

  const torch::Tensor expected_y = torch::gelu(x);
  expected_y.backward(grad_output);
  std::cout << "x               " << x.detach().view({1, -1}) << "\n"
            << "activ gelu      " << torch_y.view({1, -1}) << "\n"
            << "torch gelu      " << expected_y.detach().view({1, -1}) << "\n"
            << "activ gradient  " << torch_grad.view({1, -1}) << "\n"
            << "torch gradient  " << x.grad().view({1, -1}) << "\n"
            << "largest differences: value "
            << (torch_y - expected_y.detach()).abs().max().item<double>() << ", gradient "
            << (torch_grad - x.grad()).abs().max().item<double>() << "\n"
            << "zero-copy both ways: " << (shared && returned ? "yes" : "NO") << "\n";
  return shared && returned ? 0 : 1;
}
