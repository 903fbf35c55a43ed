// A number passed to tensor operations: keeps whether it was written as a bool, an integer
// or a floating-point value, because torch's type promotion depends on it (int64 + 1 stays
// int64, int64 + 0.5 becomes float32).
#pragma once

#include <concepts>
#include <cstdint>
#include <string>

#include "activ/dtype.h"

namespace activ {

class Scalar {
 public:
  Scalar() = default;
  Scalar(bool value) : kind_(Dtype::Bool), value_(value ? 1.0 : 0.0), int_(value) {}
  template <std::integral T>
  requires(!std::same_as<T, bool>) Scalar(T value)
      : kind_(Dtype::Int64),
        value_(static_cast<double>(value)),
        int_(static_cast<std::int64_t>(value)) {}
  template <std::floating_point T>
  Scalar(T value) : kind_(Dtype::Float64), value_(static_cast<double>(value)), int_(0) {}

  // Bool, Int64 or Float64: the category the value was written in.
  Dtype kind() const { return kind_; }
  bool is_floating_point() const { return kind_ == Dtype::Float64; }
  double to_double() const { return value_; }
  std::int64_t to_int64() const {
    return kind_ == Dtype::Float64 ? static_cast<std::int64_t>(value_) : int_;
  }

  template <class T>
  T to() const {
    if constexpr (std::is_same_v<T, std::int64_t>)
      return to_int64();
    else if constexpr (std::is_same_v<T, bool>)
      return value_ != 0.0;
    else
      return static_cast<T>(value_);
  }

 private:
  Dtype kind_ = Dtype::Int64;
  double value_ = 0.0;
  std::int64_t int_ = 0;
};

// Python's repr of a number as torch's extra_repr prints it: 1 stays 1, 1.0 stays 1.0,
// 1e-05, 0.3333333333333333, True, inf, nan.
std::string python_repr(const Scalar& value);

}  // namespace activ
