// Losses (activ/nn/loss.h) against PyTorch 1.13: tests/golden/losses_optim.json (written by
// tools/gen_optim_reference.py, schema in its docstring) holds, per case, torch's value,
// grad_fn name, input gradient and, for many, the gradient of a double backward; each case is
// one test. Also: finite-difference checks of every loss in float64, module reprs and every
// validation error.
#include "activ/nn/loss.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "activ/autograd.h"
#include "activ/nn/functional.h"
#include "activ/tensor.h"
#include "support/golden.h"
#include "support/gradcheck.h"

namespace activ {
namespace {

using Json = nlohmann::json;
using ::testing::HasSubstr;
namespace F = nn::functional;

const Json& golden() {
  return testing::golden_json("losses_optim.json");
}

double number_from(const Json& value) {
  if (value.is_string()) {
    const auto text = value.get<std::string>();
    if (text == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (text == "inf") return std::numeric_limits<double>::infinity();
    return -std::numeric_limits<double>::infinity();
  }
  return value.get<double>();
}

Tensor tensor_from(const Json& spec) {
  const std::string dtype = spec.at("dtype").get<std::string>();
  const Shape shape = spec.at("shape").get<Shape>();
  const Json& values = spec.at("values");
  if (dtype == "int64") return from_vector(values.get<std::vector<std::int64_t>>(), shape);
  std::vector<double> numbers;
  for (const Json& v : values) numbers.push_back(number_from(v));
  return from_vector(numbers, shape).to(dtype == "float32" ? float32 : float64);
}

Tensor optional_tensor(const Json& options, const char* key) {
  return options.contains(key) ? tensor_from(options.at(key)) : Tensor();
}

// The loss named as torch.nn.functional names it, with the case's options.
Tensor apply_loss(const std::string& fn, const Tensor& input, const Tensor& target, const Json& o) {
  const std::string reduction = o.value("reduction", "mean");
  if (fn == "mse_loss") return F::mse_loss(input, target, {.reduction = reduction});
  if (fn == "l1_loss") return F::l1_loss(input, target, {.reduction = reduction});
  if (fn == "smooth_l1_loss") {
    return F::smooth_l1_loss(input, target,
                             {.reduction = reduction, .beta = o.at("beta").get<double>()});
  }
  if (fn == "huber_loss") {
    return F::huber_loss(input, target,
                         {.reduction = reduction, .delta = o.at("delta").get<double>()});
  }
  if (fn == "binary_cross_entropy") {
    return F::binary_cross_entropy(
        input, target, {.weight = optional_tensor(o, "weight"), .reduction = reduction});
  }
  if (fn == "binary_cross_entropy_with_logits") {
    return F::binary_cross_entropy_with_logits(input, target,
                                               {.weight = optional_tensor(o, "weight"),
                                                .reduction = reduction,
                                                .pos_weight = optional_tensor(o, "pos_weight")});
  }
  if (fn == "nll_loss") {
    return F::nll_loss(input, target,
                       {.weight = optional_tensor(o, "weight"),
                        .ignore_index = o.value("ignore_index", std::int64_t{-100}),
                        .reduction = reduction});
  }
  if (fn == "cross_entropy") {
    return F::cross_entropy(input, target,
                            {.weight = optional_tensor(o, "weight"),
                             .ignore_index = o.value("ignore_index", std::int64_t{-100}),
                             .reduction = reduction,
                             .label_smoothing = o.value("label_smoothing", 0.0)});
  }
  throw std::invalid_argument("unknown loss " + fn);
}

// |actual - expected| <= atol + rtol |expected| element by element (NaN equals NaN).
::testing::AssertionResult close(const Tensor& actual, const Tensor& expected, double rtol,
                                 double atol) {
  if (actual.sizes() != expected.sizes()) {
    return ::testing::AssertionFailure()
           << "shape " << shape_str(actual.sizes()) << ", expected " << shape_str(expected.sizes());
  }
  if (actual.dtype() != expected.dtype()) {
    return ::testing::AssertionFailure()
           << "dtype " << name(actual.dtype()) << ", expected " << name(expected.dtype());
  }
  const auto a = actual.to_vector<double>(), e = expected.to_vector<double>();
  for (std::size_t i = 0; i < a.size(); ++i) {
    const bool ok = std::isnan(e[i])   ? std::isnan(a[i])
                    : std::isinf(e[i]) ? a[i] == e[i]
                                       : std::abs(a[i] - e[i]) <= atol + rtol * std::abs(e[i]);
    if (!ok) {
      return ::testing::AssertionFailure()
             << std::setprecision(17) << "element " << i << ": " << a[i] << ", expected " << e[i];
    }
  }
  return ::testing::AssertionSuccess();
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const Json& c : golden().at("losses")) names.push_back(c.at("name").get<std::string>());
  return names;
}

std::string test_name(std::string name) {
  std::replace_if(
      name.begin(), name.end(), [](char c) { return !std::isalnum(c); }, '_');
  return name;
}

class LossReference : public ::testing::TestWithParam<std::string> {};

TEST_P(LossReference, MatchesTorch) {
  const Json& cases = golden().at("losses");
  const auto it = std::find_if(cases.begin(), cases.end(),
                               [&](const Json& c) { return c.at("name") == GetParam(); });
  ASSERT_NE(it, cases.end());
  const Json& c = *it;
  const Tensor input = tensor_from(c.at("input")).requires_grad_();
  const Tensor target = tensor_from(c.at("target"));
  const bool f32 = input.dtype() == float32;
  const double rtol = f32 ? 2e-6 : 1e-12, atol = f32 ? 1e-6 : 1e-14;

  const Tensor output = apply_loss(c.at("fn"), input, target, c.at("options"));
  EXPECT_TRUE(close(output.detach(), tensor_from(c.at("output")), rtol, atol));
  // torch divides by a Python number with DivBackward1, which activ records as DivBackward0.
  const std::string torch_grad_fn = c.at("grad_fn").get<std::string>();
  ASSERT_TRUE(output.grad_fn());
  EXPECT_EQ(output.grad_fn()->name(),
            torch_grad_fn == "DivBackward1" ? std::string("DivBackward0") : torch_grad_fn);

  const bool twice = c.contains("double");
  const Tensor grad_input =
      autograd::grad({output}, {input}, {tensor_from(c.at("grad_output"))}, std::nullopt, twice)[0];
  EXPECT_TRUE(close(grad_input.detach(), tensor_from(c.at("grad_input")), rtol, atol));
  if (!twice) return;
  const Tensor expected = tensor_from(c.at("double").at("grad"));
  if (!grad_input.requires_grad()) {
    // A loss linear in its input: the gradient does not depend on it.
    EXPECT_TRUE(close(zeros_like(expected), expected, 0, 0));
    return;
  }
  Tensor second = autograd::grad({grad_input}, {input}, {tensor_from(c.at("double").at("v"))},
                                 std::nullopt, false, true)[0];
  if (!second.defined()) second = zeros_like(expected);
  // torch's binary_cross_entropy double backward adds 1e-12 to x and 1 - x in its denominator,
  // a relative change of up to ~1e-10 for these inputs.
  EXPECT_TRUE(close(second, expected, f32 ? 1e-5 : 1e-9, f32 ? 1e-5 : 1e-12));
}

INSTANTIATE_TEST_SUITE_P(Torch, LossReference, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           return test_name(p.param);
                         });

TEST(LossReferenceData, CoversEveryLoss) {
  std::map<std::string, int> count;
  for (const Json& c : golden().at("losses")) ++count[c.at("fn").get<std::string>()];
  for (const char* fn :
       {"mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
        "binary_cross_entropy_with_logits", "nll_loss", "cross_entropy"}) {
    EXPECT_GT(count[fn], 10) << fn;
  }
}

// --- finite differences in float64 ----------------------------------------------------------

Tensor uniform(const Shape& shape, double low, double high) {
  return rand(shape, float64) * (high - low) + low;
}

// check_vjp of loss(input) (and, for pointwise losses, loss(target)) for every reduction.
void check_loss_gradients(const std::string& fn, const Tensor& input, const Tensor& target,
                          Json options, bool target_differentiable) {
  for (const char* reduction : {"none", "mean", "sum"}) {
    options["reduction"] = reduction;
    const auto loss = [&](const Tensor& x, const Tensor& t) {
      return apply_loss(fn, x, t, options);
    };
    const Tensor probe = loss(input, target);
    const Tensor grad_output = randn(probe.sizes(), float64);
    EXPECT_TRUE(
        testing::check_vjp([&](const std::vector<Tensor>& in) { return loss(in[0], target); },
                           [&](const std::vector<Tensor>& in, const Tensor& g) {
                             const Tensor x = in[0].detach().requires_grad_();
                             return autograd::grad({loss(x, target)}, {x}, {g});
                           },
                           {input}, grad_output))
        << fn << " " << reduction << " w.r.t. input";
    if (!target_differentiable) continue;
    EXPECT_TRUE(
        testing::check_vjp([&](const std::vector<Tensor>& in) { return loss(input, in[0]); },
                           [&](const std::vector<Tensor>& in, const Tensor& g) {
                             const Tensor t = in[0].detach().requires_grad_();
                             return autograd::grad({loss(input, t)}, {t}, {g});
                           },
                           {target}, grad_output))
        << fn << " " << reduction << " w.r.t. target";
  }
}

TEST(LossGradcheck, PointwiseLosses) {
  manual_seed(7);
  const Tensor x = randn({3, 5}, float64);
  // Differences kept away from the kinks at 0 and +-beta / +-delta.
  Tensor offset = uniform({3, 5}, 0.1, 2.5);
  offset = where(lt(offset, 1.3), offset, offset + 0.2);
  const Tensor sign = where(gt(rand({3, 5}, float64), 0.5), ones({3, 5}, float64), -1.0);
  const Tensor t = x - offset * sign;
  check_loss_gradients("mse_loss", x, t, Json::object(), true);
  check_loss_gradients("l1_loss", x, t, Json::object(), true);
  check_loss_gradients("smooth_l1_loss", x, t, {{"beta", 1.4}}, true);
  check_loss_gradients("huber_loss", x, t, {{"delta", 1.4}}, true);
  // A target that broadcasts along the rows.
  check_loss_gradients("mse_loss", x, randn({5}, float64), Json::object(), true);
}

TEST(LossGradcheck, BinaryCrossEntropy) {
  manual_seed(8);
  const Tensor p = uniform({4, 3}, 0.1, 0.9), t = rand({4, 3}, float64);
  check_loss_gradients("binary_cross_entropy", p, t, Json::object(), true);
  Json weighted = {{"weight", {{"dtype", "float64"}, {"shape", {3}}, {"values", {0.5, 1.5, 2}}}}};
  check_loss_gradients("binary_cross_entropy", p, t, weighted, true);
  const Tensor logits = randn({4, 3}, float64) * 3;
  check_loss_gradients("binary_cross_entropy_with_logits", logits, t, weighted, true);
  weighted["pos_weight"] = {{"dtype", "float64"}, {"shape", {3}}, {"values", {3, 0.25, 1}}};
  check_loss_gradients("binary_cross_entropy_with_logits", logits, t, weighted, true);
}

TEST(LossGradcheck, ClassLosses) {
  manual_seed(9);
  const Json weight = {{"dtype", "float64"}, {"shape", {4}}, {"values", {0.5, 1.5, 2, 1}}};
  for (const Shape& shape : {Shape{4}, Shape{5, 4}, Shape{2, 4, 3}, Shape{2, 4, 2, 2}}) {
    const Tensor logits = randn(shape, float64);
    const std::int64_t class_dim = shape.size() == 1 ? 0 : 1;
    Shape target_shape = shape;
    target_shape.erase(target_shape.begin() + (shape.size() == 1 ? 0 : 1));
    const Tensor target = randint(0, 4, target_shape);
    const Tensor log_probabilities = F::log_softmax(logits, {.dim = class_dim});
    const Json options = {{"weight", weight}, {"ignore_index", 2}};
    check_loss_gradients("nll_loss", log_probabilities, target, options, false);
    check_loss_gradients("cross_entropy", logits, target, options, false);
    Json smoothed = options;
    smoothed["label_smoothing"] = 0.3;
    check_loss_gradients("cross_entropy", logits, target, smoothed, false);
    const Tensor probabilities = F::softmax(randn(shape, float64), {.dim = class_dim});
    check_loss_gradients("cross_entropy", logits, probabilities,
                         {{"weight", weight}, {"label_smoothing", 0.2}}, true);
  }
}

// --- printing -------------------------------------------------------------------------------

TEST(LossModules, PrintAsTorch) {
  EXPECT_EQ(nn::MSELoss().repr(), "MSELoss()");
  EXPECT_EQ(nn::MSELoss({.reduction = "sum"}).repr(), "MSELoss()");
  EXPECT_EQ(nn::L1Loss().repr(), "L1Loss()");
  EXPECT_EQ(nn::SmoothL1Loss({.beta = 0.5}).repr(), "SmoothL1Loss()");
  EXPECT_EQ(nn::HuberLoss({.delta = 2}).repr(), "HuberLoss()");
  EXPECT_EQ(nn::BCELoss().repr(), "BCELoss()");
  EXPECT_EQ(nn::BCEWithLogitsLoss().repr(), "BCEWithLogitsLoss()");
  EXPECT_EQ(nn::NLLLoss().repr(), "NLLLoss()");
  std::ostringstream out;
  out << nn::CrossEntropyLoss({.ignore_index = 3, .label_smoothing = 0.1});
  EXPECT_EQ(out.str(), "CrossEntropyLoss()");
}

TEST(LossModules, ForwardAppliesTheOptions) {
  const Tensor x = tensor({1.0, 2.0, 4.0}), t = tensor({0.0, 0.0, 0.0});
  EXPECT_EQ(nn::MSELoss({.reduction = "sum"})(x, t).item<float>(), 21.0f);
  EXPECT_EQ(nn::L1Loss()(x, t).item<float>(), 7.0f / 3.0f);
  EXPECT_TRUE(
      equal(nn::HuberLoss({.reduction = "none", .delta = 2})(x, t), tensor({0.5, 2.0, 6.0})));
  EXPECT_TRUE(
      equal(nn::SmoothL1Loss({.reduction = "none", .beta = 2})(x, t), tensor({0.25, 1.0, 3.0})));
  const Tensor logits = tensor({{0.0, 0.0}, {0.0, 0.0}}), labels = tensor({0, 1});
  EXPECT_FLOAT_EQ(nn::CrossEntropyLoss()(logits, labels).item<float>(), std::log(2.0f));
  EXPECT_FLOAT_EQ(nn::NLLLoss({.reduction = "sum"})(logits, labels).item<float>(), 0.0f);
  // A loss takes two tensors: the one-tensor forward of Module raises.
  EXPECT_THROW(nn::MSELoss().forward(x), Error);
}

TEST(LossPrinting, SeedExample) {
  const Tensor x = tensor({1.0, 2.0}).requires_grad_();
  const Tensor loss = F::mse_loss(x, tensor({3.0, 4.0}));
  EXPECT_EQ(loss.repr(), "tensor(4., grad_fn=<MseLossBackward0>)");
  loss.backward();
  EXPECT_TRUE(equal(x.grad(), tensor({-2.0, -2.0})));
}

TEST(LossValues, BinaryCrossEntropyWithLogitsIsStableForHugeLogits) {
  const Tensor x = tensor({1000.0, -1000.0, 1000.0, -1000.0}, float64);
  const Tensor t = tensor({1.0, 0.0, 0.0, 1.0}, float64);
  const Tensor loss = F::binary_cross_entropy_with_logits(x, t, {.reduction = "none"});
  EXPECT_TRUE(equal(loss, tensor({0.0, 0.0, 1000.0, 1000.0}, float64)));
}

// --- validation -----------------------------------------------------------------------------

template <class E>
void expect_error(const std::function<void()>& call, const std::string& message) {
  try {
    call();
    ADD_FAILURE() << "expected an error: " << message;
  } catch (const E& error) {
    EXPECT_EQ(std::string(error.what()), message);
  }
}

TEST(LossValidation, Reduction) {
  const Tensor x = zeros({2}), t = zeros({2});
  const auto expect_bad = [&](const char* fn, const std::function<void()>& call) {
    expect_error<ValueError>(call, std::string(fn) +
                                       ": 'avg' is not a valid value for reduction (expected "
                                       "'none', 'mean' or 'sum')");
  };
  expect_bad("mse_loss", [&] { F::mse_loss(x, t, {.reduction = "avg"}); });
  expect_bad("l1_loss", [&] { F::l1_loss(x, t, {.reduction = "avg"}); });
  expect_bad("smooth_l1_loss", [&] { F::smooth_l1_loss(x, t, {.reduction = "avg"}); });
  expect_bad("huber_loss", [&] { F::huber_loss(x, t, {.reduction = "avg"}); });
  expect_bad("binary_cross_entropy", [&] { F::binary_cross_entropy(x, t, {.reduction = "avg"}); });
  expect_bad("binary_cross_entropy_with_logits",
             [&] { F::binary_cross_entropy_with_logits(x, t, {.reduction = "avg"}); });
  const Tensor labels = zeros({2}, int64);
  expect_bad("nll_loss", [&] { F::nll_loss(zeros({2, 3}), labels, {.reduction = "avg"}); });
  expect_bad("cross_entropy", [&] {
    F::cross_entropy(zeros({2, 3}), labels, {.reduction = "avg"});
  });
}

TEST(LossValidation, PointwiseArguments) {
  expect_error<TypeError>([] { F::mse_loss(zeros({2}), zeros({2}, float64)); },
                          "mse_loss: expected argument 'target' to have the input's dtype "
                          "float32, got float64");
  expect_error<TypeError>([] { F::l1_loss(zeros({2}, int64), zeros({2})); },
                          "l1_loss: expected argument 'input' to be a float32 or float64 tensor, "
                          "got int64");
  try {
    F::mse_loss(zeros({3}), zeros({4}));
    ADD_FAILURE() << "expected a ShapeError";
  } catch (const ShapeError& error) {
    EXPECT_THAT(error.what(), HasSubstr("mse_loss"));
  }
  expect_error<ValueError>([] { F::smooth_l1_loss(zeros({2}), zeros({2}), {.beta = -1}); },
                           "smooth_l1_loss: argument 'beta' must be non-negative, got -1.0");
  expect_error<ValueError>([] { F::huber_loss(zeros({2}), zeros({2}), {.delta = 0}); },
                           "huber_loss: argument 'delta' must be positive, got 0.0");
}

TEST(LossValidation, BinaryCrossEntropy) {
  expect_error<ValueError>(
      [] {
        F::binary_cross_entropy(tensor({0.5, 0.25, 1.5}), zeros({3}));
      },
      "binary_cross_entropy: all elements of argument 'input' must be between 0 and 1, got 1.5 "
      "at flat index 2");
  expect_error<ShapeError>(
      [] {
        F::binary_cross_entropy(zeros({3, 4}), zeros({4}));
      },
      "binary_cross_entropy: expected argument 'target' of the input's "
      "shape [3, 4], got [4]");
  expect_error<ShapeError>(
      [] {
        F::binary_cross_entropy_with_logits(zeros({3}), zeros({3, 1}));
      },
      "binary_cross_entropy_with_logits: expected argument 'target' of the input's shape [3], "
      "got [3, 1]");
  expect_error<ShapeError>(
      [] {
        F::binary_cross_entropy(zeros({3, 4}), zeros({3, 4}), {.weight = ones({3})});
      },
      "binary_cross_entropy: argument 'weight' of shape [3] does not broadcast to the input's "
      "shape [3, 4]");
  expect_error<TypeError>(
      [] {
        F::binary_cross_entropy_with_logits(zeros({3}), zeros({3}),
                                            {.pos_weight = ones({3}, float64)});
      },
      "binary_cross_entropy_with_logits: expected argument 'pos_weight' to have the input's "
      "dtype float32, got float64");
}

TEST(LossValidation, ClassIndices) {
  const Tensor logits = zeros({3, 4});
  expect_error<IndexError>(
      [&] {
        F::nll_loss(logits, tensor({0, 4, 1}));
      },
      "nll_loss: target 4 is out of bounds: expected a class index in [0, "
      "4) or ignore_index -100");
  expect_error<IndexError>(
      [&] {
        F::cross_entropy(logits, tensor({0, -1, 1}));
      },
      "nll_loss: target -1 is out of bounds: expected a class index in [0, "
      "4) or ignore_index -100");
  expect_error<TypeError>([&] { F::nll_loss(logits, zeros({3})); },
                          "nll_loss: expected argument 'target' to be an int64 tensor of class "
                          "indices, got float32");
  expect_error<ShapeError>(
      [&] {
        F::nll_loss(logits, tensor({0, 1}));
      },
      "nll_loss: expected input batch_size (3) to match target batch_size "
      "(2)");
  expect_error<ShapeError>(
      [&] {
        F::nll_loss(zeros({2, 4, 3}), zeros({2, 4}, int64));
      },
      "nll_loss: expected argument 'target' of shape [2, 3] for input of "
      "shape [2, 4, 3], got [2, 4]");
  expect_error<ShapeError>([&] { F::nll_loss(zeros({}), zeros({}, int64)); },
                           "nll_loss: expected argument 'input' to have 1 or more dimensions "
                           "(got 0)");
  expect_error<ShapeError>(
      [&] {
        F::cross_entropy(logits, tensor({0, 1, 2}), {.weight = ones({3})});
      },
      "nll_loss: weight tensor should be defined either for all 4 classes or no classes but got "
      "weight tensor of shape: [3]");
  expect_error<ValueError>(
      [&] {
        F::cross_entropy(logits, tensor({0, 1, 2}), {.label_smoothing = 1.5});
      },
      "cross_entropy: argument 'label_smoothing' must be between 0.0 and 1.0, got 1.5");
  expect_error<ValueError>(
      [&] {
        F::cross_entropy(logits, zeros({3, 4}), {.ignore_index = 0});
      },
      "cross_entropy: ignore_index is not supported for class-probability "
      "targets, got 0");
  expect_error<TypeError>(
      [&] {
        F::cross_entropy(logits, zeros({3, 4}, int64));
      },
      "cross_entropy: expected argument 'target' to be a float32 or float64 "
      "tensor, got int64");
}

TEST(LossValues, AllTargetsIgnoredGiveNanMean) {
  const Tensor logits = zeros({2, 3}).requires_grad_();
  const Tensor loss = F::cross_entropy(logits, tensor({1, 1}), {.ignore_index = 1});
  EXPECT_TRUE(std::isnan(loss.item<float>()));
  loss.backward();
  EXPECT_TRUE(equal(logits.grad(), zeros({2, 3})));
}

}  // namespace
}  // namespace activ
