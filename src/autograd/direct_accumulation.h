// Lets a backward function add its gradient for an input straight into that leaf's .grad,
// skipping the temporary the engine would otherwise add there (for the weight of a linear
// layer: a gemm with beta = 1 instead of a gemm, a fresh buffer and an elementwise add).
#pragma once

#include <cstddef>

#include "activ/tensor.h"

namespace activ::autograd {

// Called from the backward function of the node the engine is applying: the .grad of the
// leaf that the node's input `input_index` flows into, when the gradient for that input would
// only be added in place to it: a backward pass that accumulates (not autograd::grad) and builds
// no graph, the leaf's .grad already defined and contiguous, and no other gradient for that
// leaf pending or still to come in this pass. Otherwise undefined. A backward function that
// uses it must add its gradient into it exactly as Tensor::add_ would (bumping its version) and
// return an undefined gradient for that input.
Tensor accumulation_target(std::size_t input_index);

}  // namespace activ::autograd
