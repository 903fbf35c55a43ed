// Semantics of the autograd engine, as torch's: accumulation, freed graphs, in-place checks,
// no_grad, detach, retain_grad, autograd::grad, printing, and finite-difference checks of first
// and second derivatives.
#include "activ/autograd.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "activ/activation_table.h"
#include "activ/error.h"
#include "activ/nn/catalogue.h"
#include "activ/nn/functional.h"
#include "activ/tensor.h"
#include "support/gradcheck.h"

namespace activ {
namespace {

namespace F = nn::functional;

// Runs fn and passes when it throws an activ::Error whose message contains `expected`.
template <class Fn>
::testing::AssertionResult throws_with(Fn&& fn, const std::string& expected) {
  try {
    fn();
  } catch (const Error& e) {
    if (std::string(e.what()).find(expected) != std::string::npos)
      return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "message \"" << e.what() << "\" lacks \"" << expected << "\"";
  }
  return ::testing::AssertionFailure() << "no error; expected \"" << expected << "\"";
}

Tensor leaf(const NestedList& values, Dtype dtype = float32) {
  Tensor t = tensor(values, dtype);
  t.requires_grad_();
  return t;
}

std::vector<double> values(const Tensor& t) {
  return t.to_vector<double>();
}

// --- accumulation and graph lifetime --------------------------------------------------------

TEST(Autograd, GradientsAccumulateAcrossBackwardCalls) {
  Tensor x = leaf({1.0, 2.0});
  (x * x).sum().backward();
  EXPECT_EQ(values(x.grad()), (std::vector<double>{2, 4}));
  (x * 3).sum().backward();
  EXPECT_EQ(values(x.grad()), (std::vector<double>{5, 7}));
}

TEST(Autograd, SetGradUndefinedZeroesTheGradient) {
  Tensor x = leaf({1.0, 2.0});
  (x * x).sum().backward();
  x.set_grad({});
  EXPECT_FALSE(x.grad().defined());
  (x * x).sum().backward();
  EXPECT_EQ(values(x.grad()), (std::vector<double>{2, 4}));
}

TEST(Autograd, SecondBackwardThroughAFreedGraphRaises) {
  Tensor a = leaf({1.0, 2.0}), b = leaf({3.0, 4.0});
  const Tensor loss = (a * b).sum();
  loss.backward();
  EXPECT_TRUE(
      throws_with([&] { loss.backward(); }, "Trying to backward through the graph a second time"));
}

TEST(Autograd, ASecondBackwardThroughNodesThatSavedNothingWorksAsInTorch) {
  Tensor a = leaf({1.0, 2.0}), b = leaf({3.0, 4.0});
  const Tensor loss = (a - b).mean();  // sub and mean save no tensors
  loss.backward();
  loss.backward();
  EXPECT_EQ(values(a.grad()), (std::vector<double>{1, 1}));
  EXPECT_EQ(values(b.grad()), (std::vector<double>{-1, -1}));
}

TEST(Autograd, RetainGraphAllowsASecondBackward) {
  Tensor a = leaf({1.0, 2.0}), b = leaf({3.0, 4.0});
  const Tensor loss = (a * b).sum();
  loss.backward({}, /*retain_graph=*/true);
  loss.backward();
  EXPECT_EQ(values(a.grad()), (std::vector<double>{6, 8}));
  EXPECT_EQ(values(b.grad()), (std::vector<double>{2, 4}));
}

// --- in-place operations --------------------------------------------------------------------

TEST(Autograd, ModifyingASavedTensorInPlaceRaisesAtBackward) {
  Tensor a = leaf({1.0, 2.0});
  Tensor b = tensor({3.0, 4.0});  // saved by mul for a's gradient
  const Tensor z = a * b;
  b.add_(1);
  EXPECT_TRUE(throws_with([&] { z.sum().backward(); },
                          "one of the variables needed for gradient computation has been "
                          "modified by an inplace operation"));
}

TEST(Autograd, InPlaceOnALeafThatRequiresGradRaises) {
  Tensor a = leaf({1.0, 2.0});
  const std::string message =
      "a leaf Variable that requires grad is being used in an in-place operation.";
  EXPECT_TRUE(throws_with([&] { a.add_(1); }, message));
  EXPECT_TRUE(throws_with([&] { a.mul_(tensor({2.0, 2.0})); }, message));
  EXPECT_TRUE(throws_with([&] { F::relu_(a); }, message));
  EXPECT_TRUE(throws_with([&] { a.copy_(tensor({0.0, 0.0})); }, message));
  EXPECT_EQ(values(a), (std::vector<double>{1, 2}));
  NoGradGuard no_grad;  // torch allows it under no_grad (how optimizers update weights)
  a.add_(1);
  EXPECT_EQ(values(a), (std::vector<double>{2, 3}));
}

TEST(Autograd, InPlaceOnANonLeafRebasesItsHistory) {
  Tensor a = leaf({1.0, -2.0, 3.0}), b = leaf({0.5, 0.5, 0.5});
  Tensor y = a * 2;
  y.mul_(a);  // y = 2 a^2
  EXPECT_EQ(y.grad_fn()->name(), "MulBackward0");
  y.add_(b, 3);  // y = 2 a^2 + 3 b
  EXPECT_EQ(y.grad_fn()->name(), "AddBackward0");
  F::relu_(y);
  EXPECT_EQ(y.grad_fn()->name(), "ReluBackward0");
  y.sum().backward();
  EXPECT_EQ(values(a.grad()), (std::vector<double>{4, -8, 12}));
  EXPECT_EQ(values(b.grad()), (std::vector<double>{3, 3, 3}));
}

TEST(Autograd, InPlaceByANumberKeepsBackwardValid) {
  Tensor a = leaf({1.0, 2.0});
  Tensor y = a * a;
  y.mul_(3);        // mul saved a, not y, so y may change
  y.clamp_(0, 12);  // 12 sits on the bound, which passes the gradient
  y.sum().backward();
  EXPECT_EQ(values(y), (std::vector<double>{3, 12}));
  EXPECT_EQ(values(a.grad()), (std::vector<double>{6, 12}));
}

TEST(Autograd, FillAndCopyEndTheOldHistory) {
  Tensor a = leaf({1.0, 2.0, 3.0});
  Tensor y = a * 2;
  y.narrow(0, 0, 1).fill_(5);  // y = [5, 4, 6]
  EXPECT_EQ(y.grad_fn()->name(), "CopySlices");
  (y * y).sum().backward();
  EXPECT_EQ(values(a.grad()), (std::vector<double>{0, 16, 24}));

  Tensor z = a * 2;
  z.zero_();
  EXPECT_EQ(z.grad_fn()->name(), "ZeroBackward0");
  Tensor w = a * 2;
  w.fill_(1);
  EXPECT_EQ(w.grad_fn()->name(), "FillBackward2");
  Tensor c = a * 2;
  c.copy_(tensor({1.0, 1.0, 1.0}));
  EXPECT_EQ(c.grad_fn()->name(), "CopyBackwards");
  a.set_grad({});
  (z + w + c).sum().backward();  // as in torch, the overwritten history gets a zero gradient
  EXPECT_EQ(values(a.grad()), (std::vector<double>{0, 0, 0}));
}

// --- in-place writes into views ---------------------------------------------------------------

TEST(Autograd, InPlaceIntoAViewRewritesItsBasesHistory) {
  Tensor a = leaf({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  Tensor b = a * 1;
  Tensor row = b[0];
  EXPECT_TRUE(row.is_view());
  EXPECT_TRUE(row.base().is_same(b));
  row.mul_(2);  // b = [[2, 4, 6], [4, 5, 6]]
  EXPECT_EQ(b.grad_fn()->name(), "CopySlices");
  EXPECT_EQ(row.grad_fn()->name(), "AsStridedBackward0");
  (b * b).sum().backward();  // d/da of sum(b^2): 8 a on row 0, 2 a on row 1
  EXPECT_EQ(values(a.grad()), (std::vector<double>{8, 16, 24, 8, 10, 12}));
}

TEST(Autograd, ViewsTakenBeforeAnInPlaceWriteSeeIt) {
  Tensor a = leaf({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  Tensor b = a * 1;
  const Tensor column = b.transpose(0, 1)[1];  // b[:, 1]
  const Tensor repeated = b[0].expand({2, 3});
  b.mul_(3);
  EXPECT_EQ(column.grad_fn()->name(), "AsStridedBackward0");
  (column.sum() + repeated.sum()).backward();  // repeated counts b[0] twice
  EXPECT_EQ(values(a.grad()), (std::vector<double>{6, 9, 6, 0, 3, 0}));
}

TEST(Autograd, WritingValuesThatRequireGradIntoAPlainTensorMakesItRequireGrad) {
  Tensor x = leaf({2.0, 3.0});
  Tensor c = zeros({3});
  c.slice(0, 1).copy_(x);
  EXPECT_TRUE(c.requires_grad());
  EXPECT_EQ(c.grad_fn()->name(), "CopySlices");
  EXPECT_EQ(values(c), (std::vector<double>{0, 2, 3}));
  (c * c).sum().backward();
  EXPECT_EQ(values(x.grad()), (std::vector<double>{4, 6}));
}

TEST(Autograd, InPlaceIntoAViewOfALeafThatRequiresGradRaises) {
  Tensor a = leaf({1.0, 2.0});
  const std::string message =
      "a view of a leaf Variable that requires grad is being used in an in-place operation.";
  EXPECT_TRUE(throws_with([&] { a[0].mul_(2); }, message));
  EXPECT_TRUE(throws_with([&] { F::relu_(a.narrow(0, 0, 1)); }, message));
  EXPECT_EQ(values(a), (std::vector<double>{1, 2}));
}

// x -> y = x * x; tanh_ on a column of y; y[1] *= w; y's second column += x's first; returns y.
Tensor write_into_views(const std::vector<Tensor>& inputs) {
  const Tensor& x = inputs[0];
  const Tensor& w = inputs[1];
  Tensor y = x * x;
  F::tanh_(y.select(1, 0));
  y[1].mul_(w);
  y.transpose(0, 1)[1].add_(x.select(1, 0));
  return y;
}

// The vector-Jacobian product of f by autograd, with or without the graph of the gradient.
// Inputs that do not require grad (finite differences) become leaves.
std::vector<Tensor> autograd_vjp(const testing::Function& f, const std::vector<Tensor>& inputs,
                                 const Tensor& g, bool create_graph = false) {
  std::vector<Tensor> leaves;
  for (const Tensor& input : inputs)
    leaves.push_back(input.requires_grad() ? input : input.detach().requires_grad_());
  return autograd::grad({f(leaves)}, leaves, {g}, {}, create_graph, true);
}

TEST(Autograd, GradientsThroughInPlaceWritesIntoViewsMatchFiniteDifferences) {
  const Tensor x = tensor({{0.3, -1.2, 0.7}, {1.5, 0.2, -0.4}, {-0.9, 2.0, 0.1}}, float64);
  const Tensor w = tensor({0.5, -2.0, 1.25}, float64);
  const Tensor g = tensor({{1.0, -0.5, 2.0}, {0.25, 1.5, -1.0}, {0.75, -2.0, 0.5}}, float64);
  EXPECT_TRUE(testing::check_vjp(
      write_into_views,
      [](const std::vector<Tensor>& inputs, const Tensor& grad_output) {
        return autograd_vjp(write_into_views, inputs, grad_output);
      },
      {x, w}, g));
}

TEST(Autograd, DoubleBackwardThroughInPlaceWritesIntoViewsMatchesFiniteDifferences) {
  const Tensor g = tensor({{1.0, -0.5, 2.0}, {0.25, 1.5, -1.0}, {0.75, -2.0, 0.5}}, float64);
  // The gradient with respect to x, as a function of x and w, differentiated again.
  const testing::Function gradient_of_x = [g](const std::vector<Tensor>& inputs) {
    return autograd_vjp(write_into_views, inputs, g, /*create_graph=*/true)[0];
  };
  const Tensor x = tensor({{0.3, -1.2, 0.7}, {1.5, 0.2, -0.4}, {-0.9, 2.0, 0.1}}, float64);
  const Tensor w = tensor({0.5, -2.0, 1.25}, float64);
  const Tensor gg = tensor({{0.5, 1.0, -1.0}, {2.0, -0.25, 0.5}, {1.0, 0.5, -1.5}}, float64);
  EXPECT_TRUE(testing::check_vjp(
      gradient_of_x,
      [&](const std::vector<Tensor>& inputs, const Tensor& grad_output) {
        return autograd_vjp(gradient_of_x, inputs, grad_output);
      },
      {x, w}, gg));
}

// --- recording switches -----------------------------------------------------------------------

TEST(Autograd, NoGradGuardStopsRecording) {
  Tensor x = leaf({1.0, 2.0});
  {
    NoGradGuard no_grad;
    EXPECT_FALSE(autograd::is_grad_enabled());
    const Tensor y = x * 2;
    EXPECT_FALSE(y.requires_grad());
    EXPECT_EQ(y.grad_fn(), nullptr);
  }
  EXPECT_TRUE(autograd::is_grad_enabled());
  EXPECT_TRUE((x * 2).requires_grad());
}

TEST(Autograd, RequiresGradOnlyForFloatingPointLeaves) {
  Tensor ints = tensor({1, 2});
  EXPECT_THROW(ints.requires_grad_(), TypeError);
  EXPECT_TRUE(throws_with([&] { ints.requires_grad_(); },
                          "only Tensors of floating point dtype can require gradients"));
  Tensor x = leaf({1.0});
  Tensor y = x * 2;
  EXPECT_TRUE(throws_with([&] { y.requires_grad_(false); },
                          "you can only change requires_grad flags of leaf variables"));
}

TEST(Autograd, DetachCutsTheGraph) {
  Tensor x = leaf({1.0, 2.0});
  const Tensor constant = x.detach();
  EXPECT_FALSE(constant.requires_grad());
  EXPECT_TRUE(constant.is_alias_of(x));
  (x * constant).sum().backward();
  EXPECT_EQ(values(x.grad()), (std::vector<double>{1, 2}));  // not 2x
}

TEST(Autograd, RetainGradKeepsTheGradientOfANonLeaf) {
  Tensor x = leaf({1.0, 2.0});
  const Tensor hidden = x * 2;
  const Tensor other = x * 3;
  hidden.retain_grad();
  EXPECT_TRUE(hidden.retains_grad());
  ((hidden * hidden).sum() + other.sum()).backward();
  EXPECT_EQ(values(hidden.grad()), (std::vector<double>{4, 8}));
  EXPECT_FALSE(other.grad().defined());
  EXPECT_EQ(values(x.grad()), (std::vector<double>{11, 19}));
}

// --- autograd::grad ---------------------------------------------------------------------------

TEST(Autograd, GradReturnsGradientsWithoutTouchingLeaves) {
  Tensor x = leaf({1.0, 2.0}), unused = leaf({5.0});
  const Tensor y = (x * x).sum();
  EXPECT_TRUE(throws_with(
      [&] {
        autograd::grad({y}, {x, unused}, {}, true);
      },
      "appears to not have been used in the graph"));
  const auto grads = autograd::grad({y}, {x, unused}, {}, {}, false, /*allow_unused=*/true);
  ASSERT_EQ(grads.size(), 2u);
  EXPECT_EQ(values(grads[0]), (std::vector<double>{2, 4}));
  EXPECT_FALSE(grads[1].defined());
  EXPECT_FALSE(x.grad().defined());
}

TEST(Autograd, ImplicitGradOutputOnlyForOneElementOutputs) {
  Tensor x = leaf({1.0, 2.0});
  const Tensor y = x * 2;
  const std::string message = "grad can be implicitly created only for scalar outputs";
  EXPECT_TRUE(throws_with([&] { y.backward(); }, message));
  EXPECT_TRUE(throws_with([&] { autograd::grad({y}, {x}); }, message));
  y.backward(tensor({1.0, 10.0}));
  EXPECT_EQ(values(x.grad()), (std::vector<double>{2, 20}));
}

TEST(Autograd, BackwardOfATensorOutsideTheGraphRaises) {
  EXPECT_TRUE(throws_with([] { tensor({1.0}).sum().backward(); },
                          "does not require grad and does not have a grad_fn"));
}

// --- state and printing -----------------------------------------------------------------------

TEST(Autograd, LeavesAndNodes) {
  Tensor w = leaf({3.0});
  EXPECT_TRUE(w.is_leaf());
  EXPECT_EQ(w.grad_fn(), nullptr);
  EXPECT_EQ(w.repr(), "tensor([3.], requires_grad=True)");
  const Tensor y = (w * 2).mean();
  EXPECT_FALSE(y.is_leaf());
  ASSERT_NE(y.grad_fn(), nullptr);
  EXPECT_EQ(y.grad_fn()->name(), "MeanBackward0");
  EXPECT_EQ(y.grad_fn()->next.size(), 1u);
  EXPECT_EQ(y.grad_fn()->next[0]->name(), "MulBackward0");
  EXPECT_TRUE(tensor({1.0}).is_leaf());  // tensors that need no gradient are leaves too
}

// The seed: w = 3 fits y = w x with x = y = 1 by mean squared error; d loss / dw = 2 (w - 1) = 4.
TEST(Autograd, MeanSquaredErrorSeedExample) {
  Tensor w = leaf({3.0});
  const Tensor x = tensor({1.0}), target = tensor({1.0});
  const Tensor loss = (w * x - target).pow(2).mean();
  EXPECT_EQ(loss.repr(), "tensor(4., grad_fn=<MeanBackward0>)");
  const auto grads = autograd::grad({loss}, {w}, {}, /*retain_graph=*/true);
  EXPECT_EQ(grads[0].repr(), "tensor([4.])");
  loss.backward();
  EXPECT_EQ(w.grad().repr(), "tensor([4.])");
}

// The seed: p = exp(a) / sum(exp(a)); d p1 / d a_j = p1 (delta_1j - p_j).
TEST(Autograd, SoftmaxSeedExample) {
  Tensor a = leaf({0.5, -1.0, 2.0, 0.0}, float64);
  const Tensor e = a.exp();
  const Tensor p = e / e.sum();
  const Tensor p1 = p[1];
  const auto via_grad = autograd::grad({p1}, {a}, {}, /*retain_graph=*/true);
  p1.backward();
  const std::vector<double> probabilities = values(p);
  std::vector<double> analytic;
  for (std::size_t j = 0; j < probabilities.size(); ++j)
    analytic.push_back(probabilities[1] * ((j == 1 ? 1.0 : 0.0) - probabilities[j]));
  const std::vector<double> from_grad = values(via_grad[0]), from_backward = values(a.grad());
  for (std::size_t j = 0; j < analytic.size(); ++j) {
    EXPECT_NEAR(from_grad[j], analytic[j], 1e-15);
    EXPECT_EQ(from_backward[j], from_grad[j]);
  }
}

// --- finite differences ---------------------------------------------------------------------

// The gradient of <f(inputs), g> by the engine, for testing::check_vjp.
testing::VectorJacobianProduct engine_vjp(const testing::Function& f) {
  return [f](const std::vector<Tensor>& inputs, const Tensor& grad_output) {
    std::vector<Tensor> leaves;
    for (const auto& t : inputs) leaves.push_back(t.detach().requires_grad_());
    return autograd::grad({f(leaves)}, leaves, {grad_output}, {}, false, /*allow_unused=*/true);
  };
}

TEST(Autograd, CompositeFunctionMatchesFiniteDifferences) {
  const testing::Function f = [](const std::vector<Tensor>& in) {
    const Tensor& a = in[0];                              // [3, 4]
    const Tensor& b = in[1];                              // [4, 2]
    const Tensor& c = in[2];                              // [2]
    const Tensor h = F::tanh(matmul(a, b) + c);           // [3, 2]
    const Tensor u = cat({h, h.exp() / (1 + h * h)}, 1);  // [3, 4]
    const Tensor v = u.transpose(0, 1).reshape({2, 6}) * a.abs().sqrt().view({2, 6});
    const Tensor w =
        v.max(1).values + v.logsumexp({1}) - v.mean({1}) + maximum(v, c.unsqueeze(1)).sum({1});
    const Tensor z = stack({w, F::softplus(w).pow(1.5), clamp(w, -0.5, 4.0)}, 0);  // [3, 2]
    return where(z > 0.25, z * z, z.narrow(0, 0, 1).expand({3, 2}) - z) +
           F::elu(a.select(1, 2)).sum() * z.min();
  };
  const std::vector<Tensor> inputs = {
      tensor({{0.3, -1.2, 0.8, 1.5}, {-0.7, 0.2, 1.1, -0.4}, {0.9, -0.6, -1.3, 0.45}}, float64),
      tensor({{0.5, -0.3}, {1.1, 0.7}, {-0.9, 0.2}, {0.35, -1.4}}, float64),
      tensor({0.15, -0.25}, float64)};
  const Tensor grad_output = tensor({{1.0, -0.5}, {0.25, 2.0}, {-1.5, 0.75}}, float64);
  EXPECT_TRUE(testing::check_vjp(f, engine_vjp(f), inputs, grad_output));
}

// Every elementwise activation with default options, as (name, function).
std::vector<std::pair<std::string, std::function<Tensor(const Tensor&)>>> activations() {
#define ACTIV_ACTIVATION_ENTRY(Name, functional, ...) \
  {#functional, [](const Tensor& x) { return F::functional(x); }},
  return {ACTIV_ELEMENTWISE_ACTIVATIONS(ACTIV_ACTIVATION_ENTRY, ACTIV_IGNORE_OPTION)};
#undef ACTIV_ACTIVATION_ENTRY
}

TEST(Autograd, TheActivationListCoversTheCatalogue) {
  EXPECT_EQ(activations().size(), nn::elementwise_activations().size());
}

// The first derivative as a function of (x, grad_output), built with create_graph, is itself
// differentiated by the engine and checked against finite differences, away from every kink
// of the defaults (0, +-0.5, +-1, +-3, 6).
TEST(Autograd, DoubleBackwardOfEveryActivationMatchesFiniteDifferences) {
  const Tensor x =
      tensor({-3.7, -2.3, -1.4, -0.8, -0.3, -0.1, 0.2, 0.7, 1.3, 2.2, 3.4, 6.5}, float64);
  const Tensor g =
      tensor({0.9, -1.1, 0.4, 1.7, -0.6, 0.3, -1.4, 0.8, 1.2, -0.2, 0.5, -0.9}, float64);
  const Tensor w =
      tensor({1.3, 0.2, -0.7, 0.6, 1.1, -1.5, 0.4, -0.3, 0.9, 1.6, -0.8, 0.25}, float64);
  for (const auto& [name, activation] : activations()) {
    SCOPED_TRACE(name);
    const testing::Function first_derivative = [&](const std::vector<Tensor>& in) {
      const Tensor input = in[0].requires_grad() ? in[0] : in[0].detach().requires_grad_();
      return autograd::grad({activation(input)}, {input}, {in[1]}, {}, /*create_graph=*/true)[0];
    };
    EXPECT_TRUE(testing::check_vjp(first_derivative, engine_vjp(first_derivative), {x, g}, w));
  }
}

// --- threads ----------------------------------------------------------------------------------

TEST(Autograd, ThreadsRunIndependentGraphs) {
  auto worker = [](double scale, bool no_grad_elsewhere, std::vector<double>* result, bool* ok) {
    *ok = true;
    for (int i = 0; i < 200; ++i) {
      Tensor x = leaf({scale, 2 * scale, 3 * scale}, float64);
      if (no_grad_elsewhere) {
        NoGradGuard no_grad;  // grad mode is per thread: the other thread keeps recording
        *ok = *ok && !(x * 2).requires_grad();
      }
      const Tensor loss = (F::sigmoid(x) * x.exp()).sum() + (x * x).mean();
      loss.backward();
      *result = values(x.grad());
    }
  };
  std::vector<double> first, second;
  bool ok_first = false, ok_second = false;
  std::thread t1(worker, 0.5, true, &first, &ok_first);
  std::thread t2(worker, -0.25, false, &second, &ok_second);
  t1.join();
  t2.join();
  EXPECT_TRUE(ok_first);
  EXPECT_TRUE(ok_second);
  auto expected = [](double v) {
    const double s = 1 / (1 + std::exp(-v));
    return s * (1 - s) * std::exp(v) + s * std::exp(v) + 2 * v / 3;
  };
  ASSERT_EQ(first.size(), 3u);
  ASSERT_EQ(second.size(), 3u);
  for (int k = 0; k < 3; ++k) {
    EXPECT_NEAR(first[k], expected(0.5 * (k + 1)), 1e-14);
    EXPECT_NEAR(second[k], expected(-0.25 * (k + 1)), 1e-14);
  }
}

}  // namespace
}  // namespace activ
