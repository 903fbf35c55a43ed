// Tensor-level elementwise activations: validation, dtype and layout handling, threading over
// the span kernels, and the modules and catalogue generated from the activation table.
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "activ/autograd.h"
#include "activ/kernels.h"
#include "activ/nn/activation.h"
#include "activ/nn/catalogue.h"
#include "activ/nn/functional.h"
#include "activ/parallel.h"
#include "nn/common.h"
#include "nn/invocation.h"

namespace activ::nn {
namespace {

// Elements per thread chunk: small enough that 2 threads help from ~32K elements on.
constexpr std::int64_t kActivationGrain = 16384;

template <class Options>
bool wants_inplace(const Options& options) {
  bool inplace = false;
  for_each_option(options, [&](const char* name, const auto& value, OptionStyle) {
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(value)>, bool>) {
      if (std::string_view(name) == "inplace") inplace = value;
    }
  });
  return inplace;
}

// Option checks torch makes at call time; every other option value is accepted, as in torch.
template <class Options>
void validate(const Options&, const char*) {}

void validate(const SoftshrinkOptions& options, const char* op) {
  const double lambd = options.lambd.to_double();
  if (!(lambd >= 0)) {
    throw ValueError(std::string(op) + ": lambd must be greater or equal to 0, but found to be " +
                     python_repr(options.lambd));
  }
}

void validate(const CELUOptions& options, const char* op) {
  if (options.alpha.to_double() == 0)
    throw ValueError(std::string(op) + ": alpha cannot be 0 for CELU");
}

kernels::GeluApproximate gelu_approximate(const std::string& approximate, const char* op) {
  if (approximate == "none") return kernels::GeluApproximate::kNone;
  if (approximate == "tanh") return kernels::GeluApproximate::kTanh;
  throw ValueError(std::string(op) +
                   ": argument 'approximate' must be either 'none' or 'tanh', got '" + approximate +
                   "'");
}

void validate(const GELUOptions& options, const char* op) {
  gelu_approximate(options.approximate, op);
}

// An option's value as the kernel parameter of type Kernel (kernels.h): a number as a double,
// GELU's approximate as its enum. Any other pairing, such as a row giving a bool option a double
// kernel parameter, does not compile.
template <class Kernel, class Option>
Kernel to_kernel_param(const Option& value, const char* op) = delete;
template <>
double to_kernel_param<double, Scalar>(const Scalar& value, const char*) {
  return value.to_double();
}
template <>
kernels::GeluApproximate to_kernel_param<kernels::GeluApproximate, std::string>(
    const std::string& value, const char* op) {
  return gelu_approximate(value, op);
}

// Runs kernel(first, count) over [0, n) in parallel chunks.
template <class Kernel>
void parallel_spans(std::int64_t n, Kernel kernel) {
  parallel_for(0, n, kActivationGrain, [&](std::int64_t lo, std::int64_t hi) {
    kernel(static_cast<std::size_t>(lo), static_cast<std::size_t>(hi - lo));
  });
}

// out = f(input); out is contiguous, input may alias it.
template <class Params>
void run_forward(const Params& params, const Tensor& input, Tensor& out) {
  const Tensor x = input.contiguous();
  visit_dtype(x.dtype(), [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      const T* src = x.data_ptr<T>();
      T* dst = out.data_ptr<T>();
      parallel_spans(x.numel(), [&](std::size_t first, std::size_t count) {
        kernels::forward(params, std::span<const T>(src + first, count),
                         std::span<T>(dst + first, count));
      });
    }
  });
}

template <class Params>
Tensor forward_op(const Params& params, const char* name, const Tensor& input, bool inplace) {
  check_float_input(input, name, "input");
  if (!inplace) {
    Tensor out = empty(input.sizes(), input.dtype());
    run_forward(params, input, out);
    return out;
  }
  if (input.is_contiguous()) {
    Tensor self = input;
    run_forward(params, input, self);
    return input;
  }
  Tensor out = empty(input.sizes(), input.dtype());
  run_forward(params, input, out);
  Tensor self = input;
  self.copy_(out);
  return input;
}

template <class Params>
Tensor backward_op(const Params& params, const char* name, const Tensor& grad_output,
                   const Tensor& input) {
  check_float_input(grad_output, name, "grad_output");
  check_float_input(input, name, "input");
  if (grad_output.sizes() != input.sizes()) {
    throw ShapeError(std::string(name) + ": grad_output of shape " +
                     shape_str(grad_output.sizes()) + " does not match input of shape " +
                     shape_str(input.sizes()));
  }
  if (grad_output.dtype() != input.dtype()) {
    throw TypeError(std::string(name) + ": grad_output has dtype " +
                    std::string(activ::name(grad_output.dtype())) + " but input has dtype " +
                    std::string(activ::name(input.dtype())));
  }
  const Tensor g = grad_output.contiguous(), x = input.contiguous();
  Tensor out = empty(input.sizes(), input.dtype());
  visit_dtype(x.dtype(), [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      const T* gp = g.data_ptr<T>();
      const T* xp = x.data_ptr<T>();
      T* op_out = out.data_ptr<T>();
      parallel_spans(x.numel(), [&](std::size_t first, std::size_t count) {
        kernels::backward(params, std::span<const T>(gp + first, count),
                          std::span<const T>(xp + first, count),
                          std::span<T>(op_out + first, count));
      });
    }
  });
  return out;
}

template <class Params>
Tensor second_derivative_op(const Params& params, const char* name, const Tensor& input) {
  check_float_input(input, name, "input");
  const Tensor x = input.contiguous();
  Tensor out = empty(input.sizes(), input.dtype());
  visit_dtype(x.dtype(), [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      const T* xp = x.data_ptr<T>();
      T* dst = out.data_ptr<T>();
      parallel_spans(x.numel(), [&](std::size_t first, std::size_t count) {
        kernels::second_derivative(params, std::span<const T>(xp + first, count),
                                   std::span<T>(dst + first, count));
      });
    }
  });
  return out;
}

// The generated functions of one activation, for the autograd wrappers below.
template <class Options>
struct ActivationOps {
  const char* name;
  std::string_view grad_fn;  // the table's node name stem
  Tensor (*backward)(const Tensor&, const Tensor&, const Options&);
  Tensor (*second_derivative)(const Tensor&, const Options&);
};

// Forward with autograd: the node keeps the input and differentiates with NAME_backward. An
// in-place call on a tensor in the graph computes out of place, writes the result into the
// input and moves the input's history onto it, so the saved input is never overwritten.
template <class Options>
Tensor apply_forward(const ActivationOps<Options>& ops, const Tensor& input, const Options& options,
                     bool inplace) {
  const auto params = kernel_params(options);
  if (!autograd::needs_grad({input})) {
    return autograd::without_grad([&] { return forward_op(params, ops.name, input, inplace); });
  }
  if (inplace) {
    autograd::check_inplace(input, ops.name);
    const Tensor result = apply_forward(ops, input.clone(), options, false);
    Tensor self = input;
    {
      autograd::NoGradGuard guard;
      self.copy_(result);
    }
    autograd::rebase_history(self, result);
    return input;
  }
  Tensor out = autograd::without_grad([&] { return forward_op(params, ops.name, input, false); });
  autograd::record(
      (std::string(ops.grad_fn) + "Backward0").c_str(), out, {input},
      [saved = autograd::SavedTensor(input), options, backward = ops.backward](const Tensor& g) {
        return std::vector<Tensor>{backward(g, saved.unpack(), options)};
      });
  return out;
}

// NAME_backward with autograd, for double backward: d/dg = f'(x), d/dx = g f''(x).
template <class Options>
Tensor apply_backward(const ActivationOps<Options>& ops, const Tensor& grad_output,
                      const Tensor& input, const Options& options) {
  const std::string op_name = std::string(ops.name) + "_backward";
  return autograd::differentiable(
      (std::string(ops.grad_fn) + "BackwardBackward0").c_str(), {grad_output, input},
      [&] { return backward_op(kernel_params(options), op_name.c_str(), grad_output, input); },
      [saved_g = autograd::SavedTensor(grad_output), saved_x = autograd::SavedTensor(input),
       options, ops](const Tensor& gg) -> std::vector<Tensor> {
        const Tensor g = saved_g.unpack(), x = saved_x.unpack();
        return {ops.backward(gg, x, options), gg * g * ops.second_derivative(x, options)};
      });
}
}  // namespace

#define ACTIV_KERNEL_INIT_none(name)
#define ACTIV_KERNEL_INIT_double(name) ACTIV_KERNEL_INIT_FROM_OPTION(name)
#define ACTIV_KERNEL_INIT_GeluApproximate(name) ACTIV_KERNEL_INIT_FROM_OPTION(name)
#define ACTIV_KERNEL_INIT_FROM_OPTION(name) \
  params.name = to_kernel_param<decltype(params.name)>(options.name, op);
#define ACTIV_KERNEL_INIT(type, name, default_value, style, kernel) ACTIV_KERNEL_INIT_##kernel(name)
#define ACTIV_KERNEL_PARAMS_DEFINITION(Name, functional, smoothness, grad_fn, formula, OPTIONS) \
  kernels::Name##Params kernel_params(const Name##Options& options) {                           \
    [[maybe_unused]] const char* op = #functional;                                              \
    (void)options;                                                                              \
    kernels::Name##Params params;                                                               \
    OPTIONS                                                                                     \
    return params;                                                                              \
  }
ACTIV_ELEMENTWISE_ACTIVATIONS(ACTIV_KERNEL_PARAMS_DEFINITION, ACTIV_KERNEL_INIT)
#undef ACTIV_KERNEL_PARAMS_DEFINITION
#undef ACTIV_KERNEL_INIT
#undef ACTIV_KERNEL_INIT_FROM_OPTION
#undef ACTIV_KERNEL_INIT_GeluApproximate
#undef ACTIV_KERNEL_INIT_double
#undef ACTIV_KERNEL_INIT_none

namespace functional {
#define ACTIV_FUNCTIONAL_DEFINITIONS(Name, functional, smoothness, grad_fn, ...)             \
  namespace {                                                                                \
  ActivationOps<Name##Options> functional##_ops() {                                          \
    return {#functional, grad_fn, &functional##_backward, &functional##_second_derivative};  \
  }                                                                                          \
  }                                                                                          \
  Tensor functional(const Tensor& input, const Name##Options& options) {                     \
    validate(options, #functional);                                                          \
    return apply_forward(functional##_ops(), input, options, wants_inplace(options));        \
  }                                                                                          \
  Tensor& functional##_(Tensor& input, const Name##Options& options) {                       \
    validate(options, #functional "_");                                                      \
    apply_forward(functional##_ops(), input, options, true);                                 \
    return input;                                                                            \
  }                                                                                          \
  Tensor functional##_backward(const Tensor& grad_output, const Tensor& input,               \
                               const Name##Options& options) {                               \
    validate(options, #functional "_backward");                                              \
    return apply_backward(functional##_ops(), grad_output, input, options);                  \
  }                                                                                          \
  Tensor functional##_second_derivative(const Tensor& input, const Name##Options& options) { \
    validate(options, #functional "_second_derivative");                                     \
    return autograd::without_grad([&] {                                                      \
      return second_derivative_op(kernel_params(options), #functional "_second_derivative",  \
                                  input);                                                    \
    });                                                                                      \
  }
ACTIV_ELEMENTWISE_ACTIVATIONS(ACTIV_FUNCTIONAL_DEFINITIONS, ACTIV_IGNORE_OPTION)
#undef ACTIV_FUNCTIONAL_DEFINITIONS
}  // namespace functional

#define ACTIV_MODULE_DEFINITIONS(Name, functional_name, ...)         \
  Name::Name(Name##Options options) : options_(std::move(options)) { \
    validate_module(options_);                                       \
  }                                                                  \
  Tensor Name::forward(const Tensor& input) const {                  \
    return functional::functional_name(input, options_);             \
  }                                                                  \
  std::string Name::extra_repr() const {                             \
    return extra_repr_of(options_);                                  \
  }

namespace {
// Checks torch's module constructors make beyond the functional ones.
template <class Options>
void validate_module(const Options&) {}

void validate_module(const HardtanhOptions& options) {
  if (!(options.max_val.to_double() > options.min_val.to_double())) {
    throw ValueError("Hardtanh: max_val must be greater than min_val, got min_val=" +
                     python_repr(options.min_val) + ", max_val=" + python_repr(options.max_val));
  }
}
}  // namespace

ACTIV_ELEMENTWISE_ACTIVATIONS(ACTIV_MODULE_DEFINITIONS, ACTIV_IGNORE_OPTION)
#undef ACTIV_MODULE_DEFINITIONS

const std::vector<ActivationInfo>& elementwise_activations() {
#define ACTIV_CATALOGUE_ENTRY(Name, functional_name, smoothness, grad_fn, formula, ...)           \
  ActivationInfo{#Name,                                                                           \
                 #functional_name,                                                                \
                 option_infos<Name##Options>(),                                                   \
                 kernels::Activation::Name,                                                       \
                 ActivationKind::kElementwise,                                                    \
                 {},                                                                              \
                 formula,                                                                         \
                 [](const Tensor& input, const OptionValues& values) {                            \
                   return functional::functional_name(                                            \
                       input, invocation::parse_options<Name##Options>(values, #Name));           \
                 },                                                                               \
                 [](const Tensor& grad_output, const Tensor& input, const OptionValues& values) { \
                   return functional::functional_name##_backward(                                 \
                       grad_output, input,                                                        \
                       invocation::parse_options<Name##Options>(values, #Name));                  \
                 },                                                                               \
                 [](const OptionValues& values) {                                                 \
                   return Name(invocation::parse_options<Name##Options>(values, #Name)).repr();   \
                 },                                                                               \
                 [](const OptionValues& values) {                                                 \
                   return functional_call<Name##Options>(#Name, #functional_name, values);        \
                 }},
  static const std::vector<ActivationInfo> catalogue = {
      ACTIV_ELEMENTWISE_ACTIVATIONS(ACTIV_CATALOGUE_ENTRY, ACTIV_IGNORE_OPTION)};
#undef ACTIV_CATALOGUE_ENTRY
  return catalogue;
}

}  // namespace activ::nn
