// Fuzzes activ::load_safetensors_bytes and load_safetensors_metadata_bytes: any input either
// raises activ::IoError or yields tensors that survive a write/read round trip unchanged.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "activ/safetensors.h"

namespace {

// Compared by name: tensors of no elements may come back in another order.
bool same_tensors(activ::NamedTensors a, activ::NamedTensors b) {
  const auto by_name = [](const auto& x, const auto& y) { return x.first < y.first; };
  std::sort(a.begin(), a.end(), by_name);
  std::sort(b.begin(), b.end(), by_name);
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const activ::Tensor& x = a[i].second;
    const activ::Tensor& y = b[i].second;
    if (a[i].first != b[i].first || x.sizes() != y.sizes() || x.dtype() != y.dtype()) return false;
    const std::size_t nbytes = x.numel() * activ::itemsize(x.dtype());
    const std::byte* x_data = x.storage()->data() + x.storage_offset() * activ::itemsize(x.dtype());
    const std::byte* y_data = y.storage()->data() + y.storage_offset() * activ::itemsize(y.dtype());
    if (!std::equal(x_data, x_data + nbytes, y_data)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = std::as_bytes(std::span(data, size));
  std::map<std::string, std::string> metadata;
  try {
    metadata = activ::load_safetensors_metadata_bytes(bytes, "fuzz input");
  } catch (const activ::IoError&) {
  }
  activ::NamedTensors loaded;
  try {
    loaded = activ::load_safetensors_bytes(bytes, "fuzz input");
  } catch (const activ::IoError&) {
    return 0;
  }
  const activ::NamedTensors reloaded =
      activ::load_safetensors_bytes(activ::to_safetensors_bytes(loaded, metadata), "round trip");
  if (!same_tensors(loaded, reloaded)) std::abort();
  return 0;
}
