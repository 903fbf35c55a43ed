// torch's memory-overlap checks for writes (at::assert_no_internal_overlap and
// at::assert_no_partial_overlap): an in-place or out= result must not write one memory location
// twice, nor read an input that covers part of what it writes (the elements read would already
// be overwritten, silently giving wrong values).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "activ/error.h"
#include "activ/tensor.h"

namespace activ::detail {

// Refuses an output of which several elements share memory (an expanded view).
inline void check_no_internal_overlap(const Tensor& out, const char* op) {
  for (std::int64_t d = 0; d < out.dim(); ++d) {
    if (out.strides()[d] == 0 && out.sizes()[d] > 1) {
      throw ValueError(
          std::string(op) +
          ": unsupported operation: more than one element of the written-to tensor refers to a "
          "single memory location; clone() the tensor first");
    }
  }
}

// True when the elements fill a block of memory without gaps or repeats, in any order of dims.
inline bool is_non_overlapping_and_dense(const Tensor& t) {
  std::vector<std::pair<std::int64_t, std::int64_t>> dims;  // (stride, size) of dims above 1
  for (std::int64_t d = 0; d < t.dim(); ++d) {
    if (t.sizes()[d] != 1) dims.emplace_back(t.strides()[d], t.sizes()[d]);
  }
  std::sort(dims.begin(), dims.end());
  std::int64_t expected = 1;
  for (const auto& [stride, size] : dims) {
    if (stride != expected) return false;
    expected *= size;
  }
  return true;
}

// Refuses an input whose memory partly overlaps the output's; the same memory (an in-place op
// reading its own output) is fine. As in torch, only dense tensors are compared.
inline void check_no_partial_overlap(const Tensor& out, const Tensor& input, const char* op) {
  if (out.is_same(input) || out.storage() != input.storage() || out.numel() == 0 ||
      input.numel() == 0 || !is_non_overlapping_and_dense(out) ||
      !is_non_overlapping_and_dense(input)) {
    return;
  }
  const auto span = [](const Tensor& t) {
    const auto item = static_cast<std::int64_t>(itemsize(t.dtype()));
    const std::int64_t begin = t.storage_offset() * item;
    return std::pair{begin, begin + t.numel() * item};
  };
  const auto [out_begin, out_end] = span(out);
  const auto [in_begin, in_end] = span(input);
  const bool same = out_begin == in_begin && out_end == in_end && out.strides() == input.strides();
  if (!same && out_begin < in_end && in_begin < out_end) {
    throw ValueError(std::string(op) +
                     ": unsupported operation: some elements of the input tensor and the "
                     "written-to tensor refer to a single memory location; clone() the tensor "
                     "first");
  }
}

}  // namespace activ::detail
