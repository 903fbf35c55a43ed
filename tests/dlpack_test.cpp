// from_blob, from_dlpack and to_dlpack: zero-copy in both directions, the deleters' ownership
// rules of the DLPack spec, every dtype, any strides, 0-d and empty tensors, and the errors.
#include "activ/dlpack.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "activ/nn/functional.h"

namespace {

namespace F = activ::nn::functional;
using activ::Shape;
using activ::Tensor;

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

TEST(FromBlob, ViewsTheBufferAndCallsTheDeleterOnceWhenTheLastViewDies) {
  std::vector<float> buffer = {-1, 0, 1, 2, 3, 4};
  int deleted = 0;
  void* deleted_data = nullptr;
  {
    Tensor t = activ::from_blob(buffer.data(), {2, 3}, activ::float32, [&](void* data) {
      ++deleted;
      deleted_data = data;
    });
    EXPECT_EQ(t.data_ptr<float>(), buffer.data());
    EXPECT_EQ(t.strides(), (Shape{3, 1}));
    Tensor row = t[1];
    t = Tensor();
    F::relu_(row);  // writes through to the buffer
    buffer[0] = 7;  // and the tensor sees the caller's writes
    EXPECT_EQ(deleted, 0);
    EXPECT_EQ(row.to_vector<float>(), (std::vector<float>{2, 3, 4}));
  }
  EXPECT_EQ(deleted, 1);
  EXPECT_EQ(deleted_data, buffer.data());
}

TEST(FromBlob, NegativeAndZeroStridesAddressTheRightElements) {
  std::vector<double> buffer = {-2, -1, 0, 1, 2, 3};
  // Reversed rows of a 2x3 matrix, read from its last element backwards.
  Tensor reversed = activ::from_blob(buffer.data() + 5, {2, 3}, {-3, -1}, activ::float64);
  EXPECT_EQ(reversed.to_vector<double>(), (std::vector<double>{3, 2, 1, 0, -1, -2}));
  // gelu of the reversed view equals the reversed gelu of the buffer, element by element.
  const Tensor forward = F::gelu(activ::from_blob(buffer.data(), {6}, activ::float64));
  const std::vector<double> expected = forward.to_vector<double>();
  const std::vector<double> got = F::gelu(reversed).to_vector<double>();
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], expected[5 - i]) << i;
  // A broadcast column: stride 0 repeats one element.
  Tensor column = activ::from_blob(buffer.data() + 4, {3, 2}, {0, 1}, activ::float64);
  EXPECT_EQ(column.to_vector<double>(), (std::vector<double>{2, 3, 2, 3, 2, 3}));
}

TEST(FromBlob, ZeroDimAndEmptyTensors) {
  std::int64_t value = 42;
  Tensor scalar = activ::from_blob(&value, {}, {}, activ::int64);
  EXPECT_EQ(scalar.dim(), 0);
  EXPECT_EQ(scalar.item<std::int64_t>(), 42);
  int deleted = 0;
  {
    Tensor empty = activ::from_blob(nullptr, {0, 3}, activ::float32, [&](void*) { ++deleted; });
    EXPECT_EQ(empty.numel(), 0);
    EXPECT_EQ(F::silu(empty).sizes(), (Shape{0, 3}));
  }
  EXPECT_EQ(deleted, 1);
}

struct BadBlob {
  const char* name;
  void* data;
  Shape sizes;
  Shape strides;
  activ::Dtype dtype;
  const char* message;
};

TEST(FromBlob, RejectsBadInputWithoutTakingTheBuffer) {
  alignas(8) static std::array<std::byte, 64> buffer{};
  const std::vector<BadBlob> cases = {
      {"null data", nullptr, {2}, {1}, activ::float32, "data is null but sizes [2] hold 2"},
      {"negative size", buffer.data(), {2, -1}, {1, 1}, activ::float32, "negative size -1"},
      {"too many dims", buffer.data(), Shape(9, 1), Shape(9, 1), activ::float32, "at most 8 dims"},
      {"stride count", buffer.data(), {2, 2}, {1}, activ::float32, "one stride per dim (2), got 1"},
      {"element overflow", buffer.data(), {kMax, 3}, {0, 0}, activ::bool_, "more elements"},
      {"offset overflow", buffer.data(), {3, 2}, {kMax, 1}, activ::float32, "beyond int64"},
      {"byte overflow", buffer.data(), {2}, {kMax / 4}, activ::float64, "more bytes"},
      {"below address 0", buffer.data(), {2}, {-(kMax / 16)}, activ::float64, "more bytes"},
      {"misaligned", buffer.data() + 2, {2}, {1}, activ::float32, "aligned to the float32"},
  };
  for (const BadBlob& c : cases) {
    int deleted = 0;
    try {
      activ::from_blob(c.data, c.sizes, c.strides, c.dtype, [&](void*) { ++deleted; });
      ADD_FAILURE() << c.name << ": no error";
    } catch (const activ::Error& e) {
      EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos)
          << c.name << ": " << e.what();
      EXPECT_EQ(std::string(e.what()).rfind("from_blob: ", 0), 0u) << e.what();
    }
    EXPECT_EQ(deleted, 0) << c.name;
  }
}

// A DLManagedTensor over a caller's buffer, counting its deleter's calls.
struct Producer {
  std::vector<std::int64_t> shape;
  std::vector<std::int64_t> strides;
  DLManagedTensor managed{};
  int deleted = 0;

  Producer(void* data, DLDataType dtype, std::vector<std::int64_t> sizes,
           std::vector<std::int64_t> element_strides)
      : shape(std::move(sizes)), strides(std::move(element_strides)) {
    managed.dl_tensor = {data,  {kDLCPU, 0},  static_cast<int>(shape.size()),
                         dtype, shape.data(), strides.empty() ? nullptr : strides.data(),
                         0};
    managed.manager_ctx = this;
    managed.deleter = [](DLManagedTensor* self) {
      ++static_cast<Producer*>(self->manager_ctx)->deleted;
    };
  }
};

TEST(FromDLPack, EveryDtypeZeroCopyAndTheDeleterRunsOnce) {
  struct Case {
    DLDataType dl;
    activ::Dtype dtype;
  };
  alignas(8) std::array<std::byte, 64> buffer{};
  for (const Case& c :
       {Case{{kDLFloat, 32, 1}, activ::float32}, Case{{kDLFloat, 64, 1}, activ::float64},
        Case{{kDLInt, 64, 1}, activ::int64}, Case{{activ::kDLPackBoolCode, 8, 1}, activ::bool_}}) {
    Producer producer(buffer.data(), c.dl, {2, 2}, {});
    producer.managed.dl_tensor.byte_offset = 8;
    {
      Tensor t = activ::from_dlpack(&producer.managed);
      EXPECT_EQ(t.dtype(), c.dtype);
      EXPECT_EQ(t.sizes(), (Shape{2, 2}));
      EXPECT_EQ(t.strides(), (Shape{2, 1}));
      EXPECT_EQ(
          static_cast<void*>(t.storage()->data() +
                             t.storage_offset() * static_cast<std::int64_t>(itemsize(t.dtype()))),
          static_cast<void*>(buffer.data() + 8));
      Tensor view = t.t();
      t = Tensor();
      EXPECT_EQ(producer.deleted, 0);
    }
    EXPECT_EQ(producer.deleted, 1);
  }
}

TEST(FromDLPack, StridedNonContiguousInput) {
  std::vector<float> buffer = {-3, -2, -1, 0, 1, 2};
  Producer producer(buffer.data(), {kDLFloat, 32, 1}, {3, 2}, {1, 3});  // a transposed 2x3
  Tensor t = activ::from_dlpack(&producer.managed);
  EXPECT_EQ(t.to_vector<float>(), (std::vector<float>{-3, 0, -2, 1, -1, 2}));
  EXPECT_FALSE(t.is_contiguous());
}

TEST(FromDLPack, RejectsBadInputAndLeavesOwnershipWithTheCaller) {
  EXPECT_THROW(activ::from_dlpack(nullptr), activ::ValueError);
  float value = 0;
  struct Case {
    const char* name;
    DLDataType dtype;
    DLDeviceType device;
    int ndim;
    const char* message;
  };
  for (const Case& c :
       {Case{"cuda", {kDLFloat, 32, 1}, kDLCUDA, 1, "expected a CPU tensor"},
        Case{"lanes", {kDLFloat, 32, 4}, kDLCPU, 1, "expected 1 lane"},
        Case{"float16", {kDLFloat, 16, 1}, kDLCPU, 1, "type code 2 with 16 bits"},
        Case{"uint8", {kDLUInt, 8, 1}, kDLCPU, 1, "type code 1 with 8 bits"},
        Case{"int32", {kDLInt, 32, 1}, kDLCPU, 1, "type code 0 with 32 bits"},
        Case{"negative ndim", {kDLFloat, 32, 1}, kDLCPU, -1, "0 to 8 dims, got -1"}}) {
    Producer producer(&value, c.dtype, {1}, {});
    producer.managed.dl_tensor.device.device_type = c.device;
    producer.managed.dl_tensor.ndim = c.ndim;
    try {
      activ::from_dlpack(&producer.managed);
      ADD_FAILURE() << c.name << ": no error";
    } catch (const activ::Error& e) {
      EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos)
          << c.name << ": " << e.what();
    }
    EXPECT_EQ(producer.deleted, 0) << c.name;
  }
  Producer null_shape(&value, {kDLFloat, 32, 1}, {1}, {});
  null_shape.managed.dl_tensor.shape = nullptr;
  EXPECT_THROW(activ::from_dlpack(&null_shape.managed), activ::ValueError);
  Producer null_data(nullptr, {kDLFloat, 32, 1}, {4}, {});
  EXPECT_THROW(activ::from_dlpack(&null_data.managed), activ::ValueError);
}

TEST(ToDLPack, SharesTheElementsAndKeepsThemAliveUntilTheDeleter) {
  Tensor x = activ::tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}}).t();  // strided view
  const float* data = x.data_ptr<float>();
  DLManagedTensor* managed = activ::to_dlpack(x);
  x = Tensor();
  const DLTensor& dl = managed->dl_tensor;
  EXPECT_EQ(dl.data, data);
  EXPECT_EQ(dl.device.device_type, kDLCPU);
  EXPECT_EQ(dl.dtype.code, kDLFloat);
  EXPECT_EQ(dl.dtype.bits, 32);
  ASSERT_EQ(dl.ndim, 2);
  EXPECT_EQ(dl.shape[0], 3);
  EXPECT_EQ(dl.strides[0], 1);
  EXPECT_EQ(dl.strides[1], 3);
  EXPECT_EQ(static_cast<const float*>(dl.data)[5], 6.0f);  // still alive
  // Round trip: the same memory, the deleter passes to the new tensor.
  Tensor back = activ::from_dlpack(managed);
  EXPECT_EQ(back.data_ptr<float>(), data);
  EXPECT_EQ(back.to_vector<float>(), (std::vector<float>{1, 4, 2, 5, 3, 6}));
}

TEST(ToDLPack, EveryDtypeZeroDimAndEmpty) {
  for (const Tensor& t : {activ::tensor(2.5, activ::float64), activ::arange(3),
                          activ::tensor({true, false}), activ::empty({0, 4})}) {
    DLManagedTensor* managed = activ::to_dlpack(t);
    EXPECT_EQ(managed->dl_tensor.ndim, t.dim());
    Tensor back = activ::from_dlpack(managed);
    EXPECT_EQ(back.dtype(), t.dtype());
    EXPECT_EQ(back.sizes(), t.sizes());
    EXPECT_TRUE(activ::equal(back, t));
  }
  EXPECT_THROW(activ::to_dlpack(Tensor()), activ::ValueError);
}

}  // namespace
