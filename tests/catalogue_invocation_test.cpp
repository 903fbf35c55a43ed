// Evaluating activations through the runtime catalogue by name, with options as strings: the
// parsing rules, the error messages, and that every entry agrees with the typed API.
#include <gtest/gtest.h>

#include <string>

#include "activ/error.h"
#include "activ/nn/activation.h"
#include "activ/nn/catalogue.h"
#include "activ/nn/functional.h"

namespace activ::nn {
namespace {

const ActivationInfo& info(const std::string& name) {
  const ActivationInfo* found = find_activation(name);
  EXPECT_NE(found, nullptr) << name;
  return *found;
}

template <class Error>
std::string error_of(auto&& call) {
  try {
    call();
  } catch (const Error& error) {
    return error.what();
  }
  return "no error";
}

TEST(CatalogueInvocation, FindsModuleAndFunctionalNamesInAnyCase) {
  EXPECT_EQ(find_activation("leaky_relu"), find_activation("LeakyReLU"));
  EXPECT_EQ(find_activation("LEAKYRELU")->functional_name, "leaky_relu");
  EXPECT_EQ(find_activation("log_softmax")->module_name, "LogSoftmax");
  EXPECT_EQ(find_activation("leaky"), nullptr);
}

TEST(CatalogueInvocation, EveryEntryHasAFormulaAndTheInvocations) {
  for (const auto* list : {&elementwise_activations(), &shaped_activations()}) {
    for (const ActivationInfo& entry : *list) {
      EXPECT_FALSE(entry.formula.empty()) << entry.module_name;
      EXPECT_EQ(entry.formula.find('\n'), std::string::npos) << entry.module_name;
      EXPECT_TRUE(entry.forward && entry.backward && entry.repr) << entry.module_name;
      const std::string repr = entry.repr({});
      EXPECT_EQ(repr.substr(0, entry.module_name.size() + 1), entry.module_name + "(");
    }
  }
}

TEST(CatalogueInvocation, ReprKeepsNumbersAsWritten) {
  EXPECT_EQ(info("LeakyReLU").repr({{"negative_slope", "0.2"}}), "LeakyReLU(negative_slope=0.2)");
  EXPECT_EQ(info("softplus").repr({{"beta", "2"}}), "Softplus(beta=2, threshold=20)");
  EXPECT_EQ(info("softplus").repr({{"beta", "2.0"}}), "Softplus(beta=2.0, threshold=20)");
  EXPECT_EQ(info("elu").repr({{"alpha", "1e-5"}, {"inplace", "True"}}),
            "ELU(alpha=1e-05, inplace=True)");
  EXPECT_EQ(info("relu").repr({{"inplace", "1"}}), "ReLU(inplace=True)");
  EXPECT_EQ(info("relu").repr({{"inplace", "false"}}), "ReLU()");
  EXPECT_EQ(info("gelu").repr({{"approximate", "tanh"}}), "GELU(approximate='tanh')");
  EXPECT_EQ(info("softmax").repr({{"dim", "None"}}), "Softmax(dim=None)");
  EXPECT_EQ(info("softmax").repr({{"dim", "-1"}}), "Softmax(dim=-1)");
  EXPECT_EQ(info("hardshrink").repr({{"lambd", "1"}}), "Hardshrink(1)");
}

TEST(CatalogueInvocation, ErrorsNameTheOptionTheExpectationAndTheValue) {
  EXPECT_EQ(error_of<ValueError>([] {
              info("elu").repr({{"alfa", "1"}});
            }),
            "ELU: unknown option 'alfa'; valid options: alpha, inplace");
  EXPECT_EQ(error_of<ValueError>([] {
              info("sigmoid").repr({{"alpha", "1"}});
            }),
            "Sigmoid: unknown option 'alpha'; valid options: none");
  EXPECT_EQ(error_of<ValueError>([] {
              info("elu").repr({{"alpha", "1.0.0"}});
            }),
            "ELU: option 'alpha' expects a number, got '1.0.0'");
  EXPECT_EQ(error_of<ValueError>([] {
              info("relu").repr({{"inplace", "yes"}});
            }),
            "ReLU: option 'inplace' expects a bool (true, false, True, False, 1 or 0), got 'yes'");
  EXPECT_EQ(error_of<ValueError>([] {
              info("glu").repr({{"dim", "None"}});
            }),
            "GLU: option 'dim' expects an integer, got 'None'");
  EXPECT_EQ(error_of<ValueError>([] {
              info("softmin").repr({{"dim", "x"}});
            }),
            "Softmin: option 'dim' expects an integer or None, got 'x'");
  // The library's own checks still apply.
  EXPECT_EQ(error_of<ValueError>([] {
              info("gelu").forward(ones({2}), {{"approximate", "x"}});
            }),
            "gelu: argument 'approximate' must be either 'none' or 'tanh', got 'x'");
}

TEST(CatalogueInvocation, ForwardAndBackwardMatchTheTypedApi) {
  const Tensor x = tensor({-2.0, -0.5, 0.0, 0.75, 3.0});
  const Tensor g = tensor({1.0, -2.0, 0.5, 3.0, 0.25});
  const ActivationInfo& elu = info("elu");
  EXPECT_TRUE(equal(elu.forward(x, {{"alpha", "0.5"}}), functional::elu(x, {.alpha = 0.5})));
  EXPECT_TRUE(equal(elu.backward(g, x, {{"alpha", "0.5"}}),
                    functional::elu_backward(g, x, {.alpha = 0.5})));
  for (const ActivationInfo& entry : elementwise_activations()) {
    EXPECT_EQ(entry.forward(x, {}).sizes(), x.sizes()) << entry.module_name;
    EXPECT_EQ(entry.backward(g, x, {}).sizes(), x.sizes()) << entry.module_name;
  }
  const ActivationInfo& softmax = info("softmax");
  const Tensor y = functional::softmax(x, {.dim = 0});
  EXPECT_TRUE(equal(softmax.forward(x, {{"dim", "0"}}), y));
  EXPECT_TRUE(equal(softmax.backward(g, x, {{"dim", "0"}}), functional::softmax_backward(g, y, 0)));
  // PReLU with its initial weight 0.25, in the input's dtype.
  const Tensor x64 = x.to(float64);
  EXPECT_TRUE(
      equal(info("prelu").forward(x64, {}), functional::prelu(x64, full({1}, 0.25, float64))));
  // RReLU: eval by default (the mean slope), and training draws the forward's slopes again
  // for the backward when seeded the same.
  EXPECT_TRUE(equal(info("rrelu").forward(x, {}),
                    functional::leaky_relu(x, {.negative_slope = (1.0 / 8 + 1.0 / 3) / 2})));
  manual_seed(3);
  const Tensor trained = info("rrelu").forward(x, {{"training", "true"}});
  manual_seed(3);
  const Tensor slopes = info("rrelu").backward(ones_like(x), x, {{"training", "true"}});
  EXPECT_TRUE(equal(trained, x * slopes));
}

}  // namespace
}  // namespace activ::nn
