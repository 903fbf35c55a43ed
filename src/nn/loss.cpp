// Losses with PyTorch 1.13's formulas (aten/src/ATen/native/Loss.cpp, LossNLL.cpp). Losses torch
// implements as one kernel are one node here with torch's grad_fn name, their forward computed
// without recording and their backward written with differentiable ops, so double backward
// works; losses torch composes (l1, cross_entropy) are composed the same way.
#include "activ/nn/loss.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "activ/autograd.h"
#include "activ/error.h"
#include "activ/nn/functional.h"
#include "nn/common.h"

namespace activ::nn {
namespace functional {
namespace {

enum class Reduction { kNone, kMean, kSum };

Reduction parse_reduction(const std::string& reduction, const char* op) {
  if (reduction == "none") return Reduction::kNone;
  if (reduction == "mean") return Reduction::kMean;
  if (reduction == "sum") return Reduction::kSum;
  throw ValueError(std::string(op) + ": '" + reduction +
                   "' is not a valid value for reduction (expected 'none', 'mean' or 'sum')");
}

Tensor reduce(const Tensor& loss, Reduction reduction) {
  switch (reduction) {
    case Reduction::kMean:
      return mean(loss);
    case Reduction::kSum:
      return sum(loss);
    case Reduction::kNone:
      break;
  }
  return loss;
}

std::int64_t element_count(const Shape& shape) {
  std::int64_t n = 1;
  for (const std::int64_t size : shape) n *= size;
  return n;
}

void check_same_dtype(const Tensor& input, const Tensor& other, const char* op,
                      const char* argument) {
  if (other.dtype() != input.dtype()) {
    throw TypeError(std::string(op) + ": expected argument '" + argument +
                    "' to have the input's dtype " + std::string(name(input.dtype())) + ", got " +
                    std::string(name(other.dtype())));
  }
}

// A float input and a target of its dtype whose shapes broadcast; returns the loss's shape.
Shape check_pointwise(const Tensor& input, const Tensor& target, const char* op) {
  check_float_input(input, op, "input");
  check_float_input(target, op, "target");
  check_same_dtype(input, target, op, "target");
  return broadcast_shapes(input.sizes(), target.sizes(), op);
}

// Optional weights: a float tensor of the input's dtype that broadcasts to shape.
void check_weight(const Tensor& weight, const Tensor& input, const Shape& shape, const char* op,
                  const char* argument) {
  if (!weight.defined()) return;
  check_float_input(weight, op, argument);
  check_same_dtype(input, weight, op, argument);
  bool broadcasts = weight.dim() <= static_cast<std::int64_t>(shape.size());
  for (std::int64_t d = 1; broadcasts && d <= weight.dim(); ++d) {
    const std::int64_t size = weight.size(-d);
    broadcasts = size == 1 || size == shape[shape.size() - static_cast<std::size_t>(d)];
  }
  if (!broadcasts) {
    throw ShapeError(std::string(op) + ": argument '" + argument + "' of shape " +
                     shape_str(weight.sizes()) + " does not broadcast to the input's shape " +
                     shape_str(shape));
  }
}

// The gradients of a pointwise loss of (input, target) whose derivative in input is
// grad_elementwise (of the broadcast shape) and in target is its negation; each only where its
// tensor requires grad.
std::vector<Tensor> pointwise_gradients(const Tensor& grad_elementwise, const Tensor& input,
                                        const Tensor& target) {
  return {input.requires_grad() ? autograd::sum_to(grad_elementwise, input.sizes()) : Tensor(),
          target.requires_grad() ? autograd::sum_to(-grad_elementwise, target.sizes()) : Tensor()};
}

// mean's 1/n folded into a loss's derivative, as torch's backward kernels fold it.
double reduction_norm(Reduction reduction, const Shape& shape) {
  return reduction == Reduction::kMean ? 1.0 / static_cast<double>(element_count(shape)) : 1.0;
}

// Input and target of one shape, both contiguous: mse_loss's passes fuse into one loop each.
bool fusable_pointwise(const Tensor& input, const Tensor& target) {
  return input.sizes() == target.sizes() && input.is_contiguous() && target.is_contiguous();
}

// (x - t)^2 elementwise (reduction none), or its sum or mean accumulated in double as activ's
// sum and mean do; in one pass without temporaries.
Tensor fused_mse_values(const Tensor& input, const Tensor& target, Reduction reduction) {
  Tensor out = empty(reduction == Reduction::kNone ? input.sizes() : Shape{}, input.dtype());
  const std::int64_t n = input.numel();
  auto compute = [&]<class T>(const T* x, const T* t, T* o) {
    if (reduction == Reduction::kNone) {
      for (std::int64_t i = 0; i < n; ++i) o[i] = (x[i] - t[i]) * (x[i] - t[i]);
      return;
    }
    double total = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      const T difference = x[i] - t[i];
      total += static_cast<T>(difference * difference);
    }
    *o = static_cast<T>(reduction == Reduction::kMean ? total / static_cast<double>(n) : total);
  };
  if (input.dtype() == float32) {
    compute(input.data_ptr<float>(), target.data_ptr<float>(), out.data_ptr<float>());
  } else {
    compute(input.data_ptr<double>(), target.data_ptr<double>(), out.data_ptr<double>());
  }
  return out;
}

// (x - t) * norm * g and its negation, each only where needed, in one pass (g: the gradient of
// the loss, one element or of x's shape and contiguous).
std::vector<Tensor> fused_mse_gradients(const Tensor& g, const Tensor& input, const Tensor& target,
                                        double norm) {
  Tensor grad_input = input.requires_grad() ? empty(input.sizes(), input.dtype()) : Tensor();
  Tensor grad_target = target.requires_grad() ? empty(target.sizes(), target.dtype()) : Tensor();
  const std::int64_t n = input.numel(), g_step = g.numel() == 1 ? 0 : 1;
  auto compute = [&]<class T>(const T* x, const T* t, const T* gp) {
    T* gi = grad_input.defined() ? grad_input.data_ptr<T>() : nullptr;
    T* gt = grad_target.defined() ? grad_target.data_ptr<T>() : nullptr;
    const T scale = static_cast<T>(norm);
    for (std::int64_t i = 0; i < n; ++i) {
      const T value = (x[i] - t[i]) * scale * gp[i * g_step];
      if (gi) gi[i] = value;
      if (gt) gt[i] = -value;
    }
  };
  if (input.dtype() == float32) {
    compute(input.data_ptr<float>(), target.data_ptr<float>(), g.data_ptr<float>());
  } else {
    compute(input.data_ptr<double>(), target.data_ptr<double>(), g.data_ptr<double>());
  }
  return {grad_input, grad_target};
}

}  // namespace

Tensor mse_loss(const Tensor& input, const Tensor& target, const MSELossOptions& options) {
  const Reduction reduction = parse_reduction(options.reduction, "mse_loss");
  const Shape shape = check_pointwise(input, target, "mse_loss");
  const bool fused = fusable_pointwise(input, target);
  return autograd::differentiable(
      "MseLossBackward0", {input, target},
      [&] {
        if (fused) return fused_mse_values(input, target, reduction);
        const Tensor difference = input - target;
        return reduce(difference * difference, reduction);
      },
      [saved_input = autograd::SavedTensor(input), saved_target = autograd::SavedTensor(target),
       fused, norm = 2 * reduction_norm(reduction, shape)](const Tensor& g) -> std::vector<Tensor> {
        const Tensor x = saved_input.unpack(), t = saved_target.unpack();
        // A graph of the gradient (double backward) needs the differentiable ops.
        if (fused && !autograd::is_grad_enabled() && g.dtype() == x.dtype() &&
            (g.numel() == 1 || (g.sizes() == x.sizes() && g.is_contiguous()))) {
          return fused_mse_gradients(g, x, t, norm);
        }
        return pointwise_gradients((x - t) * norm * g, x, t);
      });
}

Tensor l1_loss(const Tensor& input, const Tensor& target, const L1LossOptions& options) {
  const Reduction reduction = parse_reduction(options.reduction, "l1_loss");
  check_pointwise(input, target, "l1_loss");
  return reduce(abs(input - target), reduction);
}

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target,
                      const SmoothL1LossOptions& options) {
  const Reduction reduction = parse_reduction(options.reduction, "smooth_l1_loss");
  const Shape shape = check_pointwise(input, target, "smooth_l1_loss");
  const double beta = options.beta;
  if (!(beta >= 0)) {
    throw ValueError("smooth_l1_loss: argument 'beta' must be non-negative, got " +
                     python_repr(Scalar(beta)));
  }
  return autograd::differentiable(
      "SmoothL1LossBackward0", {input, target},
      [&] {
        const Tensor z = abs(input - target);
        return reduce(where(lt(z, beta), z * z * 0.5 / beta, z - 0.5 * beta), reduction);
      },
      [saved_input = autograd::SavedTensor(input), saved_target = autograd::SavedTensor(target),
       beta, norm = reduction_norm(reduction, shape)](const Tensor& g) -> std::vector<Tensor> {
        const Tensor x = saved_input.unpack(), t = saved_target.unpack();
        const Tensor d = x - t;
        // beta 0 has no quadratic part; dividing by it would put NaN in double backward.
        const Tensor quadratic = beta > 0 ? d / beta : zeros_like(d);
        const Tensor slope = where(lt(d, -beta), -1.0, where(gt(d, beta), 1.0, quadratic));
        return pointwise_gradients(slope * norm * g, x, t);
      });
}

Tensor huber_loss(const Tensor& input, const Tensor& target, const HuberLossOptions& options) {
  const Reduction reduction = parse_reduction(options.reduction, "huber_loss");
  const Shape shape = check_pointwise(input, target, "huber_loss");
  const double delta = options.delta;
  if (!(delta > 0)) {
    throw ValueError("huber_loss: argument 'delta' must be positive, got " +
                     python_repr(Scalar(delta)));
  }
  return autograd::differentiable(
      "HuberLossBackward0", {input, target},
      [&] {
        const Tensor z = abs(input - target);
        return reduce(where(lt(z, delta), z * z * 0.5, (z - 0.5 * delta) * delta), reduction);
      },
      [saved_input = autograd::SavedTensor(input), saved_target = autograd::SavedTensor(target),
       delta, norm = reduction_norm(reduction, shape)](const Tensor& g) -> std::vector<Tensor> {
        const Tensor x = saved_input.unpack(), t = saved_target.unpack();
        const Tensor d = x - t;
        const Tensor slope = where(lt(d, -delta), -delta, where(gt(d, delta), delta, d));
        return pointwise_gradients(slope * norm * g, x, t);
      });
}

namespace {

// torch's elementwise binary cross entropy, with its range check on the input.
template <class T>
void bce_elements(const T* x, const T* t, T* out, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) {
    if (!(x[i] >= 0 && x[i] <= 1)) {
      throw ValueError(
          "binary_cross_entropy: all elements of argument 'input' must be between 0 "
          "and 1, got " +
          python_repr(Scalar(static_cast<double>(x[i]))) + " at flat index " + std::to_string(i));
    }
    out[i] = (t[i] - T(1)) * std::max(std::log1p(-x[i]), T(-100)) -
             t[i] * std::max(std::log(x[i]), T(-100));
  }
}

void check_same_shape_as_input(const Tensor& input, const Tensor& target, const char* op) {
  if (target.sizes() != input.sizes()) {
    throw ShapeError(std::string(op) + ": expected argument 'target' of the input's shape " +
                     shape_str(input.sizes()) + ", got " + shape_str(target.sizes()));
  }
}

}  // namespace

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target,
                            const BCELossOptions& options) {
  const char* op = "binary_cross_entropy";
  const Reduction reduction = parse_reduction(options.reduction, op);
  check_float_input(input, op, "input");
  check_float_input(target, op, "target");
  check_same_dtype(input, target, op, "target");
  check_same_shape_as_input(input, target, op);
  check_weight(options.weight, input, input.sizes(), op, "weight");
  const Tensor weight = options.weight;
  return autograd::differentiable(
      "BinaryCrossEntropyBackward0", {input, target},
      [&] {
        const Tensor x = input.contiguous(), t = target.contiguous();
        Tensor loss = empty(input.sizes(), input.dtype());
        if (input.dtype() == float32) {
          bce_elements(x.data_ptr<float>(), t.data_ptr<float>(), loss.data_ptr<float>(),
                       loss.numel());
        } else {
          bce_elements(x.data_ptr<double>(), t.data_ptr<double>(), loss.data_ptr<double>(),
                       loss.numel());
        }
        if (weight.defined()) loss = loss * weight;
        return reduce(loss, reduction);
      },
      [saved_input = autograd::SavedTensor(input), saved_target = autograd::SavedTensor(target),
       weight = weight.defined() ? weight.detach() : Tensor(),
       norm = reduction_norm(reduction, input.sizes())](const Tensor& g) -> std::vector<Tensor> {
        const Tensor x = saved_input.unpack(), t = saved_target.unpack();
        // torch bounds the denominator x (1 - x) below by its EPSILON, the float 1e-12.
        Tensor grad_input = g * (x - t) / clamp_min((1 - x) * x, static_cast<double>(1e-12f));
        Tensor grad_target = g * (clamp_min(log(1 - x), -100) - clamp_min(log(x), -100));
        if (weight.defined()) {
          grad_input = grad_input * weight;
          grad_target = grad_target * weight;
        }
        return {grad_input * norm, grad_target * norm};
      });
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BCEWithLogitsLossOptions& options) {
  const char* op = "binary_cross_entropy_with_logits";
  const Reduction reduction = parse_reduction(options.reduction, op);
  check_float_input(input, op, "input");
  check_float_input(target, op, "target");
  check_same_dtype(input, target, op, "target");
  check_same_shape_as_input(input, target, op);
  check_weight(options.weight, input, input.sizes(), op, "weight");
  check_weight(options.pos_weight, input, input.sizes(), op, "pos_weight");
  const Tensor weight = options.weight.defined() ? options.weight.detach() : Tensor();
  const Tensor pos_weight = options.pos_weight.defined() ? options.pos_weight.detach() : Tensor();
  // log(1 + exp(-x)) without overflow: m + log(exp(-m) + exp(-x - m)), m = max(-x, 0).
  const auto softplus_of_negated = [](const Tensor& x) {
    const Tensor m = clamp_min(-x, 0);
    return log(exp(-m) + exp(-x - m)) + m;
  };
  return autograd::differentiable(
      "BinaryCrossEntropyWithLogitsBackward0", {input, target},
      [&] {
        // torch's order of operations, for the same rounding.
        const Tensor m = clamp_min(-input, 0);
        const Tensor log_sum = log(exp(-m) + exp(-input - m));
        Tensor loss = (1 - target) * input;
        loss = pos_weight.defined() ? loss + ((pos_weight - 1) * target + 1) * (log_sum + m)
                                    : loss + m + log_sum;
        if (weight.defined()) loss = loss * weight;
        return reduce(loss, reduction);
      },
      [saved_input = autograd::SavedTensor(input), saved_target = autograd::SavedTensor(target),
       weight, pos_weight, softplus_of_negated,
       norm = reduction_norm(reduction, input.sizes())](const Tensor& g) -> std::vector<Tensor> {
        const Tensor x = saved_input.unpack(), t = saved_target.unpack();
        Tensor grad_input, grad_target;
        if (pos_weight.defined()) {
          const Tensor weighted_target = pos_weight * t;
          grad_input = ((weighted_target + 1 - t) * sigmoid(x) - weighted_target) * g;
          grad_target = ((pos_weight - 1) * softplus_of_negated(x) - x) * g;
        } else {
          grad_input = (sigmoid(x) - t) * g;
          grad_target = -x * g;
        }
        if (weight.defined()) {
          grad_input = grad_input * weight;
          grad_target = grad_target * weight;
        }
        return {grad_input * norm, grad_target * norm};
      });
}

namespace {

// The class-index targets of nll_loss, resolved against the input's layout.
struct ClassTargets {
  std::int64_t class_dim = 0;
  Tensor selected;          // bool, input's shape: the target class of every counted target
  Tensor negated_weight;    // target's shape, input's dtype: -weight[t], 0 where ignored
  double total_weight = 0;  // the sum of weight[t] over the counted targets
};

void check_class_weight(const Tensor& weight, const Tensor& input, std::int64_t classes,
                        const char* op) {
  if (!weight.defined()) return;
  check_float_input(weight, op, "weight");
  check_same_dtype(input, weight, op, "weight");
  if (weight.dim() != 1 || weight.numel() != classes) {
    throw ShapeError(
        std::string(op) + ": weight tensor should be defined either for all " +
        std::to_string(classes) +
        " classes or no classes but got weight tensor of shape: " + shape_str(weight.sizes()));
  }
}

// Checks input (C), (N, C) or (N, C, d1, ...) against an int64 target (), (N) or (N, d1, ...).
ClassTargets resolve_class_targets(const Tensor& input, const Tensor& target, const Tensor& weight,
                                   std::int64_t ignore_index, const char* op) {
  check_float_input(input, op, "input");
  if (!target.defined())
    throw ValueError(std::string(op) + ": argument 'target' is an undefined tensor");
  if (target.dtype() != int64) {
    throw TypeError(std::string(op) +
                    ": expected argument 'target' to be an int64 tensor of class indices, got " +
                    std::string(name(target.dtype())));
  }
  if (input.dim() < 1) {
    throw ShapeError(std::string(op) +
                     ": expected argument 'input' to have 1 or more dimensions (got 0)");
  }
  ClassTargets out;
  out.class_dim = input.dim() == 1 ? 0 : 1;
  const std::int64_t classes = input.size(out.class_dim);
  Shape expected = input.sizes();
  expected.erase(expected.begin() + out.class_dim);
  if (target.sizes() != expected) {
    if (input.dim() == 2 && target.dim() == 1) {
      throw ShapeError(std::string(op) + ": expected input batch_size (" +
                       std::to_string(input.size(0)) + ") to match target batch_size (" +
                       std::to_string(target.size(0)) + ")");
    }
    throw ShapeError(std::string(op) + ": expected argument 'target' of shape " +
                     shape_str(expected) + " for input of shape " + shape_str(input.sizes()) +
                     ", got " + shape_str(target.sizes()));
  }
  check_class_weight(weight, input, classes, op);

  const std::int64_t batch = input.dim() == 1 ? 1 : input.size(0);
  const std::int64_t inner = input.dim() <= 2 ? 1 : input.numel() / (batch * classes);
  const std::vector<std::int64_t> targets = target.to_vector<std::int64_t>();
  const std::vector<double> weights =
      weight.defined() ? weight.to_vector<double>() : std::vector<double>(classes, 1.0);
  out.selected = zeros(input.sizes(), bool_);
  bool* selected = out.selected.data_ptr<bool>();
  std::vector<double> negated(targets.size(), 0.0);
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(targets.size()); ++i) {
    const std::int64_t t = targets[i];
    if (t == ignore_index) continue;
    if (t < 0 || t >= classes) {
      throw IndexError(std::string(op) + ": target " + std::to_string(t) +
                       " is out of bounds: expected a class index in [0, " +
                       std::to_string(classes) + ") or ignore_index " +
                       std::to_string(ignore_index));
    }
    const std::int64_t n = i / inner, k = i % inner;
    selected[(n * classes + t) * inner + k] = true;
    negated[i] = -weights[t];
    out.total_weight += weights[t];
  }
  out.negated_weight = from_vector(negated, target.sizes()).to(input.dtype());
  return out;
}

}  // namespace

Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossOptions& options) {
  const char* op = "nll_loss";
  const Reduction reduction = parse_reduction(options.reduction, op);
  const ClassTargets classes =
      resolve_class_targets(input, target, options.weight, options.ignore_index, op);
  const Tensor total = scalar_tensor(classes.total_weight, input.dtype());
  // torch runs (N, C, d1, ...) inputs through its 2-d kernel, and views the unreduced loss of
  // all but 4-d inputs back to the target's shape.
  const bool spatial = input.dim() >= 3;
  Tensor loss = autograd::differentiable(
      spatial ? "NllLoss2DBackward0" : "NllLossBackward0", {input},
      [&] {
        const Tensor picked = sum(where(classes.selected, input, 0), {classes.class_dim});
        const Tensor losses = picked * classes.negated_weight;
        if (reduction == Reduction::kNone) return losses;
        const Tensor summed = sum(losses);
        return reduction == Reduction::kMean ? summed / total : summed;
      },
      [classes, total, reduction](const Tensor& g) -> std::vector<Tensor> {
        Tensor scaled = g * classes.negated_weight;
        if (reduction == Reduction::kMean) scaled = scaled / total;
        return {where(classes.selected, scaled.unsqueeze(classes.class_dim), 0)};
      });
  if (spatial && reduction == Reduction::kNone && input.dim() != 4)
    loss = loss.view(target.sizes());
  return loss;
}

namespace {

void check_label_smoothing(double label_smoothing, const char* op) {
  if (!(label_smoothing >= 0 && label_smoothing <= 1)) {
    throw ValueError(std::string(op) +
                     ": argument 'label_smoothing' must be between 0.0 and 1.0, got " +
                     python_repr(Scalar(label_smoothing)));
  }
}

// weight viewed to broadcast along the class dim of an input of ndim dims.
Tensor class_weight_view(const Tensor& weight, std::int64_t ndim, std::int64_t class_dim) {
  Shape shape(ndim, 1);
  shape[class_dim] = weight.numel();
  return weight.view(shape);
}

Tensor cross_entropy_probabilities(const Tensor& input, const Tensor& target,
                                   const CrossEntropyLossOptions& options, Reduction reduction) {
  const char* op = "cross_entropy";
  check_float_input(target, op, "target");
  check_same_dtype(input, target, op, "target");
  if (options.ignore_index >= 0) {
    throw ValueError(std::string(op) +
                     ": ignore_index is not supported for class-probability targets, got " +
                     std::to_string(options.ignore_index));
  }
  const std::int64_t class_dim = input.dim() == 1 ? 0 : 1;
  const std::int64_t classes = input.size(class_dim);
  check_class_weight(options.weight, input, classes, op);
  const Tensor log_probabilities = log_softmax(input, {.dim = class_dim});
  Tensor smoothed = target;
  if (options.label_smoothing > 0) {
    smoothed = target * (1 - options.label_smoothing) +
               options.label_smoothing / static_cast<double>(classes);
  }
  Tensor products = log_probabilities * smoothed;
  if (options.weight.defined())
    products = products * class_weight_view(options.weight, input.dim(), class_dim);
  switch (reduction) {
    case Reduction::kMean:
      return -sum(products) / (input.numel() / classes);
    case Reduction::kSum:
      return -sum(products);
    case Reduction::kNone:
      break;
  }
  return -sum(products, {class_dim});
}

}  // namespace

Tensor cross_entropy(const Tensor& input, const Tensor& target,
                     const CrossEntropyLossOptions& options) {
  const char* op = "cross_entropy";
  const Reduction reduction = parse_reduction(options.reduction, op);
  check_float_input(input, op, "input");
  check_label_smoothing(options.label_smoothing, op);
  if (!target.defined())
    throw ValueError("cross_entropy: argument 'target' is an undefined tensor");
  if (input.dim() < 1) {
    throw ShapeError(
        "cross_entropy: expected argument 'input' to have 1 or more dimensions (got 0)");
  }
  // As torch: a target of the input's shape holds class probabilities.
  if (target.sizes() == input.sizes())
    return cross_entropy_probabilities(input, target, options, reduction);

  const std::int64_t class_dim = input.dim() == 1 ? 0 : 1;
  const Tensor log_probabilities = log_softmax(input, {.dim = class_dim});
  const Tensor nll = nll_loss(log_probabilities, target,
                              {.weight = options.weight,
                               .ignore_index = options.ignore_index,
                               .reduction = options.reduction});
  const double smoothing = options.label_smoothing;
  if (smoothing == 0) return nll;

  // The loss against the uniform distribution, weighted and normalized as nll_loss.
  const ClassTargets classes =
      resolve_class_targets(log_probabilities, target, options.weight, options.ignore_index, op);
  Tensor weighted = log_probabilities;
  if (options.weight.defined())
    weighted = weighted * class_weight_view(options.weight, input.dim(), class_dim);
  const Tensor smooth_loss =
      where(eq(target, options.ignore_index), 0.0, -sum(weighted, {class_dim}));
  Tensor uniform_loss = smooth_loss;
  if (reduction == Reduction::kSum) uniform_loss = sum(smooth_loss);
  if (reduction == Reduction::kMean)
    uniform_loss = sum(smooth_loss) / scalar_tensor(classes.total_weight, input.dtype());
  const std::int64_t class_count = input.size(class_dim);
  return (1 - smoothing) * nll + uniform_loss * (smoothing / static_cast<double>(class_count));
}

}  // namespace functional

namespace F = functional;

Tensor MSELoss::forward(const Tensor& input, const Tensor& target) const {
  return F::mse_loss(input, target, options_);
}
Tensor L1Loss::forward(const Tensor& input, const Tensor& target) const {
  return F::l1_loss(input, target, options_);
}
Tensor SmoothL1Loss::forward(const Tensor& input, const Tensor& target) const {
  return F::smooth_l1_loss(input, target, options_);
}
Tensor HuberLoss::forward(const Tensor& input, const Tensor& target) const {
  return F::huber_loss(input, target, options_);
}
Tensor BCELoss::forward(const Tensor& input, const Tensor& target) const {
  return F::binary_cross_entropy(input, target, options_);
}
Tensor BCEWithLogitsLoss::forward(const Tensor& input, const Tensor& target) const {
  return F::binary_cross_entropy_with_logits(input, target, options_);
}
Tensor NLLLoss::forward(const Tensor& input, const Tensor& target) const {
  return F::nll_loss(input, target, options_);
}
Tensor CrossEntropyLoss::forward(const Tensor& input, const Tensor& target) const {
  return F::cross_entropy(input, target, options_);
}

}  // namespace activ::nn
