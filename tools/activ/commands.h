// The subcommands of the activ program. Each lives in its own file and adds itself to the
// app with register_<name>; main.cpp calls every register function once.
#pragma once

#include <CLI/CLI.hpp>

namespace activ::cli {

// activ demo: prints a few tensors and activations computed from them.
void register_demo(CLI::App& app);
// activ accuracy: ULP error of the smooth activations against accurate references.
void register_accuracy(CLI::App& app);

}  // namespace activ::cli
