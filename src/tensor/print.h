// The formatting behind Tensor::repr, open to other layers so autograd can add the suffixes
// torch prints after the values (requires_grad=True, grad_fn=<MulBackward0>).
#pragma once

#include <string>
#include <vector>

#include "activ/tensor.h"

namespace activ::detail {

// torch's repr of tensor with `suffixes` appended after the size/dtype suffixes inside the
// closing paren, each on a new line when it would pass the line width, as torch wraps them.
std::string format_tensor(const Tensor& tensor, const std::vector<std::string>& suffixes = {});

}  // namespace activ::detail
