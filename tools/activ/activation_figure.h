// The curves of activations and of their derivatives, sampled in float64 through the catalogue,
// and the figure that shows them (activ plot and activ gallery). Header-only so that
// tests/cli_figure_test.cpp checks the very series the commands draw.
//
// Functions of a vector have no curve of their own; each is shown along a line through its input
// space, a probe: Softmax, Softmin, LogSoftmax and Softmax2d on the input [x, 0] (the first
// output: Softmax's is sigmoid(x)), GLU on [x, x] (x * sigmoid(x)) and CReLU on [x] (its first
// output, relu(x)). The derivative is the first output's along that line.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "activ/error.h"
#include "activ/nn/catalogue.h"
#include "activ/plot.h"
#include "activ/tensor.h"
#include "catalogue_lookup.h"
#include "usage_error.h"

namespace activ::cli {

// How a function of a vector is evaluated at x: the input direction * x reshaped to shape.
struct Probe {
  Shape shape;
  std::vector<double> direction;
  std::string description;  // the x-axis label
};

// The probe of a shaped activation; a UsageError for one with no one-variable view.
inline Probe probe_of(const std::string& command, const nn::ActivationInfo& info) {
  const std::string& name = info.functional_name;
  if (name == "softmax" || name == "softmin" || name == "log_softmax")
    return {{2}, {1, 0}, "x  (input [x, 0], first output)"};
  if (name == "softmax2d")
    return {{2, 1, 1}, {1, 0}, "x  (input [x, 0] as channels, first output)"};
  if (name == "glu") return {{2}, {1, 1}, "x  (input [x, x]: x * sigmoid(x))"};
  if (name == "crelu") return {{1, 1}, {1}, "x  (input [[x]], first output)"};
  throw UsageError(command + ": " + info.module_name +
                   " takes a vector and has no curve of one variable; use activ eval");
}

struct Curve {
  std::vector<double> x, y, derivative;
};

inline bool training_requested(const ActivationChoice& choice) {
  const auto training = choice.values.find("training");
  return training != choice.values.end() &&
         (lower(training->second) == "true" || training->second == "1");
}

// f and f' at `points` evenly spaced x over [x_min, x_max].
inline Curve sample_curve(const std::string& command, const ActivationChoice& choice, double x_min,
                          double x_max, int points = 1201) {
  const nn::ActivationInfo& info = *choice.info;
  if (training_requested(choice)) {
    throw UsageError(command + ": " + choice.repr +
                     ": training=True draws random slopes; plot the eval-mode function instead");
  }
  Curve curve;
  for (int i = 0; i < points; ++i) curve.x.push_back(x_min + (x_max - x_min) * i / (points - 1));
  if (info.kind != nn::ActivationKind::kDim) {
    const Tensor input = from_vector(curve.x, {static_cast<std::int64_t>(points)});
    // A clone: inplace=True would overwrite the input the backward needs.
    const Tensor output = info.forward(input.clone(), choice.values);
    const Tensor slope = info.backward(ones_like(input), input, choice.values);
    curve.y.assign(output.data_ptr<double>(), output.data_ptr<double>() + points);
    curve.derivative.assign(slope.data_ptr<double>(), slope.data_ptr<double>() + points);
    return curve;
  }
  const Probe probe = probe_of(command, info);
  try {
    for (double x : curve.x) {
      std::vector<double> point;
      for (double d : probe.direction) point.push_back(d * x);
      const Tensor input = from_vector(point, probe.shape);
      const Tensor output = info.forward(input.clone(), choice.values);
      Tensor first_output = zeros_like(output);
      first_output.flatten()[0].fill_(1.0);
      const Tensor gradient = info.backward(first_output, input, choice.values).flatten();
      double slope = 0;
      for (std::size_t k = 0; k < probe.direction.size(); ++k)
        slope += probe.direction[k] * gradient[static_cast<std::int64_t>(k)].item<double>();
      curve.y.push_back(output.flatten()[0].item<double>());
      curve.derivative.push_back(slope);
    }
  } catch (const IndexError& error) {
    // A dim that the probe's input does not have.
    throw UsageError(command + ": " + choice.repr + " on the plotted input " + probe.description +
                     ": " + error.what());
  }
  return curve;
}

struct FigureRequest {
  std::vector<ActivationChoice> functions;  // the first names the figure
  bool function = true, derivative = false;
  double x_min = -6, x_max = 6;
  int width = 640, height = 480;
};

struct ActivationFigure {
  std::vector<Series> series;
  FigureOptions options;
};

// The curves of every function (f, then f', as requested), titled with the first one's repr.
inline ActivationFigure activation_figure(const std::string& command,
                                          const FigureRequest& request) {
  ActivationFigure figure;
  figure.options.title = request.functions.front().repr;
  figure.options.width = request.width;
  figure.options.height = request.height;
  figure.options.x_range = {{request.x_min, request.x_max}};
  figure.options.x_label = "x";
  figure.options.y_label = request.derivative ? (request.function ? "" : "f'(x)") : "f(x)";
  for (const ActivationChoice& choice : request.functions) {
    if (choice.info->kind == nn::ActivationKind::kDim && request.functions.size() == 1)
      figure.options.x_label = probe_of(command, *choice.info).description;
    Curve curve = sample_curve(command, choice, request.x_min, request.x_max);
    if (request.function) figure.series.push_back({curve.x, std::move(curve.y), choice.repr});
    if (request.derivative) {
      figure.series.push_back(
          {std::move(curve.x), std::move(curve.derivative), "derivative of " + choice.repr});
    }
  }
  return figure;
}

}  // namespace activ::cli
