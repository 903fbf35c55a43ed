// nn::Module, the layers and nn::init: torch's reprs, parameter registry, state_dict, modes,
// initialization bounds, and gradients of Linear through autograd.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "activ/autograd.h"
#include "activ/nn/activation.h"
#include "activ/nn/init.h"
#include "activ/nn/layers.h"
#include "activ/nn/loss.h"
#include "activ/optim.h"
#include "support/gradcheck.h"

namespace activ {
namespace {

using nn::Linear;
using nn::Sequential;

std::shared_ptr<Sequential> seed_mlp() {
  return std::make_shared<Sequential>(std::make_shared<Linear>(1000, 100),
                                      std::make_shared<nn::ReLU>(),
                                      std::make_shared<Linear>(100, 10));
}

TEST(Module, SequentialPrintsAsTorch) {
  EXPECT_EQ(seed_mlp()->repr(),
            "Sequential(\n"
            "  (0): Linear(in_features=1000, out_features=100, bias=True)\n"
            "  (1): ReLU()\n"
            "  (2): Linear(in_features=100, out_features=10, bias=True)\n"
            ")");
  Sequential outer(std::make_shared<Sequential>(std::make_shared<nn::Tanh>()),
                   std::make_shared<nn::Dropout>(), std::make_shared<nn::Flatten>(),
                   std::make_shared<nn::Identity>());
  EXPECT_EQ(outer.repr(),
            "Sequential(\n"
            "  (0): Sequential(\n"
            "    (0): Tanh()\n"
            "  )\n"
            "  (1): Dropout(p=0.5, inplace=False)\n"
            "  (2): Flatten(start_dim=1, end_dim=-1)\n"
            "  (3): Identity()\n"
            ")");
  EXPECT_EQ(Linear(3, 4, {.bias = false}).repr(),
            "Linear(in_features=3, out_features=4, bias=False)");
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
  auto f = [](const std::vector<Tensor>& in) {
    return nn::functional::linear(in[0], in[1], in[2]);
  };
  auto vjp = [](const std::vector<Tensor>& in, const Tensor& grad) {
    std::vector<Tensor> leaves;
    for (const auto& t : in) leaves.push_back(t.detach().requires_grad_());
    return autograd::grad({nn::functional::linear(leaves[0], leaves[1], leaves[2])}, leaves,
                          {grad});
  };
  EXPECT_TRUE(testing::check_vjp(f, vjp, {x, layer.weight().detach(), layer.bias().detach()}, g));
}

// functional::linear's inputs of every shape torch's linear takes: 1-D, 2-D, 3-D contiguous (torch
// folds the bias into addmm), 3-D non-contiguous and 4-D (torch adds the bias afterwards).
std::vector<Tensor> linear_test_inputs() {
  return {randn({5}, float64), randn({4, 5}, float64), randn({2, 3, 5}, float64),
          randn({3, 5, 2}, float64).transpose(1, 2), randn({2, 1, 3, 5}, float64)};
}

// The linear layer as the composite ops compute it: the reference for the fused node.
Tensor composite_linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  const Tensor product = matmul(input, weight.t());
  return bias.defined() ? product + bias : product;
}

TEST(Module, FusedLinearGradientsMatchFiniteDifferences) {
  manual_seed(11);
  const Tensor weight = randn({3, 5}, float64), bias = randn({3}, float64);
  for (const Tensor& x : linear_test_inputs()) {
    for (const bool with_bias : {true, false}) {
      SCOPED_TRACE(shape_str(x.sizes()) + (with_bias ? " with bias" : " without bias"));
      const std::vector<Tensor> inputs =
          with_bias ? std::vector<Tensor>{x, weight, bias} : std::vector<Tensor>{x, weight};
      auto f = [](const std::vector<Tensor>& in) {
        return nn::functional::linear(in[0], in[1], in.size() > 2 ? in[2] : Tensor());
      };
      auto vjp = [&](const std::vector<Tensor>& in, const Tensor& grad) {
        std::vector<Tensor> leaves;
        for (const auto& t : in) leaves.push_back(t.detach().requires_grad_());
        return autograd::grad({f(leaves)}, leaves, {grad});
      };
      const Tensor output = f(inputs);
      EXPECT_TRUE(allclose(output, composite_linear(x, weight, with_bias ? bias : Tensor())));
      EXPECT_TRUE(testing::check_vjp(f, vjp, inputs, randn_like(output)));
    }
  }
}

// Each combination of inputs requiring grad gets exactly the composite ops' gradients, and the
// inputs that do not require grad get none.
TEST(Module, FusedLinearGradientsForEachRequiresGradCombination) {
  manual_seed(12);
  for (const Tensor& x : linear_test_inputs()) {
    for (int mask = 1; mask < 8; ++mask) {
      SCOPED_TRACE(shape_str(x.sizes()) + " mask " + std::to_string(mask));
      const std::vector<Tensor> values = {x, randn({3, 5}, float64), randn({3}, float64)};
      std::vector<Tensor> fused, reference;
      for (std::size_t i = 0; i < values.size(); ++i) {
        const bool needs_grad = (mask >> i) & 1;
        fused.push_back(values[i].detach().clone().requires_grad_(needs_grad));
        reference.push_back(values[i].detach().clone().requires_grad_(needs_grad));
      }
      const Tensor g = randn_like(composite_linear(x, values[1], values[2]));
      nn::functional::linear(fused[0], fused[1], fused[2]).backward(g);
      composite_linear(reference[0], reference[1], reference[2]).backward(g);
      for (std::size_t i = 0; i < values.size(); ++i) {
        ASSERT_EQ(fused[i].grad().defined(), reference[i].grad().defined()) << "input " << i;
        if (fused[i].grad().defined()) {
          EXPECT_TRUE(allclose(fused[i].grad(), reference[i].grad())) << "input " << i;
        }
      }
    }
  }
}

// No rows, or no input features (the output is then the bias): the shapes and gradients of
// torch's linear.
TEST(Module, FusedLinearEmptyShapes) {
  const Tensor bias = randn({3}, float64).requires_grad_();
  const Tensor no_rows = randn({0, 5}, float64).requires_grad_();
  const Tensor weight = randn({3, 5}, float64).requires_grad_();
  const Tensor empty_out = nn::functional::linear(no_rows, weight, bias);
  EXPECT_EQ(empty_out.sizes(), (Shape{0, 3}));
  empty_out.sum().backward();
  EXPECT_TRUE(equal(weight.grad(), zeros({3, 5}, float64)));
  EXPECT_TRUE(equal(bias.grad(), zeros({3}, float64)));

  const Tensor no_features = randn({4, 0}, float64).requires_grad_();
  const Tensor flat_weight = randn({3, 0}, float64).requires_grad_();
  const Tensor out = nn::functional::linear(no_features, flat_weight, bias);
  EXPECT_TRUE(equal(out, bias.detach().expand({4, 3})));
  EXPECT_TRUE(equal(nn::functional::linear(no_features, flat_weight), zeros({4, 3}, float64)));
  out.sum().backward();
  EXPECT_EQ(no_features.grad().sizes(), (Shape{4, 0}));
  EXPECT_EQ(flat_weight.grad().sizes(), (Shape{3, 0}));
  EXPECT_TRUE(equal(bias.grad(), full({3}, 4.0, float64)));
}

// torch 1.13's grad_fn names for F.linear: addmm for 2-D input with bias (also a bias that only
// broadcasts), a view of it for contiguous 3-D input, an add after the product otherwise.
TEST(Module, FusedLinearGradFnNamesAreTorchs) {
  const Tensor weight = randn({3, 5}).requires_grad_(), bias = randn({3}).requires_grad_();
  auto name_of = [&](const Tensor& x, const Tensor& b) {
    return nn::functional::linear(x, weight, b).grad_fn()->name();
  };
  EXPECT_EQ(name_of(randn({4, 5}), bias), "AddmmBackward0");
  EXPECT_EQ(name_of(randn({4, 5}), randn({4, 3}).requires_grad_()), "AddmmBackward0");
  EXPECT_EQ(name_of(randn({4, 5}), Tensor()), "MmBackward0");
  EXPECT_EQ(name_of(randn({5}), bias), "AddBackward0");
  const Tensor folded = nn::functional::linear(randn({2, 4, 5}), weight, bias);
  EXPECT_EQ(folded.grad_fn()->name(), "ViewBackward0");
  EXPECT_EQ(folded.grad_fn()->next[0]->name(), "AddmmBackward0");
  EXPECT_EQ(name_of(randn({2, 5, 4}).transpose(1, 2), bias), "AddBackward0");
  EXPECT_EQ(name_of(randn({2, 2, 4, 5}), bias), "AddBackward0");
  // torch: UnsafeViewBackward0 (its _unsafe_view); activ's view of the same product.
  EXPECT_EQ(name_of(randn({2, 4, 5}), Tensor()), "ViewBackward0");
}

// The weight's and bias's gradients are added straight into their existing .grad: the same
// tensor, holding the sum, its version bumped, as Tensor::add_ leaves it.
TEST(Module, FusedLinearAccumulatesIntoTheExistingGrad) {
  manual_seed(13);
  Linear layer(5, 3, {.dtype = float64});
  const Tensor x = randn({4, 5}, float64), g = randn({4, 3}, float64);
  layer(x).backward(g);
  const Tensor weight_grad = layer.weight().grad(), bias_grad = layer.bias().grad();
  const Tensor first_weight_grad = weight_grad.clone(), first_bias_grad = bias_grad.clone();
  EXPECT_TRUE(allclose(first_weight_grad, matmul(g.t(), x)));
  EXPECT_TRUE(allclose(first_bias_grad, g.sum({0})));
  const std::uint64_t version = weight_grad.storage()->version();
  layer(x).backward(g);
  EXPECT_TRUE(layer.weight().grad().is_alias_of(weight_grad));
  EXPECT_TRUE(layer.bias().grad().is_alias_of(bias_grad));
  EXPECT_GT(weight_grad.storage()->version(), version);
  EXPECT_TRUE(allclose(weight_grad, first_weight_grad * 2.0));
  EXPECT_TRUE(allclose(bias_grad, first_bias_grad * 2.0));

  // autograd::grad returns the gradients and leaves .grad alone.
  const auto grads = autograd::grad({layer(x)}, {layer.weight(), layer.bias()}, {g});
  EXPECT_TRUE(allclose(grads[0], first_weight_grad));
  EXPECT_TRUE(allclose(grads[1], first_bias_grad));
  EXPECT_TRUE(allclose(weight_grad, first_weight_grad * 2.0));

  // A weight used twice in one graph gets both gradients, once each.
  layer.zero_grad(false);
  (layer(x) + layer(x * 2.0)).backward(g);
  EXPECT_TRUE(allclose(layer.weight().grad(), first_weight_grad * 3.0));
  EXPECT_TRUE(allclose(layer.bias().grad(), first_bias_grad * 2.0));

  // A .grad sharing its elements with the input is not written while the input is still read.
  Tensor shared = randn({3, 5}, float64);
  const Tensor weight = randn({3, 5}, float64).requires_grad_();
  weight.set_grad(shared);
  const Tensor input = shared.detach().view({3, 5});
  const Tensor expected = shared + matmul(g.narrow(0, 0, 3).t(), input);
  nn::functional::linear(input, weight).backward(g.narrow(0, 0, 3));
  EXPECT_TRUE(allclose(weight.grad(), expected));
}

// With create_graph the gradient has a graph of its own, and differentiating it again matches
// the composite ops.
TEST(Module, FusedLinearDoubleBackward) {
  manual_seed(14);
  const Tensor x = randn({4, 5}, float64).requires_grad_(),
               weight = randn({3, 5}, float64).requires_grad_();
  const Tensor bias = randn({3}, float64).requires_grad_();
  auto second = [&](auto linear_fn) {
    const Tensor y = linear_fn(x, weight, bias);
    const auto first =
        autograd::grad({(y * y).sum()}, {weight, bias}, {}, {}, /*create_graph=*/true);
    return autograd::grad({(first[0] * first[0]).sum() + first[1].sum()}, {x, weight});
  };
  const auto fused = second([](const Tensor& a, const Tensor& w, const Tensor& b) {
    return nn::functional::linear(a, w, b);
  });
  const auto reference = second(composite_linear);
  EXPECT_TRUE(allclose(fused[0], reference[0]));
  EXPECT_TRUE(allclose(fused[1], reference[1]));
}

TEST(Module, FusedLinearRejectsAnInputModifiedInPlace) {
  Tensor x = randn({4, 5}, float64);
  const Tensor weight = randn({3, 5}, float64).requires_grad_();
  const Tensor y = nn::functional::linear(x, weight, randn({3}, float64));
  x.add_(1.0);
  EXPECT_THROW(y.sum().backward(), Error);
}

// mse_loss's one-pass forward and backward (same-shape contiguous operands) give the composite
// ops' values, which a non-contiguous input still takes.
TEST(Module, FusedMseLossMatchesItsComposite) {
  manual_seed(15);
  for (const std::string reduction : {"sum", "mean", "none"}) {
    const Tensor input = randn({6, 4}), target = randn({6, 4});
    const Tensor strided = randn({4, 6}).t();
    strided.detach().copy_(input);
    const Tensor a = input.clone().requires_grad_(), b = strided.detach().requires_grad_();
    const Tensor t1 = target.clone().requires_grad_(), t2 = target.clone().requires_grad_();
    const Tensor fused = nn::functional::mse_loss(a, t1, {.reduction = reduction});
    const Tensor composite = nn::functional::mse_loss(b, t2, {.reduction = reduction});
    EXPECT_TRUE(allclose(fused, composite, 1e-6)) << reduction;
    const Tensor g = randn_like(fused);
    fused.backward(g);
    composite.backward(g);
    EXPECT_TRUE(equal(a.grad(), b.grad())) << reduction;
    EXPECT_TRUE(equal(t1.grad(), t2.grad())) << reduction;
  }
  const Tensor x = randn({3, 4}, float64), t = randn({3, 4}, float64);
  auto f = [](const std::vector<Tensor>& in) {
    return nn::functional::mse_loss(in[0], in[1], {.reduction = "mean"});
  };
  auto vjp = [&](const std::vector<Tensor>& in, const Tensor& grad) {
    std::vector<Tensor> leaves;
    for (const auto& v : in) leaves.push_back(v.detach().requires_grad_());
    return autograd::grad({f(leaves)}, leaves, {grad});
  };
  EXPECT_TRUE(testing::check_vjp(f, vjp, {x, t}, full({}, 0.7, float64)));
}

// zero_grad(set_to_none = false) keeps each .grad tensor and zeroes it in place, bumping its
// version as zero_() does, for contiguous and strided gradients alike.
TEST(Module, OptimizerZeroGradZeroesTheSameGradInPlace) {
  const Tensor weight = randn({3, 4}).requires_grad_(), bias = randn({4}).requires_grad_();
  const Tensor strided = randn({4, 3}).t();
  weight.set_grad(strided);
  // Contiguous, in the middle of its storage: only its own elements are zeroed.
  const Tensor storage = randn({8});
  const Tensor before = storage.clone();
  const Tensor contiguous = storage.narrow(0, 2, 4);
  bias.set_grad(contiguous);
  const std::uint64_t strided_version = strided.storage()->version();
  const std::uint64_t contiguous_version = contiguous.storage()->version();
  optim::SGD optimizer({weight, bias}, {.lr = 0.1});
  optimizer.zero_grad();
  EXPECT_TRUE(weight.grad().is_same(strided));
  EXPECT_TRUE(bias.grad().is_same(contiguous));
  EXPECT_TRUE(equal(strided, zeros({3, 4})));
  EXPECT_TRUE(equal(contiguous, zeros({4})));
  EXPECT_TRUE(equal(storage.narrow(0, 0, 2), before.narrow(0, 0, 2)));
  EXPECT_TRUE(equal(storage.narrow(0, 6, 2), before.narrow(0, 6, 2)));
  EXPECT_GT(strided.storage()->version(), strided_version);
  EXPECT_GT(contiguous.storage()->version(), contiguous_version);
}

TEST(Module, TrainEvalReachEveryDescendant) {
  Sequential model(std::make_shared<Sequential>(std::make_shared<nn::Dropout>()),
                   std::make_shared<nn::ReLU>());
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
    EXPECT_NE(std::string(e.what()).find("Missing key(s) in state_dict: \"2.bias\""),
              std::string::npos)
        << e.what();
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
    EXPECT_NE(std::string(e.what()).find("size mismatch for 0.bias"), std::string::npos)
        << e.what();
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
