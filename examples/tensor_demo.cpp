// The README's example: creating tensors, broadcasting, matmul, a reduction and a view.
#include <iostream>

#include "activ/tensor.h"

int main() {
  activ::Tensor a = activ::tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});  // float32, 2x3
  const activ::Tensor row = activ::arange(3);                           // int64: 0, 1, 2

  std::cout << a + row << '\n';          // the row broadcasts over both rows; float32 wins
  std::cout << a.matmul(a.t()) << '\n';  // 2x3 times 3x2
  std::cout << a.sum({1}) << '\n';       // the sum of each row

  activ::Tensor first_column = a.select(1, 0);  // a view: writes go to a's storage
  first_column.fill_(-1);
  std::cout << a << '\n';
}
