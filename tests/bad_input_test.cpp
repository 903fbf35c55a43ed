// The bad-input catalogue: every row is one invalid call across the API, the file readers and
// the activ program, with the exact exception type (or exit code) and a part of the message it
// must produce. Nothing here may crash, abort or raise anything but an activ::Error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <typeindex>
#include <typeinfo>
#include <vector>

#include "activ/autograd.h"
#include "activ/nn/activation.h"
#include "activ/nn/functional.h"
#include "activ/nn/layers.h"
#include "activ/nn/loss.h"
#include "activ/npy.h"
#include "activ/parallel.h"
#include "activ/safetensors.h"
#include "activ/tensor.h"

namespace {

namespace fs = std::filesystem;
namespace F = activ::nn::functional;
using activ::Shape;
using activ::Tensor;

struct BadCall {
  const char* name;
  std::function<void()> call;
  std::type_index error;  // the exact class, not a base
  const char* message;    // a substring of what()
};

template <class Error>
std::type_index raises() {
  return typeid(Error);
}

std::string type_name(std::type_index type) {
  static const std::array<std::pair<std::type_index, const char*>, 7> kNames = {{
      {typeid(activ::ShapeError), "ShapeError"},
      {typeid(activ::IndexError), "IndexError"},
      {typeid(activ::TypeError), "TypeError"},
      {typeid(activ::ValueError), "ValueError"},
      {typeid(activ::IoError), "IoError"},
      {typeid(activ::OutOfMemoryError), "OutOfMemoryError"},
      {typeid(activ::Error), "Error"},
  }};
  for (const auto& [known, name] : kNames) {
    if (known == type) return name;
  }
  return type.name();
}

std::vector<std::byte> bytes_of(const std::string& text) {
  const auto bytes = std::as_bytes(std::span(text));
  return {bytes.begin(), bytes.end()};
}

// A .npy file: magic, version 1.0, the header padded as numpy pads it, then data.
std::string npy(const std::string& header, const std::string& data) {
  std::string dict = header;
  while ((10 + dict.size() + 1) % 64 != 0) dict += ' ';
  dict += '\n';
  std::string file = "\x93NUMPY\x01";
  file += '\0';
  file += static_cast<char>(dict.size() & 0xff);
  file += static_cast<char>(dict.size() >> 8);
  return file + dict + data;
}

// A safetensors file: 8-byte little-endian header length, the JSON header, then data.
std::string safetensors(const std::string& header, const std::string& data) {
  std::string file;
  for (int i = 0; i < 8; ++i) file += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  return file + header + data;
}

void load_npy_text(const std::string& content) {
  activ::load_npy_bytes(bytes_of(content), "bad.npy");
}

void load_safetensors_text(const std::string& content) {
  activ::load_safetensors_bytes(bytes_of(content), "bad.safetensors");
}

const Tensor kMatrix = activ::ones({2, 3});
const Tensor kInts = activ::ones({2, 3}, activ::int64);
const Tensor kBools = activ::ones({2, 3}, activ::bool_);
const double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<BadCall> bad_api_calls() {
  using activ::IndexError;
  using activ::IoError;
  using activ::OutOfMemoryError;
  using activ::ShapeError;
  using activ::TypeError;
  using activ::ValueError;
  static const std::string f4 = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  return {
      // --- factories: negative, overflowing and too large sizes ---
      {"empty negative dim",
       [] {
         activ::empty({2, -1});
       },
       raises<ShapeError>(), "empty: negative dimension -1 in shape [2, -1]"},
      {"empty too many dims",
       [] {
         activ::empty({1, 1, 1, 1, 1, 1, 1, 1, 1});
       },
       raises<ShapeError>(), "at most 8 dims, got 9"},
      {"empty overflowing numel",
       [] {
         activ::empty({std::int64_t{1} << 40, std::int64_t{1} << 40});
       },
       raises<ShapeError>(), "has more elements than can be addressed"},
      {"empty more bytes than addressable",
       [] {
         activ::empty({std::int64_t{1} << 40, std::int64_t{1} << 20});
       },
       raises<OutOfMemoryError>(), "needs more bytes than can be addressed"},
      {"empty larger than memory", [] { activ::empty({std::int64_t{1} << 48}); },
       raises<OutOfMemoryError>(), "bytes failed: not enough memory"},
      {"zeros negative dim", [] { activ::zeros({-3}); }, raises<ShapeError>(),
       "negative dimension -3"},
      {"full negative dim", [] { activ::full({-1}, 2.0); }, raises<ShapeError>(),
       "negative dimension"},
      {"rand float of int dtype", [] { activ::rand({2}, activ::int64); }, raises<TypeError>(),
       "expected a floating point dtype"},
      {"arange zero step", [] { activ::arange(0, 10, 0); }, raises<ValueError>(),
       "step must be nonzero"},
      {"arange wrong sign", [] { activ::arange(0, 10, -1); }, raises<ValueError>(),
       "inconsistent with step sign"},
      {"arange NaN end", [] { activ::arange(0.0, kNaN); }, raises<ValueError>(),
       "arange: unsupported range"},
      {"arange too long", [] { activ::arange(0.0, 1e300, 1e-300); }, raises<OutOfMemoryError>(),
       "arange"},
      {"linspace negative steps", [] { activ::linspace(0, 1, -1); }, raises<ValueError>(),
       "number of steps must be non-negative, got -1"},
      {"randint empty range", [] { activ::randint(5, 5, {2}); }, raises<ValueError>(),
       "expected low < high"},
      {"tensor ragged",
       [] {
         activ::tensor({{1, 2}, {3}});
       },
       raises<ValueError>(), "expected sequence of length"},
      {"from_vector wrong size",
       [] {
         activ::from_vector(std::vector<float>{1, 2, 3}, {2, 2});
       },
       raises<ShapeError>(), "is invalid for input of size 3"},
      // --- views: dims and indices out of range ---
      {"size dim out of range", [] { (void)kMatrix.size(2); }, raises<IndexError>(),
       "size: dim 2 is out of range for a tensor of 2 dims"},
      {"transpose dim out of range", [] { kMatrix.transpose(0, -3); }, raises<IndexError>(),
       "dim -3 is out of range"},
      {"unsqueeze dim out of range", [] { kMatrix.unsqueeze(4); }, raises<IndexError>(),
       "dim 4 is out of range"},
      {"squeeze dim out of range", [] { kMatrix.squeeze(5); }, raises<IndexError>(),
       "dim 5 is out of range"},
      {"select index out of range", [] { kMatrix.select(0, 2); }, raises<IndexError>(),
       "select: index 2"},
      {"select on 0-d", [] { activ::ones({}).select(0, 0); }, raises<IndexError>(),
       "select: cannot be applied to a 0-dim tensor"},
      {"narrow past the end", [] { kMatrix.narrow(1, 2, 2); }, raises<IndexError>(),
       "narrow: start (2) + length (2)"},
      {"slice zero step", [] { kMatrix.slice(1, 0, 3, 0); }, raises<ValueError>(),
       "slice: step must be greater than zero, got 0"},
      {"view wrong numel", [] { kMatrix.view({4}); }, raises<ShapeError>(), "view: shape [4]"},
      {"view two inferred",
       [] {
         kMatrix.view({-1, -1});
       },
       raises<ShapeError>(), "only one dimension can be inferred"},
      {"view of non-contiguous", [] { kMatrix.t().view({6}); }, raises<ShapeError>(), "view: size"},
      {"reshape invalid dim",
       [] {
         kMatrix.reshape({-2, 3});
       },
       raises<ShapeError>(), "invalid shape dimension -2"},
      {"flatten start after end",
       [] {
         activ::ones({2, 3, 4}).flatten(2, 1);
       },
       raises<ValueError>(), "start_dim cannot come after end_dim"},
      {"t of 3-d",
       [] {
         activ::ones({2, 3, 4}).t();
       },
       raises<ShapeError>(), "t: expects a tensor with <= 2 dimensions"},
      {"permute wrong count", [] { kMatrix.permute({0}); }, raises<ShapeError>(),
       "permute: number of dims don't match"},
      {"permute repeated dim",
       [] {
         kMatrix.permute({1, 1});
       },
       raises<ShapeError>(), "permute: repeated dim 1"},
      {"expand smaller",
       [] {
         kMatrix.expand({2, 2});
       },
       raises<ShapeError>(), "expand: the expanded size of the tensor (2)"},
      {"chunk zero", [] { kMatrix.chunk(0); }, raises<ValueError>(),
       "chunk: chunks must be greater than 0, got 0"},
      {"split negative size", [] { kMatrix.split(-1); }, raises<ValueError>(),
       "split: split_size must be non-negative, got -1"},
      {"split sizes wrong sum",
       [] {
         kMatrix.split(Shape{1, 1}, 1);
       },
       raises<ValueError>(), "split: split sizes [1, 1] sum to 2"},
      {"at wrong index count", [] { kMatrix.at<float>({0}); }, raises<IndexError>(),
       "at: expected an index of 2 entries, got 1"},
      {"at index out of bounds",
       [] {
         kMatrix.at<float>({0, 3});
       },
       raises<IndexError>(), "at: index 3 is out of bounds for dim 1"},
      {"data_ptr wrong dtype", [] { kMatrix.data_ptr<double>(); }, raises<TypeError>(),
       "expected a tensor of dtype"},
      {"item of many", [] { kMatrix.item(); }, raises<ValueError>(),
       "item: a Tensor with 6 elements"},
      // --- elementwise: broadcasting, dtypes, undefined and empty tensors ---
      {"add not broadcastable", [] { activ::add(kMatrix, activ::ones({4})); }, raises<ShapeError>(),
       "add: shapes [2, 3] and [4] cannot be broadcast"},
      {"mul not broadcastable",
       [] {
         activ::mul(kMatrix, activ::ones({3, 2}));
       },
       raises<ShapeError>(), "cannot be broadcast"},
      {"add undefined", [] { activ::add(kMatrix, Tensor()); }, raises<ValueError>(),
       "is an undefined tensor"},
      {"in-place add changes shape", [] { activ::ones({3}).add_(kMatrix); }, raises<ShapeError>(),
       "output with shape [3]"},
      {"in-place float into int", [] { activ::ones({3}, activ::int64).mul_(activ::ones({3})); },
       raises<TypeError>(),
       "mul_: result type float32 can't be cast to the desired output type int64"},
      {"where non-bool condition", [] { activ::where(kMatrix, kMatrix, kMatrix); },
       raises<TypeError>(), "where: expected condition to be a bool tensor"},
      {"abs of bool", [] { activ::abs(kBools); }, raises<TypeError>(),
       "abs: not implemented for bool tensors"},
      {"int to negative int power", [] { activ::pow(kInts, -1); }, raises<ValueError>(),
       "integers to negative integer powers are not allowed"},
      {"clamp without bounds", [] { activ::clamp(kMatrix, {}, {}); }, raises<ValueError>(),
       "clamp: at least one of 'min' or 'max' must not be None"},
      {"clamp bool", [] { activ::clamp(kBools, 0, 1); }, raises<TypeError>(),
       "clamp: not implemented for bool tensors"},
      // --- reductions ---
      {"sum dim out of range", [] { activ::sum(kMatrix, {2}); }, raises<IndexError>(),
       "dim 2 is out of range"},
      {"sum repeated dim",
       [] {
         activ::sum(kMatrix, {1, -1});
       },
       raises<ValueError>(), "dim 1"},
      {"max of empty", [] { activ::max(activ::ones({0})); }, raises<IndexError>(), "max"},
      {"argmax of empty dim",
       [] {
         activ::argmax(activ::ones({2, 0}), 1);
       },
       raises<IndexError>(), "argmax"},
      {"sum undefined", [] { activ::sum(Tensor()); }, raises<ValueError>(),
       "sum: the tensor is undefined"},
      // --- joining and linear algebra ---
      {"cat empty list", [] { activ::cat({}); }, raises<ValueError>(),
       "cat: expected a non-empty list of tensors"},
      {"cat 0-d",
       [] {
         activ::cat({activ::ones({}), activ::ones({})});
       },
       raises<ShapeError>(), "cat: zero-dimensional tensor cannot be concatenated"},
      {"cat size mismatch",
       [] {
         activ::cat({kMatrix, activ::ones({2, 2})}, 0);
       },
       raises<ShapeError>(), "cat: sizes of tensors must match except in dimension 0"},
      {"stack unequal",
       [] {
         activ::stack({kMatrix, activ::ones({3, 2})});
       },
       raises<ShapeError>(), "stack: expects each tensor to be equal size"},
      {"mm mismatched", [] { activ::mm(kMatrix, kMatrix); }, raises<ShapeError>(),
       "mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"},
      {"mm of 1-d", [] { activ::mm(activ::ones({3}), kMatrix); }, raises<ShapeError>(),
       "mm: expected 2-D tensors, got 1-D and 2-D"},
      {"bmm of 2-d", [] { activ::bmm(kMatrix, kMatrix); }, raises<ShapeError>(),
       "bmm: expected 3-D tensors"},
      {"matmul 0-d", [] { activ::matmul(activ::ones({}), kMatrix); }, raises<ShapeError>(),
       "matmul: both arguments need to be at least 1D"},
      {"matmul dtype mismatch",
       [] {
         activ::matmul(kMatrix, activ::ones({3, 2}, activ::float64));
       },
       raises<TypeError>(), "expected both tensors to have the same dtype"},
      {"matmul of bool", [] { activ::matmul(kBools, kBools.t()); }, raises<TypeError>(),
       "not implemented for bool tensors"},
      // --- activations, losses and modules ---
      {"softshrink NaN lambd", [] { F::softshrink(kMatrix, {.lambd = kNaN}); },
       raises<ValueError>(), "lambd must be greater or equal to 0, but found to be nan"},
      {"softshrink negative lambd", [] { F::softshrink(kMatrix, {.lambd = -1.0}); },
       raises<ValueError>(), "lambd must be greater or equal to 0"},
      {"celu zero alpha", [] { F::celu(kMatrix, {.alpha = 0.0}); }, raises<ValueError>(),
       "alpha cannot be 0 for CELU"},
      {"gelu bad approximate", [] { F::gelu(kMatrix, {.approximate = "fast"}); },
       raises<ValueError>(), "argument 'approximate' must be either 'none' or 'tanh', got 'fast'"},
      {"Hardtanh NaN bound", [] { activ::nn::Hardtanh({.min_val = kNaN}); }, raises<ValueError>(),
       "Hardtanh: max_val must be greater than min_val, got min_val=nan"},
      {"Hardtanh inverted bounds", [] { activ::nn::Hardtanh({.min_val = 1.0, .max_val = -1.0}); },
       raises<ValueError>(), "max_val must be greater than min_val"},
      {"softmax dim out of range", [] { F::softmax(kMatrix, {.dim = 2}); }, raises<IndexError>(),
       "dim 2 is out of range"},
      {"glu odd dim", [] { F::glu(kMatrix); }, raises<ShapeError>(),
       "the halved dim must have an even size"},
      {"glu of 0-d", [] { F::glu(activ::ones({})); }, raises<ShapeError>(),
       "expected argument 'input' to have at least 1 dim"},
      {"relu backward wrong grad shape", [] { F::relu_backward(activ::ones({3}), kMatrix); },
       raises<ShapeError>(), "grad_output of shape [3]"},
      {"mse_loss bad reduction", [] { F::mse_loss(kMatrix, kMatrix, {.reduction = "avg"}); },
       raises<ValueError>(), "'avg' is not a valid value for reduction"},
      {"mse_loss not broadcastable", [] { F::mse_loss(kMatrix, activ::ones({4})); },
       raises<ShapeError>(), "mse_loss"},
      {"bce out of range", [] { F::binary_cross_entropy(kMatrix * 2, kMatrix); },
       raises<ValueError>(), "all elements of argument 'input' must be between 0 and 1, got 2.0"},
      {"bce NaN input", [] { F::binary_cross_entropy(kMatrix * kNaN, kMatrix); },
       raises<ValueError>(), "must be between 0 and 1, got nan"},
      {"huber negative delta", [] { F::huber_loss(kMatrix, kMatrix, {.delta = -1.0}); },
       raises<ValueError>(), "huber_loss: argument 'delta' must be positive"},
      {"cross_entropy target out of range",
       [] {
         F::cross_entropy(kMatrix, activ::tensor({0, 3}));
       },
       raises<IndexError>(), "target 3"},
      {"nll_loss float target", [] { F::nll_loss(kMatrix, activ::ones({2})); }, raises<TypeError>(),
       "target"},
      {"Linear negative features", [] { activ::nn::Linear(-1, 2); }, raises<ValueError>(),
       "Linear: in_features and out_features must be non-negative"},
      {"Dropout p above 1", [] { activ::nn::Dropout({.p = 1.5}); }, raises<ValueError>(),
       "Dropout: probability has to be between 0 and 1, but got 1.5"},
      {"linear shape mismatch",
       [] {
         F::linear(kMatrix, activ::ones({4, 2}));
       },
       raises<ShapeError>(), "linear: input of shape [2, 3] cannot be multiplied"},
      {"set_num_threads zero", [] { activ::set_num_threads(0); }, raises<ValueError>(),
       "set_num_threads"},
      {"requires_grad on int", [] { activ::ones({2}, activ::int64).requires_grad_(); },
       raises<TypeError>(), "only Tensors of floating point dtype can require gradients"},
      {"backward of non-scalar",
       [] {
         Tensor x = activ::ones({2}).requires_grad_();
         (x * 2).backward();
       },
       raises<activ::Error>(), "backward"},
      // --- the public view constructor: every element it reaches must lie in its storage ---
      {"view of null storage", [] { Tensor(nullptr, 0, {2}, {1}, activ::float32); },
       raises<ValueError>(), "expected a storage, got null"},
      {"view past the storage's end",
       [] { Tensor(std::make_shared<activ::Storage>(16), 0, {5}, {1}, activ::float32); },
       raises<IndexError>(), "needs 20 bytes, out of bounds for a storage of 16 bytes"},
      {"view at a negative offset",
       [] { Tensor(std::make_shared<activ::Storage>(16), -1, {2}, {1}, activ::float32); },
       raises<ValueError>(), "expected a non-negative storage_offset"},
      {"view with a negative stride reaching before the storage",
       [] { Tensor(std::make_shared<activ::Storage>(16), 1, {4}, {-1}, activ::float32).fill_(1); },
       raises<IndexError>(), "its element -2 lies before the start of the storage"},
      {"view with an overflowing stride",
       [] {
         Tensor(std::make_shared<activ::Storage>(16), 0, {2},
                {std::numeric_limits<std::int64_t>::max()}, activ::float32)
             .fill_(1);
       },
       raises<IndexError>(), "needs more bytes than can be addressed"},
      {"view with fewer strides than sizes",
       [] {
         Tensor(std::make_shared<activ::Storage>(16), 0, {2, 2}, {1}, activ::float32);
       },
       raises<ShapeError>(), "expected as many strides as sizes, got 1 and 2"},
      {"view with a negative size",
       [] { Tensor(std::make_shared<activ::Storage>(16), 0, {-2}, {1}, activ::float32); },
       raises<ShapeError>(), "negative dimension -2"},
      // --- undefined tensors, autograd, printing ---
      {"numel of undefined", [] { (void)Tensor().numel(); }, raises<ValueError>(),
       "numel: the tensor is undefined"},
      {"dim of undefined", [] { (void)Tensor().dim(); }, raises<ValueError>(),
       "dim: the tensor is undefined"},
      {"grad without inputs",
       [] {
         const Tensor x = activ::ones({2}).requires_grad_();
         activ::autograd::grad({(x * 2).sum()}, {});
       },
       raises<ValueError>(), "grad requires non-empty inputs"},
      {"set_printoptions huge precision",
       [] {
         activ::PrintOptions options;
         options.precision = std::numeric_limits<int>::max();
         activ::set_printoptions(options);
       },
       raises<ValueError>(), "precision must be between 0 and 1074, got 2147483647"},
      // --- writes that overlap their input, or themselves (torch's overlap checks) ---
      {"copy_ from a partly overlapping slice",
       [] {
         Tensor a = activ::arange(10.0);
         a.slice(0, 1, 6).copy_(a.slice(0, 0, 5));
       },
       raises<ValueError>(),
       "copy_: unsupported operation: some elements of the input tensor and the written-to "
       "tensor refer to a single memory location"},
      {"add_ from a partly overlapping slice",
       [] {
         Tensor a = activ::arange(10.0);
         a.slice(0, 1, 6).add_(a.slice(0, 0, 5));
       },
       raises<ValueError>(), "add_: unsupported operation: some elements of the input tensor"},
      {"relu_ on an expanded tensor",
       [] {
         Tensor x = activ::ones({1}).expand({3});
         F::relu_(x);
       },
       raises<ValueError>(),
       "unsupported operation: more than one element of the written-to tensor refers to a "
       "single memory location"},
      {"elu_ on an expanded tensor",
       [] {
         Tensor x = activ::ones({1}).expand({3});
         F::elu_(x);
       },
       raises<ValueError>(), "more than one element of the written-to tensor"},
      // --- .npy bytes ---
      {"npy empty input", [] { load_npy_text(""); }, raises<IoError>(), "load_npy: 'bad.npy'"},
      {"npy bad magic", [] { load_npy_text("NUMPY\x01"); }, raises<IoError>(), "load_npy"},
      {"npy truncated header", [] { load_npy_text(npy(f4, "").substr(0, 40)); }, raises<IoError>(),
       "load_npy: 'bad.npy'"},
      {"npy truncated data", [] { load_npy_text(npy(f4, "1234")); }, raises<IoError>(),
       "load_npy: 'bad.npy'"},
      {"npy unknown dtype",
       [] {
         load_npy_text(npy("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", "1234"));
       },
       raises<IoError>(), "<f2"},
      {"npy negative dim",
       [] { load_npy_text(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", "")); },
       raises<IoError>(), "a non-negative dim in 'shape'"},
      {"npy oversized shape",
       [] {
         load_npy_text(npy(
             "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", ""));
       },
       raises<IoError>(), "load_npy: 'bad.npy'"},
      {"npy nine dims",
       [] {
         load_npy_text(
             npy("{'descr': '<f4', 'fortran_order': False, "
                 "'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1), }",
                 "1234"));
       },
       raises<IoError>(), "at most 8 dims in 'shape'"},
      {"npy missing file", [] { activ::load_npy("/nonexistent/x.npy"); }, raises<IoError>(),
       "/nonexistent/x.npy"},
      // --- safetensors bytes ---
      {"safetensors empty input", [] { load_safetensors_text(""); }, raises<IoError>(),
       "bad.safetensors"},
      {"safetensors header past the end",
       [] { load_safetensors_text(safetensors("{}", "").substr(0, 9)); }, raises<IoError>(),
       "bad.safetensors"},
      {"safetensors huge header length",
       [] { load_safetensors_text(std::string("\xff\xff\xff\xff\xff\xff\xff\x7f{}", 10)); },
       raises<IoError>(), "bad.safetensors"},
      {"safetensors invalid JSON", [] { load_safetensors_text(safetensors("{\"a\":", "")); },
       raises<IoError>(), "header is not valid JSON"},
      {"safetensors not an object", [] { load_safetensors_text(safetensors("[1]    ", "")); },
       raises<IoError>(), "bad.safetensors"},
      {"safetensors truncated data",
       [] {
         load_safetensors_text(
             safetensors(R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", "1234"));
       },
       raises<IoError>(), "bad.safetensors"},
      {"safetensors oversized shape",
       [] {
         load_safetensors_text(safetensors(
             R"({"x":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}})",
             "12345678"));
       },
       raises<IoError>(), "bad.safetensors"},
      {"safetensors offsets mismatch",
       [] {
         load_safetensors_text(
             safetensors(R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", "1234"));
       },
       raises<IoError>(), "bad.safetensors"},
      {"safetensors F16",
       [] {
         load_safetensors_text(
             safetensors(R"({"x":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})", "1234"));
       },
       raises<IoError>(), "F16"},
      {"safetensors repeated key",
       [] {
         load_safetensors_text(
             safetensors(R"({"x":{"dtype":"F32","shape":[],"data_offsets":[0,4]},)"
                         R"("x":{"dtype":"F32","shape":[],"data_offsets":[4,8]}})",
                         "12345678"));
       },
       raises<IoError>(), "header repeats the key"},
      {"save_safetensors undefined tensor",
       [] {
         activ::to_safetensors_bytes({{"x", Tensor()}});
       },
       raises<ValueError>(), "x"},
  };
}

TEST(BadInput, EveryBadCallRaisesItsError) {
  const std::vector<BadCall> calls = bad_api_calls();
  EXPECT_GE(calls.size(), 60u);
  for (const BadCall& bad : calls) {
    SCOPED_TRACE(bad.name);
    try {
      bad.call();
      ADD_FAILURE() << bad.name << ": no exception";
    } catch (const activ::Error& error) {
      EXPECT_EQ(type_name(typeid(error)), type_name(bad.error)) << error.what();
      EXPECT_THAT(error.what(), ::testing::HasSubstr(bad.message));
    } catch (const std::exception& error) {
      ADD_FAILURE() << bad.name << ": not an activ::Error: " << typeid(error).name() << ": "
                    << error.what();
    }
  }
}

// More threads than the pool's maximum are capped, with a warning, instead of being spawned
// until memory runs out.
TEST(BadInput, SetNumThreadsCapsHugeCounts) {
  const int before = activ::get_num_threads();
  ::testing::internal::CaptureStderr();
  activ::set_num_threads(1 << 30);
  const std::string warning = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(activ::get_num_threads(), activ::kMaxNumThreads);
  EXPECT_EQ(warning,
            "activ: warning: set_num_threads: 1073741824 threads requested, using the maximum of "
            "1024\n");
  activ::set_num_threads(before);
}

// Runs body on a thread with a stack of the given bytes, and waits for it.
void run_on_small_stack(std::size_t stack_bytes, void (*body)()) {
  pthread_attr_t attributes;
  ASSERT_EQ(::pthread_attr_init(&attributes), 0);
  ASSERT_EQ(::pthread_attr_setstacksize(&attributes, stack_bytes), 0);
  pthread_t thread;
  ASSERT_EQ(::pthread_create(
                &thread, &attributes,
                [](void* function) -> void* {
                  reinterpret_cast<void (*)()>(function)();
                  return nullptr;
                },
                reinterpret_cast<void*>(body)),
            0);
  ::pthread_attr_destroy(&attributes);
  ::pthread_join(thread, nullptr);
}

// A long chain of nodes is freed, and runs backward, without a stack frame per node: on a 1 MB
// stack, 100,000 nodes (300,000 took 393k nested destructor frames on the default 8 MB stack;
// 1,000,000 nodes, run by hand on the default stack, took 34 s and 670 MB on a loaded 2-core
// machine: too slow for CI).
TEST(BadInput, LongGraphIsFreedAndDifferentiatedIteratively) {
  run_on_small_stack(std::size_t{1} << 20, [] {
    constexpr int kNodes = 100'000;
    const Tensor x = activ::ones({1}).requires_grad_();
    {
      Tensor y = x;
      for (int i = 0; i < kNodes; ++i) y = y + 0.0;
    }  // freed here
    Tensor y = x;
    for (int i = 0; i < kNodes; ++i) y = y + 0.0;
    y.sum().backward();
    EXPECT_EQ(x.grad().item<float>(), 1.0f);
  });
}

// Twice a huge edgeitems overflowed int and printing read far out of bounds; torch shows every
// element (torch.set_printoptions(threshold=1, edgeitems=2**31 - 1); str(torch.arange(20))).
TEST(BadInput, PrintingWithHugeEdgeitemsShowsEveryElement) {
  activ::PrintOptions options;
  options.threshold = 1;
  options.edgeitems = std::numeric_limits<int>::max();
  activ::set_printoptions(options);
  const std::string text = activ::arange(20).repr();
  activ::reset_printoptions();
  EXPECT_EQ(text,
            "tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17,\n"
            "        18, 19])");
}

// A .npy file too large for memory (8 TiB of float64, a sparse file) names the operation, the
// file and the shape.
TEST(BadInput, HugeNpyAllocationNamesTheOperationAndShape) {
  const fs::path path = fs::temp_directory_path() / ("huge-" + std::to_string(::getpid()) + ".npy");
  const std::string header =
      npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1099511627776,), }", "");
  {
    std::FILE* file = std::fopen(path.c_str(), "wb");
    ASSERT_NE(file, nullptr);
    std::fwrite(header.data(), 1, header.size(), file);
    std::fclose(file);
  }
  if (::truncate(path.c_str(), static_cast<off_t>(header.size() + (std::int64_t{1} << 43))) != 0) {
    fs::remove(path);
    GTEST_SKIP() << "no sparse file of 8 TiB here";
  }
  try {
    activ::load_npy(path.string());
    ADD_FAILURE() << "no exception";
  } catch (const activ::OutOfMemoryError& error) {
    EXPECT_THAT(error.what(),
                ::testing::HasSubstr("load_npy: '" + path.string() +
                                     "': empty: shape [1099511627776] of float64: allocation of "
                                     "8796093022208 bytes failed"));
  }
  fs::remove(path);
}

// --- the activ program ----------------------------------------------------------------------

// The activ program next to this test in the build tree (tests/ and bin/ are siblings).
fs::path activ_program() {
  return fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "bin" / "activ";
}

struct ProgramRun {
  int status;          // as waitpid reports it
  std::string output;  // stdout and stderr
};

// stderr joins the pipe first, so arguments may redirect stdout alone; a hang ends after 60 s
// as exit code 124.
ProgramRun run_activ(const std::string& arguments) {
  const std::string command =
      "exec 2>&1; timeout -k 5 60 " + activ_program().string() + " " + arguments;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  std::string output;
  std::array<char, 4096> buffer;
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) {
    output.append(buffer.data(), n);
  }
  return {pclose(pipe), output};
}

struct BadCommand {
  const char* arguments;
  int exit_code;
  const char* message;  // a substring of the first output line, which starts with "activ: error: "
};

TEST(BadInput, EveryBadCommandLineExitsWithAMessage) {
  if (!fs::exists(activ_program())) GTEST_SKIP() << "no activ program at " << activ_program();
  const std::vector<BadCommand> commands = {
      {"--bogus", 2, "--bogus"},
      {"", 2, "a subcommand is required"},
      {"frobnicate", 2, "frobnicate"},
      {"demo --bogus", 2, "--bogus"},
      {"accuracy --dtype", 2, "--dtype"},
      {"accuracy NoSuchActivation", 2, "NoSuchActivation"},
      {"accuracy SiLU --threads 0", 2, "threads"},
      {"accuracy SiLU --threads abc", 2, "abc"},
      {"accuracy SiLU --dtype float16", 2, "float16"},
      {"accuracy 'ELU(alpha='", 2, "ELU(alpha="},
      // plot ranges too narrow for distinct ticks (a segfault, or a hang growing memory) or
      // too wide for a double
      {"plot elu --range 0:5e-324 -o /nonexistent/t.svg", 2,
       "--range LO:HI: expected a width hi - lo of at least 1e-300"},
      {"plot elu --range -1e-323:0 -o /nonexistent/t.png", 2, "expected a width hi - lo of"},
      {"plot elu --range 1:1.0000000000000002 -o /nonexistent/t.png", 2,
       "and 1e-12 of the bounds' magnitude, got '1:1.0000000000000002'"},
      {"plot elu --range 100:100.00000000000003 -o /nonexistent/t.png", 2,
       "expected a width hi - lo of"},
      {"plot elu --range -5e-324:5e-324 -o /nonexistent/t.png", 2, "expected a width hi - lo of"},
      {"plot elu --range -1e308:1e308 -o /nonexistent/t.svg", 2,
       "expected a width hi - lo within the range of float64"},
      // thread counts: capped, and said briefly
      {"bench relu --size 1024 --threads 100000", 2,
       "--threads: Value 100000 not in range 1 to 1024"},
      {"bench relu --threads 0", 2, "--threads: Value 0 not in range 1 to 1024"},
      {"accuracy SiLU --threads 100000", 2, "not in range 1 to 1024"},
      // numbers beyond the dtype
      {"eval relu -- 1e400", 2, "eval: '1e400' is out of range of float64"},
      {"eval relu -- -3.4e39", 2, "eval: '-3.4e39' is out of range of float32"},
      // invalid option values are usage errors, whoever checks them
      {"eval softshrink --lambd -1 -- 1", 2, "lambd must be greater or equal to 0"},
      {"eval rrelu --lower 0.5 --upper 0.1 --train -- 1", 2, "expected lower <= upper"},
      {"eval gelu --approximate fast -- 1", 2, "must be either 'none' or 'tanh', got 'fast'"},
      {"eval Hardtanh --min-val 2 --max-val -2 -- 1", 2, "max_val must be greater than min_val"},
      {"eval prelu --num-parameters -1 -- 1", 2, "num_parameters must be non-negative"},
      // input that would be ignored
      {"eval rrelu --seed 5 -- 1", 2, "eval: --seed only applies with --train"},
      {"eval relu --output '' -- 1", 2, "eval: --output expects a file path, got ''"},
      {"eval relu --grad-input= -- 1", 2, "eval: --grad-input expects a file path, got ''"},
      {"--version extra", 2, "--version takes no arguments, got 'extra'"},
      // output that cannot be written is an error, not a success
      {"eval relu -- 1 2 3 >/dev/full", 1,
       "cannot write to standard output: No space left on device"},
      {"list --json >/dev/full", 1, "cannot write to standard output"},
      {"--help >&-", 1, "cannot write to standard output: Bad file descriptor"},
  };
  for (const BadCommand& bad : commands) {
    SCOPED_TRACE(bad.arguments);
    const ProgramRun run = run_activ(bad.arguments);
    ASSERT_TRUE(WIFEXITED(run.status)) << "ended by a signal; output:\n" << run.output;
    EXPECT_EQ(WEXITSTATUS(run.status), bad.exit_code) << run.output;
    const std::string first_line = run.output.substr(0, run.output.find('\n'));
    EXPECT_THAT(first_line, ::testing::StartsWith("activ: error: "));
    EXPECT_THAT(first_line, ::testing::HasSubstr(bad.message));
  }
}

}  // namespace
