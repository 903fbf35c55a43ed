// The seed tutorials' two-layer perceptron (shared/seeds/003_*.txt), shared by
// examples/mlp_seed.cpp and tests/mlp_seed_test.cpp: 64 samples, 1000 -> 100 -> 10 with ReLU,
// MSELoss(reduction='sum'), SGD(lr=1e-4), 300 epochs by default. Data and initial weights come
// from a safetensors file written by tools/gen_mlp_reference.py, so the run can match torch's.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "activ/nn/activation.h"
#include "activ/nn/layers.h"
#include "activ/nn/loss.h"
#include "activ/optim.h"
#include "activ/safetensors.h"

namespace activ::examples {

struct EpochLoss {
  int epoch;
  double loss;
};

// Trains from the file's data and weights; calls report(epoch, loss) after every epoch and
// returns the loss of every 50th, as the tutorial prints it.
inline std::vector<EpochLoss> train_seed_mlp(const std::string& data_path,
                                             const std::function<void(int, double)>& report = {},
                                             int epochs = 300) {
  nn::Sequential model(std::make_shared<nn::Linear>(1000, 100), std::make_shared<nn::ReLU>(),
                       std::make_shared<nn::Linear>(100, 10));
  Tensor x, y;
  nn::StateDict weights;
  for (auto& [name, tensor] : load_safetensors(data_path)) {
    if (name == "x") x = tensor;
    else if (name == "y") y = tensor;
    else weights.emplace_back(name, tensor);
  }
  if (!x.defined() || !y.defined()) throw IoError("train_seed_mlp: '" + data_path + "' lacks the tensors x and y");
  model.load_state_dict(weights);

  nn::MSELoss loss_fn({.reduction = "sum"});
  optim::SGD optimizer(model.parameters(), {.lr = 1e-4});
  std::vector<EpochLoss> printed;
  for (int t = 0; t < epochs; ++t) {
    const Tensor loss = loss_fn(model(x), y);
    if ((t + 1) % 50 == 0) printed.push_back({t + 1, loss.item<double>()});
    if (report) report(t + 1, loss.item<double>());
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
  }
  return printed;
}

}  // namespace activ::examples
