// nn::Module, the layers and nn::init: torch's reprs, parameter registry, state_dict, modes,
// initialization bounds, and gradients of Linear through autograd.
#include <gtest/gtest.h>

#include <cmath>

#include "activ/autograd.h"
#include "activ/nn/activation.h"
#include "activ/nn/init.h"
#include "activ/nn/layers.h"
#include "support/gradcheck.h"

namespace activ {
namespace {

using nn::Linear;
using nn::Sequential;

std::shared_ptr<Sequential> seed_mlp() {
  return std::make_shared<Sequential>(std::make_shared<Linear>(1000, 100), std::make_shared<nn::ReLU>(),
                                      std::make_shared<Linear>(100, 10));
}

TEST(Module, SequentialPrintsAsTorch) {
  EXPECT_EQ(seed_mlp()->repr(),
            "Sequential(\n"
            "  (0): Linear(in_features=1000, out_features=100, bias=True)\n"
            "  (1): ReLU()\n"
            "  (2): Linear(in_features=100, out_features=10, bias=True)\n"
            ")");
  Sequential outer(std::make_shared<Sequential>(std::make_shared<nn::Tanh>()), std::make_shared<nn::Dropout>(),
                   std::make_shared<nn::Flatten>(), std::make_shared<nn::Identity>());
  EXPECT_EQ(outer.repr(),
            "Sequential(\n"
            "  (0): Sequential(\n"
            "    (0): Tanh()\n"
            "  )\n"
            "  (1): Dropout(p=0.5, inplace=False)\n"
            "  (2): Flatten(start_dim=1, end_dim=-1)\n"
            "  (3): Identity()\n"
            ")");
  EXPECT_EQ(Linear(3, 4, {.bias = false}).repr(), "Linear(in_features=3, out_features=4, bias=False)");
}

TEST(Module, NamedParametersUseTorchKeys) {
  auto model = seed_mlp();
  const nn::StateDict named = model->named_parameters();
  ASSERT_EQ(named.size(), 4u);
  EXPECT_EQ(named[0].first, "0.weight");
  EXPECT_EQ(named[1].first, "0.bias");
  EXPECT_EQ(named[2].first, "2.weight");
  EXPECT_EQ(named[3].first, "2.bias");
  EXPECT_EQ(named[0].second.sizes(), (Shape{100, 1000}));
  EXPECT_EQ(named[3].second.sizes(), (Shape{10}));
  for (const auto& p : model->parameters()) EXPECT_TRUE(p.requires_grad());
  EXPECT_TRUE(model->parameters(false).empty());
  EXPECT_EQ(model->children().size(), 3u);
}

TEST(Module, LinearInitializationBoundsAreTorchs) {
  manual_seed(3);
  Linear layer(400, 50);
  const double bound = 1.0 / std::sqrt(400.0);
  for (const Tensor& t : {layer.weight(), layer.bias()}) {
    EXPECT_LE(t.abs().max().item<double>(), bound);
    EXPECT_GT(t.abs().max().item<double>(), 0.9 * bound);  // spread over the whole interval
  }
}

TEST(Module, LinearMatchesMatmulAndHasGradients) {
  manual_seed(4);
  Linear layer(5, 3, {.dtype = float64});
  const Tensor x = randn({4, 5}, float64);
  EXPECT_TRUE(allclose(layer(x), matmul(x, layer.weight().t()) + layer.bias()));
  EXPECT_EQ(layer(randn({2, 7, 5}, float64)).sizes(), (Shape{2, 7, 3}));
  EXPECT_THROW(layer(randn({4, 6}, float64)), ShapeError);

  const Tensor g = randn({4, 3}, float64);
  auto f = [](const std::vector<Tensor>& in) { return nn::functional::linear(in[0], in[1], in[2]); };
  auto vjp = [](const std::vector<Tensor>& in, const Tensor& grad) {
    std::vector<Tensor> leaves;
    for (const auto& t : in) leaves.push_back(t.detach().requires_grad_());
    return autograd::grad({nn::functional::linear(leaves[0], leaves[1], leaves[2])}, leaves, {grad});
  };
  EXPECT_TRUE(testing::check_vjp(f, vjp, {x, layer.weight().detach(), layer.bias().detach()}, g));
}

TEST(Module, TrainEvalReachEveryDescendant) {
  Sequential model(std::make_shared<Sequential>(std::make_shared<nn::Dropout>()), std::make_shared<nn::ReLU>());
  model.eval();
  EXPECT_FALSE(model.is_training());
  EXPECT_FALSE(model[0]->is_training());
  EXPECT_FALSE(std::dynamic_pointer_cast<Sequential>(model[0])->operator[](0)->is_training());
  model.train();
  EXPECT_TRUE(model[-1]->is_training());
  EXPECT_THROW(model[2], IndexError);
  EXPECT_THROW(model[-3], IndexError);
}

TEST(Module, DropoutScalesKeptElementsAndIsIdentityInEval) {
  manual_seed(5);
  nn::Dropout dropout({.p = 0.25});
  const Tensor x = ones({100000}, float64);
  const Tensor y = dropout(x);
  const double kept = (y != 0).to(float64).mean().item<double>();
  EXPECT_NEAR(kept, 0.75, 0.01);
  EXPECT_TRUE(allclose(y.max(), full({}, 1.0 / 0.75, float64)));
  dropout.eval();
  EXPECT_TRUE(equal(dropout(x), x));
  EXPECT_THROW(nn::Dropout({.p = 1.5}), ValueError);
}

TEST(Module, StateDictRoundTripAndErrors) {
  auto source = seed_mlp();
  auto target = seed_mlp();
  target->load_state_dict(source->state_dict());
  const nn::StateDict a = source->state_dict(), b = target->state_dict();
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(equal(a[i].second, b[i].second)) << a[i].first;
    EXPECT_FALSE(a[i].second.is_alias_of(b[i].second));
  }
  nn::StateDict missing(a.begin(), a.end() - 1);
  try {
    target->load_state_dict(missing);
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("Missing key(s) in state_dict: \"2.bias\""), std::string::npos) << e.what();
  }
  target->load_state_dict(missing, false);  // not strict: loads what matches
  nn::StateDict extra = a;
  extra.emplace_back("3.weight", zeros({1}));
  EXPECT_THROW(target->load_state_dict(extra), ValueError);
  nn::StateDict wrong_shape = a;
  wrong_shape[1].second = zeros({99});
  try {
    target->load_state_dict(wrong_shape);
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("size mismatch for 0.bias"), std::string::npos) << e.what();
  }
}

TEST(Module, ToDtypeConvertsInPlaceAndZeroGradClears) {
  Linear layer(3, 2);
  const Tensor weight = layer.weight();  // a handle held outside the module
  layer.to(float64);
  EXPECT_EQ(weight.dtype(), float64);
  EXPECT_TRUE(weight.requires_grad());
  layer(ones({1, 3}, float64)).sum().backward();
  EXPECT_TRUE(weight.grad().defined());
  layer.zero_grad(false);
  EXPECT_TRUE(equal(weight.grad(), zeros({2, 3}, float64)));
  layer.zero_grad();
  EXPECT_FALSE(weight.grad().defined());
}

TEST(Init, GainsAndFansAreTorchs) {
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain("linear"), 1.0);
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain("sigmoid"), 1.0);
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain("tanh"), 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain("relu"), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain("leaky_relu"), std::sqrt(2.0 / (1.0 + 0.01 * 0.01)));
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain("leaky_relu", 0.2), std::sqrt(2.0 / 1.04));
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain("selu"), 0.75);
  EXPECT_THROW(nn::init::calculate_gain("swishy"), ValueError);
  const auto fans = nn::init::calculate_fan_in_and_fan_out(empty({8, 4, 3, 3}));
  EXPECT_EQ(fans.fan_in, 36);
  EXPECT_EQ(fans.fan_out, 72);
  EXPECT_THROW(nn::init::calculate_fan_in_and_fan_out(empty({5})), ValueError);
}

TEST(Init, InitializersRespectTheirBounds) {
  manual_seed(7);
  Tensor w = empty({200, 300}, float64);
  nn::init::xavier_uniform_(w);
  const double xavier = std::sqrt(6.0 / 500.0);
  EXPECT_LE(w.abs().max().item<double>(), xavier);
  EXPECT_GT(w.abs().max().item<double>(), 0.95 * xavier);
  nn::init::kaiming_normal_(w, 0.0, "fan_in", "relu");
  EXPECT_NEAR(std::sqrt((w * w).mean().item<double>()), std::sqrt(2.0 / 300.0), 0.002);
  nn::init::constant_(w, 0.5);
  EXPECT_TRUE(equal(w, full({200, 300}, 0.5, float64)));
  EXPECT_THROW(nn::init::kaiming_uniform_(w, 0.0, "fan_sideways"), ValueError);
  Tensor leaf = zeros({2, 2}).requires_grad_();
  nn::init::ones_(leaf);  // initializers do not record, so leaves may be initialized
  EXPECT_TRUE(equal(leaf.detach(), ones({2, 2})));
}

}  // namespace
}  // namespace activ
