// Reading and writing NumPy .npy files (format versions 1.0, 2.0 and 3.0).
//
// Readable dtypes are those that map to activ dtypes: '<f4' '>f4' '<f8' '>f8' '<i8' '>i8' and
// '|b1'. C and Fortran order are read into a contiguous tensor with the same logical values;
// big-endian data is byte-swapped; bool bytes other than 0 are read as true (numpy reads them
// as-is, and any nonzero byte is truthy). As np.load does, bytes after the array data are
// ignored (np.save can append several arrays to one file) and a header longer than 10000 bytes
// is refused. Anything malformed raises activ::IoError naming load_npy, the source, what was
// expected and what came; the reader never reads past the input it was given.
//
// Writing produces exactly the bytes np.save writes for the same array: version 1.0 (2.0 when
// the header would not fit), little endian, C order, header padded with spaces to a multiple
// of 64 bytes and ended by '\n'.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "activ/tensor.h"

namespace activ {

// The array stored in the .npy file at path.
Tensor load_npy(const std::string& path);

// The array stored in bytes, the content of a .npy file; source_name names it in errors.
Tensor load_npy_bytes(std::span<const std::byte> bytes, const std::string& source_name);

// Writes tensor to path (no ".npy" is appended): to a temporary file in the same directory,
// then renamed over path, so path never holds a partly written file (a symlink at path is
// replaced, not followed). On failure the temporary file is removed and IoError is raised.
void save_npy(const std::string& path, const Tensor& tensor);

// The bytes save_npy writes for tensor.
std::vector<std::byte> to_npy_bytes(const Tensor& tensor);

}  // namespace activ
