// The tiled attention path (src/nn/flash_attention.cpp), taken by scaled_dot_product_attention
// without dropout and by MultiheadAttention without weights, against attention written with
// materialising tensor ops (matmul, softmax): values, gradients and double backward on shapes
// that are not multiples of the tile, every mask kind, causal with L != S; finite differences
// in float64; and a long sequence that must not allocate L x L.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "activ/autograd.h"
#include "activ/nn/attention.h"
#include "activ/nn/functional.h"
#include "support/gradcheck.h"

namespace activ {
namespace {

namespace F = nn::functional;

struct Case {
  Shape query, key, value;
  Tensor mask = {};
  bool causal = false;
  std::optional<double> scale = {};
};

// softmax(q k^T * scale + mask) v with the (..., L, S) weights materialised.
Tensor materialised_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                              const Case& c) {
  const double scale = c.scale.value_or(1.0 / std::sqrt(static_cast<double>(query.size(-1))));
  Tensor scores = mul(matmul(query, key.transpose(-2, -1)), scale);
  const double minus_infinity = -std::numeric_limits<double>::infinity();
  if (c.causal) {
    const Tensor keep = le(arange(key.size(-2)).unsqueeze(0), arange(query.size(-2)).unsqueeze(1));
    scores = where(keep, scores, minus_infinity);
  } else if (c.mask.defined()) {
    // Added, as torch adds masks: a row with nothing kept spreads NaN through the gradients.
    scores = scores + (c.mask.dtype() == bool_
                           ? where(c.mask, scalar_tensor(0.0, scores.dtype()), minus_infinity)
                           : c.mask);
  }
  return matmul(F::softmax(scores, {.dim = -1}), value);
}

Tensor tiled_attention(const Tensor& query, const Tensor& key, const Tensor& value, const Case& c) {
  return F::scaled_dot_product_attention(query, key, value, c.mask, 0.0, c.causal, c.scale);
}

// |actual - expected| <= atol + rtol |expected| elementwise, NaN where expected has NaN.
::testing::AssertionResult close(const Tensor& actual, const Tensor& expected,
                                 const std::string& what) {
  const bool single = expected.dtype() == float32;
  const double rtol = single ? 1e-4 : 1e-10, atol = single ? 1e-5 : 1e-11;
  if (!actual.defined()) return ::testing::AssertionFailure() << what << " is undefined";
  if (actual.sizes() != expected.sizes() || actual.dtype() != expected.dtype()) {
    return ::testing::AssertionFailure() << what << " has shape " << shape_str(actual.sizes())
                                         << ", expected " << shape_str(expected.sizes());
  }
  const auto a = actual.to_vector<double>(), e = expected.to_vector<double>();
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(e[i]) ? std::isnan(a[i]) : std::abs(a[i] - e[i]) <= atol + rtol * std::abs(e[i]))
      continue;
    return ::testing::AssertionFailure()
           << what << ": element " << i << " is " << a[i] << ", expected " << e[i];
  }
  return ::testing::AssertionSuccess();
}

std::vector<Tensor> leaves(const std::vector<Tensor>& values) {
  std::vector<Tensor> out;
  for (const Tensor& v : values) out.push_back(v.detach().clone().requires_grad_());
  return out;
}

// Output and the gradients of sum(output * g) agree between the two paths.
void expect_paths_agree(const Case& c, Dtype dtype) {
  const std::vector<Tensor> inputs = {randn(c.query, dtype), randn(c.key, dtype),
                                      randn(c.value, dtype)};
  const std::vector<Tensor> tiled_leaves = leaves(inputs), reference_leaves = leaves(inputs);
  const Tensor tiled = tiled_attention(tiled_leaves[0], tiled_leaves[1], tiled_leaves[2], c);
  const Tensor reference =
      materialised_attention(reference_leaves[0], reference_leaves[1], reference_leaves[2], c);
  ASSERT_TRUE(close(tiled, reference, "output"));
  ASSERT_EQ(tiled.grad_fn()->name(), "ScaledDotProductFlashAttentionBackward0");
  const Tensor g = randn(reference.sizes(), dtype);
  sum(tiled * g).backward();
  sum(reference * g).backward();
  const char* names[] = {"query.grad", "key.grad", "value.grad"};
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(close(tiled_leaves[i].grad(), reference_leaves[i].grad(), names[i]));
  }
}

class TiledAttention : public ::testing::TestWithParam<Dtype> {};

TEST_P(TiledAttention, ShapesNotMultiplesOfTheTile) {
  manual_seed(10);
  expect_paths_agree({.query = {70, 24}, .key = {130, 24}, .value = {130, 40}}, GetParam());
  expect_paths_agree({.query = {2, 3, 65, 8}, .key = {2, 3, 1, 8}, .value = {2, 3, 1, 5}},
                     GetParam());
  expect_paths_agree({.query = {1, 200, 16}, .key = {1, 129, 16}, .value = {1, 129, 16}},
                     GetParam());
}

TEST_P(TiledAttention, BroadcastBatchDims) {
  manual_seed(11);
  expect_paths_agree({.query = {3, 2, 70, 8}, .key = {1, 2, 90, 8}, .value = {2, 90, 6}},
                     GetParam());
  expect_paths_agree({.query = {67, 8}, .key = {4, 67, 8}, .value = {67, 3}}, GetParam());
}

TEST_P(TiledAttention, BoolMasksBroadcastAndFullyMaskedRows) {
  manual_seed(12);
  const Dtype dtype = GetParam();
  const Tensor keep = gt(rand({70, 100}), 0.3);
  expect_paths_agree({.query = {2, 70, 8}, .key = {2, 100, 8}, .value = {2, 100, 4}, .mask = keep},
                     dtype);
  const Tensor per_batch = gt(rand({2, 1, 1, 100}), 0.5);
  expect_paths_agree(
      {.query = {2, 3, 70, 8}, .key = {2, 3, 100, 8}, .value = {2, 3, 100, 4}, .mask = per_batch},
      dtype);
  // Row 5 keeps nothing: NaN in its output and, as softmax's backward spreads it, in the
  // gradients.
  Tensor with_empty_row = gt(rand({70, 100}), 0.3);
  with_empty_row.select(0, 5).fill_(false);
  expect_paths_agree({.query = {70, 8}, .key = {100, 8}, .value = {100, 4}, .mask = with_empty_row},
                     dtype);
}

TEST_P(TiledAttention, AdditiveMasks) {
  manual_seed(13);
  const Dtype dtype = GetParam();
  expect_paths_agree({.query = {2, 70, 8},
                      .key = {2, 100, 8},
                      .value = {2, 100, 4},
                      .mask = randn({2, 70, 100}, dtype)},
                     dtype);
  Tensor row_broadcast = randn({1, 100}, dtype);
  row_broadcast.narrow(1, 10, 30).fill_(-std::numeric_limits<double>::infinity());
  expect_paths_agree(
      {.query = {3, 70, 8}, .key = {3, 100, 8}, .value = {3, 100, 4}, .mask = row_broadcast},
      dtype);
}

TEST_P(TiledAttention, CausalWithDifferentLengthsAndScale) {
  manual_seed(14);
  const Dtype dtype = GetParam();
  expect_paths_agree({.query = {2, 150, 8}, .key = {2, 90, 8}, .value = {2, 90, 4}, .causal = true},
                     dtype);
  expect_paths_agree({.query = {90, 8}, .key = {150, 8}, .value = {150, 4}, .causal = true}, dtype);
  expect_paths_agree(
      {.query = {130, 8}, .key = {130, 8}, .value = {130, 8}, .causal = true, .scale = 0.3}, dtype);
  expect_paths_agree({.query = {70, 8}, .key = {80, 8}, .value = {80, 8}, .scale = 2.0}, dtype);
}

INSTANTIATE_TEST_SUITE_P(Dtypes, TiledAttention, ::testing::Values(float32, float64),
                         [](const auto& param_info) {
                           return std::string(name(param_info.param));
                         });

TEST(TiledAttention, FiniteDifferencesAcrossTiles) {
  manual_seed(15);
  const Tensor keep = gt(rand({67, 65}), 0.2);
  for (const Case& c : {Case{.query = {67, 3}, .key = {65, 3}, .value = {65, 2}, .mask = keep},
                        Case{.query = {66, 3}, .key = {70, 3}, .value = {70, 2}, .causal = true},
                        Case{.query = {2, 65, 3},
                        .key = {1, 66, 3},
                        .value = {1, 66, 2},
                        .mask = randn({65, 66}, float64)}}) {
    const testing::Function f = [&](const std::vector<Tensor>& x) {
      return tiled_attention(x[0], x[1], x[2], c);
    };
    const testing::VectorJacobianProduct vjp = [&](const std::vector<Tensor>& x, const Tensor& g) {
      const std::vector<Tensor> wrt = leaves(x);
      return autograd::grad({f(wrt)}, wrt, {g});
    };
    const std::vector<Tensor> point = {randn(c.query, float64), randn(c.key, float64),
                                       randn(c.value, float64)};
    const Tensor g = randn(f(point).sizes(), float64);
    EXPECT_TRUE(testing::check_vjp(f, vjp, point, g));
  }
}

// With create_graph the backward pass is recorded with materialising ops, so second
// derivatives equal those of the materialising path.
TEST(TiledAttention, DoubleBackwardMatchesMaterialisedPath) {
  manual_seed(16);
  const Case c{.query = {2, 70, 4},
               .key = {2, 80, 4},
               .value = {2, 80, 3},
               .mask = randn({70, 80}, float64)};
  const std::vector<Tensor> inputs = {randn(c.query, float64), randn(c.key, float64),
                                      randn(c.value, float64)};
  const Tensor g = randn({2, 70, 3}, float64);
  const Tensor h = randn(c.query, float64);
  auto second_order = [&](bool tiled) {
    const std::vector<Tensor> x = leaves(inputs);
    const Tensor out =
        tiled ? tiled_attention(x[0], x[1], x[2], c) : materialised_attention(x[0], x[1], x[2], c);
    const Tensor grad_query =
        autograd::grad({out}, {x[0]}, {g}, /*retain_graph=*/true, /*create_graph=*/true)[0];
    return autograd::grad({sum(grad_query * h)}, x);
  };
  const std::vector<Tensor> tiled = second_order(true), reference = second_order(false);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(close(tiled[i], reference[i], "second derivative " + std::to_string(i)));
  }
}

TEST(TiledAttention, MultiheadAttentionWithoutWeightsMatchesWithWeights) {
  manual_seed(17);
  for (const Dtype dtype : {float32, float64}) {
    nn::MultiheadAttention attention(16, 4, {.add_bias_kv = true, .dtype = dtype});
    const Tensor query = randn({70, 2, 16}, dtype), key = randn({90, 2, 16}, dtype);
    Tensor key_padding_mask = zeros({2, 90}, bool_);
    key_padding_mask.narrow(1, 80, 10).fill_(true);
    const nn::MultiheadAttentionForwardOptions with_weights{.key_padding_mask = key_padding_mask,
                                                            .attn_mask = randn({70, 90}, dtype)};
    nn::MultiheadAttentionForwardOptions without_weights = with_weights;
    without_weights.need_weights = false;
    const std::vector<Tensor> a = leaves({query, key}), b = leaves({query, key});
    const Tensor tiled = attention(a[0], a[1], a[1], without_weights).attn_output;
    const Tensor reference = attention(b[0], b[1], b[1], with_weights).attn_output;
    EXPECT_TRUE(close(tiled, reference, "attn_output"));
    const Tensor g = randn(reference.sizes(), dtype);
    sum(tiled * g).backward();
    sum(reference * g).backward();
    EXPECT_TRUE(close(a[0].grad(), b[0].grad(), "query.grad"));
    EXPECT_TRUE(close(a[1].grad(), b[1].grad(), "key.grad"));
  }
}

std::int64_t peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::int64_t>(usage.ru_maxrss) * 1024;
}

// One head, head dim 64, float32, forward and backward: the peak resident set may grow by the
// output, the gradients and the backward pass's partial query gradients (O(L)), never by an
// L x L matrix.
void expect_linear_memory(std::int64_t length, std::int64_t max_growth_bytes) {
  manual_seed(18);
  const Tensor query = randn({1, length, 64}).requires_grad_();
  const Tensor key = randn({1, length, 64}).requires_grad_();
  const Tensor value = randn({1, length, 64}).requires_grad_();
  const std::int64_t before = peak_rss_bytes();
  const auto start = std::chrono::steady_clock::now();
  const Tensor output = F::scaled_dot_product_attention(query, key, value);
  const auto forward_done = std::chrono::steady_clock::now();
  output.sum().backward();
  const auto backward_done = std::chrono::steady_clock::now();
  const std::int64_t growth = peak_rss_bytes() - before;
  std::printf("L = %lld: forward %.2f s, backward %.2f s, peak RSS growth %.1f MiB\n",
              static_cast<long long>(length),
              std::chrono::duration<double>(forward_done - start).count(),
              std::chrono::duration<double>(backward_done - forward_done).count(),
              static_cast<double>(growth) / (1 << 20));
  EXPECT_LT(growth, max_growth_bytes);
  EXPECT_FALSE(std::isnan(output.sum().item<float>()));
  EXPECT_EQ(query.grad().sizes(), (Shape{1, length, 64}));
  EXPECT_FALSE(std::isnan(key.grad().sum().item<float>()));
}

// L x L floats would be 64 MiB.
TEST(TiledAttention, LongSequenceRunsWithoutQuadraticMemory) {
  expect_linear_memory(4096, std::int64_t{32} << 20);
}

// L x L floats would be 1 GiB. Takes seconds, so not part of the default run:
// flash_attention_test --gtest_also_run_disabled_tests --gtest_filter='*16384*'
TEST(TiledAttention, DISABLED_Length16384RunsWithoutQuadraticMemory) {
  expect_linear_memory(16384, std::int64_t{128} << 20);
}

}  // namespace
}  // namespace activ
