// The SIMD softmax kernels (src/kernels/softmax.h) against a long double reference: forward and
// backward, softmax and log_softmax, float32 and float64, rows contiguous and interleaved, with
// row lengths around the vector width (the padded ends) and torch's special rows, on every SIMD
// target of the machine (their exps differ). Bound: 5 ULP (exp 1, the sum about 2, the
// reciprocal and product 1).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <random>
#include <vector>

#include "hwy/targets.h"
#include "kernels/softmax.h"

namespace activ {
namespace {

using kernels::SoftmaxKind;
using kernels::SoftmaxRows;

// |actual - exact| in ULPs of T at exact's binade (subnormals in subnormal steps).
template <class T>
double ulp_error(T actual, long double exact) {
  if (std::isnan(exact)) return std::isnan(actual) ? 0 : 1e30;
  if (std::isinf(exact)) return actual == exact ? 0 : 1e30;
  const long double tiny = std::numeric_limits<T>::min();
  const int exponent = std::max(std::ilogb(std::abs(exact) < tiny ? tiny : exact),
                                std::numeric_limits<T>::min_exponent - 1);
  return static_cast<double>(std::abs(actual - exact) /
                             std::ldexp(1.0L, exponent - std::numeric_limits<T>::digits + 1));
}

// Runs check once on each SIMD target this CPU has, the kernels dispatched to it.
template <class Check>
void on_every_target(const Check& check) {
  for (const std::int64_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    SCOPED_TRACE(hwy::TargetName(target));
    check();
  }
  hwy::SetSupportedTargetsForTest(0);
}

// Element k of row j.
std::size_t at(const SoftmaxRows& layout, std::size_t j, std::size_t k) {
  return k * layout.element_stride + j * layout.row_stride;
}

std::size_t extent(const SoftmaxRows& layout) {
  return at(layout, layout.rows - 1, layout.length - 1) + 1;
}

// Exact softmax or log_softmax of a row whose differences x - max are rounded to T, as the
// kernels (and torch) compute them; the rounding of x - max alone would cost up to |x - max| / 2
// ULPs in exp.
template <class T>
std::vector<long double> reference_forward(SoftmaxKind kind, const std::vector<T>& x) {
  const T max = *std::max_element(x.begin(), x.end());
  long double sum = 0;
  for (T v : x) sum += std::exp(static_cast<long double>(T(v - max)));
  std::vector<long double> y;
  for (T v : x) {
    const long double shifted = T(v - max);
    y.push_back(kind == SoftmaxKind::kSoftmax ? std::exp(shifted) / sum : shifted - std::log(sum));
  }
  return y;
}

// The layouts: contiguous rows, and rows interleaved (dim not last) with a stride wider than the
// block of rows.
std::vector<SoftmaxRows> layouts(std::size_t rows, std::size_t length) {
  return {{.rows = rows, .length = length, .element_stride = 1, .row_stride = length},
          {.rows = rows, .length = length, .element_stride = rows + 3, .row_stride = 1}};
}

// The largest error of the rows' y = softmax(x) or log_softmax(x), in ULPs (log_softmax: of its
// larger term).
template <class T>
double worst_forward_error(SoftmaxKind kind, const SoftmaxRows& layout, const std::vector<T>& x,
                           const std::vector<T>& y) {
  double worst = 0;
  for (std::size_t j = 0; j < layout.rows; ++j) {
    std::vector<T> row;
    for (std::size_t k = 0; k < layout.length; ++k) row.push_back(x[at(layout, j, k)]);
    const auto expected = reference_forward(kind, row);
    const T max = *std::max_element(row.begin(), row.end());
    for (std::size_t k = 0; k < layout.length; ++k) {
      const T actual = y[at(layout, j, k)];
      if (kind == SoftmaxKind::kSoftmax) {
        worst = std::max(worst, ulp_error(actual, expected[k]));
      } else {
        // (x - max) - log(sum) cancels: its error scales with the larger term, and with 1
        // for log(sum) (sum >= 1 is rounded to T, as in torch).
        const long double shifted = T(row[k] - max);
        const long double terms = std::max({std::abs(shifted), expected[k] - shifted, 1.0L});
        const long double ulp = terms * std::numeric_limits<T>::epsilon();
        worst = std::max(
            worst, static_cast<double>(std::abs(actual - expected[k]) / std::max(ulp, 1e-300L)));
      }
    }
  }
  return worst;
}

template <class T>
void forward_within_few_ulps_of_exact() {
  std::mt19937 rng(7);
  std::normal_distribution<double> normal(0.0, 4.0);
  for (const SoftmaxKind kind : {SoftmaxKind::kSoftmax, SoftmaxKind::kLogSoftmax}) {
    for (std::size_t length : {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 100, 1024, 1031}) {
      for (const SoftmaxRows& layout : layouts(11, length)) {
        std::vector<T> x(extent(layout)), y(x.size(), T(-7));
        for (T& v : x) v = static_cast<T>(normal(rng));
        kernels::softmax_forward(kind, layout, x, y);
        EXPECT_LE(worst_forward_error(kind, layout, x, y), 5.0)
            << "length " << length << " element_stride " << layout.element_stride
            << (kind == SoftmaxKind::kSoftmax ? " softmax" : " log_softmax");
      }
    }
  }
}

// Rows evenly spaced from 0 down to `low`, in steps that are not a multiple of anything.
template <class T>
std::vector<T> evenly_spaced_row(std::size_t length, double low) {
  std::vector<T> row;
  for (std::size_t k = 0; k < length; ++k) {
    row.push_back(static_cast<T>(low * static_cast<double>(k) / static_cast<double>(length - 1)));
  }
  return row;
}

// Rows over the whole range of exp: x - max down to the float32 fast exp's bound (86.5) and past
// it (subnormal and zero results, float32 and float64), a single element just inside or outside
// the bound, huge and tiny values; each alone, contiguous and interleaved.
template <class T>
void forward_across_the_range_of_exp() {
  std::vector<std::vector<T>> rows = {
      evenly_spaced_row<T>(1031, -86.4), evenly_spaced_row<T>(1031, -110.0),
      evenly_spaced_row<T>(1031, -760.0), evenly_spaced_row<T>(40, -200.0)};
  std::mt19937 rng(3);
  std::normal_distribution<double> normal(0.0, 3.0);
  for (const double distance : {86.49, 86.51}) {
    std::vector<T> row;
    for (std::size_t k = 0; k < 100; ++k) row.push_back(static_cast<T>(normal(rng)));
    row[37] = static_cast<T>(*std::max_element(row.begin(), row.end()) - distance);
    rows.push_back(row);
  }
  std::uniform_real_distribution<double> unit(0.5, 1.0);
  std::vector<T> huge, tiny;
  for (std::size_t k = 0; k < 77; ++k) {
    huge.push_back(static_cast<T>((k % 2 == 0 ? -1e38 : 1e38) * unit(rng)));
    tiny.push_back(static_cast<T>(1e-40 * unit(rng)));  // subnormal in float32
  }
  rows.push_back(huge);
  rows.push_back(tiny);
  for (const SoftmaxKind kind : {SoftmaxKind::kSoftmax, SoftmaxKind::kLogSoftmax}) {
    for (const std::vector<T>& row : rows) {
      for (const SoftmaxRows& layout : layouts(1, row.size())) {
        std::vector<T> x(extent(layout)), y(x.size());
        for (std::size_t k = 0; k < row.size(); ++k) x[at(layout, 0, k)] = row[k];
        kernels::softmax_forward(kind, layout, x, y);
        EXPECT_LE(worst_forward_error(kind, layout, x, y), 5.0)
            << "length " << row.size() << " lowest " << *std::min_element(row.begin(), row.end())
            << " element_stride " << layout.element_stride
            << (kind == SoftmaxKind::kSoftmax ? " softmax" : " log_softmax");
      }
    }
  }
}

// gx from the backward kernel within a few ULPs of the exact gradient of its g and y.
template <class T>
void expect_backward_within_few_ulps(SoftmaxKind kind, const SoftmaxRows& layout,
                                     const std::vector<T>& g, const std::vector<T>& y,
                                     const std::vector<T>& gx) {
  for (std::size_t j = 0; j < layout.rows; ++j) {
    long double sum = 0, sum_of_magnitudes = 0;
    for (std::size_t k = 0; k < layout.length; ++k) {
      const std::size_t i = at(layout, j, k);
      const long double term =
          kind == SoftmaxKind::kSoftmax ? (long double)g[i] * y[i] : (long double)g[i];
      sum += term;
      sum_of_magnitudes += std::abs(term);
    }
    for (std::size_t k = 0; k < layout.length; ++k) {
      const std::size_t i = at(layout, j, k);
      const long double expected = kind == SoftmaxKind::kSoftmax
                                       ? y[i] * (g[i] - sum)
                                       : g[i] - std::exp((long double)y[i]) * sum;
      // Both formulas subtract: the error bound scales with the terms (the sum's error with
      // its terms' magnitudes), not with the result.
      const long double terms =
          kind == SoftmaxKind::kSoftmax
              ? std::abs(y[i]) * (std::abs(g[i]) + sum_of_magnitudes)
              : std::abs(g[i]) + std::exp((long double)y[i]) * sum_of_magnitudes;
      const long double eps = std::numeric_limits<T>::epsilon();
      EXPECT_LE(std::abs(gx[i] - expected), 4 * eps * terms + std::numeric_limits<T>::min())
          << "length " << layout.length << " element_stride " << layout.element_stride << " y "
          << y[i];
    }
  }
}

template <class T>
void backward_within_few_ulps_of_exact() {
  std::mt19937 rng(11);
  std::normal_distribution<double> normal(0.0, 2.0);
  for (const SoftmaxKind kind : {SoftmaxKind::kSoftmax, SoftmaxKind::kLogSoftmax}) {
    for (std::size_t length : {1, 5, 8, 13, 64, 1024, 1030}) {
      for (const SoftmaxRows& layout : layouts(9, length)) {
        std::vector<T> x(extent(layout)), y(x.size()), g(x.size()), gx(x.size());
        for (T& v : x) v = static_cast<T>(normal(rng));
        for (T& v : g) v = static_cast<T>(normal(rng));
        kernels::softmax_forward(kind, layout, x, y);
        kernels::softmax_backward(kind, layout, g, y, gx);
        expect_backward_within_few_ulps(kind, layout, g, y, gx);
      }
    }
  }
}

// log_softmax's backward takes exp(y): outputs down to the fast exp's bound and past it, and
// above it (no log_softmax output, but a valid argument).
template <class T>
void log_softmax_backward_across_the_range_of_exp() {
  std::mt19937 rng(5);
  // Small: g's sum times exp(86.6) stays finite in float32.
  std::normal_distribution<double> normal(0.0, 0.1);
  for (const double low : {-86.4, -110.0, -760.0}) {
    for (const std::size_t length : {std::size_t{37}, std::size_t{1031}}) {
      std::vector<T> row = evenly_spaced_row<T>(length, low);
      if (length == 37) row[20] = T(86.6);
      for (const SoftmaxRows& layout : layouts(1, length)) {
        std::vector<T> y(extent(layout)), g(y.size()), gx(y.size());
        for (T& v : g) v = static_cast<T>(normal(rng));
        for (std::size_t k = 0; k < length; ++k) y[at(layout, 0, k)] = row[k];
        kernels::softmax_backward(SoftmaxKind::kLogSoftmax, layout, g, y, gx);
        expect_backward_within_few_ulps(SoftmaxKind::kLogSoftmax, layout, g, y, gx);
      }
    }
  }
}

template <class T>
void special_rows_follow_torch() {
  const T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
  // Rows of 9 (one vector and a tail on AVX2): a NaN or +inf anywhere, or only -inf, makes the
  // whole row NaN; -inf elements among finite ones give 0 (log: -inf).
  const std::vector<std::vector<T>> rows = {{1, 2, nan, 4, 5, 6, 7, 8, 9},
                                            {1, 2, 3, 4, 5, 6, 7, 8, nan},
                                            {1, 2, 3, inf, 5, 6, 7, 8, 9},
                                            {-inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf},
                                            {-inf, 0, -inf, 0, 1, 2, 3, 4, -inf}};
  for (const SoftmaxKind kind : {SoftmaxKind::kSoftmax, SoftmaxKind::kLogSoftmax}) {
    for (const SoftmaxRows& layout : layouts(rows.size(), 9)) {
      std::vector<T> x(extent(layout)), y(x.size());
      for (std::size_t j = 0; j < rows.size(); ++j)
        for (std::size_t k = 0; k < 9; ++k) x[at(layout, j, k)] = rows[j][k];
      kernels::softmax_forward(kind, layout, x, y);
      for (std::size_t j = 0; j < 4; ++j)
        for (std::size_t k = 0; k < 9; ++k) EXPECT_TRUE(std::isnan(y[at(layout, j, k)])) << j;
      const T at_minus_inf = kind == SoftmaxKind::kSoftmax ? T(0) : -inf;
      EXPECT_EQ(y[at(layout, 4, 0)], at_minus_inf);
      EXPECT_EQ(y[at(layout, 4, 8)], at_minus_inf);
      EXPECT_TRUE(std::isfinite(y[at(layout, 4, 5)]));
    }
  }
  // log_softmax backward: exp of a NaN output stays NaN; of a large one, +inf.
  const SoftmaxRows one_row{.rows = 1, .length = 3, .element_stride = 1, .row_stride = 3};
  std::vector<T> g = {1, 1, 1}, y = {nan, 0, 1000}, gx(3);
  kernels::softmax_backward(SoftmaxKind::kLogSoftmax, one_row, g, y, gx);
  EXPECT_TRUE(std::isnan(gx[0]));
  EXPECT_EQ(gx[1], T(1) - T(3));
  EXPECT_EQ(gx[2], -inf);
}

// NaN, +inf and -inf at every position of rows longer than a vector (in the vector loops and in
// the padded end), and +inf before a NaN (which the row max may skip both of).
template <class T>
void special_values_anywhere_follow_torch() {
  const T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
  constexpr std::size_t kLength = 37;
  const std::vector<T> base = evenly_spaced_row<T>(kLength, -9.0);
  for (const SoftmaxKind kind : {SoftmaxKind::kSoftmax, SoftmaxKind::kLogSoftmax}) {
    for (const SoftmaxRows& layout : layouts(1, kLength)) {
      const auto forward = [&](const std::vector<T>& row) {
        std::vector<T> x(extent(layout)), y(x.size()), result;
        for (std::size_t k = 0; k < kLength; ++k) x[at(layout, 0, k)] = row[k];
        kernels::softmax_forward(kind, layout, x, y);
        for (std::size_t k = 0; k < kLength; ++k) result.push_back(y[at(layout, 0, k)]);
        return result;
      };
      const auto all_nan = [](const std::vector<T>& y) {
        return std::all_of(y.begin(), y.end(), [](T v) { return std::isnan(v); });
      };
      for (std::size_t position = 0; position < kLength; ++position) {
        for (const T special : {nan, inf}) {
          std::vector<T> row = base;
          row[position] = special;
          EXPECT_TRUE(all_nan(forward(row))) << special << " at " << position;
        }
        std::vector<T> row = base;
        row[position] = -inf;
        const std::vector<T> y = forward(row);
        long double total = 0;
        for (std::size_t k = 0; k < kLength; ++k) {
          if (k == position) {
            EXPECT_EQ(y[k], kind == SoftmaxKind::kSoftmax ? T(0) : -inf) << position;
          } else {
            EXPECT_TRUE(std::isfinite(y[k])) << k << " with -inf at " << position;
            total += kind == SoftmaxKind::kSoftmax ? y[k] : std::exp((long double)y[k]);
          }
        }
        EXPECT_NEAR(static_cast<double>(total), 1.0, 1e-5) << "-inf at " << position;
      }
      std::vector<T> row = base;
      row[5] = inf;
      row[30] = nan;
      EXPECT_TRUE(all_nan(forward(row)));
      EXPECT_TRUE(all_nan(forward(std::vector<T>(kLength, -inf))));
    }
  }
  // log_softmax backward: a NaN output gives a NaN gradient there only.
  for (std::size_t position = 0; position < kLength; ++position) {
    const SoftmaxRows layout{.rows = 1, .length = kLength, .element_stride = 1, .row_stride = 0};
    std::vector<T> y = base, g(kLength, T(0.5)), gx(kLength);
    y[position] = nan;
    kernels::softmax_backward(SoftmaxKind::kLogSoftmax, layout, g, y, gx);
    for (std::size_t k = 0; k < kLength; ++k) {
      EXPECT_EQ(std::isnan(gx[k]), k == position) << k << " with NaN at " << position;
    }
  }
}

template <class T>
class SoftmaxKernel : public testing::Test {};
using Types = testing::Types<float, double>;
TYPED_TEST_SUITE(SoftmaxKernel, Types);

TYPED_TEST(SoftmaxKernel, ForwardWithinFewUlpsOfExact) {
  on_every_target(forward_within_few_ulps_of_exact<TypeParam>);
}

TYPED_TEST(SoftmaxKernel, BackwardWithinFewUlpsOfExact) {
  on_every_target(backward_within_few_ulps_of_exact<TypeParam>);
}

TYPED_TEST(SoftmaxKernel, SpecialRowsFollowTorch) {
  on_every_target(special_rows_follow_torch<TypeParam>);
}

TYPED_TEST(SoftmaxKernel, ForwardAcrossTheRangeOfExp) {
  on_every_target(forward_across_the_range_of_exp<TypeParam>);
}

TYPED_TEST(SoftmaxKernel, LogSoftmaxBackwardAcrossTheRangeOfExp) {
  on_every_target(log_softmax_backward_across_the_range_of_exp<TypeParam>);
}

TYPED_TEST(SoftmaxKernel, SpecialValuesAnywhereFollowTorch) {
  on_every_target(special_values_anywhere_follow_torch<TypeParam>);
}

}  // namespace
}  // namespace activ
