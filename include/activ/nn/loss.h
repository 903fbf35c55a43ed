// Loss functions with PyTorch 1.13's semantics, as functions (activ::nn::functional, named as
// torch.nn.functional's) and as modules (activ::nn::MSELoss and so on, printed as torch prints
// them: "MSELoss()"). Options follow torch's keyword order, so designated initializers read as
// torch's keywords:
//   F::cross_entropy(logits, target, {.ignore_index = 0, .label_smoothing = 0.1});
//   activ::nn::MSELoss mse({.reduction = "sum"});  Tensor loss = mse(input, target);
// reduction is "none", "mean" (the default) or "sum". Every loss is differentiable in its
// input (and target, where torch's is) to any order; the results carry torch's grad_fn names
// (MseLossBackward0, NllLossBackward0, ...). Inputs are float32 or float64; class-index targets
// are int64.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "activ/nn/module.h"
#include "activ/tensor.h"

namespace activ::nn {

struct MSELossOptions {
  std::string reduction = "mean";
};
struct L1LossOptions {
  std::string reduction = "mean";
};
struct SmoothL1LossOptions {
  std::string reduction = "mean";
  double beta = 1.0;  // >= 0; 0 is l1_loss
};
struct HuberLossOptions {
  std::string reduction = "mean";
  double delta = 1.0;  // > 0
};
struct BCELossOptions {
  Tensor weight{};  // optional; broadcast to the input's shape
  std::string reduction = "mean";
};
struct BCEWithLogitsLossOptions {
  Tensor weight{};  // optional; broadcast to the input's shape
  std::string reduction = "mean";
  Tensor pos_weight{};  // optional; weight of the positive term, broadcast along the classes
};
struct NLLLossOptions {
  Tensor weight{};  // optional; one per class (C elements)
  std::int64_t ignore_index = -100;
  std::string reduction = "mean";
};
struct CrossEntropyLossOptions {
  Tensor weight{};  // optional; one per class (C elements)
  std::int64_t ignore_index = -100;
  std::string reduction = "mean";
  double label_smoothing = 0.0;  // in [0, 1]
};

namespace functional {

// (input - target)^2; the shapes broadcast (torch warns when they differ).
Tensor mse_loss(const Tensor& input, const Tensor& target, const MSELossOptions& options = {});
// |input - target|.
Tensor l1_loss(const Tensor& input, const Tensor& target, const L1LossOptions& options = {});
// z = |input - target|: z < beta ? 0.5 z^2 / beta : z - 0.5 beta.
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target,
                      const SmoothL1LossOptions& options = {});
// z < delta ? 0.5 z^2 : delta (z - 0.5 delta).
Tensor huber_loss(const Tensor& input, const Tensor& target, const HuberLossOptions& options = {});
// -weight (t max(log x, -100) + (1 - t) max(log(1 - x), -100)); input in [0, 1], target of the
// input's shape.
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target,
                            const BCELossOptions& options = {});
// binary_cross_entropy(sigmoid(input), target) computed stably for any logit:
// (1 - t) x + (1 + (pos_weight - 1) t) (max(-x, 0) + log(exp(-max(-x, 0)) + exp(-x - max(-x, 0)))).
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BCEWithLogitsLossOptions& options = {});
// -weight[t] input[n, t, d...] for each target t != ignore_index; input (C) with a 0-d target,
// (N, C) with (N), or (N, C, d1, ...) with (N, d1, ...). mean divides by the summed weights of
// the targets that count (0/0 = nan when all are ignored).
Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossOptions& options = {});
// nll_loss(log_softmax(input, class dim)) for int64 class indices; for a floating target of the
// input's shape (class probabilities), -sum(weight * target * log_softmax(input)) over the
// classes. label_smoothing mixes the target with the uniform distribution.
Tensor cross_entropy(const Tensor& input, const Tensor& target,
                     const CrossEntropyLossOptions& options = {});

}  // namespace functional

// Modules: forward(input, target) applies the functional form with the module's options.
#define ACTIV_LOSS_MODULE(Name)                                                 \
  class Name : public Module {                                                  \
   public:                                                                      \
    explicit Name(Name##Options options = {}) : options_(std::move(options)) {} \
    std::string name() const override { return #Name; }                         \
    using Module::forward;                                                      \
    using Module::operator();                                                   \
    Tensor forward(const Tensor& input, const Tensor& target) const;            \
    Tensor operator()(const Tensor& input, const Tensor& target) const {        \
      return forward(input, target);                                            \
    }                                                                           \
    const Name##Options& options() const { return options_; }                   \
                                                                                \
   private:                                                                     \
    Name##Options options_;                                                     \
  };
ACTIV_LOSS_MODULE(MSELoss)
ACTIV_LOSS_MODULE(L1Loss)
ACTIV_LOSS_MODULE(SmoothL1Loss)
ACTIV_LOSS_MODULE(HuberLoss)
ACTIV_LOSS_MODULE(BCELoss)
ACTIV_LOSS_MODULE(BCEWithLogitsLoss)
ACTIV_LOSS_MODULE(NLLLoss)
ACTIV_LOSS_MODULE(CrossEntropyLoss)
#undef ACTIV_LOSS_MODULE

}  // namespace activ::nn
