// Sharing memory with other libraries without copying: DLPack (the header of Debian's
// libdlpack-dev, DLPack 0.6) in both directions, and tensors over a caller's own buffer.
#pragma once

#include <dlpack/dlpack.h>

#include <functional>

#include "activ/tensor.h"

namespace activ {

// DLPack 0.8's type code for bool (DLPack 0.6 has none): to_dlpack writes it for bool tensors
// and from_dlpack reads it, with 8 bits.
inline constexpr std::uint8_t kDLPackBoolCode = 6;

// Runs once with the data pointer when the last tensor viewing the buffer goes away.
using BlobDeleter = std::function<void(void* data)>;

// A tensor viewing data (not copied) with these sizes and strides (in elements, any sign; 0 for
// broadcast dims). data must be aligned to the element size and hold every element the sizes
// and strides address; it may be null when the tensor is empty. Raises ShapeError for negative
// sizes, more than kMaxDims dims, strides that do not match the sizes in number or whose
// offsets overflow, ValueError for null or misaligned data. On error nothing is taken over: the
// deleter is not called.
Tensor from_blob(void* data, const Shape& sizes, const Shape& strides, Dtype dtype,
                 BlobDeleter deleter = {});
// The same with contiguous (row-major) strides.
Tensor from_blob(void* data, const Shape& sizes, Dtype dtype, BlobDeleter deleter = {});

// A tensor viewing the DLPack tensor's memory (not copied), which it owns from then on: its
// deleter runs once, when the last tensor viewing it goes away. CPU tensors of float32,
// float64, int64 or bool (kDLPackBoolCode), one lane, any strides (null strides: contiguous).
// Raises ValueError for a null pointer, another device or several lanes, TypeError for
// another dtype, ShapeError / ValueError as from_blob; on error the caller still owns managed.
Tensor from_dlpack(DLManagedTensor* managed);

// A DLPack tensor viewing tensor's elements (not copied; the data only, without autograd
// history), which keeps them alive until the consumer calls its deleter, exactly once.
DLManagedTensor* to_dlpack(const Tensor& tensor);

}  // namespace activ
