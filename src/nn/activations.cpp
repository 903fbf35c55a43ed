// Tensor-level elementwise activations: validation, dtype and layout handling, threading over
// the span kernels, and the modules and catalogue generated from the activation table.
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ostream>
#include <string>

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
kernels::Params kernel_params(const Options& options) {
  kernels::Params params;
  std::size_t next = 0;
  for_each_option(options, [&](const char*, const auto& value, OptionStyle) {
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(value)>, Scalar>)
      params.values[next++] = value.to_double();
  });
  return params;
}

// String options have no numeric value: GELU's approximate (validated before) selects the kernel
// variant as p[0] = 0 ('none') or 1 ('tanh').
kernels::Params kernel_params(const GELUOptions& options) {
  kernels::Params params;
  params.values[0] = options.approximate == "tanh" ? 1 : 0;
  return params;
}

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

void validate(const GELUOptions& options, const char* op) {
  if (options.approximate != "none" && options.approximate != "tanh") {
    throw ValueError(std::string(op) +
                     ": argument 'approximate' must be either 'none' or 'tanh', got '" +
                     options.approximate + "'");
  }
}

// Runs kernel(first, count) over [0, n) in parallel chunks.
template <class Kernel>
void parallel_spans(std::int64_t n, Kernel kernel) {
  parallel_for(0, n, kActivationGrain, [&](std::int64_t lo, std::int64_t hi) {
    kernel(static_cast<std::size_t>(lo), static_cast<std::size_t>(hi - lo));
  });
}

// out = f(input); out is contiguous, input may alias it.
void run_forward(kernels::Activation op, const Tensor& input, Tensor& out,
                 const kernels::Params& params) {
  const Tensor x = input.contiguous();
  visit_dtype(x.dtype(), [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      const T* src = x.data_ptr<T>();
      T* dst = out.data_ptr<T>();
      parallel_spans(x.numel(), [&](std::size_t first, std::size_t count) {
        kernels::forward(op, std::span<const T>(src + first, count),
                         std::span<T>(dst + first, count), params);
      });
    }
  });
}

Tensor forward_op(kernels::Activation op, const char* name, const Tensor& input,
                  const kernels::Params& params, bool inplace) {
  check_float_input(input, name, "input");
  if (!inplace) {
    Tensor out = empty(input.sizes(), input.dtype());
    run_forward(op, input, out, params);
    return out;
  }
  if (input.is_contiguous()) {
    Tensor self = input;
    run_forward(op, input, self, params);
    return input;
  }
  Tensor out = empty(input.sizes(), input.dtype());
  run_forward(op, input, out, params);
  Tensor self = input;
  self.copy_(out);
  return input;
}

Tensor backward_op(kernels::Activation op, const char* name, const Tensor& grad_output,
                   const Tensor& input, const kernels::Params& params) {
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
        kernels::backward(op, std::span<const T>(gp + first, count),
                          std::span<const T>(xp + first, count),
                          std::span<T>(op_out + first, count), params);
      });
    }
  });
  return out;
}

Tensor second_derivative_op(kernels::Activation op, const char* name, const Tensor& input,
                            const kernels::Params& params) {
  check_float_input(input, name, "input");
  const Tensor x = input.contiguous();
  Tensor out = empty(input.sizes(), input.dtype());
  visit_dtype(x.dtype(), [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      const T* xp = x.data_ptr<T>();
      T* dst = out.data_ptr<T>();
      parallel_spans(x.numel(), [&](std::size_t first, std::size_t count) {
        kernels::second_derivative(op, std::span<const T>(xp + first, count),
                                   std::span<T>(dst + first, count), params);
      });
    }
  });
  return out;
}

// The generated functions of one activation, for the autograd wrappers below.
template <class Options>
struct ActivationOps {
  kernels::Activation kernel;
  const char* name;
  Tensor (*backward)(const Tensor&, const Tensor&, const Options&);
  Tensor (*second_derivative)(const Tensor&, const Options&);
};

// torch's node name: elu -> EluBackward0, leaky_relu -> LeakyReluBackward0; relu6 and selu
// are hardtanh and elu to torch.
std::string grad_fn_name(std::string_view functional_name, const char* suffix) {
  if (functional_name == "relu6") return std::string("Hardtanh") + suffix;
  if (functional_name == "selu") return std::string("Elu") + suffix;
  if (functional_name == "logsigmoid") return std::string("LogSigmoid") + suffix;
  std::string out;
  bool upper = true;
  for (char c : functional_name) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out + suffix;
}

// Forward with autograd: the node keeps the input and differentiates with NAME_backward. An
// in-place call on a tensor in the graph computes out of place, writes the result into the
// input and moves the input's history onto it, so the saved input is never overwritten.
template <class Options>
Tensor apply_forward(const ActivationOps<Options>& ops, const Tensor& input, const Options& options,
                     bool inplace) {
  const kernels::Params params = kernel_params(options);
  if (!autograd::needs_grad({input})) {
    return autograd::without_grad(
        [&] { return forward_op(ops.kernel, ops.name, input, params, inplace); });
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
  Tensor out = autograd::without_grad(
      [&] { return forward_op(ops.kernel, ops.name, input, params, false); });
  autograd::record(
      grad_fn_name(ops.name, "Backward0").c_str(), out, {input},
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
      grad_fn_name(ops.name, "BackwardBackward0").c_str(), {grad_output, input},
      [&] {
        return backward_op(ops.kernel, op_name.c_str(), grad_output, input, kernel_params(options));
      },
      [saved_g = autograd::SavedTensor(grad_output), saved_x = autograd::SavedTensor(input),
       options, ops](const Tensor& gg) -> std::vector<Tensor> {
        const Tensor g = saved_g.unpack(), x = saved_x.unpack();
        return {ops.backward(gg, x, options), gg * g * ops.second_derivative(x, options)};
      });
}
}  // namespace

std::string python_repr(const Scalar& value) {
  if (value.kind() == Dtype::Bool) return value.to_int64() ? "True" : "False";
  if (value.kind() == Dtype::Int64) return std::to_string(value.to_int64());
  const double v = value.to_double();
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  // Shortest round-trip digits, laid out as Python's float repr: positional for decimal
  // exponents in [-4, 16), scientific (1e-05, 1e+16) otherwise.
  std::array<char, 64> buffer;
  auto [end, ec] =
      std::to_chars(buffer.data(), buffer.data() + buffer.size(), v, std::chars_format::scientific);
  std::string sci(buffer.data(), end);
  const auto e_pos = sci.find('e');
  const int exponent = std::stoi(sci.substr(e_pos + 1));
  std::string digits = sci.substr(0, e_pos);
  const bool negative = digits[0] == '-';
  if (negative) digits.erase(0, 1);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  std::string out;
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) {
      out = "0." + std::string(-exponent - 1, '0') + digits;
    } else if (static_cast<int>(digits.size()) <= exponent + 1) {
      out = digits + std::string(exponent + 1 - digits.size(), '0') + ".0";
    } else {
      out = digits.substr(0, exponent + 1) + "." + digits.substr(exponent + 1);
    }
  } else {
    out = digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char exp_text[16];
    std::snprintf(exp_text, sizeof exp_text, "e%c%02d", exponent < 0 ? '-' : '+',
                  std::abs(exponent));
    out += exp_text;
  }
  return negative ? "-" + out : out;
}

namespace functional {
#define ACTIV_FUNCTIONAL_DEFINITIONS(Name, functional, OPTIONS)                                \
  namespace {                                                                                  \
  ActivationOps<Name##Options> functional##_ops() {                                            \
    return {kernels::Activation::Name, #functional, &functional##_backward,                    \
            &functional##_second_derivative};                                                  \
  }                                                                                            \
  }                                                                                            \
  Tensor functional(const Tensor& input, const Name##Options& options) {                       \
    validate(options, #functional);                                                            \
    return apply_forward(functional##_ops(), input, options, wants_inplace(options));          \
  }                                                                                            \
  Tensor& functional##_(Tensor& input, const Name##Options& options) {                         \
    validate(options, #functional "_");                                                        \
    apply_forward(functional##_ops(), input, options, true);                                   \
    return input;                                                                              \
  }                                                                                            \
  Tensor functional##_backward(const Tensor& grad_output, const Tensor& input,                 \
                               const Name##Options& options) {                                 \
    validate(options, #functional "_backward");                                                \
    return apply_backward(functional##_ops(), grad_output, input, options);                    \
  }                                                                                            \
  Tensor functional##_second_derivative(const Tensor& input, const Name##Options& options) {   \
    validate(options, #functional "_second_derivative");                                       \
    return autograd::without_grad([&] {                                                        \
      return second_derivative_op(kernels::Activation::Name, #functional "_second_derivative", \
                                  input, kernel_params(options));                              \
    });                                                                                        \
  }
ACTIV_ELEMENTWISE_ACTIVATIONS(ACTIV_FUNCTIONAL_DEFINITIONS, ACTIV_IGNORE_OPTION)
#undef ACTIV_FUNCTIONAL_DEFINITIONS
}  // namespace functional

#define ACTIV_MODULE_DEFINITIONS(Name, functional_name, OPTIONS)     \
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
#define ACTIV_CATALOGUE_ENTRY(Name, functional_name, OPTIONS)                                     \
  ActivationInfo{#Name,                                                                           \
                 #functional_name,                                                                \
                 option_infos<Name##Options>(),                                                   \
                 kernels::Activation::Name,                                                       \
                 ActivationKind::kElementwise,                                                    \
                 {},                                                                              \
                 activation_formula(#functional_name),                                            \
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
