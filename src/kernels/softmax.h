// Span kernels of softmax and log_softmax along rows, forward and backward: pure functions over
// arrays (no tensors, threads or allocation), SIMD for the best instruction set of the running
// CPU (Highway runtime dispatch).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace activ::kernels {

enum class SoftmaxKind : std::uint8_t { kSoftmax, kLogSoftmax };

// `rows` rows of `length` elements; element k of row j at k * element_stride + j * row_stride.
// Either the rows are contiguous (element_stride 1: dim is last) or neighbouring rows are
// neighbouring in memory (row_stride 1: dim is not last; vectorized across rows). The spans given
// with a layout cover every element it addresses.
struct SoftmaxRows {
  std::size_t rows = 0, length = 0, element_stride = 1, row_stride = 0;
};

// y = softmax(x) or log_softmax(x) along each row, with torch's special values: a row holding a
// NaN or +inf, or only -inf, becomes all NaN.
void softmax_forward(SoftmaxKind kind, const SoftmaxRows& layout, std::span<const float> x,
                     std::span<float> y);
void softmax_forward(SoftmaxKind kind, const SoftmaxRows& layout, std::span<const double> x,
                     std::span<double> y);

// From the forward's output y:
//   softmax      grad_input = y * (grad_output - sum(grad_output * y))
//   log_softmax  grad_input = grad_output - exp(y) * sum(grad_output)
void softmax_backward(SoftmaxKind kind, const SoftmaxRows& layout,
                      std::span<const float> grad_output, std::span<const float> y,
                      std::span<float> grad_input);
void softmax_backward(SoftmaxKind kind, const SoftmaxRows& layout,
                      std::span<const double> grad_output, std::span<const double> y,
                      std::span<double> grad_input);

}  // namespace activ::kernels
