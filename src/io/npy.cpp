// NumPy .npy reading and writing; see include/activ/npy.h for what is accepted and produced.
#include "activ/npy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <string_view>
#include <system_error>

#include "io/file_io.h"

namespace activ {
namespace {

// Little-endian data is the host's own; only '>' data needs swapping.
static_assert(std::endian::native == std::endian::little,
              "activ's .npy I/O assumes a little-endian host");

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr std::size_t kVersionBytes = 2;
// np.load's default limit (numpy.lib.format._MAX_HEADER_SIZE): no header of an array activ can
// hold comes near it, and a bigger one is a sign of a corrupt or hostile file.
constexpr std::size_t kMaxHeaderBytes = 10000;
constexpr std::size_t kArrayAlign = 64;
// np.save leaves room after the shape so the first axis can grow in place.
constexpr std::size_t kGrowthAxisMaxDigits = 21;

using io_detail::errno_message;
using io_detail::quote_bytes;

[[noreturn]] void fail_load(const std::string& source, const std::string& problem) {
  throw IoError("load_npy: '" + source + "': " + problem);
}

// The bytes of a .npy file, read front to back; sizes are checked against size() before any
// read, so a read only fails when a file shrinks while it is being read.
class Source {
 public:
  virtual ~Source() = default;
  virtual std::uint64_t size() const = 0;
  virtual void read(std::byte* destination, std::size_t count) = 0;
};

class SpanSource final : public Source {
 public:
  explicit SpanSource(std::span<const std::byte> bytes) : bytes_(bytes) {}
  std::uint64_t size() const override { return bytes_.size(); }
  void read(std::byte* destination, std::size_t count) override {
    if (count == 0) return;  // an empty span's data() may be null, which memcpy must not get
    std::memcpy(destination, bytes_.data() + position_, count);
    position_ += count;
  }

 private:
  std::span<const std::byte> bytes_;
  std::size_t position_ = 0;
};

class FileSource final : public Source {
 public:
  explicit FileSource(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) fail_load(path_, "expected a readable file, got: " + errno_message(errno));
    struct stat status {};
    if (::fstat(fd_, &status) != 0) {
      const int error = errno;
      ::close(fd_);
      fail_load(path_, "expected a readable file, got: " + errno_message(error));
    }
    if (!S_ISREG(status.st_mode)) {
      ::close(fd_);
      fail_load(path_, std::string("expected a regular file, got ") +
                           (S_ISDIR(status.st_mode) ? "a directory" : "a special file"));
    }
    size_ = static_cast<std::uint64_t>(status.st_size);
  }
  ~FileSource() override { ::close(fd_); }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  std::uint64_t size() const override { return size_; }
  void read(std::byte* destination, std::size_t count) override {
    std::size_t done = 0;
    while (done < count) {
      const ::ssize_t got = ::read(fd_, destination + done, count - done);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) fail_load(path_, "expected to read the file, got: " + errno_message(errno));
      if (got == 0) {
        fail_load(path_, "the file shrank while being read: expected " + std::to_string(count) +
                             " more bytes, got " + std::to_string(done));
      }
      done += static_cast<std::size_t>(got);
    }
  }

 private:
  std::string path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

struct Header {
  std::string descr;
  bool fortran_order = false;
  Shape shape;
};

// A strict parser for the header: a Python dict literal with the keys 'descr' (a string),
// 'fortran_order' (True or False) and 'shape' (a tuple of non-negative ints), in any order.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, bool allow_long_suffix, const std::string& source)
      : text_(text), allow_long_suffix_(allow_long_suffix), source_(source) {}

  Header parse() {
    std::optional<std::string> descr;
    std::optional<bool> fortran_order;
    std::optional<Shape> shape;
    skip_whitespace();
    expect('{', "'{' opening the header dict");
    skip_whitespace();
    while (peek() != '}') {
      const std::size_t key_position = position_;
      const std::string key = parse_string("a string key or '}'");
      skip_whitespace();
      expect(':', "':' after the key '" + key + "'");
      skip_whitespace();
      if (key == "descr" && !descr) {
        descr = parse_string("a dtype string for 'descr'");
      } else if (key == "fortran_order" && !fortran_order) {
        fortran_order = parse_bool("True or False for 'fortran_order'");
      } else if (key == "shape" && !shape) {
        shape = parse_shape();
      } else {
        const bool duplicate = key == "descr" || key == "fortran_order" || key == "shape";
        position_ = key_position;
        fail(std::string("only the keys 'descr', 'fortran_order' and 'shape', each once") +
                 (duplicate ? " (this one repeats)" : ""),
             "the key " + quote_bytes(key));
      }
      skip_whitespace();
      if (peek() == ',') {
        ++position_;
        skip_whitespace();
      } else if (peek() != '}') {
        fail("',' or '}' after the value of '" + key + "'");
      }
    }
    ++position_;
    skip_whitespace();
    if (position_ != text_.size()) fail("only whitespace after the header dict");
    const char* missing = !descr           ? "descr"
                          : !fortran_order ? "fortran_order"
                          : !shape         ? "shape"
                                           : nullptr;
    if (missing != nullptr) {
      fail_load(source_, std::string("header lacks the key '") + missing +
                             "': expected the keys 'descr', 'fortran_order' and 'shape', got " +
                             quote_bytes(text_, 120));
    }
    return Header{*descr, *fortran_order, *shape};
  }

 private:
  char peek() const { return position_ < text_.size() ? text_[position_] : '\0'; }
  bool at_end() const { return position_ >= text_.size(); }

  [[noreturn]] void fail(const std::string& expected) const {
    fail(expected, at_end() ? "the end of the header" : quote_bytes(text_.substr(position_)));
  }
  [[noreturn]] void fail(const std::string& expected, const std::string& got) const {
    fail_load(source_, "header is not a valid .npy header dict: at header byte " +
                           std::to_string(position_) + ", expected " + expected + ", got " + got);
  }

  void skip_whitespace() {
    while (!at_end() &&
           std::string_view(" \t\n\r\f").find(text_[position_]) != std::string_view::npos) {
      ++position_;
    }
  }

  void expect(char c, const std::string& what) {
    if (at_end() || text_[position_] != c) fail(what);
    ++position_;
  }

  std::string parse_string(const std::string& what) {
    const char quote = peek();
    if (at_end() || (quote != '\'' && quote != '"')) fail(what);
    const std::size_t start = position_ + 1;
    std::size_t end = start;
    while (end < text_.size() && text_[end] != quote) {
      if (text_[end] == '\\' || text_[end] == '\n') {
        position_ = end;
        fail("a plain string without escapes or line breaks");
      }
      ++end;
    }
    if (end == text_.size()) fail("the string to be closed by " + std::string(1, quote));
    position_ = end + 1;
    return std::string(text_.substr(start, end - start));
  }

  bool parse_bool(const std::string& what) {
    static constexpr std::array<std::pair<std::string_view, bool>, 2> kWords = {
        {{"True", true}, {"False", false}}};
    for (const auto& [word, value] : kWords) {
      if (text_.substr(position_, word.size()) == word && !is_identifier_char(word.size())) {
        position_ += word.size();
        return value;
      }
    }
    fail(what);
  }

  bool is_identifier_char(std::size_t offset) const {
    if (position_ + offset >= text_.size()) return false;
    const char c = text_[position_ + offset];
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  }

  Shape parse_shape() {
    expect('(', "a tuple of ints for 'shape'");
    skip_whitespace();
    Shape shape;
    while (peek() != ')') {
      if (static_cast<std::int64_t>(shape.size()) == kMaxDims) {
        fail("at most " + std::to_string(kMaxDims) + " dims in 'shape'");
      }
      shape.push_back(parse_dim());
      skip_whitespace();
      if (peek() == ',') {
        ++position_;
        skip_whitespace();
      } else if (peek() != ')' || shape.size() == 1) {
        // (5) is the int 5, not a tuple: a 1-tuple needs its comma, as in Python.
        fail(shape.size() == 1 ? "',' after the first dim of 'shape'" : "',' or ')' in 'shape'");
      }
    }
    ++position_;
    return shape;
  }

  std::int64_t parse_dim() {
    const std::size_t start = position_;
    const bool negative = peek() == '-';
    if (negative) ++position_;
    if (at_end() || !std::isdigit(static_cast<unsigned char>(peek()))) {
      position_ = start;
      fail("a non-negative int in 'shape'");
    }
    if (peek() == '0' && position_ + 1 < text_.size() &&
        std::isdigit(static_cast<unsigned char>(text_[position_ + 1]))) {
      fail("an int without leading zeros in 'shape'");
    }
    std::int64_t value = 0;
    while (!at_end() && std::isdigit(static_cast<unsigned char>(peek()))) {
      const int digit = peek() - '0';
      if (value > (std::numeric_limits<std::int64_t>::max() - digit) / 10) {
        position_ = start;
        fail("a dim of at most " + std::to_string(std::numeric_limits<std::int64_t>::max()));
      }
      value = value * 10 + digit;
      ++position_;
    }
    // Python 2 wrote longs as 5L; numpy still reads such version 1.0 and 2.0 files.
    if (allow_long_suffix_ && peek() == 'L') ++position_;
    if (negative) {
      position_ = start;
      fail("a non-negative dim in 'shape'", "-" + std::to_string(value));
    }
    return value;
  }

  std::string_view text_;
  std::size_t position_ = 0;
  bool allow_long_suffix_;
  const std::string& source_;
};

struct DtypeCode {
  std::string_view descr;
  Dtype dtype;
  bool big_endian;
};

constexpr std::array<DtypeCode, 7> kReadableDtypes = {{{"<f4", Dtype::Float32, false},
                                                       {">f4", Dtype::Float32, true},
                                                       {"<f8", Dtype::Float64, false},
                                                       {">f8", Dtype::Float64, true},
                                                       {"<i8", Dtype::Int64, false},
                                                       {">i8", Dtype::Int64, true},
                                                       {"|b1", Dtype::Bool, false}}};

const DtypeCode& find_dtype(const std::string& descr, const std::string& source) {
  for (const auto& code : kReadableDtypes) {
    if (code.descr == descr) return code;
  }
  std::string accepted;
  for (const auto& code : kReadableDtypes) {
    accepted += (accepted.empty() ? "'" : ", '") + std::string(code.descr) + "'";
  }
  fail_load(source,
            "unsupported dtype: expected one of " + accepted + ", got " + quote_bytes(descr));
}

std::byte* raw_data(const Tensor& tensor) {
  return visit_dtype(tensor.dtype(),
                     [&]<class T>() { return reinterpret_cast<std::byte*>(tensor.data_ptr<T>()); });
}

Tensor load(Source& source, const std::string& name) {
  const std::uint64_t file_size = source.size();
  constexpr std::size_t kPrefixBytes = kMagic.size() + kVersionBytes;
  std::array<char, kPrefixBytes> prefix{};
  const auto prefix_read =
      static_cast<std::size_t>(std::min<std::uint64_t>(file_size, kPrefixBytes));
  source.read(reinterpret_cast<std::byte*>(prefix.data()), prefix_read);
  const std::string_view prefix_view(prefix.data(), prefix_read);
  const std::size_t magic_read = std::min(prefix_read, kMagic.size());
  if (prefix_view.substr(0, magic_read) != kMagic.substr(0, magic_read)) {
    fail_load(name, "not a .npy file: expected the magic string " + quote_bytes(kMagic) +
                        " at the start, got " + quote_bytes(prefix_view.substr(0, magic_read)));
  }
  if (prefix_read < kPrefixBytes) {
    fail_load(name, "truncated header: expected at least " + std::to_string(kPrefixBytes) +
                        " bytes for the magic string and version, got " +
                        std::to_string(file_size));
  }
  const auto major = static_cast<unsigned char>(prefix[kMagic.size()]);
  const auto minor = static_cast<unsigned char>(prefix[kMagic.size() + 1]);
  if (minor != 0 || major < 1 || major > 3) {
    fail_load(name, "unsupported format version " + std::to_string(major) + "." +
                        std::to_string(minor) + ": expected 1.0, 2.0 or 3.0");
  }

  // Version 1.0 stores the header length in 2 bytes, 2.0 and 3.0 in 4, little endian.
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  if (file_size < kPrefixBytes + length_bytes) {
    fail_load(name, "truncated header: expected " + std::to_string(kPrefixBytes + length_bytes) +
                        " bytes for the magic string, version and header length, got " +
                        std::to_string(file_size));
  }
  std::array<unsigned char, 4> length_field{};
  source.read(reinterpret_cast<std::byte*>(length_field.data()), length_bytes);
  std::uint64_t header_length = 0;
  for (std::size_t i = length_bytes; i-- > 0;) {
    header_length = (header_length << 8) | length_field[i];
  }
  if (header_length > kMaxHeaderBytes) {
    fail_load(name, "header too long: expected at most " + std::to_string(kMaxHeaderBytes) +
                        " bytes, got a header length of " + std::to_string(header_length));
  }
  const std::uint64_t data_offset = kPrefixBytes + length_bytes + header_length;
  if (data_offset > file_size) {
    fail_load(name, "truncated header: the header length " + std::to_string(header_length) +
                        " goes past the end of the file: expected at most " +
                        std::to_string(file_size - kPrefixBytes - length_bytes) + ", got " +
                        std::to_string(header_length));
  }
  std::string header_text(header_length, '\0');
  source.read(reinterpret_cast<std::byte*>(header_text.data()), header_text.size());
  const Header header = HeaderParser(header_text, major < 3, name).parse();
  const DtypeCode& code = find_dtype(header.descr, name);

  std::int64_t numel = 1;
  for (const std::int64_t size : header.shape) {
    if (size != 0 && numel > std::numeric_limits<std::int64_t>::max() / size) {
      fail_load(name, "shape " + python_tuple(header.shape) +
                          " has too many elements: expected a count that fits in int64");
    }
    numel *= size;
  }
  const auto element_bytes = static_cast<std::int64_t>(itemsize(code.dtype));
  if (numel > std::numeric_limits<std::int64_t>::max() / element_bytes) {
    fail_load(name, "shape " + python_tuple(header.shape) + " of " + std::string(code.descr) +
                        " has too many bytes: expected a size that fits in int64");
  }
  const auto data_bytes = static_cast<std::uint64_t>(numel * element_bytes);
  if (data_bytes > file_size - data_offset) {
    fail_load(name, "truncated data: expected " + std::to_string(data_bytes) + " bytes for shape " +
                        python_tuple(header.shape) + " of " + std::string(code.descr) + ", got " +
                        std::to_string(file_size - data_offset));
  }

  // Fortran order is C order of the reversed shape; the reversed permutation of that is the
  // logical array.
  const bool transposed = header.fortran_order && header.shape.size() > 1;
  Shape stored_shape = header.shape;
  if (transposed) std::reverse(stored_shape.begin(), stored_shape.end());
  Tensor stored;
  try {
    stored = empty(stored_shape, code.dtype);
  } catch (const OutOfMemoryError& error) {
    throw OutOfMemoryError("load_npy: '" + name + "': " + error.what());
  }
  std::byte* data = raw_data(stored);
  source.read(data, static_cast<std::size_t>(data_bytes));
  if (code.big_endian) {
    for (std::uint64_t i = 0; i < data_bytes; i += static_cast<std::uint64_t>(element_bytes)) {
      std::reverse(data + i, data + i + element_bytes);
    }
  }
  if (code.dtype == Dtype::Bool) {
    for (std::uint64_t i = 0; i < data_bytes; ++i) data[i] = std::byte{data[i] != std::byte{0}};
  }
  if (!transposed) return stored;
  Shape reversed_dims(header.shape.size());
  for (std::size_t d = 0; d < reversed_dims.size(); ++d) {
    reversed_dims[d] = static_cast<std::int64_t>(reversed_dims.size() - 1 - d);
  }
  return stored.permute(reversed_dims).clone();
}

std::string_view descr_of(Dtype dtype) {
  switch (dtype) {
    case Dtype::Float32:
      return "<f4";
    case Dtype::Float64:
      return "<f8";
    case Dtype::Int64:
      return "<i8";
    case Dtype::Bool:
      break;
  }
  return "|b1";
}

// The magic string, version, header length and header dict exactly as np.save writes them.
std::string npy_header(const Tensor& tensor) {
  std::string dict = "{'descr': '" + std::string(descr_of(tensor.dtype())) +
                     "', 'fortran_order': False, 'shape': " + python_tuple(tensor.sizes()) + ", }";
  if (tensor.dim() > 0) {
    dict.append(kGrowthAxisMaxDigits - std::to_string(tensor.size(0)).size(), ' ');
  }
  const std::size_t text_bytes = dict.size() + 1;  // with the closing '\n'
  // numpy pads to the next multiple of 64, adding a full 64 when already aligned.
  auto padding = [&](std::size_t length_bytes) {
    return kArrayAlign - (kMagic.size() + kVersionBytes + length_bytes + text_bytes) % kArrayAlign;
  };
  const bool fits_version_1 = text_bytes + padding(2) <= std::numeric_limits<std::uint16_t>::max();
  const std::size_t length_bytes = fits_version_1 ? 2 : 4;
  const std::size_t header_length = text_bytes + padding(length_bytes);

  std::string out(kMagic);
  out += static_cast<char>(fits_version_1 ? 1 : 2);
  out += '\0';
  for (std::size_t i = 0; i < length_bytes; ++i) {
    out += static_cast<char>((header_length >> (8 * i)) & 0xff);
  }
  out += dict;
  out.append(padding(length_bytes), ' ');
  out += '\n';
  return out;
}

void check_defined(const Tensor& tensor, const char* op) {
  if (!tensor.defined()) throw ValueError(std::string(op) + ": the tensor is undefined");
}

std::span<const std::byte> data_bytes(const Tensor& contiguous) {
  return {raw_data(contiguous),
          static_cast<std::size_t>(contiguous.numel()) * itemsize(contiguous.dtype())};
}

}  // namespace

Tensor load_npy(const std::string& path) {
  FileSource source(path);
  return load(source, path);
}

Tensor load_npy_bytes(std::span<const std::byte> bytes, const std::string& source_name) {
  SpanSource source(bytes);
  return load(source, source_name);
}

std::vector<std::byte> to_npy_bytes(const Tensor& tensor) {
  check_defined(tensor, "to_npy_bytes");
  const Tensor contiguous = tensor.contiguous();
  const std::string header = npy_header(contiguous);
  const auto data = data_bytes(contiguous);
  std::vector<std::byte> out(header.size() + data.size());
  std::memcpy(out.data(), header.data(), header.size());
  std::copy(data.begin(), data.end(), out.begin() + static_cast<std::ptrdiff_t>(header.size()));
  return out;
}

void save_npy(const std::string& path, const Tensor& tensor) {
  check_defined(tensor, "save_npy");
  const Tensor contiguous = tensor.contiguous();
  const std::string header = npy_header(contiguous);
  const std::span<const std::byte> pieces[] = {std::as_bytes(std::span(header)),
                                               data_bytes(contiguous)};
  io_detail::write_file_atomically("save_npy", path, pieces);
}

}  // namespace activ
