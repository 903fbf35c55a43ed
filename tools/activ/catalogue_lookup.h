// Finding activations of the catalogue by the names and options a user types, for the
// subcommands that take them (eval, plot, gallery, bench). Header-only: the command-line fuzzer
// and the figure test compile it without the rest of the program.
#pragma once

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "activ/error.h"
#include "activ/nn/catalogue.h"
#include "activ/tensor.h"
#include "text.h"
#include "usage_error.h"

namespace activ::cli {

// Every activation of the catalogue: the elementwise ones, then the shaped ones, in table order.
inline std::vector<const nn::ActivationInfo*> all_activations() {
  std::vector<const nn::ActivationInfo*> out;
  for (const auto* list : {&nn::elementwise_activations(), &nn::shaped_activations()}) {
    for (const nn::ActivationInfo& info : *list) out.push_back(&info);
  }
  return out;
}

// The three activations whose names are closest to `name`, for the unknown-name error.
inline std::string closest_names(const std::string& name) {
  std::vector<std::pair<std::size_t, std::string>> ranked;
  for (const nn::ActivationInfo* info : all_activations()) {
    const std::size_t distance = std::min(edit_distance(lower(name), lower(info->module_name)),
                                          edit_distance(lower(name), info->functional_name));
    ranked.emplace_back(distance, info->functional_name);
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (std::size_t i = 0; i < std::min<std::size_t>(3, ranked.size()); ++i)
    out += (i ? ", " : "") + ranked[i].second;
  return out;
}

// The activation called `name` (any case); a UsageError of `command` naming the closest ones
// when there is none.
inline const nn::ActivationInfo& require_activation(const std::string& command,
                                                    const std::string& name) {
  const nn::ActivationInfo* info = nn::find_activation(name);
  if (info == nullptr) {
    throw UsageError(command + ": unknown activation '" + name +
                     "'; closest: " + closest_names(name) + " (see activ list)");
  }
  return *info;
}

// Which of torch's two forms of an activation a name selects. Module and functional names
// differ mostly by case alone (Hardtanh, hardtanh), so the first letter decides: upper case
// (Hardtanh, LeakyReLU, LEAKYRELU) is the torch.nn module, lower case (hardtanh, leaky_relu,
// leakyrelu) torch.nn.functional's function. They differ in their checks: nn.Hardtanh asserts
// max_val > min_val, F.hardtanh clamps (docs/activation-semantics.md lists every difference).
enum class Form { kModule, kFunctional };

inline Form form_of(const std::string& name) {
  return !name.empty() && std::isupper(static_cast<unsigned char>(name.front()))
             ? Form::kModule
             : Form::kFunctional;
}

// The title of the activation in `form` with these options: the module's repr, which makes the
// constructor's checks, or the functional call. Unknown options and bad values are usage errors
// of `command`.
inline std::string checked_repr(const std::string& command, const nn::ActivationInfo& info,
                                Form form, const nn::OptionValues& values) {
  try {
    std::string title = form == Form::kModule ? info.repr(values) : info.call(values);
    // Some values are only checked when the function runs (softshrink's lambd, gelu's
    // approximate, rrelu's bounds in training): run it on no elements. Errors of that probe's
    // shape (a dim it lacks) are not the options', and the real input may well fit.
    try {
      info.forward(empty({0}), values);
    } catch (const ShapeError&) {
    } catch (const IndexError&) {
    }
    return title;
  } catch (const ValueError& error) {
    throw UsageError(command + ": " + error.what());
  }
}

// A token "--negative-slope" or "--negative_slope=0.2" as the key torch names the option by
// ("negative_slope") and its inline value if any.
struct LongOption {
  std::string key;
  std::optional<std::string> value;
};

// nullopt for a token that is not a long option ("-1", "--", "x").
inline std::optional<LongOption> long_option(const std::string& token) {
  if (token.size() < 3 || token.rfind("--", 0) != 0) return std::nullopt;
  LongOption option{token.substr(2), std::nullopt};
  const auto equals = option.key.find('=');
  if (equals != std::string::npos) {
    option.value = option.key.substr(equals + 1);
    option.key.resize(equals);
  }
  std::replace(option.key.begin(), option.key.end(), '-', '_');
  return option;
}

// One activation with its options, checked.
struct ActivationChoice {
  const nn::ActivationInfo* info = nullptr;
  nn::OptionValues values;
  std::string repr;
};

// The activation `name` in the form its name selects, with these options, checked. `training`
// is an argument of F.rrelu only: nn.RReLU takes its mode from .train() (eval's --train).
inline ActivationChoice choose_activation(const std::string& command, const std::string& name,
                                          const nn::OptionValues& values) {
  ActivationChoice choice{&require_activation(command, name), values, {}};
  if (form_of(name) == Form::kModule && values.count("training")) {
    throw UsageError(command + ": " + choice.info->module_name +
                     ": the module has no option 'training' (its mode is set by .train(); "
                     "--train in activ eval); the function " +
                     choice.info->functional_name + " has");
  }
  choice.repr = checked_repr(command, *choice.info, form_of(name), values);
  return choice;
}

// "elu", or an activation with options in repr syntax, in the form its name selects:
// "ELU(alpha=0.5)" (the module), "leaky_relu(negative_slope=0.2, inplace=False)" (the function).
inline ActivationChoice parse_activation_call(const std::string& command, const std::string& text) {
  const auto open = text.find('(');
  const std::string name = text.substr(0, open);
  nn::OptionValues values;
  if (open != std::string::npos) {
    if (text.back() != ')') {
      throw UsageError(command + ": expected NAME or NAME(option=value, ...), got '" + text + "'");
    }
    std::string arguments = text.substr(open + 1, text.size() - open - 2);
    std::size_t begin = 0;
    while (arguments.find_first_not_of(' ', begin) != std::string::npos) {
      const auto comma = std::min(arguments.find(',', begin), arguments.size());
      const std::string argument = arguments.substr(begin, comma - begin);
      const auto equals = argument.find('=');
      const auto trim = [](std::string part) {
        part.erase(0, part.find_first_not_of(' '));
        part.erase(part.find_last_not_of(' ') + 1);
        return part;
      };
      if (equals == std::string::npos) {
        throw UsageError(command + ": expected option=value in '" + text + "', got '" +
                         trim(argument) + "'");
      }
      std::string value = trim(argument.substr(equals + 1));
      // Strings as Python's repr quotes them: approximate='tanh'.
      if (value.size() >= 2 && (value.front() == '\'' || value.front() == '"') &&
          value.back() == value.front()) {
        value = value.substr(1, value.size() - 2);
      }
      values[trim(argument.substr(0, equals))] = value;
      begin = comma + 1;
    }
  }
  return choose_activation(command, name, values);
}

}  // namespace activ::cli
