// scaled_dot_product_attention and nn::MultiheadAttention against PyTorch 1.13
// (tests/golden/attention.json, written by tools/gen_attention_reference.py): values and
// gradients, finite differences in float64, parameters, repr and error messages.
#include "activ/nn/attention.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "activ/autograd.h"
#include "support/golden.h"
#include "support/gradcheck.h"

namespace activ {
namespace {

using Json = nlohmann::json;
namespace F = nn::functional;
using nn::MultiheadAttention;
using nn::MultiheadAttentionForwardOptions;
using nn::MultiheadAttentionOptions;

const Json& golden() {
  return testing::golden_json("attention.json");
}

double number_from(const Json& value) {
  if (value.is_string()) {
    const auto text = value.get<std::string>();
    if (text == "nan") return std::numeric_limits<double>::quiet_NaN();
    return text == "inf" ? std::numeric_limits<double>::infinity()
                         : -std::numeric_limits<double>::infinity();
  }
  return value.get<double>();
}

Tensor tensor_from(const Json& spec) {
  const std::string dtype_name = spec.at("dtype").get<std::string>();
  const Dtype dtype = dtype_name == "bool" ? bool_ : dtype_name == "float32" ? float32 : float64;
  Tensor t = empty(spec.at("shape").get<Shape>(), dtype);
  const Json& values = spec.at("values");
  for (std::int64_t i = 0; i < t.numel(); ++i) {
    if (dtype == bool_) {
      t.data_ptr<bool>()[i] = values[i].get<bool>();
    } else if (dtype == float32) {
      t.data_ptr<float>()[i] = static_cast<float>(number_from(values[i]));
    } else {
      t.data_ptr<double>()[i] = number_from(values[i]);
    }
  }
  return t;
}

Tensor leaf_from(const Json& spec) {
  return tensor_from(spec).requires_grad_();
}

// Elementwise |actual - expected| <= atol + rtol * |expected| (NaNs equal), naming the worst
// element on failure. Gradients in float32 take torch.testing's atol 1e-5: some are exactly zero
// in exact arithmetic (the key bias shifts every score of a row alike, which softmax ignores),
// and both libraries leave rounding noise of about 1e-6 there.
enum class Kind { kValue, kGradient };
::testing::AssertionResult close(const Tensor& actual, const Tensor& expected, Dtype dtype,
                                 const std::string& what, Kind kind = Kind::kValue) {
  const double rtol = dtype == float32 ? 1e-5 : 1e-10;
  const double atol = dtype == float64 ? 1e-12 : kind == Kind::kGradient ? 1e-5 : 1e-6;
  if (!actual.defined()) return ::testing::AssertionFailure() << what << " is undefined";
  if (actual.sizes() != expected.sizes()) {
    return ::testing::AssertionFailure() << what << " has shape " << shape_str(actual.sizes())
                                         << ", torch's has " << shape_str(expected.sizes());
  }
  if (actual.dtype() != expected.dtype()) {
    return ::testing::AssertionFailure() << what << " has dtype " << name(actual.dtype());
  }
  const auto a = actual.to_vector<double>();
  const auto e = expected.to_vector<double>();
  std::int64_t bad = 0;
  std::size_t worst = 0;
  double worst_excess = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) && std::isnan(e[i])) continue;
    const double excess = std::abs(a[i] - e[i]) - (atol + rtol * std::abs(e[i]));
    if (!(excess <= 0.0)) {
      ++bad;
      if (bad == 1 || excess > worst_excess) {
        worst = i;
        worst_excess = excess;
      }
    }
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << what << ": " << bad << " elements differ; element "
                                       << worst << " is " << a[worst] << ", torch's " << e[worst];
}

// --- MultiheadAttention vs torch ---------------------------------------------------------

MultiheadAttentionOptions options_from(const Json& spec, Dtype dtype) {
  MultiheadAttentionOptions options{.dtype = dtype};
  const Json& o = spec.at("options");
  if (o.contains("bias")) options.bias = o["bias"].get<bool>();
  if (o.contains("add_bias_kv")) options.add_bias_kv = o["add_bias_kv"].get<bool>();
  if (o.contains("add_zero_attn")) options.add_zero_attn = o["add_zero_attn"].get<bool>();
  if (o.contains("kdim")) options.kdim = o["kdim"].get<std::int64_t>();
  if (o.contains("vdim")) options.vdim = o["vdim"].get<std::int64_t>();
  if (o.contains("batch_first")) options.batch_first = o["batch_first"].get<bool>();
  return options;
}

class MultiheadAttentionReference : public ::testing::TestWithParam<std::size_t> {};

TEST_P(MultiheadAttentionReference, OutputWeightsAndGradientsMatchTorch) {
  const Json& spec = golden()["mha"][GetParam()];
  const Dtype dtype = spec["dtype"] == "float32" ? float32 : float64;
  MultiheadAttention attention(spec["embed_dim"].get<std::int64_t>(),
                               spec["num_heads"].get<std::int64_t>(), options_from(spec, dtype));

  // torch's parameter names, in torch's order, then its values.
  nn::StateDict state;
  for (const Json& entry : spec["state_dict"]) {
    state.emplace_back(entry[0].get<std::string>(), tensor_from(entry[1]));
  }
  const nn::StateDict own = attention.state_dict();
  ASSERT_EQ(own.size(), state.size());
  for (std::size_t i = 0; i < own.size(); ++i) {
    EXPECT_EQ(own[i].first, state[i].first);
    EXPECT_EQ(own[i].second.sizes(), state[i].second.sizes()) << own[i].first;
  }
  attention.load_state_dict(state);

  const Tensor query = leaf_from(spec["query"]);
  const Tensor key = leaf_from(spec["key"]);
  const Tensor value = leaf_from(spec["value"]);
  MultiheadAttentionForwardOptions forward_options{
      .need_weights = spec["forward"]["need_weights"].get<bool>(),
      .average_attn_weights = spec["forward"]["average_attn_weights"].get<bool>()};
  if (spec.contains("key_padding_mask")) {
    forward_options.key_padding_mask = tensor_from(spec["key_padding_mask"]);
  }
  if (spec.contains("attn_mask")) forward_options.attn_mask = tensor_from(spec["attn_mask"]);

  const auto [output, weights] = attention(query, key, value, forward_options);
  EXPECT_TRUE(close(output, tensor_from(spec["output"]), dtype, "attn_output"));
  if (spec["weights"].is_null()) {
    EXPECT_FALSE(weights.defined());
  } else {
    EXPECT_TRUE(close(weights, tensor_from(spec["weights"]), dtype, "attn_output_weights"));
  }

  sum(output * tensor_from(spec["grad_output"])).backward();
  const Json& grads = spec["grads"];
  EXPECT_TRUE(
      close(query.grad(), tensor_from(grads["query"]), dtype, "query.grad", Kind::kGradient));
  EXPECT_TRUE(close(key.grad(), tensor_from(grads["key"]), dtype, "key.grad", Kind::kGradient));
  EXPECT_TRUE(
      close(value.grad(), tensor_from(grads["value"]), dtype, "value.grad", Kind::kGradient));
  const nn::StateDict parameters = attention.named_parameters();
  ASSERT_EQ(parameters.size(), grads["parameters"].size());
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const Json& entry = grads["parameters"][i];
    ASSERT_EQ(parameters[i].first, entry[0].get<std::string>());
    EXPECT_TRUE(close(parameters[i].second.grad(), tensor_from(entry[1]), dtype,
                      parameters[i].first + ".grad", Kind::kGradient));
  }
}

std::vector<std::size_t> indices(const char* group) {
  std::vector<std::size_t> out(golden()[group].size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = i;
  return out;
}

std::string case_name(const char* group, std::size_t index) {
  return golden()[group][index]["name"].get<std::string>();
}

INSTANTIATE_TEST_SUITE_P(Torch, MultiheadAttentionReference, ::testing::ValuesIn(indices("mha")),
                         [](const auto& param_info) { return case_name("mha", param_info.param); });

TEST(MultiheadAttentionReference, GoldenFileHasCases) {
  EXPECT_GE(golden()["mha"].size(), 40u) << "tests/golden/attention.json is missing";
  EXPECT_GE(golden()["sdpa"].size(), 18u);
}

// --- scaled_dot_product_attention vs torch -----------------------------------------------

class ScaledDotProductAttentionReference : public ::testing::TestWithParam<std::size_t> {};

TEST_P(ScaledDotProductAttentionReference, OutputAndGradientsMatchTorch) {
  const Json& spec = golden()["sdpa"][GetParam()];
  const Dtype dtype = spec["dtype"] == "float32" ? float32 : float64;
  const Tensor query = leaf_from(spec["query"]);
  const Tensor key = leaf_from(spec["key"]);
  const Tensor value = leaf_from(spec["value"]);
  const Tensor mask = spec.contains("attn_mask") ? tensor_from(spec["attn_mask"]) : Tensor();
  std::optional<double> scale;
  if (spec.contains("scale")) scale = spec["scale"].get<double>();

  const Tensor output = F::scaled_dot_product_attention(query, key, value, mask, 0.0,
                                                        spec["is_causal"].get<bool>(), scale);
  EXPECT_TRUE(close(output, tensor_from(spec["output"]), dtype, "output"));
  sum(output * tensor_from(spec["grad_output"])).backward();
  EXPECT_TRUE(close(query.grad(), tensor_from(spec["grads"]["query"]), dtype, "query.grad",
                    Kind::kGradient));
  EXPECT_TRUE(
      close(key.grad(), tensor_from(spec["grads"]["key"]), dtype, "key.grad", Kind::kGradient));
  EXPECT_TRUE(close(value.grad(), tensor_from(spec["grads"]["value"]), dtype, "value.grad",
                    Kind::kGradient));
}

INSTANTIATE_TEST_SUITE_P(Torch, ScaledDotProductAttentionReference,
                         ::testing::ValuesIn(indices("sdpa")), [](const auto& param_info) {
                           return case_name("sdpa", param_info.param);
                         });

// --- finite differences in float64 -------------------------------------------------------

// Checks the gradients of sum(attn_output * g) for query, key, value and every parameter.
void check_mha_gradients(MultiheadAttention& attention, const Shape& query_shape,
                         const Shape& key_shape, const Shape& value_shape,
                         const MultiheadAttentionForwardOptions& options) {
  const std::vector<Tensor> parameters = attention.parameters();
  auto load = [&](const std::vector<Tensor>& inputs) {
    NoGradGuard guard;
    for (std::size_t i = 0; i < parameters.size(); ++i) {
      Tensor parameter = parameters[i];
      parameter.copy_(inputs[3 + i]);
    }
  };
  const testing::Function f = [&](const std::vector<Tensor>& inputs) {
    load(inputs);
    NoGradGuard guard;
    return attention(inputs[0], inputs[1], inputs[2], options).attn_output;
  };
  const testing::VectorJacobianProduct vjp = [&](const std::vector<Tensor>& inputs,
                                                 const Tensor& grad_output) {
    load(inputs);
    std::vector<Tensor> wrt;
    for (std::size_t i = 0; i < 3; ++i) wrt.push_back(inputs[i].detach().requires_grad_());
    for (const Tensor& parameter : parameters) wrt.push_back(parameter);
    const Tensor output = attention(wrt[0], wrt[1], wrt[2], options).attn_output;
    return autograd::grad({output}, wrt, {grad_output});
  };
  std::vector<Tensor> point = {randn(query_shape, float64), randn(key_shape, float64),
                               randn(value_shape, float64)};
  for (const Tensor& parameter : parameters) point.push_back(randn(parameter.sizes(), float64));
  const Shape output_shape = f(point).sizes();
  EXPECT_TRUE(testing::check_vjp(f, vjp, point, randn(output_shape, float64)));
}

TEST(MultiheadAttentionGradcheck, PackedProjectionWithMasks) {
  manual_seed(1);
  MultiheadAttention attention(4, 2, {.dtype = float64});
  const Tensor attn_mask = tensor({{false, true, false}, {false, false, true}});
  const Tensor key_padding_mask = tensor({{false, false, true}, {false, true, false}});
  check_mha_gradients(attention, {2, 2, 4}, {3, 2, 4}, {3, 2, 4},
                      {.key_padding_mask = key_padding_mask, .attn_mask = attn_mask});
}

TEST(MultiheadAttentionGradcheck, SeparateProjectionsBiasKvZeroAttnBatchFirst) {
  manual_seed(2);
  MultiheadAttention attention(4, 2,
                               {.add_bias_kv = true,
                                .add_zero_attn = true,
                                .kdim = 3,
                                .vdim = 5,
                                .batch_first = true,
                                .dtype = float64});
  const Tensor attn_mask = randn({4, 2, 3}, float64);
  const Tensor key_padding_mask = tensor({{false, false, true}, {false, true, false}});
  check_mha_gradients(attention, {2, 2, 4}, {2, 3, 3}, {2, 3, 5},
                      {.key_padding_mask = key_padding_mask,
                       .attn_mask = attn_mask,
                       .average_attn_weights = false});
}

TEST(MultiheadAttentionGradcheck, UnbatchedWithoutBias) {
  manual_seed(3);
  MultiheadAttention attention(4, 2, {.bias = false, .dtype = float64});
  check_mha_gradients(attention, {3, 4}, {2, 4}, {2, 4}, {.need_weights = false});
}

TEST(ScaledDotProductAttentionGradcheck, BroadcastFloatMaskAndCausal) {
  manual_seed(4);
  const std::vector<Tensor> point = {randn({2, 3, 4}, float64), randn({2, 5, 4}, float64),
                                     randn({2, 5, 2}, float64), randn({3, 5}, float64)};
  const testing::Function masked = [](const std::vector<Tensor>& x) {
    return F::scaled_dot_product_attention(x[0], x[1], x[2], x[3]);
  };
  const testing::VectorJacobianProduct masked_vjp = [&](const std::vector<Tensor>& x,
                                                        const Tensor& g) {
    std::vector<Tensor> wrt;
    for (const Tensor& t : x) wrt.push_back(t.detach().requires_grad_());
    return autograd::grad({masked(wrt)}, wrt, {g});
  };
  EXPECT_TRUE(testing::check_vjp(masked, masked_vjp, point, randn({2, 3, 2}, float64)));

  const testing::Function causal = [](const std::vector<Tensor>& x) {
    return F::scaled_dot_product_attention(x[0], x[1], x[2], {}, 0.0, true, 0.7);
  };
  const testing::VectorJacobianProduct causal_vjp = [&](const std::vector<Tensor>& x,
                                                        const Tensor& g) {
    std::vector<Tensor> wrt;
    for (const Tensor& t : x) wrt.push_back(t.detach().requires_grad_());
    return autograd::grad({causal(wrt)}, wrt, {g});
  };
  const std::vector<Tensor> square = {randn({2, 4, 3}, float64), randn({2, 4, 3}, float64),
                                      randn({2, 4, 3}, float64)};
  EXPECT_TRUE(testing::check_vjp(causal, causal_vjp, square, randn({2, 4, 3}, float64)));
}

// --- construction, modes, repr -------------------------------------------------------------

TEST(MultiheadAttention, ParametersFollowTorchNamesShapesAndInitialization) {
  manual_seed(5);
  MultiheadAttention packed(8, 2);
  std::vector<std::string> names;
  for (const auto& [name, tensor] : packed.state_dict()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"in_proj_weight", "in_proj_bias", "out_proj.weight",
                                             "out_proj.bias"}));
  EXPECT_EQ(packed.parameter("in_proj_weight").sizes(), (Shape{24, 8}));
  // xavier_uniform_: |w| <= sqrt(6 / (fan_in + fan_out)); the biases start at zero.
  const double bound = std::sqrt(6.0 / (8 + 24));
  EXPECT_LE(packed.parameter("in_proj_weight").abs().max().item<float>(), bound);
  EXPECT_GT(packed.parameter("in_proj_weight").abs().max().item<float>(), bound / 2);
  EXPECT_TRUE(equal(packed.parameter("in_proj_bias"), zeros({24})));
  EXPECT_TRUE(equal(packed.out_proj()->bias(), zeros({8})));

  MultiheadAttention separate(8, 2, {.add_bias_kv = true, .kdim = 5, .vdim = 3});
  names.clear();
  for (const auto& [name, tensor] : separate.state_dict()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"q_proj_weight", "k_proj_weight", "v_proj_weight",
                                             "in_proj_bias", "bias_k", "bias_v", "out_proj.weight",
                                             "out_proj.bias"}));
  EXPECT_EQ(separate.parameter("k_proj_weight").sizes(), (Shape{8, 5}));
  EXPECT_EQ(separate.parameter("v_proj_weight").sizes(), (Shape{8, 3}));
  EXPECT_EQ(separate.parameter("bias_k").sizes(), (Shape{1, 1, 8}));
  EXPECT_GT(separate.parameter("bias_k").abs().max().item<float>(), 0.0f);

  MultiheadAttention no_bias(8, 2, {.bias = false});
  EXPECT_EQ(no_bias.state_dict().size(), 2u);
}

TEST(MultiheadAttention, ReprMatchesTorch) {
  EXPECT_EQ(MultiheadAttention(8, 2).repr(),
            "MultiheadAttention(\n"
            "  (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, "
            "bias=True)\n)");
  EXPECT_EQ(MultiheadAttention(16, 4, {.bias = false, .kdim = 5}).repr(),
            "MultiheadAttention(\n"
            "  (out_proj): NonDynamicallyQuantizableLinear(in_features=16, out_features=16, "
            "bias=False)\n)");
}

TEST(MultiheadAttention, NeedWeightsFalseLeavesWeightsUndefined) {
  MultiheadAttention attention(8, 2);
  const Tensor x = randn({3, 2, 8});
  const auto result = attention(x, x, x, {.need_weights = false});
  EXPECT_EQ(result.attn_output.sizes(), (Shape{3, 2, 8}));
  EXPECT_FALSE(result.attn_output_weights.defined());
  const auto per_head = attention(x, x, x, {.average_attn_weights = false});
  EXPECT_EQ(per_head.attn_output_weights.sizes(), (Shape{2, 2, 3, 3}));
}

TEST(MultiheadAttention, DropoutAppliesInTrainingOnly) {
  manual_seed(6);
  MultiheadAttention dropping(8, 2, {.dropout = 1.0});
  MultiheadAttention plain(8, 2);
  plain.load_state_dict(dropping.state_dict());
  const Tensor q = randn({3, 2, 8});
  const Tensor kv = randn({4, 2, 8});
  // p = 1 zeroes every weight: the output is out_proj's bias alone.
  {
    NoGradGuard guard;
    Tensor bias = dropping.out_proj()->bias();
    bias.copy_(arange(8, float32));
  }
  const auto dropped = dropping(q, kv, kv);
  EXPECT_TRUE(equal(dropped.attn_output, arange(8, float32).expand({3, 2, 8})));
  EXPECT_TRUE(equal(dropped.attn_output_weights, zeros({2, 3, 4})));
  plain.load_state_dict(dropping.state_dict());
  dropping.eval();
  EXPECT_TRUE(equal(dropping(q, kv, kv).attn_output, plain(q, kv, kv).attn_output));
}

TEST(MultiheadAttention, SingleTensorForwardRaises) {
  MultiheadAttention attention(8, 2);
  EXPECT_THROW(attention.forward(randn({3, 8})), TypeError);
}

TEST(ScaledDotProductAttention, DropoutOfOneGivesZeros) {
  const Tensor q = randn({2, 3, 4});
  EXPECT_TRUE(equal(F::scaled_dot_product_attention(q, q, q, {}, 1.0), zeros({2, 3, 4})));
}

TEST(ScaledDotProductAttention, FullyMaskedRowGivesNaN) {
  const Tensor q = randn({2, 4});
  const Tensor mask = tensor({{true, false}, {false, false}});
  const Tensor out = F::scaled_dot_product_attention(q, q, q, mask);
  EXPECT_FALSE(std::isnan(out[0][0].item<float>()));
  EXPECT_TRUE(std::isnan(out[1][0].item<float>()));
}

// --- error messages ------------------------------------------------------------------------

template <class E, class Fn>
std::string message_of(Fn&& fn) {
  try {
    fn();
  } catch (const E& error) {
    return error.what();
  }
  return "no exception";
}

TEST(MultiheadAttentionErrors, ConstructorArguments) {
  EXPECT_EQ(message_of<ValueError>([] { MultiheadAttention(8, 3); }),
            "MultiheadAttention: embed_dim must be divisible by num_heads, got embed_dim 8 and "
            "num_heads 3");
  EXPECT_EQ(message_of<ValueError>([] { MultiheadAttention(0, 2); }),
            "MultiheadAttention: embed_dim and num_heads must be greater than 0, got 0 and 2");
  EXPECT_EQ(message_of<ValueError>([] { MultiheadAttention(8, 2, {.dropout = 1.5}); }),
            "MultiheadAttention: dropout must be in [0, 1], got 1.500000");
}

TEST(MultiheadAttentionErrors, ShapesAndDtypes) {
  MultiheadAttention attention(8, 2);
  const Tensor q = randn({3, 2, 8});
  const Tensor kv = randn({4, 2, 8});
  EXPECT_EQ(message_of<ShapeError>([&] {
              attention(q, kv, kv, {.key_padding_mask = zeros({2, 3}, bool_)});
            }),
            "MultiheadAttention: key_padding_mask should have shape (N, S) = [2, 4], got [2, 3]");
  EXPECT_EQ(message_of<ShapeError>(
                [&] { attention(q, kv, kv, {.key_padding_mask = zeros({4}, bool_)}); }),
            "MultiheadAttention: for 3-D query, expected key_padding_mask to be 2-D, got shape "
            "[4]");
  EXPECT_EQ(message_of<ShapeError>([&] {
              attention(q, kv, kv, {.attn_mask = zeros({4, 3}, bool_)});
            }),
            "MultiheadAttention: the 2-D attn_mask should have shape (L, S) = [3, 4], got [4, 3]");
  EXPECT_EQ(message_of<ShapeError>([&] {
              attention(q, kv, kv, {.attn_mask = zeros({2, 3, 4}, bool_)});
            }),
            "MultiheadAttention: the 3-D attn_mask should have shape (N * num_heads, L, S) = [4, "
            "3, 4], got [2, 3, 4]");
  EXPECT_EQ(message_of<ShapeError>([&] {
              attention(randn({1, 3, 2, 8}), kv, kv);
            }),
            "MultiheadAttention: query should be unbatched 2-D or batched 3-D, got shape [1, 3, "
            "2, 8]");
  EXPECT_EQ(message_of<ShapeError>([&] {
              attention(q, randn({4, 8}), kv);
            }),
            "MultiheadAttention: for 3-D query [3, 2, 8], expected key and value to be 3-D, got "
            "key [4, 8] and value [4, 2, 8]");
  EXPECT_EQ(message_of<ShapeError>([&] {
              attention(randn({3, 2, 6}), kv, kv);
            }),
            "MultiheadAttention: expected query's last dim to be embed_dim 8, got query of shape "
            "[3, 2, 6]");
  EXPECT_EQ(message_of<ShapeError>([&] {
              attention(q, randn({4, 2, 5}), kv);
            }),
            "MultiheadAttention: expected the last dims of key and value to be kdim 8 and vdim "
            "8, got key [4, 2, 5] and value [4, 2, 8]");
  EXPECT_EQ(message_of<ShapeError>([&] {
              attention(q, kv, randn({5, 2, 8}));
            }),
            "MultiheadAttention: key [4, 2, 8] and value [5, 2, 8] must have the same sequence "
            "and batch dims");
  EXPECT_EQ(message_of<ShapeError>([&] {
              attention(q, randn({4, 3, 8}), randn({4, 3, 8}));
            }),
            "MultiheadAttention: query [3, 2, 8] and key [4, 3, 8] must have the same batch size");
  EXPECT_EQ(message_of<TypeError>([&] { attention(q.to(float64), kv, kv); }),
            "MultiheadAttention: query has dtype float64 but the module's parameters have dtype "
            "float32");
  EXPECT_EQ(message_of<TypeError>([&] {
              attention(q, kv, kv, {.attn_mask = zeros({3, 4}, int64)});
            }),
            "MultiheadAttention: expected 'attn_mask' to be a bool or floating-point tensor, got "
            "int64");
  EXPECT_EQ(message_of<TypeError>([&] {
              attention(q, kv, kv, {.key_padding_mask = zeros({2, 4}), .attn_mask = zeros({3, 4})});
            }),
            "MultiheadAttention: a float attn_mask can only be merged with a bool "
            "key_padding_mask, got key_padding_mask of dtype float32");
}

TEST(ScaledDotProductAttentionErrors, ShapesAndArguments) {
  const Tensor q = randn({2, 3, 4});
  const Tensor k = randn({2, 5, 4});
  EXPECT_EQ(message_of<ShapeError>([&] {
              F::scaled_dot_product_attention(q, randn({2, 5, 3}), k);
            }),
            "scaled_dot_product_attention: the last dim of query [2, 3, 4] and of key [2, 5, 3] "
            "must be equal");
  EXPECT_EQ(message_of<ShapeError>([&] {
              F::scaled_dot_product_attention(q, k, randn({2, 6, 4}));
            }),
            "scaled_dot_product_attention: key [2, 5, 4] and value [2, 6, 4] must have the same "
            "sequence length (dim -2)");
  EXPECT_EQ(message_of<ShapeError>([&] {
              F::scaled_dot_product_attention(q, k, k, zeros({3, 3}, bool_));
            }),
            "scaled_dot_product_attention: attn_mask of shape [3, 3] does not broadcast to the "
            "attention scores' shape [2, 3, 5] (query [2, 3, 4], key [2, 5, 4])");
  EXPECT_EQ(message_of<ShapeError>([&] {
              F::scaled_dot_product_attention(q, k, k, zeros({4, 1, 3, 5}, bool_));
            }),
            "scaled_dot_product_attention: attn_mask of shape [4, 1, 3, 5] does not broadcast "
            "to the attention scores' shape [2, 3, 5] (query [2, 3, 4], key [2, 5, 4])");
  EXPECT_EQ(message_of<ValueError>([&] {
              F::scaled_dot_product_attention(q, k, k, zeros({3, 5}, bool_), 0.0, true);
            }),
            "scaled_dot_product_attention: attn_mask must not be given when is_causal is true");
  EXPECT_EQ(message_of<TypeError>([&] {
              F::scaled_dot_product_attention(q, k, k, zeros({3, 5}, float64));
            }),
            "scaled_dot_product_attention: expected 'attn_mask' to have query's dtype float32, "
            "got float64");
}

}  // namespace
}  // namespace activ
