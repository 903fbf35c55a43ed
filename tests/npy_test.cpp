// .npy reading and writing: numpy-written fixtures (tools/gen_npy_fixtures.py), byte-identical
// output, round trips, malformed input and the temporary-file-then-rename writer.
#include "activ/npy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using activ::Dtype;
using activ::Shape;
using activ::Tensor;

const fs::path kFixtureDir = fs::path(ACTIV_TEST_DATA_DIR) / "npy";

std::vector<std::byte> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto bytes = std::as_bytes(std::span(content));
  return {bytes.begin(), bytes.end()};
}

nlohmann::json fixtures() {
  std::ifstream in(kFixtureDir / "expected.json");
  return nlohmann::json::parse(in).at("files");
}

Dtype dtype_named(const std::string& name) {
  if (name == "float32") return activ::float32;
  if (name == "float64") return activ::float64;
  if (name == "int64") return activ::int64;
  EXPECT_EQ(name, "bool");
  return activ::bool_;
}

// The raw element bytes of a tensor in C order: equal bytes mean equal values, NaN payloads and
// the sign of zero included.
std::vector<std::byte> element_bytes(const Tensor& tensor) {
  const Tensor dense = tensor.contiguous();
  return activ::visit_dtype(dense.dtype(), [&]<class T>() {
    const auto* begin = reinterpret_cast<const std::byte*>(dense.data_ptr<T>());
    return std::vector<std::byte>(begin, begin + dense.numel() * sizeof(T));
  });
}

template <class T>
void expect_values(const Tensor& tensor, const nlohmann::json& values) {
  const std::vector<T> got = tensor.to_vector<T>();
  ASSERT_EQ(got.size(), values.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE("element " + std::to_string(i));
    if constexpr (std::is_floating_point_v<T>) {
      if (values[i].is_string()) {
        const std::string special = values[i].get<std::string>();
        if (special == "nan") {
          EXPECT_TRUE(std::isnan(got[i])) << got[i];
        } else {
          EXPECT_EQ(got[i], special == "inf" ? INFINITY : -INFINITY);
        }
      } else {
        const T want = static_cast<T>(values[i].get<double>());
        EXPECT_EQ(got[i], want);
        EXPECT_EQ(std::signbit(got[i]), std::signbit(want));
      }
    } else {
      EXPECT_EQ(got[i], values[i].get<T>());
    }
  }
}

TEST(NpyFixtures, EveryFixtureLoadsWithNumpysValues) {
  const nlohmann::json files = fixtures();
  ASSERT_EQ(files.size(), 23u);
  for (const auto& [name, expected] : files.items()) {
    SCOPED_TRACE(name);
    const Tensor tensor = activ::load_npy((kFixtureDir / name).string());
    ASSERT_EQ(tensor.dtype(), dtype_named(expected.at("dtype")));
    EXPECT_EQ(tensor.sizes(), expected.at("shape").get<Shape>());
    EXPECT_TRUE(tensor.is_contiguous());
    activ::visit_dtype(tensor.dtype(),
                       [&]<class T>() { expect_values<T>(tensor, expected.at("values")); });
  }
}

TEST(NpyFixtures, LoadFromBytesEqualsLoadFromFile) {
  const nlohmann::json files = fixtures();
  for (const auto& [name, expected] : files.items()) {
    SCOPED_TRACE(name);
    const fs::path path = kFixtureDir / name;
    const Tensor from_file = activ::load_npy(path.string());
    const Tensor from_bytes = activ::load_npy_bytes(read_bytes(path), name);
    EXPECT_EQ(from_bytes.dtype(), from_file.dtype());
    EXPECT_EQ(from_bytes.sizes(), from_file.sizes());
    EXPECT_EQ(element_bytes(from_bytes), element_bytes(from_file));
  }
}

// activ writes what np.save writes: for every fixture, the numpy-written C-order,
// little-endian version 1.0 file of the same array.
TEST(NpyFixtures, WriterOutputIsByteIdenticalToNumpys) {
  const nlohmann::json files = fixtures();
  for (const auto& [name, expected] : files.items()) {
    SCOPED_TRACE(name);
    const Tensor tensor = activ::load_npy((kFixtureDir / name).string());
    const auto numpy_bytes =
        read_bytes(kFixtureDir / expected.at("same_bytes_as").get<std::string>());
    ASSERT_FALSE(numpy_bytes.empty());
    EXPECT_EQ(activ::to_npy_bytes(tensor), numpy_bytes);
  }
}

// --- round trips -----------------------------------------------------------------------------

// A tensor whose values cover signs, fractions, large magnitudes and, for floats, -0, inf, nan.
Tensor patterned(const Shape& shape, Dtype dtype) {
  Tensor tensor = activ::empty(shape, dtype);
  activ::visit_dtype(dtype, [&]<class T>() {
    T* data = tensor.data_ptr<T>();
    for (std::int64_t i = 0; i < tensor.numel(); ++i) {
      if constexpr (std::is_same_v<T, bool>) {
        data[i] = i % 3 == 0;
      } else if constexpr (std::is_integral_v<T>) {
        data[i] = (i % 2 == 0 ? 1 : -1) * i * 1234567890123;
      } else {
        static constexpr T kSpecial[] = {-0.0, INFINITY, -INFINITY, NAN};
        data[i] = i < 4 ? kSpecial[i] : static_cast<T>(i) * static_cast<T>(0.37) - 3;
      }
    }
  });
  return tensor;
}

class NpyFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("activ_npy_test_" + std::to_string(::getpid()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(directory_);
    fs::create_directories(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }

  std::vector<std::string> directory_listing() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(directory_)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  fs::path directory_;
};

TEST_F(NpyFiles, SaveThenLoadGivesTheSameTensorForEveryDtypeAndShape) {
  const std::vector<Shape> shapes = {
      {}, {0}, {2, 0}, {0, 3, 0}, {1}, {7}, {2, 3}, {2, 3, 4}, {1, 1, 1, 1, 1, 1, 1, 2}};
  for (const Dtype dtype : {activ::float32, activ::float64, activ::int64, activ::bool_}) {
    for (const Shape& shape : shapes) {
      SCOPED_TRACE(std::string(activ::name(dtype)) + " " + activ::shape_str(shape));
      const Tensor original = patterned(shape, dtype);
      const std::string path = (directory_ / "x.npy").string();
      activ::save_npy(path, original);
      const Tensor loaded = activ::load_npy(path);
      EXPECT_EQ(loaded.dtype(), dtype);
      EXPECT_EQ(loaded.sizes(), shape);
      EXPECT_EQ(element_bytes(loaded), element_bytes(original));
      EXPECT_EQ(read_bytes(path), activ::to_npy_bytes(original));
    }
  }
}

TEST_F(NpyFiles, NonContiguousTensorsAreWrittenInLogicalOrder) {
  const Tensor base = patterned({4, 6}, activ::float64);
  const std::vector<std::pair<std::string, Tensor>> views = {
      {"transpose", base.t()},
      {"step slice", base.slice(1, 1, 6, 2)},
      {"narrow with offset", base.narrow(0, 1, 2)},
      {"expanded", patterned({1, 6}, activ::float64).expand({3, 6})},
      {"permuted 3-d", patterned({2, 3, 4}, activ::float64).permute({2, 0, 1})},
      {"bool transpose", patterned({3, 5}, activ::bool_).t()},
      {"int64 column", patterned({4, 3}, activ::int64).select(1, 2)},
  };
  for (const auto& [label, view] : views) {
    SCOPED_TRACE(label);
    const std::string path = (directory_ / "view.npy").string();
    activ::save_npy(path, view);
    const Tensor loaded = activ::load_npy(path);
    EXPECT_EQ(loaded.sizes(), view.sizes());
    EXPECT_EQ(element_bytes(loaded), element_bytes(view));
    EXPECT_EQ(activ::to_npy_bytes(view), activ::to_npy_bytes(view.contiguous()));
  }
}

TEST(NpyWriter, HeaderIsPaddedToAMultipleOf64BytesAndEndsWithANewline) {
  for (const Shape& shape : {Shape{}, Shape{3}, Shape{123456789, 0}, Shape{0, 9223372036854775807},
                             Shape{0, 1000000000000000000, 100000000000000000}}) {
    SCOPED_TRACE(activ::shape_str(shape));
    const Tensor tensor = activ::empty(shape, activ::float32);
    const auto bytes = activ::to_npy_bytes(tensor);
    const std::size_t data_bytes = static_cast<std::size_t>(tensor.numel()) * 4;
    ASSERT_EQ((bytes.size() - data_bytes) % 64, 0u);
    const std::size_t header_length =
        std::to_integer<std::size_t>(bytes[8]) | std::to_integer<std::size_t>(bytes[9]) << 8;
    EXPECT_EQ(10 + header_length + data_bytes, bytes.size());
    EXPECT_EQ(bytes[9 + header_length], std::byte{'\n'});
  }
  // This header is 128 bytes before padding: numpy still pads, by a full 64 bytes.
  EXPECT_EQ(activ::to_npy_bytes(activ::empty({0, 1000000000000000000, 100000000000000000})).size(),
            192u);
}

// --- malformed input -------------------------------------------------------------------------

// A .npy file with the given header text and data; the header length field says header.size().
std::string npy_file(std::string_view header, std::string_view data = "", char major = 1) {
  std::string out("\x93NUMPY", 6);
  out += major;
  out += '\0';
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  for (std::size_t i = 0; i < length_bytes; ++i) {
    out += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  }
  out += header;
  out += data;
  return out;
}

std::string dict(std::string_view descr, std::string_view shape,
                 std::string_view fortran = "False") {
  return "{'descr': '" + std::string(descr) + "', 'fortran_order': " + std::string(fortran) +
         ", 'shape': " + std::string(shape) + ", }\n";
}

Tensor load_string(const std::string& content) {
  return activ::load_npy_bytes(std::as_bytes(std::span(content)), "bad.npy");
}

// The message of the IoError that loading content raises.
std::string load_error(const std::string& content) {
  try {
    load_string(content);
  } catch (const activ::IoError& error) {
    return error.what();
  } catch (const std::exception& error) {
    return std::string("not an IoError: ") + error.what();
  }
  return "no error";
}

TEST(NpyMalformed, WrongMagicString) {
  EXPECT_EQ(load_error("PK\x03\x04 a zip file, not an array"),
            "load_npy: 'bad.npy': not a .npy file: expected the magic string '\\x93NUMPY' at the "
            "start, got 'PK\\x03\\x04 a'");
  EXPECT_EQ(load_error("\x93NUMPz"),
            "load_npy: 'bad.npy': not a .npy file: expected the magic string '\\x93NUMPY' at the "
            "start, got '\\x93NUMPz'");
}

TEST(NpyMalformed, UnsupportedVersion) {
  const std::string header = dict("<f4", "(1,)");
  EXPECT_EQ(load_error(npy_file(header, "abcd", 4)),
            "load_npy: 'bad.npy': unsupported format version 4.0: expected 1.0, 2.0 or 3.0");
  EXPECT_EQ(load_error(npy_file(header, "abcd", 0)),
            "load_npy: 'bad.npy': unsupported format version 0.0: expected 1.0, 2.0 or 3.0");
  std::string minor_one = npy_file(header, "abcd");
  minor_one[7] = 1;
  EXPECT_EQ(load_error(minor_one),
            "load_npy: 'bad.npy': unsupported format version 1.1: expected 1.0, 2.0 or 3.0");
}

TEST(NpyMalformed, TruncatedPreamble) {
  EXPECT_EQ(load_error(""),
            "load_npy: 'bad.npy': truncated header: expected at least 8 bytes for the magic "
            "string and version, got 0");
  EXPECT_EQ(load_error("\x93NUM"),
            "load_npy: 'bad.npy': truncated header: expected at least 8 bytes for the magic "
            "string and version, got 4");
  EXPECT_EQ(load_error(npy_file("").substr(0, 9)),
            "load_npy: 'bad.npy': truncated header: expected 10 bytes for the magic string, "
            "version and header length, got 9");
  EXPECT_EQ(load_error(npy_file("", "", 2).substr(0, 11)),
            "load_npy: 'bad.npy': truncated header: expected 12 bytes for the magic string, "
            "version and header length, got 11");
}

TEST(NpyMalformed, HeaderLengthPastTheEndOfTheFile) {
  const std::string file = npy_file(dict("<f4", "(2, 3)"));
  EXPECT_EQ(load_error(file.substr(0, 40)),
            "load_npy: 'bad.npy': truncated header: the header length 60 goes past the end of "
            "the file: expected at most 30, got 60");
}

TEST(NpyMalformed, HeaderTooLong) {
  std::string file = npy_file(std::string(10001, ' '), "", 2);
  EXPECT_EQ(load_error(file),
            "load_npy: 'bad.npy': header too long: expected at most 10000 bytes, got a header "
            "length of 10001");
  file.replace(8, 4, "\xff\xff\xff\xff");
  EXPECT_EQ(load_error(file),
            "load_npy: 'bad.npy': header too long: expected at most 10000 bytes, got a header "
            "length of 4294967295");
}

TEST(NpyMalformed, HeaderNotADictLiteral) {
  const std::string prefix = "load_npy: 'bad.npy': header is not a valid .npy header dict: ";
  EXPECT_EQ(load_error(npy_file("['<f4', False, (2,)]\n")),
            prefix +
                "at header byte 0, expected '{' opening the header dict, got "
                "'[\\'<f4\\', False, (2,)]\\n'");
  EXPECT_EQ(load_error(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)")),
            prefix +
                "at header byte 54, expected ',' or '}' after the value of 'shape', got the "
                "end of the header");
  EXPECT_EQ(load_error(npy_file("{descr: '<f4'}")),
            prefix + "at header byte 1, expected a string key or '}', got 'descr: \\'<f4\\'}'");
  EXPECT_EQ(load_error(npy_file("{'descr' '<f4'}")),
            prefix + "at header byte 9, expected ':' after the key 'descr', got '\\'<f4\\'}'");
  EXPECT_EQ(load_error(npy_file("{'descr': '<f4}")),
            prefix + "at header byte 10, expected the string to be closed by ', got '\\'<f4}'");
  EXPECT_EQ(load_error(npy_file("{'descr': '<\\x66\\x34'}")),
            prefix +
                "at header byte 12, expected a plain string without escapes or line "
                "breaks, got '\\\\x66\\\\x34\\'}'");
  EXPECT_EQ(load_error(npy_file(dict("<f4", "(2,)") + "x")),
            prefix + "at header byte 58, expected only whitespace after the header dict, got 'x'");
  EXPECT_EQ(load_error(npy_file(dict("<f4", "(2,)") + std::string(1, '\0'))),
            prefix +
                "at header byte 58, expected only whitespace after the header dict, got "
                "'\\x00'");
  EXPECT_EQ(load_error(npy_file(dict("<f4", "(2,)", "1"))),
            prefix +
                "at header byte 34, expected True or False for 'fortran_order', got '1, "
                "\\'shape\\': (2,), }\\n'");
  EXPECT_EQ(load_error(npy_file(dict("<f4", "(2,)", "Falsey"))),
            prefix +
                "at header byte 34, expected True or False for 'fortran_order', got "
                "'Falsey, \\'shape\\': (2,), }'...");
}

TEST(NpyMalformed, MissingUnexpectedAndRepeatedKeys) {
  EXPECT_EQ(load_error(npy_file("{'descr': '<f4', 'fortran_order': False}")),
            "load_npy: 'bad.npy': header lacks the key 'shape': expected the keys 'descr', "
            "'fortran_order' and 'shape', got '{\\'descr\\': \\'<f4\\', \\'fortran_order\\': "
            "False}'");
  EXPECT_EQ(load_error(npy_file("{}")),
            "load_npy: 'bad.npy': header lacks the key 'descr': expected the keys 'descr', "
            "'fortran_order' and 'shape', got '{}'");
  EXPECT_EQ(load_error(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (), "
                                "'version': 2}")),
            "load_npy: 'bad.npy': header is not a valid .npy header dict: at header byte 54, "
            "expected only the keys 'descr', 'fortran_order' and 'shape', each once, got the key "
            "'version'");
  EXPECT_EQ(load_error(npy_file("{'descr': '<f4', 'descr': '<f8', 'fortran_order': False, "
                                "'shape': ()}")),
            "load_npy: 'bad.npy': header is not a valid .npy header dict: at header byte 17, "
            "expected only the keys 'descr', 'fortran_order' and 'shape', each once (this one "
            "repeats), got the key 'descr'");
}

TEST(NpyMalformed, BadShapeTuple) {
  const std::string prefix = "load_npy: 'bad.npy': header is not a valid .npy header dict: ";
  EXPECT_EQ(load_error(npy_file(dict("<f4", "[2, 3]"))),
            prefix + "at header byte 50, expected a tuple of ints for 'shape', got '[2, 3], }\\n'");
  EXPECT_EQ(load_error(npy_file(dict("<f4", "(2, 3 4)"))),
            prefix + "at header byte 56, expected ',' or ')' in 'shape', got '4), }\\n'");
  EXPECT_EQ(
      load_error(npy_file(dict("<f4", "(2)"))),
      prefix + "at header byte 52, expected ',' after the first dim of 'shape', got '), }\\n'");
  EXPECT_EQ(load_error(npy_file(dict("<f4", "(2.5,)"))),
            prefix +
                "at header byte 52, expected ',' after the first dim of 'shape', got "
                "'.5,), }\\n'");
  EXPECT_EQ(load_error(npy_file(dict("<f4", "(,)"))),
            prefix + "at header byte 51, expected a non-negative int in 'shape', got ',), }\\n'");
  EXPECT_EQ(load_error(npy_file(dict("<f4", "(02,)"))),
            prefix +
                "at header byte 51, expected an int without leading zeros in 'shape', got "
                "'02,), }\\n'");
  EXPECT_EQ(load_error(npy_file(dict("<f4", "(2L,)"), "", 3)),
            prefix +
                "at header byte 52, expected ',' after the first dim of 'shape', got "
                "'L,), }\\n'");
}

TEST(NpyMalformed, NegativeAndOversizedDims) {
  const std::string prefix = "load_npy: 'bad.npy': ";
  EXPECT_EQ(load_error(npy_file(dict("<f4", "(2, -1)"))),
            prefix +
                "header is not a valid .npy header dict: at header byte 54, expected a "
                "non-negative dim in 'shape', got -1");
  EXPECT_EQ(load_error(npy_file(dict("<f4", "(9223372036854775808,)"))),
            prefix +
                "header is not a valid .npy header dict: at header byte 51, expected a dim "
                "of at most 9223372036854775807, got '9223372036854775808,), }'...");
  EXPECT_EQ(load_error(npy_file(dict("<f4", "(4294967296, 4294967296)"))),
            prefix +
                "shape (4294967296, 4294967296) has too many elements: expected a count "
                "that fits in int64");
  EXPECT_EQ(load_error(npy_file(dict("<f8", "(2305843009213693952,)"))),
            prefix +
                "shape (2305843009213693952,) of <f8 has too many bytes: expected a size "
                "that fits in int64");
  EXPECT_EQ(load_error(npy_file(dict("<f4", "(1, 1, 1, 1, 1, 1, 1, 1, 1)"))),
            prefix +
                "header is not a valid .npy header dict: at header byte 75, expected at "
                "most 8 dims in 'shape', got '1), }\\n'");
  // A huge shape in a small file is refused before anything is allocated.
  EXPECT_EQ(load_error(npy_file(dict("<i8", "(1000000000000,)"), "12345678")),
            prefix +
                "truncated data: expected 8000000000000 bytes for shape (1000000000000,) of "
                "<i8, got 8");
}

TEST(NpyMalformed, DataShorterThanTheShape) {
  EXPECT_EQ(load_error(npy_file(dict("<f4", "(2, 3)"), std::string(20, '\0'))),
            "load_npy: 'bad.npy': truncated data: expected 24 bytes for shape (2, 3) of <f4, got "
            "20");
  EXPECT_EQ(load_error(npy_file(dict("|b1", "()"))),
            "load_npy: 'bad.npy': truncated data: expected 1 bytes for shape () of |b1, got 0");
}

TEST(NpyMalformed, UnsupportedDtypes) {
  const std::string expected_list =
      "expected one of '<f4', '>f4', '<f8', '>f8', '<i8', '>i8', '|b1', got ";
  for (const std::string descr : {"<c8", "<U3", "|O", "<i4", "|u1", "<f2", "=f4", "f4", "<b1"}) {
    SCOPED_TRACE(descr);
    EXPECT_EQ(load_error(npy_file(dict(descr, "(1,)"), std::string(16, '\0'))),
              "load_npy: 'bad.npy': unsupported dtype: " + expected_list + "'" + descr + "'");
  }
  EXPECT_EQ(load_error(npy_file("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': ()}")),
            "load_npy: 'bad.npy': header is not a valid .npy header dict: at header byte 10, "
            "expected a dtype string for 'descr', got '[(\\'x\\', \\'<f4\\')], \\'fortran'...");
}

TEST(NpyMalformed, EveryTruncationOfAValidFileIsRefused) {
  const auto whole = read_bytes(kFixtureDir / "f8_fortran.npy");
  ASSERT_EQ(whole.size(), 176u);
  for (std::size_t size = 0; size < whole.size(); ++size) {
    SCOPED_TRACE(size);
    EXPECT_THROW(activ::load_npy_bytes(std::span(whole).first(size), "cut.npy"), activ::IoError);
  }
}

// Every single-byte change in the preamble and header either still loads or raises IoError.
TEST(NpyMalformed, CorruptedHeaderBytesLoadOrRaiseIoError) {
  const auto original = read_bytes(kFixtureDir / "i8_c.npy");
  for (std::size_t position = 0; position < 128; ++position) {
    for (const int value :
         {0x00, 0x01, 0x20, 0x27, 0x28, 0x29, 0x2c, 0x2d, 0x31, 0x39, 0x7f, 0xff}) {
      auto bytes = original;
      bytes[position] = static_cast<std::byte>(value);
      try {
        activ::load_npy_bytes(bytes, "corrupt.npy");
      } catch (const activ::IoError& error) {
        EXPECT_NE(std::string(error.what()).find("load_npy: 'corrupt.npy': "), std::string::npos);
      } catch (const std::exception& error) {
        ADD_FAILURE() << "byte " << position << " set to " << value << ": " << error.what();
      }
    }
  }
}

// --- accepted variations ---------------------------------------------------------------------

TEST(NpyReader, AcceptsAnyKeyOrderQuotesWhitespaceAndTrailingData) {
  const std::string header = "{ \"shape\" :(2,3) ,\n 'descr':\"<f8\",'fortran_order' : True}   \n";
  std::string data;
  for (const double value : {1.0, 4.0, 2.0, 5.0, 3.0, 6.0}) {
    data.append(reinterpret_cast<const char*>(&value), sizeof value);
  }
  // np.load ignores bytes after the array: np.save can append several arrays to one file.
  const Tensor tensor = load_string(npy_file(header, data + "trailing bytes"));
  EXPECT_EQ(tensor.sizes(), (Shape{2, 3}));
  EXPECT_EQ(tensor.to_vector<double>(), (std::vector<double>{1, 2, 3, 4, 5, 6}));
}

TEST(NpyReader, AcceptsPython2LongSuffixInVersion1And2) {
  for (const char major : {char{1}, char{2}}) {
    const Tensor tensor =
        load_string(npy_file(dict("|b1", "(2L, 1L)"), std::string("\x01\x00", 2), major));
    EXPECT_EQ(tensor.sizes(), (Shape{2, 1}));
    EXPECT_EQ(tensor.to_vector<bool>(), (std::vector<bool>{true, false}));
  }
}

TEST_F(NpyFiles, MissingFileAndDirectoryAreRefused) {
  const std::string missing = (directory_ / "missing.npy").string();
  try {
    activ::load_npy(missing);
    FAIL() << "no error";
  } catch (const activ::IoError& error) {
    EXPECT_EQ(
        std::string(error.what()),
        "load_npy: '" + missing + "': expected a readable file, got: No such file or directory");
  }
  try {
    activ::load_npy(directory_.string());
    FAIL() << "no error";
  } catch (const activ::IoError& error) {
    EXPECT_EQ(std::string(error.what()),
              "load_npy: '" + directory_.string() + "': expected a regular file, got a directory");
  }
}

// --- the writer's temporary file -------------------------------------------------------------

TEST_F(NpyFiles, SaveLeavesOnlyTheTargetFileAndReplacesAnOldOne) {
  const std::string path = (directory_ / "out.npy").string();
  activ::save_npy(path, patterned({100}, activ::float64));
  activ::save_npy(path, patterned({2, 2}, activ::int64));
  EXPECT_EQ(directory_listing(), (std::vector<std::string>{"out.npy"}));
  EXPECT_EQ(activ::load_npy(path).sizes(), (Shape{2, 2}));
  EXPECT_EQ(read_bytes(path), activ::to_npy_bytes(patterned({2, 2}, activ::int64)));
}

TEST_F(NpyFiles, SaveIntoAMissingDirectoryRaisesAndCreatesNothing) {
  const fs::path missing_directory = directory_ / "no_such_dir";
  const std::string path = (missing_directory / "out.npy").string();
  try {
    activ::save_npy(path, patterned({3}, activ::float32));
    FAIL() << "no error";
  } catch (const activ::IoError& error) {
    EXPECT_EQ(std::string(error.what()),
              "save_npy: '" + path + "': expected to create a temporary file in '" +
                  missing_directory.string() + "', got: No such file or directory");
  }
  EXPECT_FALSE(fs::exists(missing_directory));
  EXPECT_TRUE(directory_listing().empty());
}

TEST_F(NpyFiles, FailedRenameRemovesTheTemporaryFile) {
  fs::create_directory(directory_ / "taken.npy");
  const std::string path = (directory_ / "taken.npy").string();
  try {
    activ::save_npy(path, patterned({3}, activ::float32));
    FAIL() << "no error";
  } catch (const activ::IoError& error) {
    EXPECT_EQ(std::string(error.what()),
              "save_npy: '" + path + "': expected to replace the file, got: Is a directory");
  }
  EXPECT_EQ(directory_listing(), (std::vector<std::string>{"taken.npy"}));
}

TEST_F(NpyFiles, SaveRefusesADirectoryPathAndAnUndefinedTensor) {
  const std::string path = directory_.string() + "/";
  EXPECT_THROW(
      {
        try {
          activ::save_npy(path, patterned({3}, activ::float32));
        } catch (const activ::IoError& error) {
          EXPECT_EQ(std::string(error.what()),
                    "save_npy: '" + path + "': expected a path to a file, got a directory path");
          throw;
        }
      },
      activ::IoError);
  EXPECT_THROW(activ::save_npy((directory_ / "u.npy").string(), Tensor()), activ::ValueError);
  EXPECT_THROW(activ::to_npy_bytes(Tensor()), activ::ValueError);
  EXPECT_TRUE(directory_listing().empty());
}

}  // namespace
