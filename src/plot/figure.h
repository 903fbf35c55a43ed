// Internal to activ_plot: the drawing of a figure on any cairo surface, apart from saving it, so
// tests can learn where data points land.
#pragma once

#include <cairo.h>

#include <vector>

#include "activ/plot.h"

namespace activ::plot_detail {

// Where the data rectangle [x_min, x_max] x [y_min, y_max] lies on the surface, in device units.
struct PlotArea {
  double left, top, right, bottom;
  double x_min, x_max, y_min, y_max;

  double device_x(double x) const { return left + (x - x_min) / (x_max - x_min) * (right - left); }
  double device_y(double y) const {
    return bottom - (y - y_min) / (y_max - y_min) * (bottom - top);
  }
};

// Checks the arguments as save_figure documents (except the path) and throws ValueError.
void validate_figure(const std::vector<Series>& series, const FigureOptions& options);

// Draws the validated figure on cr, whose target is options.width x options.height device units.
PlotArea draw_figure(cairo_t* cr, const std::vector<Series>& series, const FigureOptions& options);

}  // namespace activ::plot_detail
