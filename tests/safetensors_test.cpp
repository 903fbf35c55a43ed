// safetensors reading and writing: fixtures written as the reference writer writes them
// (tools/gen_safetensors_fixtures.py), byte-identical output, round trips, malformed input and the
// temporary-file-then-rename writer.
#include "activ/safetensors.h"

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
using activ::NamedTensors;
using activ::Shape;
using activ::Tensor;
using Metadata = std::map<std::string, std::string>;

const fs::path kFixtureDir = fs::path(ACTIV_TEST_DATA_DIR) / "safetensors";

std::vector<std::byte> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto bytes = std::as_bytes(std::span(content));
  return {bytes.begin(), bytes.end()};
}

std::vector<std::byte> as_bytes(std::string_view text) {
  const auto bytes = std::as_bytes(std::span(text));
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
    if (dense.numel() == 0) return std::vector<std::byte>();
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

// The names of named, in order.
std::vector<std::string> names_of(const NamedTensors& named) {
  std::vector<std::string> names;
  for (const auto& [name, tensor] : named) names.push_back(name);
  return names;
}

TEST(SafetensorsFixtures, EveryFixtureLoadsWithTheReferenceValuesInDataOrder) {
  const nlohmann::json files = fixtures();
  ASSERT_EQ(files.size(), 12u);
  for (const auto& [file, expected] : files.items()) {
    SCOPED_TRACE(file);
    const std::string path = (kFixtureDir / file).string();
    const NamedTensors tensors = activ::load_safetensors(path);
    const nlohmann::json& listed = expected.at("tensors");
    ASSERT_EQ(tensors.size(), listed.size());
    for (std::size_t i = 0; i < tensors.size(); ++i) {
      const auto& [name, tensor] = tensors[i];
      SCOPED_TRACE(name);
      EXPECT_EQ(name, listed[i].at("name").get<std::string>());
      ASSERT_EQ(tensor.dtype(), dtype_named(listed[i].at("dtype")));
      EXPECT_EQ(tensor.sizes(), listed[i].at("shape").get<Shape>());
      EXPECT_TRUE(tensor.is_contiguous());
      activ::visit_dtype(tensor.dtype(),
                         [&]<class T>() { expect_values<T>(tensor, listed[i].at("values")); });
    }
    EXPECT_EQ(activ::load_safetensors_metadata(path), expected.at("metadata").get<Metadata>());
  }
}

TEST(SafetensorsFixtures, SeveralTensorsComeInDataOrder) {
  const NamedTensors tensors =
      activ::load_safetensors((kFixtureDir / "several.safetensors").string());
  EXPECT_EQ(names_of(tensors),
            (std::vector<std::string>{"steps", "layer.1.weight", "empty", "layer.0.bias",
                                      "layer.0.weight", "z.empty", "mask"}));
  EXPECT_EQ(activ::load_safetensors_metadata((kFixtureDir / "metadata.safetensors").string()),
            (Metadata{{"format", "pt"}}));
}

TEST(SafetensorsFixtures, LoadFromBytesEqualsLoadFromFile) {
  const nlohmann::json files = fixtures();
  for (const auto& [file, expected] : files.items()) {
    SCOPED_TRACE(file);
    const fs::path path = kFixtureDir / file;
    const NamedTensors from_file = activ::load_safetensors(path.string());
    const NamedTensors from_bytes = activ::load_safetensors_bytes(read_bytes(path), file);
    ASSERT_EQ(names_of(from_bytes), names_of(from_file));
    for (std::size_t i = 0; i < from_file.size(); ++i) {
      EXPECT_EQ(from_bytes[i].second.dtype(), from_file[i].second.dtype());
      EXPECT_EQ(from_bytes[i].second.sizes(), from_file[i].second.sizes());
      EXPECT_EQ(element_bytes(from_bytes[i].second), element_bytes(from_file[i].second));
    }
    EXPECT_EQ(activ::load_safetensors_metadata_bytes(read_bytes(path), file),
              activ::load_safetensors_metadata(path.string()));
  }
}

// Loaded tensors come in the reference writer's order, so writing them back in that order must
// give the reference writer's bytes.
TEST(SafetensorsFixtures, WriterOutputIsByteIdenticalToTheReferenceWriters) {
  const nlohmann::json files = fixtures();
  for (const auto& [file, expected] : files.items()) {
    SCOPED_TRACE(file);
    const fs::path path = kFixtureDir / file;
    const NamedTensors tensors = activ::load_safetensors(path.string());
    const Metadata metadata = activ::load_safetensors_metadata(path.string());
    EXPECT_EQ(activ::to_safetensors_bytes(tensors, metadata), read_bytes(path));
  }
}

// The byte arrays of the reference implementation's own tests (safetensors/src/tensor.rs:
// test_serialization, test_serialization_forced_alignement and test_empty).
TEST(SafetensorsWriter, MatchesTheReferenceImplementationsTestVectors) {
  std::string header_attn = R"({"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}})";
  std::string data;
  for (const float value : {0.0F, 1.0F, 2.0F, 3.0F, 4.0F, 5.0F}) {
    data.append(reinterpret_cast<const char*>(&value), sizeof value);
  }
  const Tensor values = activ::arange(6, activ::float32);
  EXPECT_EQ(activ::to_safetensors_bytes({{"attn.0", values.reshape({1, 2, 3})}}),
            as_bytes(std::string("\x40\0\0\0\0\0\0\0", 8) + header_attn + data));
  EXPECT_EQ(activ::to_safetensors_bytes({{"attn0", values.reshape({1, 1, 2, 3})}}),
            as_bytes(std::string("\x48\0\0\0\0\0\0\0", 8) +
                     R"({"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}})" +
                     "       " + data));
  EXPECT_EQ(activ::to_safetensors_bytes({}),
            as_bytes(std::string("\x08\0\0\0\0\0\0\0{}      ", 16)));
  EXPECT_EQ(activ::to_safetensors_bytes({}, {{"framework", "pt"}}),
            as_bytes(std::string("\x28\0\0\0\0\0\0\0", 8) +
                     R"({"__metadata__":{"framework":"pt"}})" + "     "));
}

// --- round trips -----------------------------------------------------------------------------

// A tensor whose values cover signs, fractions, large magnitudes and, for floats, -0, inf, nan.
Tensor patterned(const Shape& shape, Dtype dtype) {
  Tensor tensor = activ::empty(shape, dtype);
  activ::visit_dtype(dtype, [&]<class T>() {
    if (tensor.numel() == 0) return;
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

class SafetensorsFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("activ_safetensors_test_" + std::to_string(::getpid()) + "_" +
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

void expect_same_tensors(const NamedTensors& got, const NamedTensors& want) {
  ASSERT_EQ(names_of(got), names_of(want));
  for (std::size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(got[i].first);
    EXPECT_EQ(got[i].second.dtype(), want[i].second.dtype());
    EXPECT_EQ(got[i].second.sizes(), want[i].second.sizes());
    EXPECT_EQ(element_bytes(got[i].second), element_bytes(want[i].second));
  }
}

TEST_F(SafetensorsFiles, SaveThenLoadGivesTheSameTensorsInTheGivenOrder) {
  const std::vector<Shape> shapes = {
      {}, {0}, {2, 0}, {0, 3, 0}, {1}, {7}, {2, 3}, {2, 3, 4}, {1, 1, 1, 1, 1, 1, 1, 2}};
  NamedTensors all;
  for (const Dtype dtype : {activ::float32, activ::float64, activ::int64, activ::bool_}) {
    for (const Shape& shape : shapes) {
      const std::string name = std::string(activ::name(dtype)) + activ::shape_str(shape);
      SCOPED_TRACE(name);
      const NamedTensors one = {{name, patterned(shape, dtype)}};
      const std::string path = (directory_ / "one.safetensors").string();
      activ::save_safetensors(path, one);
      expect_same_tensors(activ::load_safetensors(path), one);
      EXPECT_EQ(read_bytes(path), activ::to_safetensors_bytes(one));
      all.push_back(one.front());
    }
  }
  // Bool and float32 tensors, of 1 and 4 bytes, alternate: data offsets are not aligned, and
  // the order given (not the reference's order) is kept.
  std::reverse(all.begin(), all.end());
  const std::string path = (directory_ / "all.safetensors").string();
  const Metadata metadata = {{"format", "pt"}, {"", ""}, {"ünïcode", "line\nbreak\t\x01"}};
  activ::save_safetensors(path, all, metadata);
  expect_same_tensors(activ::load_safetensors(path), all);
  EXPECT_EQ(activ::load_safetensors_metadata(path), metadata);
}

TEST_F(SafetensorsFiles, NonContiguousTensorsAreWrittenInLogicalOrder) {
  const Tensor base = patterned({4, 6}, activ::float64);
  const NamedTensors views = {
      {"transpose", base.t()},
      {"step slice", base.slice(1, 1, 6, 2)},
      {"narrow with offset", base.narrow(0, 1, 2)},
      {"expanded", patterned({1, 6}, activ::float64).expand({3, 6})},
      {"permuted 3-d", patterned({2, 3, 4}, activ::float32).permute({2, 0, 1})},
      {"bool transpose", patterned({3, 5}, activ::bool_).t()},
      {"int64 column", patterned({4, 3}, activ::int64).select(1, 2)},
  };
  const std::string path = (directory_ / "views.safetensors").string();
  activ::save_safetensors(path, views);
  expect_same_tensors(activ::load_safetensors(path), views);
}

TEST(SafetensorsWriter, HeaderIsCompactJsonPaddedToAMultipleOf8Bytes) {
  for (std::size_t length = 1; length <= 16; ++length) {
    const std::string name(length, 'n');
    const auto bytes = activ::to_safetensors_bytes({{name, activ::empty({3}, activ::bool_)}});
    std::uint64_t header_length = 0;
    std::memcpy(&header_length, bytes.data(), 8);
    EXPECT_EQ(header_length % 8, 0u);
    EXPECT_EQ(8 + header_length + 3, bytes.size());
    const std::string json(reinterpret_cast<const char*>(bytes.data()) + 8, header_length);
    const std::string compact =
        "{\"" + name + R"(":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}})";
    EXPECT_EQ(json, compact + std::string(header_length - compact.size(), ' '));
  }
}

TEST(SafetensorsWriter, NamesAndMetadataAreEscapedAsJson) {
  const auto bytes =
      activ::to_safetensors_bytes({{"a\"b\\c\n\x1f/é", activ::empty({0})}}, {{"k", "v\t\"\x7f"}});
  const std::string text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  EXPECT_EQ(text.substr(8, text.find_last_not_of(' ') - 7),
            R"({"__metadata__":{"k":"v\t\")"
            "\x7f"
            R"("},"a\"b\\c\n\u001f/é":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}})");
}

// --- malformed input -------------------------------------------------------------------------

// A safetensors file with the given header text and data; the length field says header.size().
std::string st_file(std::string_view header, std::string_view data = "") {
  std::string out;
  for (std::size_t i = 0; i < 8; ++i) out += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  out += header;
  out += data;
  return out;
}

// A header with one tensor "t".
std::string one_tensor(std::string_view dtype, std::string_view shape, std::string_view offsets) {
  return R"({"t":{"dtype":")" + std::string(dtype) + R"(","shape":)" + std::string(shape) +
         R"(,"data_offsets":)" + std::string(offsets) + "}}";
}

// The message of the IoError that loading content raises.
std::string load_error(const std::string& content) {
  try {
    activ::load_safetensors_bytes(as_bytes(content), "bad.safetensors");
  } catch (const activ::IoError& error) {
    return error.what();
  } catch (const std::exception& error) {
    return std::string("not an IoError: ") + error.what();
  }
  return "no error";
}

const std::string kPrefix = "load_safetensors: 'bad.safetensors': ";

TEST(SafetensorsMalformed, TruncatedLengthField) {
  EXPECT_EQ(load_error(""),
            kPrefix + "truncated header: expected at least 8 bytes for the header length, got 0");
  EXPECT_EQ(load_error(std::string("\x02\0\0\0\0\0\0", 7)),
            kPrefix + "truncated header: expected at least 8 bytes for the header length, got 7");
}

TEST(SafetensorsMalformed, HeaderLengthTooLargeOrPastTheEnd) {
  EXPECT_EQ(load_error(std::string("\x01\xe1\xf5\x05\0\0\0\0{}", 10)),
            kPrefix +
                "header too long: expected at most 100000000 bytes, got a header length of "
                "100000001");
  EXPECT_EQ(load_error(std::string(8, '\xff') + "{}"),
            kPrefix +
                "header too long: expected at most 100000000 bytes, got a header length of "
                "18446744073709551615");
  // Exactly the limit is allowed, but then it goes past this small file.
  EXPECT_EQ(load_error(std::string("\0\xe1\xf5\x05\0\0\0\0{}", 10)),
            kPrefix +
                "truncated header: the header length 100000000 goes past the end of the file: "
                "expected at most 2, got 100000000");
  const std::string file = st_file(one_tensor("F32", "[1]", "[0,4]"), "abcd");
  EXPECT_EQ(load_error(file.substr(0, 20)),
            kPrefix +
                "truncated header: the header length 54 goes past the end of the file: expected "
                "at most 12, got 54");
}

TEST(SafetensorsMalformed, HeaderNotAJsonObject) {
  const std::string prefix =
      kPrefix + "header is not a JSON object: expected '{' as its first byte, got ";
  EXPECT_EQ(load_error(st_file("")), prefix + "an empty header");
  EXPECT_EQ(load_error(st_file(" {}")), prefix + "' {}'");
  EXPECT_EQ(load_error(st_file("[]")), prefix + "'[]'");
  EXPECT_EQ(load_error(st_file("\xef\xbb\xbf{}")), prefix + "'\\xef\\xbb\\xbf{}'");
}

TEST(SafetensorsMalformed, HeaderNotValidJson) {
  const std::string prefix = kPrefix + "header is not valid JSON: at header byte ";
  EXPECT_EQ(load_error(st_file("{")),
            prefix +
                "1, syntax error while parsing object key - unexpected end of input; expected "
                "string literal");
  EXPECT_EQ(load_error(st_file("{} x")),
            prefix +
                "3, syntax error while parsing value - invalid literal; last read: '{} x'; "
                "expected end of input");
  EXPECT_EQ(load_error(st_file("{'t': 1}")),
            prefix +
                "1, syntax error while parsing object key - invalid literal; last read: "
                "'{''; expected string literal");
  EXPECT_EQ(load_error(st_file(R"({"t":{"dtype":"F32","shape":[1],})")),
            prefix +
                "32, syntax error while parsing object key - unexpected '}'; expected "
                "string literal");
  EXPECT_EQ(load_error(st_file("{\"\xff\":1}")),
            prefix +
                "2, syntax error while parsing object key - invalid string: ill-formed UTF-8 "
                "byte; last read: '\"\xff'; expected string literal");
  EXPECT_EQ(load_error(st_file(R"({"t":{"dtype":"F32","shape":[1e999],"data_offsets":[0,4]}})")),
            prefix + "33, number overflow parsing '1e999'");
  // The reader accepts the padding spaces, but nothing else, after the object.
  EXPECT_EQ(load_error(st_file("{}  \n\t\r x")),
            prefix +
                "8, syntax error while parsing value - invalid literal; last read: '{}  <U+000A>"
                "<U+0009><U+000D> x'; expected end of input");
  // A NUL byte, which the JSON parser would take for the end of the input.
  EXPECT_EQ(load_error(st_file(std::string("{}\0 x", 5))),
            prefix + "2, expected no NUL byte, got '\\x00 x'");
  EXPECT_EQ(load_error(st_file(std::string("{\"a\0\":1}", 8))),
            prefix + "3, expected no NUL byte, got '\\x00\":1}'");
}

TEST(SafetensorsMalformed, WrongValueTypes) {
  EXPECT_EQ(load_error(st_file(R"({"t":[1]})")),
            kPrefix +
                "header maps tensor 't' to an array: expected an object with \"dtype\", "
                "\"shape\" and \"data_offsets\"");
  EXPECT_EQ(load_error(st_file(R"({"__metadata__":"pt"})")),
            kPrefix + "header maps \"__metadata__\" to a string: expected an object of strings");
  EXPECT_EQ(load_error(st_file(R"({"__metadata__":{"epoch":3}})")),
            kPrefix + "\"__metadata__\" maps 'epoch' to a number: expected a string");
  EXPECT_EQ(load_error(st_file(R"({"__metadata__":{"a":{"b":"c"}}})")),
            kPrefix + "\"__metadata__\" maps 'a' to an object: expected a string");
  EXPECT_EQ(load_error(st_file(one_tensor("F32", R"("1")", "[0,4]"))),
            kPrefix + "tensor 't': expected an array of integers for \"shape\", got a string");
  EXPECT_EQ(load_error(st_file(R"({"t":{"dtype":4}})")),
            kPrefix + "tensor 't': expected a string for \"dtype\", got a number");
  EXPECT_EQ(load_error(st_file(one_tensor("F32", "[[1]]", "[0,4]"))),
            kPrefix + "tensor 't': expected integers in \"shape\", got an array");
  EXPECT_EQ(load_error(st_file(one_tensor("F32", "[1]", "[0,null]"))),
            kPrefix + "tensor 't': expected integers in \"data_offsets\", got null");
  EXPECT_EQ(load_error(st_file(one_tensor("F32", "[1]", "[0,4,4]"))),
            kPrefix + "tensor 't': expected 2 integers [begin, end] in \"data_offsets\", got more");
  EXPECT_EQ(load_error(st_file(one_tensor("F32", "[1]", "[4]"))),
            kPrefix + "tensor 't': expected 2 integers [begin, end] in \"data_offsets\", got 1");
  EXPECT_EQ(load_error(st_file(one_tensor("F32", "[1.0]", "[0,4]"))),
            kPrefix +
                "tensor 't': expected non-negative integers of at most 9223372036854775807 in "
                "\"shape\", got '1.0'");
  EXPECT_EQ(load_error(st_file(one_tensor("F32", "[1]", "[0,18446744073709551616]"))),
            kPrefix +
                "tensor 't': expected non-negative integers of at most 18446744073709551615 in "
                "\"data_offsets\", got '18446744073709551616'");
}

TEST(SafetensorsMalformed, MissingUnknownAndRepeatedKeys) {
  EXPECT_EQ(load_error(st_file(R"({"t":{"dtype":"F32","shape":[]}})", "abcd")),
            kPrefix +
                "tensor 't': expected the keys \"dtype\", \"shape\" and \"data_offsets\", got no "
                "\"data_offsets\"");
  EXPECT_EQ(load_error(st_file(R"({"t":{"dtype":"F32","offsets":[0,4]}})", "abcd")),
            kPrefix +
                "tensor 't': expected only the keys \"dtype\", \"shape\" and \"data_offsets\", "
                "each once, got the key 'offsets'");
  EXPECT_EQ(load_error(st_file(R"({"t":{"dtype":"F32","dtype":"F64"}})")),
            kPrefix +
                "tensor 't': expected only the keys \"dtype\", \"shape\" and \"data_offsets\", "
                "each once, got the key 'dtype' again");
  // The reference (serde's HashMap) would keep the last of two entries of one name.
  const std::string entry = R"({"dtype":"F32","shape":[1],"data_offsets":[0,4]})";
  EXPECT_EQ(load_error(st_file(R"({"t":)" + entry + R"(,"t":)" + entry + "}", "abcd")),
            kPrefix + "header repeats the key 't': expected each tensor name once");
  EXPECT_EQ(load_error(st_file(R"({"__metadata__":{},"__metadata__":{}})")),
            kPrefix + "header repeats the key '__metadata__': expected each tensor name once");
  EXPECT_EQ(load_error(st_file(R"({"__metadata__":{"a":"1","a":"2"}})")),
            kPrefix + "header repeats the key 'a' in \"__metadata__\": expected each key once");
}

TEST(SafetensorsMalformed, UnreadableAndUnknownDtypes) {
  EXPECT_EQ(load_error(st_file(one_tensor("F16", "[2]", "[0,4]"), "abcd")),
            kPrefix +
                "tensor 't' has the dtype 'F16', which activ does not support: expected one of "
                "'F32', 'F64', 'I64', 'BOOL'");
  EXPECT_EQ(load_error(st_file(one_tensor("float32", "[1]", "[0,4]"), "abcd")),
            kPrefix +
                "tensor 't' has the dtype 'float32', which is not a safetensors dtype: expected "
                "one of 'F32', 'F64', 'I64', 'BOOL'");
  EXPECT_EQ(load_error(st_file(one_tensor("f32", "[1]", "[0,4]"), "abcd")),
            kPrefix +
                "tensor 't' has the dtype 'f32', which is not a safetensors dtype: expected "
                "one of 'F32', 'F64', 'I64', 'BOOL'");
  // Files of the reference writer.
  const std::string end =
      ", which activ does not support: expected one of 'F32', 'F64', 'I64', 'BOOL'";
  for (const auto& [file, message] : std::vector<std::pair<std::string, std::string>>{
           {"f16.safetensors", "tensor 'half' has the dtype 'F16'" + end},
           {"bf16.safetensors", "tensor 'brain' has the dtype 'BF16'" + end},
           {"i32_and_f32.safetensors", "tensor 'ints' has the dtype 'I32'" + end}}) {
    SCOPED_TRACE(file);
    EXPECT_EQ(
        load_error(std::string(reinterpret_cast<const char*>(read_bytes(kFixtureDir / file).data()),
                               read_bytes(kFixtureDir / file).size())),
        kPrefix + message);
  }
}

TEST(SafetensorsMalformed, NegativeOversizedAndTooManyDims) {
  EXPECT_EQ(load_error(st_file(one_tensor("F32", "[2,-1]", "[0,4]"))),
            kPrefix + "tensor 't': expected non-negative integers in \"shape\", got -1");
  EXPECT_EQ(load_error(st_file(one_tensor("F32", "[1]", "[-4,0]"))),
            kPrefix + "tensor 't': expected non-negative integers in \"data_offsets\", got -4");
  EXPECT_EQ(load_error(st_file(one_tensor("F32", "[9223372036854775808]", "[0,4]"))),
            kPrefix +
                "tensor 't': expected dims of at most 9223372036854775807 in \"shape\", got "
                "9223372036854775808");
  EXPECT_EQ(load_error(st_file(one_tensor("F32", "[4294967296,4294967296]", "[0,0]"))),
            kPrefix +
                "tensor 't': shape (4294967296, 4294967296) has too many elements: expected a "
                "count that fits in int64");
  EXPECT_EQ(load_error(st_file(one_tensor("F64", "[2305843009213693952]", "[0,0]"))),
            kPrefix +
                "tensor 't': shape (2305843009213693952,) of F64 has too many bytes: expected a "
                "size that fits in int64");
  // A product that wraps to the right size in 64 bits (2^62 * 4 == 0 mod 2^64) is refused.
  EXPECT_EQ(load_error(st_file(one_tensor("F32", "[4611686018427387904]", "[0,0]"))),
            kPrefix +
                "tensor 't': shape (4611686018427387904,) of F32 has too many bytes: expected a "
                "size that fits in int64");
  EXPECT_EQ(load_error(st_file(one_tensor("F32", "[1,1,1,1,1,1,1,1,1]", "[0,4]"), "abcd")),
            kPrefix + "tensor 't': expected at most 8 dims in \"shape\", got more");
}

TEST(SafetensorsMalformed, OffsetsThatDoNotFitTheShape) {
  EXPECT_EQ(load_error(st_file(one_tensor("F32", "[2,3]", "[0,20]"), std::string(20, '\0'))),
            kPrefix +
                "tensor 't': data_offsets [0, 20] hold 20 bytes, expected 24 for shape (2, 3) "
                "of F32");
  EXPECT_EQ(load_error(st_file(one_tensor("BOOL", "[]", "[0,0]"))),
            kPrefix +
                "tensor 't': data_offsets [0, 0] hold 0 bytes, expected 1 for shape () of "
                "BOOL");
  EXPECT_EQ(load_error(st_file(one_tensor("F32", "[1]", "[8,4]"), "abcdefgh")),
            kPrefix + "tensor 't': data_offsets [8, 4] end before they begin");
}

// Two float32 tensors "a" and "b" of shape [1] at the given offsets, then data.
std::string two_tensors(std::string_view a_offsets, std::string_view b_offsets,
                        std::string_view data) {
  return st_file(R"({"b":{"dtype":"F32","shape":[1],"data_offsets":)" + std::string(b_offsets) +
                     R"(},"a":{"dtype":"F32","shape":[1],"data_offsets":)" +
                     std::string(a_offsets) + "}}",
                 data);
}

TEST(SafetensorsMalformed, TensorsMustTileTheDataBufferExactly) {
  // Accepted in any header order.
  const NamedTensors ok = activ::load_safetensors_bytes(
      as_bytes(two_tensors("[4,8]", "[0,4]", std::string("\0\0\x80?\0\0\0@", 8))), "ok");
  EXPECT_EQ(names_of(ok), (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(ok[0].second.to_vector<float>(), std::vector<float>{1.0F});
  EXPECT_EQ(ok[1].second.to_vector<float>(), std::vector<float>{2.0F});
  // Empty tensors at one offset keep the header's order.
  const NamedTensors empties = activ::load_safetensors_bytes(
      as_bytes(st_file(R"({"z":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},)"
                       R"("y":{"dtype":"I64","shape":[3,0],"data_offsets":[0,0]},)"
                       R"("x":{"dtype":"BOOL","shape":[0],"data_offsets":[0,0]}})")),
      "empties");
  EXPECT_EQ(names_of(empties), (std::vector<std::string>{"z", "y", "x"}));

  EXPECT_EQ(load_error(two_tensors("[0,4]", "[2,6]", "abcdef")),
            kPrefix +
                "tensor 'b' at data_offsets [2, 6] overlaps tensor 'a' at data_offsets [0, 4]: "
                "expected tensors that do not overlap");
  EXPECT_EQ(load_error(two_tensors("[0,4]", "[0,4]", "abcd")),
            kPrefix +
                "tensor 'a' at data_offsets [0, 4] overlaps tensor 'b' at data_offsets [0, 4]: "
                "expected tensors that do not overlap");
  EXPECT_EQ(load_error(two_tensors("[0,4]", "[6,10]", "abcdefghij")),
            kPrefix +
                "bytes [4, 6) of the data buffer belong to no tensor: expected tensor 'b' at "
                "data_offsets [6, 10] to begin at 4");
  EXPECT_EQ(load_error(two_tensors("[2,6]", "[6,10]", "abcdefghij")),
            kPrefix +
                "bytes [0, 2) of the data buffer belong to no tensor: expected tensor 'a' at "
                "data_offsets [2, 6] to begin at 0");
  EXPECT_EQ(load_error(two_tensors("[0,4]", "[4,8]", "abcdefghi")),
            kPrefix +
                "the data buffer has 1 bytes after the last tensor: expected the tensors to "
                "cover its 9 bytes exactly");
  EXPECT_EQ(load_error(st_file("{}", "x")),
            kPrefix +
                "the data buffer has 1 bytes after the last tensor: expected the tensors to "
                "cover its 1 bytes exactly");
  EXPECT_EQ(load_error(two_tensors("[0,4]", "[4,8]", "abcdef")),
            kPrefix +
                "truncated data: tensor 'b' at data_offsets [4, 8] goes past the end of the "
                "6-byte data buffer");
  // An empty tensor inside another one overlaps it, as the reference reader decides.
  EXPECT_EQ(load_error(st_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                               R"("e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}})",
                               "abcdefgh")),
            kPrefix +
                "tensor 'e' at data_offsets [4, 4] overlaps tensor 'a' at data_offsets [0, 8]: "
                "expected tensors that do not overlap");
  // A huge tensor in a small file is refused before anything is allocated.
  EXPECT_EQ(
      load_error(st_file(one_tensor("I64", "[1000000000000]", "[0,8000000000000]"), "12345678")),
      kPrefix +
          "truncated data: tensor 't' at data_offsets [0, 8000000000000] goes past the "
          "end of the 8-byte data buffer");
}

TEST(SafetensorsMalformed, EveryTruncationOfAValidFileIsRefused) {
  const auto whole = read_bytes(kFixtureDir / "several.safetensors");
  ASSERT_EQ(whole.size(), 507u);
  for (std::size_t size = 0; size < whole.size(); ++size) {
    SCOPED_TRACE(size);
    EXPECT_THROW(activ::load_safetensors_bytes(std::span(whole).first(size), "cut"),
                 activ::IoError);
  }
}

// Every single-byte change in the header either still loads or raises IoError.
TEST(SafetensorsMalformed, CorruptedHeaderBytesLoadOrRaiseIoError) {
  const auto original = read_bytes(kFixtureDir / "several.safetensors");
  for (std::size_t position = 0; position < 8 + 0x1b8; ++position) {
    for (const int value : {0x00, 0x01, 0x20, 0x22, 0x2c, 0x2d, 0x30, 0x31, 0x39, 0x3a, 0x5b, 0x5d,
                            0x7b, 0x7d, 0x7f, 0xc3, 0xff}) {
      auto bytes = original;
      bytes[position] = static_cast<std::byte>(value);
      try {
        activ::load_safetensors_bytes(bytes, "corrupt");
      } catch (const activ::IoError& error) {
        EXPECT_EQ(std::string(error.what()).rfind("load_safetensors: 'corrupt': ", 0), 0u);
      } catch (const std::exception& error) {
        ADD_FAILURE() << "byte " << position << " set to " << value << ": " << error.what();
      }
    }
  }
}

TEST(SafetensorsReader, BoolBytesOtherThanZeroReadAsTrueAndUnicodeNamesAreKept) {
  const NamedTensors tensors = activ::load_safetensors_bytes(
      as_bytes(st_file(R"({"größe":{"dtype":"BOOL","shape":[4],"data_offsets":[0,4]}})",
                       std::string("\0\x01\x02\xff", 4))),
      "bools");
  ASSERT_EQ(tensors.size(), 1u);
  EXPECT_EQ(tensors[0].first, "größe");
  EXPECT_EQ(tensors[0].second.to_vector<bool>(), (std::vector<bool>{false, true, true, true}));
}

TEST_F(SafetensorsFiles, MissingFileAndDirectoryAreRefused) {
  const std::string missing = (directory_ / "missing.safetensors").string();
  try {
    activ::load_safetensors(missing);
    FAIL() << "no error";
  } catch (const activ::IoError& error) {
    EXPECT_EQ(std::string(error.what()), "load_safetensors: '" + missing +
                                             "': expected a readable file, got: No such file or "
                                             "directory");
  }
  try {
    activ::load_safetensors_metadata(directory_.string());
    FAIL() << "no error";
  } catch (const activ::IoError& error) {
    EXPECT_EQ(std::string(error.what()), "load_safetensors_metadata: '" + directory_.string() +
                                             "': expected a regular file, got a directory");
  }
}

// --- the writer ------------------------------------------------------------------------------

TEST_F(SafetensorsFiles, SaveLeavesOnlyTheTargetFileAndReplacesAnOldOne) {
  const std::string path = (directory_ / "out.safetensors").string();
  activ::save_safetensors(path, {{"a", patterned({100}, activ::float64)}});
  const NamedTensors second = {{"b", patterned({2, 2}, activ::int64)}};
  activ::save_safetensors(path, second, {{"format", "pt"}});
  EXPECT_EQ(directory_listing(), (std::vector<std::string>{"out.safetensors"}));
  expect_same_tensors(activ::load_safetensors(path), second);
  EXPECT_EQ(read_bytes(path), activ::to_safetensors_bytes(second, {{"format", "pt"}}));
}

TEST_F(SafetensorsFiles, SaveIntoAMissingDirectoryRaisesAndCreatesNothing) {
  const fs::path missing_directory = directory_ / "no_such_dir";
  const std::string path = (missing_directory / "out.safetensors").string();
  try {
    activ::save_safetensors(path, {{"a", patterned({3}, activ::float32)}});
    FAIL() << "no error";
  } catch (const activ::IoError& error) {
    EXPECT_EQ(std::string(error.what()),
              "save_safetensors: '" + path + "': expected to create a temporary file in '" +
                  missing_directory.string() + "', got: No such file or directory");
  }
  EXPECT_FALSE(fs::exists(missing_directory));
  EXPECT_TRUE(directory_listing().empty());
}

TEST_F(SafetensorsFiles, FailedRenameRemovesTheTemporaryFile) {
  fs::create_directory(directory_ / "taken.safetensors");
  const std::string path = (directory_ / "taken.safetensors").string();
  try {
    activ::save_safetensors(path, {{"a", patterned({3}, activ::float32)}});
    FAIL() << "no error";
  } catch (const activ::IoError& error) {
    EXPECT_EQ(
        std::string(error.what()),
        "save_safetensors: '" + path + "': expected to replace the file, got: Is a directory");
  }
  EXPECT_EQ(directory_listing(), (std::vector<std::string>{"taken.safetensors"}));
}

// The message of the ValueError that saving tensors raises.
std::string save_error(const std::string& path, const NamedTensors& tensors,
                       const Metadata& metadata = {}) {
  try {
    activ::save_safetensors(path, tensors, metadata);
  } catch (const activ::ValueError& error) {
    return error.what();
  } catch (const std::exception& error) {
    return std::string("not a ValueError: ") + error.what();
  }
  return "no error";
}

TEST_F(SafetensorsFiles, InvalidTensorsAndNamesAreRefusedAndTheOldFileIsKept) {
  const std::string path = (directory_ / "keep.safetensors").string();
  const NamedTensors original = {{"w", patterned({2}, activ::float32)}};
  activ::save_safetensors(path, original);
  const Tensor x = patterned({2}, activ::float32);
  EXPECT_EQ(save_error(path, {{"x", x}, {"u", Tensor()}}),
            "save_safetensors: tensor 'u' is undefined");
  EXPECT_EQ(save_error(path, {{"x", x}, {"y", x}, {"x", x}}),
            "save_safetensors: the name 'x' repeats: expected each tensor name once");
  EXPECT_EQ(save_error(path, {{"__metadata__", x}}),
            "save_safetensors: the name '__metadata__' is reserved for the metadata: expected "
            "another tensor name");
  EXPECT_EQ(save_error(path, {{"bad\xff", x}}),
            "save_safetensors: the tensor name 'bad\\xff' is not valid UTF-8: expected UTF-8 text");
  EXPECT_EQ(save_error(path, {{"x", x}}, {{"k", "\xc3("}}),
            "save_safetensors: the metadata value '\\xc3(' is not valid UTF-8: expected UTF-8 "
            "text");
  EXPECT_THROW(activ::to_safetensors_bytes({{"u", Tensor()}}), activ::ValueError);
  EXPECT_EQ(directory_listing(), (std::vector<std::string>{"keep.safetensors"}));
  expect_same_tensors(activ::load_safetensors(path), original);
}

TEST_F(SafetensorsFiles, SaveRefusesADirectoryPath) {
  const std::string path = directory_.string() + "/";
  try {
    activ::save_safetensors(path, {{"a", patterned({3}, activ::float32)}});
    FAIL() << "no error";
  } catch (const activ::IoError& error) {
    EXPECT_EQ(std::string(error.what()),
              "save_safetensors: '" + path + "': expected a path to a file, got a directory path");
  }
  EXPECT_TRUE(directory_listing().empty());
}

}  // namespace
