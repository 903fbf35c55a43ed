// Fuzzes the public view constructor Tensor(storage, offset, sizes, strides, dtype): any storage
// size, offset, sizes and strides (negative, huge, overflowing). A view it accepts must only
// reach its storage: it is then filled, summed, copied and printed, under ASan, which reports
// any read or write outside. Anything it refuses must be an activ::Error.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>

#include "activ/error.h"
#include "activ/tensor.h"

namespace {

constexpr activ::Dtype kDtypes[] = {activ::float32, activ::float64, activ::int64, activ::bool_};

// Mostly small numbers, where views are valid, and now and then any int64.
std::int64_t consume_extent(FuzzedDataProvider& input) {
  if (input.ConsumeBool()) return input.ConsumeIntegral<std::int64_t>();
  return input.ConsumeIntegralInRange<std::int64_t>(-2, 9);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  const bool null_storage = input.ConsumeIntegralInRange(0, 15) == 0;
  const auto storage_bytes = input.ConsumeIntegralInRange<std::size_t>(0, 512);
  const std::int64_t offset = consume_extent(input);
  const activ::Dtype dtype = input.PickValueInArray(kDtypes);
  const int dims = input.ConsumeIntegralInRange(0, 9);
  const bool fewer_strides = input.ConsumeIntegralInRange(0, 15) == 0;
  activ::Shape sizes, strides;
  for (int d = 0; d < dims; ++d) {
    sizes.push_back(consume_extent(input));
    if (!fewer_strides || d > 0) strides.push_back(consume_extent(input));
  }
  try {
    auto storage = null_storage ? nullptr : std::make_shared<activ::Storage>(storage_bytes);
    // Zeros: a fresh storage is uninitialized, and bytes other than 0 and 1 are no bool.
    if (storage) std::memset(storage->data(), 0, storage_bytes);
    activ::Tensor view(storage, offset, sizes, strides, dtype);
    if (view.numel() > 4096) return 0;  // a valid view this large only makes the run slow
    (void)view.sum();
    (void)view.repr();
    (void)view.contiguous();
    view.fill_(1);
  } catch (const activ::Error&) {
  }
  return 0;
}
