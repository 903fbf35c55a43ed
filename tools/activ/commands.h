// The subcommands of the activ program. Each lives in its own file and adds itself to the
// app with register_<name>; main.cpp calls every register function once.
#pragma once

#include <CLI/CLI.hpp>
#include <stdexcept>

namespace activ::cli {

// A mistake in the command line found by a subcommand itself: main prints the one-line message
// and exits with 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// activ demo: prints a few tensors and activations computed from them.
void register_demo(CLI::App& app);
// activ accuracy: ULP error of the smooth activations against accurate references.
void register_accuracy(CLI::App& app);
// activ list: every activation with its names, options, defaults and formula (--json).
void register_list(CLI::App& app);
// activ eval: one activation by name on numbers or .npy arrays, with its gradient on request.
void register_eval(CLI::App& app);

}  // namespace activ::cli
