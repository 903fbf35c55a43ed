// Accuracy of the smooth elementwise activations' kernels against the independent references of
// tools/reference (long double for float32, MPFR where float64 needs it): max ULP error of forward
// and backward (grad_output = 1) over a dense float32 sample and a float64 sample. Piecewise-linear
// functions are bit-identical to torch and checked in activation_reference_test; `activ accuracy
// --exhaustive` sweeps every float32.
//
// Bounds: forward <= 4 ULP, backward <= 8 ULP; where the exact value is below the smallest
// normal number in magnitude, an absolute error up to that number is accepted instead.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <set>
#include <span>
#include <thread>
#include <vector>

#include "activation_reference.h"

namespace activ::reference {
namespace {

constexpr double kForwardBound = 4;
constexpr double kBackwardBound = 8;

// The float64 sample split over two threads: MPFR is slow.
Accuracy measure_float64(const Function& function, const std::vector<double>& samples) {
  const Precision precision = function.float64_precision;
  const std::size_t half = samples.size() / 2;
  const std::span<const double> all(samples);
  Accuracy first, second;
  std::thread worker([&] { first = measure(function, all.first(half), precision); });
  second = measure(function, all.subspan(half), precision);
  worker.join();
  first.merge(second);
  return first;
}

// Every float32 with kSweptLow <= |x| < kSweptHigh, against the float64 kernels: the range where
// the float32 kernels switch between table intervals, root windows and formulas, and enter the
// tails whose results leave float32's normal range (sigmoid's below -87). The dense sample above
// missed a 4.25-ULP spot of GELU's last table interval (x = -5.9928637).
constexpr float kSweptLow = 0.25f, kSweptHigh = 128.0f;

TEST(ActivationAccuracy, EveryFloat32WhereKernelsSwitchPieces) {
  const std::uint64_t first = std::bit_cast<std::uint32_t>(kSweptLow);
  const std::uint64_t last = std::bit_cast<std::uint32_t>(kSweptHigh);
  constexpr std::uint64_t kSign = std::uint64_t{1} << 31;
  for (const Function& function : functions()) {
    Accuracy positive, negative;
    std::thread worker(
        [&] { negative = measure_float32_bits(function, kSign | first, kSign | last); });
    positive = measure_float32_bits(function, first, last);
    worker.join();
    positive.merge(negative);
    std::cout << std::left << std::setw(34) << function.name << std::right << std::fixed
              << std::setprecision(3) << std::setw(12) << positive.forward.max_ulp << std::setw(12)
              << positive.backward.max_ulp << std::defaultfloat << std::setprecision(9) << "   ("
              << positive.forward.worst_x << "; " << positive.backward.worst_x << ")\n";
    EXPECT_LE(positive.forward.max_ulp, kForwardBound)
        << function.name << " float32 forward at x = " << positive.forward.worst_x;
    EXPECT_LE(positive.backward.max_ulp, kBackwardBound)
        << function.name << " float32 backward at x = " << positive.backward.worst_x;
  }
}

TEST(ActivationAccuracy, Float32UlpErrorAgreesWithTheLongDoubleOne) {
  for (const double exact : {1.0, 1.0 + 0x1p-30, -3.5e-9, 1e-40, 0.0, 3e38, 4e38, -1e-45}) {
    for (const float actual :
         {static_cast<float>(exact), std::nextafter(static_cast<float>(exact), 1e30f), 0.0f, 1e-38f,
          INFINITY, NAN}) {
      EXPECT_EQ(float32_ulp_error(actual, exact), ulp_error<float>(actual, exact))
          << actual << " against " << exact;
    }
  }
}

TEST(ActivationAccuracy, MaxUlpErrorWithinContract) {
  const std::vector<float> samples32 = float32_samples();
  const std::vector<double> samples64 = float64_samples();
  std::cout << std::left << std::setw(34) << "function" << std::right << std::setw(12) << "f32 fwd"
            << std::setw(12) << "f32 bwd" << std::setw(12) << "f64 fwd" << std::setw(12)
            << "f64 bwd"
            << "   (max ULP; worst x)\n";
  for (const Function& function : functions()) {
    const Accuracy f32 = measure<float>(function, samples32, Precision::kLongDouble);
    const Accuracy f64 = measure_float64(function, samples64);
    std::cout << std::left << std::setw(34) << function.name << std::right << std::fixed
              << std::setprecision(3) << std::setw(12) << f32.forward.max_ulp << std::setw(12)
              << f32.backward.max_ulp << std::setw(12) << f64.forward.max_ulp << std::setw(12)
              << f64.backward.max_ulp << std::defaultfloat << std::setprecision(17) << "   ("
              << f32.forward.worst_x << "; " << f32.backward.worst_x << "; " << f64.forward.worst_x
              << "; " << f64.backward.worst_x << ")\n";
    const std::string& name = function.name;
    EXPECT_LE(f32.forward.max_ulp, kForwardBound)
        << name << " float32 forward at x = " << f32.forward.worst_x;
    EXPECT_LE(f32.backward.max_ulp, kBackwardBound)
        << name << " float32 backward at x = " << f32.backward.worst_x;
    EXPECT_LE(f64.forward.max_ulp, kForwardBound)
        << name << " float64 forward at x = " << f64.forward.worst_x;
    EXPECT_LE(f64.backward.max_ulp, kBackwardBound)
        << name << " float64 backward at x = " << f64.backward.worst_x;
  }
}

// The table's smooth rows are exactly the activations with a reference: a smooth row without one
// would otherwise never be measured.
TEST(ActivationAccuracy, EverySmoothRowHasAReference) {
  std::set<kernels::Activation> referenced;
  for (const Function& function : functions()) {
    const kernels::Activation op = kernels::activation_of(function.params);
    EXPECT_EQ(kernels::describe(op).smoothness, kernels::Smoothness::kSmooth) << function.name;
    referenced.insert(op);
  }
  for (std::size_t i = 0; i < static_cast<std::size_t>(kernels::Activation::kCount); ++i) {
    const kernels::Description& row = kernels::kDescriptions[i];
    if (row.smoothness == kernels::Smoothness::kSmooth) {
      EXPECT_TRUE(referenced.count(static_cast<kernels::Activation>(i)))
          << row.module << " has no reference in tools/reference/activation_reference.cpp";
    }
  }
}

}  // namespace
}  // namespace activ::reference
