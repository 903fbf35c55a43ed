// Tensor factories, random numbers, joining (cat, stack) and comparison of whole tensors.
#include <cmath>
#include <limits>
#include <mutex>
#include <random>
#include <string>

#include "activ/autograd.h"
#include "activ/tensor.h"

namespace activ {
namespace {

Dtype scalar_default_dtype(const Scalar& value) {
  switch (value.kind()) {
    case Dtype::Bool:
      return Dtype::Bool;
    case Dtype::Int64:
      return Dtype::Int64;
    default:
      return Dtype::Float32;
  }
}

void check_like(const Tensor& like, const char* op) {
  if (!like.defined()) throw ValueError(std::string(op) + ": the tensor is undefined");
}

// One generator for the process, seeded by manual_seed; filling is serial so the numbers do
// not depend on the thread count.
struct Generator {
  std::mutex mutex;
  std::mt19937_64 engine{0x5eed};
};

Generator& generator() {
  static Generator instance;
  return instance;
}

template <class T>
T uniform01(std::mt19937_64& engine) {
  if constexpr (std::is_same_v<T, float>) {
    return static_cast<float>(engine() >> 40) *
           0x1.0p-24f;  // 24 random bits: every float in [0, 1) grid
  } else {
    return static_cast<double>(engine() >> 11) * 0x1.0p-53;
  }
}

template <class Fill>
Tensor random_tensor(const Shape& shape, Dtype dtype, const char* op, Fill fill) {
  if (!is_floating_point(dtype)) {
    throw TypeError(std::string(op) + ": expected a floating point dtype, got " +
                    std::string(name(dtype)));
  }
  Tensor out = empty(shape, dtype);
  auto& gen = generator();
  std::lock_guard lock(gen.mutex);
  visit_dtype(dtype, [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) fill(out.data_ptr<T>(), out.numel(), gen.engine);
  });
  return out;
}

void infer_nested_shape(const NestedList& list, std::size_t depth, Shape& shape, int& category) {
  if (list.is_leaf()) {
    if (depth != shape.size()) {
      throw ValueError("tensor: expected a sequence at dim " + std::to_string(depth) +
                       ", got a number");
    }
    const int c =
        list.scalar().kind() == Dtype::Bool ? 0 : (list.scalar().kind() == Dtype::Int64 ? 1 : 2);
    category = std::max(category, c);
    return;
  }
  const auto n = static_cast<std::int64_t>(list.items().size());
  if (depth == shape.size()) {
    // The first numbers end the first descent, which fixes the depth: {1, {2, 3}} is ragged.
    if (category >= 0) {
      throw ValueError("tensor: expected a number at dim " + std::to_string(depth - 1) +
                       ", got a sequence");
    }
    if (depth >= static_cast<std::size_t>(kMaxDims))
      throw ShapeError("tensor: a tensor has at most 8 dims");
    shape.push_back(n);
  } else if (depth > shape.size() || shape[depth] != n) {
    throw ValueError("tensor: expected sequence of length " +
                     (depth < shape.size() ? std::to_string(shape[depth]) : std::string("0")) +
                     " at dim " + std::to_string(depth) + " (got " + std::to_string(n) + ")");
  }
  for (const auto& item : list.items()) infer_nested_shape(item, depth + 1, shape, category);
}

template <class T>
void flatten_nested(const NestedList& list, T*& out) {
  if (list.is_leaf()) {
    *out++ = list.scalar().to<T>();
    return;
  }
  for (const auto& item : list.items()) flatten_nested(item, out);
}

}  // namespace

Tensor zeros(const Shape& shape, Dtype dtype) {
  return empty(shape, dtype).fill_(0);
}
Tensor ones(const Shape& shape, Dtype dtype) {
  return empty(shape, dtype).fill_(1);
}

Tensor full(const Shape& shape, Scalar value, std::optional<Dtype> dtype) {
  return empty(shape, dtype.value_or(scalar_default_dtype(value))).fill_(value);
}

Tensor empty_like(const Tensor& like, std::optional<Dtype> dtype) {
  check_like(like, "empty_like");
  return empty(like.sizes(), dtype.value_or(like.dtype()));
}
Tensor zeros_like(const Tensor& like, std::optional<Dtype> dtype) {
  check_like(like, "zeros_like");
  return zeros(like.sizes(), dtype.value_or(like.dtype()));
}
Tensor ones_like(const Tensor& like, std::optional<Dtype> dtype) {
  check_like(like, "ones_like");
  return ones(like.sizes(), dtype.value_or(like.dtype()));
}
Tensor full_like(const Tensor& like, Scalar value, std::optional<Dtype> dtype) {
  check_like(like, "full_like");
  return full(like.sizes(), value, dtype.value_or(like.dtype()));
}
Tensor rand_like(const Tensor& like, std::optional<Dtype> dtype) {
  check_like(like, "rand_like");
  return rand(like.sizes(), dtype.value_or(like.dtype()));
}
Tensor randn_like(const Tensor& like, std::optional<Dtype> dtype) {
  check_like(like, "randn_like");
  return randn(like.sizes(), dtype.value_or(like.dtype()));
}

Tensor arange(Scalar end, std::optional<Dtype> dtype) {
  return arange(0, end, 1, dtype);
}

Tensor arange(Scalar start, Scalar end, Scalar step, std::optional<Dtype> dtype) {
  const bool integral =
      !start.is_floating_point() && !end.is_floating_point() && !step.is_floating_point();
  const Dtype out_dtype = dtype.value_or(integral ? Dtype::Int64 : Dtype::Float32);
  const double lo = start.to_double(), hi = end.to_double(), delta = step.to_double();
  if (!std::isfinite(lo) || !std::isfinite(hi))
    throw ValueError("arange: unsupported range: " + std::to_string(lo) + " -> " +
                     std::to_string(hi));
  if (delta == 0 || !std::isfinite(delta))
    throw ValueError("arange: step must be nonzero and finite");
  if ((delta > 0 && hi < lo) || (delta < 0 && hi > lo)) {
    throw ValueError("arange: upper bound and larger bound inconsistent with step sign");
  }
  const double count = std::ceil((hi - lo) / delta);
  if (count > static_cast<double>(std::numeric_limits<std::int64_t>::max() / 8)) {
    throw OutOfMemoryError("arange: " + std::to_string(count) +
                           " elements are more than can be allocated");
  }
  const auto n = static_cast<std::int64_t>(count);
  Tensor out = empty({n}, out_dtype);
  visit_dtype(out_dtype, [&]<class T>() {
    T* p = out.data_ptr<T>();
    if constexpr (std::is_same_v<T, std::int64_t>) {
      if (integral) {
        for (std::int64_t i = 0; i < n; ++i) p[i] = start.to_int64() + i * step.to_int64();
        return;
      }
    }
    if constexpr (std::is_floating_point_v<T>) {
      // torch's CPU kernel (1.13, AVX2): blocks of two 32-byte vectors, each vector starting at
      // its first value rounded to T with the later lanes counted from that rounded start, then
      // a scalar tail; the compiler fuses start + step * i into an FMA. Same bits as torch for
      // up to 32768 elements (longer ranges are split between its threads).
      constexpr std::int64_t lanes = 32 / sizeof(T);
      const std::int64_t vectorized = n / (2 * lanes) * (2 * lanes);
      for (std::int64_t i = 0; i < n; ++i) {
        if (i < vectorized) {
          const std::int64_t lane = i % lanes;
          const T first = static_cast<T>(std::fma(delta, static_cast<double>(i - lane), lo));
          p[i] = static_cast<T>(std::fma(static_cast<double>(lane), delta, first));
        } else {
          p[i] = static_cast<T>(std::fma(delta, static_cast<double>(i), lo));
        }
      }
    } else {
      for (std::int64_t i = 0; i < n; ++i)
        p[i] = static_cast<T>(lo + static_cast<double>(i) * delta);
    }
  });
  return out;
}

Tensor linspace(double start, double end, std::int64_t steps, Dtype dtype) {
  if (steps < 0)
    throw ValueError("linspace: number of steps must be non-negative, got " +
                     std::to_string(steps));
  Tensor out = empty({steps}, dtype);
  visit_dtype(dtype, [&]<class T>() {
    T* p = out.data_ptr<T>();
    if constexpr (std::is_floating_point_v<T>) {
      // torch's formula: the first half counts up from start, the second down from end, so
      // both endpoints are exact.
      const T lo = static_cast<T>(start), hi = static_cast<T>(end);
      const T step = steps > 1 ? (hi - lo) / static_cast<T>(steps - 1) : T(0);
      // One step gives start, as torch's does (the halves formula would give end).
      const std::int64_t half = steps == 1 ? 1 : steps / 2;
      for (std::int64_t i = 0; i < steps; ++i) {
        p[i] = i < half ? lo + step * static_cast<T>(i) : hi - step * static_cast<T>(steps - i - 1);
      }
    } else {
      const double step = steps > 1 ? (end - start) / static_cast<double>(steps - 1) : 0.0;
      for (std::int64_t i = 0; i < steps; ++i)
        p[i] = static_cast<T>(start + step * static_cast<double>(i));
    }
  });
  return out;
}

Tensor rand(const Shape& shape, Dtype dtype) {
  return random_tensor(shape, dtype, "rand",
                       []<class T>(T* p, std::int64_t n, std::mt19937_64& engine) {
                         for (std::int64_t i = 0; i < n; ++i) p[i] = uniform01<T>(engine);
                       });
}

Tensor randn(const Shape& shape, Dtype dtype) {
  return random_tensor(
      shape, dtype, "randn", []<class T>(T* p, std::int64_t n, std::mt19937_64& engine) {
        // Box-Muller: two uniforms give two independent standard normals.
        for (std::int64_t i = 0; i < n; i += 2) {
          const double u1 = 1.0 - uniform01<double>(engine);  // (0, 1]: log is finite
          const double u2 = uniform01<double>(engine);
          const double radius = std::sqrt(-2.0 * std::log(u1));
          p[i] = static_cast<T>(radius * std::cos(2.0 * M_PI * u2));
          if (i + 1 < n) p[i + 1] = static_cast<T>(radius * std::sin(2.0 * M_PI * u2));
        }
      });
}

Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape, Dtype dtype) {
  if (high <= low) {
    throw ValueError("randint: expected low < high, got low=" + std::to_string(low) +
                     ", high=" + std::to_string(high));
  }
  Tensor values = empty(shape, Dtype::Int64);
  {
    auto& gen = generator();
    std::lock_guard lock(gen.mutex);
    std::uniform_int_distribution<std::int64_t> dist(low, high - 1);
    std::int64_t* p = values.data_ptr<std::int64_t>();
    for (std::int64_t i = 0; i < values.numel(); ++i) p[i] = dist(gen.engine);
  }
  return values.to(dtype);
}

void manual_seed(std::uint64_t seed) {
  auto& gen = generator();
  std::lock_guard lock(gen.mutex);
  gen.engine.seed(seed);
}

Tensor tensor(const NestedList& values, std::optional<Dtype> dtype) {
  Shape shape;
  int category = -1;  // -1 no number yet, 0 bool, 1 integer, 2 floating point: the highest wins
  infer_nested_shape(values, 0, shape, category);
  std::int64_t n = 1;
  for (auto s : shape) n *= s;
  // An empty list is float32, as torch.tensor([]) is.
  const Dtype inferred =
      n == 0 ? Dtype::Float32
             : (category == 0 ? Dtype::Bool : (category == 1 ? Dtype::Int64 : Dtype::Float32));
  const Dtype out_dtype = dtype.value_or(inferred);
  Tensor out = empty(shape, out_dtype);
  visit_dtype(out_dtype, [&]<class T>() {
    T* p = out.data_ptr<T>();
    flatten_nested(values, p);
  });
  return out;
}

template <class T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape) {
  Tensor out = empty(shape, dtype_of<T>());
  if (out.numel() != static_cast<std::int64_t>(values.size())) {
    throw ShapeError("from_vector: shape " + shape_str(shape) + " is invalid for input of size " +
                     std::to_string(values.size()));
  }
  std::copy(values.begin(), values.end(), out.data_ptr<T>());
  return out;
}
template Tensor from_vector(const std::vector<float>&, const Shape&);
template Tensor from_vector(const std::vector<double>&, const Shape&);
template Tensor from_vector(const std::vector<std::int64_t>&, const Shape&);
template <>
Tensor from_vector(const std::vector<bool>& values, const Shape& shape) {
  Tensor out = empty(shape, Dtype::Bool);
  if (out.numel() != static_cast<std::int64_t>(values.size())) {
    throw ShapeError("from_vector: shape " + shape_str(shape) + " is invalid for input of size " +
                     std::to_string(values.size()));
  }
  std::copy(values.begin(), values.end(), out.data_ptr<bool>());
  return out;
}

// --- joining -------------------------------------------------------------------------------

namespace {
Tensor cat_values(const std::vector<Tensor>& tensors, std::int64_t dim) {
  if (tensors.empty()) throw ValueError("cat: expected a non-empty list of tensors");
  // torch skips legacy 1-D empty tensors of shape [0] when the others have more dims.
  const Tensor* reference = nullptr;
  Dtype dtype = Dtype::Bool;
  bool first = true;
  for (const auto& t : tensors) {
    if (!t.defined()) throw ValueError("cat: got an undefined tensor");
    dtype = first ? t.dtype() : promote_types(dtype, t.dtype());
    first = false;
    if (!reference && !(t.dim() == 1 && t.sizes()[0] == 0)) reference = &t;
  }
  if (!reference) reference = &tensors.front();
  if (reference->dim() == 0)
    throw ShapeError("cat: zero-dimensional tensor cannot be concatenated");
  const std::int64_t d = wrap_dim(dim, reference->dim(), "cat");
  Shape out_shape = reference->sizes();
  out_shape[d] = 0;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (t.dim() == 1 && t.sizes()[0] == 0 && reference->dim() != 1) continue;
    if (t.dim() != reference->dim()) {
      throw ShapeError("cat: tensors must have same number of dimensions: got " +
                       std::to_string(reference->dim()) + " and " + std::to_string(t.dim()) +
                       " (tensor number " + std::to_string(i) + ")");
    }
    for (std::int64_t k = 0; k < t.dim(); ++k) {
      if (k != d && t.sizes()[k] != reference->sizes()[k]) {
        throw ShapeError("cat: sizes of tensors must match except in dimension " +
                         std::to_string(d) + ". Expected size " +
                         std::to_string(reference->sizes()[k]) + " but got size " +
                         std::to_string(t.sizes()[k]) + " for tensor number " + std::to_string(i) +
                         " in the list");
      }
    }
    out_shape[d] += t.sizes()[d];
  }
  Tensor out = empty(out_shape, dtype);
  std::int64_t offset = 0;
  for (const auto& t : tensors) {
    if (t.dim() == 1 && t.sizes()[0] == 0 && reference->dim() != 1) continue;
    out.narrow(d, offset, t.sizes()[d]).copy_(t);
    offset += t.sizes()[d];
  }
  return out;
}
}  // namespace

Tensor cat(const std::vector<Tensor>& tensors, std::int64_t dim) {
  Tensor out = autograd::without_grad([&] { return cat_values(tensors, dim); });
  bool needs_grad = false;
  for (const auto& t : tensors) needs_grad = needs_grad || autograd::needs_grad({t});
  if (!needs_grad) return out;
  std::vector<Shape> shapes;
  for (const auto& t : tensors) shapes.push_back(t.sizes());
  const std::int64_t d = wrap_dim(dim, out.dim(), "cat");
  autograd::record("CatBackward0", out, tensors, [shapes, d](const Tensor& g) {
    std::vector<Tensor> grads;
    std::int64_t offset = 0;
    for (const auto& shape : shapes) {
      const bool legacy_empty =
          shape.size() == 1 && shape[0] == 0 && g.dim() != 1;  // skipped by cat
      if (legacy_empty) {
        grads.push_back(zeros(shape, g.dtype()));
        continue;
      }
      grads.push_back(g.narrow(d, offset, shape[d]));
      offset += shape[d];
    }
    return grads;
  });
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors, std::int64_t dim) {
  if (tensors.empty()) throw ValueError("stack: expected a non-empty list of tensors");
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    if (!tensors[i].defined()) throw ValueError("stack: got an undefined tensor");
    if (tensors[i].sizes() != tensors[0].sizes()) {
      throw ShapeError("stack: expects each tensor to be equal size, but got " +
                       shape_str(tensors[0].sizes()) + " at entry 0 and " +
                       shape_str(tensors[i].sizes()) + " at entry " + std::to_string(i));
    }
  }
  const std::int64_t d = wrap_dim(dim, tensors[0].dim() + 1, "stack");
  Tensor out = autograd::without_grad([&] {
    std::vector<Tensor> expanded;
    expanded.reserve(tensors.size());
    for (const auto& t : tensors) expanded.push_back(t.unsqueeze(d));
    return cat(expanded, d);
  });
  bool needs_grad = false;
  for (const auto& t : tensors) needs_grad = needs_grad || autograd::needs_grad({t});
  if (!needs_grad) return out;
  autograd::record("StackBackward0", out, tensors, [count = tensors.size(), d](const Tensor& g) {
    std::vector<Tensor> grads;
    for (std::size_t i = 0; i < count; ++i)
      grads.push_back(g.select(d, static_cast<std::int64_t>(i)));
    return grads;
  });
  return out;
}

// --- whole-tensor comparison ---------------------------------------------------------------

bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  if (!a.defined() || !b.defined())
    throw ValueError("allclose: an argument is an undefined tensor");
  const Shape shape = broadcast_shapes(a.sizes(), b.sizes(), "allclose");
  const std::vector<double> x = a.expand(shape).to_vector<double>();
  const std::vector<double> y = b.expand(shape).to_vector<double>();
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i]) || std::isnan(y[i])) {
      if (equal_nan && std::isnan(x[i]) && std::isnan(y[i])) continue;
      return false;
    }
    if (x[i] == y[i]) continue;  // also equal infinities
    if (std::isinf(x[i]) || std::isinf(y[i])) return false;
    if (std::fabs(x[i] - y[i]) > atol + rtol * std::fabs(y[i])) return false;
  }
  return true;
}

bool equal(const Tensor& a, const Tensor& b) {
  if (!a.defined() || !b.defined()) throw ValueError("equal: an argument is an undefined tensor");
  if (a.sizes() != b.sizes()) return false;
  if (a.dtype() == Dtype::Int64 || b.dtype() == Dtype::Int64) {
    return a.to_vector<std::int64_t>() == b.to_vector<std::int64_t>() &&
           a.to_vector<double>() == b.to_vector<double>();
  }
  const std::vector<double> x = a.to_vector<double>(), y = b.to_vector<double>();
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!(x[i] == y[i])) return false;
  }
  return true;
}

}  // namespace activ
