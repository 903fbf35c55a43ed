// Tests of save_figure: the files are valid PNG, SVG and PDF; in the PNG the curves, axes, legend
// and title are where the figure's layout puts them; bad arguments and paths raise clear errors.
#include "activ/plot.h"

#include <cairo.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "activ/error.h"
#include "plot/figure.h"
#include "support/figure_pixels.h"

namespace activ {
namespace {

namespace fs = std::filesystem;

using namespace testing_support;  // Image, the colours and layout()

Series sampled(double lo, double hi, int intervals, double (*f)(double), std::string label = "") {
  Series s;
  s.label = std::move(label);
  for (int i = 0; i <= intervals; ++i) {
    double x = lo + (hi - lo) * i / intervals;
    s.x.push_back(x);
    s.y.push_back(f(x));
  }
  return s;
}

double square(double x) {
  return x * x;
}
double identity(double x) {
  return x;
}
double shifted(double x) {
  return x + 1.0;
}

std::string read_bytes(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), {}};
}

class Figures : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("activ_plot_test_" + std::to_string(getpid()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(directory_);
    fs::create_directories(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }
  std::string path(const std::string& name) const { return (directory_ / name).string(); }

  fs::path directory_;
};

TEST_F(Figures, PngIsValidAndHasTheRequestedSize) {
  FigureOptions options;
  options.width = 500;
  options.height = 300;
  save_figure(path("f.png"), {sampled(-2, 2, 100, square)}, options);
  EXPECT_EQ(read_bytes(path("f.png")).substr(0, 8), "\x89PNG\r\n\x1a\n");
  Image image(path("f.png"));
  ASSERT_EQ(image.status(), CAIRO_STATUS_SUCCESS);
  EXPECT_EQ(image.width(), 500);
  EXPECT_EQ(image.height(), 300);
}

TEST_F(Figures, SvgAndPdfAreValid) {
  FigureOptions options;
  options.title = "ELU(alpha=1.0)";
  save_figure(path("f.svg"), {sampled(-2, 2, 100, square)}, options);
  save_figure(path("f.PDF"), {sampled(-2, 2, 100, square)}, options);
  std::string svg = read_bytes(path("f.svg"));
  EXPECT_EQ(svg.substr(0, 5), "<?xml");
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("width=\"640px\" height=\"480px\""), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  std::string pdf = read_bytes(path("f.PDF"));
  EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
  EXPECT_NE(pdf.find("%%EOF", pdf.size() - 8), std::string::npos);
}

TEST_F(Figures, CurvePixelsLieWhereTheValuesMap) {
  std::vector<Series> series{sampled(-2, 2, 400, square)};
  FigureOptions options;
  save_figure(path("f.png"), series, options);
  Image image(path("f.png"));
  plot_detail::PlotArea area = layout(series, options);
  // x spans the data; y the data with a 5% margin.
  EXPECT_EQ(area.x_min, -2.0);
  EXPECT_EQ(area.x_max, 2.0);
  EXPECT_DOUBLE_EQ(area.y_min, -0.2);
  EXPECT_DOUBLE_EQ(area.y_max, 4.2);
  for (double x : {-1.9, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 1.9}) {
    EXPECT_TRUE(image.any_near(area.device_x(x), area.device_y(x * x), 2, is(kBlue))) << "x=" << x;
    // Well off the curve, no curve colour.
    EXPECT_FALSE(image.any_near(area.device_x(x), area.device_y(x * x + 0.6), 2, is(kBlue)))
        << "x=" << x;
  }
}

TEST_F(Figures, AxesGoThroughTheOrigin) {
  std::vector<Series> series{sampled(-2, 2, 400, square)};
  FigureOptions options;
  save_figure(path("f.png"), series, options);
  Image image(path("f.png"));
  plot_detail::PlotArea area = layout(series, options);
  for (double x : {-1.8, -1.2, 1.2, 1.8}) {  // the x axis, where the curve is far above it
    EXPECT_TRUE(image.any_near(area.device_x(x), area.device_y(0.0), 1, dark)) << "x=" << x;
  }
  for (double y : {1.0, 2.5, 4.0}) {  // the y axis
    EXPECT_TRUE(image.any_near(area.device_x(0.0), area.device_y(y), 1, dark)) << "y=" << y;
  }
  // The frame is light then: no dark pixel at the middle of its left side.
  EXPECT_FALSE(image.any_near(area.left, (area.top + area.bottom) / 2, 0, dark));
}

TEST_F(Figures, AFrameWhenTheOriginIsOutOfRange) {
  std::vector<Series> series{sampled(1, 3, 100, identity)};
  FigureOptions options;
  save_figure(path("f.png"), series, options);
  Image image(path("f.png"));
  plot_detail::PlotArea area = layout(series, options);
  double middle_x = (area.left + area.right) / 2, middle_y = (area.top + area.bottom) / 2;
  EXPECT_TRUE(image.any_near(area.left, middle_y, 1, dark));
  EXPECT_TRUE(image.any_near(area.right - 1, middle_y, 1, dark));
  EXPECT_TRUE(image.any_near(middle_x, area.top, 1, dark));
  EXPECT_TRUE(image.any_near(middle_x, area.bottom - 1, 1, dark));
  // Nothing dark in the middle of the plot.
  EXPECT_FALSE(image.any_near(area.device_x(1.5), area.device_y(2.5), 3, dark));
}

TEST_F(Figures, TitleIsDrawnCentredAboveThePlot) {
  std::vector<Series> series{sampled(-2, 2, 100, square)};
  FigureOptions options;
  options.title = "ELU(alpha=1.0)";
  save_figure(path("f.png"), series, options);
  Image image(path("f.png"));
  plot_detail::PlotArea area = layout(series, options);
  int count = 0;
  double sum_x = 0.0;
  for (int y = 0; y < static_cast<int>(area.top) - 2; ++y) {
    for (int x = 0; x < image.width(); ++x) {
      if (dark(image.at(x, y))) ++count, sum_x += x;
    }
  }
  EXPECT_GT(count, 100);
  EXPECT_NEAR(sum_x / count, (area.left + area.right) / 2, 15.0);
}

TEST_F(Figures, NonFinitePointsBreakTheCurve) {
  Series s = sampled(-1, 1, 200, shifted);
  for (std::size_t i = 0; i < s.x.size(); ++i) {
    if (std::abs(s.x[i]) < 0.2) s.y[i] = std::numeric_limits<double>::quiet_NaN();
  }
  s.y[160] = std::numeric_limits<double>::infinity();  // x = 0.6
  s.x[40] = -std::numeric_limits<double>::infinity();  // x = -0.6
  std::vector<Series> series{s};
  FigureOptions options;
  save_figure(path("f.png"), series, options);
  Image image(path("f.png"));
  plot_detail::PlotArea area = layout(series, options);
  for (double x : {-0.9, -0.4, 0.4, 0.9}) {
    EXPECT_TRUE(image.any_near(area.device_x(x), area.device_y(x + 1), 2, is(kBlue))) << x;
  }
  EXPECT_FALSE(image.any_near(area.device_x(0.0), area.device_y(1.0), 4, is(kBlue)));
  // No spike towards the infinite value, no jump from the infinite x.
  EXPECT_FALSE(image.any_near(area.device_x(0.6), area.device_y(1.6 + 0.3), 2, is(kBlue)));
  EXPECT_FALSE(image.any_near(area.device_x(-0.9), area.device_y(0.4), 2, is(kBlue)));
  // The y range comes from the finite values only.
  EXPECT_NEAR(area.y_max, 2.0 + 0.05 * 2.0, 1e-12);

  Series nothing_finite{{0.0, 1.0}, {std::nan(""), std::nan("")}, ""};
  EXPECT_NO_THROW(save_figure(path("nan.png"), {nothing_finite}, options));
}

TEST_F(Figures, SeveralSeriesHaveDistinctColoursAndALegend) {
  std::vector<Series> series{sampled(-2, 2, 200, square, "x^2"),
                             sampled(-2, 2, 200, identity, "x")};
  FigureOptions options;
  save_figure(path("f.png"), series, options);
  Image image(path("f.png"));
  plot_detail::PlotArea area = layout(series, options);
  EXPECT_TRUE(image.any_near(area.device_x(1.5), area.device_y(2.25), 2, is(kBlue)));
  EXPECT_TRUE(image.any_near(area.device_x(1.5), area.device_y(1.5), 2, is(kOrange)));
  // The legend's line samples, at its top-left; its box hides the curves under it.
  bool blue = false, orange = false;
  for (int y = static_cast<int>(area.top) + 12; y < area.top + 60; ++y) {
    for (int x = static_cast<int>(area.left) + 12; x < area.left + 50; ++x) {
      blue = blue || close_to(image.at(x, y), kBlue);
      orange = orange || close_to(image.at(x, y), kOrange);
    }
  }
  EXPECT_TRUE(blue);
  EXPECT_TRUE(orange);
}

TEST_F(Figures, ExplicitRangesAreKept) {
  std::vector<Series> series{sampled(-2, 2, 100, square)};
  FigureOptions options;
  options.x_range = {{-1.0, 1.0}};
  options.y_range = {{0.0, 1.0}};
  plot_detail::PlotArea area = layout(series, options);
  EXPECT_EQ(area.x_min, -1.0);
  EXPECT_EQ(area.x_max, 1.0);
  EXPECT_EQ(area.y_min, 0.0);
  EXPECT_EQ(area.y_max, 1.0);
}

TEST_F(Figures, OverwritesAtomicallyWithoutLeavingFiles) {
  std::ofstream(path("f.png")) << "old";
  save_figure(path("f.png"), {sampled(-2, 2, 100, square)}, {});
  EXPECT_EQ(read_bytes(path("f.png")).substr(1, 3), "PNG");
  EXPECT_EQ(std::distance(fs::directory_iterator(directory_), fs::directory_iterator()), 1);
}

template <class E>
std::string message_of(const std::string& path, const std::vector<Series>& series,
                       const FigureOptions& options = {}) {
  try {
    save_figure(path, series, options);
  } catch (const E& error) {
    return error.what();
  }
  return "no error";
}

TEST_F(Figures, BadExtensionsRaise) {
  std::vector<Series> series{sampled(0, 1, 10, square)};
  EXPECT_EQ(message_of<ValueError>("out.jpg", series),
            "save_figure: 'out.jpg': expected a file name ending in .png, .svg or .pdf, got "
            "'.jpg'");
  EXPECT_EQ(message_of<ValueError>("figure", series),
            "save_figure: 'figure': expected a file name ending in .png, .svg or .pdf, got no "
            "extension");
}

TEST_F(Figures, UnwritablePathsRaise) {
  std::string missing = path("no/such/dir/f.png");
  std::string message = message_of<IoError>(missing, {sampled(0, 1, 10, square)});
  EXPECT_EQ(message.rfind("save_figure: '" + missing + "': ", 0), 0u) << message;
  EXPECT_FALSE(fs::exists(missing));
}

TEST_F(Figures, BadSeriesAndOptionsRaise) {
  Series empty{{}, {}, "empty"};
  EXPECT_EQ(message_of<ValueError>(path("f.png"), {sampled(0, 1, 10, square), empty}),
            "save_figure: series[1] ('empty'): expected at least one point, got none");
  EXPECT_EQ(message_of<ValueError>(path("f.png"), {}),
            "save_figure: series: expected at least one series, got none");
  Series uneven{{0.0, 1.0}, {0.0}, "f"};
  EXPECT_EQ(message_of<ValueError>(path("f.png"), {uneven}),
            "save_figure: series[0] ('f'): expected as many y as x, got 2 x and 1 y");
  FigureOptions narrow;
  narrow.width = 0;
  EXPECT_EQ(message_of<ValueError>(path("f.png"), {sampled(0, 1, 10, square)}, narrow),
            "save_figure: width: expected 16 to 16384, got 0");
  FigureOptions reversed;
  reversed.y_range = {{1.0, -1.0}};
  EXPECT_EQ(message_of<ValueError>(path("f.png"), {sampled(0, 1, 10, square)}, reversed),
            "save_figure: y_range: expected lo < hi, got (1, -1)");
  EXPECT_TRUE(fs::is_empty(directory_));
}

}  // namespace
}  // namespace activ
