// Twin of the seed tutorial's softmax example (shared/seeds/002_*.txt): the gradient of p[1],
// p = softmax(a), with respect to a, through autograd::grad with retain_graph and through
// backward(), which agree. The tutorial's a = torch.rand(3) is fixed here to known values, and
// the expected output is what torch prints for them.
#include <iostream>

#include "activ/autograd.h"
#include "activ/nn/functional.h"

int main() {
  using namespace activ;
  Tensor a = tensor({0.2356, 0.7890, 0.4123});
  a.requires_grad_();
  const Tensor p = nn::functional::softmax(a, {.dim = 0});
  std::cout << p << '\n';
  std::cout << autograd::grad({p[1]}, {a}, {}, /*retain_graph=*/true)[0] << '\n';
  p[1].backward({}, /*retain_graph=*/true);
  std::cout << a.grad() << '\n';
}
