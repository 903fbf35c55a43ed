// Fuzzes the axes of a figure as `activ plot --range LO:HI` sets them: the range text is read
// as the command reads it, checked with axis_range_problem, and a range it accepts is drawn
// (with curve points of any value, whose y range is chosen from the data) on a small surface.
// Ranges too narrow or too wide once crashed the tick layout or made it loop without end.
#include <cairo.h>
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "activ/error.h"
#include "activ/plot.h"
#include "plot/figure.h"
#include "text.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  const int width = input.ConsumeIntegralInRange(16, 64);
  const int height = input.ConsumeIntegralInRange(16, 64);
  activ::Series series;
  const int points = input.ConsumeIntegralInRange(1, 4);
  for (int i = 0; i < points; ++i) {
    series.x.push_back(input.ConsumeFloatingPoint<double>());
    series.y.push_back(input.ConsumeFloatingPoint<double>());
  }
  const bool y_from_data = input.ConsumeBool();
  const std::string range = input.ConsumeRemainingBytesAsString();
  const auto colon = range.find(':');
  if (colon == std::string::npos) return 0;
  const auto lo = activ::cli::parse_number(range.substr(0, colon));
  const auto hi = activ::cli::parse_number(range.substr(colon + 1));
  if (!lo || !hi || activ::axis_range_problem(*lo, *hi)) return 0;

  activ::FigureOptions options;
  options.width = width;
  options.height = height;
  options.title = "fuzz";
  options.x_range = {{*lo, *hi}};
  if (!y_from_data) options.y_range = {{*lo, *hi}};
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height), cairo_surface_destroy);
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(cairo_create(surface.get()), cairo_destroy);
  try {
    activ::plot_detail::validate_figure({series}, options);
    activ::plot_detail::draw_figure(cr.get(), {series}, options);
  } catch (const activ::Error&) {
  }
  return 0;
}
