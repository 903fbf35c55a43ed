#include "activ/nn/layers.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "activ/autograd.h"
#include "activ/nn/catalogue.h"
#include "activ/nn/init.h"
#include "autograd/direct_accumulation.h"
#include "tensor/linalg.h"

namespace activ::nn {

namespace functional {

namespace {

// Every row of out (n, m) set to b (m), contiguous: a copy per row.
template <class T>
void broadcast_rows(const T* b, T* out, std::int64_t n, std::int64_t m) {
  for (std::int64_t i = 0; i < n; ++i) std::copy_n(b, m, out + i * m);
}

// x W^T + b as one gemm: b is broadcast into the output, which the product is then added onto.
Tensor linear_values(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  Tensor out = empty({input.sizes()[0], weight.sizes()[0]}, input.dtype());
  if (bias.defined() && bias.dim() == 1 && bias.sizes()[0] == out.sizes()[1] &&
      bias.is_contiguous()) {
    if (out.dtype() == float32) {
      broadcast_rows(bias.data_ptr<float>(), out.data_ptr<float>(), out.sizes()[0], out.sizes()[1]);
    } else {
      broadcast_rows(bias.data_ptr<double>(), out.data_ptr<double>(), out.sizes()[0],
                     out.sizes()[1]);
    }
  } else if (bias.defined()) {
    out.copy_(bias.expand(out.sizes()));
  }
  detail::gemm(input, weight.t(), out, bias.defined());
  return out;
}

// The .grad that the engine offers for the node's input `input_index` (see
// accumulation_target), when it fits a gradient of this shape and dtype and shares no elements
// with the tensors the rest of the backward function reads; else undefined.
Tensor usable_target(std::size_t input_index, const Shape& shape, Dtype dtype,
                     std::initializer_list<Tensor> still_read) {
  Tensor target = autograd::accumulation_target(input_index);
  if (!target.defined() || target.sizes() != shape || target.dtype() != dtype) return {};
  for (const Tensor& t : still_read) {
    if (t.defined() && target.is_alias_of(t)) return {};
  }
  return target;
}

// b's gradient, g summed over its rows. Without a graph to build and for b of shape (m), in one
// pass in memory order (sum over dim 0 would first transpose g), accumulated in double as activ's
// sum does, and added straight into b's .grad when the engine offers it (then the gradient
// returned is undefined).
Tensor bias_gradient(const Tensor& g, const Tensor& input, const Shape& bias_shape) {
  const std::int64_t n = g.sizes()[0], m = g.sizes()[1];
  if (autograd::is_grad_enabled() || bias_shape != Shape{m}) return autograd::sum_to(g, bias_shape);
  const Tensor rows = g.contiguous();
  const Tensor target = usable_target(0, bias_shape, g.dtype(), {g, input});
  Tensor sums = target.defined() ? target : empty(bias_shape, g.dtype());
  if (target.defined()) sums.storage()->bump_version();
  auto sum_rows = [&]<class T>(const T* values, T* out) {
    std::vector<double> totals(static_cast<std::size_t>(m), 0.0);
    for (std::int64_t i = 0; i < n; ++i) {
      for (std::int64_t j = 0; j < m; ++j) totals[j] += values[i * m + j];
    }
    for (std::int64_t j = 0; j < m; ++j) {
      out[j] = target.defined() ? out[j] + static_cast<T>(totals[j]) : static_cast<T>(totals[j]);
    }
  };
  if (g.dtype() == float32) {
    sum_rows(rows.data_ptr<float>(), sums.data_ptr<float>());
  } else {
    sum_rows(rows.data_ptr<double>(), sums.data_ptr<double>());
  }
  return target.defined() ? Tensor() : sums;
}

// W's gradient g^T x, added straight into W's .grad when the engine offers it (the gemm adds
// onto it as Tensor::add_ would; then the gradient returned is undefined).
Tensor weight_gradient(const Tensor& g, const Tensor& input, std::size_t weight_index) {
  const Tensor target =
      g.dtype() == input.dtype()
          ? usable_target(weight_index, {g.sizes()[1], input.sizes()[1]}, input.dtype(), {g, input})
          : Tensor();
  if (!target.defined()) return mm(g.t(), input);
  Tensor grad = target;
  grad.storage()->bump_version();
  detail::gemm(g.t(), input, grad, /*accumulate=*/true);
  return {};
}

// x W^T + b for 2-D x (b undefined or broadcastable to the output, all of one floating dtype),
// recorded as one node named as torch's addmm (mm without bias). Its edges lead to b, x and W
// itself (torch's go to W through a TBackward0), so W's gradient arrives contiguous, as g^T x.
Tensor linear_2d(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  Tensor out = autograd::without_grad([&] { return linear_values(input, weight, bias); });
  if (!autograd::needs_grad({input, weight, bias})) return out;
  const bool input_needs_grad = input.requires_grad(), weight_needs_grad = weight.requires_grad();
  const bool bias_needs_grad = bias.requires_grad();
  // As torch: x is saved only for W's gradient, W only for x's.
  const auto saved_input =
      weight_needs_grad ? autograd::SavedTensor(input) : autograd::SavedTensor();
  const auto saved_weight =
      input_needs_grad ? autograd::SavedTensor(weight) : autograd::SavedTensor();
  const bool has_bias = bias.defined();
  const Shape bias_shape = has_bias ? bias.sizes() : Shape{};
  auto backward = [=](const Tensor& g) -> std::vector<Tensor> {
    const Tensor input_gradient = input_needs_grad ? mm(g, saved_weight.unpack()) : Tensor();
    // Then the gradients that may be written straight into .grad: what they read is not there.
    const Tensor x = weight_needs_grad ? saved_input.unpack() : Tensor();
    std::vector<Tensor> grads;
    if (has_bias) grads.push_back(bias_needs_grad ? bias_gradient(g, x, bias_shape) : Tensor());
    grads.push_back(input_gradient);
    grads.push_back(weight_needs_grad ? weight_gradient(g, x, grads.size()) : Tensor());
    return grads;
  };
  if (has_bias) {
    autograd::record("AddmmBackward0", out, {bias, input, weight}, std::move(backward));
  } else {
    autograd::record("MmBackward0", out, {input, weight}, std::move(backward));
  }
  return out;
}

}  // namespace

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  if (!input.defined() || !weight.defined())
    throw ValueError("linear: input and weight must be defined");
  if (weight.dim() != 2) {
    throw ShapeError("linear: expected weight to be 2-D (out_features, in_features), got shape " +
                     shape_str(weight.sizes()));
  }
  if (input.dim() == 0 || input.sizes().back() != weight.sizes()[1]) {
    throw ShapeError("linear: input of shape " + shape_str(input.sizes()) +
                     " cannot be multiplied with weight of shape " + shape_str(weight.sizes()) +
                     " (expected the last dim of input to be " + std::to_string(weight.sizes()[1]) +
                     ")");
  }
  const Dtype dtype = input.dtype();
  if (!input.is_floating_point() || weight.dtype() != dtype ||
      (bias.defined() && bias.dtype() != dtype)) {
    // Integer or mixed dtypes: the composite ops' promotion and errors.
    const Tensor product = matmul(input, weight.t());
    return bias.defined() ? product + bias : product;
  }
  const std::int64_t in_features = weight.sizes()[1], out_features = weight.sizes()[0];
  Shape out_shape(input.sizes().begin(), input.sizes().end() - 1);
  out_shape.push_back(out_features);
  if (input.dim() == 2) {
    if (bias.defined() && !broadcasts_to(bias.sizes(), out_shape))
      return linear_2d(input, weight, {}) + bias;
    return linear_2d(input, weight, bias);
  }
  std::int64_t rows = 1;
  for (std::size_t d = 0; d + 1 < input.sizes().size(); ++d) rows *= input.sizes()[d];
  // torch folds the bias into the product only for a contiguous 3-D input (its graph: a view of
  // AddmmBackward0); otherwise it adds the bias to the product (AddBackward0).
  const bool fold_bias = bias.defined() && input.dim() == 3 && input.is_contiguous() &&
                         broadcasts_to(bias.sizes(), {rows, out_features});
  const Tensor product =
      linear_2d(input.reshape({rows, in_features}), weight, fold_bias ? bias : Tensor());
  const Tensor shaped = input.dim() == 1 ? product.squeeze(0) : product.view(out_shape);
  return bias.defined() && !fold_bias ? shaped + bias : shaped;
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
    throw ValueError("Linear: in_features and out_features must be non-negative, got " +
                     std::to_string(in_features) + " and " + std::to_string(out_features));
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

Tensor Linear::bias() const {
  return has_bias_ ? parameter("bias") : Tensor();
}

std::string Linear::extra_repr() const {
  return "in_features=" + std::to_string(in_features_) +
         ", out_features=" + std::to_string(out_features_) +
         ", bias=" + (has_bias_ ? "True" : "False");
}

Tensor Linear::forward(const Tensor& input) const {
  return functional::linear(input, weight(), bias());
}

Sequential::Sequential(std::vector<std::shared_ptr<Module>> modules) {
  for (auto& module : modules) push_back(std::move(module));
}

void Sequential::push_back(std::shared_ptr<Module> module) {
  add_child(std::to_string(size()), std::move(module));
}

std::shared_ptr<Module> Sequential::operator[](std::int64_t index) const {
  const auto n = static_cast<std::int64_t>(size());
  if (index < -n || index >= n) {
    throw IndexError("Sequential: index " + std::to_string(index) + " is out of range for " +
                     std::to_string(n) + " modules");
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
    throw ValueError("Dropout: probability has to be between 0 and 1, but got " +
                     python_repr(options.p));
  }
}

std::string Dropout::extra_repr() const {
  return "p=" + python_repr(options_.p) + ", inplace=" + (options_.inplace ? "True" : "False");
}

Tensor Dropout::forward(const Tensor& input) const {
  return functional::dropout(input, options_.p, is_training(), options_.inplace);
}

std::string Flatten::extra_repr() const {
  return "start_dim=" + std::to_string(options_.start_dim) +
         ", end_dim=" + std::to_string(options_.end_dim);
}

Tensor Flatten::forward(const Tensor& input) const {
  return input.flatten(options_.start_dim, options_.end_dim);
}

}  // namespace activ::nn
