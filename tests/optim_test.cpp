// Optimizers (activ/optim.h) against PyTorch 1.13: tests/golden/losses_optim.json (written by
// tools/gen_optim_reference.py) holds, per configuration, two parameters, ten steps of fixed
// gradients (one step without a gradient for the second parameter) and torch's parameters after
// every step; each configuration is one test, checked step by step. Also: option validation
// with torch's messages, zero_grad, closures and a small training loop.
#include "activ/optim.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "activ/autograd.h"
#include "activ/nn/loss.h"
#include "activ/tensor.h"
#include "support/golden.h"

namespace activ {
namespace {

using Json = nlohmann::json;

const Json& golden() {
  return testing::golden_json("losses_optim.json");
}

Tensor tensor_from(const Json& spec) {
  const Shape shape = spec.at("shape").get<Shape>();
  const Tensor values = from_vector(spec.at("values").get<std::vector<double>>(), shape);
  return values.to(spec.at("dtype") == "float32" ? float32 : float64);
}

std::unique_ptr<optim::Optimizer> make_optimizer(const std::string& kind, const Json& o,
                                                 std::vector<Tensor> params) {
  if (kind == "SGD") {
    return std::make_unique<optim::SGD>(
        params, optim::SGDOptions{.lr = o.at("lr").get<double>(),
                                  .momentum = o.value("momentum", 0.0),
                                  .dampening = o.value("dampening", 0.0),
                                  .weight_decay = o.value("weight_decay", 0.0),
                                  .nesterov = o.value("nesterov", false),
                                  .maximize = o.value("maximize", false)});
  }
  const auto betas = o.value("betas", std::vector<double>{0.9, 0.999});
  if (kind == "Adam") {
    return std::make_unique<optim::Adam>(
        params, optim::AdamOptions{.lr = o.value("lr", 1e-3),
                                   .betas = {betas[0], betas[1]},
                                   .eps = o.value("eps", 1e-8),
                                   .weight_decay = o.value("weight_decay", 0.0),
                                   .amsgrad = o.value("amsgrad", false),
                                   .maximize = o.value("maximize", false)});
  }
  return std::make_unique<optim::AdamW>(
      params, optim::AdamWOptions{.lr = o.value("lr", 1e-3),
                                  .betas = {betas[0], betas[1]},
                                  .eps = o.value("eps", 1e-8),
                                  .weight_decay = o.value("weight_decay", 1e-2),
                                  .amsgrad = o.value("amsgrad", false),
                                  .maximize = o.value("maximize", false)});
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const Json& c : golden().at("optimizers")) names.push_back(c.at("name").get<std::string>());
  return names;
}

class OptimizerTrajectory : public ::testing::TestWithParam<std::string> {};

TEST_P(OptimizerTrajectory, MatchesTorchStepByStep) {
  const Json& cases = golden().at("optimizers");
  const auto it = std::find_if(cases.begin(), cases.end(),
                               [&](const Json& c) { return c.at("name") == GetParam(); });
  ASSERT_NE(it, cases.end());
  const Json& c = *it;
  std::vector<Tensor> params;
  for (const Json& p : c.at("params")) params.push_back(tensor_from(p).requires_grad_());
  const bool f32 = params[0].dtype() == float32;
  // rtol as asked of the port; atol covers elements that pass near zero.
  const double rtol = f32 ? 1e-6 : 1e-12, atol = f32 ? 1e-7 : 1e-15;
  auto optimizer = make_optimizer(c.at("optimizer"), c.at("options"), params);
  for (std::size_t step = 0; step < c.at("grads").size(); ++step) {
    for (std::size_t i = 0; i < params.size(); ++i) {
      const Json& g = c.at("grads")[step][i];
      params[i].set_grad(g.is_null() ? Tensor() : tensor_from(g));
    }
    optimizer->step();
    for (std::size_t i = 0; i < params.size(); ++i) {
      const auto actual = params[i].to_vector<double>();
      const auto expected = tensor_from(c.at("trajectory")[step][i]).to_vector<double>();
      for (std::size_t k = 0; k < actual.size(); ++k) {
        ASSERT_NEAR(actual[k], expected[k], atol + rtol * std::abs(expected[k]))
            << "step " << step + 1 << ", parameter " << i << ", element " << k;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Torch, OptimizerTrajectory, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

TEST(OptimizerReferenceData, CoversEveryOptimizer) {
  std::map<std::string, int> count;
  for (const Json& c : golden().at("optimizers")) ++count[c.at("optimizer").get<std::string>()];
  EXPECT_GE(count["SGD"], 10);
  EXPECT_GE(count["Adam"], 10);
  EXPECT_GE(count["AdamW"], 6);
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

std::vector<Tensor> one_param() {
  return {zeros({2}).requires_grad_()};
}

TEST(OptimizerValidation, SGD) {
  expect_error<ValueError>([] { optim::SGD(one_param(), {.lr = -1.0}); },
                           "Invalid learning rate: -1.0");
  expect_error<ValueError>([] { optim::SGD(one_param(), {.lr = 0.1, .momentum = -0.5}); },
                           "Invalid momentum value: -0.5");
  expect_error<ValueError>([] { optim::SGD(one_param(), {.lr = 0.1, .weight_decay = -1e-5}); },
                           "Invalid weight_decay value: -1e-05");
  expect_error<ValueError>([] { optim::SGD(one_param(), {.lr = 0.1, .nesterov = true}); },
                           "Nesterov momentum requires a momentum and zero dampening");
  expect_error<ValueError>(
      [] {
        optim::SGD(one_param(), {.lr = 0.1, .momentum = 0.9, .dampening = 0.1, .nesterov = true});
      },
      "Nesterov momentum requires a momentum and zero dampening");
  expect_error<ValueError>(
      [] { optim::SGD(one_param(), {}); },
      "SGD: parameter group didn't specify a value of required optimization parameter lr");
}

TEST(OptimizerValidation, AdamAndAdamW) {
  expect_error<ValueError>([] { optim::Adam(one_param(), {.lr = -0.001}); },
                           "Invalid learning rate: -0.001");
  expect_error<ValueError>([] { optim::Adam(one_param(), {.eps = -1e-8}); },
                           "Invalid epsilon value: -1e-08");
  expect_error<ValueError>(
      [] {
        optim::Adam(one_param(), {.betas = {1.0, 0.999}});
      },
      "Invalid beta parameter at index 0: 1.0");
  expect_error<ValueError>(
      [] {
        optim::AdamW(one_param(), {.betas = {0.9, -0.1}});
      },
      "Invalid beta parameter at index 1: -0.1");
  expect_error<ValueError>([] { optim::AdamW(one_param(), {.weight_decay = -0.01}); },
                           "Invalid weight_decay value: -0.01");
}

TEST(OptimizerValidation, Parameters) {
  expect_error<ValueError>([] { optim::Adam({}); }, "optimizer got an empty parameter list");
  const Tensor leaf = zeros({2}).requires_grad_();
  expect_error<ValueError>([&] { optim::Adam({leaf * 2}); },
                           "can't optimize a non-leaf Tensor (parameter 0)");
  expect_error<TypeError>([] { optim::SGD({zeros({2}, int64)}, {.lr = 0.1}); },
                          "optimizer: parameter 0 must be a float32 or float64 tensor, got int64");
}

// --- behaviour ------------------------------------------------------------------------------

TEST(Optimizer, DefaultsAreTorchs) {
  const optim::Adam adam(one_param());
  EXPECT_EQ(adam.options().lr, 1e-3);
  EXPECT_EQ(adam.options().betas, std::make_pair(0.9, 0.999));
  EXPECT_EQ(adam.options().eps, 1e-8);
  EXPECT_EQ(adam.options().weight_decay, 0.0);
  EXPECT_FALSE(adam.options().amsgrad);
  EXPECT_EQ(optim::AdamW(one_param()).options().weight_decay, 1e-2);
  const optim::SGD sgd(one_param(), {.lr = 0.1});
  EXPECT_EQ(sgd.options().momentum, 0.0);
  EXPECT_FALSE(sgd.options().nesterov);
}

TEST(Optimizer, ZeroGradZeroesByDefaultAndDropsWithSetToNone) {
  const Tensor w = ones({3}).requires_grad_();
  optim::SGD sgd({w}, {.lr = 0.1});
  sum(w * w).backward();
  sgd.zero_grad();
  ASSERT_TRUE(w.grad().defined());
  EXPECT_TRUE(equal(w.grad(), zeros({3})));
  sum(w * w).backward();
  EXPECT_TRUE(equal(w.grad(), full({3}, 2.0f)));
  sgd.zero_grad(/*set_to_none=*/true);
  EXPECT_FALSE(w.grad().defined());
}

TEST(Optimizer, ZeroGradDetachesAGradientWithHistory) {
  const Tensor w = tensor({1.0, 2.0}).requires_grad_();
  autograd::backward({sum(w * w * w)}, {}, std::nullopt, /*create_graph=*/true);
  ASSERT_TRUE(w.grad().requires_grad());
  optim::Adam adam({w});
  adam.zero_grad();
  EXPECT_FALSE(w.grad().requires_grad());
  EXPECT_TRUE(equal(w.grad(), zeros({2})));
}

TEST(Optimizer, StepSkipsParametersWithoutGradient) {
  const Tensor a = ones({2}).requires_grad_(), b = ones({2}).requires_grad_();
  optim::Adam adam({a, b}, {.lr = 0.5});
  a.set_grad(ones({2}));
  adam.step();
  EXPECT_TRUE(equal(b, ones({2})));
  EXPECT_EQ(adam.state(0).step, 1);
  EXPECT_EQ(adam.state(1).step, 0);
  // First Adam step: m_hat / (sqrt(v_hat) + eps) = 1 / (1 + 1e-8).
  EXPECT_FLOAT_EQ(a.to_vector<float>()[0], 0.5f);
  EXPECT_TRUE(a.is_leaf());
  EXPECT_TRUE(a.requires_grad());
}

TEST(Optimizer, SGDMomentumBufferStartsAsTheFirstGradient) {
  const Tensor w = zeros({2}, float64).requires_grad_();
  optim::SGD sgd({w}, {.lr = 1.0, .momentum = 0.9, .dampening = 0.5});
  EXPECT_FALSE(sgd.momentum_buffer(0).defined());
  w.set_grad(tensor({1.0, -2.0}, float64));
  sgd.step();
  EXPECT_TRUE(equal(sgd.momentum_buffer(0), tensor({1.0, -2.0}, float64)));
  sgd.step();  // 0.9 * buf + 0.5 * grad
  EXPECT_TRUE(allclose(sgd.momentum_buffer(0), tensor({1.4, -2.8}, float64), 1e-15, 0));
  EXPECT_TRUE(allclose(w, tensor({-2.4, 4.8}, float64), 1e-15, 0));
}

TEST(Optimizer, StepCallsTheClosureWithGradientsRecorded) {
  const Tensor w = tensor({3.0}).requires_grad_();
  optim::SGD sgd({w}, {.lr = 0.25});
  NoGradGuard outside;  // the closure records anyway, as torch's enable_grad
  const Tensor loss = sgd.step([&] {
    sgd.zero_grad();
    Tensor l = sum(w * w);
    l.backward();
    return l;
  });
  EXPECT_EQ(loss.item<float>(), 9.0f);
  EXPECT_EQ(w.item<float>(), 1.5f);  // 3 - 0.25 * 6
}

TEST(Optimizer, UpdatesANonContiguousParameterInPlace) {
  const Tensor base = tensor({{1.0, 2.0}, {3.0, 4.0}});
  Tensor view = base.t();
  view.requires_grad_();
  optim::SGD sgd({view}, {.lr = 1.0});
  view.set_grad(ones({2, 2}));
  sgd.step();
  EXPECT_TRUE(equal(base, tensor({{0.0, 1.0}, {2.0, 3.0}})));
}

TEST(Optimizer, TrainsALinearRegression) {
  // y = 2 x - 1 from eight points; a weight and a bias trained with losses and autograd.
  manual_seed(3);
  const Tensor x = linspace(-1, 1, 8);
  const Tensor y = x * 2.0 - 1.0;
  for (int kind = 0; kind < 3; ++kind) {
    const Tensor w = zeros({1}).requires_grad_(), b = zeros({1}).requires_grad_();
    std::unique_ptr<optim::Optimizer> optimizer;
    if (kind == 0)
      optimizer = std::make_unique<optim::SGD>(std::vector<Tensor>{w, b},
                                               optim::SGDOptions{.lr = 0.2, .momentum = 0.5});
    if (kind == 1)
      optimizer =
          std::make_unique<optim::Adam>(std::vector<Tensor>{w, b}, optim::AdamOptions{.lr = 0.05});
    if (kind == 2)
      optimizer = std::make_unique<optim::AdamW>(
          std::vector<Tensor>{w, b}, optim::AdamWOptions{.lr = 0.05, .weight_decay = 0});
    const nn::MSELoss mse;
    for (int step = 0; step < 500; ++step) {
      optimizer->zero_grad();
      mse(x * w + b, y).backward();
      optimizer->step();
    }
    EXPECT_NEAR(w.item<float>(), 2.0f, 1e-3) << kind;
    EXPECT_NEAR(b.item<float>(), -1.0f, 1e-3) << kind;
  }
}

}  // namespace
}  // namespace activ
