// Tensor-level elementwise activations: validation, dtype and layout handling, threading over
// the span kernels, and the modules and catalogue generated from the activation table.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ostream>
#include <string>

#include "activ/kernels.h"
#include "activ/nn/activation.h"
#include "activ/nn/catalogue.h"
#include "activ/nn/functional.h"
#include "activ/parallel.h"

namespace activ::nn {
namespace {

// Elements per thread chunk: small enough that 2 threads help from ~32K elements on.
constexpr std::int64_t kActivationGrain = 16384;

template <class Options>
kernels::Params kernel_params(const Options& options) {
  kernels::Params params;
  std::size_t next = 0;
  for_each_option(options, [&](const char*, const auto& value, OptionStyle) {
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(value)>, Scalar>) params.values[next++] = value.to_double();
  });
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
  if (options.alpha.to_double() == 0) throw ValueError(std::string(op) + ": alpha cannot be 0 for CELU");
}

void check_float_input(const Tensor& input, const char* op, const char* argument) {
  if (!input.defined()) throw ValueError(std::string(op) + ": argument '" + argument + "' is an undefined tensor");
  if (!input.is_floating_point()) {
    throw TypeError(std::string(op) + ": expected argument '" + argument +
                    "' to be a float32 or float64 tensor, got " + std::string(name(input.dtype())));
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
void run_forward(kernels::Activation op, const Tensor& input, Tensor& out, const kernels::Params& params) {
  const Tensor x = input.contiguous();
  visit_dtype(x.dtype(), [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      const T* src = x.data_ptr<T>();
      T* dst = out.data_ptr<T>();
      parallel_spans(x.numel(), [&](std::size_t first, std::size_t count) {
        kernels::forward(op, std::span<const T>(src + first, count), std::span<T>(dst + first, count), params);
      });
    }
  });
}

Tensor forward_op(kernels::Activation op, const char* name, const Tensor& input, const kernels::Params& params,
                  bool inplace) {
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

Tensor backward_op(kernels::Activation op, const char* name, const Tensor& grad_output, const Tensor& input,
                   const kernels::Params& params) {
  check_float_input(grad_output, name, "grad_output");
  check_float_input(input, name, "input");
  if (grad_output.sizes() != input.sizes()) {
    throw ShapeError(std::string(name) + ": grad_output of shape " + shape_str(grad_output.sizes()) +
                     " does not match input of shape " + shape_str(input.sizes()));
  }
  if (grad_output.dtype() != input.dtype()) {
    throw TypeError(std::string(name) + ": grad_output has dtype " + std::string(activ::name(grad_output.dtype())) +
                    " but input has dtype " + std::string(activ::name(input.dtype())));
  }
  const Tensor g = grad_output.contiguous(), x = input.contiguous();
  Tensor out = empty(input.sizes(), input.dtype());
  visit_dtype(x.dtype(), [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      const T* gp = g.data_ptr<T>();
      const T* xp = x.data_ptr<T>();
      T* op_out = out.data_ptr<T>();
      parallel_spans(x.numel(), [&](std::size_t first, std::size_t count) {
        kernels::backward(op, std::span<const T>(gp + first, count), std::span<const T>(xp + first, count),
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
        kernels::second_derivative(op, std::span<const T>(xp + first, count), std::span<T>(dst + first, count),
                                   params);
      });
    }
  });
  return out;
}

template <class T>
std::string option_repr(const T& value) {
  if constexpr (std::is_same_v<T, bool>) return value ? "True" : "False";
  else if constexpr (std::is_same_v<T, std::string>) return "'" + value + "'";
  else return python_repr(value);
}

template <class T>
std::string option_type() {
  if constexpr (std::is_same_v<T, bool>) return "bool";
  else if constexpr (std::is_same_v<T, std::string>) return "string";
  else return "number";
}

template <class Options>
std::string extra_repr_of(const Options& options) {
  std::string out;
  for_each_option(options, [&](const char* name, const auto& value, OptionStyle style) {
    std::string part;
    switch (style) {
      case OptionStyle::kNamed: part = std::string(name) + "=" + option_repr(value); break;
      case OptionStyle::kPositional: part = option_repr(value); break;
      case OptionStyle::kIfTrue:
        if (option_repr(value) == "True") part = std::string(name) + "=True";
        break;
      case OptionStyle::kHidden: break;
    }
    if (part.empty()) return;
    if (!out.empty()) out += ", ";
    out += part;
  });
  return out;
}

template <class Options>
std::vector<OptionInfo> option_infos() {
  std::vector<OptionInfo> infos;
  for_each_option(Options{}, [&](const char* name, const auto& value, OptionStyle) {
    using T = std::remove_cvref_t<decltype(value)>;
    infos.push_back({name, option_type<T>(), option_repr(value)});
  });
  return infos;
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
  auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), v, std::chars_format::scientific);
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
    std::snprintf(exp_text, sizeof exp_text, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += exp_text;
  }
  return negative ? "-" + out : out;
}

std::ostream& operator<<(std::ostream& out, const Module& module) { return out << module.repr(); }

namespace functional {
#define ACTIV_FUNCTIONAL_DEFINITIONS(Name, functional, OPTIONS)                                               \
  Tensor functional(const Tensor& input, const Name##Options& options) {                                      \
    validate(options, #functional);                                                                           \
    return forward_op(kernels::Activation::Name, #functional, input, kernel_params(options),                  \
                      wants_inplace(options));                                                                \
  }                                                                                                           \
  Tensor& functional##_(Tensor& input, const Name##Options& options) {                                        \
    validate(options, #functional "_");                                                                       \
    forward_op(kernels::Activation::Name, #functional "_", input, kernel_params(options), true);              \
    return input;                                                                                             \
  }                                                                                                           \
  Tensor functional##_backward(const Tensor& grad_output, const Tensor& input, const Name##Options& options) { \
    validate(options, #functional "_backward");                                                               \
    return backward_op(kernels::Activation::Name, #functional "_backward", grad_output, input,               \
                       kernel_params(options));                                                               \
  }                                                                                                           \
  Tensor functional##_second_derivative(const Tensor& input, const Name##Options& options) {                  \
    validate(options, #functional "_second_derivative");                                                      \
    return second_derivative_op(kernels::Activation::Name, #functional "_second_derivative", input,           \
                                kernel_params(options));                                                      \
  }
ACTIV_ELEMENTWISE_ACTIVATIONS(ACTIV_FUNCTIONAL_DEFINITIONS, ACTIV_IGNORE_OPTION)
#undef ACTIV_FUNCTIONAL_DEFINITIONS
}  // namespace functional

#define ACTIV_MODULE_DEFINITIONS(Name, functional_name, OPTIONS)                               \
  Name::Name(Name##Options options) : options_(std::move(options)) { validate_module(options_); } \
  Tensor Name::forward(const Tensor& input) const { return functional::functional_name(input, options_); } \
  std::string Name::extra_repr() const { return extra_repr_of(options_); }

namespace {
// Checks torch's module constructors make beyond the functional ones.
template <class Options>
void validate_module(const Options&) {}

void validate_module(const HardtanhOptions& options) {
  if (!(options.max_val.to_double() > options.min_val.to_double())) {
    throw ValueError("Hardtanh: max_val must be greater than min_val, got min_val=" + python_repr(options.min_val) +
                     ", max_val=" + python_repr(options.max_val));
  }
}
}  // namespace

ACTIV_ELEMENTWISE_ACTIVATIONS(ACTIV_MODULE_DEFINITIONS, ACTIV_IGNORE_OPTION)
#undef ACTIV_MODULE_DEFINITIONS

const std::vector<ActivationInfo>& elementwise_activations() {
#define ACTIV_CATALOGUE_ENTRY(Name, functional, OPTIONS) \
  ActivationInfo{#Name, #functional, option_infos<Name##Options>(), kernels::Activation::Name},
  static const std::vector<ActivationInfo> catalogue = {
      ACTIV_ELEMENTWISE_ACTIVATIONS(ACTIV_CATALOGUE_ENTRY, ACTIV_IGNORE_OPTION)};
#undef ACTIV_CATALOGUE_ENTRY
  return catalogue;
}

}  // namespace activ::nn
