// activ::Tensor: an N-d strided view (up to 8 dims) of a shared, reference-counted storage
// of float32, float64, int64 or bool elements, with torch's semantics for views,
// broadcasting, type promotion and printing.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "activ/dtype.h"
#include "activ/error.h"
#include "activ/scalar.h"

namespace activ {

using Shape = std::vector<std::int64_t>;

inline constexpr std::int64_t kMaxDims = 8;

// Reference-counted bytes shared by a tensor and all its views: 64-byte aligned memory of
// activ's allocator, or memory of another owner (from_blob, from_dlpack in activ/dlpack.h),
// aligned to its elements only, which that owner's deleter gives back.
class Storage {
 public:
  explicit Storage(std::size_t nbytes);
  // Views nbytes at data without copying; deleter (when set) runs once, when the storage dies.
  Storage(std::byte* data, std::size_t nbytes, std::function<void()> deleter);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  std::byte* data() const { return data_; }
  std::size_t nbytes() const { return nbytes_; }

  // Counts in-place writes, so autograd can tell that a tensor saved for backward changed.
  std::uint64_t version() const { return version_.load(std::memory_order_relaxed); }
  void bump_version() { version_.fetch_add(1, std::memory_order_relaxed); }

 private:
  std::byte* data_ = nullptr;
  std::size_t nbytes_ = 0;
  std::atomic<std::uint64_t> version_{0};
  std::function<void()> external_deleter_;
  bool external_ = false;
};

class Tensor;

namespace autograd {
struct AutogradMeta;
class Node;
}  // namespace autograd

namespace detail {
// What a Tensor handle points to; copies of a Tensor share it, as torch's handles share a
// TensorImpl, so autograd state (requires_grad, grad, grad_fn) is the same through every copy.
struct TensorImpl {
  std::shared_ptr<Storage> storage;
  std::int64_t offset = 0;  // in elements
  Shape sizes;
  Shape strides;  // in elements
  Dtype dtype = Dtype::Float32;
  std::shared_ptr<autograd::AutogradMeta> autograd;  // null until the tensor takes part in autograd
  // Views (made by a view op, sharing another tensor's elements): the tensor that owns the
  // elements, and the storage version up to which this view's grad_fn accounts for in-place
  // writes to them. Null for tensors that are not views.
  std::shared_ptr<TensorImpl> view_base;
  std::uint64_t view_version = 0;
};
}  // namespace detail

// A nested initializer list of numbers, for activ::tensor({{1, 2}, {3, 4}}).
class NestedList {
 public:
  template <class T>
    requires std::is_arithmetic_v<T>
  NestedList(T value) : scalar_(value), is_leaf_(true) {}
  NestedList(std::initializer_list<NestedList> items) : items_(items) {}

  bool is_leaf() const { return is_leaf_; }
  const Scalar& scalar() const { return scalar_; }
  const std::vector<NestedList>& items() const { return items_; }

 private:
  Scalar scalar_;
  std::vector<NestedList> items_;
  bool is_leaf_ = false;
};

struct MaxResult;  // values and indices of max/min along a dim

class Tensor {
 public:
  Tensor() = default;  // an undefined tensor: defined() is false
  // A view of storage; raises (as torch's as_strided) unless every element it can reach lies
  // inside the storage: a non-null storage, an offset and strides >= 0, sizes >= 0.
  Tensor(std::shared_ptr<Storage> storage, std::int64_t storage_offset, Shape sizes, Shape strides,
         Dtype dtype);

  bool defined() const { return impl_ != nullptr; }

  // --- metadata ---------------------------------------------------------------------------
  Dtype dtype() const { return impl().dtype; }
  std::int64_t dim() const;  // raises ValueError on an undefined tensor, as numel() does
  const Shape& sizes() const { return impl().sizes; }
  const Shape& shape() const { return impl().sizes; }
  const Shape& strides() const { return impl().strides; }
  std::int64_t size(std::int64_t dim) const;
  std::int64_t stride(std::int64_t dim) const;
  std::int64_t numel() const;
  std::int64_t storage_offset() const { return impl().offset; }
  bool is_contiguous() const;
  bool is_floating_point() const { return activ::is_floating_point(impl().dtype); }
  const std::shared_ptr<Storage>& storage() const { return impl().storage; }
  // True when both tensors view the same storage.
  bool is_alias_of(const Tensor& other) const { return defined() && storage() == other.storage(); }
  // True for a tensor made by a view op (torch's _is_view()).
  bool is_view() const { return impl().view_base != nullptr; }
  // The tensor whose elements this view shares (torch's _base); undefined when not a view.
  Tensor base() const;
  // True when both are handles to the same tensor (copies of one another).
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }
  // The shared state behind this handle, for the autograd layer.
  const std::shared_ptr<detail::TensorImpl>& impl_ptr() const { return impl_; }

  // --- data access ------------------------------------------------------------------------
  // Pointer to the first element; T must match dtype().
  template <class T>
  T* data_ptr() const;
  // The value of a one-element tensor.
  template <class T>
  T item() const;
  Scalar item() const;
  // Checked access to one element; index has one entry per dim, negative counts from the end.
  template <class T>
  T& at(const Shape& index) const;
  // The elements in row-major order, converted to T.
  template <class T>
  std::vector<T> to_vector() const;

  // --- views (share storage) --------------------------------------------------------------
  Tensor view(const Shape& shape) const;
  Tensor reshape(const Shape& shape) const;
  Tensor flatten(std::int64_t start_dim = 0, std::int64_t end_dim = -1) const;
  Tensor unsqueeze(std::int64_t dim) const;
  Tensor squeeze() const;
  Tensor squeeze(std::int64_t dim) const;
  Tensor transpose(std::int64_t dim0, std::int64_t dim1) const;
  Tensor t() const;
  Tensor permute(const Shape& dims) const;
  Tensor select(std::int64_t dim, std::int64_t index) const;
  Tensor operator[](std::int64_t index) const { return select(0, index); }
  Tensor narrow(std::int64_t dim, std::int64_t start, std::int64_t length) const;
  // Python's x[start:end:step] along dim; start/end are clamped as Python clamps them.
  Tensor slice(std::int64_t dim, std::optional<std::int64_t> start = {},
               std::optional<std::int64_t> end = {}, std::int64_t step = 1) const;
  std::vector<Tensor> chunk(std::int64_t chunks, std::int64_t dim = 0) const;
  std::vector<Tensor> split(std::int64_t split_size, std::int64_t dim = 0) const;
  std::vector<Tensor> split(const Shape& split_sizes, std::int64_t dim = 0) const;
  Tensor expand(const Shape& shape) const;
  Tensor expand_as(const Tensor& other) const { return expand(other.sizes()); }

  // --- copies -----------------------------------------------------------------------------
  Tensor contiguous() const;
  Tensor clone() const;
  Tensor to(Dtype dtype) const;
  // Copies src (broadcast to this shape, converted to this dtype) into this tensor.
  Tensor& copy_(const Tensor& src);
  Tensor& fill_(Scalar value);
  Tensor& zero_();

  // --- arithmetic (also as free functions below) ------------------------------------------
  Tensor neg() const;
  Tensor abs() const;
  Tensor exp() const;
  Tensor erf() const;
  Tensor log() const;
  Tensor sqrt() const;
  Tensor pow(const Tensor& exponent) const;
  Tensor pow(Scalar exponent) const;
  Tensor clamp(std::optional<Scalar> min, std::optional<Scalar> max) const;
  Tensor& add_(const Tensor& other, Scalar alpha = 1);
  Tensor& sub_(const Tensor& other, Scalar alpha = 1);
  Tensor& mul_(const Tensor& other);
  Tensor& div_(const Tensor& other);
  Tensor& add_(Scalar other);
  Tensor& mul_(Scalar other);
  Tensor& clamp_(std::optional<Scalar> min, std::optional<Scalar> max);

  // --- reductions -------------------------------------------------------------------------
  Tensor sum() const;
  Tensor sum(const Shape& dims, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(const Shape& dims, bool keepdim = false) const;
  Tensor max() const;
  MaxResult max(std::int64_t dim, bool keepdim = false) const;
  Tensor min() const;
  MaxResult min(std::int64_t dim, bool keepdim = false) const;
  Tensor argmax(std::optional<std::int64_t> dim = {}, bool keepdim = false) const;
  Tensor argmin(std::optional<std::int64_t> dim = {}, bool keepdim = false) const;
  Tensor logsumexp(const Shape& dims, bool keepdim = false) const;

  Tensor matmul(const Tensor& other) const;

  // --- autograd (activ/autograd.h) --------------------------------------------------------
  bool requires_grad() const;
  // Leaves only; floating-point tensors only.
  Tensor& requires_grad_(bool requires_grad = true);
  // The accumulated gradient (undefined until a backward pass reaches this tensor).
  Tensor grad() const;
  void set_grad(const Tensor& grad) const;
  // The node that produced this tensor; null for leaves.
  std::shared_ptr<autograd::Node> grad_fn() const;
  bool is_leaf() const;
  // The same data, cut from the graph.
  Tensor detach() const;
  // Makes this tensor (every copy of its handle) view source's data, shape and dtype, keeping
  // its autograd identity; a gradient of another shape or dtype is dropped (torch's .data =).
  void set_data(const Tensor& source) const;
  // Keeps the gradient of a non-leaf tensor in grad() after backward.
  const Tensor& retain_grad() const;
  bool retains_grad() const;
  // Computes the gradient of this tensor with respect to the graph leaves; gradient defaults
  // to 1 for a one-element tensor. retain_graph defaults to create_graph.
  void backward(const Tensor& gradient = {}, std::optional<bool> retain_graph = {},
                bool create_graph = false) const;

  // torch's repr: tensor([0.3439, 0.6682]), with dtype suffix where torch prints one.
  std::string repr() const;

 private:
  explicit Tensor(std::shared_ptr<detail::TensorImpl> impl) : impl_(std::move(impl)) {}
  const detail::TensorImpl& impl() const;

  std::shared_ptr<detail::TensorImpl> impl_;
};

struct MaxResult {
  Tensor values;
  Tensor indices;  // int64
};

std::ostream& operator<<(std::ostream& out, const Tensor& tensor);

// --- factories -----------------------------------------------------------------------------
Tensor empty(const Shape& shape, Dtype dtype = float32);
Tensor zeros(const Shape& shape, Dtype dtype = float32);
Tensor ones(const Shape& shape, Dtype dtype = float32);
// dtype defaults as torch.full: bool for a bool, int64 for an integer, else float32.
Tensor full(const Shape& shape, Scalar value, std::optional<Dtype> dtype = {});
Tensor empty_like(const Tensor& like, std::optional<Dtype> dtype = {});
Tensor zeros_like(const Tensor& like, std::optional<Dtype> dtype = {});
Tensor ones_like(const Tensor& like, std::optional<Dtype> dtype = {});
Tensor full_like(const Tensor& like, Scalar value, std::optional<Dtype> dtype = {});
Tensor rand_like(const Tensor& like, std::optional<Dtype> dtype = {});
Tensor randn_like(const Tensor& like, std::optional<Dtype> dtype = {});
// int64 when start, end and step are all integers, else float32 (as torch.arange).
Tensor arange(Scalar end, std::optional<Dtype> dtype = {});
Tensor arange(Scalar start, Scalar end, Scalar step = 1, std::optional<Dtype> dtype = {});
Tensor linspace(double start, double end, std::int64_t steps, Dtype dtype = float32);
// Uniform on [0, 1) and standard normal, from the generator seeded by manual_seed.
Tensor rand(const Shape& shape, Dtype dtype = float32);
Tensor randn(const Shape& shape, Dtype dtype = float32);
// Integers uniform on [low, high).
Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape, Dtype dtype = int64);
void manual_seed(std::uint64_t seed);

// From nested braces; dtype inferred as torch.tensor does (bool, int64, else float32).
Tensor tensor(const NestedList& values, std::optional<Dtype> dtype = {});
// From a flat vector in row-major order.
template <class T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape);

// --- joining -------------------------------------------------------------------------------
Tensor cat(const std::vector<Tensor>& tensors, std::int64_t dim = 0);
Tensor stack(const std::vector<Tensor>& tensors, std::int64_t dim = 0);

// --- elementwise, broadcasting --------------------------------------------------------------
Tensor add(const Tensor& a, const Tensor& b, Scalar alpha = 1);
Tensor sub(const Tensor& a, const Tensor& b, Scalar alpha = 1);
Tensor mul(const Tensor& a, const Tensor& b);
// True division: integer inputs give float32.
Tensor div(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& base, const Tensor& exponent);
Tensor pow(const Tensor& base, Scalar exponent);
Tensor pow(Scalar base, const Tensor& exponent);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor neg(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor erf(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor logical_not(const Tensor& x);
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);
Tensor clamp(const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max);
Tensor clamp_min(const Tensor& x, Scalar min);
Tensor clamp_max(const Tensor& x, Scalar max);

// A 0-d tensor holding value, typed as torch wraps a Python number next to a tensor: it takes
// part in broadcasting but not in deciding the dtype unless it is a higher category.
Tensor scalar_tensor(Scalar value, Dtype dtype);

// Tensor-scalar forms: the scalar adopts the tensor's dtype within its category.
Tensor add(const Tensor& a, Scalar b);
Tensor sub(const Tensor& a, Scalar b);
Tensor mul(const Tensor& a, Scalar b);
Tensor div(const Tensor& a, Scalar b);
Tensor eq(const Tensor& a, Scalar b);
Tensor ne(const Tensor& a, Scalar b);
Tensor lt(const Tensor& a, Scalar b);
Tensor le(const Tensor& a, Scalar b);
Tensor gt(const Tensor& a, Scalar b);
Tensor ge(const Tensor& a, Scalar b);
Tensor where(const Tensor& condition, const Tensor& a, Scalar b);
Tensor where(const Tensor& condition, Scalar a, const Tensor& b);

inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator-(const Tensor& a) { return neg(a); }
inline Tensor operator+(const Tensor& a, Scalar b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, Scalar b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, Scalar b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, Scalar b) { return div(a, b); }
Tensor operator+(Scalar a, const Tensor& b);
Tensor operator-(Scalar a, const Tensor& b);
Tensor operator*(Scalar a, const Tensor& b);
Tensor operator/(Scalar a, const Tensor& b);
inline Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
inline Tensor operator!=(const Tensor& a, const Tensor& b) { return ne(a, b); }
inline Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
inline Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
inline Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
inline Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
inline Tensor operator==(const Tensor& a, Scalar b) { return eq(a, b); }
inline Tensor operator!=(const Tensor& a, Scalar b) { return ne(a, b); }
inline Tensor operator<(const Tensor& a, Scalar b) { return lt(a, b); }
inline Tensor operator<=(const Tensor& a, Scalar b) { return le(a, b); }
inline Tensor operator>(const Tensor& a, Scalar b) { return gt(a, b); }
inline Tensor operator>=(const Tensor& a, Scalar b) { return ge(a, b); }
inline Tensor& operator+=(Tensor& a, const Tensor& b) { return a.add_(b); }
inline Tensor& operator-=(Tensor& a, const Tensor& b) { return a.sub_(b); }
inline Tensor& operator*=(Tensor& a, const Tensor& b) { return a.mul_(b); }
inline Tensor& operator/=(Tensor& a, const Tensor& b) { return a.div_(b); }

// --- reductions ----------------------------------------------------------------------------
// An empty dims list reduces over every dim, as torch.sum(x, dim=[]) does.
Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, const Shape& dims, bool keepdim = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, const Shape& dims, bool keepdim = false);
Tensor max(const Tensor& x);
MaxResult max(const Tensor& x, std::int64_t dim, bool keepdim = false);
Tensor min(const Tensor& x);
MaxResult min(const Tensor& x, std::int64_t dim, bool keepdim = false);
Tensor argmax(const Tensor& x, std::optional<std::int64_t> dim = {}, bool keepdim = false);
Tensor argmin(const Tensor& x, std::optional<std::int64_t> dim = {}, bool keepdim = false);
Tensor logsumexp(const Tensor& x, const Shape& dims, bool keepdim = false);

// --- linear algebra (OpenBLAS) --------------------------------------------------------------
// torch.matmul: dot, matrix-vector, matrix-matrix and broadcast batched products.
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor mm(const Tensor& a, const Tensor& b);
Tensor bmm(const Tensor& a, const Tensor& b);
// The OpenBLAS kernels the products run on ("SkylakeX", "Haswell", "Zen", ...); "unknown" when
// the BLAS is not OpenBLAS. OPENBLAS_CORETYPE, when set, chooses them.
std::string blas_kernels();

// --- comparison ----------------------------------------------------------------------------
// |a - b| <= atol + rtol * |b| elementwise, after broadcasting; NaNs equal when equal_nan.
bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8,
              bool equal_nan = false);
// Same shape and same values (NaN is never equal, as torch.equal).
bool equal(const Tensor& a, const Tensor& b);

// --- printing ------------------------------------------------------------------------------
// torch.set_printoptions; a missing field keeps its current value, except sci_mode, which
// goes back to automatic as it does in torch.
struct PrintOptions {
  std::optional<int> precision;       // default 4
  std::optional<std::int64_t> threshold;  // default 1000
  std::optional<int> edgeitems;       // default 3
  std::optional<int> linewidth;       // default 80
  std::optional<bool> sci_mode;       // default: chosen per tensor, as torch does
};
void set_printoptions(const PrintOptions& options);
// Back to torch's defaults.
void reset_printoptions();

namespace detail {
// Makes view (just created by a view op from source) a view of source's base tensor.
void mark_as_view_of(const Tensor& view, const Tensor& source);
}  // namespace detail

// --- shape helpers shared by the API -------------------------------------------------------
// "[2, 3]", as torch prints shapes in messages.
std::string shape_str(const Shape& shape);
// Python's str(tuple(shape)): "(2, 3)", "(0,)", "()"; torch's size=... and .npy headers use it.
std::string python_tuple(const Shape& shape);
// dim wrapped into [0, ndim); raises IndexError naming op when outside [-ndim, ndim).
std::int64_t wrap_dim(std::int64_t dim, std::int64_t ndim, const char* op);
// The broadcast shape of a and b; raises ShapeError naming op when they do not broadcast.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);
// True when a tensor of shape `from` broadcasts to `to` without enlarging it.
bool broadcasts_to(const Shape& from, const Shape& to);

}  // namespace activ
