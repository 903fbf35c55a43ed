// The curves activ plot and activ gallery draw (tools/activ/activation_figure.h): their values
// are the functions' and derivatives' own, functions of a vector follow their documented probe,
// the figure is titled with the module's repr, and in the PNG the curves' pixels lie where the
// values map. Also the by-name lookup they share with eval (tools/activ/catalogue_lookup.h).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "activation_figure.h"
#include "catalogue_lookup.h"
#include "support/figure_pixels.h"

namespace activ::cli {
namespace {

using namespace testing_support;  // Image, the colours and layout()

double sigmoid(double x) {
  return 1 / (1 + std::exp(-x));
}

FigureRequest request_for(const std::string& call) {
  FigureRequest request;
  request.functions.push_back(parse_activation_call("plot", call));
  return request;
}

// Checks every sample of the curve against f and f'.
template <class F, class DF>
void expect_curve(const std::string& call, F f, DF df) {
  const ActivationChoice choice = parse_activation_call("plot", call);
  const Curve curve = sample_curve("plot", choice, -6, 6);
  ASSERT_EQ(curve.x.size(), 1201u);
  EXPECT_EQ(curve.x.front(), -6.0);
  EXPECT_EQ(curve.x.back(), 6.0);
  for (std::size_t i = 0; i < curve.x.size(); i += 37) {
    const double x = curve.x[i];
    EXPECT_NEAR(curve.y[i], f(x), 1e-12) << call << " at x = " << x;
    EXPECT_NEAR(curve.derivative[i], df(x), 1e-12) << call << "' at x = " << x;
  }
}

TEST(ActivationCurves, ElementwiseValuesAndDerivatives) {
  expect_curve(
      "elu(alpha=0.5)", [](double x) { return x > 0 ? x : 0.5 * std::expm1(x); },
      [](double x) { return x > 0 ? 1 : 0.5 * std::exp(x); });
  expect_curve(
      "LeakyReLU(negative_slope=0.2)", [](double x) { return x > 0 ? x : 0.2 * x; },
      [](double x) { return x > 0 ? 1 : 0.2; });
  expect_curve(
      "gelu(approximate='tanh')",
      [](double x) {
        return 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
      },
      [](double x) {
        const double u = std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x);
        const double t = std::tanh(u);
        return 0.5 * (1 + t) +
               0.5 * x * (1 - t * t) * std::sqrt(2 / M_PI) * (1 + 3 * 0.044715 * x * x);
      });
}

TEST(ActivationCurves, FunctionsOfAVectorFollowTheirProbe) {
  // softmax([x, 0])[0] is sigmoid(x); log_softmax's is logsigmoid(x); GLU on [x, x] is SiLU.
  const auto dsigmoid = [](double x) { return sigmoid(x) * (1 - sigmoid(x)); };
  expect_curve("softmax", sigmoid, dsigmoid);
  expect_curve("softmax2d", sigmoid, dsigmoid);
  expect_curve(
      "log_softmax(dim=0)", [](double x) { return std::log(sigmoid(x)); },
      [](double x) { return 1 - sigmoid(x); });
  expect_curve(
      "softmin", [](double x) { return sigmoid(-x); }, [&](double x) { return -dsigmoid(x); });
  expect_curve(
      "glu", [](double x) { return x * sigmoid(x); },
      [](double x) { return sigmoid(x) * (1 + x * (1 - sigmoid(x))); });
  expect_curve(
      "crelu", [](double x) { return x > 0 ? x : 0.0; }, [](double x) { return x > 0 ? 1 : 0; });
}

TEST(ActivationCurves, EveryActivationHasACurve) {
  for (const nn::ActivationInfo* info : all_activations()) {
    const Curve curve = sample_curve("plot", {info, {}, info->repr({})}, -6, 6, 25);
    EXPECT_EQ(curve.y.size(), 25u) << info->module_name;
    EXPECT_EQ(curve.derivative.size(), 25u) << info->module_name;
  }
}

// The message of the UsageError that action raises.
template <class Action>
std::string usage_error(Action action) {
  try {
    action();
  } catch (const UsageError& error) {
    return error.what();
  }
  return "no error";
}

TEST(ActivationCurves, RefusesWhatHasNoCurve) {
  const auto message = [](const std::string& call) {
    return usage_error([&] { sample_curve("plot", parse_activation_call("plot", call), -1, 1); });
  };
  EXPECT_EQ(message("rrelu(training=True)"),
            "plot: rrelu(lower=0.125, upper=0.3333333333333333): training=True draws random "
            "slopes; plot the eval-mode function instead");
  EXPECT_EQ(message("softmax(dim=1)")
                .rfind("plot: softmax(dim=1) on the plotted input x  (input "
                       "[x, 0], first output): ",
                       0),
            0u)
      << message("softmax(dim=1)");
}

TEST(ActivationLookup, CallsInReprSyntax) {
  EXPECT_EQ(parse_activation_call("plot", "LeakyReLU(negative_slope=0.2)").repr,
            "LeakyReLU(negative_slope=0.2)");
  EXPECT_EQ(parse_activation_call("plot", "GELU(approximate='tanh')").repr,
            "GELU(approximate='tanh')");
  EXPECT_EQ(parse_activation_call("plot", "Softplus( beta=2 , threshold=10 )").repr,
            "Softplus(beta=2, threshold=10)");
  EXPECT_EQ(parse_activation_call("plot", "ELU").repr, "ELU(alpha=1.0)");
  const auto message = [](const std::string& call) {
    return usage_error([&] { parse_activation_call("bench", call); });
  };
  EXPECT_EQ(message("eluu"),
            "bench: unknown activation 'eluu'; closest: elu, relu, relu6 (see "
            "activ list)");
  EXPECT_EQ(message("elu(alpha)"), "bench: expected option=value in 'elu(alpha)', got 'alpha'");
  EXPECT_EQ(message("elu(alpha=1"),
            "bench: expected NAME or NAME(option=value, ...), got "
            "'elu(alpha=1'");
  EXPECT_EQ(message("ELU(alfa=1)"),
            "bench: ELU: unknown option 'alfa'; valid options: alpha, inplace");
}

// A lower-case name is torch.nn.functional's function (titled with the call, only its checks),
// an upper-case one the torch.nn module (titled with its repr, the constructor's checks).
TEST(ActivationLookup, TheNameSelectsFunctionalOrModule) {
  EXPECT_EQ(form_of("hardtanh"), Form::kFunctional);
  EXPECT_EQ(form_of("leakyrelu"), Form::kFunctional);
  EXPECT_EQ(form_of("Hardtanh"), Form::kModule);
  EXPECT_EQ(form_of("LEAKY_RELU"), Form::kModule);
  EXPECT_EQ(parse_activation_call("plot", "leaky_relu(negative_slope=0.2)").repr,
            "leaky_relu(negative_slope=0.2)");
  EXPECT_EQ(parse_activation_call("plot", "elu").repr, "elu(alpha=1.0)");
  EXPECT_EQ(parse_activation_call("plot", "hardshrink(lambd=1)").repr, "hardshrink(1)");
  // F.hardtanh clamps into [min_val, max_val] even when min_val > max_val: max_val everywhere.
  expect_curve(
      "hardtanh(min_val=0.5, max_val=-0.5)", [](double) { return -0.5; },
      [](double) { return 0.0; });
  EXPECT_EQ(
      usage_error([] { parse_activation_call("plot", "Hardtanh(min_val=0.5, max_val=-0.5)"); }),
      "plot: Hardtanh: max_val must be greater than min_val, got min_val=0.5, max_val=-0.5");
  EXPECT_EQ(usage_error([] { parse_activation_call("plot", "HardTanh(min_val=0, max_val=0)"); }),
            "plot: Hardtanh: max_val must be greater than min_val, got min_val=0, max_val=0");
  EXPECT_EQ(usage_error([] { parse_activation_call("plot", "RReLU(training=True)"); }),
            "plot: RReLU: the module has no option 'training' (its mode is set by .train(); "
            "--train in activ eval); the function rrelu has");
  EXPECT_EQ(usage_error([] { parse_activation_call("plot", "elu(alfa=1)"); }),
            "plot: ELU: unknown option 'alfa'; valid options: alpha, inplace");
}

TEST(ActivationLookup, LongOptions) {
  EXPECT_FALSE(long_option("-1"));
  EXPECT_FALSE(long_option("--"));
  const auto option = long_option("--negative-slope=-0.2");
  ASSERT_TRUE(option);
  EXPECT_EQ(option->key, "negative_slope");
  EXPECT_EQ(option->value, "-0.2");
  EXPECT_EQ(long_option("--both")->value, std::nullopt);
}

class ActivationFigures : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() /
                 ("activ_cli_figure_test_" + std::to_string(getpid()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }
  std::filesystem::path directory_;
};

TEST_F(ActivationFigures, TitleLegendAndCurvePixels) {
  FigureRequest request = request_for("ELU(alpha=0.5)");
  request.derivative = true;
  request.x_min = -4;
  request.x_max = 4;
  request.width = 600;
  const ActivationFigure figure = activation_figure("plot", request);
  EXPECT_EQ(figure.options.title, "ELU(alpha=0.5)");
  ASSERT_EQ(figure.series.size(), 2u);
  EXPECT_EQ(figure.series[0].label, "ELU(alpha=0.5)");
  EXPECT_EQ(figure.series[1].label, "derivative of ELU(alpha=0.5)");

  const std::filesystem::path png = directory_ / "elu.png";
  save_figure(png.string(), figure.series, figure.options);
  const Image image(png);
  ASSERT_EQ(image.status(), CAIRO_STATUS_SUCCESS);
  EXPECT_EQ(image.width(), 600);
  EXPECT_EQ(image.height(), 480);
  const plot_detail::PlotArea area = layout(figure.series, figure.options);
  EXPECT_EQ(area.x_min, -4.0);
  EXPECT_EQ(area.x_max, 4.0);
  const auto elu = [](double x) { return x > 0 ? x : 0.5 * std::expm1(x); };
  const auto delu = [](double x) { return x > 0 ? 1 : 0.5 * std::exp(x); };
  // Away from where the two curves cross (x = 1) and from the legend's corner.
  for (double x : {-3.5, -2.0, -1.0, 2.0, 2.5}) {
    EXPECT_TRUE(image.any_near(area.device_x(x), area.device_y(elu(x)), 2, is(kBlue))) << x;
    EXPECT_FALSE(image.any_near(area.device_x(x), area.device_y(elu(x) + 0.8), 2, is(kBlue))) << x;
  }
  for (double x : {-1.5, -0.5, 2.0, 3.0}) {  // where f' is not along the x axis
    EXPECT_TRUE(image.any_near(area.device_x(x), area.device_y(delu(x)), 2, is(kOrange))) << x;
  }
}

TEST_F(ActivationFigures, ComparedFunctionsEachGetACurve) {
  FigureRequest request = request_for("relu");
  request.functions.push_back(parse_activation_call("plot", "Softplus(beta=2)"));
  const ActivationFigure figure = activation_figure("plot", request);
  EXPECT_EQ(figure.options.title, "relu()");
  ASSERT_EQ(figure.series.size(), 2u);
  EXPECT_EQ(figure.series[1].label, "Softplus(beta=2, threshold=20)");
  EXPECT_NEAR(figure.series[1].y.back(), 6.0 + std::log1p(std::exp(-12.0)) / 2, 1e-12);
}

}  // namespace
}  // namespace activ::cli
