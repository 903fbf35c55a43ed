// Span kernels of the elementwise activations: pure functions over contiguous arrays, no
// tensors, no threads, no allocation. SIMD for the best instruction set of the running CPU
// (Highway runtime dispatch). Input and output may be the same array (in place); the other
// arrays must have the same size (ValueError otherwise).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <variant>

#include "activ/activation_table.h"

namespace activ::kernels {

#define ACTIV_KERNEL_ENUM_ENTRY(Module, ...) Module,
enum class Activation : std::uint8_t {
  ACTIV_ELEMENTWISE_ACTIVATIONS(ACTIV_KERNEL_ENUM_ENTRY, ACTIV_IGNORE_OPTION) kCount
};
#undef ACTIV_KERNEL_ENUM_ENTRY

// GELU's `approximate`, as torch's GeluType.
enum class GeluApproximate : std::uint8_t { kNone, kTanh };

// The instruction set the kernels run on, as Highway names it ("AVX3" for AVX-512, "AVX2",
// "SSE4"); ACTIV_MAX_SIMD=sse4|avx2 caps it.
const char* simd_target();

// One parameter struct per activation, generated from its options' kernel column
// (activation_table.h): ReLUParams {}, ELUParams {alpha}, HardtanhParams {min_val, max_val},
// SoftplusParams {beta, threshold}, GELUParams {approximate}. Kernels take them by value, so the
// compiler keeps them in registers.
#define ACTIV_KERNEL_FIELD_none(name)
#define ACTIV_KERNEL_FIELD_double(name) double name = 0;
#define ACTIV_KERNEL_FIELD_GeluApproximate(name) GeluApproximate name = GeluApproximate::kNone;
#define ACTIV_KERNEL_FIELD(type, name, default_value, style, kernel) \
  ACTIV_KERNEL_FIELD_##kernel(name)
#define ACTIV_KERNEL_PARAMS_STRUCT(Module, functional, smoothness, grad_fn, formula, OPTIONS) \
  struct Module##Params {                                                                     \
    static constexpr Activation kActivation = Activation::Module;                             \
    OPTIONS                                                                                   \
  };
ACTIV_ELEMENTWISE_ACTIVATIONS(ACTIV_KERNEL_PARAMS_STRUCT, ACTIV_KERNEL_FIELD)
#undef ACTIV_KERNEL_PARAMS_STRUCT
#undef ACTIV_KERNEL_FIELD

// The parameters of any activation: the alternative held names the activation (its index is
// the Activation), for callers that choose the activation at run time.
#define ACTIV_KERNEL_PARAMS_ALTERNATIVE(Module, ...) , Module##Params
using Params = std::variant<std::monostate ACTIV_ELEMENTWISE_ACTIVATIONS(
    ACTIV_KERNEL_PARAMS_ALTERNATIVE, ACTIV_IGNORE_OPTION)>;
#undef ACTIV_KERNEL_PARAMS_ALTERNATIVE

// The activation whose parameters `params` holds (kCount for none).
Activation activation_of(const Params& params);

// What an activation is, beside its math (the table's columns).
enum class Smoothness : std::uint8_t { kPiecewiseLinear, kSmooth };
struct Description {
  std::string_view module;      // "LeakyReLU"
  std::string_view functional;  // "leaky_relu"
  Smoothness smoothness;
  std::string_view grad_fn;  // autograd node stem: "LeakyRelu"
  std::string_view formula;  // "x if x > 0 else negative_slope * x"
};
#define ACTIV_KERNEL_DESCRIPTION(Module, functional, smoothness, grad_fn, formula, ...) \
  Description{#Module, #functional, Smoothness::smoothness, grad_fn, formula},
inline constexpr Description kDescriptions[] = {
    ACTIV_ELEMENTWISE_ACTIVATIONS(ACTIV_KERNEL_DESCRIPTION, ACTIV_IGNORE_OPTION)};
#undef ACTIV_KERNEL_DESCRIPTION
constexpr const Description& describe(Activation op) {
  return kDescriptions[static_cast<std::size_t>(op)];
}

// For each activation's Params P:
//   forward(P, x, y)                      y = f(x)
//   backward(P, grad_output, x, grad_input)  grad_input = grad_output * f'(x), with torch's
//                                         value at every kink
//   second_derivative(P, x, out)          out = f''(x)
#define ACTIV_KERNEL_DECLARATIONS(Module, ...)                                                   \
  void forward(Module##Params params, std::span<const float> x, std::span<float> y);             \
  void forward(Module##Params params, std::span<const double> x, std::span<double> y);           \
  void backward(Module##Params params, std::span<const float> grad_output,                       \
                std::span<const float> x, std::span<float> grad_input);                          \
  void backward(Module##Params params, std::span<const double> grad_output,                      \
                std::span<const double> x, std::span<double> grad_input);                        \
  void second_derivative(Module##Params params, std::span<const float> x, std::span<float> out); \
  void second_derivative(Module##Params params, std::span<const double> x, std::span<double> out);
ACTIV_ELEMENTWISE_ACTIVATIONS(ACTIV_KERNEL_DECLARATIONS, ACTIV_IGNORE_OPTION)
#undef ACTIV_KERNEL_DECLARATIONS

// The same, choosing the activation at run time by the alternative `params` holds
// (ValueError for std::monostate).
void forward(const Params& params, std::span<const float> x, std::span<float> y);
void forward(const Params& params, std::span<const double> x, std::span<double> y);
void backward(const Params& params, std::span<const float> grad_output, std::span<const float> x,
              std::span<float> grad_input);
void backward(const Params& params, std::span<const double> grad_output, std::span<const double> x,
              std::span<double> grad_input);
void second_derivative(const Params& params, std::span<const float> x, std::span<float> out);
void second_derivative(const Params& params, std::span<const double> x, std::span<double> out);

}  // namespace activ::kernels
