// activ list: every activation of the catalogue with its module and functional names, its
// options (type and torch's default) and its formula; --json for programs.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "activ/nn/catalogue.h"
#include "commands.h"

namespace activ::cli {
namespace {

// ELU  elu(alpha: number = 1.0, inplace: bool = False)
//     x if x > 0 else alpha * (exp(x) - 1)
void print_text(const nn::ActivationInfo& info) {
  std::cout << info.module_name << "  " << info.functional_name << "(";
  for (std::size_t i = 0; i < info.options.size(); ++i) {
    const nn::OptionInfo& option = info.options[i];
    std::cout << (i ? ", " : "") << option.name << ": " << option.type << " = "
              << option.default_value;
  }
  std::cout << ")";
  if (!info.parameters.empty()) {
    std::cout << "  learnable:";
    for (const std::string& parameter : info.parameters) std::cout << ' ' << parameter;
  }
  std::cout << "\n    " << info.formula << '\n';
}

nlohmann::ordered_json to_json(const nn::ActivationInfo& info) {
  nlohmann::ordered_json options = nlohmann::ordered_json::array();
  for (const nn::OptionInfo& option : info.options) {
    options.push_back(
        {{"name", option.name}, {"type", option.type}, {"default", option.default_value}});
  }
  return {{"module", info.module_name},    {"functional", info.functional_name},
          {"kind", kind_name(info.kind)},  {"options", options},
          {"parameters", info.parameters}, {"formula", info.formula}};
}

}  // namespace

void register_list(CLI::App& app) {
  CLI::App* command = app.add_subcommand(
      "list", "List every activation: names, options with torch's defaults, formula");
  auto json = std::make_shared<bool>(false);
  command->add_flag("--json", *json, "Print a JSON array of objects instead");
  command->callback([json] {
    nlohmann::ordered_json all = nlohmann::ordered_json::array();
    for (const auto* list : {&nn::elementwise_activations(), &nn::shaped_activations()}) {
      for (const nn::ActivationInfo& info : *list) {
        if (*json)
          all.push_back(to_json(info));
        else
          print_text(info);
      }
    }
    if (*json) std::cout << all.dump(2) << '\n';
  });
}

}  // namespace activ::cli
