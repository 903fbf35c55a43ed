// Helpers shared by the files of src/nn: input checks, deterministic parallel sums and the repr
// generated from an options struct (for_each_option).
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "activ/error.h"
#include "activ/nn/options.h"
#include "activ/parallel.h"
#include "activ/tensor.h"

namespace activ::nn {

inline void check_float_input(const Tensor& input, const char* op, const char* argument) {
  if (!input.defined())
    throw ValueError(std::string(op) + ": argument '" + argument + "' is an undefined tensor");
  if (!input.is_floating_point()) {
    throw TypeError(std::string(op) + ": expected argument '" + argument +
                    "' to be a float32 or float64 tensor, got " + std::string(name(input.dtype())));
  }
}

// grad_output must be a float tensor of other's shape and dtype (other: "input" or "output").
inline void check_gradient_pair(const Tensor& grad_output, const Tensor& other, const char* op,
                                const char* other_name) {
  check_float_input(grad_output, op, "grad_output");
  check_float_input(other, op, other_name);
  if (grad_output.sizes() != other.sizes()) {
    throw ShapeError(std::string(op) + ": grad_output of shape " + shape_str(grad_output.sizes()) +
                     " does not match " + other_name + " of shape " + shape_str(other.sizes()));
  }
  if (grad_output.dtype() != other.dtype()) {
    throw TypeError(std::string(op) + ": grad_output has dtype " +
                    std::string(name(grad_output.dtype())) + " but " + other_name + " has dtype " +
                    std::string(name(other.dtype())));
  }
}

// count sums over [0, n) in double: body(first, last, sums) adds the terms of [first, last) to
// sums[0..count). The range is cut in fixed pieces added in order, so the result does not depend
// on the number of threads.
template <class Body>
std::vector<double> parallel_sums(std::int64_t n, std::size_t count, std::int64_t grain,
                                  Body body) {
  const std::int64_t pieces = std::max<std::int64_t>(1, (n + grain - 1) / grain);
  std::vector<double> partial(static_cast<std::size_t>(pieces) * count, 0.0);
  parallel_for(0, pieces, 1, [&](std::int64_t first, std::int64_t last) {
    for (std::int64_t p = first; p < last; ++p) {
      body(p * grain, std::min(n, (p + 1) * grain),
           partial.data() + p * static_cast<std::int64_t>(count));
    }
  });
  std::vector<double> sums(count, 0.0);
  for (std::int64_t p = 0; p < pieces; ++p) {
    for (std::size_t k = 0; k < count; ++k)
      sums[k] += partial[static_cast<std::size_t>(p) * count + k];
  }
  return sums;
}

template <class T>
std::string option_repr(const T& value) {
  if constexpr (std::is_same_v<T, bool>)
    return value ? "True" : "False";
  else if constexpr (std::is_same_v<T, std::string>)
    return "'" + value + "'";
  else if constexpr (std::is_same_v<T, std::optional<std::int64_t>>)
    return value ? std::to_string(*value) : "None";
  else
    return python_repr(value);
}

template <class Options>
std::string extra_repr_of(const Options& options) {
  std::string out;
  for_each_option(options, [&](const char* name, const auto& value, OptionStyle style) {
    std::string part;
    switch (style) {
      case OptionStyle::kNamed:
        part = std::string(name) + "=" + option_repr(value);
        break;
      case OptionStyle::kPositional:
        part = option_repr(value);
        break;
      case OptionStyle::kIfTrue:
        if (option_repr(value) == "True") part = std::string(name) + "=True";
        break;
      case OptionStyle::kHidden:
        break;
    }
    if (part.empty()) return;
    if (!out.empty()) out += ", ";
    out += part;
  });
  return out;
}


}  // namespace activ::nn
