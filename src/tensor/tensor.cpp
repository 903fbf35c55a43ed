// Storage, tensor metadata, element access and the views that share storage.
#include "activ/tensor.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <sstream>

#include "activ/autograd.h"
#include "tensor/allocator.h"
#include "tensor/loops.h"
#include "tensor/overlap.h"

namespace activ {

// --- storage -------------------------------------------------------------------------------

// A valid, unique pointer even for empty tensors.
Storage::Storage(std::size_t nbytes)
    : data_(static_cast<std::byte*>(detail::allocate_buffer(std::max<std::size_t>(nbytes, 1)))),
      nbytes_(nbytes) {
  if (data_ == nullptr) {
    throw OutOfMemoryError("allocation of " + std::to_string(nbytes) +
                           " bytes failed: not enough memory");
  }
}

Storage::Storage(std::byte* data, std::size_t nbytes, std::function<void()> deleter)
    : data_(data), nbytes_(nbytes), external_deleter_(std::move(deleter)), external_(true) {}

Storage::~Storage() {
  if (!external_) {
    detail::free_buffer(data_, std::max<std::size_t>(nbytes_, 1));
  } else if (external_deleter_) {
    external_deleter_();
  }
}

// --- shape helpers -------------------------------------------------------------------------

std::string shape_str(const Shape& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

std::string python_tuple(const Shape& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

std::int64_t wrap_dim(std::int64_t dim, std::int64_t ndim, const char* op) {
  const std::int64_t n = std::max<std::int64_t>(ndim, 1);  // a 0-d tensor accepts dim 0 and -1
  if (dim < -n || dim >= n) {
    throw IndexError(std::string(op) + ": dim " + std::to_string(dim) +
                     " is out of range for a tensor of " + std::to_string(ndim) +
                     " dims (expected to be in range of [" + std::to_string(-n) + ", " +
                     std::to_string(n - 1) + "])");
  }
  return dim < 0 ? dim + n : dim;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const std::size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t sa = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const std::int64_t sb = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (sa != sb && sa != 1 && sb != 1) {
      throw ShapeError(std::string(op) + ": shapes " + shape_str(a) + " and " + shape_str(b) +
                       " cannot be broadcast");
    }
    out[i] = sa == 1 ? sb : sa;
  }
  return out;
}

bool broadcasts_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  const std::size_t skipped = to.size() - from.size();
  for (std::size_t i = 0; i < from.size(); ++i) {
    if (from[i] != 1 && from[i] != to[skipped + i]) return false;
  }
  return true;
}

namespace {

// Element count of shape; raises ShapeError for negative sizes, too many dims or overflow.
std::int64_t checked_numel(const Shape& shape, const char* op) {
  if (static_cast<std::int64_t>(shape.size()) > kMaxDims) {
    throw ShapeError(std::string(op) + ": a tensor has at most " + std::to_string(kMaxDims) +
                     " dims, got " + std::to_string(shape.size()));
  }
  std::int64_t n = 1;
  for (auto s : shape) {
    if (s < 0) {
      throw ShapeError(std::string(op) + ": negative dimension " + std::to_string(s) +
                       " in shape " + shape_str(shape));
    }
    if (s != 0 && n > std::numeric_limits<std::int64_t>::max() / s) {
      throw ShapeError(std::string(op) + ": shape " + shape_str(shape) +
                       " has more elements than can be addressed");
    }
    n *= s;
  }
  return n;
}

Shape contiguous_strides(const Shape& shape) {
  Shape strides(shape.size());
  std::int64_t stride = 1;
  for (std::int64_t d = static_cast<std::int64_t>(shape.size()) - 1; d >= 0; --d) {
    strides[d] = stride;
    // Only an empty tensor (a dim of 0 elsewhere) can get here with a product past int64; its
    // strides address nothing, so they saturate instead of overflowing.
    if (__builtin_mul_overflow(stride, std::max<std::int64_t>(shape[d], 1), &stride))
      stride = std::numeric_limits<std::int64_t>::max();
  }
  return strides;
}

// The strides that let a tensor of (sizes, strides) be viewed as new_shape without a copy,
// or nothing when the memory layout does not allow it (torch's computeStride).
std::optional<Shape> view_strides(const Shape& sizes, const Shape& strides, const Shape& new_shape,
                                  std::int64_t numel) {
  Shape new_strides(new_shape.size());
  if (sizes.empty()) return Shape(new_shape.size(), 1);
  if (numel == 0) return contiguous_strides(new_shape);
  std::int64_t view_d = static_cast<std::int64_t>(new_shape.size()) - 1;
  std::int64_t chunk_base_stride = strides.back();
  std::int64_t tensor_numel = 1;
  std::int64_t view_numel = 1;
  for (std::int64_t d = static_cast<std::int64_t>(sizes.size()) - 1; d >= 0; --d) {
    tensor_numel *= sizes[d];
    if (d == 0 || (sizes[d - 1] != 1 && strides[d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || new_shape[view_d] == 1)) {
        new_strides[view_d] = view_numel * chunk_base_stride;
        view_numel *= new_shape[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (d > 0) {
        chunk_base_stride = strides[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return new_strides;
}

// Resolves one -1 in shape against numel, as torch's infer_size.
Shape infer_shape(const Shape& shape, std::int64_t numel, const char* op) {
  Shape out = shape;
  std::int64_t product = 1;
  std::optional<std::size_t> infer;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (infer) throw ShapeError(std::string(op) + ": only one dimension can be inferred");
      infer = i;
    } else if (shape[i] < 0) {
      throw ShapeError(std::string(op) + ": invalid shape dimension " + std::to_string(shape[i]));
    } else {
      if (shape[i] != 0 && product > std::numeric_limits<std::int64_t>::max() / shape[i]) {
        throw ShapeError(std::string(op) + ": shape " + shape_str(shape) +
                         " is invalid for input of size " + std::to_string(numel));
      }
      product *= shape[i];
    }
  }
  if (infer) {
    if (product == 0 || numel % product != 0) {
      throw ShapeError(std::string(op) + ": shape " + shape_str(shape) +
                       " is invalid for input of size " + std::to_string(numel));
    }
    out[*infer] = numel / product;
  } else if (product != numel) {
    throw ShapeError(std::string(op) + ": shape " + shape_str(shape) +
                     " is invalid for input of size " + std::to_string(numel));
  }
  checked_numel(out, op);
  return out;
}

}  // namespace

// --- tensor --------------------------------------------------------------------------------

namespace {

// The checks of torch's as_strided: a view may only reach elements inside its storage.
void check_view(const Storage* storage, std::int64_t offset, const Shape& sizes,
                const Shape& strides, Dtype dtype) {
  const std::string view = "Tensor: a view of sizes " + shape_str(sizes) + ", strides " +
                           shape_str(strides) + " and storage_offset " + std::to_string(offset);
  if (storage == nullptr) throw ValueError(view + ": expected a storage, got null");
  if (sizes.size() != strides.size()) {
    throw ShapeError(view + ": expected as many strides as sizes, got " +
                     std::to_string(strides.size()) + " and " + std::to_string(sizes.size()));
  }
  const std::int64_t numel = checked_numel(sizes, "Tensor");
  if (offset < 0) throw ValueError(view + ": expected a non-negative storage_offset");
  if (numel == 0) return;  // reaches no element
  // The first and last elements' indices (negative strides, as DLPack and NumPy views have, reach
  // below the offset), then the bytes up to the last one's end, without overflow; also the bytes
  // the loops step over along each dim (size * stride, one step past the last element).
  const auto item = static_cast<std::int64_t>(itemsize(dtype));
  std::int64_t first = offset, last = offset;
  bool overflow = false;
  for (std::size_t d = 0; d < sizes.size(); ++d) {
    std::int64_t reach = 0, steps = 0;
    overflow = overflow || __builtin_mul_overflow(sizes[d] - 1, strides[d], &reach) ||
               __builtin_add_overflow(reach < 0 ? first : last, reach, reach < 0 ? &first : &last) ||
               __builtin_mul_overflow(sizes[d], strides[d], &steps) ||
               __builtin_mul_overflow(steps, item, &steps);
  }
  if (!overflow && first < 0) {
    throw IndexError(view + ": its element " + std::to_string(first) +
                     " lies before the start of the storage");
  }
  std::int64_t needed = 0;
  overflow = overflow || __builtin_add_overflow(last, 1, &needed) ||
             __builtin_mul_overflow(needed, item, &needed);
  if (overflow || static_cast<std::uint64_t>(needed) > storage->nbytes()) {
    throw IndexError(view + " of " + std::string(activ::name(dtype)) + " needs " +
                     (overflow ? std::string("more bytes than can be addressed")
                               : std::to_string(needed) + " bytes") +
                     ", out of bounds for a storage of " + std::to_string(storage->nbytes()) +
                     " bytes");
  }
}

}  // namespace

Tensor::Tensor(std::shared_ptr<Storage> storage, std::int64_t storage_offset, Shape sizes,
               Shape strides, Dtype dtype) {
  check_view(storage.get(), storage_offset, sizes, strides, dtype);
  impl_ = std::make_shared<detail::TensorImpl>(detail::TensorImpl{
      std::move(storage), storage_offset, std::move(sizes), std::move(strides), dtype, {}, {}, 0});
}

const detail::TensorImpl& Tensor::impl() const {
  static const detail::TensorImpl undefined;
  return impl_ ? *impl_ : undefined;
}

Tensor empty(const Shape& shape, Dtype dtype) {
  const std::int64_t n = checked_numel(shape, "empty");
  if (n > std::numeric_limits<std::int64_t>::max() / 8) {
    throw OutOfMemoryError("empty: shape " + shape_str(shape) +
                           " needs more bytes than can be addressed");
  }
  std::shared_ptr<Storage> storage;
  try {
    storage = std::make_shared<Storage>(static_cast<std::size_t>(n) * itemsize(dtype));
  } catch (const OutOfMemoryError& error) {
    throw OutOfMemoryError("empty: shape " + shape_str(shape) + " of " +
                           std::string(activ::name(dtype)) + ": " + error.what());
  }
  return Tensor(std::move(storage), 0, shape, contiguous_strides(shape), dtype);
}

std::int64_t Tensor::size(std::int64_t d) const {
  return this->sizes()[wrap_dim(d, dim(), "size")];
}
std::int64_t Tensor::stride(std::int64_t d) const {
  return this->strides()[wrap_dim(d, dim(), "stride")];
}

std::int64_t Tensor::dim() const {
  if (!defined()) throw ValueError("dim: the tensor is undefined");
  return static_cast<std::int64_t>(impl().sizes.size());
}

std::int64_t Tensor::numel() const {
  if (!defined()) throw ValueError("numel: the tensor is undefined");
  // A dim of 0 makes any other size possible, even ones whose product overflows.
  const Shape& sizes = this->sizes();
  if (std::find(sizes.begin(), sizes.end(), 0) != sizes.end()) return 0;
  std::int64_t n = 1;
  for (auto s : sizes) n *= s;
  return n;
}

bool Tensor::is_contiguous() const {
  if (numel() == 0) return true;
  std::int64_t expected = 1;
  for (std::int64_t d = dim() - 1; d >= 0; --d) {
    if (this->sizes()[d] != 1 && this->strides()[d] != expected) return false;
    expected *= this->sizes()[d];
  }
  return true;
}

namespace {
void check_defined(const Tensor& t, const char* op) {
  if (!t.defined()) throw ValueError(std::string(op) + ": the tensor is undefined");
}

template <class T>
void check_dtype(const Tensor& t, const char* op) {
  if (t.dtype() != dtype_of<T>()) {
    throw TypeError(std::string(op) + ": expected a tensor of dtype " +
                    std::string(name(dtype_of<T>())) + ", got " + std::string(name(t.dtype())));
  }
}
}  // namespace

template <class T>
T* Tensor::data_ptr() const {
  check_defined(*this, "data_ptr");
  check_dtype<T>(*this, "data_ptr");
  return reinterpret_cast<T*>(this->storage()->data()) + this->storage_offset();
}

template <class T>
T Tensor::item() const {
  check_defined(*this, "item");
  if (numel() != 1) {
    throw ValueError("item: a Tensor with " + std::to_string(numel()) +
                     " elements cannot be converted to Scalar");
  }
  return visit_dtype(this->dtype(), [&]<class U>() {
    const U value = reinterpret_cast<const U*>(this->storage()->data())[this->storage_offset()];
    return static_cast<T>(value);
  });
}

Scalar Tensor::item() const {
  return visit_dtype(this->dtype(), [&]<class U>() { return Scalar(item<U>()); });
}

template <class T>
T& Tensor::at(const Shape& index) const {
  check_defined(*this, "at");
  check_dtype<T>(*this, "at");
  if (static_cast<std::int64_t>(index.size()) != dim()) {
    throw IndexError("at: expected an index of " + std::to_string(dim()) + " entries, got " +
                     std::to_string(index.size()));
  }
  std::int64_t offset = this->storage_offset();
  for (std::int64_t d = 0; d < dim(); ++d) {
    std::int64_t i = index[d];
    if (i < -this->sizes()[d] || i >= this->sizes()[d]) {
      throw IndexError("at: index " + std::to_string(i) + " is out of bounds for dim " +
                       std::to_string(d) + " with size " + std::to_string(this->sizes()[d]));
    }
    if (i < 0) i += this->sizes()[d];
    offset += i * this->strides()[d];
  }
  return reinterpret_cast<T*>(this->storage()->data())[offset];
}

template <class T>
std::vector<T> Tensor::to_vector() const {
  check_defined(*this, "to_vector");
  Tensor dense = to(dtype_of<T>()).contiguous();
  const T* p = dense.data_ptr<T>();
  return std::vector<T>(p, p + dense.numel());
}

#define ACTIV_INSTANTIATE_ACCESS(T)              \
  template T* Tensor::data_ptr<T>() const;       \
  template T Tensor::item<T>() const;            \
  template T& Tensor::at<T>(const Shape&) const; \
  template std::vector<T> Tensor::to_vector<T>() const;
ACTIV_INSTANTIATE_ACCESS(float)
ACTIV_INSTANTIATE_ACCESS(double)
ACTIV_INSTANTIATE_ACCESS(std::int64_t)
ACTIV_INSTANTIATE_ACCESS(bool)
#undef ACTIV_INSTANTIATE_ACCESS

// --- views ---------------------------------------------------------------------------------

Tensor Tensor::base() const {
  check_defined(*this, "base");
  return impl().view_base ? Tensor(impl().view_base) : Tensor();
}

void detail::mark_as_view_of(const Tensor& view, const Tensor& source) {
  detail::TensorImpl& impl = *view.impl_ptr();
  const std::shared_ptr<detail::TensorImpl>& owner = source.impl_ptr();
  impl.view_base = owner->view_base ? owner->view_base : owner;
  impl.view_version = view.storage()->version();
}

namespace {
// A tensor sharing source's elements. It remembers the tensor that owns them, so that autograd
// can carry an in-place write into the view over to that tensor's history.
Tensor view_tensor(const Tensor& source, std::int64_t offset, Shape sizes, Shape strides) {
  Tensor view(source.storage(), offset, std::move(sizes), std::move(strides), source.dtype());
  detail::mark_as_view_of(view, source);
  return view;
}

// The gradient of a view that selects part of a tensor: g placed into zeros of the original
// shape. It is linear, so its own gradient is the same view of the incoming gradient.
template <class ViewFn>
Tensor embed_gradient(const Tensor& g, const Shape& original, ViewFn view_fn) {
  return autograd::differentiable(
      "EmbedBackward0", {g},
      [&] {
        Tensor base = zeros(original, g.dtype());
        view_fn(base).copy_(g);
        return base;
      },
      [view_fn](const Tensor& gg) -> std::vector<Tensor> { return {view_fn(gg)}; });
}
}  // namespace

Tensor Tensor::view(const Shape& shape) const {
  return autograd::differentiable(
      "ViewBackward0", {*this},
      [&]() -> Tensor {
        check_defined(*this, "view");
        const Shape new_shape = infer_shape(shape, numel(), "view");
        auto strides = view_strides(this->sizes(), this->strides(), new_shape, numel());
        if (!strides) {
          throw ShapeError("view: size " + shape_str(new_shape) +
                           " is not compatible with input tensor's size " +
                           shape_str(this->sizes()) + " and stride " + shape_str(this->strides()) +
                           " (at least one dimension spans across two contiguous subspaces); use "
                           "reshape instead");
        }
        return view_tensor(*this, this->storage_offset(), new_shape, *strides);
      },
      [original = this->sizes()](const Tensor& g) -> std::vector<Tensor> {
        return {g.reshape(original)};
      });
}

Tensor Tensor::reshape(const Shape& shape) const {
  check_defined(*this, "reshape");
  const Shape new_shape = infer_shape(shape, numel(), "reshape");
  auto strides = view_strides(this->sizes(), this->strides(), new_shape, numel());
  // torch's node names: a view when the strides allow one, else a copy viewed.
  return autograd::differentiable(
      strides ? "ReshapeAliasBackward0" : "UnsafeViewBackward0", {*this},
      [&] {
        if (strides) return view_tensor(*this, this->storage_offset(), new_shape, *strides);
        return contiguous().view(new_shape);
      },
      [original = this->sizes()](const Tensor& g) -> std::vector<Tensor> {
        return {g.reshape(original)};
      });
}

Tensor Tensor::flatten(std::int64_t start_dim, std::int64_t end_dim) const {
  check_defined(*this, "flatten");
  if (dim() == 0) return reshape({1});
  const std::int64_t start = wrap_dim(start_dim, dim(), "flatten");
  const std::int64_t end = wrap_dim(end_dim, dim(), "flatten");
  if (start > end) throw ValueError("flatten: start_dim cannot come after end_dim");
  Shape shape(this->sizes().begin(), this->sizes().begin() + start);
  std::int64_t n = 1;
  for (std::int64_t d = start; d <= end; ++d) n *= this->sizes()[d];
  shape.push_back(n);
  shape.insert(shape.end(), this->sizes().begin() + end + 1, this->sizes().end());
  return reshape(shape);
}

Tensor Tensor::unsqueeze(std::int64_t d) const {
  return autograd::differentiable(
      "UnsqueezeBackward0", {*this},
      [&]() -> Tensor {
        check_defined(*this, "unsqueeze");
        d = wrap_dim(d, dim() + 1, "unsqueeze");
        if (dim() + 1 > kMaxDims) throw ShapeError("unsqueeze: a tensor has at most 8 dims");
        Shape sizes = this->sizes(), strides = this->strides();
        const std::int64_t stride = d < dim() ? this->sizes()[d] * this->strides()[d] : 1;
        sizes.insert(sizes.begin() + d, 1);
        strides.insert(strides.begin() + d, stride);
        return view_tensor(*this, this->storage_offset(), sizes, strides);
      },
      [original = this->sizes()](const Tensor& g) -> std::vector<Tensor> {
        return {g.reshape(original)};
      });
}

Tensor Tensor::squeeze() const {
  return autograd::differentiable(
      "SqueezeBackward0", {*this},
      [&]() -> Tensor {
        check_defined(*this, "squeeze");
        Shape sizes, strides;
        for (std::int64_t d = 0; d < dim(); ++d) {
          if (this->sizes()[d] != 1) {
            sizes.push_back(this->sizes()[d]);
            strides.push_back(this->strides()[d]);
          }
        }
        return view_tensor(*this, this->storage_offset(), sizes, strides);
      },
      [original = this->sizes()](const Tensor& g) -> std::vector<Tensor> {
        return {g.reshape(original)};
      });
}

Tensor Tensor::squeeze(std::int64_t d) const {
  return autograd::differentiable(
      "SqueezeBackward1", {*this},
      [&]() -> Tensor {
        check_defined(*this, "squeeze");
        d = wrap_dim(d, dim(), "squeeze");
        if (dim() == 0 || this->sizes()[d] != 1) return *this;
        Shape sizes = this->sizes(), strides = this->strides();
        sizes.erase(sizes.begin() + d);
        strides.erase(strides.begin() + d);
        return view_tensor(*this, this->storage_offset(), sizes, strides);
      },
      [original = this->sizes()](const Tensor& g) -> std::vector<Tensor> {
        return {g.reshape(original)};
      });
}

Tensor Tensor::transpose(std::int64_t dim0, std::int64_t dim1) const {
  return autograd::differentiable(
      "TransposeBackward0", {*this},
      [&]() -> Tensor {
        check_defined(*this, "transpose");
        dim0 = wrap_dim(dim0, dim(), "transpose");
        dim1 = wrap_dim(dim1, dim(), "transpose");
        if (dim() == 0) return *this;
        Shape sizes = this->sizes(), strides = this->strides();
        std::swap(sizes[dim0], sizes[dim1]);
        std::swap(strides[dim0], strides[dim1]);
        return view_tensor(*this, this->storage_offset(), sizes, strides);
      },
      [dim0, dim1](const Tensor& g) -> std::vector<Tensor> { return {g.transpose(dim0, dim1)}; });
}

Tensor Tensor::t() const {
  if (dim() > 2) {
    throw ShapeError("t: expects a tensor with <= 2 dimensions, but self is " +
                     std::to_string(dim()) + "D");
  }
  if (dim() < 2) return *this;
  return autograd::differentiable(
      "TBackward0", {*this}, [&] { return transpose(0, 1); },
      [](const Tensor& g) -> std::vector<Tensor> { return {g.t()}; });
}

Tensor Tensor::permute(const Shape& dims) const {
  return autograd::differentiable(
      "PermuteBackward0", {*this},
      [&]() -> Tensor {
        check_defined(*this, "permute");
        if (static_cast<std::int64_t>(dims.size()) != dim()) {
          throw ShapeError("permute: number of dims don't match: the tensor has " +
                           std::to_string(dim()) + " dims, the permutation " + shape_str(dims) +
                           " has " + std::to_string(dims.size()));
        }
        Shape sizes(dim()), strides(dim());
        std::vector<bool> seen(dim(), false);
        for (std::int64_t i = 0; i < dim(); ++i) {
          const std::int64_t d = wrap_dim(dims[i], dim(), "permute");
          if (seen[d])
            throw ShapeError("permute: repeated dim " + std::to_string(dims[i]) + " in " +
                             shape_str(dims));
          seen[d] = true;
          sizes[i] = this->sizes()[d];
          strides[i] = this->strides()[d];
        }
        return view_tensor(*this, this->storage_offset(), sizes, strides);
      },
      [dims](const Tensor& g) -> std::vector<Tensor> {
        Shape inverse(dims.size());
        for (std::size_t i = 0; i < dims.size(); ++i)
          inverse[wrap_dim(dims[i], g.dim(), "permute")] = static_cast<std::int64_t>(i);
        return {g.permute(inverse)};
      });
}

Tensor Tensor::select(std::int64_t d, std::int64_t index) const {
  return autograd::differentiable(
      "SelectBackward0", {*this},
      [&]() -> Tensor {
        check_defined(*this, "select");
        if (dim() == 0) throw IndexError("select: cannot be applied to a 0-dim tensor");
        d = wrap_dim(d, dim(), "select");
        if (index < -this->sizes()[d] || index >= this->sizes()[d]) {
          throw IndexError("select: index " + std::to_string(index) +
                           " is out of bounds for dimension " + std::to_string(d) + " with size " +
                           std::to_string(this->sizes()[d]));
        }
        if (index < 0) index += this->sizes()[d];
        Shape sizes = this->sizes(), strides = this->strides();
        sizes.erase(sizes.begin() + d);
        strides.erase(strides.begin() + d);
        return view_tensor(*this, this->storage_offset() + index * this->strides()[d], sizes,
                           strides);
      },
      [original = this->sizes(), d, index](const Tensor& g) -> std::vector<Tensor> {
        return {embed_gradient(g, original,
                               [d, index](const Tensor& t) { return t.select(d, index); })};
      });
}

Tensor Tensor::narrow(std::int64_t d, std::int64_t start, std::int64_t length) const {
  return autograd::differentiable(
      "SliceBackward0", {*this},  // torch's narrow is a slice
      [&]() -> Tensor {
        check_defined(*this, "narrow");
        if (dim() == 0) throw IndexError("narrow: cannot be applied to a 0-dim tensor");
        d = wrap_dim(d, dim(), "narrow");
        const std::int64_t size = this->sizes()[d];
        if (start < -size || start > size) {
          throw IndexError("narrow: start " + std::to_string(start) +
                           " is out of range for dimension " + std::to_string(d) + " of size " +
                           std::to_string(size));
        }
        if (start < 0) start += size;
        if (length < 0 || start > size - length) {
          throw IndexError("narrow: start (" + std::to_string(start) + ") + length (" +
                           std::to_string(length) + ") exceeds dimension size (" +
                           std::to_string(size) + ")");
        }
        Shape sizes = this->sizes();
        sizes[d] = length;
        return view_tensor(*this, this->storage_offset() + start * this->strides()[d], sizes,
                           this->strides());
      },
      [original = this->sizes(), d, start, length](const Tensor& g) -> std::vector<Tensor> {
        return {embed_gradient(g, original, [d, start, length](const Tensor& t) {
          return t.narrow(d, start, length);
        })};
      });
}

Tensor Tensor::slice(std::int64_t d, std::optional<std::int64_t> start,
                     std::optional<std::int64_t> end, std::int64_t step) const {
  return autograd::differentiable(
      "SliceBackward0", {*this},
      [&]() -> Tensor {
        check_defined(*this, "slice");
        if (dim() == 0) throw IndexError("slice: cannot be applied to a 0-dim tensor");
        d = wrap_dim(d, dim(), "slice");
        if (step <= 0)
          throw ValueError("slice: step must be greater than zero, got " + std::to_string(step));
        const std::int64_t size = this->sizes()[d];
        auto clamp_index = [size](std::int64_t i) {
          if (i < 0) i += size;
          return std::clamp<std::int64_t>(i, 0, size);
        };
        const std::int64_t lo = start ? clamp_index(*start) : 0;
        const std::int64_t hi = std::max(lo, end ? clamp_index(*end) : size);
        Shape sizes = this->sizes(), strides = this->strides();
        sizes[d] = (hi - lo + step - 1) / step;
        strides[d] *= step;
        return view_tensor(*this, this->storage_offset() + lo * this->strides()[d], sizes, strides);
      },
      [original = this->sizes(), d, start, end, step](const Tensor& g) -> std::vector<Tensor> {
        return {embed_gradient(g, original,
                               [=](const Tensor& t) { return t.slice(d, start, end, step); })};
      });
}

std::vector<Tensor> Tensor::split(std::int64_t split_size, std::int64_t d) const {
  check_defined(*this, "split");
  if (dim() == 0) throw IndexError("split: cannot be applied to a 0-dim tensor");
  d = wrap_dim(d, dim(), "split");
  if (split_size < 0)
    throw ValueError("split: split_size must be non-negative, got " + std::to_string(split_size));
  const std::int64_t size = this->sizes()[d];
  if (split_size == 0 && size != 0) {
    throw ValueError(
        "split: split_size can only be 0 if dimension size is 0, but got dimension size of " +
        std::to_string(size));
  }
  std::vector<Tensor> parts;
  if (size == 0) {
    parts.push_back(*this);
    return parts;
  }
  for (std::int64_t start = 0; start < size; start += split_size) {
    parts.push_back(narrow(d, start, std::min(split_size, size - start)));
  }
  return parts;
}

std::vector<Tensor> Tensor::split(const Shape& split_sizes, std::int64_t d) const {
  check_defined(*this, "split");
  if (dim() == 0) throw IndexError("split: cannot be applied to a 0-dim tensor");
  d = wrap_dim(d, dim(), "split");
  std::int64_t total = 0;
  for (auto s : split_sizes) {
    if (s < 0)
      throw ValueError("split: split sizes must be non-negative, got " + shape_str(split_sizes));
    total += s;
  }
  if (total != this->sizes()[d]) {
    throw ValueError("split: split sizes " + shape_str(split_sizes) + " sum to " +
                     std::to_string(total) + ", expected the size of dim " + std::to_string(d) +
                     " (" + std::to_string(this->sizes()[d]) + ")");
  }
  std::vector<Tensor> parts;
  std::int64_t start = 0;
  for (auto s : split_sizes) {
    parts.push_back(narrow(d, start, s));
    start += s;
  }
  return parts;
}

std::vector<Tensor> Tensor::chunk(std::int64_t chunks, std::int64_t d) const {
  check_defined(*this, "chunk");
  if (dim() == 0) throw IndexError("chunk: cannot be applied to a 0-dim tensor");
  if (chunks <= 0)
    throw ValueError("chunk: chunks must be greater than 0, got " + std::to_string(chunks));
  d = wrap_dim(d, dim(), "chunk");
  const std::int64_t size = this->sizes()[d];
  const std::int64_t split_size = (size + chunks - 1) / chunks;
  if (split_size == 0 && size == 0) {
    // torch returns `chunks` empty tensors when the dim is empty.
    return split(Shape(chunks, 0), d);
  }
  return split(split_size, d);
}

Tensor Tensor::expand(const Shape& shape) const {
  return autograd::differentiable(
      "ExpandBackward0", {*this},
      [&]() -> Tensor {
        check_defined(*this, "expand");
        const std::int64_t n = static_cast<std::int64_t>(shape.size());
        if (n < dim()) {
          throw ShapeError(
              "expand: the number of sizes provided (" + std::to_string(n) +
              ") must be greater or equal to the number of dimensions in the tensor (" +
              std::to_string(dim()) + ")");
        }
        Shape sizes(n), strides(n);
        for (std::int64_t i = n - 1; i >= 0; --i) {
          const std::int64_t d = i - (n - dim());
          const std::int64_t target = shape[i];
          if (d < 0) {
            if (target < 0) {
              throw ShapeError(
                  "expand: the expanded size of the tensor (" + std::to_string(target) +
                  ") isn't allowed in a leading, non-existing dimension " + std::to_string(i));
            }
            sizes[i] = target;
            strides[i] = 0;
            continue;
          }
          const std::int64_t own = this->sizes()[d];
          if (target == -1 || target == own) {
            sizes[i] = own;
            strides[i] = this->strides()[d];
          } else if (own == 1 && target >= 0) {
            sizes[i] = target;
            strides[i] = 0;
          } else {
            throw ShapeError("expand: the expanded size of the tensor (" + std::to_string(target) +
                             ") must match the existing size (" + std::to_string(own) +
                             ") at non-singleton dimension " + std::to_string(i) +
                             ".  Target sizes: " + shape_str(shape) +
                             ".  Tensor sizes: " + shape_str(this->sizes()));
          }
        }
        checked_numel(sizes, "expand");
        return view_tensor(*this, this->storage_offset(), sizes, strides);
      },
      [original = this->sizes()](const Tensor& g) -> std::vector<Tensor> {
        return {autograd::sum_to(g, original)};
      });
}

// --- copies --------------------------------------------------------------------------------

Tensor& Tensor::copy_(const Tensor& src) {
  check_defined(*this, "copy_");
  check_defined(src, "copy_");
  detail::check_no_internal_overlap(*this, "copy_");
  detail::check_no_partial_overlap(*this, src, "copy_");
  autograd::check_inplace(*this, "copy_");
  const bool record = autograd::needs_grad({src, *this});
  {
    autograd::NoGradGuard guard;
    const Tensor source = src.expand(this->sizes());
    this->storage()->bump_version();
    visit_dtype(this->dtype(), [&]<class R>() {
      visit_dtype(source.dtype(), [&]<class A>() {
        detail::unary_loop<R, A>(*this, source, [](A v) { return static_cast<R>(v); });
      });
    });
  }
  if (record) {
    // The new value depends on src only: the old value's history gets a zero gradient.
    Tensor result = detach();
    autograd::record("CopyBackwards", result, {*this, src},
                     [shape = src.sizes()](const Tensor& g) -> std::vector<Tensor> {
                       return {zeros_like(g), autograd::sum_to(g, shape)};
                     });
    autograd::rebase_history(*this, result);
  }
  return *this;
}

Tensor Tensor::contiguous() const {
  check_defined(*this, "contiguous");
  return is_contiguous() ? *this : clone();
}

Tensor Tensor::clone() const {
  return autograd::differentiable(
      "CloneBackward0", {*this},
      [&]() -> Tensor {
        check_defined(*this, "clone");
        Tensor out = empty(this->sizes(), this->dtype());
        out.copy_(*this);
        return out;
      },
      [](const Tensor& g) -> std::vector<Tensor> { return {g}; });
}

Tensor Tensor::to(Dtype dtype) const {
  check_defined(*this, "to");
  if (dtype == this->dtype()) return *this;
  const Tensor source =
      activ::is_floating_point(dtype) ? *this : detach();  // integers carry no gradient
  return autograd::differentiable(
      "ToCopyBackward0", {source},
      [&] {
        Tensor out = empty(this->sizes(), dtype);
        out.copy_(source);
        return out;
      },
      [](const Tensor& g) -> std::vector<Tensor> { return {g}; });
}

namespace {
// Sets every element to value; under autograd the old value's history gets a zero gradient,
// through a node named grad_fn_name as torch names it.
Tensor& fill_in_place(Tensor& self, Scalar value, const char* op, const char* grad_fn_name) {
  check_defined(self, op);
  autograd::check_inplace(self, op);
  self.storage()->bump_version();
  visit_dtype(self.dtype(), [&]<class T>() {
    const T v = value.to<T>();
    auto plan = detail::plan_loop<1>(self.sizes(), {&self});
    detail::run_loop(plan, detail::kElementwiseGrain,
                     [&](const std::array<std::byte*, 1>& p, const std::array<std::int64_t, 1>& s,
                         std::int64_t n) {
                       if (s[0] == sizeof(T)) {
                         std::fill_n(reinterpret_cast<T*>(p[0]), n, v);
                         return;
                       }
                       for (std::int64_t i = 0; i < n; ++i)
                         *reinterpret_cast<T*>(p[0] + i * s[0]) = v;
                     });
  });
  if (autograd::needs_grad({self})) {
    Tensor result = self.detach();
    autograd::record(grad_fn_name, result, {self},
                     [](const Tensor& g) -> std::vector<Tensor> { return {zeros_like(g)}; });
    autograd::rebase_history(self, result);
  }
  return self;
}
}  // namespace

Tensor& Tensor::fill_(Scalar value) {
  return fill_in_place(*this, value, "fill_", "FillBackward2");
}

Tensor& Tensor::zero_() {
  return fill_in_place(*this, 0, "zero_", "ZeroBackward0");
}

std::ostream& operator<<(std::ostream& out, const Tensor& tensor) {
  return out << tensor.repr();
}

}  // namespace activ
