// save_figure: draws the figure on the cairo surface of the format its path names, in memory,
// then writes the bytes atomically.
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "activ/error.h"
#include "activ/plot.h"
#include "io/file_io.h"
#include "plot/figure.h"

namespace activ {
namespace {

enum class Format { kPng, kSvg, kPdf };

Format format_of(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  std::ranges::transform(extension, extension.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (extension == ".png") return Format::kPng;
  if (extension == ".svg") return Format::kSvg;
  if (extension == ".pdf") return Format::kPdf;
  throw ValueError("save_figure: '" + path +
                   "': expected a file name ending in .png, .svg or .pdf, got " +
                   (extension.empty() ? std::string("no extension") : "'" + extension + "'"));
}

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

struct SurfaceDeleter {
  void operator()(cairo_surface_t* surface) const { cairo_surface_destroy(surface); }
};
struct ContextDeleter {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
};
using Surface = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;
using Context = std::unique_ptr<cairo_t, ContextDeleter>;

void check(cairo_status_t status, const std::string& path) {
  if (status != CAIRO_STATUS_SUCCESS) {
    io_detail::fail(
        "save_figure", path,
        std::string("cairo could not draw the figure: ") + cairo_status_to_string(status));
  }
}

}  // namespace

void save_figure(const std::string& path, const std::vector<Series>& series,
                 const FigureOptions& options) {
  Format format = format_of(path);
  plot_detail::validate_figure(series, options);

  std::string bytes;
  Surface surface;
  switch (format) {
    case Format::kPng:
      // No alpha channel: the figure is opaque, and RGB files are smaller.
      surface.reset(cairo_image_surface_create(CAIRO_FORMAT_RGB24, options.width, options.height));
      break;
    case Format::kSvg:
      surface.reset(
          cairo_svg_surface_create_for_stream(append_bytes, &bytes, options.width, options.height));
      // Sized in pixels as the PNG is, rather than cairo's default points.
      cairo_svg_surface_set_document_unit(surface.get(), CAIRO_SVG_UNIT_PX);
      break;
    case Format::kPdf:
      surface.reset(
          cairo_pdf_surface_create_for_stream(append_bytes, &bytes, options.width, options.height));
      break;
  }
  check(cairo_surface_status(surface.get()), path);
  {
    Context cr(cairo_create(surface.get()));
    plot_detail::draw_figure(cr.get(), series, options);
    check(cairo_status(cr.get()), path);
  }
  if (format == Format::kPng) {
    check(cairo_surface_write_to_png_stream(surface.get(), append_bytes, &bytes), path);
  } else {
    cairo_surface_finish(surface.get());  // flushes the vector formats into bytes
    check(cairo_surface_status(surface.get()), path);
  }

  const std::span<const std::byte> pieces[] = {std::as_bytes(std::span(bytes))};
  io_detail::write_file_atomically("save_figure", path, pieces);
}

}  // namespace activ
