// Tensor printing against the strings PyTorch 1.13 prints, from tests/golden/print_cases.json
// (written by tools/gen_print_reference.py).
#include "tensor/print.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "activ/tensor.h"
#include "support/golden.h"

namespace activ {
namespace {

using nlohmann::json;

Dtype parse_dtype(const std::string& text) {
  if (text == "float32") return float32;
  if (text == "float64") return float64;
  if (text == "int64") return int64;
  if (text == "bool") return bool_;
  throw std::runtime_error("unknown dtype " + text);
}

double parse_float(const json& value) {
  if (value.is_string()) {
    const std::string text = value.get<std::string>();
    if (text == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (text == "inf") return std::numeric_limits<double>::infinity();
    if (text == "-inf") return -std::numeric_limits<double>::infinity();
    throw std::runtime_error("unknown float " + text);
  }
  return value.get<double>();
}

// value[i] = ((i * mul) % mod + add) * scale, then the overrides: the generator's formula.
std::vector<json> pattern_values(const json& pattern, std::int64_t numel) {
  const auto mul = pattern["mul"].get<std::int64_t>();
  const auto mod = pattern["mod"].get<std::int64_t>();
  const auto add = pattern["add"].get<std::int64_t>();
  const auto scale = pattern["scale"].get<double>();
  std::vector<json> values;
  values.reserve(static_cast<std::size_t>(numel));
  for (std::int64_t i = 0; i < numel; ++i) {
    values.emplace_back(static_cast<double>((i * mul) % mod + add) * scale);
  }
  for (const json& override_entry : pattern["overrides"]) {
    values[override_entry[0].get<std::size_t>()] = override_entry[1];
  }
  return values;
}

Tensor build_tensor(const json& c) {
  const Dtype dtype = parse_dtype(c["dtype"].get<std::string>());
  const Shape shape = c["shape"].get<Shape>();
  Tensor tensor = empty(shape, dtype);
  const std::vector<json> values = c.contains("pattern")
                                       ? pattern_values(c["pattern"], tensor.numel())
                                       : c["values"].get<std::vector<json>>();
  EXPECT_EQ(static_cast<std::int64_t>(values.size()), tensor.numel());
  visit_dtype(dtype, [&]<class T>() {
    T* data = tensor.data_ptr<T>();
    for (std::size_t i = 0; i < values.size(); ++i) {
      if constexpr (std::is_floating_point_v<T>) {
        data[i] = static_cast<T>(parse_float(values[i]));
      } else if constexpr (std::is_same_v<T, bool>) {
        data[i] = values[i].is_boolean() ? values[i].get<bool>() : values[i].get<double>() != 0;
      } else {
        data[i] = values[i].is_number_integer() ? values[i].get<std::int64_t>()
                                                : static_cast<T>(values[i].get<double>());
      }
    }
  });
  for (const json& view : c.value("views", json::array())) {
    const std::string op = view[0].get<std::string>();
    if (op == "transpose") {
      tensor = tensor.transpose(view[1].get<std::int64_t>(), view[2].get<std::int64_t>());
    } else if (op == "slice") {
      tensor = tensor.slice(view[1].get<std::int64_t>(), view[2].get<std::int64_t>(),
                            view[3].get<std::int64_t>(), view[4].get<std::int64_t>());
    } else if (op == "expand") {
      tensor = tensor.expand(view[1].get<Shape>());
    } else {
      throw std::runtime_error("unknown view " + op);
    }
  }
  return tensor;
}

PrintOptions parse_options(const json& options) {
  PrintOptions out;
  if (options.contains("precision")) out.precision = options["precision"].get<int>();
  if (options.contains("threshold")) out.threshold = options["threshold"].get<std::int64_t>();
  if (options.contains("edgeitems")) out.edgeitems = options["edgeitems"].get<int>();
  if (options.contains("linewidth")) out.linewidth = options["linewidth"].get<int>();
  if (options.contains("sci_mode")) out.sci_mode = options["sci_mode"].get<bool>();
  return out;
}

const json& golden() {
  return testing::golden_json("print_cases.json");
}

std::vector<json> golden_cases() {
  return golden()["cases"].get<std::vector<json>>();
}

class PrintGolden : public ::testing::TestWithParam<json> {
 protected:
  void TearDown() override { reset_printoptions(); }
};

TEST_P(PrintGolden, MatchesTorch) {
  const json& c = GetParam();
  const Tensor tensor = build_tensor(c);
  if (c.contains("options")) set_printoptions(parse_options(c["options"]));
  const std::string expected = c["expected"].get<std::string>();
  if (c.contains("suffixes")) {
    EXPECT_EQ(detail::format_tensor(tensor, c["suffixes"].get<std::vector<std::string>>()),
              expected);
  } else {
    EXPECT_EQ(tensor.repr(), expected);
  }
}

INSTANTIATE_TEST_SUITE_P(Torch113, PrintGolden, ::testing::ValuesIn(golden_cases()),
                         [](const ::testing::TestParamInfo<json>& case_info) {
                           std::string name = case_info.param["name"].get<std::string>();
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

TEST(PrintGoldenFile, HasEnoughCases) {
  EXPECT_GE(golden()["cases"].size(), 80u);
}

// One option set, the others left unset (designated initializers would warn under -Wextra).
template <class Field, class Value>
PrintOptions with(Field PrintOptions::*field, Value value) {
  PrintOptions options;
  options.*field = value;
  return options;
}

Tensor from_floats(const std::vector<float>& values, const Shape& shape) {
  Tensor tensor = empty(shape, float32);
  std::copy(values.begin(), values.end(), tensor.data_ptr<float>());
  return tensor;
}

TEST(Print, TransposedViewPrintsLogicalOrder) {
  const Tensor x = from_floats({1.5f, 2.f, 3.f, 4.f, 5.f, 6.f}, {2, 3});
  const Tensor t = x.t();
  ASSERT_FALSE(t.is_contiguous());
  EXPECT_EQ(t.repr(),
            "tensor([[1.5000, 4.0000],\n"
            "        [2.0000, 5.0000],\n"
            "        [3.0000, 6.0000]])");
}

TEST(Print, SelectedRowOfViewPrintsOnlyItsElements) {
  const Tensor x = from_floats({1.f, 2.f, 3.f, 4.f, 5.f, 6.f}, {2, 3});
  EXPECT_EQ(x.t()[1].repr(), "tensor([2., 5.])");
  EXPECT_EQ(x[1][2].repr(), "tensor(6.)");
}

TEST(Print, StreamOperatorMatchesRepr) {
  const Tensor x = from_floats({0.3439f, 0.6682f}, {2});
  std::ostringstream out;
  out << x;
  EXPECT_EQ(out.str(), x.repr());
  EXPECT_EQ(out.str(), "tensor([0.3439, 0.6682])");
}

TEST(Print, FormatTensorWithoutSuffixesIsRepr) {
  const Tensor x = from_floats({1e-5f, 1.f}, {2});
  EXPECT_EQ(detail::format_tensor(x), x.repr());
}

TEST(Print, OptionsPersistUntilReset) {
  const Tensor x = from_floats({1.123456f}, {1});
  set_printoptions(with(&PrintOptions::precision, 2));
  EXPECT_EQ(x.repr(), "tensor([1.12])");
  EXPECT_EQ(x.repr(), "tensor([1.12])");
  reset_printoptions();
  EXPECT_EQ(x.repr(), "tensor([1.1235])");
}

// torch.set_printoptions(sci_mode=False); torch.set_printoptions(precision=2) leaves sci_mode
// automatic again: torch prints tensor([1.00e-05, 1.00e+00]).
TEST(Print, UnsetSciModeGoesBackToAutomatic) {
  const Tensor x = from_floats({1e-5f, 1.f}, {2});
  set_printoptions(with(&PrintOptions::sci_mode, false));
  EXPECT_EQ(x.repr(), "tensor([    0.0000,     1.0000])");
  set_printoptions(with(&PrintOptions::precision, 2));
  EXPECT_EQ(x.repr(), "tensor([1.00e-05, 1.00e+00])");
  reset_printoptions();
}

TEST(Print, OtherOptionsKeepTheirValues) {
  const Tensor x = from_floats({0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f, 6.5f, 7.5f}, {8});
  set_printoptions(with(&PrintOptions::threshold, 4));
  set_printoptions(with(&PrintOptions::edgeitems, 2));
  EXPECT_EQ(x.repr(), "tensor([0.5000, 1.5000,  ..., 6.5000, 7.5000])");
  reset_printoptions();
  EXPECT_EQ(x.repr(), "tensor([0.5000, 1.5000, 2.5000, 3.5000, 4.5000, 5.5000, 6.5000, 7.5000])");
}

TEST(Print, NegativeOptionsAreRejected) {
  try {
    set_printoptions(with(&PrintOptions::precision, -1));
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "set_printoptions: precision must be between 0 and 1074, got -1");
  }
  EXPECT_THROW(set_printoptions(with(&PrintOptions::edgeitems, -2)), ValueError);
  reset_printoptions();
}

TEST(Print, UndefinedTensor) {
  EXPECT_EQ(Tensor().repr(), "tensor(undefined)");
}

}  // namespace
}  // namespace activ
