// Figures of curves y = f(x) for the activ command (plot, gallery), drawn with cairo and saved as
// PNG, SVG or PDF. Part of the activ_plot library, not of the core activ library.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace activ {

// One curve: the points (x[i], y[i]) joined in order; a NaN or infinite coordinate breaks the
// curve there. label names the curve in the legend.
struct Series {
  std::vector<double> x, y;
  std::string label;
};

struct FigureOptions {
  std::string title;
  std::string x_label, y_label;
  // In pixels for PNG and SVG, in points for PDF.
  int width = 640, height = 480;
  // Draws the axes through (0, 0) where 0 is in range, else along the frame of the plot.
  bool axes_through_origin = true;
  // The shown ranges; by default x spans the finite data and y the finite data plus a margin.
  std::optional<std::pair<double, double>> x_range, y_range;
};

// Draws the series (colours of matplotlib's tab10 palette, a legend when there are several) and
// writes the figure to path as PNG, SVG or PDF by its extension (case-insensitive), atomically:
// path holds the old file or the whole figure, never a part.
// Throws ValueError for an unknown extension, no series, an empty series, x and y of different
// lengths, a size outside [16, 16384] or a range that axis_range_problem refuses; IoError when path
// cannot be written.
void save_figure(const std::string& path, const std::vector<Series>& series,
                 const FigureOptions& options);

// Why [lo, hi] cannot be an axis of a figure, or nothing when it can: a bound that is not
// finite, lo not below hi, a width hi - lo beyond the largest double, or a width too narrow for
// distinct round tick values (below 1e-12 of the larger bound's magnitude, or below 1e-300).
std::optional<std::string> axis_range_problem(double lo, double hi);

}  // namespace activ
