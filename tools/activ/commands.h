// The subcommands of the activ program. Each lives in its own file and adds itself to the
// app with register_<name>; main.cpp calls every register function once.
#pragma once

#include <CLI/CLI.hpp>

#include "usage_error.h"

namespace activ::cli {

// activ demo: prints a few tensors and activations computed from them.
void register_demo(CLI::App& app);
// activ accuracy: ULP error of the smooth activations against accurate references.
void register_accuracy(CLI::App& app);
// activ list: every activation with its names, options, defaults and formula (--json).
void register_list(CLI::App& app);
// activ eval: one activation by name on numbers or .npy arrays, with its gradient on request.
void register_eval(CLI::App& app);
// activ plot: a figure of one activation (and its derivative, or others to compare).
void register_plot(CLI::App& app);
// activ gallery: a figure of every activation and an index.html describing them.
void register_gallery(CLI::App& app);
// activ bench: forward and backward throughput next to a plain copy of the same size.
void register_bench(CLI::App& app);
// activ train-demo: the seed tutorials' two-layer perceptron, trained from torch's weights.
void register_train_demo(CLI::App& app);

}  // namespace activ::cli
