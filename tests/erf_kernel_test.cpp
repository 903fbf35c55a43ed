// Accuracy of the vectorized float64 erf/erfc (src/kernels/erf-inl.h) against glibc's long double
// erfcl/erfl on a dense sample: erfc within 2 ULP relative wherever its value is normal (within
// one subnormal step below), erf within 1 ULP; exact special values.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <random>
#include <vector>

#include "kernels/erf.h"

namespace activ {
namespace {

// |actual - exact| in ULPs of double at exact's binade; subnormal results in subnormal steps.
double ulp_error(double actual, long double exact) {
  const long double tiny = std::numeric_limits<double>::min();
  const int exponent = std::max(std::ilogb(std::abs(exact) < tiny ? tiny : exact), -1022);
  return static_cast<double>(std::abs(actual - exact) / std::ldexp(1.0L, exponent - 52));
}

// Uniform steps over [-7, 28] (erfc underflows at 27.3), every 977th double bit pattern of the
// binades from 2^-30 to 2^5, and random bit patterns of any magnitude.
std::vector<double> samples() {
  std::vector<double> out;
  for (int k = 0; k <= 1750000; ++k) out.push_back(-7.0 + k * 2e-5);
  const std::uint64_t lo = std::bit_cast<std::uint64_t>(0x1p-30),
                      hi = std::bit_cast<std::uint64_t>(0x1p5);
  for (std::uint64_t bits = lo; bits < hi; bits += 977 * 4096ull * 1024ull) {
    out.push_back(std::bit_cast<double>(bits));
    out.push_back(-std::bit_cast<double>(bits));
  }
  std::mt19937_64 rng(2024);
  std::uniform_int_distribution<std::uint64_t> bits(0, 0x7fefffffffffffffull);
  for (int k = 0; k < 200000; ++k) {
    const double v = std::bit_cast<double>(bits(rng));
    out.push_back(k & 1 ? v : -v);
  }
  return out;
}

struct Worst {
  double ulp = 0, at = 0;
};

template <class Kernel, class Exact>
Worst measure(const std::vector<double>& x, Kernel kernel, Exact exact) {
  std::vector<double> y(x.size());
  kernel(std::span<const double>(x), std::span<double>(y));
  Worst worst;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double e = ulp_error(y[i], exact(static_cast<long double>(x[i])));
    if (!(e <= worst.ulp)) worst = {e, x[i]};
  }
  return worst;
}

TEST(ErfKernel, ErfcWithinTwoUlpDownToUnderflow) {
  const Worst worst = measure(samples(), kernels::erfc, [](long double v) { return erfcl(v); });
  std::cout << "erfc: max " << worst.ulp << " ULP at x = " << worst.at << "\n";
  EXPECT_LE(worst.ulp, 2.0) << "at x = " << worst.at;
}

TEST(ErfKernel, ErfWithinOneUlp) {
  const Worst worst = measure(samples(), kernels::erf, [](long double v) { return erfl(v); });
  std::cout << "erf: max " << worst.ulp << " ULP at x = " << worst.at << "\n";
  EXPECT_LE(worst.ulp, 1.0) << "at x = " << worst.at;
}

TEST(ErfKernel, SpecialValues) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> x = {0.0, -0.0, inf, -inf, std::nan(""), 27.3, -27.3, 1e-300, -1e-300};
  std::vector<double> c(x.size()), e(x.size());
  kernels::erfc(x, c);
  kernels::erf(x, e);
  const std::vector<double> expected_c = {1, 1, 0, 2, NAN, 0, 2, 1, 1};
  const std::vector<double> expected_e = {
      0.0, -0.0, 1, -1, NAN, 1, -1, 1e-300 * 1.1283791670955126, -1e-300 * 1.1283791670955126};
  for (std::size_t i = 0; i < x.size(); ++i) {
    SCOPED_TRACE(x[i]);
    if (std::isnan(x[i])) {
      EXPECT_TRUE(std::isnan(c[i]) && std::isnan(e[i]));
      continue;
    }
    EXPECT_EQ(c[i], expected_c[i]);
    EXPECT_EQ(e[i], expected_e[i]);
    EXPECT_EQ(std::signbit(e[i]), std::signbit(x[i]));
  }
}

}  // namespace
}  // namespace activ
