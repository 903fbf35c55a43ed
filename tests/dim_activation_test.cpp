// The activations of ACTIV_SHAPED_ACTIVATIONS (softmax family, GLU, CReLU, PReLU, RReLU and the
// learnable Swish and GELU) against PyTorch 1.13: values and gradients from
// tests/golden/activations.json (tools/gen_activation_reference.py), finite differences for every
// gradient, reprs, errors, layouts and RReLU's random slopes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "activ/error.h"
#include "activ/nn/activation.h"
#include "activ/nn/catalogue.h"
#include "activ/nn/functional.h"
#include "activ/tensor.h"
#include "support/golden.h"
#include "support/gradcheck.h"

namespace activ {
namespace {

using Json = nlohmann::json;
namespace F = nn::functional;

const Json& golden() {
  return testing::golden_json("activations.json");
}

template <class T>
T parse(const std::string& text) {
  if constexpr (std::is_same_v<T, float>)
    return std::strtof(text.c_str(), nullptr);
  else
    return std::strtod(text.c_str(), nullptr);
}

template <class T>
std::vector<T> parse_list(const Json& values) {
  std::vector<T> out;
  for (const auto& v : values) out.push_back(parse<T>(v.get<std::string>()));
  return out;
}

template <class T>
bool same_bits(T a, T b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

// Non-finite values must match exactly; finite ones within rel * |expected| plus an absolute
// error of a few ulps of `scale` (the size of the terms that cancel in the formula).
template <class T>
bool close(T actual, T expected, double scale) {
  if (!std::isfinite(expected)) return same_bits(actual, expected);
  const double rel = std::is_same_v<T, float> ? 1e-5 : 1e-12;
  const double eps = std::numeric_limits<T>::epsilon();
  return std::abs(double(actual) - double(expected)) <=
         rel * std::abs(double(expected)) + 16 * eps * scale;
}

template <class T>
std::string str(T v) {
  std::ostringstream out;
  out.precision(std::numeric_limits<T>::max_digits10);
  out << v;
  return out.str();
}

template <class T>
Tensor tensor_of(const std::vector<T>& values, const Shape& shape) {
  return from_vector(values, shape);
}

template <class T>
Tensor tensor_of(const std::vector<T>& values) {
  return from_vector(values, {static_cast<std::int64_t>(values.size())});
}

// The same values in a non-contiguous layout (first and last dims stored swapped).
Tensor strided_copy(const Tensor& x) {
  if (x.dim() < 2) return x;
  const Tensor swapped = x.transpose(0, x.dim() - 1).contiguous().transpose(0, x.dim() - 1);
  EXPECT_FALSE(swapped.is_contiguous() && x.size(0) > 1 && x.size(-1) > 1);
  return swapped;
}

std::optional<std::int64_t> optional_dim(const Json& options) {
  if (!options.contains("dim") || options.at("dim").is_null()) return std::nullopt;
  return options.at("dim").get<std::int64_t>();
}

std::string case_name(const Json& c) {
  std::string name = c.at("module").get<std::string>() + c.at("options").dump() + " " +
                     c.at("dtype").get<std::string>();
  if (c.contains("shape")) name += " shape " + c.at("shape").dump();
  return name;
}

template <class T>
double max_abs_finite(const std::vector<T>& values) {
  double m = 1;
  for (T v : values) {
    if (std::isfinite(v)) m = std::max(m, std::abs(double(v)));
  }
  return m;
}

template <class T>
void expect_close_all(const std::vector<T>& actual, const std::vector<T>& expected, double scale,
                      const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  int failures = 0;
  for (std::size_t i = 0; i < actual.size() && failures < 5; ++i) {
    if (!close(actual[i], expected[i], scale)) {
      ++failures;
      ADD_FAILURE() << what << " element " << i << ": activ " << str(actual[i]) << ", torch "
                    << str(expected[i]);
    }
  }
}

// --- shaped golden cases: softmax family, GLU, CReLU, channel-wise PReLU ---------------------

struct ShapedResult {
  Tensor y, gx;
  std::map<std::string, Tensor> gparams;
};

template <class T>
ShapedResult run_shaped(const Json& c, const Tensor& x, const Tensor& gy) {
  const std::string module = c.at("module").get<std::string>();
  const Json& options = c.at("options");
  const auto dim = optional_dim(options);
  ShapedResult r;
  if (module == "Softmax") {
    r.y = F::softmax(x, {.dim = dim});
    r.gx = F::softmax_backward(gy, r.y, dim);
  } else if (module == "Softmin") {
    r.y = F::softmin(x, {.dim = dim});
    r.gx = F::softmin_backward(gy, r.y, dim);
  } else if (module == "LogSoftmax") {
    r.y = F::log_softmax(x, {.dim = dim});
    r.gx = F::log_softmax_backward(gy, r.y, dim);
  } else if (module == "Softmax2d") {
    r.y = F::softmax2d(x);
    r.gx = F::softmax2d_backward(gy, r.y);
  } else if (module == "GLU") {
    r.y = F::glu(x, {.dim = *dim});
    r.gx = F::glu_backward(gy, x, *dim);
  } else if (module == "CReLU") {
    r.y = F::crelu(x, {.dim = *dim});
    r.gx = F::crelu_backward(gy, x, *dim);
  } else if (module == "PReLU") {
    const Tensor weight = tensor_of(parse_list<T>(c.at("params").at("weight")));
    r.y = F::prelu(x, weight);
    const auto grads = F::prelu_backward(gy, x, weight);
    r.gx = grads.input;
    r.gparams["weight"] = grads.weight;
  } else {
    ADD_FAILURE() << "unknown shaped module " << module;
  }
  return r;
}

template <class T>
void check_shaped_case(const Json& c) {
  SCOPED_TRACE(case_name(c));
  const Shape shape = c.at("shape").get<Shape>();
  const Shape y_shape = c.at("y_shape").get<Shape>();
  const std::vector<T> x = parse_list<T>(c.at("x")), gy = parse_list<T>(c.at("gy"));
  const std::vector<T> y = parse_list<T>(c.at("y")), gx = parse_list<T>(c.at("gx"));
  const double scale = std::max(max_abs_finite(x), max_abs_finite(gy));
  const Tensor input = tensor_of(x, shape), grad = tensor_of(gy, y_shape);
  for (const bool strided : {false, true}) {
    SCOPED_TRACE(strided ? "strided input and grad_output" : "contiguous");
    const ShapedResult r = strided ? run_shaped<T>(c, strided_copy(input), strided_copy(grad))
                                   : run_shaped<T>(c, input, grad);
    ASSERT_EQ(r.y.sizes(), y_shape);
    ASSERT_EQ(r.gx.sizes(), shape);
    EXPECT_EQ(r.y.dtype(), input.dtype());
    expect_close_all(r.y.template to_vector<T>(), y, scale, "y");
    expect_close_all(r.gx.template to_vector<T>(), gx, scale, "gx");
    if (c.contains("gparams")) {
      for (const auto& [name, values] : c.at("gparams").items()) {
        expect_close_all(r.gparams.at(name).template to_vector<T>(), parse_list<T>(values),
                         scale * scale, "grad " + name);
      }
    }
  }
}

TEST(ShapedActivationReference, ValuesAndGradientsMatchTorch) {
  std::map<std::string, int> checked;
  for (const auto& c : golden().at("shaped")) {
    if (c.at("dtype") == "float32")
      check_shaped_case<float>(c);
    else
      check_shaped_case<double>(c);
    ++checked[c.at("module").get<std::string>()];
  }
  // Every dim-based module of the table has golden data (the learnable ones are elementwise there).
  for (const auto& info : nn::shaped_activations()) {
    if (info.kind == nn::ActivationKind::kDim) {
      EXPECT_GE(checked[info.module_name], 4) << info.module_name;
    }
  }
  EXPECT_EQ(checked["PReLU"], 8);
}

TEST(ShapedActivationReference, SoftmaxSpecialRows) {
  // torch: +inf or NaN anywhere gives a NaN row, an all -inf row NaN, -inf entries 0.
  const double inf = std::numeric_limits<double>::infinity(), nan = std::nan("");
  const Tensor x = tensor_of(
      std::vector<double>{-inf, 0, 1, -inf, -inf, -inf, inf, 0, 1, 1000, 0, nan, 1000, 0, 0},
      {5, 3});
  const std::vector<double> y = F::softmax(x, {.dim = 1}).to_vector<double>();
  EXPECT_EQ(y[0], 0);
  EXPECT_NEAR(y[1] + y[2], 1, 1e-15);
  for (int i = 3; i < 12; ++i) EXPECT_TRUE(std::isnan(y[i])) << i;
  EXPECT_EQ(y[12], 1);
  EXPECT_EQ(y[13], 0);
  const std::vector<double> log_y = F::log_softmax(x, {.dim = 1}).to_vector<double>();
  EXPECT_EQ(log_y[0], -inf);
  EXPECT_NEAR(log_y[1], -1.3132616875182228, 1e-15);
  EXPECT_EQ(log_y[12], 0);
  EXPECT_EQ(log_y[13], -1000);
}

TEST(ShapedActivationReference, ImplicitDimFollowsTorch) {
  EXPECT_EQ(F::implicit_softmax_dim(0), 0);
  EXPECT_EQ(F::implicit_softmax_dim(1), 0);
  EXPECT_EQ(F::implicit_softmax_dim(2), 1);
  EXPECT_EQ(F::implicit_softmax_dim(3), 0);
  EXPECT_EQ(F::implicit_softmax_dim(4), 1);
  // The modules default to dim=None.
  const Tensor x = randn({2, 3, 4}, float64);
  EXPECT_TRUE(equal(nn::Softmax()(x), F::softmax(x, {.dim = 0})));
  EXPECT_TRUE(equal(nn::LogSoftmax()(x.select(0, 1)), F::log_softmax(x.select(0, 1), {.dim = 1})));
}

// --- elementwise golden cases of the parametric ones: PReLU, RReLU eval, learnable Swish/GELU ---

template <class T>
std::vector<T> candidates(const Json& c, const std::string& key, std::size_t i) {
  std::vector<T> out = {parse<T>(c.at(key).at(i).get<std::string>())};
  const std::string index = std::to_string(i);
  for (const std::string& alternative : {key + "_scalar", key + "_ref"}) {
    if (c.contains(alternative) && c.at(alternative).contains(index))
      out.push_back(parse<T>(c.at(alternative).at(index).get<std::string>()));
  }
  return out;
}

template <class T>
Tensor parameter(const Json& c, const std::string& name) {
  return tensor_of(parse_list<T>(c.at("params").at(name)));
}

// y, gx and the per-element parameter gradients of one-element input [x].
template <class T>
std::pair<std::vector<T>, std::map<std::string, T>> run_elementwise(const Json& c, T x, T gy) {
  const std::string module = c.at("module").get<std::string>();
  const Json& o = c.at("options");
  const Tensor input = tensor_of(std::vector<T>{x}), grad = tensor_of(std::vector<T>{gy});
  if (module == "PReLU") {
    const Tensor w = parameter<T>(c, "weight");
    const auto g = F::prelu_backward(grad, input, w);
    return {{F::prelu(input, w).template item<T>(), g.input.template item<T>()},
            {{"weight", g.weight.template item<T>()}}};
  }
  if (module == "RReLU") {
    const nn::RReLUOptions options{.lower = o.at("lower").get<double>(),
                                   .upper = o.at("upper").get<double>()};
    return {{F::rrelu(input, options).template item<T>(),
             F::rrelu_backward(grad, input, Tensor(), options).template item<T>()},
            {}};
  }
  if (module == "Swish") {
    const Tensor beta = parameter<T>(c, "beta");
    const auto g = F::learnable_swish_backward(grad, input, beta);
    return {{F::learnable_swish(input, beta).template item<T>(), g.input.template item<T>()},
            {{"beta", g.beta.template item<T>()}}};
  }
  const Tensor mu = parameter<T>(c, "mu"), sigma = parameter<T>(c, "sigma");
  const auto g = F::learnable_gelu_backward(grad, input, mu, sigma);
  return {{F::learnable_gelu(input, mu, sigma).template item<T>(), g.input.template item<T>()},
          {{"mu", g.mu.template item<T>()}, {"sigma", g.sigma.template item<T>()}}};
}

template <class T>
void check_elementwise_case(const Json& c) {
  SCOPED_TRACE(case_name(c));
  const bool piecewise_linear = c.at("module") == "PReLU" || c.at("module") == "RReLU";
  const std::vector<T> x = parse_list<T>(c.at("x")), gy = parse_list<T>(c.at("gy"));
  int failures = 0;
  for (std::size_t i = 0; i < x.size() && failures < 10; ++i) {
    const auto [values, parameter_grads] = run_elementwise<T>(c, x[i], gy[i]);
    // Smooth functions: |x| and |gy| bound the terms that cancel; the parameter gradients carry a
    // factor x (beta: x^2), and torch's float32 1 - sigmoid loses bits where it is tiny.
    const double scale =
        std::max({1.0, std::abs(double(gy[i])), std::min(1e30, std::abs(double(x[i])))});
    for (std::size_t k = 0; k < 2; ++k) {
      const std::string key = k == 0 ? "y" : "gx";
      bool ok = false;
      for (T expected : candidates<T>(c, key, i))
        ok |= piecewise_linear ? same_bits(values[k], expected) : close(values[k], expected, scale);
      if (!ok) {
        ++failures;
        ADD_FAILURE() << key << " at x = " << str(x[i]) << ": activ " << str(values[k])
                      << ", torch " << c.at(key).at(i).template get<std::string>();
      }
    }
    for (const auto& [name, actual] : parameter_grads) {
      const T expected = parse<T>(c.at("gparams_elem").at(name).at(i).template get<std::string>());
      const double cancel = std::is_same_v<T, float> ? 1e3 : 1;  // float32 1 - s in torch
      if (!close(actual, expected, scale * scale * cancel) && !(actual == 0 && expected == 0)) {
        ++failures;
        ADD_FAILURE() << "grad " << name << " at x = " << str(x[i]) << ": activ " << str(actual)
                      << ", torch " << str(expected);
      }
    }
  }
}

TEST(ShapedActivationReference, ParametricElementwiseCasesMatchTorch) {
  std::map<std::string, int> checked;
  for (const auto& c : golden().at("elementwise")) {
    const std::string module = c.at("module").get<std::string>();
    const bool learnable_swish = module == "Swish" && c.at("options").value("learnable", false);
    if (module != "PReLU" && module != "RReLU" && module != "LearnableGELU" && !learnable_swish)
      continue;
    if (c.at("dtype") == "float32")
      check_elementwise_case<float>(c);
    else
      check_elementwise_case<double>(c);
    ++checked[module];
  }
  EXPECT_EQ(checked, (std::map<std::string, int>{
                         {"LearnableGELU", 4}, {"PReLU", 4}, {"RReLU", 4}, {"Swish", 2}}));
}

// --- RReLU in training mode ------------------------------------------------------------------

template <class T>
void check_rrelu_training(const Json& c) {
  SCOPED_TRACE(c.at("options").dump() + " " + c.at("dtype").get<std::string>());
  const Json& o = c.at("options");
  const double lower = o.at("lower").get<double>(), upper = o.at("upper").get<double>();
  const nn::RReLUOptions options{.lower = lower, .upper = upper, .training = true};
  const std::vector<T> x = parse_list<T>(c.at("x")), gy = parse_list<T>(c.at("gy"));
  const std::vector<T> torch_noise = parse_list<T>(c.at("noise")),
                       torch_y = parse_list<T>(c.at("y"));
  const std::vector<T> torch_gx = parse_list<T>(c.at("gx"));
  const Tensor input = tensor_of(x), grad = tensor_of(gy);
  Tensor noise;
  const std::vector<T> y = F::rrelu_with_noise(input, noise, options).template to_vector<T>();
  const std::vector<T> r = noise.template to_vector<T>();
  const std::vector<T> gx = F::rrelu_backward(grad, input, noise, options).template to_vector<T>();
  // torch's backward from torch's noise is reproduced bit for bit.
  const std::vector<T> gx_from_torch_noise =
      F::rrelu_backward(grad, input, tensor_of(torch_noise), options).template to_vector<T>();
  for (std::size_t i = 0; i < x.size(); ++i) {
    SCOPED_TRACE("x = " + str(x[i]));
    for (const auto& [noise_value, output] :
         {std::pair{r[i], y[i]}, std::pair{torch_noise[i], torch_y[i]}}) {
      if (x[i] <= 0) {  // a random slope, also at -0.0 and -inf
        EXPECT_GE(noise_value, T(lower));
        EXPECT_LE(noise_value, T(upper));
        EXPECT_TRUE(same_bits(output, T(x[i] * noise_value))) << str(output);
      } else {  // positive and NaN: slope 1
        EXPECT_EQ(noise_value, T(1));
        EXPECT_TRUE(same_bits(output, x[i])) << str(output);
      }
    }
    EXPECT_TRUE(same_bits(gx[i], T(gy[i] * r[i]))) << str(gx[i]);
    EXPECT_TRUE(same_bits(gx_from_torch_noise[i], torch_gx[i])) << str(gx_from_torch_noise[i]);
  }
}

TEST(RReLUTraining, NoiseSemanticsMatchTorch) {
  int checked = 0;
  for (const auto& c : golden().at("rrelu_training")) {
    if (c.at("dtype") == "float32")
      check_rrelu_training<float>(c);
    else
      check_rrelu_training<double>(c);
    ++checked;
  }
  EXPECT_EQ(checked, 6);
}

TEST(RReLUTraining, SlopesAreUniformAndSeeded) {
  const nn::RReLUOptions options{.lower = 0.1, .upper = 0.3, .training = true};
  const Tensor x = full({200000}, -1.0, float64);
  manual_seed(11);
  Tensor noise;
  const Tensor y = F::rrelu_with_noise(x, noise, options);
  EXPECT_NEAR(noise.mean().item<double>(), 0.2, 1e-3);
  EXPECT_GE(noise.min().item<double>(), 0.1);
  EXPECT_LE(noise.max().item<double>(), 0.3);
  EXPECT_LT(noise.min().item<double>(), 0.1001);
  EXPECT_GT(noise.max().item<double>(), 0.2999);
  EXPECT_TRUE(equal(y, neg(noise)));
  manual_seed(11);
  EXPECT_TRUE(equal(F::rrelu(x, options), y));  // same seed, same slopes
  EXPECT_FALSE(equal(F::rrelu(x, options), y));
}

TEST(RReLUTraining, ModuleModes) {
  nn::RReLU rrelu({.lower = 0.1, .upper = 0.3});
  EXPECT_TRUE(rrelu.is_training());
  const Tensor x = full({1000}, -2.0, float32);
  const Tensor trained = rrelu(x);
  EXPECT_GT(trained.max().item<float>() - trained.min().item<float>(), 0.1f);  // random slopes
  rrelu.eval();
  EXPECT_TRUE(equal(rrelu(x), full({1000}, -2.0f * 0.2f, float32)));  // (lower + upper) / 2
  EXPECT_TRUE(rrelu.parameters().empty());
}

TEST(RReLUInPlace, WritesTheInputInBothModes) {
  for (const bool training : {false, true}) {
    SCOPED_TRACE(training ? "training" : "eval");
    const nn::RReLUOptions options{.lower = 0.1, .upper = 0.3, .training = training};
    const Tensor original = tensor_of(std::vector<double>{-1, 2, -3, 4, 0.5, -0.25}, {2, 3});
    manual_seed(3);
    const Tensor expected = F::rrelu(original, options);

    Tensor x = original.clone();
    manual_seed(3);
    Tensor& result = F::rrelu_(x, options);
    EXPECT_EQ(&result, &x);
    EXPECT_TRUE(equal(x, expected));

    Tensor base = original.t().contiguous();  // in place on a transposed view writes the base
    Tensor view = base.t();
    manual_seed(3);
    F::rrelu_(view, options);
    EXPECT_TRUE(equal(base.t(), expected));

    Tensor y = original.clone();
    nn::RReLU module({.lower = 0.1, .upper = 0.3, .inplace = true});
    module.train(training);
    manual_seed(3);
    const Tensor out = module(y);
    EXPECT_EQ(out.data_ptr<double>(), y.data_ptr<double>());
    EXPECT_TRUE(equal(y, expected));
  }
}

// --- finite differences (float64) ------------------------------------------------------------

Tensor sample(const Shape& shape, std::uint64_t seed) {
  manual_seed(seed);
  return randn(shape, float64) * 2.0;
}

TEST(ShapedActivationGradients, SoftmaxFamilyMatchesFiniteDifferences) {
  const Tensor x3 = sample({2, 3, 4}, 1);
  for (const Tensor& x : {x3, strided_copy(x3), x3.select(1, 2)}) {
    const Tensor g = sample(x.sizes(), 2);
    for (std::int64_t dim = -x.dim(); dim < x.dim(); ++dim) {
      SCOPED_TRACE("shape " + shape_str(x.sizes()) + " dim " + std::to_string(dim));
      EXPECT_TRUE(testing::check_unary_vjp(
          [&](const Tensor& t) { return F::softmax(t, {.dim = dim}); },
          [&](const Tensor& gy, const Tensor& t) {
            return F::softmax_backward(gy, F::softmax(t, {.dim = dim}), dim);
          },
          x, g));
      EXPECT_TRUE(testing::check_unary_vjp(
          [&](const Tensor& t) { return F::softmin(t, {.dim = dim}); },
          [&](const Tensor& gy, const Tensor& t) {
            return F::softmin_backward(gy, F::softmin(t, {.dim = dim}), dim);
          },
          x, g));
      EXPECT_TRUE(testing::check_unary_vjp(
          [&](const Tensor& t) { return F::log_softmax(t, {.dim = dim}); },
          [&](const Tensor& gy, const Tensor& t) {
            return F::log_softmax_backward(gy, F::log_softmax(t, {.dim = dim}), dim);
          },
          x, g));
    }
  }
  const Tensor x4 = sample({2, 3, 2, 2}, 3);
  EXPECT_TRUE(testing::check_unary_vjp(
      [](const Tensor& t) { return F::softmax2d(t); },
      [](const Tensor& gy, const Tensor& t) { return F::softmax2d_backward(gy, F::softmax2d(t)); },
      x4, sample(x4.sizes(), 4)));
}

TEST(ShapedActivationGradients, GluAndCReluMatchFiniteDifferences) {
  const Tensor x = sample({4, 2, 6}, 5);
  for (std::int64_t dim : {0, 1, 2, -1}) {
    SCOPED_TRACE("dim " + std::to_string(dim));
    Shape half = x.sizes();
    half[(dim + 3) % 3] /= 2;
    EXPECT_TRUE(testing::check_unary_vjp(
        [&](const Tensor& t) { return F::glu(t, {.dim = dim}); },
        [&](const Tensor& gy, const Tensor& t) { return F::glu_backward(gy, t, dim); },
        strided_copy(x), sample(half, 6)));
    Shape twice = x.sizes();
    twice[(dim + 3) % 3] *= 2;
    EXPECT_TRUE(testing::check_unary_vjp(
        [&](const Tensor& t) { return F::crelu(t, {.dim = dim}); },
        [&](const Tensor& gy, const Tensor& t) { return F::crelu_backward(gy, t, dim); },
        strided_copy(x), sample(twice, 7)));
  }
}

TEST(ShapedActivationGradients, PReluMatchesFiniteDifferencesForInputAndWeight) {
  for (const Shape& shape : {Shape{2, 3, 4}, Shape{5, 3}, Shape{3, 3, 2, 2}}) {
    for (const std::int64_t parameters : {std::int64_t{1}, std::int64_t{3}}) {
      SCOPED_TRACE(shape_str(shape) + " num_parameters " + std::to_string(parameters));
      const Tensor x = sample(shape, 8), g = sample(shape, 9);
      const Tensor w = tensor_of(std::vector<double>{0.25, -0.1, 1.5}).narrow(0, 0, parameters);
      EXPECT_TRUE(
          testing::check_vjp([](const std::vector<Tensor>& in) { return F::prelu(in[0], in[1]); },
                             [](const std::vector<Tensor>& in, const Tensor& gy) {
                               const auto grads = F::prelu_backward(gy, in[0], in[1]);
                               return std::vector<Tensor>{grads.input, grads.weight};
                             },
                             {strided_copy(x), w}, g));
    }
  }
}

TEST(ShapedActivationGradients, RReluMatchesFiniteDifferences) {
  const Tensor x = sample({3, 5}, 10), g = sample({3, 5}, 11);
  for (const bool training : {false, true}) {
    SCOPED_TRACE(training ? "training" : "eval");
    const nn::RReLUOptions options{.lower = 0.1, .upper = 0.3, .training = training};
    // The same seed for every evaluation: the same slopes, so a deterministic function of x.
    const auto forward = [&](const Tensor& t) {
      manual_seed(5);
      return F::rrelu(t, options);
    };
    EXPECT_TRUE(testing::check_unary_vjp(
        forward,
        [&](const Tensor& gy, const Tensor& t) {
          manual_seed(5);
          Tensor noise;
          F::rrelu_with_noise(t, noise, options);
          return F::rrelu_backward(gy, t, noise, options);
        },
        x, g));
  }
}

TEST(ShapedActivationGradients, LearnableSwishAndGeluMatchFiniteDifferencesForEveryParameter) {
  const Tensor x = sample({4, 5}, 12), g = sample({4, 5}, 13);
  for (const double beta : {1.0, 1.702, -0.5}) {
    SCOPED_TRACE("beta " + std::to_string(beta));
    EXPECT_TRUE(testing::check_vjp(
        [](const std::vector<Tensor>& in) { return F::learnable_swish(in[0], in[1]); },
        [](const std::vector<Tensor>& in, const Tensor& gy) {
          const auto grads = F::learnable_swish_backward(gy, in[0], in[1]);
          return std::vector<Tensor>{grads.input, grads.beta};
        },
        {strided_copy(x), full({1}, beta, float64)}, g));
  }
  for (const auto& [mu, sigma] : {std::pair{0.0, 1.0}, std::pair{0.5, 2.0}, std::pair{-1.0, 0.3}}) {
    SCOPED_TRACE("mu " + std::to_string(mu) + " sigma " + std::to_string(sigma));
    EXPECT_TRUE(testing::check_vjp(
        [](const std::vector<Tensor>& in) { return F::learnable_gelu(in[0], in[1], in[2]); },
        [](const std::vector<Tensor>& in, const Tensor& gy) {
          const auto grads = F::learnable_gelu_backward(gy, in[0], in[1], in[2]);
          return std::vector<Tensor>{grads.input, grads.mu, grads.sigma};
        },
        {strided_copy(x), full({1}, mu, float64), full({}, sigma, float64)}, g));
  }
}

// --- layouts and threading -------------------------------------------------------------------

TEST(ShapedActivationLayouts, LargeSoftmaxMatchesLogsumexpInEveryDim) {
  // Big enough for several threads and row blocks; dims first, middle and last.
  const Tensor x = sample({40, 300, 7}, 14);
  for (std::int64_t dim = 0; dim < 3; ++dim) {
    SCOPED_TRACE("dim " + std::to_string(dim));
    const Tensor log_expected = sub(x, x.logsumexp({dim}, true));
    EXPECT_TRUE(allclose(F::log_softmax(x, {.dim = dim}), log_expected, 1e-12, 1e-12));
    EXPECT_TRUE(allclose(F::softmax(x, {.dim = dim}), exp(log_expected), 1e-12, 1e-15));
    const Tensor xf = x.to(float32);
    EXPECT_TRUE(allclose(F::softmax(strided_copy(xf), {.dim = dim}), exp(log_expected).to(float32),
                         1e-5, 1e-7));
  }
}

TEST(ShapedActivationLayouts, EmptyAndZeroDimInputs) {
  EXPECT_EQ(F::softmax(zeros({0, 3}), {.dim = 1}).sizes(), (Shape{0, 3}));
  EXPECT_EQ(F::softmax(zeros({3, 0}), {.dim = 1}).sizes(), (Shape{3, 0}));
  EXPECT_EQ(F::log_softmax(zeros({2, 3, 0}), {.dim = 1}).sizes(), (Shape{2, 3, 0}));
  EXPECT_EQ(F::softmax_backward(zeros({2, 3, 0}), zeros({2, 3, 0}), 1).sizes(), (Shape{2, 3, 0}));
  EXPECT_EQ(F::glu(zeros({0, 4}), {.dim = 1}).sizes(), (Shape{0, 2}));
  EXPECT_EQ(F::softmax(full({}, 5.0, float64), {.dim = -1}).item<double>(), 1.0);
  EXPECT_EQ(F::prelu(full({}, -2.0, float64), full({1}, 0.25, float64)).item<double>(), -0.5);
}

// --- modules, reprs, catalogue ---------------------------------------------------------------

TEST(ShapedActivationModules, ParametersAndConversion) {
  nn::PReLU prelu({.num_parameters = 3, .init = 0.1});
  ASSERT_EQ(prelu.parameters().size(), 1u);
  EXPECT_EQ(prelu.weight().sizes(), (Shape{3}));
  EXPECT_EQ(prelu.weight().dtype(), float32);
  EXPECT_EQ(prelu.weight().to_vector<float>(), (std::vector<float>{0.1f, 0.1f, 0.1f}));
  EXPECT_TRUE(prelu.parameters()[0].is_alias_of(prelu.weight()));
  prelu.to(float64);
  EXPECT_EQ(prelu.weight().dtype(), float64);
  const Tensor x = sample({2, 3, 2}, 15);
  EXPECT_TRUE(equal(prelu(x), F::prelu(x, full({3}, 0.1f, float32).to(float64))));

  nn::LearnableSwish swish({.beta = 1.5});
  EXPECT_EQ(swish.beta().to_vector<float>(), std::vector<float>{1.5f});
  swish.to(float64);
  EXPECT_TRUE(equal(swish(x), F::swish(x, {.beta = 1.5})));

  nn::LearnableGELU gelu({.mu = 0.5, .sigma = 2.0});
  ASSERT_EQ(gelu.parameters().size(), 2u);
  EXPECT_EQ(gelu.mu().item<float>(), 0.5f);
  EXPECT_EQ(gelu.sigma().item<float>(), 2.0f);
  gelu.to(float64);
  EXPECT_TRUE(equal(gelu(x), F::learnable_gelu(x, gelu.mu(), gelu.sigma())));
  // sigma 1, mu 0 is GELU: x * Phi(x).
  const Tensor standard = nn::LearnableGELU().to(float64)(tensor_of(std::vector<double>{1.0}));
  EXPECT_NEAR(standard.item<double>(), 0.8413447460685429, 1e-15);

  EXPECT_TRUE(equal(nn::GLU()(x.narrow(2, 0, 2)), F::glu(x.narrow(2, 0, 2), {.dim = -1})));
  EXPECT_TRUE(equal(nn::CReLU()(x), cat({F::relu(x), F::relu(neg(x))}, 1)));
  EXPECT_TRUE(equal(nn::Softmin({.dim = 1})(x), F::softmax(neg(x), {.dim = 1})));
  EXPECT_TRUE(equal(nn::Softmax2d()(x), F::softmax(x, {.dim = 0})));
  EXPECT_TRUE(nn::Softmax().parameters().empty());
}

// A Python literal as the module would receive it: 1 is an int, 0.1 a float, None no dim.
Json python_value(const std::string& text) {
  if (text == "True" || text == "False") return text == "True";
  if (text == "None") return nullptr;
  if (text.find_first_of(".eE") != std::string::npos) return std::stod(text);
  return std::stoll(text);
}

template <class Options>
Options options_from(const Json& values) {
  Options options;
  nn::for_each_option(options, [&](const char* name, auto& member, nn::OptionStyle) {
    if (!values.contains(name)) return;
    const Json& value = values.at(name);
    using Member = std::remove_cvref_t<decltype(member)>;
    if constexpr (std::is_same_v<Member, Scalar>) {
      member = value.is_number_integer() ? Scalar(value.get<std::int64_t>())
                                         : Scalar(value.get<double>());
    } else if constexpr (std::is_same_v<Member, std::optional<std::int64_t>>) {
      if (!value.is_null()) member = value.get<std::int64_t>();
    } else {
      member = value.get<Member>();
    }
  });
  return options;
}

// The module's repr built from JSON options, and the names torch's constructor takes positionally.
struct ModuleEntry {
  std::function<std::string(const Json&)> repr;
  std::vector<std::string> positional;
};

const std::map<std::string, ModuleEntry>& shaped_modules() {
  static const std::map<std::string, ModuleEntry> modules = [] {
    std::map<std::string, ModuleEntry> out;
#define ACTIV_TEST_MODULE(Name, functional, kind, OPTIONS, PARAMETERS)                             \
  {                                                                                                \
    ModuleEntry entry;                                                                             \
    entry.repr = [](const Json& o) {                                                               \
      return nn::Name(options_from<nn::Name##Options>(o)).repr();                                  \
    };                                                                                             \
    nn::for_each_option(nn::Name##Options{}, [&](const char* name, const auto&, nn::OptionStyle) { \
      if (std::string(name) != "training")                                                         \
        entry.positional.push_back(name); /* not a ctor argument */                                \
    });                                                                                            \
    out[#Name] = entry;                                                                            \
  }
    ACTIV_SHAPED_ACTIVATIONS(ACTIV_TEST_MODULE, ACTIV_IGNORE_OPTION, ACTIV_IGNORE_PARAMETER)
#undef ACTIV_TEST_MODULE
    return out;
  }();
  return modules;
}

// "nn.Name(arg, name=arg)" -> module name and JSON options; empty name when not one of ours.
std::pair<std::string, Json> parse_construct(const std::string& text) {
  const auto open = text.find('(');
  if (text.rfind("nn.", 0) != 0 || text.back() != ')') return {};
  const std::string module = text.substr(3, open - 3);
  const auto found = shaped_modules().find(module);
  if (found == shaped_modules().end()) return {};
  Json options = Json::object();
  std::stringstream arguments(text.substr(open + 1, text.size() - open - 2));
  std::string argument;
  for (std::size_t k = 0; std::getline(arguments, argument, ','); ++k) {
    argument.erase(std::remove(argument.begin(), argument.end(), ' '), argument.end());
    const auto equals = argument.find('=');
    if (equals == std::string::npos)
      options[found->second.positional.at(k)] = python_value(argument);
    else
      options[argument.substr(0, equals)] = python_value(argument.substr(equals + 1));
  }
  return {module, options};
}

TEST(ShapedActivationModules, ReprsMatchTorch) {
  std::set<std::string> covered;
  for (const auto& r : golden().at("reprs")) {
    const std::string construct = r.at("construct").get<std::string>();
    const auto [module, options] = parse_construct(construct);
    if (module.empty()) continue;
    EXPECT_EQ(shaped_modules().at(module).repr(options), r.at("repr").get<std::string>())
        << construct;
    covered.insert(module);
  }
  EXPECT_EQ(covered, (std::set<std::string>{"GLU", "LogSoftmax", "PReLU", "RReLU", "Softmax",
                                            "Softmax2d", "Softmin"}));
  // The seed activations (not torch modules) print the same way.
  EXPECT_EQ(nn::CReLU().repr(), "CReLU(dim=1)");
  EXPECT_EQ(nn::CReLU({.dim = -1}).repr(), "CReLU(dim=-1)");
  EXPECT_EQ(nn::LearnableSwish().repr(), "LearnableSwish(beta=1.0)");
  EXPECT_EQ(nn::LearnableSwish({.beta = 1.702}).repr(), "LearnableSwish(beta=1.702)");
  EXPECT_EQ(nn::LearnableGELU().repr(), "LearnableGELU(mu=0.0, sigma=1.0)");
  EXPECT_EQ(nn::LearnableGELU({.mu = 0.5, .sigma = 2}).repr(), "LearnableGELU(mu=0.5, sigma=2)");
  std::ostringstream printed;
  printed << nn::RReLU({.lower = 0.1, .upper = 0.3, .inplace = true});
  EXPECT_EQ(printed.str(), "RReLU(lower=0.1, upper=0.3, inplace=True)");
}

TEST(ShapedActivationModules, CatalogueListsTheTable) {
  const auto& catalogue = nn::shaped_activations();
  std::vector<std::string> names;
  for (const auto& info : catalogue) names.push_back(info.module_name);
  EXPECT_EQ(names, (std::vector<std::string>{"Softmax", "Softmin", "LogSoftmax", "Softmax2d", "GLU",
                                             "CReLU", "PReLU", "RReLU", "LearnableSwish",
                                             "LearnableGELU"}));
  const auto& softmax = catalogue[0];
  EXPECT_EQ(softmax.functional_name, "softmax");
  EXPECT_EQ(softmax.kind, nn::ActivationKind::kDim);
  ASSERT_EQ(softmax.options.size(), 1u);
  EXPECT_EQ(softmax.options[0].type, "int or None");
  EXPECT_EQ(softmax.options[0].default_value, "None");
  const auto& prelu = catalogue[6];
  EXPECT_EQ(prelu.kind, nn::ActivationKind::kParametric);
  EXPECT_EQ(prelu.parameters, std::vector<std::string>{"weight"});
  EXPECT_EQ(prelu.options[0].type, "int");
  EXPECT_EQ(prelu.options[1].default_value, "0.25");
  EXPECT_EQ(catalogue[7].kind, nn::ActivationKind::kRandomized);
  EXPECT_EQ(catalogue[7].options[1].default_value, "0.3333333333333333");
  EXPECT_EQ(catalogue[9].parameters, (std::vector<std::string>{"mu", "sigma"}));
  for (const auto& info : nn::elementwise_activations())
    EXPECT_EQ(info.kind, nn::ActivationKind::kElementwise);
}

// --- errors ----------------------------------------------------------------------------------

enum class Kind { kShape, kIndex, kType, kValue };

struct ExpectedError {
  std::function<void()> call;
  Kind kind;
  std::vector<std::string> mentions;  // the function, the argument, the expectation, the value
};

const std::map<std::string, ExpectedError>& expected_errors() {
  static const std::map<std::string, ExpectedError> errors = [] {
    const Tensor x = tensor_of(std::vector<float>{-1.0f, 0.5f});
    std::map<std::string, ExpectedError> out;
    out["nn.GLU()(randn(3, 5))"] = {[] {
                                      nn::GLU()(randn({3, 5}));
                                    },
                                    Kind::kShape,
                                    {"glu", "even", "dim 1", "size 5"}};
    out["nn.GLU()(tensor(1.0))"] = {
        [] { nn::GLU()(full({}, 1.0)); }, Kind::kShape, {"glu", "input", "0-d"}};
    out["nn.GLU(dim=2)(randn(3, 4))"] = {[] {
                                           nn::GLU({.dim = 2})(randn({3, 4}));
                                         },
                                         Kind::kIndex,
                                         {"glu", "dim 2", "[-2, 1]"}};
    out["nn.GLU(dim=-3)(randn(3, 4))"] = {[] {
                                            nn::GLU({.dim = -3})(randn({3, 4}));
                                          },
                                          Kind::kIndex,
                                          {"glu", "dim -3", "[-2, 1]"}};
    out["nn.PReLU(3)(randn(2, 4))"] = {
        [] {
          nn::PReLU({.num_parameters = 3})(randn({2, 4}));
        },
        Kind::kShape,
        {"prelu", "weight", "3 elements", "num_parameters", "4 channels"}};
    out["nn.PReLU(3)(randn(3))"] = {[] { nn::PReLU({.num_parameters = 3})(randn({3})); },
                                    Kind::kShape,
                                    {"prelu", "weight", "3 elements", "1 channels"}};
    out["nn.PReLU(3)(tensor(1.0))"] = {[] { nn::PReLU({.num_parameters = 3})(full({}, 1.0)); },
                                       Kind::kShape,
                                       {"prelu", "0-d input", "num_parameters = 1", "3 elements"}};
    out["F.prelu(randn(2, 3), randn(3, 1))"] = {[] {
                                                  F::prelu(randn({2, 3}), randn({3, 1}));
                                                },
                                                Kind::kShape,
                                                {"prelu", "'weight'", "1-d", "ndim = 2"}};
    out["nn.Softmax2d()(randn(3, 4))"] = {[] {
                                            nn::Softmax2d()(randn({3, 4}));
                                          },
                                          Kind::kShape,
                                          {"softmax2d", "'input'", "3-D", "4-D", "got 2-D"}};
    out["nn.Softmax2d()(randn(1, 2, 3, 4, 5))"] = {[] {
                                                     nn::Softmax2d()(randn({1, 2, 3, 4, 5}));
                                                   },
                                                   Kind::kShape,
                                                   {"softmax2d", "'input'", "got 5-D"}};
    out["nn.Softmax(dim=2)(randn(2, 3))"] = {[] {
                                               nn::Softmax({.dim = 2})(randn({2, 3}));
                                             },
                                             Kind::kIndex,
                                             {"softmax", "dim 2", "[-2, 1]"}};
    out["nn.Softmax(dim=-3)(randn(2, 3))"] = {[] {
                                                nn::Softmax({.dim = -3})(randn({2, 3}));
                                              },
                                              Kind::kIndex,
                                              {"softmax", "dim -3", "[-2, 1]"}};
    out["nn.Softmax(dim=1)(tensor(2.0))"] = {[] { nn::Softmax({.dim = 1})(full({}, 2.0)); },
                                             Kind::kIndex,
                                             {"softmax", "dim 1", "[-1, 0]"}};
    out["nn.LogSoftmax(dim=3)(randn(2, 3))"] = {[] {
                                                  nn::LogSoftmax({.dim = 3})(randn({2, 3}));
                                                },
                                                Kind::kIndex,
                                                {"log_softmax", "dim 3", "[-2, 1]"}};
    out["F.softmax(tensor([1, 2]), 0)"] = {[] {
                                             F::softmax(tensor({1, 2}), {.dim = 0});
                                           },
                                           Kind::kType,
                                           {"softmax", "'input'", "float32 or float64", "int64"}};
    out["nn.RReLU(0.5, 0.1)(x)"] = {[x] { nn::RReLU({.lower = 0.5, .upper = 0.1})(x); },
                                    Kind::kValue,
                                    {"rrelu", "lower <= upper", "lower=0.5", "upper=0.1"}};
    out["nn.RReLU(0.5, 0.1).eval()(x)"] = {[x] {
                                             nn::RReLU module({.lower = 0.5, .upper = 0.1});
                                             module.eval();
                                             module(x);
                                           },
                                           Kind::kValue,
                                           {"rrelu", "lower <= upper", "lower=0.5", "upper=0.1"}};
    out["CReLU dim=1 on randn(2): torch.cat((relu(x), relu(-x)), dim=1)"] = {
        [] { nn::CReLU()(randn({2})); }, Kind::kIndex, {"crelu", "dim 1", "[-1, 0]"}};
    return out;
  }();
  return errors;
}

TEST(ShapedActivationErrors, GoldenErrorsAreRaisedWithClearMessages) {
  int checked = 0;
  for (const auto& e : golden().at("errors")) {
    const std::string call = e.at("call").get<std::string>();
    const auto found = expected_errors().find(call);
    const bool ours =
        call.find("GLU") != std::string::npos || call.find("PReLU") != std::string::npos ||
        call.find("prelu") != std::string::npos || call.find("oftmax") != std::string::npos ||
        call.find("RReLU") != std::string::npos || call.find("CReLU") != std::string::npos;
    if (!ours) continue;
    ASSERT_NE(found, expected_errors().end()) << "no activ counterpart for " << call;
    SCOPED_TRACE(call + " (torch: " + e.at("message").get<std::string>() + ")");
    const ExpectedError& expected = found->second;
    try {
      expected.call();
      ADD_FAILURE() << "no error";
    } catch (const Error& error) {
      const bool right_class =
          expected.kind == Kind::kShape   ? dynamic_cast<const ShapeError*>(&error) != nullptr
          : expected.kind == Kind::kIndex ? dynamic_cast<const IndexError*>(&error) != nullptr
          : expected.kind == Kind::kType  ? dynamic_cast<const TypeError*>(&error) != nullptr
                                          : dynamic_cast<const ValueError*>(&error) != nullptr;
      EXPECT_TRUE(right_class) << error.what();
      const std::string message = error.what();
      for (const std::string& part : expected.mentions)
        EXPECT_NE(message.find(part), std::string::npos)
            << "'" << part << "' missing in: " << message;
    }
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(expected_errors().size()));
}

TEST(ShapedActivationErrors, IntegerInputsAndMismatchedGradients) {
  const Tensor integers = tensor({1, -2});
  const std::vector<std::pair<std::string, std::function<void()>>> calls = {
      {"softmin", [&] { F::softmin(integers, {.dim = 0}); }},
      {"log_softmax", [&] { F::log_softmax(integers, {.dim = 0}); }},
      {"glu", [&] { F::glu(integers, {.dim = 0}); }},
      {"crelu", [&] { F::crelu(integers, {.dim = 0}); }},
      {"prelu", [&] { F::prelu(integers, full({1}, 0.25)); }},
      {"rrelu", [&] { F::rrelu(integers); }},
      {"learnable_swish", [&] { F::learnable_swish(integers, full({1}, 1.0)); }},
      {"learnable_gelu", [&] { F::learnable_gelu(integers, full({1}, 0.0), full({1}, 1.0)); }},
  };
  for (const auto& [op, call] : calls) {
    try {
      call();
      ADD_FAILURE() << op << ": no error";
    } catch (const TypeError& error) {
      EXPECT_NE(std::string(error.what()).find(op), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find("int64"), std::string::npos) << error.what();
    }
  }
  const Tensor x = randn({2, 4}, float64);
  EXPECT_THROW(F::softmax_backward(randn({2, 3}, float64), x, 1), ShapeError);
  EXPECT_THROW(F::softmax_backward(randn({2, 4}), x, 1), TypeError);
  EXPECT_THROW(F::glu_backward(randn({2, 4}, float64), x, 1), ShapeError);    // needs [2, 2]
  EXPECT_THROW(F::crelu_backward(randn({2, 4}, float64), x, 1), ShapeError);  // needs [2, 8]
  EXPECT_THROW(F::prelu(x, full({1}, 0.25)), TypeError);                      // float32 weight
  EXPECT_THROW(F::learnable_swish(x, full({2}, 1.0, float64)), ShapeError);   // two betas
  EXPECT_THROW(F::rrelu_backward(x, x, Tensor(), {.training = true}), ValueError);  // no noise
  EXPECT_THROW(nn::PReLU({.num_parameters = -1}), ValueError);
  EXPECT_THROW(nn::LearnableGELU({.sigma = 0.0}), ValueError);
}

}  // namespace
}  // namespace activ
