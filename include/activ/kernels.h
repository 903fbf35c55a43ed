// Span kernels of the elementwise activations: pure functions over contiguous arrays, no
// tensors, no threads, no allocation. SIMD for the best instruction set of the running CPU
// (Highway runtime dispatch). Input and output may be the same array (in place).
#pragma once

#include <cstdint>
#include <span>

#include "activ/activation_table.h"

namespace activ::kernels {

#define ACTIV_KERNEL_ENUM_ENTRY(Module, functional, OPTIONS) Module,
enum class Activation : std::uint8_t { ACTIV_ELEMENTWISE_ACTIVATIONS(ACTIV_KERNEL_ENUM_ENTRY, ACTIV_IGNORE_OPTION) kCount };
#undef ACTIV_KERNEL_ENUM_ENTRY

// The numeric options of an activation, in table order (e.g. Softplus: {beta, threshold}).
struct Params {
  double values[4] = {};
};

// The instruction set the kernels run on, as Highway names it ("AVX3" for AVX-512, "AVX2",
// "SSE4"); ACTIV_MAX_SIMD=sse4|avx2 caps it.
const char* simd_target();

// y = f(x)
void forward(Activation op, std::span<const float> x, std::span<float> y, const Params& params);
void forward(Activation op, std::span<const double> x, std::span<double> y, const Params& params);
// grad_input = grad_output * f'(x), with torch's value at every kink
void backward(Activation op, std::span<const float> grad_output, std::span<const float> x,
              std::span<float> grad_input, const Params& params);
void backward(Activation op, std::span<const double> grad_output, std::span<const double> x,
              std::span<double> grad_input, const Params& params);
// out = f''(x)
void second_derivative(Activation op, std::span<const float> x, std::span<float> out, const Params& params);
void second_derivative(Activation op, std::span<const double> x, std::span<double> out, const Params& params);

}  // namespace activ::kernels
