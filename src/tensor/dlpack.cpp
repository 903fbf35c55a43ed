// from_blob, from_dlpack and to_dlpack: tensors over memory that another owner frees.
#include "activ/dlpack.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>

namespace activ {

namespace {

std::string str(std::int64_t value) {
  return std::to_string(value);
}

// Element count of sizes, checked as from_blob documents.
std::int64_t checked_blob_numel(const Shape& sizes, const Shape& strides, const char* op) {
  if (static_cast<std::int64_t>(sizes.size()) > kMaxDims) {
    throw ShapeError(std::string(op) + ": a tensor has at most " + str(kMaxDims) + " dims, got " +
                     str(static_cast<std::int64_t>(sizes.size())));
  }
  if (strides.size() != sizes.size()) {
    throw ShapeError(std::string(op) + ": expected one stride per dim (" +
                     str(static_cast<std::int64_t>(sizes.size())) + "), got " +
                     str(static_cast<std::int64_t>(strides.size())));
  }
  std::int64_t numel = 1;
  bool overflow = false;
  for (const std::int64_t size : sizes) {
    if (size < 0) {
      throw ShapeError(std::string(op) + ": negative size " + str(size) + " in sizes " +
                       shape_str(sizes));
    }
    overflow = overflow || __builtin_mul_overflow(numel, size, &numel);
  }
  // A dim of 0 makes any other size possible.
  for (const std::int64_t size : sizes) {
    if (size == 0) return 0;
  }
  if (overflow) {
    throw ShapeError(std::string(op) + ": sizes " + shape_str(sizes) +
                     " have more elements than can be addressed");
  }
  return numel;
}

}  // namespace

Tensor from_blob(void* data, const Shape& sizes, const Shape& strides, Dtype dtype,
                 BlobDeleter deleter) {
  const char* op = "from_blob";
  const std::int64_t numel = checked_blob_numel(sizes, strides, op);
  const auto element_size = static_cast<std::int64_t>(itemsize(dtype));
  auto* bytes = static_cast<std::byte*>(data);
  if (numel == 0) {
    auto storage = std::make_shared<Storage>(bytes, 0, [deleter = std::move(deleter), data] {
      if (deleter) deleter(data);
    });
    return Tensor(std::move(storage), 0, sizes, strides, dtype);
  }
  if (data == nullptr) {
    throw ValueError(std::string(op) + ": data is null but sizes " + shape_str(sizes) + " hold " +
                     str(numel) + " elements");
  }
  if (reinterpret_cast<std::uintptr_t>(data) % static_cast<std::uintptr_t>(element_size) != 0) {
    throw ValueError(std::string(op) + ": data must be aligned to the " + std::string(name(dtype)) +
                     " element size (" + str(element_size) + " bytes)");
  }
  // The lowest and highest element offsets the view addresses; the storage spans them.
  std::int64_t lowest = 0;
  std::int64_t highest = 0;
  for (std::size_t d = 0; d < sizes.size(); ++d) {
    std::int64_t reach = 0;
    const bool overflow =
        __builtin_mul_overflow(sizes[d] - 1, strides[d], &reach) ||
        __builtin_add_overflow(reach < 0 ? lowest : highest, reach, reach < 0 ? &lowest : &highest);
    if (overflow) {
      throw ShapeError(std::string(op) + ": strides " + shape_str(strides) + " with sizes " +
                       shape_str(sizes) + " address offsets beyond int64");
    }
  }
  std::int64_t span_bytes = 0;
  std::int64_t lowest_bytes = 0;
  const auto address = reinterpret_cast<std::uintptr_t>(data);
  if (__builtin_sub_overflow(highest, lowest, &span_bytes) ||
      __builtin_add_overflow(span_bytes, 1, &span_bytes) ||
      __builtin_mul_overflow(span_bytes, element_size, &span_bytes) ||
      __builtin_mul_overflow(lowest, element_size, &lowest_bytes) ||
      address < static_cast<std::uintptr_t>(-lowest_bytes)) {
    throw ShapeError(std::string(op) + ": strides " + shape_str(strides) + " with sizes " +
                     shape_str(sizes) + " span more bytes than can be addressed");
  }
  auto storage =
      std::make_shared<Storage>(bytes + lowest_bytes, static_cast<std::size_t>(span_bytes),
                                [deleter = std::move(deleter), data] {
                                  if (deleter) deleter(data);
                                });
  return Tensor(std::move(storage), -lowest, sizes, strides, dtype);
}

Tensor from_blob(void* data, const Shape& sizes, Dtype dtype, BlobDeleter deleter) {
  Shape strides(sizes.size(), 1);
  for (std::int64_t d = static_cast<std::int64_t>(sizes.size()) - 2; d >= 0; --d) {
    // Saturates for empty tensors whose other sizes overflow; such strides address nothing.
    if (__builtin_mul_overflow(strides[d + 1], std::max<std::int64_t>(sizes[d + 1], 1),
                               &strides[d]))
      strides[d] = std::numeric_limits<std::int64_t>::max();
  }
  return from_blob(data, sizes, strides, dtype, std::move(deleter));
}

Tensor from_dlpack(DLManagedTensor* managed) {
  const char* op = "from_dlpack";
  if (managed == nullptr) throw ValueError(std::string(op) + ": the DLManagedTensor is null");
  const DLTensor& dl = managed->dl_tensor;
  if (dl.device.device_type != kDLCPU) {
    throw ValueError(std::string(op) + ": expected a CPU tensor (device type " + str(kDLCPU) +
                     "), got device type " + str(dl.device.device_type));
  }
  if (dl.dtype.lanes != 1) {
    throw ValueError(std::string(op) + ": expected 1 lane per element, got " + str(dl.dtype.lanes));
  }
  Dtype dtype;
  if (dl.dtype.code == kDLFloat && dl.dtype.bits == 32)
    dtype = float32;
  else if (dl.dtype.code == kDLFloat && dl.dtype.bits == 64)
    dtype = float64;
  else if (dl.dtype.code == kDLInt && dl.dtype.bits == 64)
    dtype = int64;
  else if (dl.dtype.code == kDLPackBoolCode && dl.dtype.bits == 8)
    dtype = bool_;
  else {
    throw TypeError(std::string(op) +
                    ": expected float32, float64, int64 or bool elements, got "
                    "DLPack type code " +
                    str(dl.dtype.code) + " with " + str(dl.dtype.bits) + " bits");
  }
  if (dl.ndim < 0 || dl.ndim > kMaxDims) {
    throw ShapeError(std::string(op) + ": expected 0 to " + str(kMaxDims) + " dims, got " +
                     str(dl.ndim));
  }
  if (dl.ndim > 0 && dl.shape == nullptr) {
    throw ValueError(std::string(op) + ": the shape of a " + str(dl.ndim) + "-d tensor is null");
  }
  const Shape sizes(dl.shape, dl.shape + dl.ndim);
  auto* data = static_cast<std::byte*>(dl.data);
  if (data != nullptr) data += dl.byte_offset;
  BlobDeleter release = [managed](void*) {
    if (managed->deleter != nullptr) managed->deleter(managed);
  };
  if (dl.strides == nullptr) return from_blob(data, sizes, dtype, std::move(release));
  return from_blob(data, sizes, Shape(dl.strides, dl.strides + dl.ndim), dtype, std::move(release));
}

namespace {

// What a DLManagedTensor from to_dlpack points to: the tensor keeping the elements alive, and
// the shape and strides its DLTensor refers to.
struct DLPackExport {
  DLManagedTensor managed{};
  Tensor tensor;
  Shape sizes;
  Shape strides;
};

}  // namespace

DLManagedTensor* to_dlpack(const Tensor& tensor) {
  if (!tensor.defined()) throw ValueError("to_dlpack: the tensor is undefined");
  auto exported = std::make_unique<DLPackExport>();
  exported->tensor = tensor.detach();
  exported->sizes = tensor.sizes();
  exported->strides = tensor.strides();
  DLTensor& dl = exported->managed.dl_tensor;
  dl.data = tensor.storage()->data() +
            tensor.storage_offset() * static_cast<std::int64_t>(itemsize(tensor.dtype()));
  dl.device = {kDLCPU, 0};
  dl.ndim = static_cast<int>(tensor.dim());
  switch (tensor.dtype()) {
    case Dtype::Float32:
      dl.dtype = {kDLFloat, 32, 1};
      break;
    case Dtype::Float64:
      dl.dtype = {kDLFloat, 64, 1};
      break;
    case Dtype::Int64:
      dl.dtype = {kDLInt, 64, 1};
      break;
    case Dtype::Bool:
      dl.dtype = {kDLPackBoolCode, 8, 1};
      break;
  }
  dl.shape = exported->sizes.data();
  dl.strides = exported->strides.data();
  dl.byte_offset = 0;
  exported->managed.manager_ctx = exported.get();
  exported->managed.deleter = [](DLManagedTensor* self) {
    delete static_cast<DLPackExport*>(self->manager_ctx);
  };
  return &exported.release()->managed;
}

}  // namespace activ
