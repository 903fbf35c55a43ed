// torch 1.13's own test inputs for its activation ops, the sample_inputs and error_inputs of its
// OpInfo database (tests/golden/opinfo_activations.json, from tools/gen_opinfo_reference.py), run
// through the path `activ eval` takes with the functional name: choose_activation checks the
// options as eval does, then the catalogue's forward and backward, seeded as eval seeds them.
// Values and input gradients must match torch's, and torch's errors must be errors here too.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "activ/error.h"
#include "activ/tensor.h"
#include "catalogue_lookup.h"

namespace activ::cli {
namespace {

using Json = nlohmann::json;

const Json& golden() {
  static const Json document = [] {
    std::ifstream in(ACTIV_TEST_DATA_DIR "/opinfo_activations.json");
    return Json::parse(in);
  }();
  return document;
}

std::vector<std::uint8_t> base64_decode(const std::string& text) {
  static const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<std::uint8_t> bytes;
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    if (c == '=') break;
    bits = (bits << 6 | static_cast<std::uint32_t>(alphabet.find(c))) & 0xffff;
    count += 6;
    if (count >= 8) {
      count -= 8;
      bytes.push_back(static_cast<std::uint8_t>(bits >> count));
    }
  }
  return bytes;
}

Dtype dtype_of(const std::string& name) {
  return name == "float64" ? float64 : float32;
}

// A tensor of the golden file: base64 of its little-endian values (the machines activ runs on are
// little-endian too).
Tensor tensor_of(const std::string& base64, const Json& shape, Dtype dtype) {
  const std::vector<std::uint8_t> bytes = base64_decode(base64);
  Tensor out = empty(shape.get<Shape>(), dtype);
  const std::size_t size = static_cast<std::size_t>(out.numel()) * (dtype == float64 ? 8 : 4);
  EXPECT_EQ(bytes.size(), size);
  if (bytes.size() == size && size > 0) {
    void* data = dtype == float64 ? static_cast<void*>(out.data_ptr<double>())
                                  : static_cast<void*>(out.data_ptr<float>());
    std::memcpy(data, bytes.data(), size);
  }
  return out;
}

// g[i] = ((i % 7) - 3) / 4, the generator's grad_output.
Tensor grad_output_like(const Tensor& output) {
  std::vector<double> values(static_cast<std::size_t>(output.numel()));
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = (static_cast<int>(i % 7) - 3) / 4.0;
  return from_vector(values, output.sizes()).to(output.dtype());
}

// A sample as activ eval takes it: the functional name, its options as typed after it, and the
// input's dtype (F.softmax's dtype=float64 is eval's --dtype float64: both cast the input first).
struct EvalCall {
  std::string name;
  nn::OptionValues values;
  std::optional<Dtype> dtype;
};

// The shortest text of a number that reads back as the same double.
std::string number_text(const Json& number) {
  return number.dump();
}

// The call, or why activ eval cannot express the sample.
struct Expressed {
  std::optional<EvalCall> call;
  std::string reason;
};

Expressed express(const Json& sample) {
  EvalCall call{sample["function"], {}, std::nullopt};
  for (const auto& [key, value] : sample["kwargs"].items()) {
    if (key == "dtype") {
      call.dtype = dtype_of(value);
    } else if (key == "weight") {
      // F.prelu's weight is, in activ eval, num_parameters copies of init in the input's dtype.
      const Json& shape = value["shape"];
      if (shape.size() > 1) return {std::nullopt, "a 2-D prelu weight (eval's weight is 1-D)"};
      const Tensor weight =
          tensor_of(value["values"], shape, dtype_of(sample["dtype"])).to(float64).flatten();
      const std::vector<double> slopes = weight.to_vector<double>();
      const bool is_error = sample.contains("message");
      for (double slope : slopes) {
        if (slope != slopes.front() && !is_error)
          return {std::nullopt, "a prelu weight of differing channels (eval's is one --init)"};
      }
      call.values["num_parameters"] = std::to_string(slopes.size());
      if (!slopes.empty()) call.values["init"] = number_text(Json(slopes.front()));
    } else if (value.is_string()) {
      call.values[key] = value.get<std::string>();
    } else if (value.is_null()) {
      call.values[key] = "None";
    } else {
      call.values[key] = number_text(value);
    }
  }
  return {call, {}};
}

// How far activ's values are from torch's: the largest |activ - torch| / (atol + rtol |torch|).
// torch's own test tolerances for float32 (torch.testing: rtol 1.3e-6, atol 1e-5); for float64
// a few ULP of the larger values and 1e-14 near 0 (torch's are 1e-7).
double worst_ratio(const Tensor& activ_values, const Tensor& torch_values) {
  const bool single = torch_values.dtype() == float32;
  const double rtol = single ? 1.3e-6 : 1e-13, atol = single ? 1e-5 : 1e-14;
  const std::vector<double> a = activ_values.to(float64).flatten().to_vector<double>();
  const std::vector<double> b = torch_values.to(float64).flatten().to_vector<double>();
  double worst = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
    worst = std::max(worst, std::abs(a[i] - b[i]) / (atol + rtol * std::abs(b[i])));
  return a.size() == b.size() ? worst : INFINITY;
}

std::string label(const Json& sample, std::size_t index) {
  return sample["op"].get<std::string>() + " " + sample["dtype"].get<std::string>() + " #" +
         std::to_string(index) + " shape " + sample["shape"].dump() + " kwargs " +
         sample["kwargs"].dump();
}

// The samples activ eval cannot express, with the reasons (checked, so none is lost silently).
const std::map<std::string, int> kNotExpressible = {
    {"a prelu weight of differing channels (eval's is one --init)", 6},
    {"a 2-D prelu weight (eval's weight is 1-D)", 1},
};

std::vector<std::string> op_names() {
  std::set<std::string> names;
  for (const Json& sample : golden()["samples"]) names.insert(sample["op"]);
  return {names.begin(), names.end()};
}

class OpInfoSamples : public testing::TestWithParam<std::string> {};

TEST_P(OpInfoSamples, MatchTorch) {
  int matched = 0;
  const Json& samples = golden()["samples"];
  for (std::size_t index = 0; index < samples.size(); ++index) {
    const Json& sample = samples[index];
    if (sample["op"] != GetParam()) continue;
    const std::string where = label(sample, index);
    const Expressed expressed = express(sample);
    if (!expressed.call) continue;
    const EvalCall& call = *expressed.call;
    const Dtype dtype = dtype_of(sample["dtype"]);
    const Tensor torch_input = tensor_of(sample["input"], sample["shape"], dtype);
    const Tensor torch_output =
        tensor_of(sample["output"], sample["output_shape"], dtype_of(sample["output_dtype"]));
    const Tensor torch_grad = tensor_of(sample["grad_input"], sample["shape"], dtype);

    // As activ eval: the options checked for the name's form, the input in --dtype, the same
    // seed before forward and backward.
    const Tensor input = call.dtype ? torch_input.to(*call.dtype) : torch_input;
    Tensor output, grad;
    try {
      const ActivationChoice choice = choose_activation("eval", call.name, call.values);
      manual_seed(7);
      output = choice.info->forward(input.clone(), call.values);
      manual_seed(7);
      grad = choice.info->backward(grad_output_like(output), input, call.values);
    } catch (const std::exception& error) {
      ADD_FAILURE() << where << ": torch accepts it, activ eval raises " << error.what();
      continue;
    }

    ASSERT_EQ(output.dtype(), torch_output.dtype()) << where;
    ASSERT_EQ(output.sizes(), torch_output.sizes()) << where;
    // torch's gradient is in the input's dtype; eval's in the one it computed in (--dtype).
    const Tensor grad_in_input_dtype = grad.to(dtype);
    if (sample.value("random", false)) {
      // rrelu(training=True): torch's slopes are its own random draws; activ's must lie in
      // [lower, upper] where x < 0, be 1 where x > 0, and be the ones the gradient uses.
      const double lower = sample["kwargs"]["lower"], upper = sample["kwargs"]["upper"];
      const std::vector<double> x = input.to(float64).flatten().to_vector<double>();
      const std::vector<double> y = output.to(float64).flatten().to_vector<double>();
      const std::vector<double> gx = grad.to(float64).flatten().to_vector<double>();
      const std::vector<double> g =
          grad_output_like(output).to(float64).flatten().to_vector<double>();
      for (std::size_t i = 0; i < x.size(); ++i) {
        const double slope = x[i] > 0 ? 1.0 : y[i] / x[i];
        if (x[i] < 0) {
          EXPECT_GE(slope, lower * (1 - 1e-6)) << where << " at " << i;
          EXPECT_LE(slope, upper * (1 + 1e-6)) << where << " at " << i;
        } else {
          EXPECT_EQ(y[i], x[i]) << where << " at " << i;
        }
        EXPECT_NEAR(gx[i], g[i] * slope, 1e-6) << where << " at " << i;
      }
    } else {
      EXPECT_LE(worst_ratio(output, torch_output), 1) << where << " output";
      EXPECT_LE(worst_ratio(grad_in_input_dtype, torch_grad), 1) << where << " gradient";
    }
    ++matched;
  }
  EXPECT_GT(matched, 0) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(OpInfo, OpInfoSamples, testing::ValuesIn(op_names()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

// Every sample and error input is either run or listed with its reason.
TEST(OpInfoReference, OnlyTheListedSamplesAreNotExpressible) {
  std::map<std::string, int> not_expressible;
  std::size_t total = 0;
  for (const char* list : {"samples", "errors"}) {
    for (const Json& sample : golden()[list]) {
      ++total;
      const Expressed expressed = express(sample);
      if (!expressed.call) ++not_expressible[expressed.reason];
    }
  }
  EXPECT_EQ(not_expressible, kNotExpressible);
  EXPECT_EQ(total, 388u);  // 382 samples (float32 and float64) and 6 error inputs
}

// torch's error inputs are errors in activ eval too: a usage error of the options or an
// activ::Error of the call.
TEST(OpInfoReference, TorchErrorsAreErrors) {
  int checked = 0;
  const Json& errors = golden()["errors"];
  for (std::size_t index = 0; index < errors.size(); ++index) {
    const Json& error = errors[index];
    const Expressed expressed = express(error);
    if (!expressed.call) continue;
    const EvalCall& call = *expressed.call;
    const Tensor input = tensor_of(error["input"], error["shape"], dtype_of(error["dtype"]));
    std::string message = "no error";
    try {
      const ActivationChoice choice = choose_activation("eval", call.name, call.values);
      const Tensor output = choice.info->forward(input.clone(), call.values);
      choice.info->backward(ones_like(output), input, call.values);
    } catch (const UsageError& raised) {
      message = raised.what();
    } catch (const Error& raised) {
      message = raised.what();
    }
    EXPECT_NE(message, "no error")
        << label(error, index) << ": torch raises " << error["type"].get<std::string>() << ": "
        << error["message"].get<std::string>();
    ++checked;
  }
  EXPECT_EQ(checked, 5);
}

}  // namespace
}  // namespace activ::cli
