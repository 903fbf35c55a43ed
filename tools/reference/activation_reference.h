// Accurate references of the smooth elementwise activations, independent of activ's kernels
// (careful formulas, glibc's long double math or MPFR, no Highway), and the ULP measurement of
// activ's span kernels against them. Used by tests/activation_accuracy_test and
// `activ accuracy`.
//
// Each formula is written once as a template and evaluated either in long double (fast; its 11
// bits beyond float64 are plenty for float32) or with MPFR at 160 bits (for float64, where the
// cancellation next to the zero of SiLU's or Mish's derivative eats more than 11 bits).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "activ/kernels.h"

namespace activ::reference {

enum class Precision { kLongDouble, kMpfr };

// One smooth activation with fixed options.
struct Function {
  std::string name;        // module name and options: "Softplus(beta=2.5, threshold=10)"
  std::string module;      // "Softplus"
  kernels::Params params;  // names the kernel too
  // What float64 needs: MPFR where long double's 11 extra bits are not enough (next to the zero
  // of f', where f' cancels, and for beta * x rounded in long double), else long double.
  Precision float64_precision;
  // f(x) and f'(x), exact up to the precision's rounding.
  std::function<long double(double)> forward_ld, backward_ld, forward_mp, backward_mp;

  long double forward(double x, Precision precision) const {
    return precision == Precision::kMpfr ? forward_mp(x) : forward_ld(x);
  }
  long double backward(double x, Precision precision) const {
    return precision == Precision::kMpfr ? backward_mp(x) : backward_ld(x);
  }
};

// Every smooth activation with the option sets the accuracy checks cover; each module's first
// entry has torch's default options.
const std::vector<Function>& functions();

// Error of `actual` in units of the last place of `exact` in T; 0 where the exact value is below
// the smallest normal number and the error is within that number (the accuracy contract's
// allowance); infinite where one is finite and the other is not, or only one is NaN.
template <class T>
double ulp_error(T actual, long double exact);

struct ErrorStats {
  double max_ulp = 0;
  double worst_x = 0;  // an input with the largest error
  double sum_ulp = 0;
  std::uint64_t count = 0;

  double mean_ulp() const { return count == 0 ? 0 : sum_ulp / static_cast<double>(count); }
  void add(double ulp, double x);
  void merge(const ErrorStats& other);
};

// Forward and backward (grad_output = 1) errors of activ's kernels over the inputs.
struct Accuracy {
  ErrorStats forward, backward;
  void merge(const Accuracy& other);
};

// T is float or double.
template <class T>
Accuracy measure(const Function& function, std::span<const T> inputs, Precision precision);

// The float32 kernels against the float64 kernels over every float32 whose bit pattern is in
// [first_bits, last_bits) (a negative float's pattern has the sign bit set). The float64 kernels
// are within 4 float64 ULP of the exact values, 2^-27 of a float32 ULP (the accuracy test checks
// them against MPFR), and run at about a billion inputs a second, so that ranges of millions of
// floats, or all 2^32, can be checked where MPFR would take hours.
Accuracy measure_float32_bits(const Function& function, std::uint64_t first_bits,
                              std::uint64_t last_bits);

// ulp_error<float>(actual, exact) for a float64 `exact`, in float64 arithmetic (a few times faster
// than long double: the sweeps call it billions of times).
double float32_ulp_error(float actual, double exact);

// The fast dense samples: every 4099th float32 bit pattern of either sign, the floats next to
// 0, 1 and a few other points, the extremes.
std::vector<float> float32_samples();
// Random bit patterns over all finite doubles, uniform in [-50, 50], log-uniform magnitudes in
// [1e-20, 1e3] and dense runs next to the points where cancellation is hardest (the zeros of
// SiLU's and Mish's derivatives); `count` scales the random parts (400000 in all by default).
std::vector<double> float64_samples(int count = 400000);

}  // namespace activ::reference
