#include "activ/nn/layers.h"

#include <cmath>

#include "activ/autograd.h"
#include "activ/nn/catalogue.h"
#include "activ/nn/init.h"

namespace activ::nn {

namespace functional {

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  if (!input.defined() || !weight.defined()) throw ValueError("linear: input and weight must be defined");
  if (weight.dim() != 2) {
    throw ShapeError("linear: expected weight to be 2-D (out_features, in_features), got shape " +
                     shape_str(weight.sizes()));
  }
  if (input.dim() == 0 || input.sizes().back() != weight.sizes()[1]) {
    throw ShapeError("linear: input of shape " + shape_str(input.sizes()) + " cannot be multiplied with weight of shape " +
                     shape_str(weight.sizes()) + " (expected the last dim of input to be " +
                     std::to_string(weight.sizes()[1]) + ")");
  }
  const Tensor product = matmul(input, weight.t());
  return bias.defined() ? product + bias : product;
}

Tensor dropout(const Tensor& input, double p, bool training, bool inplace) {
  if (!(p >= 0.0 && p <= 1.0)) {
    throw ValueError("dropout: probability has to be between 0 and 1, but got " + python_repr(p));
  }
  if (!input.defined()) throw ValueError("dropout: the input is undefined");
  if (!training || p == 0.0) return input;
  const Tensor keep = rand(input.sizes(), input.is_floating_point() ? input.dtype() : float32) >= p;
  const Tensor result = p == 1.0 ? input * 0.0 : where(keep, input * (1.0 / (1.0 - p)), 0.0);
  if (!inplace) return result;
  Tensor self = input;
  self.copy_(result);
  return self;
}

}  // namespace functional

Linear::Linear(std::int64_t in_features, std::int64_t out_features, LinearOptions options)
    : in_features_(in_features), out_features_(out_features), has_bias_(options.bias) {
  if (in_features < 0 || out_features < 0) {
    throw ValueError("Linear: in_features and out_features must be non-negative, got " + std::to_string(in_features) +
                     " and " + std::to_string(out_features));
  }
  Tensor weight = empty({out_features, in_features}, options.dtype);
  // torch's reset_parameters: kaiming_uniform_(a = sqrt(5)) gives bound 1/sqrt(fan_in).
  if (in_features > 0) init::kaiming_uniform_(weight, std::sqrt(5.0));
  register_parameter("weight", weight);
  if (has_bias_) {
    Tensor bias = empty({out_features}, options.dtype);
    const double bound = in_features > 0 ? 1.0 / std::sqrt(static_cast<double>(in_features)) : 0.0;
    init::uniform_(bias, -bound, bound);
    register_parameter("bias", bias);
  }
}

Tensor Linear::bias() const { return has_bias_ ? parameter("bias") : Tensor(); }

std::string Linear::extra_repr() const {
  return "in_features=" + std::to_string(in_features_) + ", out_features=" + std::to_string(out_features_) +
         ", bias=" + (has_bias_ ? "True" : "False");
}

Tensor Linear::forward(const Tensor& input) const { return functional::linear(input, weight(), bias()); }

Sequential::Sequential(std::vector<std::shared_ptr<Module>> modules) {
  for (auto& module : modules) push_back(std::move(module));
}

void Sequential::push_back(std::shared_ptr<Module> module) { add_child(std::to_string(size()), std::move(module)); }

std::shared_ptr<Module> Sequential::operator[](std::int64_t index) const {
  const auto n = static_cast<std::int64_t>(size());
  if (index < -n || index >= n) {
    throw IndexError("Sequential: index " + std::to_string(index) + " is out of range for " + std::to_string(n) +
                     " modules");
  }
  return named_children()[index < 0 ? index + n : index].second;
}

Tensor Sequential::forward(const Tensor& input) const {
  Tensor x = input;
  for (const auto& [name, module] : named_children()) x = module->forward(x);
  return x;
}

Dropout::Dropout(DropoutOptions options) : options_(options) {
  if (!(options.p >= 0.0 && options.p <= 1.0)) {
    throw ValueError("Dropout: probability has to be between 0 and 1, but got " + python_repr(options.p));
  }
}

std::string Dropout::extra_repr() const {
  return "p=" + python_repr(options_.p) + ", inplace=" + (options_.inplace ? "True" : "False");
}

Tensor Dropout::forward(const Tensor& input) const {
  return functional::dropout(input, options_.p, is_training(), options_.inplace);
}

std::string Flatten::extra_repr() const {
  return "start_dim=" + std::to_string(options_.start_dim) + ", end_dim=" + std::to_string(options_.end_dim);
}

Tensor Flatten::forward(const Tensor& input) const { return input.flatten(options_.start_dim, options_.end_dim); }

}  // namespace activ::nn
