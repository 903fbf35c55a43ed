// The finite-difference checker in support/gradcheck.h: it accepts the known gradients of
// simple functions and rejects wrong ones, naming where they are wrong.
#include "support/gradcheck.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "activ/tensor.h"

namespace activ::testing {
namespace {

using Tensors = std::vector<Tensor>;

Tensor mul_f(const Tensors& in) {
  return mul(in[0], in[1]);
}

class Gradcheck : public ::testing::Test {
 protected:
  void SetUp() override { manual_seed(11); }
};

TEST_F(Gradcheck, AcceptsTheProductRuleWithBroadcasting) {
  const Tensor x = randn({2, 3}, float64), y = randn({3}, float64);
  auto vjp = [](const Tensors& in, const Tensor& g) {
    // y was broadcast over dim 0, so its gradient sums over it.
    return Tensors{mul(g, in[1]), sum(mul(g, in[0]), {0})};
  };
  EXPECT_TRUE(check_vjp(mul_f, vjp, {x, y}, randn({2, 3}, float64)));
}

TEST_F(Gradcheck, AcceptsExpOnNonContiguousInput) {
  const Tensor x = randn({4, 3}, float64).t();
  EXPECT_TRUE(check_unary_vjp([](const Tensor& t) { return exp(t); },
                              [](const Tensor& g, const Tensor& t) { return mul(g, exp(t)); }, x,
                              randn({3, 4}, float64)));
}

TEST_F(Gradcheck, AcceptsSumAndSumOverADim) {
  const Tensor x = randn({2, 3, 4}, float64);
  EXPECT_TRUE(check_unary_vjp([](const Tensor& t) { return sum(t); },
                              [](const Tensor& g, const Tensor& t) { return g.expand(t.sizes()); },
                              x, tensor(1.5, float64)));
  EXPECT_TRUE(check_unary_vjp(
      [](const Tensor& t) { return sum(t, {1}); },
      [](const Tensor& g, const Tensor& t) { return g.unsqueeze(1).expand(t.sizes()); }, x,
      randn({2, 4}, float64)));
}

TEST_F(Gradcheck, AcceptsMatmul) {
  const Tensor a = randn({3, 4}, float64), b = randn({4, 2}, float64);
  auto vjp = [](const Tensors& in, const Tensor& g) {
    return Tensors{matmul(g, in[1].t()), matmul(in[0].t(), g)};
  };
  EXPECT_TRUE(check_vjp([](const Tensors& in) { return matmul(in[0], in[1]); }, vjp, {a, b},
                        randn({3, 2}, float64)));
}

TEST_F(Gradcheck, AnUndefinedGradientMeansZero) {
  const Tensor x = randn({3}, float64), y = randn({3}, float64);
  auto vjp = [](const Tensors&, const Tensor& g) { return Tensors{g, Tensor()}; };
  EXPECT_TRUE(check_vjp([](const Tensors& in) { return add(in[0], mul(in[1], 0.0)); }, vjp, {x, y},
                        randn({3}, float64)));
}

TEST_F(Gradcheck, RejectsAWrongGradientAndNamesIt) {
  const Tensor x = tensor({{0.5, -1.0}, {2.0, 0.25}}, float64);
  const auto result = check_unary_vjp(
      [](const Tensor& t) { return exp(t); },
      [](const Tensor& g, const Tensor& t) { return mul(g, t); },  // should be g * exp(t)
      x, ones({2, 2}, float64));
  ASSERT_FALSE(result);
  const std::string message = result.message();
  EXPECT_NE(message.find("input 0, element 0 (index [0, 0]): numeric gradient 1.6487212"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("analytic 0.5 "), std::string::npos) << message;
  EXPECT_NE(message.find("4 of 4 elements of input 0 differ"), std::string::npos) << message;
}

TEST_F(Gradcheck, RejectsAWrongGradientOfTheSecondInputOnly) {
  const Tensor x = randn({2, 3}, float64), y = randn({2, 3}, float64);
  auto vjp = [](const Tensors& in, const Tensor& g) {
    return Tensors{mul(g, in[1]), mul(mul(g, in[0]), 1.01)};  // 1% off: still caught
  };
  const auto result = check_vjp(mul_f, vjp, {x, y}, randn({2, 3}, float64));
  ASSERT_FALSE(result);
  const std::string message = result.message();
  EXPECT_EQ(message.find("input 0"), std::string::npos) << message;
  EXPECT_NE(message.find("input 1, element 0 (index [0, 0])"), std::string::npos) << message;
}

TEST_F(Gradcheck, RejectsASignError) {
  const Tensor x = randn({5}, float64);
  EXPECT_FALSE(check_unary_vjp([](const Tensor& t) { return mul(t, t); },
                               [](const Tensor& g, const Tensor& t) { return mul(g, t) * -2.0; }, x,
                               ones({5}, float64)));
}

TEST_F(Gradcheck, RejectsMisuse) {
  const Tensor x = randn({3}, float64);
  auto identity = [](const Tensors& in) { return in[0]; };
  auto pass_through = [](const Tensors&, const Tensor& g) { return Tensors{g}; };
  EXPECT_TRUE(check_vjp(identity, pass_through, {x}, ones({3}, float64)));

  const auto float32_input = check_vjp(identity, pass_through, {x.to(float32)}, ones({3}));
  ASSERT_FALSE(float32_input);
  EXPECT_EQ(std::string(float32_input.message()), "input 0 must be a float64 tensor, got float32");

  const auto wrong_grad_output = check_vjp(identity, pass_through, {x}, ones({4}, float64));
  ASSERT_FALSE(wrong_grad_output);
  EXPECT_EQ(std::string(wrong_grad_output.message()),
            "grad_output has shape [4], expected the output's shape [3]");

  const auto wrong_shape = check_vjp(
      identity, [](const Tensors&, const Tensor& g) { return Tensors{g.unsqueeze(0)}; }, {x},
      ones({3}, float64));
  ASSERT_FALSE(wrong_shape);
  EXPECT_EQ(std::string(wrong_shape.message()),
            "gradient of input 0 has shape [1, 3], expected the input's shape [3]");

  const auto wrong_count = check_vjp(
      identity,
      [](const Tensors&, const Tensor& g) {
        return Tensors{g, g};
      },
      {x}, ones({3}, float64));
  ASSERT_FALSE(wrong_count);
  EXPECT_EQ(std::string(wrong_count.message()), "vjp returned 2 gradients for 1 inputs");
}

TEST_F(Gradcheck, LeavesTheCallersInputsUntouched) {
  const Tensor x = randn({4}, float64);
  const Tensor before = x.clone();
  EXPECT_TRUE(check_unary_vjp([](const Tensor& t) { return exp(t); },
                              [](const Tensor& g, const Tensor& t) { return mul(g, exp(t)); }, x,
                              ones({4}, float64)));
  EXPECT_TRUE(equal(x, before));
}

}  // namespace
}  // namespace activ::testing
