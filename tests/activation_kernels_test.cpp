// The span kernels' contract (activ/kernels.h): spans of different sizes are an error, never a
// partial result; the run-time Params choose the same kernel as the typed call.
#include <gtest/gtest.h>

#include <cmath>
#include <span>
#include <vector>

#include "activ/error.h"
#include "activ/kernels.h"

namespace activ {
namespace {

namespace k = kernels;

TEST(ActivationKernels, SpansOfDifferentSizesAreAValueError) {
  const std::vector<float> x(5, 0.5f), g(5, 1.0f), shorter_g(4, 1.0f);
  std::vector<float> out(4, -7.0f), long_out(6);
  EXPECT_THROW(
      k::forward(k::ELUParams{.alpha = 1.0}, std::span<const float>(x), std::span<float>(out)),
      ValueError);
  EXPECT_THROW(k::backward(k::ELUParams{.alpha = 1.0}, std::span<const float>(shorter_g),
                           std::span<const float>(x), std::span<float>(long_out)),
               ValueError);
  EXPECT_THROW(k::backward(k::ELUParams{.alpha = 1.0}, std::span<const float>(g),
                           std::span<const float>(x), std::span<float>(out)),
               ValueError);
  EXPECT_THROW(k::second_derivative(k::Params{k::ELUParams{.alpha = 1.0}},
                                    std::span<const float>(x), std::span<float>(long_out)),
               ValueError);
  // nothing was written into the short output
  for (float v : out) EXPECT_EQ(v, -7.0f);
}

TEST(ActivationKernels, ParamsWithoutAnActivationAreAValueError) {
  const std::vector<double> x(3, 1.0);
  std::vector<double> y(3);
  EXPECT_THROW(k::forward(k::Params{}, std::span<const double>(x), std::span<double>(y)),
               ValueError);
  EXPECT_EQ(k::activation_of(k::Params{}), k::Activation::kCount);
}

TEST(ActivationKernels, RunTimeParamsChooseTheTypedKernel) {
  const std::vector<double> x = {-2.0, -0.5, 0.0, 0.75, 3.0};
  const k::GELUParams tanh_form{.approximate = k::GeluApproximate::kTanh};
  std::vector<double> typed(x.size()), chosen(x.size()), exact_form(x.size());
  k::forward(tanh_form, std::span<const double>(x), std::span<double>(typed));
  k::forward(k::Params{tanh_form}, std::span<const double>(x), std::span<double>(chosen));
  k::forward(k::GELUParams{}, std::span<const double>(x), std::span<double>(exact_form));
  EXPECT_EQ(k::activation_of(k::Params{tanh_form}), k::Activation::GELU);
  for (std::size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(typed[i], chosen[i]) << x[i];
    // the approximation's own value, not the erf form's, away from 0
    if (x[i] != 0) {
      EXPECT_NE(typed[i], exact_form[i]) << x[i];
    }
  }
}

}  // namespace
}  // namespace activ
