// Tensor printing, a port of torch/_tensor_str.py (PyTorch 1.13): one formatter over all shown
// elements fixes the notation (integer, fixed or scientific) and a common width, then the
// values are laid out in nested brackets, wrapped at the line width and summarized with "..."
// above the element threshold.
#include "tensor/print.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "activ/autograd.h"
#include "activ/tensor.h"

namespace activ {
namespace {

struct Options {
  int precision = 4;
  std::int64_t threshold = 1000;
  int edgeitems = 3;
  int linewidth = 80;
  std::optional<bool> sci_mode;  // unset: each tensor's formatter decides
};

Options& current_options() {
  static Options options;
  return options;
}

// Python's format(value, ".{precision}e") or ".{precision}f", which spell non-finite values
// "nan", "inf" and "-inf" (C's printf may write "-nan").
std::string python_float_format(double value, int precision, bool scientific) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  const char* format = scientific ? "%.*e" : "%.*f";
  const int length = std::snprintf(nullptr, 0, format, precision, value);
  std::string text(static_cast<std::size_t>(length), '\0');
  std::snprintf(text.data(), text.size() + 1, format, precision, value);
  return text;
}

std::string python_str(std::int64_t value) {
  return std::to_string(value);
}
std::string python_str(bool value) {
  return value ? "True" : "False";
}

// torch's _Formatter: decides the notation and the common width from the shown elements.
class Formatter {
 public:
  Formatter(const std::vector<double>& values, const Options& options)
      : precision_(options.precision) {
    std::vector<double> nonzero_finite;
    for (double v : values) {
      if (std::isfinite(v) && v != 0.0) nonzero_finite.push_back(v);
    }
    // With nothing to measure torch returns early, before applying a forced sci_mode.
    if (nonzero_finite.empty()) return;
    double min_abs = std::abs(nonzero_finite.front());
    double max_abs = min_abs;
    for (double v : nonzero_finite) {
      min_abs = std::min(min_abs, std::abs(v));
      max_abs = std::max(max_abs, std::abs(v));
      if (v != std::ceil(v)) int_mode_ = false;
    }
    const bool wide_range = max_abs / min_abs > 1000.0 || max_abs > 1.0e8;
    sci_mode_ = int_mode_ ? wide_range : wide_range || min_abs < 1.0e-4;
    for (double v : nonzero_finite) {
      std::size_t width;
      if (sci_mode_) {
        width = python_float_format(v, precision_, true).size();
      } else if (int_mode_) {
        width = python_float_format(v, 0, false).size() + 1;  // room for the trailing "."
      } else {
        width = python_float_format(v, precision_, false).size();
      }
      max_width_ = std::max(max_width_, width);
    }
    if (options.sci_mode) sci_mode_ = *options.sci_mode;
  }

  template <class T>
  Formatter(const std::vector<T>& values, const Options& options) : precision_(options.precision) {
    for (T v : values) max_width_ = std::max(max_width_, python_str(v).size());
  }

  std::size_t width() const { return max_width_; }

  std::string format(double value) const {
    std::string text;
    if (sci_mode_) {
      text = python_float_format(value, precision_, true);
    } else if (int_mode_) {
      text = python_float_format(value, 0, false);
      if (std::isfinite(value)) text += '.';
    } else {
      text = python_float_format(value, precision_, false);
    }
    return pad(std::move(text));
  }
  std::string format(std::int64_t value) const { return pad(python_str(value)); }
  std::string format(bool value) const { return pad(python_str(value)); }

 private:
  std::string pad(std::string text) const {
    if (text.size() >= max_width_) return text;
    return std::string(max_width_ - text.size(), ' ') + text;
  }

  bool int_mode_ = true;
  bool sci_mode_ = false;
  std::size_t max_width_ = 1;
  int precision_;
};

// Lays out the elements of one tensor, walking its strides directly so views print their
// logical values without a copy.
template <class T>
class Printer {
 public:
  Printer(const Tensor& tensor, const Options& options)
      : data_(tensor.data_ptr<T>()),
        sizes_(tensor.sizes()),
        strides_(tensor.strides()),
        options_(options),
        summarize_(tensor.numel() > options.threshold) {}

  // torch's _tensor_str for a non-empty tensor.
  std::string body(int indent) {
    std::vector<T> shown;
    collect_shown(0, 0, shown);
    const Formatter formatter(to_formatter_values(shown), options_);
    return nested(0, 0, indent, formatter);
  }

 private:
  static auto to_formatter_values(std::vector<T>& values) {
    if constexpr (std::is_same_v<T, float>) {
      return std::vector<double>(values.begin(), values.end());
    } else {
      return std::move(values);
    }
  }

  std::int64_t size(std::size_t d) const { return sizes_[d]; }
  // In int64: twice a large edgeitems overflows int.
  bool elided(std::size_t d) const {
    return summarize_ && size(d) > 2 * std::int64_t{options_.edgeitems};
  }
  // Python's x[-edgeitems:] starts at 0 when edgeitems is 0.
  std::int64_t tail_start(std::size_t d) const {
    return options_.edgeitems == 0 ? 0 : size(d) - options_.edgeitems;
  }

  // The elements the formatter measures: all of them, or when summarizing only the shown
  // ones, as torch's get_summarized_data selects them.
  void collect_shown(std::size_t d, std::int64_t offset, std::vector<T>& out) const {
    if (d == sizes_.size()) {
      out.push_back(data_[offset]);
      return;
    }
    const auto visit = [&](std::int64_t i) { collect_shown(d + 1, offset + i * strides_[d], out); };
    if (!elided(d)) {
      for (std::int64_t i = 0; i < size(d); ++i) visit(i);
      return;
    }
    const bool innermost = d + 1 == sizes_.size();
    for (std::int64_t i = 0; i < options_.edgeitems; ++i) visit(i);
    for (std::int64_t i = innermost ? tail_start(d) : size(d) - options_.edgeitems; i < size(d);
         ++i) {
      visit(i);
    }
  }

  // torch's _tensor_str_with_formatter from dim d down.
  std::string nested(std::size_t d, std::int64_t offset, int indent,
                     const Formatter& formatter) const {
    if (sizes_.empty()) return formatter.format(data_[offset]);
    if (d + 1 == sizes_.size()) return vector(d, offset, indent, formatter);

    std::vector<std::string> slices;
    const auto add_row = [&](std::int64_t i) {
      slices.push_back(nested(d + 1, offset + i * strides_[d], indent + 1, formatter));
    };
    if (elided(d)) {
      for (std::int64_t i = 0; i < options_.edgeitems; ++i) add_row(i);
      slices.emplace_back("...");
      for (std::int64_t i = size(d) - options_.edgeitems; i < size(d); ++i) add_row(i);
    } else {
      for (std::int64_t i = 0; i < size(d); ++i) add_row(i);
    }
    const std::size_t dims_left = sizes_.size() - d;
    const std::string separator = "," + std::string(dims_left - 1, '\n') +
                                  std::string(static_cast<std::size_t>(indent + 1), ' ');
    return "[" + join(slices, separator) + "]";
  }

  // torch's _vector_str: elements of the innermost dim, as many per line as fit.
  std::string vector(std::size_t d, std::int64_t offset, int indent,
                     const Formatter& formatter) const {
    const auto element_length = static_cast<double>(formatter.width() + 2);
    const auto per_line = static_cast<std::size_t>(std::max(
        1.0, std::floor((static_cast<double>(options_.linewidth) - indent) / element_length)));

    std::vector<std::string> elements;
    const auto add_element = [&](std::int64_t i) {
      elements.push_back(formatter.format(data_[offset + i * strides_[d]]));
    };
    if (elided(d)) {
      for (std::int64_t i = 0; i < options_.edgeitems; ++i) add_element(i);
      elements.emplace_back(" ...");
      for (std::int64_t i = tail_start(d); i < size(d); ++i) add_element(i);
    } else {
      for (std::int64_t i = 0; i < size(d); ++i) add_element(i);
    }

    std::vector<std::string> lines;
    for (std::size_t start = 0; start < elements.size(); start += per_line) {
      const std::size_t end = std::min(elements.size(), start + per_line);
      lines.push_back(join({elements.begin() + static_cast<std::ptrdiff_t>(start),
                            elements.begin() + static_cast<std::ptrdiff_t>(end)},
                           ", "));
    }
    return "[" + join(lines, ",\n" + std::string(static_cast<std::size_t>(indent + 1), ' ')) + "]";
  }

  static std::string join(const std::vector<std::string>& parts, const std::string& separator) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (i > 0) out += separator;
      out += parts[i];
    }
    return out;
  }

  const T* data_;
  const Shape& sizes_;
  const Shape& strides_;
  const Options& options_;
  bool summarize_;
};

std::string dtype_suffix(Dtype dtype) {
  return "dtype=activ." + std::string(name(dtype));
}

// torch's _add_suffixes: ", suffix" on the last line while it fits the line width, else on a
// new line indented under the first bracket.
std::string add_suffixes(const std::string& text, const std::vector<std::string>& suffixes,
                         std::size_t indent, const Options& options) {
  std::string out = text;
  const std::size_t newline = text.rfind('\n');
  // Python's len(s) - s.rfind("\n") + 1, where rfind gives -1 when there is no newline.
  std::size_t last_line_length =
      newline == std::string::npos ? text.size() + 2 : text.size() - newline + 1;
  for (const std::string& suffix : suffixes) {
    if (static_cast<std::int64_t>(last_line_length + suffix.size() + 2) > options.linewidth) {
      out += ",\n" + std::string(indent, ' ') + suffix;
      last_line_length = indent + suffix.size();
    } else {
      out += ", " + suffix;
      last_line_length += suffix.size() + 2;
    }
  }
  return out + ")";
}

}  // namespace

namespace detail {

std::string format_tensor(const Tensor& tensor, const std::vector<std::string>& suffixes) {
  if (!tensor.defined()) return "tensor(undefined)";
  const Options& options = current_options();
  const std::string prefix = "tensor(";
  const int indent = static_cast<int>(prefix.size());

  std::vector<std::string> all_suffixes;
  std::string body;
  if (tensor.numel() == 0) {
    // As NumPy does, the shape is shown unless it is (0,); and with no elements to hint at
    // the dtype, any dtype but the default is named.
    if (tensor.dim() != 1) all_suffixes.push_back("size=" + python_tuple(tensor.sizes()));
    if (tensor.dtype() != float32) all_suffixes.push_back(dtype_suffix(tensor.dtype()));
    body = "[]";
  } else {
    // float32 (the default dtype), int64 and bool are recognizable from the values.
    if (tensor.dtype() == float64) all_suffixes.push_back(dtype_suffix(tensor.dtype()));
    body = visit_dtype(tensor.dtype(),
                       [&]<class T>() { return Printer<T>(tensor, options).body(indent); });
  }
  all_suffixes.insert(all_suffixes.end(), suffixes.begin(), suffixes.end());
  return add_suffixes(prefix + body, all_suffixes, static_cast<std::size_t>(indent), options);
}

}  // namespace detail

std::string Tensor::repr() const {
  // torch shows autograd state last: grad_fn for results of recorded ops, requires_grad for
  // leaves that require grad.
  std::vector<std::string> suffixes;
  if (const auto node = grad_fn()) {
    suffixes.push_back("grad_fn=<" + node->name() + ">");
  } else if (requires_grad()) {
    suffixes.push_back("requires_grad=True");
  }
  return detail::format_tensor(*this, suffixes);
}

void set_printoptions(const PrintOptions& options) {
  // A double's exact decimal expansion has at most 1074 places; more only pads with zeros (and
  // INT_MAX places would format gigabytes per element).
  constexpr int kMostPlaces = 1074;
  if (options.precision && (*options.precision < 0 || *options.precision > kMostPlaces)) {
    throw ValueError("set_printoptions: precision must be between 0 and " +
                     std::to_string(kMostPlaces) + ", got " + std::to_string(*options.precision));
  }
  if (options.edgeitems && *options.edgeitems < 0) {
    throw ValueError("set_printoptions: edgeitems must be >= 0, got " +
                     std::to_string(*options.edgeitems));
  }
  Options& current = current_options();
  if (options.precision) current.precision = *options.precision;
  if (options.threshold) current.threshold = *options.threshold;
  if (options.edgeitems) current.edgeitems = *options.edgeitems;
  if (options.linewidth) current.linewidth = *options.linewidth;
  // As torch.set_printoptions, an unset sci_mode goes back to automatic.
  current.sci_mode = options.sci_mode;
}

void reset_printoptions() {
  current_options() = Options{};
}

}  // namespace activ
