// activ train-demo: the seed tutorials' two-layer perceptron (examples/mlp_seed.cpp) trained
// from torch's data and initial weights, printing the loss every 50 epochs as the tutorial does.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "../../examples/mlp_seed_training.h"
#include "activ/error.h"
#include "commands.h"

namespace activ::cli {
namespace {

struct TrainDemoOptions {
  int epochs = 300;
  std::string data = ACTIV_SOURCE_DIR "/tests/golden/mlp/mlp_seed.safetensors";
};

void run_train_demo(const TrainDemoOptions& options) {
  if (!std::filesystem::is_regular_file(options.data)) {
    throw IoError("train-demo: no data file '" + options.data +
                  "'; give --data FILE (written by tools/gen_mlp_reference.py)");
  }
  std::cout << nn::Sequential(std::make_shared<nn::Linear>(1000, 100), std::make_shared<nn::ReLU>(),
                              std::make_shared<nn::Linear>(100, 10))
            << std::endl;
  const auto start = std::chrono::steady_clock::now();
  examples::train_seed_mlp(
      options.data,
      [](int epoch, double loss) {
        if (epoch % 50 == 0) std::printf("epoch %3d  loss %.4g\n", epoch, loss);
        std::fflush(stdout);
      },
      options.epochs);
  const std::chrono::duration<double, std::milli> elapsed =
      std::chrono::steady_clock::now() - start;
  std::printf("trained %d epochs in %.0f ms\n", options.epochs, elapsed.count());
}

}  // namespace

void register_train_demo(CLI::App& app) {
  auto options = std::make_shared<TrainDemoOptions>();
  CLI::App* command = app.add_subcommand(
      "train-demo", "Train the seed tutorials' two-layer perceptron, printing its loss");
  command->add_option("--epochs", options->epochs, "Epochs of SGD")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  command
      ->add_option("--data", options->data,
                   "Data and initial weights (safetensors: x, y and the layers' weights)")
      ->capture_default_str();
  command->footer(
      "Sequential(Linear(1000, 100), ReLU(), Linear(100, 10)), MSELoss(reduction='sum'),\n"
      "SGD(lr=1e-4) on 64 samples; from torch's data and initial weights the losses are\n"
      "torch's to 4 significant digits.\n"
      "Examples:\n"
      "  activ train-demo\n"
      "  activ train-demo --epochs 100\n");
  command->callback([options] { run_train_demo(*options); });
}

}  // namespace activ::cli
