// safetensors reading and writing; see include/activ/safetensors.h for what is accepted and
// produced.
#include "activ/safetensors.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "io/file_io.h"

namespace activ {
namespace {

using io_detail::quote_bytes;

// Tensor data is stored little endian: the host's own order.
static_assert(std::endian::native == std::endian::little,
              "activ's safetensors I/O assumes a little-endian host");

constexpr std::size_t kLengthBytes = 8;
// The reference implementation's MAX_HEADER_SIZE.
constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;
constexpr std::size_t kHeaderAlign = 8;
constexpr std::string_view kMetadataKey = "__metadata__";
// Names are user text of any length: messages show this many bytes of them.
constexpr std::size_t kNameShown = 80;

struct DtypeName {
  std::string_view name;
  Dtype dtype;
};

constexpr std::array<DtypeName, 4> kReadableDtypes = {{{"F32", Dtype::Float32},
                                                       {"F64", Dtype::Float64},
                                                       {"I64", Dtype::Int64},
                                                       {"BOOL", Dtype::Bool}}};

// The format's other dtypes, refused with a message saying activ cannot hold them (rather than
// that the file is malformed).
constexpr std::array<std::string_view, 16> kOtherFormatDtypes = {
    "F16", "BF16", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4",
    "C64", "I8",   "I16",     "I32",     "U8",      "U16",     "U32",     "U64"};

std::string_view format_name(Dtype dtype) {
  for (const auto& entry : kReadableDtypes) {
    if (entry.dtype == dtype) return entry.name;
  }
  return "?";
}

std::string tensor_label(const std::string& name) {
  return "tensor " + quote_bytes(name, kNameShown);
}

std::string offsets_str(std::uint64_t begin, std::uint64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

// One tensor entry of the header, checked on its own: readable dtype, shape, offsets that span
// exactly its bytes.
struct Entry {
  std::string name;
  Dtype dtype = Dtype::Float32;
  Shape shape;
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};

struct Header {
  std::vector<Entry> entries;  // sorted by data offsets
  std::map<std::string, std::string> metadata;
  std::uint64_t data_bytes = 0;
};

// Builds the entries while the JSON is parsed, so memory stays proportional to what a valid
// header describes: shapes stop at kMaxDims, nesting at the depth the format uses.
class HeaderReader final : public nlohmann::json_sax<nlohmann::json> {
 public:
  HeaderReader(std::string_view op, const std::string& source) : op_(op), source_(source) {}

  Header take() { return std::move(header_); }

  bool null() override { return value("null"); }
  bool boolean(bool) override { return value("a boolean"); }
  bool number_integer(number_integer_t number) override {
    if (state_ == State::kShape || state_ == State::kOffsets) {
      if (number >= 0) return unsigned_number(static_cast<std::uint64_t>(number));
      fail(where() + ": expected non-negative integers in " + quoted_key() + ", got " +
           std::to_string(number));
    }
    return value("a number");
  }
  bool number_unsigned(number_unsigned_t number) override {
    if (state_ == State::kShape || state_ == State::kOffsets) return unsigned_number(number);
    return value("a number");
  }
  bool number_float(number_float_t, const string_t& text) override {
    if (state_ == State::kShape || state_ == State::kOffsets) {
      fail(where() + ": expected non-negative integers of at most " +
           std::to_string(state_ == State::kShape ? std::numeric_limits<std::int64_t>::max()
                                                  : std::numeric_limits<std::uint64_t>::max()) +
           " in " + quoted_key() + ", got " + quote_bytes(text));
    }
    return value("a number");
  }
  bool string(string_t& text) override {
    if (state_ == State::kEntry && key_ == "dtype") {
      dtype_name_ = text;
      return true;
    }
    if (state_ == State::kMetadata) {
      header_.metadata.emplace(key_, text);
      return true;
    }
    return value("a string");
  }
  bool binary(binary_t&) override { return value("binary data"); }

  bool start_object(std::size_t) override {
    switch (state_) {
      case State::kStart:
        state_ = State::kTop;
        return true;
      case State::kTop:
        state_ = key_ == kMetadataKey ? State::kMetadata : State::kEntry;
        entry_ = Entry{key_, Dtype::Float32, {}, 0, 0};
        entry_keys_.clear();
        dtype_name_.reset();
        return true;
      default:
        return value("an object");
    }
  }
  bool key(string_t& name) override {
    key_ = name;
    if (state_ == State::kTop) {
      if (!names_.insert(name).second) {
        fail("header repeats the key " + quote_bytes(name, kNameShown) +
             ": expected each tensor name once");
      }
    } else if (state_ == State::kMetadata) {
      if (header_.metadata.count(name) != 0) {
        fail("header repeats the key " + quote_bytes(name, kNameShown) +
             " in \"__metadata__\": expected each key once");
      }
    } else if (state_ == State::kEntry) {
      static constexpr std::array<std::string_view, 3> kKeys = {"dtype", "shape", "data_offsets"};
      if (std::find(kKeys.begin(), kKeys.end(), name) == kKeys.end() ||
          !entry_keys_.insert(name).second) {
        fail(where() +
             ": expected only the keys \"dtype\", \"shape\" and \"data_offsets\", each once, "
             "got " +
             (entry_keys_.count(name) != 0 ? "the key " + quote_bytes(name) + " again"
                                           : "the key " + quote_bytes(name)));
      }
    }
    return true;
  }
  bool end_object() override {
    if (state_ == State::kEntry) {
      finish_entry();
    } else if (state_ == State::kTop) {
      state_ = State::kDone;
      return true;
    }
    state_ = State::kTop;
    return true;
  }
  bool start_array(std::size_t) override {
    if (state_ == State::kEntry && (key_ == "shape" || key_ == "data_offsets")) {
      state_ = key_ == "shape" ? State::kShape : State::kOffsets;
      offsets_.clear();
      return true;
    }
    return value("an array");
  }
  bool end_array() override {
    if (state_ == State::kOffsets && offsets_.size() != 2) {
      fail(where() + ": expected 2 integers [begin, end] in \"data_offsets\", got " +
           std::to_string(offsets_.size()));
    }
    if (state_ == State::kOffsets) {
      entry_.begin = offsets_[0];
      entry_.end = offsets_[1];
    }
    state_ = State::kEntry;
    return true;
  }

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& error) override {
    // what() is "[json.exception.parse_error.101] parse error at line 1, column 2: <problem>",
    // or "[json.exception.out_of_range.406] <problem>" for numbers out of range.
    std::string_view problem = error.what();
    problem.remove_prefix(std::min(problem.size(), problem.find("] ") + 2));
    if (problem.starts_with("parse error")) problem.remove_prefix(problem.find(": ") + 2);
    // position counts the bytes read, the offending one included.
    fail("header is not valid JSON: at header byte " + std::to_string(position - 1) + ", " +
         std::string(problem));
  }

 private:
  enum class State { kStart, kTop, kEntry, kShape, kOffsets, kMetadata, kDone };

  [[noreturn]] void fail(const std::string& problem) const {
    io_detail::fail(op_, source_, problem);
  }

  std::string where() const {
    return state_ == State::kMetadata ? std::string("\"__metadata__\"") : tensor_label(entry_.name);
  }
  std::string quoted_key() const { return "\"" + key_ + "\""; }

  // A value the state does not expect, described as what.
  bool value(const std::string& what) {
    switch (state_) {
      case State::kTop:
        fail(key_ == kMetadataKey
                 ? "header maps \"__metadata__\" to " + what + ": expected an object of strings"
                 : "header maps " + tensor_label(key_) + " to " + what +
                       ": expected an object with \"dtype\", \"shape\" and \"data_offsets\"");
      case State::kMetadata:
        fail("\"__metadata__\" maps " + quote_bytes(key_, kNameShown) + " to " + what +
             ": expected a string");
      case State::kShape:
      case State::kOffsets:
        fail(where() + ": expected integers in " + quoted_key() + ", got " + what);
      case State::kEntry:
        fail(where() + ": expected " +
             (key_ == "dtype" ? std::string("a string") : std::string("an array of integers")) +
             " for " + quoted_key() + ", got " + what);
      case State::kStart:
      case State::kDone:
        break;
    }
    fail("header is not a JSON object: got " + what);
  }

  bool unsigned_number(std::uint64_t number) {
    if (state_ == State::kOffsets) {
      if (offsets_.size() == 2) {
        fail(where() + ": expected 2 integers [begin, end] in \"data_offsets\", got more");
      }
      offsets_.push_back(number);
      return true;
    }
    if (static_cast<std::int64_t>(entry_.shape.size()) == kMaxDims) {
      fail(where() + ": expected at most " + std::to_string(kMaxDims) +
           " dims in \"shape\", got more");
    }
    if (number > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      fail(where() + ": expected dims of at most " +
           std::to_string(std::numeric_limits<std::int64_t>::max()) + " in \"shape\", got " +
           std::to_string(number));
    }
    entry_.shape.push_back(static_cast<std::int64_t>(number));
    return true;
  }

  void finish_entry() {
    for (const char* key : {"dtype", "shape", "data_offsets"}) {
      if (entry_keys_.count(key) == 0) {
        fail(where() + ": expected the keys \"dtype\", \"shape\" and \"data_offsets\", got no \"" +
             key + "\"");
      }
    }
    const auto readable =
        std::find_if(kReadableDtypes.begin(), kReadableDtypes.end(),
                     [&](const DtypeName& entry) { return entry.name == *dtype_name_; });
    if (readable == kReadableDtypes.end()) {
      const bool known = std::find(kOtherFormatDtypes.begin(), kOtherFormatDtypes.end(),
                                   *dtype_name_) != kOtherFormatDtypes.end();
      fail(where() + " has the dtype " + quote_bytes(*dtype_name_) +
           (known ? ", which activ does not support" : ", which is not a safetensors dtype") +
           ": expected one of 'F32', 'F64', 'I64', 'BOOL'");
    }
    entry_.dtype = readable->dtype;

    if (entry_.end < entry_.begin) {
      fail(where() + ": data_offsets " + offsets_str(entry_.begin, entry_.end) +
           " end before they begin");
    }
    std::int64_t numel = 1;
    for (const std::int64_t size : entry_.shape) {
      if (size != 0 && numel > std::numeric_limits<std::int64_t>::max() / size) {
        fail(where() + ": shape " + python_tuple(entry_.shape) +
             " has too many elements: expected a count that fits in int64");
      }
      numel *= size;
    }
    const auto element_bytes = static_cast<std::int64_t>(itemsize(entry_.dtype));
    if (numel > std::numeric_limits<std::int64_t>::max() / element_bytes) {
      fail(where() + ": shape " + python_tuple(entry_.shape) + " of " + *dtype_name_ +
           " has too many bytes: expected a size that fits in int64");
    }
    const auto bytes = static_cast<std::uint64_t>(numel * element_bytes);
    if (entry_.end - entry_.begin != bytes) {
      fail(where() + ": data_offsets " + offsets_str(entry_.begin, entry_.end) + " hold " +
           std::to_string(entry_.end - entry_.begin) + " bytes, expected " + std::to_string(bytes) +
           " for shape " + python_tuple(entry_.shape) + " of " + *dtype_name_);
    }
    header_.entries.push_back(std::move(entry_));
  }

  std::string_view op_;
  const std::string& source_;
  State state_ = State::kStart;
  std::string key_;
  std::unordered_set<std::string> names_;
  Entry entry_;
  std::unordered_set<std::string> entry_keys_;
  std::optional<std::string> dtype_name_;
  std::vector<std::uint64_t> offsets_;
  Header header_;
};

// The tensors, in data order, must tile [0, data_bytes) exactly.
void check_layout(std::vector<Entry>& entries, std::uint64_t data_bytes, std::string_view op,
                  const std::string& source) {
  // Tensors of no elements may share an offset: they keep the header's order.
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::pair(a.begin, a.end) < std::pair(b.begin, b.end);
  });
  std::uint64_t covered = 0;
  const Entry* previous = nullptr;
  for (const Entry& entry : entries) {
    const std::string where =
        tensor_label(entry.name) + " at data_offsets " + offsets_str(entry.begin, entry.end);
    if (entry.begin < covered) {
      io_detail::fail(op, source,
                      where + " overlaps " + tensor_label(previous->name) + " at data_offsets " +
                          offsets_str(previous->begin, previous->end) +
                          ": expected tensors that do not overlap");
    }
    if (entry.begin > covered) {
      io_detail::fail(op, source,
                      "bytes [" + std::to_string(covered) + ", " + std::to_string(entry.begin) +
                          ") of the data buffer belong to no tensor: expected " + where +
                          " to begin at " + std::to_string(covered));
    }
    if (entry.end > data_bytes) {
      io_detail::fail(op, source,
                      "truncated data: " + where + " goes past the end of the " +
                          std::to_string(data_bytes) + "-byte data buffer");
    }
    covered = entry.end;
    previous = &entry;
  }
  if (covered != data_bytes) {
    io_detail::fail(op, source,
                    "the data buffer has " + std::to_string(data_bytes - covered) +
                        " bytes after the last tensor: expected the tensors to cover its " +
                        std::to_string(data_bytes) + " bytes exactly");
  }
}

// Reads and checks the length field and the header; leaves source at the data buffer.
Header read_header(io_detail::ByteSource& source, std::string_view op, const std::string& name) {
  const std::uint64_t file_size = source.size();
  if (file_size < kLengthBytes) {
    io_detail::fail(op, name,
                    "truncated header: expected at least 8 bytes for the header length, got " +
                        std::to_string(file_size));
  }
  std::array<unsigned char, kLengthBytes> length_field{};
  source.read(reinterpret_cast<std::byte*>(length_field.data()), kLengthBytes);
  std::uint64_t header_length = 0;
  for (std::size_t i = kLengthBytes; i-- > 0;) {
    header_length = (header_length << 8) | length_field[i];
  }
  if (header_length > kMaxHeaderBytes) {
    io_detail::fail(op, name,
                    "header too long: expected at most " + std::to_string(kMaxHeaderBytes) +
                        " bytes, got a header length of " + std::to_string(header_length));
  }
  if (header_length > file_size - kLengthBytes) {
    io_detail::fail(op, name,
                    "truncated header: the header length " + std::to_string(header_length) +
                        " goes past the end of the file: expected at most " +
                        std::to_string(file_size - kLengthBytes) + ", got " +
                        std::to_string(header_length));
  }
  std::string text(header_length, '\0');
  source.read(reinterpret_cast<std::byte*>(text.data()), text.size());
  // As the reference reader: JSON that is not an object, or starts with whitespace, is refused.
  if (text.empty() || text.front() != '{') {
    io_detail::fail(op, name,
                    "header is not a JSON object: expected '{' as its first byte, got " +
                        (text.empty() ? std::string("an empty header") : quote_bytes(text)));
  }
  // The JSON parser takes a NUL byte for the end of its input; valid JSON has none.
  if (const std::size_t nul = text.find('\0'); nul != std::string::npos) {
    io_detail::fail(op, name,
                    "header is not valid JSON: at header byte " + std::to_string(nul) +
                        ", expected no NUL byte, got " + quote_bytes(text.substr(nul)));
  }
  HeaderReader reader(op, name);
  nlohmann::json::sax_parse(text, &reader);
  Header header = reader.take();
  header.data_bytes = file_size - kLengthBytes - header_length;
  check_layout(header.entries, header.data_bytes, op, name);
  return header;
}

std::byte* raw_data(const Tensor& tensor) {
  return visit_dtype(tensor.dtype(),
                     [&]<class T>() { return reinterpret_cast<std::byte*>(tensor.data_ptr<T>()); });
}

NamedTensors load(io_detail::ByteSource& source, const std::string& name) {
  const Header header = read_header(source, "load_safetensors", name);
  NamedTensors out;
  out.reserve(header.entries.size());
  // The entries tile the buffer in order, so reading them in turn follows the file.
  for (const Entry& entry : header.entries) {
    Tensor tensor;
    try {
      tensor = empty(entry.shape, entry.dtype);
    } catch (const OutOfMemoryError& error) {
      throw OutOfMemoryError("load_safetensors: '" + name + "': tensor '" + entry.name +
                             "': " + error.what());
    }
    const auto bytes = static_cast<std::size_t>(entry.end - entry.begin);
    if (bytes > 0) {
      std::byte* data = raw_data(tensor);
      source.read(data, bytes);
      if (entry.dtype == Dtype::Bool) {
        for (std::size_t i = 0; i < bytes; ++i) data[i] = std::byte{data[i] != std::byte{0}};
      }
    }
    out.emplace_back(entry.name, std::move(tensor));
  }
  return out;
}

// A string as a JSON string literal, as serde_json writes it (UTF-8 kept, controls escaped).
std::string json_string(std::string_view op, const std::string& text, const char* what) {
  try {
    return nlohmann::json(text).dump();
  } catch (const nlohmann::json::type_error&) {
    throw ValueError(std::string(op) + ": " + what + " " + quote_bytes(text, kNameShown) +
                     " is not valid UTF-8: expected UTF-8 text");
  }
}

// The header (length field included) and the contiguous tensors to write after it.
struct Prepared {
  std::string header;
  std::vector<Tensor> tensors;
};

Prepared prepare(std::string_view op, const NamedTensors& tensors,
                 const std::map<std::string, std::string>& metadata) {
  std::string json = "{";
  if (!metadata.empty()) {
    json += "\"__metadata__\":{";
    for (const auto& [key, text] : metadata) {
      if (json.back() != '{') json += ',';
      json += json_string(op, key, "the metadata key");
      json += ':';
      json += json_string(op, text, "the metadata value");
    }
    json += '}';
  }
  Prepared prepared;
  prepared.tensors.reserve(tensors.size());
  std::unordered_set<std::string_view> names;
  std::uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    if (!tensor.defined()) {
      throw ValueError(std::string(op) + ": " + tensor_label(name) + " is undefined");
    }
    if (name == kMetadataKey) {
      throw ValueError(std::string(op) +
                       ": the name '__metadata__' is reserved for the metadata: expected another "
                       "tensor name");
    }
    if (!names.insert(name).second) {
      throw ValueError(std::string(op) + ": the name " + quote_bytes(name, kNameShown) +
                       " repeats: expected each tensor name once");
    }
    const Tensor contiguous = tensor.contiguous();
    const std::uint64_t bytes =
        static_cast<std::uint64_t>(contiguous.numel()) * itemsize(contiguous.dtype());
    if (json.back() != '{') json += ',';
    json += json_string(op, name, "the tensor name");
    json += ":{\"dtype\":\"";
    json += format_name(contiguous.dtype());
    json += "\",\"shape\":[";
    for (std::size_t d = 0; d < contiguous.sizes().size(); ++d) {
      if (d > 0) json += ',';
      json += std::to_string(contiguous.sizes()[d]);
    }
    json += "],\"data_offsets\":[" + std::to_string(offset) + "," + std::to_string(offset + bytes) +
            "]}";
    offset += bytes;
    prepared.tensors.push_back(contiguous);
  }
  json += '}';
  json.append((kHeaderAlign - json.size() % kHeaderAlign) % kHeaderAlign, ' ');
  if (json.size() > kMaxHeaderBytes) {
    throw ValueError(std::string(op) + ": the header would be " + std::to_string(json.size()) +
                     " bytes: expected at most " + std::to_string(kMaxHeaderBytes) +
                     ", which readers accept");
  }
  for (std::size_t i = 0; i < kLengthBytes; ++i) {
    prepared.header += static_cast<char>((json.size() >> (8 * i)) & 0xff);
  }
  prepared.header += json;
  return prepared;
}

std::span<const std::byte> data_bytes(const Tensor& contiguous) {
  if (contiguous.numel() == 0) return {};
  return {raw_data(contiguous),
          static_cast<std::size_t>(contiguous.numel()) * itemsize(contiguous.dtype())};
}

}  // namespace

NamedTensors load_safetensors(const std::string& path) {
  io_detail::FileSource source("load_safetensors", path);
  return load(source, path);
}

NamedTensors load_safetensors_bytes(std::span<const std::byte> bytes,
                                    const std::string& source_name) {
  io_detail::SpanSource source(bytes);
  return load(source, source_name);
}

std::map<std::string, std::string> load_safetensors_metadata(const std::string& path) {
  io_detail::FileSource source("load_safetensors_metadata", path);
  return read_header(source, "load_safetensors_metadata", path).metadata;
}

std::map<std::string, std::string> load_safetensors_metadata_bytes(std::span<const std::byte> bytes,
                                                                   const std::string& source_name) {
  io_detail::SpanSource source(bytes);
  return read_header(source, "load_safetensors_metadata", source_name).metadata;
}

std::vector<std::byte> to_safetensors_bytes(const NamedTensors& tensors,
                                            const std::map<std::string, std::string>& metadata) {
  const Prepared prepared = prepare("to_safetensors_bytes", tensors, metadata);
  std::vector<std::byte> out;
  const auto header = std::as_bytes(std::span(prepared.header));
  out.insert(out.end(), header.begin(), header.end());
  for (const Tensor& tensor : prepared.tensors) {
    const auto data = data_bytes(tensor);
    out.insert(out.end(), data.begin(), data.end());
  }
  return out;
}

void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata) {
  const Prepared prepared = prepare("save_safetensors", tensors, metadata);
  std::vector<std::span<const std::byte>> pieces;
  pieces.reserve(prepared.tensors.size() + 1);
  pieces.push_back(std::as_bytes(std::span(prepared.header)));
  for (const Tensor& tensor : prepared.tensors) pieces.push_back(data_bytes(tensor));
  io_detail::write_file_atomically("save_safetensors", path, pieces);
}

}  // namespace activ
