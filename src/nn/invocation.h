// Evaluating activations by name with options given as strings (ActivationInfo::forward and
// friends): parsing an OptionValues map into an options struct, option by option.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <type_traits>
#include <vector>

#include "activ/error.h"
#include "activ/nn/catalogue.h"
#include "activ/nn/options.h"
#include "nn/common.h"

namespace activ::nn {

// The one-line formula of the activation with this functional name (catalogue's `formula`).
std::string activation_formula(std::string_view functional_name);

// The catalogue's description of each option: name, type and default as torch prints it.
template <class T>
std::string option_type() {
  if constexpr (std::is_same_v<T, bool>)
    return "bool";
  else if constexpr (std::is_same_v<T, std::string>)
    return "string";
  else if constexpr (std::is_same_v<T, std::int64_t>)
    return "int";
  else if constexpr (std::is_same_v<T, std::optional<std::int64_t>>)
    return "int or None";
  else
    return "number";
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

namespace invocation {

// Whole-text integer; nullopt when text is not one (or overflows int64).
inline std::optional<std::int64_t> parse_integer(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Whole-text float, Python's float(): 1.5, -2e-3, inf, -inf, nan.
inline std::optional<double> parse_float(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The value of one option, or nullopt when text does not fit its type; `expected` says what
// fits, for the error message.
template <class T>
std::optional<T> parse_value(const std::string& text, std::string& expected) {
  if constexpr (std::is_same_v<T, bool>) {
    expected = "a bool (true, false, True, False, 1 or 0)";
    if (text == "true" || text == "True" || text == "1") return true;
    if (text == "false" || text == "False" || text == "0") return false;
    return std::nullopt;
  } else if constexpr (std::is_same_v<T, std::string>) {
    return text;
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    expected = "an integer";
    return parse_integer(text);
  } else if constexpr (std::is_same_v<T, std::optional<std::int64_t>>) {
    expected = "an integer or None";
    if (text == "None") return T{std::nullopt};
    if (const auto value = parse_integer(text)) return T{*value};
    return std::nullopt;
  } else {
    static_assert(std::is_same_v<T, Scalar>);
    expected = "a number";
    if (const auto value = parse_integer(text)) return Scalar(*value);
    if (const auto value = parse_float(text)) return Scalar(*value);
    return std::nullopt;
  }
}

// The options struct with values' entries parsed into it; op names the activation in errors.
template <class Options>
Options parse_options(const OptionValues& values, const char* op) {
  Options options;
  std::string valid;
  for_each_option(options, [&](const char* name, auto&, OptionStyle) {
    valid += (valid.empty() ? "" : ", ") + std::string(name);
  });
  for (const auto& entry : values) {
    // Not a structured binding: clang 14 (the fuzz build) cannot capture one in a lambda.
    const std::string& name = entry.first;
    const std::string& text = entry.second;
    bool known = false;
    for_each_option(options, [&](const char* option, auto& member, OptionStyle) {
      if (name != option) return;
      known = true;
      using T = std::remove_cvref_t<decltype(member)>;
      std::string expected;
      const std::optional<T> value = parse_value<T>(text, expected);
      if (!value) {
        throw ValueError(std::string(op) + ": option '" + name + "' expects " + expected +
                         ", got '" + text + "'");
      }
      member = *value;
    });
    if (!known) {
      throw ValueError(std::string(op) + ": unknown option '" + name +
                       "'; valid options: " + (valid.empty() ? "none" : valid));
    }
  }
  return options;
}

}  // namespace invocation

// ActivationInfo::call: the functional call with values parsed into Options and shown as
// extra_repr shows them, "hardtanh(min_val=0.5, max_val=-0.5)". Parse errors name the module, as
// forward's do.
template <class Options>
std::string functional_call(const char* module_name, const char* functional_name,
                            const OptionValues& values) {
  const Options options = invocation::parse_options<Options>(values, module_name);
  return std::string(functional_name) + "(" + extra_repr_of(options) + ")";
}

}  // namespace activ::nn
