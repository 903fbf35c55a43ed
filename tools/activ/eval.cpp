// activ eval NAME [--OPTION VALUE ...] [VALUES...]: evaluates one activation of the catalogue on
// the numbers given or on a whole .npy array, printing or writing the output and, on request,
// the gradient. Activation options are not known to CLI11, so everything after NAME is
// tokenized here (prefix_command hands it over in order).
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "activ/error.h"
#include "activ/nn/catalogue.h"
#include "activ/npy.h"
#include "activ/tensor.h"
#include "catalogue_lookup.h"
#include "commands.h"
#include "text.h"

namespace activ::cli {
namespace {

struct EvalRequest {
  std::string name;
  nn::OptionValues values;
  std::vector<double> numbers;
  std::vector<std::string> number_texts;  // as given, for messages
  bool grad = false;
  bool train = false;
  std::string dtype;  // empty: float32 for numbers, the file's dtype for --input
  std::string input, output, grad_output, grad_input;
  std::optional<std::uint64_t> seed;
};

Dtype parse_dtype(const std::string& text) {
  if (text == "float32") return float32;
  if (text == "float64") return float64;
  throw UsageError("eval: --dtype must be float32 or float64, got '" + text + "'");
}

// Fills request from the tokens after `eval` (the NAME first); false when --help was asked.
bool tokenize(const std::vector<std::string>& tokens, EvalRequest& request) {
  bool values_only = false;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& token = tokens[i];
    if (!values_only && (token == "--help" || token == "-h")) return false;
    if (request.name.empty()) {
      request.name = token;
      continue;
    }
    if (!values_only && token == "--") {
      values_only = true;
      continue;
    }
    const std::optional<LongOption> option = values_only ? std::nullopt : long_option(token);
    if (!option) {
      const auto number = parse_number(token);
      if (!number) {
        throw UsageError("eval: " + bad_number(token) +
                         (overflows_float64(token) ? "" : " (options start with --)"));
      }
      request.numbers.push_back(*number);
      request.number_texts.push_back(token);
      continue;
    }
    const std::string& key = option->key;
    const bool inline_value = option->value.has_value();
    std::string value = option->value.value_or("");
    if (key == "grad" || key == "train") {
      if (inline_value) throw UsageError("eval: --" + key + " takes no value");
      (key == "grad" ? request.grad : request.train) = true;
      continue;
    }
    if (!inline_value) {
      if (i + 1 == tokens.size()) throw UsageError("eval: option " + token + " needs a value");
      value = tokens[++i];
    }
    const bool is_path =
        key == "input" || key == "output" || key == "grad_output" || key == "grad_input";
    if (is_path && value.empty()) {
      std::string flag = "--" + key;
      std::replace(flag.begin(), flag.end(), '_', '-');
      throw UsageError("eval: " + flag + " expects a file path, got ''");
    }
    if (key == "dtype") {
      request.dtype = value;
    } else if (key == "input") {
      request.input = value;
    } else if (key == "output") {
      request.output = value;
    } else if (key == "grad_output") {
      request.grad_output = value;
    } else if (key == "grad_input") {
      request.grad_input = value;
    } else if (key == "seed") {
      const auto seed = parse_number(value);
      if (!seed || *seed < 0 || *seed != static_cast<double>(static_cast<std::uint64_t>(*seed))) {
        throw UsageError("eval: --seed expects a non-negative integer, got '" + value + "'");
      }
      request.seed = static_cast<std::uint64_t>(*seed);
    } else {
      request.values[key] = value;
    }
  }
  return true;
}

// The values as a tensor of dtype; a finite value that dtype cannot hold is a usage error.
Tensor tensor_of(const EvalRequest& request, Dtype dtype) {
  for (std::size_t i = 0; i < request.numbers.size(); ++i) {
    const double number = request.numbers[i];
    if (dtype == float32 && std::isfinite(number) && std::isinf(static_cast<float>(number)))
      throw UsageError("eval: '" + request.number_texts[i] + "' is out of range of float32");
  }
  Tensor out = empty({static_cast<std::int64_t>(request.numbers.size())}, float64);
  std::copy(request.numbers.begin(), request.numbers.end(), out.data_ptr<double>());
  return out.to(dtype);
}

// Refuses, before anything is computed or written, an output path that cannot be written: its
// directory missing or not writable, or a directory at the path itself.
void check_writable(const std::string& flag, const std::string& path) {
  if (path.empty()) return;
  namespace fs = std::filesystem;
  const fs::path parent = fs::path(path).has_parent_path() ? fs::path(path).parent_path() : ".";
  std::error_code error;
  const char* problem = !fs::is_directory(parent, error)             ? "no such directory"
                        : ::access(parent.c_str(), W_OK | X_OK) != 0 ? "directory not writable"
                        : fs::is_directory(path, error)              ? "is a directory"
                                                                     : nullptr;
  if (problem != nullptr)
    throw IoError("eval: " + flag + ": cannot write '" + path + "': " + problem);
}

void evaluate(const EvalRequest& request) {
  // Checks the options as the form the name selects does: F.hardtanh accepts min_val > max_val.
  const nn::ActivationInfo* info = choose_activation("eval", request.name, request.values).info;
  nn::OptionValues values = request.values;
  if (request.train) {
    const bool has_training =
        std::any_of(info->options.begin(), info->options.end(),
                    [](const auto& option) { return option.name == "training"; });
    if (!has_training)
      throw UsageError("eval: --train: " + info->module_name + " has no training mode");
    values["training"] = "true";
  }
  // again with the training mode, whose options (rrelu's bounds) only a training call checks
  if (request.train) checked_repr("eval", *info, form_of(request.name), values);
  if (request.seed && !request.train)
    throw UsageError("eval: --seed only applies with --train (the random slopes of training)");
  if (!request.input.empty() && !request.numbers.empty())
    throw UsageError("eval: give either values or --input, not both");
  if (request.input.empty() && request.numbers.empty())
    throw UsageError("eval: no input: give values (activ eval relu -- -1 0 1) or --input x.npy");
  std::optional<Dtype> dtype;
  if (!request.dtype.empty()) dtype = parse_dtype(request.dtype);
  check_writable("--output", request.output);
  check_writable("--grad-input", request.grad_input);

  // Every input is read and every result computed before any file is written, so a failure
  // leaves the outputs as they were.
  Tensor input =
      request.input.empty() ? tensor_of(request, dtype.value_or(float32)) : load_npy(request.input);
  if (dtype) input = input.to(*dtype);
  const bool wants_grad =
      request.grad || !request.grad_input.empty() || !request.grad_output.empty();
  const Tensor given_grad_output =
      request.grad_output.empty() ? Tensor() : load_npy(request.grad_output);
  // The same seed before forward and backward: RReLU's backward draws the forward's slopes again.
  const std::uint64_t seed = request.seed.value_or(std::random_device{}());
  manual_seed(seed);
  const Tensor output = info->forward(input.clone(), values);
  Tensor grad_input;
  if (wants_grad) {
    const Tensor grad_output =
        given_grad_output.defined() ? given_grad_output.to(output.dtype()) : ones_like(output);
    manual_seed(seed);
    grad_input = info->backward(grad_output, input, values);
  }

  if (request.output.empty())
    std::cout << output.repr() << '\n';
  else
    save_npy(request.output, output);
  if (!wants_grad) return;
  if (request.grad_input.empty())
    std::cout << grad_input.repr() << '\n';
  else
    save_npy(request.grad_input, grad_input);
}

}  // namespace

void register_eval(CLI::App& app) {
  CLI::App* command = app.add_subcommand(
      "eval", "Evaluate one activation (and its gradient) on numbers or a .npy array");
  command->prefix_command();
  command->footer(
      "Usage: activ eval NAME [--OPTION VALUE ...] [--grad] [--dtype float32|float64]\n"
      "         [--input x.npy] [--output y.npy] [--grad-output g.npy] [--grad-input gx.npy]\n"
      "         [--train] [--seed N] [--] [VALUES...]\n"
      "NAME: a module or functional name (LeakyReLU, leaky_relu). A name in lower case is\n"
      "  torch.nn.functional's function, with its defaults and checks; one starting in upper\n"
      "  case is the torch.nn module's: hardtanh --min-val 1 --max-val -1 clamps, as\n"
      "  F.hardtanh does, Hardtanh refuses it, as nn.Hardtanh's constructor does.\n"
      "--OPTION VALUE: the activation's options as in torch (--negative-slope 0.2 or\n"
      "  --negative_slope=0.2); activ list shows them with their defaults.\n"
      "--grad: also print the derivative (the backward of grad_output = 1).\n"
      "--input/--output, --grad-output/--grad-input: whole arrays of any shape in .npy files.\n"
      "--train --seed N: training mode (RReLU's random slopes), reproducible with a seed.\n"
      "Values after -- are never read as options: activ eval elu --alpha 0.5 -- -1 0 2");
  command->callback([command] {
    EvalRequest request;
    if (!tokenize(command->remaining(), request)) {
      std::cout << command->help();
      return;
    }
    if (request.name.empty())
      throw UsageError("eval: missing the activation NAME (see activ list)");
    evaluate(request);
  });
}

}  // namespace activ::cli
