// Drawing of a figure on a cairo surface: layout, ticks at round numbers, grid, axes, curves,
// legend and text. Sizes are given for a 640 x 480 figure and scale with the figure.
#include "plot/figure.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <optional>
#include <string>
#include <utility>

#include "activ/error.h"

namespace activ::plot_detail {
namespace {

struct Rgb {
  double r, g, b;
};

// matplotlib's tab10 palette, in its order.
constexpr Rgb kPalette[] = {
    {0x1f / 255.0, 0x77 / 255.0, 0xb4 / 255.0}, {0xff / 255.0, 0x7f / 255.0, 0x0e / 255.0},
    {0x2c / 255.0, 0xa0 / 255.0, 0x2c / 255.0}, {0xd6 / 255.0, 0x27 / 255.0, 0x28 / 255.0},
    {0x94 / 255.0, 0x67 / 255.0, 0xbd / 255.0}, {0x8c / 255.0, 0x56 / 255.0, 0x4b / 255.0},
    {0xe3 / 255.0, 0x77 / 255.0, 0xc2 / 255.0}, {0x7f / 255.0, 0x7f / 255.0, 0x7f / 255.0},
    {0xbc / 255.0, 0xbd / 255.0, 0x22 / 255.0}, {0x17 / 255.0, 0xbe / 255.0, 0xcf / 255.0}};
constexpr Rgb kText{0.1, 0.1, 0.1};
constexpr Rgb kAxis{0.15, 0.15, 0.15};
constexpr Rgb kGrid{0.9, 0.9, 0.9};
constexpr Rgb kLightFrame{0.75, 0.75, 0.75};

void set_colour(cairo_t* cr, Rgb colour) {
  cairo_set_source_rgb(cr, colour.r, colour.g, colour.b);
}

std::string describe_range(std::pair<double, double> range) {
  char text[64];
  std::snprintf(text, sizeof text, "(%g, %g)", range.first, range.second);
  return text;
}

void check_range(const char* name, const std::optional<std::pair<double, double>>& range) {
  if (!range) return;
  if (const auto problem = axis_range_problem(range->first, range->second)) {
    throw ValueError(std::string("save_figure: ") + name + ": " + *problem + ", got " +
                     describe_range(*range));
  }
}

// Widens a range of data that cannot be an axis as it is (one value, values too close for
// distinct ticks, or no finite value) around its middle, so that it can be drawn.
std::pair<double, double> widen_if_narrow(double lo, double hi) {
  if (lo > hi) return {-1.0, 1.0};  // no finite data
  // Data spread wider than float64 can measure (width beyond its largest number) is shown on the
  // widest axis that can: points beyond it are clipped.
  constexpr double kWidest = std::numeric_limits<double>::max() / 4;
  lo = std::clamp(lo, -kWidest, kWidest), hi = std::clamp(hi, -kWidest, kWidest);
  if (!axis_range_problem(lo, hi)) return {lo, hi};
  const double middle = lo / 2 + hi / 2;
  // A tenth of the value, as a one-value range always had, unless that is still too narrow.
  const double tenth = std::abs(middle) * 0.1;
  const double pad = axis_range_problem(middle - tenth, middle + tenth) ? 1.0 : tenth;
  return {middle - pad, middle + pad};
}

std::pair<double, double> data_ranges_x(const std::vector<Series>& series,
                                        const FigureOptions& options) {
  if (options.x_range) return *options.x_range;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const Series& s : series) {
    for (double x : s.x) {
      if (std::isfinite(x)) lo = std::min(lo, x), hi = std::max(hi, x);
    }
  }
  return widen_if_narrow(lo, hi);
}

// The finite y of the points shown in [x_lo, x_hi], with 5% of their span added on each side.
std::pair<double, double> data_range_y(const std::vector<Series>& series,
                                       const FigureOptions& options, double x_lo, double x_hi) {
  if (options.y_range) return *options.y_range;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const Series& s : series) {
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (s.x[i] >= x_lo && s.x[i] <= x_hi && std::isfinite(s.y[i])) {
        lo = std::min(lo, s.y[i]), hi = std::max(hi, s.y[i]);
      }
    }
  }
  if (lo < hi) {
    const double margin = 0.05 * hi - 0.05 * lo;  // hi - lo may overflow
    lo -= margin, hi += margin;
  }
  return widen_if_narrow(lo, hi);
}

// The round step (1, 2 or 5 times a power of ten) nearest to raw.
double nice_step(double raw) {
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double fraction = raw / magnitude;
  double nice = fraction < 1.5 ? 1.0 : fraction < 3.0 ? 2.0 : fraction < 7.0 ? 5.0 : 10.0;
  return nice * magnitude;
}

// The next round step above step.
double larger_step(double step) {
  double magnitude = std::pow(10.0, std::floor(std::log10(step) + 1e-9));
  double leading = std::round(step / magnitude);
  return (leading < 1.5 ? 2.0 : leading < 3.0 ? 5.0 : 10.0) * magnitude;
}

struct Tick {
  double value;
  std::string label;
};
constexpr double kMostTicks = 1000;

std::string format_tick(double value, double step, double largest_magnitude) {
  if (value == 0.0) return "0";
  char text[64];
  if (largest_magnitude >= 1e6 || step < 1e-4) {
    int significant = static_cast<int>(std::floor(std::log10(largest_magnitude)) -
                                       std::floor(std::log10(step) + 1e-9)) +
                      1;
    std::snprintf(text, sizeof text, "%.*g", std::clamp(significant, 1, 17), std::abs(value));
  } else {
    int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
    std::snprintf(text, sizeof text, "%.*f", decimals, std::abs(value));
  }
  // A true minus sign, as typeset numbers have, rather than a hyphen.
  return value < 0.0 ? "\u2212" + std::string(text) : std::string(text);
}

std::vector<Tick> make_ticks(double lo, double hi, double step) {
  std::vector<Tick> ticks;
  double first = std::ceil(lo / step - 1e-9), last = std::floor(hi / step + 1e-9);
  // No ticks rather than endless ones where the step is no step for this range (0, or too small
  // to tell lo from hi: the range's checks should never let one through, a fuzzer once did)
  if (!(step > 0 && std::isfinite(step) && last - first <= kMostTicks)) return ticks;
  double largest = std::max(std::abs(first), std::abs(last)) * step;
  for (double k = first; k <= last; ++k) {
    double value = k * step;  // from the index, so that errors do not accumulate
    ticks.push_back({value, format_tick(value, step, largest)});
  }
  return ticks;
}

// Sets the font of the text of a kind: tick labels, axis labels or the title.
enum class Font { kTick, kLabel, kTitle };

void select_font(cairo_t* cr, Font font, double scale) {
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                         font == Font::kTitle ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  double size = font == Font::kTick ? 12.0 : font == Font::kLabel ? 13.0 : 15.0;
  // Text shrinks and grows more slowly than the figure, so small figures stay readable.
  cairo_set_font_size(cr, size * std::sqrt(scale));
}

double text_width(cairo_t* cr, const std::string& text) {
  cairo_text_extents_t extents;
  cairo_text_extents(cr, text.c_str(), &extents);
  return extents.x_advance;
}

double line_height(cairo_t* cr) {
  cairo_font_extents_t extents;
  cairo_font_extents(cr, &extents);
  return extents.ascent + extents.descent;
}

// Shows text with its anchor at (x, y): h_align 0, 0.5, 1 for left, centre, right; v_align the
// same for top, middle, bottom of the font's line (not of these glyphs, so labels line up).
void show_text(cairo_t* cr, const std::string& text, double x, double y, double h_align,
               double v_align) {
  cairo_font_extents_t font;
  cairo_font_extents(cr, &font);
  double height = font.ascent + font.descent;
  cairo_move_to(cr, x - h_align * text_width(cr, text), y - v_align * height + font.ascent);
  cairo_show_text(cr, text.c_str());
}

// Chooses a round step of about pixels_per_tick pixels, larger while the labels would not fit
// (but keeps at least two ticks).
std::vector<Tick> choose_ticks(cairo_t* cr, double lo, double hi, double pixels,
                               double pixels_per_tick, bool horizontal_labels, double gap) {
  double target_count = std::max(2.0, pixels / pixels_per_tick);
  double step = nice_step((hi - lo) / target_count);
  std::vector<Tick> ticks = make_ticks(lo, hi, step);
  for (;;) {
    double needed = 0.0;
    for (const Tick& tick : ticks) {
      needed = std::max(needed, horizontal_labels ? text_width(cr, tick.label) : line_height(cr));
    }
    if (needed + gap <= step / (hi - lo) * pixels) return ticks;
    step = larger_step(step);
    std::vector<Tick> fewer = make_ticks(lo, hi, step);
    if (fewer.size() < 2) return ticks;
    ticks = std::move(fewer);
  }
}

// Clips the segment (x0, y0)-(x1, y1) to the rectangle in place (Liang-Barsky); false when
// nothing of it is inside. Unclipped ends are kept exactly, so joined segments stay joined.
bool clip_segment(double& x0, double& y0, double& x1, double& y1, double left, double top,
                  double right, double bottom) {
  double dx = x1 - x0, dy = y1 - y0;
  double t0 = 0.0, t1 = 1.0;
  const double p[4] = {-dx, dx, -dy, dy};
  const double q[4] = {x0 - left, right - x0, y0 - top, bottom - y0};
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0.0) {
      if (q[i] < 0.0) return false;
      continue;
    }
    double r = q[i] / p[i];
    if (p[i] < 0.0) {
      if (r > t1) return false;
      t0 = std::max(t0, r);
    } else {
      if (r < t0) return false;
      t1 = std::min(t1, r);
    }
  }
  double start_x = x0 + t0 * dx, start_y = y0 + t0 * dy;
  if (t1 < 1.0) x1 = x0 + t1 * dx, y1 = y0 + t1 * dy;
  if (t0 > 0.0) x0 = start_x, y0 = start_y;
  return true;
}

// Adds the finite, visible parts of a series to the path; a non-finite point lifts the pen.
void trace_series(cairo_t* cr, const Series& s, const PlotArea& area, double slack) {
  // Far-away points are pulled in to finite device coordinates; clipping removes them anyway.
  constexpr double kFar = 1e12;
  auto device = [&](std::size_t i, double& x, double& y) {
    if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) return false;
    x = std::clamp(area.device_x(s.x[i]), -kFar, kFar);
    y = std::clamp(area.device_y(s.y[i]), -kFar, kFar);
    return true;
  };
  bool pen_down = false;
  double pen_x = 0.0, pen_y = 0.0;
  double previous_x = 0.0, previous_y = 0.0;
  bool previous_finite = false;
  for (std::size_t i = 0; i < s.x.size(); ++i) {
    double x = 0.0, y = 0.0;
    bool finite = device(i, x, y);
    if (finite && previous_finite) {
      double x0 = previous_x, y0 = previous_y, x1 = x, y1 = y;
      if (clip_segment(x0, y0, x1, y1, area.left - slack, area.top - slack, area.right + slack,
                       area.bottom + slack)) {
        if (!pen_down || x0 != pen_x || y0 != pen_y) cairo_move_to(cr, x0, y0);
        cairo_line_to(cr, x1, y1);
        pen_down = true, pen_x = x1, pen_y = y1;
      } else {
        pen_down = false;
      }
    } else if (!finite) {
      pen_down = false;
    }
    previous_finite = finite, previous_x = x, previous_y = y;
  }
}

// A crisp 1-unit line sits on pixel centres.
double pixel_centre(double coordinate) {
  return std::floor(coordinate) + 0.5;
}

void draw_legend(cairo_t* cr, const std::vector<Series>& series, const PlotArea& area,
                 double scale) {
  std::vector<std::size_t> entries;
  for (std::size_t i = 0; i < series.size(); ++i) {
    if (!series[i].label.empty()) entries.push_back(i);
  }
  if (series.size() < 2 || entries.empty()) return;
  select_font(cr, Font::kTick, scale);
  double text = 0.0;
  for (std::size_t i : entries) text = std::max(text, text_width(cr, series[i].label));
  double pad = 7.0 * scale, sample = 24.0 * scale, gap = 7.0 * scale;
  double row = line_height(cr) * 1.25;
  double x = area.left + 10.0 * scale, y = area.top + 10.0 * scale;
  double width = pad + sample + gap + text + pad;
  double height = 2.0 * pad + row * static_cast<double>(entries.size());
  cairo_rectangle(cr, pixel_centre(x), pixel_centre(y), std::round(width), std::round(height));
  cairo_set_source_rgba(cr, 1.0, 1.0, 1.0, 0.85);
  cairo_fill_preserve(cr);
  set_colour(cr, kLightFrame);
  cairo_set_line_width(cr, 1.0);
  cairo_stroke(cr);
  for (std::size_t n = 0; n < entries.size(); ++n) {
    double middle = y + pad + row * (static_cast<double>(n) + 0.5);
    cairo_move_to(cr, x + pad, middle);
    cairo_line_to(cr, x + pad + sample, middle);
    set_colour(cr, kPalette[entries[n] % std::size(kPalette)]);
    cairo_set_line_width(cr, 2.0 * scale);
    cairo_stroke(cr);
    set_colour(cr, kText);
    show_text(cr, series[entries[n]].label, x + pad + sample + gap, middle, 0.0, 0.5);
  }
}

}  // namespace

}  // namespace activ::plot_detail

namespace activ {

std::optional<std::string> axis_range_problem(double lo, double hi) {
  // Ticks are multiples k * step of a round step near a tenth of the width; k must stay well
  // within a double's 53 bits for consecutive ticks to differ, and step must not be subnormal.
  constexpr double kNarrowestRelative = 1e-12, kNarrowest = 1e-300;
  if (!std::isfinite(lo) || !std::isfinite(hi)) return "expected finite bounds";
  if (!(lo < hi)) return "expected lo < hi";
  const double width = hi - lo;
  if (!std::isfinite(width)) return "expected a width hi - lo within the range of float64";
  if (width < kNarrowest || width < kNarrowestRelative * std::max(std::abs(lo), std::abs(hi)))
    return "expected a width hi - lo of at least 1e-300 and 1e-12 of the bounds' magnitude";
  return std::nullopt;
}

}  // namespace activ

namespace activ::plot_detail {

void validate_figure(const std::vector<Series>& series, const FigureOptions& options) {
  if (series.empty()) {
    throw ValueError("save_figure: series: expected at least one series, got none");
  }
  for (std::size_t i = 0; i < series.size(); ++i) {
    const Series& s = series[i];
    std::string name = "save_figure: series[" + std::to_string(i) + "] ('" + s.label + "'): ";
    if (s.x.size() != s.y.size()) {
      throw ValueError(name + "expected as many y as x, got " + std::to_string(s.x.size()) +
                       " x and " + std::to_string(s.y.size()) + " y");
    }
    if (s.x.empty()) throw ValueError(name + "expected at least one point, got none");
  }
  for (auto [name, size] : {std::pair{"width", options.width}, {"height", options.height}}) {
    if (size < 16 || size > 16384) {
      throw ValueError(std::string("save_figure: ") + name + ": expected 16 to 16384, got " +
                       std::to_string(size));
    }
  }
  check_range("x_range", options.x_range);
  check_range("y_range", options.y_range);
}

PlotArea draw_figure(cairo_t* cr, const std::vector<Series>& series, const FigureOptions& options) {
  const double width = options.width, height = options.height;
  const double scale = std::clamp(std::min(width / 640.0, height / 480.0), 0.5, 4.0);
  const double pad = 10.0 * scale, tick_length = 4.0 * scale, gap = 4.0 * scale;

  auto [x_min, x_max] = data_ranges_x(series, options);
  auto [y_min, y_max] = data_range_y(series, options, x_min, x_max);
  if (!std::isfinite(x_max - x_min) || !std::isfinite(y_max - y_min)) {
    throw ValueError("save_figure: series: expected data whose range is finite, got x in " +
                     describe_range({x_min, x_max}) + " and y in " +
                     describe_range({y_min, y_max}));
  }

  // Vertical layout first: the y ticks depend on the height, the left margin on their labels.
  select_font(cr, Font::kTitle, scale);
  double title_height = options.title.empty() ? 0.0 : line_height(cr) + 2.0 * gap;
  select_font(cr, Font::kLabel, scale);
  double label_height = line_height(cr);
  select_font(cr, Font::kTick, scale);
  double tick_height = line_height(cr);
  double top = std::round(pad + title_height + (options.title.empty() ? tick_height / 2 : 0.0));
  double bottom = std::round(height - pad - tick_length - gap - tick_height -
                             (options.x_label.empty() ? 0.0 : label_height + gap));
  std::vector<Tick> y_ticks =
      choose_ticks(cr, y_min, y_max, bottom - top, 60.0 * scale, false, 2.0 * gap);
  double y_labels_width = 0.0;
  for (const Tick& tick : y_ticks)
    y_labels_width = std::max(y_labels_width, text_width(cr, tick.label));
  double left = std::round(pad + (options.y_label.empty() ? 0.0 : label_height + gap) +
                           y_labels_width + gap + tick_length);
  double right = std::round(width - 2.0 * pad);
  std::vector<Tick> x_ticks =
      choose_ticks(cr, x_min, x_max, right - left, 100.0 * scale, true, 3.0 * gap);
  // The label of a tick at the right end sticks out by half its width: make room, once.
  double overhang = text_width(cr, x_ticks.back().label) / 2 -
                    (right - left) * (x_max - x_ticks.back().value) / (x_max - x_min) + pad / 2 -
                    (width - right);
  if (overhang > 0.0) {
    right = std::round(right - overhang);
    x_ticks = choose_ticks(cr, x_min, x_max, right - left, 100.0 * scale, true, 3.0 * gap);
  }
  PlotArea area{left, top, right, bottom, x_min, x_max, y_min, y_max};

  set_colour(cr, {1.0, 1.0, 1.0});
  cairo_paint(cr);

  // Grid.
  cairo_set_line_width(cr, 1.0);
  set_colour(cr, kGrid);
  for (const Tick& tick : x_ticks) {
    double x = pixel_centre(area.device_x(tick.value));
    cairo_move_to(cr, x, top);
    cairo_line_to(cr, x, bottom);
  }
  for (const Tick& tick : y_ticks) {
    double y = pixel_centre(area.device_y(tick.value));
    cairo_move_to(cr, left, y);
    cairo_line_to(cr, right, y);
  }
  cairo_stroke(cr);

  // Frame: light when an axis goes through the origin, dark (as matplotlib's spines) otherwise.
  bool origin_x = options.axes_through_origin && x_min <= 0.0 && 0.0 <= x_max;
  bool origin_y = options.axes_through_origin && y_min <= 0.0 && 0.0 <= y_max;
  set_colour(cr, origin_x || origin_y ? kLightFrame : kAxis);
  cairo_rectangle(cr, left + 0.5, top + 0.5, right - left - 1.0, bottom - top - 1.0);
  cairo_stroke(cr);

  // Axes: through 0 where 0 is shown, else along the bottom and left of the frame.
  double axis_width = std::max(1.0, std::round(1.25 * scale));
  auto crisp = [&](double coordinate) {
    return static_cast<int>(axis_width) % 2 == 1 ? pixel_centre(coordinate)
                                                 : std::round(coordinate);
  };
  double axis_y = origin_y ? crisp(area.device_y(0.0)) : bottom - axis_width / 2;
  double axis_x = origin_x ? crisp(area.device_x(0.0)) : left + axis_width / 2;
  set_colour(cr, kAxis);
  cairo_set_line_width(cr, axis_width);
  cairo_move_to(cr, left, axis_y);
  cairo_line_to(cr, right, axis_y);
  cairo_move_to(cr, axis_x, top);
  cairo_line_to(cr, axis_x, bottom);
  cairo_stroke(cr);

  // Tick marks outside the bottom and left of the frame, where the labels are.
  cairo_set_line_width(cr, 1.0);
  for (const Tick& tick : x_ticks) {
    double x = pixel_centre(area.device_x(tick.value));
    cairo_move_to(cr, x, bottom);
    cairo_line_to(cr, x, bottom + tick_length);
  }
  for (const Tick& tick : y_ticks) {
    double y = pixel_centre(area.device_y(tick.value));
    cairo_move_to(cr, left, y);
    cairo_line_to(cr, left - tick_length, y);
  }
  cairo_stroke(cr);

  // Curves, clipped to the plot area.
  cairo_save(cr);
  cairo_rectangle(cr, left, top, right - left, bottom - top);
  cairo_clip(cr);
  double curve_width = 2.0 * scale;
  cairo_set_line_width(cr, curve_width);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  for (std::size_t i = 0; i < series.size(); ++i) {
    trace_series(cr, series[i], area, 2.0 * curve_width);
    set_colour(cr, kPalette[i % std::size(kPalette)]);
    cairo_stroke(cr);
  }
  cairo_restore(cr);

  // Text.
  set_colour(cr, kText);
  select_font(cr, Font::kTick, scale);
  for (const Tick& tick : x_ticks) {
    show_text(cr, tick.label, area.device_x(tick.value), bottom + tick_length + gap, 0.5, 0.0);
  }
  for (const Tick& tick : y_ticks) {
    show_text(cr, tick.label, left - tick_length - gap, area.device_y(tick.value), 1.0, 0.5);
  }
  select_font(cr, Font::kLabel, scale);
  if (!options.x_label.empty()) {
    show_text(cr, options.x_label, (left + right) / 2, height - pad, 0.5, 1.0);
  }
  if (!options.y_label.empty()) {
    cairo_save(cr);
    cairo_translate(cr, pad, (top + bottom) / 2);
    cairo_rotate(cr, -std::numbers::pi / 2);
    show_text(cr, options.y_label, 0.0, 0.0, 0.5, 0.0);
    cairo_restore(cr);
  }
  if (!options.title.empty()) {
    select_font(cr, Font::kTitle, scale);
    show_text(cr, options.title, (left + right) / 2, pad + gap, 0.5, 0.0);
  }

  draw_legend(cr, series, area, scale);
  return area;
}

}  // namespace activ::plot_detail
