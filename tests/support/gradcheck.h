// Finite-difference check of analytic gradients, in float64, for tests of backward kernels.
//
// For f: inputs -> output and a grad_output g of the output's shape, the vector-Jacobian
// product vjp(inputs, g) must return, for every input x_k, the gradient of <f(inputs), g>
// (the sum of f(inputs) * g) with respect to x_k. check_vjp compares it, element by element,
// against central differences (L(x + eps) - L(x - eps)) / (2 eps) of that same scalar L.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "activ/tensor.h"

namespace activ::testing {

using Function = std::function<Tensor(const std::vector<Tensor>& inputs)>;
// One gradient per input, each of that input's shape; an undefined Tensor means zero.
using VectorJacobianProduct = std::function<std::vector<Tensor>(const std::vector<Tensor>& inputs,
                                                                const Tensor& grad_output)>;

namespace detail {

inline std::string index_str(std::int64_t flat, const Shape& shape) {
  Shape index(shape.size());
  for (std::int64_t d = static_cast<std::int64_t>(shape.size()) - 1; d >= 0; --d) {
    index[d] = flat % shape[d];
    flat /= shape[d];
  }
  return shape_str(index);
}

// <f(inputs), grad_output>, accumulated in float64.
inline double weighted_sum(const Function& f, const std::vector<Tensor>& inputs,
                           const Tensor& grad_output) {
  return sum(mul(f(inputs).to(float64), grad_output)).item<double>();
}

}  // namespace detail

// Passes when every analytic gradient element a matches its numeric estimate n within
// |a - n| <= atol + rtol * |n| (torch.autograd.gradcheck's defaults); on failure names the
// input, the element (flat and multi-index), both values and how many elements differ.
// Inputs must be float64; they are copied, so views and non-contiguous inputs are fine.
inline ::testing::AssertionResult check_vjp(const Function& f, const VectorJacobianProduct& vjp,
                                            const std::vector<Tensor>& inputs,
                                            const Tensor& grad_output, double eps = 1e-6,
                                            double atol = 1e-5, double rtol = 1e-3) {
  std::vector<Tensor> point;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    if (!inputs[k].defined() || inputs[k].dtype() != float64) {
      return ::testing::AssertionFailure()
             << "input " << k << " must be a float64 tensor, got "
             << (inputs[k].defined() ? std::string(name(inputs[k].dtype())) : "undefined");
    }
    point.push_back(inputs[k].clone());
  }
  const Tensor output = f(point);
  if (output.sizes() != grad_output.sizes()) {
    return ::testing::AssertionFailure()
           << "grad_output has shape " << shape_str(grad_output.sizes())
           << ", expected the output's shape " << shape_str(output.sizes());
  }
  const Tensor weights = grad_output.to(float64);
  const std::vector<Tensor> analytic = vjp(point, weights);
  if (analytic.size() != point.size()) {
    return ::testing::AssertionFailure()
           << "vjp returned " << analytic.size() << " gradients for " << point.size() << " inputs";
  }

  std::ostringstream failures;
  bool failed = false;
  for (std::size_t k = 0; k < point.size(); ++k) {
    Tensor gradient = analytic[k].defined() ? analytic[k] : zeros_like(point[k], float64);
    if (gradient.sizes() != point[k].sizes()) {
      return ::testing::AssertionFailure()
             << "gradient of input " << k << " has shape " << shape_str(gradient.sizes())
             << ", expected the input's shape " << shape_str(point[k].sizes());
    }
    const std::vector<double> expected = gradient.to_vector<double>();
    double* x = point[k].data_ptr<double>();
    std::int64_t mismatches = 0;
    std::ostringstream first;
    for (std::int64_t i = 0; i < point[k].numel(); ++i) {
      const double saved = x[i];
      x[i] = saved + eps;
      const double above = detail::weighted_sum(f, point, weights);
      x[i] = saved - eps;
      const double below = detail::weighted_sum(f, point, weights);
      x[i] = saved;
      const double numeric = (above - below) / (2 * eps);
      const double diff = std::abs(expected[i] - numeric);
      const bool ok =
          std::isnan(numeric) ? std::isnan(expected[i]) : diff <= atol + rtol * std::abs(numeric);
      if (ok) continue;
      if (mismatches++ == 0) {
        first.precision(10);
        first << "input " << k << ", element " << i << " (index "
              << detail::index_str(i, point[k].sizes()) << "): numeric gradient " << numeric
              << ", analytic " << expected[i] << " (difference " << diff << " > atol " << atol
              << " + rtol " << rtol << " * |numeric|)";
      }
    }
    if (mismatches > 0) {
      failures << (failed ? "\n" : "") << first.str() << "; " << mismatches << " of "
               << point[k].numel() << " elements of input " << k << " differ";
      failed = true;
    }
  }
  if (failed) return ::testing::AssertionFailure() << failures.str();
  return ::testing::AssertionSuccess();
}

// check_vjp for a function of one tensor whose backward maps (grad_output, input) to the
// input's gradient, the shape of activation backward kernels.
inline ::testing::AssertionResult check_unary_vjp(
    const std::function<Tensor(const Tensor&)>& f,
    const std::function<Tensor(const Tensor& grad_output, const Tensor& input)>& backward,
    const Tensor& input, const Tensor& grad_output, double eps = 1e-6, double atol = 1e-5,
    double rtol = 1e-3) {
  return check_vjp([&](const std::vector<Tensor>& in) { return f(in[0]); },
                   [&](const std::vector<Tensor>& in, const Tensor& g) {
                     return std::vector<Tensor>{backward(g, in[0])};
                   },
                   {input}, grad_output, eps, atol, rtol);
}

}  // namespace activ::testing
