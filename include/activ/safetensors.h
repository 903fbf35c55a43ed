// Reading and writing safetensors files, the format PyTorch users exchange weights in.
//
// A file is an 8-byte little-endian header length N, N bytes of UTF-8 JSON, then the data
// buffer. The JSON object maps each tensor name to {"dtype", "shape", "data_offsets": [begin,
// end]} (offsets into the data buffer), plus an optional "__metadata__" object of strings.
//
// Reading enforces what the reference implementation (huggingface/safetensors) enforces: a
// header of at most 100,000,000 bytes that starts with '{' and ends inside the file, valid JSON,
// end - begin == product(shape) * itemsize, and tensors that cover the data buffer exactly:
// no overlap, no hole, nothing after the last one. It is stricter where the reference is lax:
// repeated keys, unknown keys in a tensor entry and more than 8 dims are refused too. Readable
// dtypes are F32, F64, I64 and BOOL (any nonzero BOOL byte reads as true); the others the
// format knows (F16, BF16, I32, U8, ...) are refused naming the tensor and its dtype. Anything
// malformed raises activ::IoError naming the operation, the source, what was expected and what
// came; the reader never reads past the input it was given, and allocates no more than the
// input's size.
//
// Writing produces exactly the bytes the reference writer (safetensors.torch.save_file) writes
// when given the tensors in its own order (by dtype, 8-byte types first, then by name): compact
// JSON with "__metadata__" first, header padded with spaces to a multiple of 8 bytes, tensors
// contiguous, little endian, in the order given.
#pragma once

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "activ/tensor.h"

namespace activ {

// Name -> tensor pairs; the same type as nn::StateDict.
using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

// The tensors stored in the safetensors file at path, contiguous, in the order of their data
// in the file (tensors of no elements sharing an offset keep the header's order).
NamedTensors load_safetensors(const std::string& path);

// The tensors stored in bytes, the content of a safetensors file; source_name names it in errors.
NamedTensors load_safetensors_bytes(std::span<const std::byte> bytes,
                                    const std::string& source_name);

// The "__metadata__" of the safetensors file at path (empty when it has none). The whole header
// is checked as load_safetensors checks it; the tensor data is not read.
std::map<std::string, std::string> load_safetensors_metadata(const std::string& path);
std::map<std::string, std::string> load_safetensors_metadata_bytes(std::span<const std::byte> bytes,
                                                                   const std::string& source_name);

// Writes tensors, in the order given, and metadata (omitted when empty) to path: to a temporary
// file in the same directory, then renamed over path, so path never holds a partly written file
// (a symlink at path is replaced, not followed). Raises ValueError for an undefined tensor, a
// repeated or reserved ("__metadata__") name, or a name or metadata string that is not UTF-8,
// before creating any file; IoError when writing fails, after removing the temporary file.
void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata = {});

// The bytes save_safetensors writes.
std::vector<std::byte> to_safetensors_bytes(
    const NamedTensors& tensors, const std::map<std::string, std::string>& metadata = {});

}  // namespace activ
