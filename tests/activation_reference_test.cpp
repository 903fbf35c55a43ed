// Every elementwise activation of the table against PyTorch 1.13: tests/golden/activations.json
// (written by tools/gen_activation_reference.py, schema in its docstring) holds torch's inputs,
// outputs, gradients, reprs and errors. The cases are driven by activation_table.h, so a new
// table entry gets these tests (and fails until the golden file has data for it).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "activ/error.h"
#include "activ/kernels.h"
#include "activ/nn/activation.h"
#include "activ/nn/functional.h"
#include "activ/nn/options.h"
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

// --- the table as run-time entries ------------------------------------------------------------

// Options are passed around as JSON objects (torch's keyword names and Python-typed values).
struct Activation {
  std::string module;
  std::string functional;
  bool piecewise_linear;
  bool has_inplace_option;
  std::vector<std::string> option_names;
  std::function<Tensor(const Tensor&, const Json&)> forward;
  std::function<Tensor(const Tensor&, const Json&)> forward_with_inplace_option;
  std::function<Tensor&(Tensor&, const Json&)> forward_;
  std::function<Tensor(const Tensor&, const Tensor&, const Json&)> backward;
  std::function<Tensor(const Tensor&, const Json&)> second_derivative;
  std::function<std::string(const Json&)> repr;  // constructs the module
};

// Builds Options from JSON values matched by name; a JSON integer stays an integer Scalar, as
// Python's 1 stays 1 (torch prints it so).
template <class Options>
Options options_from(const Json& values) {
  Options options;
  nn::for_each_option(options, [&](const char* name, auto& member, nn::OptionStyle) {
    if (!values.contains(name)) return;
    const Json& value = values.at(name);
    using Member = std::remove_cvref_t<decltype(member)>;
    if constexpr (std::is_same_v<Member, Scalar>) {
      if (value.is_number_integer())
        member = Scalar(value.get<std::int64_t>());
      else
        member = Scalar(value.get<double>());
    } else {
      member = value.get<Member>();
    }
  });
  return options;
}

template <class Options>
std::vector<std::string> option_names() {
  std::vector<std::string> names;
  nn::for_each_option(
      Options{}, [&](const char* name, const auto&, nn::OptionStyle) { names.push_back(name); });
  return names;
}

const std::vector<Activation>& activations() {
  static const std::vector<Activation> table = [] {
    std::vector<Activation> entries;
#define ACTIV_TEST_ENTRY(Name, fn, smoothness, ...)                                                \
  {                                                                                                \
    using Options = nn::Name##Options;                                                             \
    Activation a;                                                                                  \
    a.module = #Name;                                                                              \
    a.functional = #fn;                                                                            \
    a.piecewise_linear = kernels::Smoothness::smoothness == kernels::Smoothness::kPiecewiseLinear; \
    a.option_names = option_names<Options>();                                                      \
    a.has_inplace_option = false;                                                                  \
    for (const auto& n : a.option_names) a.has_inplace_option |= n == "inplace";                   \
    a.forward = [](const Tensor& x, const Json& o) { return F::fn(x, options_from<Options>(o)); }; \
    a.forward_with_inplace_option = [](const Tensor& x, const Json& o) {                           \
      Options options = options_from<Options>(o);                                                  \
      nn::for_each_option(options, [](const char* name, auto& member, nn::OptionStyle) {           \
        if constexpr (std::is_same_v<std::remove_cvref_t<decltype(member)>, bool>) {               \
          if (std::string(name) == "inplace") member = true;                                       \
        }                                                                                          \
      });                                                                                          \
      return nn::Name(options)(x);                                                                 \
    };                                                                                             \
    a.forward_ = [](Tensor& x, const Json& o) -> Tensor& {                                         \
      return F::fn##_(x, options_from<Options>(o));                                                \
    };                                                                                             \
    a.backward = [](const Tensor& g, const Tensor& x, const Json& o) {                             \
      return F::fn##_backward(g, x, options_from<Options>(o));                                     \
    };                                                                                             \
    a.second_derivative = [](const Tensor& x, const Json& o) {                                     \
      return F::fn##_second_derivative(x, options_from<Options>(o));                               \
    };                                                                                             \
    a.repr = [](const Json& o) { return nn::Name(options_from<Options>(o)).repr(); };              \
    entries.push_back(std::move(a));                                                               \
  }
    ACTIV_ELEMENTWISE_ACTIVATIONS(ACTIV_TEST_ENTRY, ACTIV_IGNORE_OPTION)
#undef ACTIV_TEST_ENTRY
    return entries;
  }();
  return table;
}

const Activation* find_activation(const std::string& module) {
  for (const auto& a : activations()) {
    if (a.module == module) return &a;
  }
  return nullptr;
}

// JSON options that activ has no member for; "learnable" only says whether torch trains beta.
std::vector<std::string> unknown_options(const Activation& a, const Json& options) {
  std::vector<std::string> unknown;
  for (const auto& [key, value] : options.items()) {
    bool known = key == "learnable";
    for (const auto& n : a.option_names) known |= n == key;
    if (!known) unknown.push_back(key);
  }
  return unknown;
}

// --- values ---------------------------------------------------------------------------------

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

// Smooth functions: within rel of torch, plus the absolute error torch's own formulas make near
// 0 (x - tanh(x), exp(x) - 1 cancel to ~eps * |x|) and in the subnormal range.
// scale: the largest |option| and |grad_output|; torch's exp(x) - 1 and g - g (1 - t^2) err by
// ~eps * scale in absolute terms near 0, where activ is exact.
template <class T>
bool close(T actual, T expected, T x, double scale) {
  if (std::isnan(expected) || std::isinf(expected)) return same_bits(actual, expected);
  // The sign of a zero is torch's semantics at x = +-0 and +-inf; elsewhere a zero is an
  // underflow or cancellation whose sign torch leaves to its formula.
  if (expected == 0 && actual == 0)
    return std::signbit(actual) == std::signbit(expected) || (x != 0 && std::isfinite(x));
  const double rel = std::is_same_v<T, float> ? 1e-5 : 1e-12;
  const double eps = std::numeric_limits<T>::epsilon();
  const double tolerance =
      rel * std::abs(double(expected)) + 4 * eps * std::min(1.0, std::abs(double(x))) +
      (std::abs(double(x)) <= 1 ? 8 * eps * scale : 0) + double(std::numeric_limits<T>::min()) * 4;
  return std::abs(double(actual) - double(expected)) <= tolerance;
}

template <class T>
std::string str(T v) {
  std::ostringstream out;
  out.precision(std::numeric_limits<T>::max_digits10);
  out << v;
  return out.str();
}

template <class T>
Tensor tensor_of(const std::vector<T>& values) {
  return from_vector(values, {static_cast<std::int64_t>(values.size())});
}

std::string case_name(const Json& c) {
  return c.at("module").get<std::string>() + c.at("options").dump() + " " +
         c.at("dtype").get<std::string>();
}

// float64 functions whose torch formula cancels, so that torch's own value is off by far more
// than the tolerance: GELU(approximate='tanh') as 0.5 x (1 + tanh(u)) loses ~1e-16 / (1 + tanh(u))
// relative on the negative tail (4e-9 at x = -5.3). The exact value, x sigmoid(2u) in long
// double, with torch's double constants, is accepted there.
long double exact_float64(const Json& c, const std::string& key, long double x, long double gy) {
  if (c.at("module") != "GELU" || c.at("options").at("approximate") != "tanh") return NAN;
  const long double scale = 1.4142135623730951 * 1.1283791670955126, cubic = 0.044715;
  const long double w = scale * (x + cubic * x * x * x);
  const long double s = 1 / (1 + std::exp(-w)), s_neg = 1 / (1 + std::exp(w));
  if (key == "y") return x * s;
  return gy * s * (1 + x * scale * (1 + 3 * cubic * x * x) * s_neg);
}

// The candidates torch accepts for element i: vectorised path, scalar path, and the accurate
// evaluation (float32: in float64, from the golden file; float64: exact_float64).
template <class T>
std::vector<T> candidates(const Json& c, const std::string& key, std::size_t i, bool with_exact) {
  std::vector<T> out = {parse<T>(c.at(key).at(i).get<std::string>())};
  if (with_exact && std::is_same_v<T, double>) {
    const long double x = parse<T>(c.at("x").at(i).get<std::string>());
    const long double exact =
        exact_float64(c, key, x, parse<T>(c.at("gy").at(i).get<std::string>()));
    if (std::isfinite(exact)) out.push_back(static_cast<T>(exact));
  }
  const std::string index = std::to_string(i);
  if (c.contains(key + "_scalar") && c.at(key + "_scalar").contains(index)) {
    out.push_back(parse<T>(c.at(key + "_scalar").at(index).get<std::string>()));
  }
  if (with_exact && c.contains(key + "_ref") && c.at(key + "_ref").contains(index)) {
    out.push_back(parse<T>(c.at(key + "_ref").at(index).get<std::string>()));
  }
  return out;
}

template <class T>
void check_case(const Activation& a, const Json& c) {
  SCOPED_TRACE(case_name(c));
  const Json& options = c.at("options");
  const std::vector<T> x = parse_list<T>(c.at("x"));
  const std::vector<T> gy = parse_list<T>(c.at("gy"));
  const Tensor input = tensor_of(x);
  const std::vector<T> y = a.forward(input, options).template to_vector<T>();
  const std::vector<T> gx = a.backward(tensor_of(gy), input, options).template to_vector<T>();
  ASSERT_EQ(y.size(), x.size());
  ASSERT_EQ(gx.size(), x.size());
  double option_scale = 2;  // SELU's alpha * scale
  for (const auto& [key, value] : options.items()) {
    if (value.is_number())
      option_scale = std::max(option_scale, std::abs(value.template get<double>()));
  }
  int failures = 0;
  for (std::size_t i = 0; i < x.size() && failures < 10; ++i) {
    for (const auto& [key, actual] : {std::pair{"y", y[i]}, std::pair{"gx", gx[i]}}) {
      bool ok = false;
      for (T expected : candidates<T>(c, key, i, !a.piecewise_linear)) {
        ok |= a.piecewise_linear
                  ? same_bits(actual, expected)
                  : close(actual, expected, x[i], std::max(option_scale, std::abs(double(gy[i]))));
      }
      if (!ok) {
        ++failures;
        ADD_FAILURE() << case_name(c) << " " << key << " at x[" << i << "] = " << str(x[i])
                      << " (gy " << str(gy[i]) << "): activ " << str(actual) << ", torch "
                      << c.at(key).at(i).template get<std::string>();
      }
    }
  }
}

TEST(ActivationReference, EveryTableEntryHasGoldenData) {
  for (const auto& a : activations()) {
    std::set<std::string> dtypes;
    for (const auto& c : golden().at("elementwise")) {
      if (c.at("module") == a.module) dtypes.insert(c.at("dtype").get<std::string>());
    }
    EXPECT_EQ(dtypes, (std::set<std::string>{"float32", "float64"}))
        << a.module << " has no golden data";
  }
}

TEST(ActivationReference, ForwardAndBackwardMatchTorch) {
  int checked = 0;
  for (const auto& c : golden().at("elementwise")) {
    const Activation* a = find_activation(c.at("module").get<std::string>());
    if (a == nullptr) continue;  // not in the table (PReLU, RReLU, LearnableGELU, ...)
    const auto unknown = unknown_options(*a, c.at("options"));
    ASSERT_TRUE(unknown.empty()) << case_name(c) << ": option " << unknown[0]
                                 << " is not in the table";
    if (c.at("dtype") == "float32")
      check_case<float>(*a, c);
    else
      check_case<double>(*a, c);
    ++checked;
  }
  EXPECT_GE(checked, 2 * static_cast<int>(activations().size()));
}

// --- layouts: strided, in place, every size --------------------------------------------------

// Edge values and a spread of ordinary ones, cycled to any length.
template <class T>
std::vector<T> pattern_values() {
  const T inf = std::numeric_limits<T>::infinity();
  std::vector<T> values = {T(0),      T(-0.0), std::numeric_limits<T>::quiet_NaN(),
                           inf,       -inf,    T(1e-30),
                           T(-1e-30), T(3),    T(-3),
                           T(6),      T(0.5),  T(-0.5),
                           T(20),     T(-20),  T(100),
                           T(-100)};
  std::mt19937 rng(7);
  std::normal_distribution<double> normal(0, 3);
  while (values.size() < 37) values.push_back(static_cast<T>(normal(rng)));
  return values;
}

// Options for a layout test: the first golden option set (defaults for most).
Json first_options(const Activation& a) {
  for (const auto& c : golden().at("elementwise")) {
    if (c.at("module") == a.module) return c.at("options");
  }
  return Json::object();
}

template <class T>
void check_same(const std::vector<T>& actual, const std::vector<T>& expected,
                const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    ASSERT_TRUE(same_bits(actual[i], expected[i]))
        << what << " element " << i << ": " << str(actual[i]) << " vs " << str(expected[i]);
  }
}

template <class T>
void check_sizes(const Activation& a) {
  SCOPED_TRACE(a.module);
  const Json options = first_options(a);
  const std::vector<T> pattern = pattern_values<T>();
  // One-element evaluations are the reference for every position.
  std::vector<T> y1, g1, s1;
  for (T v : pattern) {
    const Tensor x = tensor_of(std::vector<T>{v});
    y1.push_back(a.forward(x, options).template item<T>());
    g1.push_back(a.backward(tensor_of(std::vector<T>{T(1.5)}), x, options).template item<T>());
    s1.push_back(a.second_derivative(x, options).template item<T>());
  }
  for (std::int64_t n : {0, 1, 3, 7, 8, 9, 15, 16, 17, 1000, 70000}) {
    std::vector<T> x(n), ey(n), eg(n), es(n);
    for (std::int64_t i = 0; i < n; ++i) {
      const std::size_t k = static_cast<std::size_t>(i * 5 + i / 37) % pattern.size();
      x[i] = pattern[k], ey[i] = y1[k], eg[i] = g1[k], es[i] = s1[k];
    }
    const Tensor input = tensor_of(x);
    const std::string size = "size " + std::to_string(n);
    check_same(a.forward(input, options).template to_vector<T>(), ey, "forward " + size);
    check_same(a.backward(full({n}, 1.5, input.dtype()), input, options).template to_vector<T>(),
               eg, "backward " + size);
    check_same(a.second_derivative(input, options).template to_vector<T>(), es,
               "second derivative " + size);
  }
}

TEST(ActivationLayouts, EverySizeMatchesElementwiseEvaluation) {
  for (const auto& a : activations()) {
    check_sizes<float>(a);
    check_sizes<double>(a);
  }
}

template <class T>
void check_strided(const Activation& a) {
  SCOPED_TRACE(a.module);
  const Json options = first_options(a);
  std::vector<T> values = pattern_values<T>();
  values.resize(36);  // 6 x 6
  const Tensor base = from_vector(values, {6, 6});
  const Tensor transposed = base.t();
  const Tensor stepped = from_vector(values, {36}).slice(0, 1, std::nullopt, 3);
  for (const Tensor& view : {transposed, stepped}) {
    ASSERT_FALSE(view.is_contiguous());
    const Tensor dense = view.contiguous();
    check_same(a.forward(view, options).template to_vector<T>(),
               a.forward(dense, options).template to_vector<T>(), "forward");
    const Tensor g = full(view.sizes(), 0.75, view.dtype());
    check_same(a.backward(g, view, options).template to_vector<T>(),
               a.backward(g, dense, options).template to_vector<T>(), "backward");
    check_same(a.backward(g.t().contiguous().t().reshape(view.sizes()), view, options)
                   .template to_vector<T>(),
               a.backward(g, dense, options).template to_vector<T>(), "backward, strided grad");
    check_same(a.second_derivative(view, options).template to_vector<T>(),
               a.second_derivative(dense, options).template to_vector<T>(), "second derivative");
  }
}

TEST(ActivationLayouts, StridedInputGivesContiguousValues) {
  for (const auto& a : activations()) {
    check_strided<float>(a);
    check_strided<double>(a);
  }
}

TEST(ActivationLayouts, InPlaceWritesTheInputAndReturnsIt) {
  for (const auto& a : activations()) {
    SCOPED_TRACE(a.module);
    const Json options = first_options(a);
    std::vector<double> values = pattern_values<double>();
    values.resize(36);
    const Tensor original = from_vector(values, {6, 6});
    const std::vector<double> expected = a.forward(original, options).to_vector<double>();

    Tensor x = original.clone();
    Tensor& result = a.forward_(x, options);
    EXPECT_EQ(&result, &x);
    check_same(x.to_vector<double>(), expected, a.functional + "_");

    // In place on a transposed view writes through to the base tensor.
    Tensor base = original.clone().t().contiguous();
    Tensor view = base.t();
    a.forward_(view, options);
    check_same(base.t().to_vector<double>(), expected, a.functional + "_ on a transposed view");

    if (a.has_inplace_option) {
      Tensor y = original.clone();
      const Tensor out = a.forward_with_inplace_option(y, options);
      EXPECT_TRUE(out.is_alias_of(y));
      EXPECT_EQ(out.data_ptr<double>(), y.data_ptr<double>());
      check_same(y.to_vector<double>(), expected, a.module + "({.inplace = true})");
    }
  }
}

// --- reprs and errors ------------------------------------------------------------------------

// A Python literal as the module would receive it: 1 is an int, 1.0, 1e20 and 1/3 are floats,
// 'tanh' a string; None is null.
Json python_value(const std::string& text) {
  if (text == "True" || text == "False") return text == "True";
  if (text == "None") return nullptr;
  if (text.size() >= 2 && text.front() == '\'' && text.back() == '\'')
    return text.substr(1, text.size() - 2);
  if (text == "float('nan')") return std::numeric_limits<double>::quiet_NaN();
  if (const auto slash = text.find('/'); slash != std::string::npos) {
    return std::stod(text.substr(0, slash)) / std::stod(text.substr(slash + 1));
  }
  if (text.find_first_of(".eE") != std::string::npos) return std::stod(text);
  return std::stoll(text);
}

struct Construction {
  const Activation* activation = nullptr;
  Json options = Json::object();
  bool called = false;  // "nn.X(...)(x)"
};

// Parses "nn.Name(arg, name=arg)" (optionally followed by "(x)"): positional arguments take the
// options in table order. activation is null for modules outside the table.
Construction parse_construction(const std::string& text) {
  Construction out;
  if (text.rfind("nn.", 0) != 0) return out;
  const auto open = text.find('(');
  out.activation = find_activation(text.substr(3, open - 3));
  if (out.activation == nullptr) return out;
  int depth = 0;
  std::size_t close = open;
  for (; close < text.size(); ++close) {
    depth += text[close] == '(' ? 1 : text[close] == ')' ? -1 : 0;
    if (depth == 0) break;
  }
  const std::string rest = text.substr(close + 1);
  if (rest != "" && rest != "(x)") return {};  // calls activ has no counterpart of (autograd)
  out.called = rest == "(x)";
  std::vector<std::string> arguments;
  std::string current;
  depth = 0;
  for (std::size_t i = open + 1; i < close; ++i) {
    const char ch = text[i];
    depth += ch == '(' ? 1 : ch == ')' ? -1 : 0;
    if (ch == ',' && depth == 0) {
      arguments.push_back(current);
      current.clear();
    } else if (ch != ' ') {
      current += ch;
    }
  }
  if (!current.empty()) arguments.push_back(current);
  for (std::size_t k = 0; k < arguments.size(); ++k) {
    const auto equals = arguments[k].find('=');
    if (equals == std::string::npos) {
      out.options[out.activation->option_names.at(k)] = python_value(arguments[k]);
    } else {
      out.options[arguments[k].substr(0, equals)] = python_value(arguments[k].substr(equals + 1));
    }
  }
  for (const auto& [key, value] : out.options.items()) {
    if (value.is_null()) return {};  // torch's TypeError for None: a C++ option cannot be None
  }
  return out;
}

TEST(ActivationReference, ReprsMatchTorch) {
  std::set<std::string> covered;
  for (const auto& r : golden().at("reprs")) {
    const std::string construct = r.at("construct").get<std::string>();
    const Construction c = parse_construction(construct);
    if (c.activation == nullptr) continue;
    EXPECT_EQ(c.activation->repr(c.options), r.at("repr").get<std::string>()) << construct;
    covered.insert(c.activation->module);
  }
  for (const auto& a : activations()) {
    if (a.module == "Swish") continue;  // a seed activation, not a torch module: no torch repr
    EXPECT_TRUE(covered.count(a.module)) << a.module << " has no golden repr";
  }
}

std::string lower(std::string text) {
  for (char& ch : text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return text;
}

TEST(ActivationReference, OptionErrorsMatchTorch) {
  int checked = 0;
  for (const auto& e : golden().at("errors")) {
    const std::string call = e.at("call").get<std::string>();
    const Construction c = parse_construction(call);
    if (c.activation == nullptr || !e.at("type").is_string()) continue;
    SCOPED_TRACE(call);
    const Tensor x = tensor_of(std::vector<float>{-1.0f, 0.5f});
    try {
      if (c.called)
        c.activation->forward(x, c.options);
      else
        c.activation->repr(c.options);  // constructs the module
      ADD_FAILURE() << "no error; torch raises " << e.at("type") << ": " << e.at("message");
    } catch (const ValueError& error) {
      const std::string message = lower(error.what());
      EXPECT_NE(message.find(lower(c.activation->functional)), std::string::npos) << message;
      bool names_argument = false;
      for (const auto& [key, value] : c.options.items())
        names_argument |= message.find(key) != std::string::npos;
      EXPECT_TRUE(names_argument) << message;
    }
    ++checked;
  }
  // Softshrink(-1), Softshrink(nan), Hardtanh(1, 1), Hardtanh(2, 1), CELU(0), GELU('foo')
  EXPECT_EQ(checked, 6);
}

TEST(ActivationReference, IntegerInputIsATypeError) {
  bool found = false;
  for (const auto& e : golden().at("errors")) found |= e.at("call") == "F.elu(tensor([1, -2]))";
  ASSERT_TRUE(found);
  const Tensor integers = from_vector(std::vector<std::int64_t>{1, -2}, {2});
  for (const auto& a : activations()) {
    SCOPED_TRACE(a.module);
    const Json options = first_options(a);
    for (int kind = 0; kind < 3; ++kind) {
      try {
        if (kind == 0) a.forward(integers, options);
        if (kind == 1) a.backward(integers, integers, options);
        if (kind == 2) a.second_derivative(integers, options);
        ADD_FAILURE() << "no error for int64 input";
      } catch (const TypeError& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find(a.functional), std::string::npos) << message;
        EXPECT_NE(message.find("int64"), std::string::npos) << message;
        EXPECT_TRUE(message.find("'input'") != std::string::npos ||
                    message.find("'grad_output'") != std::string::npos)
            << message;
      }
    }
  }
}

TEST(ActivationReference, BackwardShapeMismatchIsAShapeError) {
  const Activation& a = activations().front();
  try {
    a.backward(zeros({3}, float64), zeros({4}, float64), Json::object());
    ADD_FAILURE() << "no error";
  } catch (const ShapeError& error) {
    EXPECT_NE(std::string(error.what()).find(a.functional), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("grad_output"), std::string::npos) << error.what();
  }
}

// --- gradients by finite differences --------------------------------------------------------

// Where any option-dependent formula switches (0, +-3, 6, +-option, option ratios).
std::vector<double> kinks(const Json& options) {
  std::vector<double> numbers, points = {0, 3, -3, 6};
  for (const auto& [key, value] : options.items()) {
    if (value.is_number()) numbers.push_back(value.get<double>());
  }
  for (double v : numbers) {
    points.push_back(v), points.push_back(-v);
    for (double w : numbers) {
      if (w != 0) points.push_back(v / w);
    }
  }
  return points;
}

TEST(ActivationGradients, BackwardAndSecondDerivativeMatchFiniteDifferences) {
  for (const auto& c : golden().at("elementwise")) {
    const Activation* a = find_activation(c.at("module").get<std::string>());
    if (a == nullptr || c.at("dtype") != "float64") continue;
    SCOPED_TRACE(case_name(c));
    const Json& options = c.at("options");
    const std::vector<double> kink_points = kinks(options);
    std::vector<double> x;
    for (double v : parse_list<double>(c.at("x"))) {
      bool near_kink = false;
      for (double k : kink_points) near_kink |= std::abs(v - k) < 1e-3;
      if (std::isfinite(v) && std::abs(v) <= 30 && !near_kink) x.push_back(v);
    }
    ASSERT_GE(x.size(), 50u);
    const std::vector<double> gy = parse_list<double>(c.at("gy"));
    // One element at a time: a large f(x) elsewhere would swamp the differences of the sum.
    for (std::size_t i = 0; i < x.size(); ++i) {
      SCOPED_TRACE("x = " + str(x[i]));
      const Tensor input = tensor_of(std::vector<double>{x[i]});
      const Tensor grad_output = tensor_of(std::vector<double>{gy[i]});
      EXPECT_TRUE(testing::check_unary_vjp(
          [&](const Tensor& t) { return a->forward(t, options); },
          [&](const Tensor& g, const Tensor& t) { return a->backward(g, t, options); }, input,
          grad_output));
      EXPECT_TRUE(testing::check_unary_vjp(
          [&](const Tensor& t) { return a->backward(ones_like(t), t, options); },
          [&](const Tensor& g, const Tensor& t) {
            return mul(g, a->second_derivative(t, options));
          },
          input, grad_output));
    }
  }
}

}  // namespace
}  // namespace activ
