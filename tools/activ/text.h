// Text helpers shared by the subcommands: case folding, edit distance and number parsing.
#pragma once

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace activ::cli {

inline std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Levenshtein distance, for "did you mean" suggestions.
inline std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The whole text as a number, as Python's float() reads it (1, -2.5e-3, inf, nan; values below
// the smallest subnormal round to 0); nullopt otherwise, also for a finite number beyond float64
// (1e400: see overflows_float64).
inline std::optional<double> parse_number(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || end != text.data() + text.size()) return std::nullopt;
  if (error == std::errc::result_out_of_range) {
    // from_chars refuses underflow too; strtod rounds it as Python does.
    const double rounded = std::strtod(std::string(text).c_str(), nullptr);
    if (std::isinf(rounded)) return std::nullopt;
    return rounded;
  }
  if (error != std::errc()) return std::nullopt;
  return value;
}

// True for a number too large for float64 (1e400), which parse_number refuses.
inline bool overflows_float64(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && end == text.data() + text.size() &&
         error == std::errc::result_out_of_range &&
         std::isinf(std::strtod(std::string(text).c_str(), nullptr));
}

// "'TEXT' is out of range of float64" or "'TEXT' is not a number", for messages.
inline std::string bad_number(const std::string& text) {
  return "'" + text + "' is " +
         (overflows_float64(text) ? "out of range of float64" : "not a number");
}

}  // namespace activ::cli
