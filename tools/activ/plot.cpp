// activ plot NAME [--OPTION VALUE ...] [--derivative|--both] [--range LO:HI] [--compare NAME2 ...]
// [--width W] [--height H] -o FILE: a figure of one activation, titled with its module's repr
// or its functional call (the name's form, as in eval). As in eval, the activation's options are
// not known to CLI11, so everything after `plot` is tokenized here.
#include "activ/plot.h"

#include <cmath>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "activation_figure.h"
#include "catalogue_lookup.h"
#include "commands.h"
#include "text.h"

namespace activ::cli {
namespace {

struct PlotCommand {
  std::string name, output;
  nn::OptionValues values;
  std::vector<std::string> compare;
  bool derivative = false, both = false;
  std::string range, width, height;
};

// Fills command from the tokens after `plot`; false when --help was asked.
bool tokenize(const std::vector<std::string>& tokens, PlotCommand& command) {
  bool comparing = false;  // the tokens after --compare are names, up to the next option
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& token = tokens[i];
    if (token == "--help" || token == "-h") return false;
    std::optional<LongOption> option = long_option(token);
    if (token == "-o") option = LongOption{"output", std::nullopt};
    if (!option) {
      if (comparing) {
        command.compare.push_back(token);
      } else if (command.name.empty()) {
        command.name = token;
      } else {
        throw UsageError("plot: unexpected argument '" + token +
                         "' (one NAME; more with --compare NAME2 ...)");
      }
      continue;
    }
    comparing = false;
    if (option->key == "derivative" || option->key == "both" || option->key == "compare") {
      if (option->value) throw UsageError("plot: --" + option->key + " takes no value");
      if (option->key == "compare")
        comparing = true;
      else
        (option->key == "derivative" ? command.derivative : command.both) = true;
      continue;
    }
    if (!option->value) {
      if (i + 1 == tokens.size()) throw UsageError("plot: option " + token + " needs a value");
      option->value = tokens[++i];
    }
    if (option->key == "output") {
      command.output = *option->value;
    } else if (option->key == "range") {
      command.range = *option->value;
    } else if (option->key == "width") {
      command.width = *option->value;
    } else if (option->key == "height") {
      command.height = *option->value;
    } else {
      command.values[option->key] = *option->value;
    }
  }
  return true;
}

int parse_size(const std::string& flag, const std::string& text, int fallback) {
  if (text.empty()) return fallback;
  const auto number = parse_number(text);
  if (!number || *number != static_cast<int>(*number) || *number < 16 || *number > 16384)
    throw UsageError("plot: " + flag + " expects an integer in [16, 16384], got '" + text + "'");
  return static_cast<int>(*number);
}

void parse_range(const std::string& text, FigureRequest& request) {
  if (text.empty()) return;
  const auto colon = text.find(':');
  const auto lo = parse_number(text.substr(0, colon));
  const auto hi = colon == std::string::npos ? std::nullopt : parse_number(text.substr(colon + 1));
  if (!lo || !hi) throw UsageError("plot: --range expects LO:HI with numbers, got '" + text + "'");
  if (const auto problem = axis_range_problem(*lo, *hi))
    throw UsageError("plot: --range LO:HI: " + *problem + ", got '" + text + "'");
  request.x_min = *lo;
  request.x_max = *hi;
}

void check_extension(const std::string& path) {
  const auto dot = path.rfind('.');
  const std::string extension = dot == std::string::npos ? "" : lower(path.substr(dot));
  if (extension != ".png" && extension != ".svg" && extension != ".pdf") {
    throw UsageError("plot: -o expects a file ending in .png, .svg or .pdf, got '" + path + "'");
  }
}

void run_plot(const PlotCommand& command) {
  if (command.name.empty()) throw UsageError("plot: missing the activation NAME (see activ list)");
  if (command.output.empty()) throw UsageError("plot: missing -o FILE (.png, .svg or .pdf)");
  check_extension(command.output);
  if (command.derivative && command.both)
    throw UsageError("plot: give --derivative or --both, not both");
  FigureRequest request;
  request.functions.push_back(choose_activation("plot", command.name, command.values));
  for (const std::string& other : command.compare)
    request.functions.push_back(parse_activation_call("plot", other));
  request.function = !command.derivative;
  request.derivative = command.derivative || command.both;
  parse_range(command.range, request);
  request.width = parse_size("--width", command.width, request.width);
  request.height = parse_size("--height", command.height, request.height);
  const ActivationFigure figure = activation_figure("plot", request);
  save_figure(command.output, figure.series, figure.options);
}

}  // namespace

void register_plot(CLI::App& app) {
  CLI::App* command = app.add_subcommand(
      "plot", "Draw one activation (and its derivative, or others) to a PNG, SVG or PDF");
  command->prefix_command();
  command->footer(
      "Usage: activ plot NAME [--OPTION VALUE ...] [--derivative|--both] [--range LO:HI]\n"
      "         [--compare NAME2 ...] [--width W] [--height H] -o FILE.{png,svg,pdf}\n"
      "NAME: a module or functional name; --OPTION VALUE: its options as in torch (activ list\n"
      "  shows them). A name in lower case is torch.nn.functional's function, with its checks,\n"
      "  titled with the call: elu(alpha=0.5); one starting in upper case is the torch.nn\n"
      "  module's, titled with its repr: ELU(alpha=0.5). So hardtanh accepts min_val > max_val\n"
      "  (F.hardtanh clamps), Hardtanh refuses it (nn.Hardtanh asserts max_val > min_val).\n"
      "--derivative: only f'(x); --both: f(x) and f'(x).  --range: x from LO to HI (-6:6).\n"
      "--compare: more curves, each NAME or NAME(option=value, ...), with a legend.\n"
      "--width/--height: pixels for PNG and SVG, points for PDF (640 x 480).\n"
      "Functions of a vector are drawn along a line through their input: Softmax, Softmin,\n"
      "LogSoftmax and Softmax2d on [x, 0] (first output), GLU on [x, x], CReLU on [x]; their\n"
      "dim must fit that input. RReLU is drawn in eval mode (training=True is refused).\n"
      "Examples:\n"
      "  activ plot elu --alpha 0.5 -o elu.png\n"
      "  activ plot softplus --beta 2 --both --range -4:4 -o softplus.svg\n"
      "  activ plot relu --compare gelu 'leaky_relu(negative_slope=0.2)' -o relus.pdf\n");
  command->callback([command] {
    PlotCommand plot;
    if (!tokenize(command->remaining(), plot)) {
      std::cout << command->help();
      return;
    }
    run_plot(plot);
  });
}

}  // namespace activ::cli
