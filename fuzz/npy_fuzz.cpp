// Fuzzes activ::load_npy_bytes: any input either raises activ::IoError or yields a tensor that
// survives a write/read round trip unchanged. Sanitizers catch reads past the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

#include "activ/npy.h"

namespace {

std::vector<std::byte> element_bytes(const activ::Tensor& tensor) {
  const activ::Tensor dense = tensor.contiguous();
  const auto* begin = static_cast<const std::byte*>(static_cast<const void*>(
      dense.storage()->data() + dense.storage_offset() * activ::itemsize(dense.dtype())));
  return {begin, begin + dense.numel() * activ::itemsize(dense.dtype())};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  activ::Tensor loaded;
  try {
    loaded = activ::load_npy_bytes(std::as_bytes(std::span(data, size)), "fuzz input");
  } catch (const activ::IoError&) {
    return 0;
  }
  const activ::Tensor reloaded = activ::load_npy_bytes(activ::to_npy_bytes(loaded), "round trip");
  if (reloaded.sizes() != loaded.sizes() || reloaded.dtype() != loaded.dtype() ||
      element_bytes(reloaded) != element_bytes(loaded)) {
    std::abort();
  }
  return 0;
}
