// Every tensor op against PyTorch 1.13: tests/golden/tensor_ops.json holds the inputs and
// torch's outputs (written by tools/gen_reference.py, whose docstring describes the format);
// each case becomes one test named after it.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "activ/tensor.h"
#include "support/golden.h"

namespace activ {
namespace {

using Json = nlohmann::json;
using Tensors = std::vector<Tensor>;

const Json& golden_cases() {
  return testing::golden_json("tensor_ops.json").at("cases");
}

// --- decoding ------------------------------------------------------------------------------

Dtype dtype_from(const std::string& text) {
  static const std::map<std::string, Dtype> dtypes = {
      {"float32", float32}, {"float64", float64}, {"int64", int64}, {"bool", bool_}};
  return dtypes.at(text);
}

double number_from(const Json& value) {
  if (value.is_string()) {
    const auto text = value.get<std::string>();
    if (text == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (text == "inf") return std::numeric_limits<double>::infinity();
    if (text == "-inf") return -std::numeric_limits<double>::infinity();
    throw std::invalid_argument("unknown number " + text);
  }
  return value.get<double>();
}

// A JSON bool, integer or float is a Scalar of that kind; strings are special floats.
Scalar scalar_from(const Json& value) {
  if (value.is_boolean()) return Scalar(value.get<bool>());
  if (value.is_number_integer()) return Scalar(value.get<std::int64_t>());
  return Scalar(number_from(value));
}

Shape shape_from(const Json& value) {
  return value.get<Shape>();
}

std::optional<Scalar> optional_scalar(const Json& args, const char* key) {
  if (!args.contains(key)) return std::nullopt;
  return scalar_from(args.at(key));
}

std::optional<Dtype> optional_dtype(const Json& args) {
  if (!args.contains("dtype")) return std::nullopt;
  return dtype_from(args.at("dtype").get<std::string>());
}

std::optional<std::int64_t> optional_int(const Json& args, const char* key) {
  if (!args.contains(key) || args.at(key).is_null()) return std::nullopt;
  return args.at(key).get<std::int64_t>();
}

template <class T>
T element_from(const Json& value) {
  if constexpr (std::is_same_v<T, bool>) {
    return value.get<bool>();
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    return value.get<std::int64_t>();
  } else {
    return static_cast<T>(number_from(value));
  }
}

// The contiguous base tensor of an input, from its values or its pattern formula.
Tensor base_from(const Json& spec) {
  Tensor base = empty(shape_from(spec.at("shape")), dtype_from(spec.at("dtype")));
  visit_dtype(base.dtype(), [&]<class T>() {
    T* data = base.data_ptr<T>();
    if (spec.contains("pattern")) {
      const auto p = spec.at("pattern").get<std::vector<std::int64_t>>();
      for (std::int64_t i = 0; i < base.numel(); ++i) {
        data[i] = static_cast<T>(static_cast<double>((i * p[0]) % p[1] + p[2]) /
                                 static_cast<double>(p[3]));
      }
    } else {
      const Json& values = spec.at("values");
      for (std::int64_t i = 0; i < base.numel(); ++i) data[i] = element_from<T>(values[i]);
    }
  });
  return base;
}

Tensor input_from(const Json& spec) {
  Tensor t = base_from(spec);
  if (!spec.contains("view")) return t;
  for (const auto& step : spec.at("view")) {
    // Each step is a one-key object {kind: arg}.
    const std::string kind = step.begin().key();
    const Json& arg = step.begin().value();
    if (kind == "transpose") {
      t = t.transpose(arg[0].get<std::int64_t>(), arg[1].get<std::int64_t>());
    } else if (kind == "permute") {
      t = t.permute(shape_from(arg));
    } else if (kind == "slice") {
      auto bound = [](const Json& v) -> std::optional<std::int64_t> {
        if (v.is_null()) return std::nullopt;
        return v.get<std::int64_t>();
      };
      t = t.slice(arg[0].get<std::int64_t>(), bound(arg[1]), bound(arg[2]),
                  arg[3].get<std::int64_t>());
    } else if (kind == "expand") {
      t = t.expand(shape_from(arg));
    } else {
      throw std::invalid_argument("unknown view step " + kind);
    }
  }
  return t;
}

// --- the ops, by the names the generator uses ----------------------------------------------

using Op = std::function<Tensors(const Tensors&, const Json&)>;

Shape all_dims(const Tensor& x) {
  Shape dims(x.dim());
  for (std::int64_t d = 0; d < x.dim(); ++d) dims[d] = d;
  return dims;
}

bool keepdim_of(const Json& args) {
  return args.value("keepdim", false);
}

const std::map<std::string, Op>& op_table() {
  static const std::map<std::string, Op> table = [] {
    std::map<std::string, Op> ops;
    auto unary = [&](const char* name, Tensor (*fn)(const Tensor&)) {
      ops[name] = [fn](const Tensors& in, const Json&) { return Tensors{fn(in[0])}; };
    };
    auto binary = [&](const char* name, Tensor (*fn)(const Tensor&, const Tensor&)) {
      ops[name] = [fn](const Tensors& in, const Json&) { return Tensors{fn(in[0], in[1])}; };
    };
    auto with_scalar = [&](const char* name, Tensor (*fn)(const Tensor&, Scalar)) {
      ops[name] = [fn](const Tensors& in, const Json& args) {
        return Tensors{fn(in[0], scalar_from(args.at("s")))};
      };
    };
    auto scalar_first = [&](const char* name, Tensor (*fn)(Scalar, const Tensor&)) {
      ops[name] = [fn](const Tensors& in, const Json& args) {
        return Tensors{fn(scalar_from(args.at("s")), in[0])};
      };
    };

    ops["add"] = [](const Tensors& in, const Json& args) {
      return Tensors{add(in[0], in[1], optional_scalar(args, "alpha").value_or(1))};
    };
    ops["sub"] = [](const Tensors& in, const Json& args) {
      return Tensors{sub(in[0], in[1], optional_scalar(args, "alpha").value_or(1))};
    };
    binary("mul", mul);
    binary("div", div);
    binary("pow", pow);
    binary("maximum", maximum);
    binary("minimum", minimum);
    binary("eq", eq);
    binary("ne", ne);
    binary("lt", lt);
    binary("le", le);
    binary("gt", gt);
    binary("ge", ge);

    with_scalar("add_scalar", add);
    with_scalar("sub_scalar", sub);
    with_scalar("mul_scalar", mul);
    with_scalar("div_scalar", div);
    with_scalar("eq_scalar", eq);
    with_scalar("ne_scalar", ne);
    with_scalar("lt_scalar", lt);
    with_scalar("le_scalar", le);
    with_scalar("gt_scalar", gt);
    with_scalar("ge_scalar", ge);
    with_scalar("pow_scalar", pow);
    scalar_first("rpow_scalar", pow);
    scalar_first("radd_scalar", operator+);
    scalar_first("rsub_scalar", operator-);
    scalar_first("rmul_scalar", operator*);
    scalar_first("rdiv_scalar", operator/);

    unary("neg", neg);
    unary("abs", abs);
    unary("exp", exp);
    unary("erf", erf);
    unary("log", log);
    unary("sqrt", sqrt);
    unary("logical_not", logical_not);

    ops["where"] = [](const Tensors& in, const Json&) {
      return Tensors{where(in[0], in[1], in[2])};
    };
    ops["where_scalar_b"] = [](const Tensors& in, const Json& args) {
      return Tensors{where(in[0], in[1], scalar_from(args.at("s")))};
    };
    ops["where_scalar_a"] = [](const Tensors& in, const Json& args) {
      return Tensors{where(in[0], scalar_from(args.at("s")), in[1])};
    };
    ops["clamp"] = [](const Tensors& in, const Json& args) {
      return Tensors{clamp(in[0], optional_scalar(args, "min"), optional_scalar(args, "max"))};
    };
    ops["clamp_min"] = [](const Tensors& in, const Json& args) {
      return Tensors{clamp_min(in[0], scalar_from(args.at("min")))};
    };
    ops["clamp_max"] = [](const Tensors& in, const Json& args) {
      return Tensors{clamp_max(in[0], scalar_from(args.at("max")))};
    };

    ops["sum"] = [](const Tensors& in, const Json& args) {
      if (!args.contains("dims")) return Tensors{sum(in[0])};
      return Tensors{sum(in[0], shape_from(args.at("dims")), keepdim_of(args))};
    };
    ops["mean"] = [](const Tensors& in, const Json& args) {
      if (!args.contains("dims")) return Tensors{mean(in[0])};
      return Tensors{mean(in[0], shape_from(args.at("dims")), keepdim_of(args))};
    };
    ops["logsumexp"] = [](const Tensors& in, const Json& args) {
      const Shape dims = args.contains("dims") ? shape_from(args.at("dims")) : all_dims(in[0]);
      return Tensors{logsumexp(in[0], dims, keepdim_of(args))};
    };
    ops["max"] = [](const Tensors& in, const Json&) { return Tensors{max(in[0])}; };
    ops["min"] = [](const Tensors& in, const Json&) { return Tensors{min(in[0])}; };
    ops["max_dim"] = [](const Tensors& in, const Json& args) {
      auto r = max(in[0], args.at("dim").get<std::int64_t>(), keepdim_of(args));
      return Tensors{r.values, r.indices};
    };
    ops["min_dim"] = [](const Tensors& in, const Json& args) {
      auto r = min(in[0], args.at("dim").get<std::int64_t>(), keepdim_of(args));
      return Tensors{r.values, r.indices};
    };
    ops["argmax"] = [](const Tensors& in, const Json& args) {
      return Tensors{argmax(in[0], optional_int(args, "dim"), keepdim_of(args))};
    };
    ops["argmin"] = [](const Tensors& in, const Json& args) {
      return Tensors{argmin(in[0], optional_int(args, "dim"), keepdim_of(args))};
    };

    binary("matmul", matmul);
    binary("mm", mm);
    binary("bmm", bmm);
    ops["cat"] = [](const Tensors& in, const Json& args) {
      return Tensors{cat(in, args.at("dim").get<std::int64_t>())};
    };
    ops["stack"] = [](const Tensors& in, const Json& args) {
      return Tensors{stack(in, args.at("dim").get<std::int64_t>())};
    };

    ops["view"] = [](const Tensors& in, const Json& args) {
      return Tensors{in[0].view(shape_from(args.at("shape")))};
    };
    ops["reshape"] = [](const Tensors& in, const Json& args) {
      return Tensors{in[0].reshape(shape_from(args.at("shape")))};
    };
    ops["flatten"] = [](const Tensors& in, const Json& args) {
      return Tensors{
          in[0].flatten(args.at("start").get<std::int64_t>(), args.at("end").get<std::int64_t>())};
    };
    ops["unsqueeze"] = [](const Tensors& in, const Json& args) {
      return Tensors{in[0].unsqueeze(args.at("dim").get<std::int64_t>())};
    };
    ops["squeeze"] = [](const Tensors& in, const Json& args) {
      if (!args.contains("dim")) return Tensors{in[0].squeeze()};
      return Tensors{in[0].squeeze(args.at("dim").get<std::int64_t>())};
    };
    ops["transpose"] = [](const Tensors& in, const Json& args) {
      return Tensors{in[0].transpose(args.at("dim0").get<std::int64_t>(),
                                     args.at("dim1").get<std::int64_t>())};
    };
    ops["t"] = [](const Tensors& in, const Json&) { return Tensors{in[0].t()}; };
    ops["permute"] = [](const Tensors& in, const Json& args) {
      return Tensors{in[0].permute(shape_from(args.at("dims")))};
    };
    ops["select"] = [](const Tensors& in, const Json& args) {
      return Tensors{
          in[0].select(args.at("dim").get<std::int64_t>(), args.at("index").get<std::int64_t>())};
    };
    ops["narrow"] = [](const Tensors& in, const Json& args) {
      return Tensors{in[0].narrow(args.at("dim").get<std::int64_t>(),
                                  args.at("start").get<std::int64_t>(),
                                  args.at("length").get<std::int64_t>())};
    };
    ops["slice"] = [](const Tensors& in, const Json& args) {
      return Tensors{in[0].slice(args.at("dim").get<std::int64_t>(), optional_int(args, "start"),
                                 optional_int(args, "end"), args.at("step").get<std::int64_t>())};
    };
    ops["chunk"] = [](const Tensors& in, const Json& args) {
      return in[0].chunk(args.at("chunks").get<std::int64_t>(), args.at("dim").get<std::int64_t>());
    };
    ops["split"] = [](const Tensors& in, const Json& args) {
      return in[0].split(args.at("split_size").get<std::int64_t>(),
                         args.at("dim").get<std::int64_t>());
    };
    ops["split_sizes"] = [](const Tensors& in, const Json& args) {
      return in[0].split(shape_from(args.at("sizes")), args.at("dim").get<std::int64_t>());
    };
    ops["expand"] = [](const Tensors& in, const Json& args) {
      return Tensors{in[0].expand(shape_from(args.at("shape")))};
    };
    ops["contiguous"] = [](const Tensors& in, const Json&) { return Tensors{in[0].contiguous()}; };
    ops["clone"] = [](const Tensors& in, const Json&) { return Tensors{in[0].clone()}; };
    ops["to"] = [](const Tensors& in, const Json& args) {
      return Tensors{in[0].to(*optional_dtype(args))};
    };

    ops["linspace"] = [](const Tensors&, const Json& args) {
      return Tensors{linspace(number_from(args.at("start")), number_from(args.at("end")),
                              args.at("steps").get<std::int64_t>(),
                              optional_dtype(args).value_or(float32))};
    };
    ops["arange"] = [](const Tensors&, const Json& args) {
      if (!args.contains("start"))
        return Tensors{arange(scalar_from(args.at("end")), optional_dtype(args))};
      return Tensors{arange(scalar_from(args.at("start")), scalar_from(args.at("end")),
                            scalar_from(args.at("step")), optional_dtype(args))};
    };
    ops["full"] = [](const Tensors&, const Json& args) {
      return Tensors{
          full(shape_from(args.at("shape")), scalar_from(args.at("value")), optional_dtype(args))};
    };
    ops["zeros"] = [](const Tensors&, const Json& args) {
      return Tensors{zeros(shape_from(args.at("shape")), optional_dtype(args).value_or(float32))};
    };
    ops["ones"] = [](const Tensors&, const Json& args) {
      return Tensors{ones(shape_from(args.at("shape")), optional_dtype(args).value_or(float32))};
    };
    return ops;
  }();
  return table;
}

// Ops whose outputs must share storage with their input, as torch's views do.
const std::set<std::string> kViewOps = {"view",    "unsqueeze",   "squeeze", "transpose", "t",
                                        "permute", "select",      "narrow",  "slice",     "chunk",
                                        "split",   "split_sizes", "expand"};

// --- comparison ----------------------------------------------------------------------------

std::string describe(double value) {
  std::ostringstream out;
  out.precision(17);
  out << value;
  return out.str();
}

// Values of actual against expected; mismatches are listed by flat index, at most ten.
::testing::AssertionResult values_match(const Tensor& actual, const Json& expected,
                                        const Json& test_case) {
  const Json& values = expected.at("values");
  std::ostringstream mismatches;
  int count = 0;
  auto note = [&](std::size_t i, const std::string& want, const std::string& got) {
    if (count++ < 10) mismatches << "\n  [" << i << "] expected " << want << ", got " << got;
  };
  if (actual.dtype() == bool_ || actual.dtype() == int64) {
    const auto got = actual.to_vector<std::int64_t>();
    for (std::size_t i = 0; i < got.size(); ++i) {
      const std::int64_t want =
          values[i].is_boolean() ? values[i].get<bool>() : values[i].get<std::int64_t>();
      if (got[i] != want) note(i, std::to_string(want), std::to_string(got[i]));
    }
  } else {
    const bool exact = test_case.value("compare", "exact") == "exact";
    const double rtol = actual.dtype() == float32 ? 1e-6 : 1e-12;
    const double atol = test_case.value("atol", 0.0);
    const auto got = actual.to_vector<double>();
    for (std::size_t i = 0; i < got.size(); ++i) {
      const double want = number_from(values[i]);
      bool ok;
      if (std::isnan(want) || std::isnan(got[i])) {
        ok = std::isnan(want) && std::isnan(got[i]);
      } else if (exact || std::isinf(want)) {
        // Exact ops also keep the sign of zero, as torch does.
        ok = got[i] == want && std::signbit(got[i]) == std::signbit(want);
      } else {
        ok = std::abs(got[i] - want) <= atol + rtol * std::abs(want);
      }
      if (!ok) note(i, describe(want), describe(got[i]));
    }
  }
  if (count == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << count << " of " << values.size() << " values differ:" << mismatches.str();
}

class TensorOpsReference : public ::testing::TestWithParam<std::size_t> {};

TEST_P(TensorOpsReference, MatchesTorch) {
  const Json& test_case = golden_cases()[GetParam()];
  const std::string op_name = test_case.at("op");
  const auto op = op_table().find(op_name);
  ASSERT_NE(op, op_table().end()) << "no activ op registered for '" << op_name << "'";
  Tensors inputs;
  for (const auto& spec : test_case.at("inputs")) inputs.push_back(input_from(spec));
  const Json& args = test_case.at("args");

  if (test_case.value("error", false)) {
    try {
      const Tensors outputs = op->second(inputs, args);
      ADD_FAILURE() << "torch raises here, activ returned a tensor of shape "
                    << shape_str(outputs.at(0).sizes()) << " and dtype "
                    << name(outputs.at(0).dtype());
    } catch (const Error&) {
      // torch raises too.
    } catch (const std::exception& e) {
      ADD_FAILURE() << "raised a non-activ exception: " << e.what();
    }
    return;
  }

  Tensors outputs;
  try {
    outputs = op->second(inputs, args);
  } catch (const std::exception& e) {
    FAIL() << "raised: " << e.what();
  }
  const Json& expected = test_case.at("outputs");
  ASSERT_EQ(outputs.size(), expected.size()) << "number of outputs";
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    SCOPED_TRACE("output " + std::to_string(k));
    const Tensor& out = outputs[k];
    ASSERT_EQ(std::string(name(out.dtype())), expected[k].at("dtype").get<std::string>());
    ASSERT_EQ(shape_str(out.sizes()), shape_str(shape_from(expected[k].at("shape"))));
    EXPECT_TRUE(values_match(out, expected[k], test_case));
    if (kViewOps.contains(op_name)) {
      EXPECT_TRUE(out.is_alias_of(inputs[0])) << op_name << " must return a view";
    }
  }
}

std::vector<std::size_t> case_indices() {
  std::vector<std::size_t> indices(golden_cases().size());
  for (std::size_t i = 0; i < indices.size(); ++i) indices[i] = i;
  return indices;
}

INSTANTIATE_TEST_SUITE_P(Torch, TensorOpsReference, ::testing::ValuesIn(case_indices()),
                         [](const ::testing::TestParamInfo<std::size_t>& param_info) {
                           return golden_cases()[param_info.param].at("name").get<std::string>();
                         });

TEST(TensorOpsReferenceData, GoldenFileIsLoadedAndCoversEveryOp) {
  ASSERT_GT(golden_cases().size(), 1000u) << "tests/golden/tensor_ops.json missing or short";
  std::set<std::string> used;
  for (const auto& c : golden_cases()) used.insert(c.at("op").get<std::string>());
  for (const auto& [op_name, fn] : op_table()) EXPECT_TRUE(used.contains(op_name)) << op_name;
}

}  // namespace
}  // namespace activ
