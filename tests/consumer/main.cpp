// Uses activ as a client would and checks one result, so a broken package fails loudly.
#include <iostream>
#include <vector>

#include "activ/tensor.h"

int main() {
  const activ::Tensor x = activ::tensor({{1.0, 2.0}, {3.0, 4.0}});
  const activ::Tensor product = x.matmul(x);
  if (product.to_vector<float>() != std::vector<float>{7, 10, 15, 22}) {
    std::cerr << "consumer: wrong product " << product << '\n';
    return 1;
  }
  std::cout << "consumer: " << product << '\n';
}
