// Reading figures back in tests: a PNG's pixels through cairo, colour matching, and where
// draw_figure puts the data of a figure (its layout depends on nothing but the arguments).
#pragma once

#include <cairo.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "activ/plot.h"
#include "plot/figure.h"

namespace activ::testing_support {

struct Rgb {
  int r, g, b;
};
constexpr Rgb kBlue{0x1f, 0x77, 0xb4};    // tab10's first colour
constexpr Rgb kOrange{0xff, 0x7f, 0x0e};  // and its second

// A PNG read back through cairo.
class Image {
 public:
  explicit Image(const std::filesystem::path& path)
      : surface_(cairo_image_surface_create_from_png(path.c_str()), cairo_surface_destroy) {}
  cairo_status_t status() const { return cairo_surface_status(surface_.get()); }
  int width() const { return cairo_image_surface_get_width(surface_.get()); }
  int height() const { return cairo_image_surface_get_height(surface_.get()); }

  Rgb at(int x, int y) const {
    const unsigned char* row =
        cairo_image_surface_get_data(surface_.get()) +
        static_cast<std::ptrdiff_t>(y) * cairo_image_surface_get_stride(surface_.get());
    std::uint32_t pixel = reinterpret_cast<const std::uint32_t*>(row)[x];
    return {static_cast<int>(pixel >> 16 & 0xff), static_cast<int>(pixel >> 8 & 0xff),
            static_cast<int>(pixel & 0xff)};
  }

  // Whether a pixel within radius of (x, y) satisfies predicate.
  template <class Predicate>
  bool any_near(double x, double y, int radius, Predicate predicate) const {
    int cx = static_cast<int>(std::floor(x)), cy = static_cast<int>(std::floor(y));
    for (int py = cy - radius; py <= cy + radius; ++py) {
      for (int px = cx - radius; px <= cx + radius; ++px) {
        if (px >= 0 && py >= 0 && px < width() && py < height() && predicate(at(px, py))) {
          return true;
        }
      }
    }
    return false;
  }

 private:
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface_;
};

inline bool close_to(Rgb colour, Rgb expected) {
  return std::abs(colour.r - expected.r) + std::abs(colour.g - expected.g) +
             std::abs(colour.b - expected.b) <=
         30;
}
inline auto is(Rgb expected) {
  return [expected](Rgb colour) { return close_to(colour, expected); };
}
inline bool dark(Rgb colour) {
  return colour.r < 90 && colour.g < 90 && colour.b < 90;
}

// Where draw_figure puts the data for these arguments (the layout depends on nothing else).
inline plot_detail::PlotArea layout(const std::vector<Series>& series,
                                    const FigureOptions& options) {
  cairo_surface_t* surface =
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, options.width, options.height);
  cairo_t* cr = cairo_create(surface);
  plot_detail::PlotArea area = plot_detail::draw_figure(cr, series, options);
  cairo_destroy(cr);
  cairo_surface_destroy(surface);
  return area;
}

}  // namespace activ::testing_support
