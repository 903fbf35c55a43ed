// Elementwise tensor ops with broadcasting and torch's type promotion.
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "activ/autograd.h"
#include "activ/tensor.h"
#include "tensor/loops.h"
#include "tensor/overlap.h"

namespace activ {
namespace {

int category(Dtype dtype) {
  switch (dtype) {
    case Dtype::Bool:
      return 0;
    case Dtype::Int64:
      return 1;
    default:
      return 2;
  }
}

// The dtype torch gives `tensor op number`: the tensor's, unless the number is of a higher
// category (an integer next to a bool tensor gives int64, a float next to an integer or bool
// tensor gives the default float32).
Dtype result_type(const Tensor& t, const Scalar& s) {
  if (category(s.kind()) <= category(t.dtype())) return t.dtype();
  return s.kind() == Dtype::Float64 ? Dtype::Float32 : Dtype::Int64;
}

// torch.result_type of two tensors: a 0-d tensor next to one with dims decides the dtype only
// when it is of a higher category (float32 with a 0-d float64 stays float32).
Dtype result_type(const Tensor& a, const Tensor& b) {
  if ((a.dim() == 0) == (b.dim() == 0)) return promote_types(a.dtype(), b.dtype());
  const Dtype with_dims = a.dim() == 0 ? b.dtype() : a.dtype();
  const Dtype zero_dim = a.dim() == 0 ? a.dtype() : b.dtype();
  return category(zero_dim) > category(with_dims) ? zero_dim : with_dims;
}

void check_defined(const Tensor& t, const char* op, const char* arg) {
  if (!t.defined())
    throw ValueError(std::string(op) + ": argument '" + arg + "' is an undefined tensor");
}

// int64 arithmetic wraps around on overflow as torch's does, without undefined behaviour.
std::int64_t wrap(std::uint64_t v) {
  return static_cast<std::int64_t>(v);
}

struct AddOp {
  double alpha;
  template <class T>
  T operator()(T x, T y) const {
    if constexpr (std::is_same_v<T, bool>)
      return x || y;
    else if constexpr (std::is_same_v<T, std::int64_t>)
      return wrap(static_cast<std::uint64_t>(x) +
                  static_cast<std::uint64_t>(y) *
                      static_cast<std::uint64_t>(static_cast<std::int64_t>(alpha)));
    else
      return alpha == 1.0 ? x + y : x + static_cast<T>(alpha) * y;
  }
};

struct MulOp {
  template <class T>
  T operator()(T x, T y) const {
    if constexpr (std::is_same_v<T, bool>)
      return x && y;
    else if constexpr (std::is_same_v<T, std::int64_t>)
      return wrap(static_cast<std::uint64_t>(x) * static_cast<std::uint64_t>(y));
    else
      return x * y;
  }
};

struct DivOp {
  template <class T>
  T operator()(T x, T y) const {
    return x / y;
  }
};

struct PowOp {
  template <class T>
  T operator()(T x, T y) const {
    if constexpr (std::is_same_v<T, std::int64_t>) {
      if (y < 0) return x == 1 ? 1 : (x == -1 ? (y % 2 == 0 ? 1 : -1) : 0);
      std::uint64_t result = 1, base = static_cast<std::uint64_t>(x);
      for (std::int64_t e = y; e > 0; e >>= 1) {
        if (e & 1) result *= base;
        base *= base;
      }
      return wrap(result);
    } else if constexpr (std::is_same_v<T, bool>) {
      return x || !y;
    } else {
      return std::pow(x, y);
    }
  }
};

struct MaximumOp {
  template <class T>
  T operator()(T x, T y) const {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<T>::quiet_NaN();
    }
    return x > y ? x : y;
  }
};

struct MinimumOp {
  template <class T>
  T operator()(T x, T y) const {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<T>::quiet_NaN();
    }
    return x < y ? x : y;
  }
};

// Applies op to a and b broadcast to one shape, both converted to compute_dtype; the result
// has out_dtype (compute_dtype for arithmetic, bool for comparisons).
template <class Op>
Tensor broadcast_op(const char* name, const Tensor& a, const Tensor& b, Dtype compute_dtype,
                    Dtype out_dtype, Op op) {
  check_defined(a, name, "input");
  check_defined(b, name, "other");
  const Shape shape = broadcast_shapes(a.sizes(), b.sizes(), name);
  const Tensor x = a.to(compute_dtype).expand(shape);
  const Tensor y = b.to(compute_dtype).expand(shape);
  Tensor out = empty(shape, out_dtype);
  visit_dtype(compute_dtype, [&]<class T>() {
    if (out_dtype == Dtype::Bool) {
      detail::binary_loop<bool, T, T>(out, x, y,
                                      [&](T u, T v) { return static_cast<bool>(op(u, v)); });
    } else {
      detail::binary_loop<T, T, T>(out, x, y, [&](T u, T v) { return static_cast<T>(op(u, v)); });
    }
  });
  return out;
}

template <class Op>
Tensor arithmetic(const char* name, const Tensor& a, const Tensor& b, Op op) {
  check_defined(a, name, "input");
  check_defined(b, name, "other");
  const Dtype dtype = result_type(a, b);
  return broadcast_op(name, a, b, dtype, dtype, op);
}

template <class Cmp>
Tensor compare(const char* name, const Tensor& a, const Tensor& b, Cmp cmp) {
  check_defined(a, name, "input");
  check_defined(b, name, "other");
  return broadcast_op(name, a, b, result_type(a, b), Dtype::Bool, cmp);
}

// out = f(x) with the result in out_dtype, computing in out_dtype.
template <class F>
Tensor map(const Tensor& x, Dtype out_dtype, F f) {
  const Tensor input = x.to(out_dtype);
  Tensor out = empty(x.sizes(), out_dtype);
  visit_dtype(out_dtype, [&]<class T>() {
    detail::unary_loop<T, T>(out, input, [&](T v) { return static_cast<T>(f(v)); });
  });
  return out;
}

Dtype float_result(const Tensor& x) {
  return x.is_floating_point() ? x.dtype() : Dtype::Float32;
}

template <class F>
Tensor transcendental(const char* name, const Tensor& x, F f) {
  check_defined(x, name, "input");
  return map(x, float_result(x), f);
}

}  // namespace

Tensor scalar_tensor(Scalar value, Dtype dtype) {
  Tensor t = empty({}, dtype);
  t.fill_(value);
  return t;
}

Tensor add(const Tensor& a, const Tensor& b, Scalar alpha) {
  if (a.defined() && b.defined() && !is_floating_point(promote_types(a.dtype(), b.dtype())) &&
      alpha.is_floating_point()) {
    throw TypeError(
        "add: for integral input tensors, argument alpha must not be a floating point number");
  }
  return autograd::differentiable(
      "AddBackward0", {a, b}, [&] { return arithmetic("add", a, b, AddOp{alpha.to_double()}); },
      [sa = a.sizes(), sb = b.sizes(), alpha](const Tensor& g) -> std::vector<Tensor> {
        return {autograd::sum_to(g, sa),
                autograd::sum_to(alpha.to_double() == 1 ? g : g * alpha, sb)};
      });
}

Tensor sub(const Tensor& a, const Tensor& b, Scalar alpha) {
  if (a.defined() && b.defined() && a.dtype() == Dtype::Bool && b.dtype() == Dtype::Bool) {
    throw TypeError(
        "sub: subtraction, the `-` operator, with two bool tensors is not supported; use the `^` "
        "or "
        "logical_xor() operator instead");
  }
  if (a.defined() && b.defined() && (a.dtype() == Dtype::Bool || b.dtype() == Dtype::Bool)) {
    throw TypeError(
        "sub: subtraction, the `-` operator, with a bool tensor is not supported; to invert a "
        "mask, "
        "use the `~` or logical_not() operator instead");
  }
  if (a.defined() && b.defined() && !is_floating_point(promote_types(a.dtype(), b.dtype())) &&
      alpha.is_floating_point()) {
    throw TypeError(
        "sub: for integral input tensors, argument alpha must not be a floating point number");
  }
  const double negated = -alpha.to_double();
  return autograd::differentiable(
      "SubBackward0", {a, b}, [&] { return arithmetic("sub", a, b, AddOp{negated}); },
      [sa = a.sizes(), sb = b.sizes(), negated](const Tensor& g) -> std::vector<Tensor> {
        return {autograd::sum_to(g, sa), autograd::sum_to(g * negated, sb)};
      });
}

namespace {
// The shape of an operand, for gradient closures (checked for definedness by the forward).
Shape shape_of(const Tensor& t) {
  return t.defined() ? t.sizes() : Shape{};
}
}  // namespace

// Binary ops save an operand only when the other's gradient needs it, as torch: a later
// in-place write to an operand that is not needed (y.mul_(3)) leaves backward valid.
Tensor mul(const Tensor& a, const Tensor& b) {
  const bool grad_a = a.defined() && a.requires_grad(), grad_b = b.defined() && b.requires_grad();
  return autograd::differentiable(
      "MulBackward0", {a, b}, [&] { return arithmetic("mul", a, b, MulOp{}); },
      [sa = grad_b ? autograd::SavedTensor(a) : autograd::SavedTensor(),
       sb = grad_a ? autograd::SavedTensor(b) : autograd::SavedTensor(), shape_a = shape_of(a),
       shape_b = shape_of(b), grad_a, grad_b](const Tensor& g) -> std::vector<Tensor> {
        return {grad_a ? autograd::sum_to(g * sb.unpack(), shape_a) : Tensor(),
                grad_b ? autograd::sum_to(g * sa.unpack(), shape_b) : Tensor()};
      });
}

Tensor div(const Tensor& a, const Tensor& b) {
  check_defined(a, "div", "input");
  check_defined(b, "div", "other");
  Dtype dtype = result_type(a, b);
  if (!is_floating_point(dtype)) dtype = Dtype::Float32;  // true division
  const bool grad_a = a.requires_grad(), grad_b = b.requires_grad();
  return autograd::differentiable(
      "DivBackward0", {a, b}, [&] { return broadcast_op("div", a, b, dtype, dtype, DivOp{}); },
      [sa = grad_b ? autograd::SavedTensor(a) : autograd::SavedTensor(),
       sb = autograd::SavedTensor(b), shape_a = a.sizes(), shape_b = b.sizes(), grad_a,
       grad_b](const Tensor& g) -> std::vector<Tensor> {
        const Tensor y = sb.unpack();
        return {grad_a ? autograd::sum_to(g / y, shape_a) : Tensor(),
                grad_b ? autograd::sum_to(-g * sa.unpack() / (y * y), shape_b) : Tensor()};
      });
}

Tensor pow(const Tensor& base, const Tensor& exponent) {
  if (base.defined() && exponent.defined() && result_type(base, exponent) == Dtype::Bool) {
    throw TypeError("pow: not implemented for bool tensors");
  }
  return autograd::differentiable(
      "PowBackward1", {base, exponent}, [&] { return arithmetic("pow", base, exponent, PowOp{}); },
      [sa = autograd::SavedTensor(base),
       sb = autograd::SavedTensor(exponent)](const Tensor& g) -> std::vector<Tensor> {
        const Tensor x = sa.unpack(), y = sb.unpack();
        Tensor gx, gy;
        // Zero where the exponent is 0 (not 0 * 0^-1 = NaN at x = 0), as torch.
        if (x.requires_grad()) {
          const Tensor term = g * y * pow(x, y - 1);
          gx = autograd::sum_to(where(eq(y, 0), zeros_like(term), term), x.sizes());
        }
        // d/dy x^y = x^y log x, taken as 0 where x = 0 and y >= 0, as torch does.
        if (y.requires_grad()) {
          const Tensor term = g * pow(x, y) * log(x);
          gy = autograd::sum_to(where(where(eq(x, 0), ge(y, 0), false), zeros_like(term), term),
                                y.sizes());
        }
        return {gx, gy};
      });
}

Tensor pow(const Tensor& base, Scalar exponent) {
  check_defined(base, "pow", "input");
  const Dtype dtype = result_type(base, exponent);
  if (!is_floating_point(dtype) && exponent.to_int64() < 0) {
    throw ValueError("pow: integers to negative integer powers are not allowed (exponent " +
                     std::to_string(exponent.to_int64()) + ")");
  }
  const Tensor exponent_tensor = scalar_tensor(exponent, dtype);
  return autograd::differentiable(
      "PowBackward0", {base}, [&] { return pow(base.to(dtype), exponent_tensor); },
      [sx = autograd::SavedTensor(base), exponent](const Tensor& g) -> std::vector<Tensor> {
        // torch's pow_backward: zero for a zero exponent, else g * (e * x^(e - 1)).
        if (exponent.to_double() == 0) return {zeros_like(g)};
        return {g * (pow(sx.unpack(), exponent.to_double() - 1) * exponent)};
      });
}

Tensor pow(Scalar base, const Tensor& exponent) {
  check_defined(exponent, "pow", "exponent");
  const Dtype dtype = result_type(exponent, base);
  return pow(scalar_tensor(base, dtype), exponent.to(dtype));
}

namespace {
// Gradient of maximum/minimum: to the winner, split evenly on ties, as torch.
std::vector<Tensor> extreme_gradient(const Tensor& g, const Tensor& a, const Tensor& b,
                                     bool is_max) {
  const Tensor a_wins = is_max ? gt(a, b) : lt(a, b);
  const Tensor b_wins = is_max ? lt(a, b) : gt(a, b);
  const Tensor half = g * 0.5;
  const Tensor zero = zeros_like(g);
  const Tensor ga = where(a_wins, g, where(eq(a, b), half, zero));
  const Tensor gb = where(b_wins, g, where(eq(a, b), half, zero));
  return {a.requires_grad() ? autograd::sum_to(ga, a.sizes()) : Tensor(),
          b.requires_grad() ? autograd::sum_to(gb, b.sizes()) : Tensor()};
}
}  // namespace

Tensor maximum(const Tensor& a, const Tensor& b) {
  return autograd::differentiable(
      "MaximumBackward0", {a, b}, [&] { return arithmetic("maximum", a, b, MaximumOp{}); },
      [sa = autograd::SavedTensor(a), sb = autograd::SavedTensor(b)](const Tensor& g) {
        return extreme_gradient(g, sa.unpack(), sb.unpack(), true);
      });
}
Tensor minimum(const Tensor& a, const Tensor& b) {
  return autograd::differentiable(
      "MinimumBackward0", {a, b}, [&] { return arithmetic("minimum", a, b, MinimumOp{}); },
      [sa = autograd::SavedTensor(a), sb = autograd::SavedTensor(b)](const Tensor& g) {
        return extreme_gradient(g, sa.unpack(), sb.unpack(), false);
      });
}

Tensor neg(const Tensor& x) {
  check_defined(x, "neg", "input");
  if (x.dtype() == Dtype::Bool) {
    throw TypeError(
        "neg: negation, the `-` operator, on a bool tensor is not supported; use the `~` or "
        "logical_not() operator instead");
  }
  return autograd::differentiable(
      "NegBackward0", {x},
      [&] {
        return map(x, x.dtype(), [](auto v) {
          if constexpr (std::is_same_v<decltype(v), std::int64_t>)
            return wrap(0 - static_cast<std::uint64_t>(v));
          else
            return -v;
        });
      },
      [](const Tensor& g) -> std::vector<Tensor> { return {neg(g)}; });
}

Tensor abs(const Tensor& x) {
  check_defined(x, "abs", "input");
  if (x.dtype() == Dtype::Bool) throw TypeError("abs: not implemented for bool tensors");
  return autograd::differentiable(
      "AbsBackward0", {x},
      [&] {
        return map(x, x.dtype(), [](auto v) {
          using T = decltype(v);
          if constexpr (std::is_same_v<T, std::int64_t>)
            return v < 0 ? wrap(0 - static_cast<std::uint64_t>(v)) : v;
          else if constexpr (std::is_floating_point_v<T>)
            return std::fabs(v);
          else
            return v;
        });
      },
      [sx = autograd::SavedTensor(x)](const Tensor& g) -> std::vector<Tensor> {
        const Tensor v = sx.unpack();
        return {where(gt(v, 0), g, where(lt(v, 0), -g, zeros_like(g)))};  // sign(0) = 0
      });
}

// Gradients recompute from the input rather than save the output: a saved output would hold its
// own node alive through a reference cycle.
Tensor exp(const Tensor& x) {
  return autograd::differentiable(
      "ExpBackward0", {x},
      [&] {
        return transcendental("exp", x, [](auto v) {
          if constexpr (std::is_floating_point_v<decltype(v)>)
            return std::exp(v);
          else
            return v;
        });
      },
      [sx = autograd::SavedTensor(x)](const Tensor& g) -> std::vector<Tensor> {
        return {g * exp(sx.unpack())};
      });
}

Tensor erf(const Tensor& x) {
  return autograd::differentiable(
      "ErfBackward0", {x},
      [&] {
        return transcendental("erf", x, [](auto v) {
          if constexpr (std::is_floating_point_v<decltype(v)>)
            return std::erf(v);
          else
            return v;
        });
      },
      [sx = autograd::SavedTensor(x)](const Tensor& g) -> std::vector<Tensor> {
        const Tensor v = sx.unpack();
        return {g * (2 / std::sqrt(std::numbers::pi)) * exp(-(v * v))};
      });
}

Tensor log(const Tensor& x) {
  return autograd::differentiable(
      "LogBackward0", {x},
      [&] {
        return transcendental("log", x, [](auto v) {
          if constexpr (std::is_floating_point_v<decltype(v)>)
            return std::log(v);
          else
            return v;
        });
      },
      [sx = autograd::SavedTensor(x)](const Tensor& g) -> std::vector<Tensor> {
        return {g / sx.unpack()};
      });
}

Tensor sqrt(const Tensor& x) {
  return autograd::differentiable(
      "SqrtBackward0", {x},
      [&] {
        return transcendental("sqrt", x, [](auto v) {
          if constexpr (std::is_floating_point_v<decltype(v)>)
            return std::sqrt(v);
          else
            return v;
        });
      },
      [sx = autograd::SavedTensor(x)](const Tensor& g) -> std::vector<Tensor> {
        return {g / (sqrt(sx.unpack()) * 2)};
      });
}

Tensor eq(const Tensor& a, const Tensor& b) {
  return compare("eq", a, b, [](auto x, auto y) { return x == y; });
}
Tensor ne(const Tensor& a, const Tensor& b) {
  return compare("ne", a, b, [](auto x, auto y) { return x != y; });
}
Tensor lt(const Tensor& a, const Tensor& b) {
  return compare("lt", a, b, [](auto x, auto y) { return x < y; });
}
Tensor le(const Tensor& a, const Tensor& b) {
  return compare("le", a, b, [](auto x, auto y) { return x <= y; });
}
Tensor gt(const Tensor& a, const Tensor& b) {
  return compare("gt", a, b, [](auto x, auto y) { return x > y; });
}
Tensor ge(const Tensor& a, const Tensor& b) {
  return compare("ge", a, b, [](auto x, auto y) { return x >= y; });
}

Tensor logical_not(const Tensor& x) {
  check_defined(x, "logical_not", "input");
  Tensor out = empty(x.sizes(), Dtype::Bool);
  visit_dtype(x.dtype(), [&]<class T>() {
    detail::unary_loop<bool, T>(out, x, [](T v) { return !static_cast<bool>(v); });
  });
  return out;
}

namespace {
Tensor where_values(const Tensor& condition, const Tensor& a, const Tensor& b) {
  check_defined(condition, "where", "condition");
  check_defined(a, "where", "input");
  check_defined(b, "where", "other");
  if (condition.dtype() != Dtype::Bool) {
    throw TypeError("where: expected condition to be a bool tensor, got " +
                    std::string(name(condition.dtype())));
  }
  const Dtype dtype = result_type(a, b);
  const Shape shape =
      broadcast_shapes(broadcast_shapes(condition.sizes(), a.sizes(), "where"), b.sizes(), "where");
  const Tensor c = condition.expand(shape), x = a.to(dtype).expand(shape),
               y = b.to(dtype).expand(shape);
  Tensor out = empty(shape, dtype);
  visit_dtype(dtype, [&]<class T>() {
    detail::ternary_loop<T, bool, T, T>(out, c, x, y, [](bool k, T u, T v) { return k ? u : v; });
  });
  return out;
}
}  // namespace

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  return autograd::differentiable(
      "WhereBackward0", {a, b}, [&] { return where_values(condition, a, b); },
      [c = condition.detach(), sa = a.sizes(),
       sb = b.sizes()](const Tensor& g) -> std::vector<Tensor> {
        const Tensor zero = zeros_like(g);
        return {autograd::sum_to(where(c, g, zero), sa), autograd::sum_to(where(c, zero, g), sb)};
      });
}

Tensor where(const Tensor& condition, const Tensor& a, Scalar b) {
  check_defined(a, "where", "input");
  return where(condition, a, scalar_tensor(b, result_type(a, b)));
}

Tensor where(const Tensor& condition, Scalar a, const Tensor& b) {
  check_defined(b, "where", "other");
  return where(condition, scalar_tensor(a, result_type(b, a)), b);
}

namespace {
Tensor clamp_values(const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max) {
  check_defined(x, "clamp", "input");
  if (!min && !max) throw ValueError("clamp: at least one of 'min' or 'max' must not be None");
  if (x.dtype() == Dtype::Bool) throw TypeError("clamp: not implemented for bool tensors");
  Dtype dtype = x.dtype();
  if (min) dtype = promote_types(dtype, result_type(x, *min));
  if (max) dtype = promote_types(dtype, result_type(x, *max));
  const Tensor input = x.to(dtype);
  Tensor out = empty(x.sizes(), dtype);
  visit_dtype(dtype, [&]<class T>() {
    const T lo = min ? min->to<T>() : T{};
    const T hi = max ? max->to<T>() : T{};
    const bool has_lo = min.has_value(), has_hi = max.has_value();
    // NaN in the input or in a bound propagates, as torch's clamp does.
    detail::unary_loop<T, T>(out, input, [=](T v) {
      if constexpr (std::is_floating_point_v<T>) {
        if (std::isnan(v)) return v;
        if ((has_lo && std::isnan(lo)) || (has_hi && std::isnan(hi)))
          return std::numeric_limits<T>::quiet_NaN();
      }
      if (has_lo && v < lo) v = lo;
      if (has_hi && v > hi) v = hi;
      return v;
    });
  });
  return out;
}
}  // namespace

namespace {
Tensor clamp_recorded(const char* node_name, const Tensor& x, std::optional<Scalar> min,
                      std::optional<Scalar> max) {
  return autograd::differentiable(
      node_name, {x}, [&] { return clamp_values(x, min, max); },
      [sx = autograd::SavedTensor(x), min, max](const Tensor& g) -> std::vector<Tensor> {
        // The gradient passes where min <= x <= max (both bounds included), as torch's.
        const Tensor v = sx.unpack();
        Tensor inside = ones_like(v, Dtype::Bool);
        if (min) inside = where(ge(v, *min), inside, false);
        if (max) inside = where(le(v, *max), inside, false);
        return {where(inside, g, zeros_like(g))};
      });
}
}  // namespace

// torch names the nodes of clamp, clamp_min and clamp_max differently.
Tensor clamp(const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max) {
  return clamp_recorded("ClampBackward1", x, min, max);
}
Tensor clamp_min(const Tensor& x, Scalar min) {
  return clamp_recorded("ClampMinBackward0", x, min, std::nullopt);
}
Tensor clamp_max(const Tensor& x, Scalar max) {
  return clamp_recorded("ClampMaxBackward0", x, std::nullopt, max);
}

// --- tensor-scalar forms -----------------------------------------------------------------

Tensor add(const Tensor& a, Scalar b) {
  check_defined(a, "add", "input");
  return add(a, scalar_tensor(b, result_type(a, b)));
}
Tensor sub(const Tensor& a, Scalar b) {
  check_defined(a, "sub", "input");
  // A bool number is a bool tensor to torch, which sub refuses.
  return sub(a, scalar_tensor(b, b.kind() == Dtype::Bool ? Dtype::Bool : result_type(a, b)));
}
Tensor mul(const Tensor& a, Scalar b) {
  check_defined(a, "mul", "input");
  return mul(a, scalar_tensor(b, result_type(a, b)));
}
Tensor div(const Tensor& a, Scalar b) {
  check_defined(a, "div", "input");
  return div(a, scalar_tensor(b, result_type(a, b)));
}

#define ACTIV_SCALAR_COMPARE(op)                       \
  Tensor op(const Tensor& a, Scalar b) {               \
    check_defined(a, #op, "input");                    \
    return op(a, scalar_tensor(b, result_type(a, b))); \
  }
ACTIV_SCALAR_COMPARE(eq)
ACTIV_SCALAR_COMPARE(ne)
ACTIV_SCALAR_COMPARE(lt)
ACTIV_SCALAR_COMPARE(le)
ACTIV_SCALAR_COMPARE(gt)
ACTIV_SCALAR_COMPARE(ge)
#undef ACTIV_SCALAR_COMPARE

Tensor operator+(Scalar a, const Tensor& b) {
  return add(b, a);
}
Tensor operator-(Scalar a, const Tensor& b) {
  check_defined(b, "sub", "other");
  const Tensor number = scalar_tensor(a, a.kind() == Dtype::Bool ? Dtype::Bool : result_type(b, a));
  return autograd::differentiable(
      "RsubBackward1", {b}, [&] { return sub(number, b); },
      [](const Tensor& g) -> std::vector<Tensor> { return {-g}; });
}
Tensor operator*(Scalar a, const Tensor& b) {
  return mul(b, a);
}
Tensor operator/(Scalar a, const Tensor& b) {
  check_defined(b, "div", "other");
  // As torch: reciprocal(b) * a, which rounds twice.
  return div(scalar_tensor(1, result_type(b, a)), b) * a;
}

// --- methods ---------------------------------------------------------------------------------

Tensor Tensor::neg() const {
  return activ::neg(*this);
}
Tensor Tensor::abs() const {
  return activ::abs(*this);
}
Tensor Tensor::exp() const {
  return activ::exp(*this);
}
Tensor Tensor::erf() const {
  return activ::erf(*this);
}
Tensor Tensor::log() const {
  return activ::log(*this);
}
Tensor Tensor::sqrt() const {
  return activ::sqrt(*this);
}
Tensor Tensor::pow(const Tensor& exponent) const {
  return activ::pow(*this, exponent);
}
Tensor Tensor::pow(Scalar exponent) const {
  return activ::pow(*this, exponent);
}
Tensor Tensor::clamp(std::optional<Scalar> min, std::optional<Scalar> max) const {
  return activ::clamp(*this, min, max);
}

namespace {
// Writes result into self in place; the result's dtype must be castable to self's, as torch
// requires (an int64 tensor cannot take a float result in place).
Tensor& assign_in_place(Tensor& self, const Tensor& result, const char* op) {
  if (category(result.dtype()) > category(self.dtype())) {
    throw TypeError(std::string(op) + ": result type " + std::string(name(result.dtype())) +
                    " can't be cast to the desired output type " + std::string(name(self.dtype())));
  }
  if (result.sizes() != self.sizes()) {
    throw ShapeError(std::string(op) + ": output with shape " + shape_str(self.sizes()) +
                     " doesn't match the broadcast shape " + shape_str(result.sizes()));
  }
  detail::check_no_internal_overlap(self, op);
  autograd::check_inplace(self, op);
  {
    autograd::NoGradGuard guard;
    self.copy_(result);
  }
  // The result was computed out of place from the old value; self now carries its history.
  autograd::rebase_history(self, result);
  return self;
}
}  // namespace

namespace {
// self += alpha * other straight into self, when no gradient is recorded and nothing needs the
// out-of-place detour (dtype change, aliasing, autograd): how gradients accumulate into .grad.
bool add_directly(Tensor& self, const Tensor& other, Scalar alpha) {
  if (!self.defined() || !other.defined() || autograd::needs_grad({self, other}) ||
      !self.is_floating_point() || other.dtype() != self.dtype() || other.is_alias_of(self) ||
      broadcast_shapes(self.sizes(), other.sizes(), "add_") != self.sizes()) {
    return false;
  }
  detail::check_no_internal_overlap(self, "add_");
  self.storage()->bump_version();
  const Tensor source = other.expand(self.sizes());
  visit_dtype(self.dtype(), [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      const T a = static_cast<T>(alpha.to_double());
      if (alpha.to_double() == 1.0) {
        detail::binary_loop<T, T, T>(self, self, source, [](T x, T y) { return x + y; });
      } else {
        detail::binary_loop<T, T, T>(self, self, source, [a](T x, T y) { return x + a * y; });
      }
    }
  });
  return true;
}
}  // namespace

Tensor& Tensor::add_(const Tensor& other, Scalar alpha) {
  detail::check_no_partial_overlap(*this, other, "add_");
  if (add_directly(*this, other, alpha)) return *this;
  return assign_in_place(*this, add(*this, other, alpha), "add_");
}
Tensor& Tensor::sub_(const Tensor& other, Scalar alpha) {
  detail::check_no_partial_overlap(*this, other, "sub_");
  return assign_in_place(*this, sub(*this, other, alpha), "sub_");
}
// other's gradient needs self's old value, which the write replaces: multiply a copy of it.
Tensor& Tensor::mul_(const Tensor& other) {
  detail::check_no_partial_overlap(*this, other, "mul_");
  const Tensor old = autograd::needs_grad({other}) ? clone() : *this;
  return assign_in_place(*this, mul(old, other), "mul_");
}
Tensor& Tensor::div_(const Tensor& other) {
  detail::check_no_partial_overlap(*this, other, "div_");
  const Tensor old = autograd::needs_grad({other}) ? clone() : *this;
  return assign_in_place(*this, div(old, other), "div_");
}
Tensor& Tensor::add_(Scalar other) {
  return assign_in_place(*this, add(*this, other), "add_");
}
Tensor& Tensor::mul_(Scalar other) {
  return assign_in_place(*this, mul(*this, other), "mul_");
}
Tensor& Tensor::clamp_(std::optional<Scalar> min, std::optional<Scalar> max) {
  // The gradient needs the old value, which the write replaces: clamp a copy of it.
  const Tensor old = autograd::needs_grad({*this}) ? clone() : *this;
  return assign_in_place(*this, activ::clamp(old, min, max), "clamp_");
}

}  // namespace activ
