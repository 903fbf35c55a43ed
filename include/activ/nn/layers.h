// Layers and containers of torch.nn: Linear, Sequential, Dropout, Flatten, Identity.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "activ/nn/module.h"

namespace activ::nn {

struct LinearOptions {
  bool bias = true;
  Dtype dtype = float32;
};

// y = x W^T + b, W of shape (out_features, in_features). Initialized as torch does:
// W ~ U(-1/sqrt(in), 1/sqrt(in)) (kaiming_uniform_ with a = sqrt(5)), b likewise.
class Linear : public Module {
 public:
  Linear(std::int64_t in_features, std::int64_t out_features, LinearOptions options = {});
  std::string name() const override { return "Linear"; }
  std::string extra_repr() const override;
  Tensor forward(const Tensor& input) const override;
  using Module::operator();

  Tensor weight() const { return parameter("weight"); }
  // Undefined without bias.
  Tensor bias() const;
  std::int64_t in_features() const { return in_features_; }
  std::int64_t out_features() const { return out_features_; }

 private:
  std::int64_t in_features_;
  std::int64_t out_features_;
  bool has_bias_;
};

// Applies its children in order; children are named "0", "1", ... as in torch.
class Sequential : public Module {
 public:
  Sequential() = default;
  explicit Sequential(std::vector<std::shared_ptr<Module>> modules);
  template <class... M>
  explicit Sequential(std::shared_ptr<M>... modules)
      : Sequential(std::vector<std::shared_ptr<Module>>{std::move(modules)...}) {}

  std::string name() const override { return "Sequential"; }
  Tensor forward(const Tensor& input) const override;
  using Module::operator();

  void push_back(std::shared_ptr<Module> module);
  std::size_t size() const { return named_children().size(); }
  // The child at index (negative counts from the end); IndexError outside.
  std::shared_ptr<Module> operator[](std::int64_t index) const;
};

struct DropoutOptions {
  double p = 0.5;
  bool inplace = false;
};

// Training mode: zeroes each element with probability p (activ's generator) and scales the
// rest by 1/(1-p); eval mode: the identity.
class Dropout : public Module {
 public:
  explicit Dropout(DropoutOptions options = {});
  std::string name() const override { return "Dropout"; }
  std::string extra_repr() const override;
  Tensor forward(const Tensor& input) const override;
  using Module::operator();

 private:
  DropoutOptions options_;
};

struct FlattenOptions {
  std::int64_t start_dim = 1;
  std::int64_t end_dim = -1;
};

class Flatten : public Module {
 public:
  explicit Flatten(FlattenOptions options = {}) : options_(options) {}
  std::string name() const override { return "Flatten"; }
  std::string extra_repr() const override;
  Tensor forward(const Tensor& input) const override;
  using Module::operator();

 private:
  FlattenOptions options_;
};

class Identity : public Module {
 public:
  std::string name() const override { return "Identity"; }
  Tensor forward(const Tensor& input) const override { return input; }
  using Module::operator();
};

namespace functional {
// x W^T + b (b optional), any leading dims.
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = {});
Tensor dropout(const Tensor& input, double p = 0.5, bool training = true, bool inplace = false);
}  // namespace functional

}  // namespace activ::nn
