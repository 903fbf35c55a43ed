// Optimizers with PyTorch 1.13's update rules (torch/optim/sgd.py, adam.py, adamw.py, the
// single-tensor implementations torch uses on CPU), updating parameters in place:
//   activ::optim::Adam adam(model.parameters(), {.lr = 1e-2});
//   adam.zero_grad();  loss.backward();  adam.step();
// A parameter without a gradient is skipped (its state does not advance). Options are
// validated as torch validates them, with torch's messages ("Invalid learning rate: -1.0").
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "activ/tensor.h"

namespace activ::optim {

struct SGDOptions {
  std::optional<double> lr{};  // required, as in torch
  double momentum = 0;
  double dampening = 0;
  double weight_decay = 0;
  bool nesterov = false;  // requires momentum > 0 and dampening == 0
  bool maximize = false;
};

struct AdamOptions {
  double lr = 1e-3;
  std::pair<double, double> betas = {0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0;  // L2 penalty added to the gradient
  bool amsgrad = false;
  bool maximize = false;
};

struct AdamWOptions {
  double lr = 1e-3;
  std::pair<double, double> betas = {0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 1e-2;  // decoupled: the parameter shrinks by lr * weight_decay
  bool amsgrad = false;
  bool maximize = false;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter that has a gradient, without recording gradients. With a
  // closure, calls it first (recording on) and returns its loss, as torch's step(closure).
  Tensor step(const std::function<Tensor()>& closure = {});
  // Zeroes every gradient or, with set_to_none, drops it (torch 1.13's default: zero).
  void zero_grad(bool set_to_none = false);
  const std::vector<Tensor>& params() const { return params_; }

 protected:
  // params: leaf float tensors (Module::parameters()); raises ValueError when empty.
  explicit Optimizer(std::vector<Tensor> params);
  // Updates params_[index] from its gradient, with recording off.
  virtual void update(std::size_t index, const Tensor& grad) = 0;

 private:
  std::vector<Tensor> params_;
};

// Stochastic gradient descent with momentum (torch's: the buffer starts as the first gradient),
// dampening, Nesterov momentum and L2 weight decay.
class SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> params, SGDOptions options);
  const SGDOptions& options() const { return options_; }
  // The momentum buffer of parameter index; undefined before its first update or without
  // momentum.
  const Tensor& momentum_buffer(std::size_t index) const { return momentum_buffers_.at(index); }

 private:
  void update(std::size_t index, const Tensor& grad) override;

  SGDOptions options_;
  std::vector<Tensor> momentum_buffers_;
};

// The per-parameter state of Adam and AdamW.
struct AdamState {
  std::int64_t step = 0;
  Tensor exp_avg;         // first moment
  Tensor exp_avg_sq;      // second moment
  Tensor max_exp_avg_sq;  // amsgrad: the running maximum of exp_avg_sq
};

// Adam with bias correction, optional amsgrad and L2 weight decay.
class Adam : public Optimizer {
 public:
  Adam(std::vector<Tensor> params, AdamOptions options = {});
  const AdamOptions& options() const { return options_; }
  const AdamState& state(std::size_t index) const { return states_.at(index); }

 private:
  void update(std::size_t index, const Tensor& grad) override;

  AdamOptions options_;
  std::vector<AdamState> states_;
};

// Adam with decoupled weight decay (Loshchilov & Hutter).
class AdamW : public Optimizer {
 public:
  AdamW(std::vector<Tensor> params, AdamWOptions options = {});
  const AdamWOptions& options() const { return options_; }
  const AdamState& state(std::size_t index) const { return states_.at(index); }

 private:
  void update(std::size_t index, const Tensor& grad) override;

  AdamWOptions options_;
  std::vector<AdamState> states_;
};

}  // namespace activ::optim
