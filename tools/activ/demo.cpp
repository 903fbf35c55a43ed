// activ demo: a few activations written with tensor operations, applied to a small batch.
#include <iostream>
#include <string_view>

#include "activ/tensor.h"
#include "commands.h"

namespace activ::cli {
namespace {

void show(std::string_view label, const Tensor& value) {
  std::cout << label << ":\n" << value << "\n\n";
}

void run_demo() {
  const Tensor x = linspace(-3, 3, 7);
  show("x = linspace(-3, 3, 7)", x);
  show("relu(x) = clamp_min(x, 0)", clamp_min(x, 0));
  show("sigmoid(x) = 1 / (1 + exp(-x))", 1 / (1 + exp(-x)));
  show("softmax(x) = exp(x - logsumexp(x))", exp(x - logsumexp(x, {0})));

  // One linear layer and a relu on a batch of two inputs.
  const Tensor inputs = tensor({{1.0, -2.0, 0.5}, {0.0, 1.0, -1.0}});
  const Tensor weights = tensor({{0.5, -1.0}, {0.25, 0.5}, {-1.0, 2.0}});
  const Tensor outputs = inputs.matmul(weights);
  show("outputs = inputs.matmul(weights)", outputs);
  show("relu(outputs)", clamp_min(outputs, 0));
}

}  // namespace

void register_demo(CLI::App& app) {
  app.add_subcommand("demo", "Print a few activations computed with tensor operations")
      ->callback(run_demo);
}

}  // namespace activ::cli
