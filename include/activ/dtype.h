// Element types of activ tensors, named as torch names them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace activ {

enum class Dtype : std::uint8_t { Float32, Float64, Int64, Bool };

inline constexpr Dtype float32 = Dtype::Float32;
inline constexpr Dtype float64 = Dtype::Float64;
inline constexpr Dtype int64 = Dtype::Int64;
inline constexpr Dtype bool_ = Dtype::Bool;

constexpr std::size_t itemsize(Dtype dtype) {
  switch (dtype) {
    case Dtype::Float32: return 4;
    case Dtype::Float64: return 8;
    case Dtype::Int64: return 8;
    case Dtype::Bool: return 1;
  }
  return 0;
}

// "float32", "float64", "int64", "bool".
constexpr std::string_view name(Dtype dtype) {
  switch (dtype) {
    case Dtype::Float32: return "float32";
    case Dtype::Float64: return "float64";
    case Dtype::Int64: return "int64";
    case Dtype::Bool: return "bool";
  }
  return "?";
}

constexpr bool is_floating_point(Dtype dtype) {
  return dtype == Dtype::Float32 || dtype == Dtype::Float64;
}

// The C++ type that stores each dtype, and back.
template <class T>
constexpr Dtype dtype_of() {
  if constexpr (std::is_same_v<T, float>) return Dtype::Float32;
  else if constexpr (std::is_same_v<T, double>) return Dtype::Float64;
  else if constexpr (std::is_same_v<T, std::int64_t>) return Dtype::Int64;
  else {
    static_assert(std::is_same_v<T, bool>, "activ tensors hold float, double, int64_t or bool");
    return Dtype::Bool;
  }
}

// Calls fn.template operator()<T>() with the C++ type T of dtype.
template <class Fn>
decltype(auto) visit_dtype(Dtype dtype, Fn&& fn) {
  switch (dtype) {
    case Dtype::Float32: return fn.template operator()<float>();
    case Dtype::Float64: return fn.template operator()<double>();
    case Dtype::Int64: return fn.template operator()<std::int64_t>();
    case Dtype::Bool: break;
  }
  return fn.template operator()<bool>();
}

// The dtype of an operation on a and b, as torch.result_type for two tensors.
constexpr Dtype promote_types(Dtype a, Dtype b) {
  if (a == b) return a;
  if (a == Dtype::Float64 || b == Dtype::Float64) return Dtype::Float64;
  if (a == Dtype::Float32 || b == Dtype::Float32) return Dtype::Float32;
  return Dtype::Int64;  // int64 with bool
}

}  // namespace activ
