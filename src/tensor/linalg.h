// Matrix products for other sources of the library (nn's fused linear layer): the BLAS call
// behind mm, with the option of adding into the output.
#pragma once

#include "activ/tensor.h"

namespace activ::detail {

// out = a @ b, or out += a @ b with accumulate. a (n, k) and b (k, p) of one dtype and any
// strides; out contiguous (n, p) of that dtype. Nothing is recorded for autograd.
void gemm(const Tensor& a, const Tensor& b, Tensor& out, bool accumulate = false);

}  // namespace activ::detail
