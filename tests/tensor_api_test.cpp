// The Tensor API's semantics beyond values (those are in tensor_ops_reference_test): views
// sharing storage, strides, error types and messages, dtype inference, the random generator
// and the threading layer.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "activ/parallel.h"
#include "activ/tensor.h"

namespace activ {
namespace {

// Runs fn, expecting it to throw E; returns the message (empty, with a failure, otherwise).
template <class E, class Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw the wrong exception type: " << e.what();
    return {};
  }
  ADD_FAILURE() << "did not throw";
  return {};
}

// 0, 1, 2, ... in float32, laid out contiguously in shape.
Tensor iota(const Shape& shape) {
  std::int64_t numel = 1;
  for (auto s : shape) numel *= s;
  return arange(0.0, static_cast<double>(numel), 1.0).view(shape);
}

// --- views share storage -------------------------------------------------------------------

TEST(TensorViews, WritingThroughAViewChangesTheBase) {
  const Tensor base = iota({2, 3});
  base.view({3, 2}).at<float>({2, 1}) = 100;
  EXPECT_EQ(base.at<float>({1, 2}), 100);
  base.t().at<float>({0, 1}) = 200;  // element (1, 0) of the base
  EXPECT_EQ(base.at<float>({1, 0}), 200);
  base.select(1, 1).at<float>({0}) = 300;
  EXPECT_EQ(base.at<float>({0, 1}), 300);
  base.slice(1, 0, std::nullopt, 2).fill_(-1);
  EXPECT_EQ(base.to_vector<float>(), (std::vector<float>{-1, 300, -1, -1, 4, -1}));
  base.narrow(0, 1, 1).squeeze(0).unsqueeze(1).zero_();
  EXPECT_EQ(base.to_vector<float>(), (std::vector<float>{-1, 300, -1, 0, 0, 0}));
  std::vector<Tensor> parts = base.chunk(3, 1);
  parts[1].fill_(7);
  EXPECT_EQ(base.to_vector<float>(), (std::vector<float>{-1, 7, -1, 0, 7, 0}));
}

TEST(TensorViews, ViewsAliasTheirBaseAndCopiesDoNot) {
  const Tensor base = iota({2, 3, 4});
  EXPECT_TRUE(base.view({6, 4}).is_alias_of(base));
  EXPECT_TRUE(base.permute({2, 0, 1}).is_alias_of(base));
  EXPECT_TRUE(base[1].is_alias_of(base));
  EXPECT_TRUE(base.flatten().is_alias_of(base));
  EXPECT_TRUE(base.contiguous().is_alias_of(base));  // already contiguous: no copy
  EXPECT_FALSE(base.clone().is_alias_of(base));
  EXPECT_FALSE(base.transpose(0, 1).contiguous().is_alias_of(base));
  EXPECT_TRUE(base.to(float32).is_alias_of(base));  // same dtype: the tensor itself
  EXPECT_FALSE(base.to(float64).is_alias_of(base));
}

TEST(TensorViews, StridesFollowTorch) {
  const Tensor t = iota({2, 3, 4});
  EXPECT_EQ(t.strides(), (Shape{12, 4, 1}));
  EXPECT_TRUE(t.is_contiguous());

  const Tensor transposed = t.transpose(0, 2);
  EXPECT_EQ(transposed.sizes(), (Shape{4, 3, 2}));
  EXPECT_EQ(transposed.strides(), (Shape{1, 4, 12}));
  EXPECT_FALSE(transposed.is_contiguous());

  const Tensor permuted = t.permute({1, 2, 0});
  EXPECT_EQ(permuted.sizes(), (Shape{3, 4, 2}));
  EXPECT_EQ(permuted.strides(), (Shape{4, 1, 12}));

  const Tensor expanded = iota({3, 1}).expand({2, 3, 4});
  EXPECT_EQ(expanded.strides(), (Shape{0, 1, 0}));
  EXPECT_FALSE(expanded.is_contiguous());

  const Tensor sliced = iota({4, 6}).slice(1, 1, std::nullopt, 2);
  EXPECT_EQ(sliced.sizes(), (Shape{4, 3}));
  EXPECT_EQ(sliced.strides(), (Shape{6, 2}));
  EXPECT_EQ(sliced.storage_offset(), 1);
  EXPECT_FALSE(sliced.is_contiguous());

  const Tensor row = iota({4, 6}).select(0, 2);
  EXPECT_EQ(row.storage_offset(), 12);
  EXPECT_TRUE(row.is_contiguous());
  EXPECT_FALSE(iota({4, 6}).narrow(1, 0, 3).is_contiguous());
  EXPECT_EQ(iota({2, 3}).unsqueeze(1).strides(), (Shape{3, 3, 1}));
  // Size-1 dims do not matter for contiguity, whatever their stride.
  EXPECT_TRUE(iota({1, 6}).t().t().unsqueeze(0).transpose(0, 1).is_contiguous());
  EXPECT_TRUE(iota({6, 1}).t().is_contiguous());
}

TEST(TensorViews, ViewOnANonViewableLayoutRaisesAndReshapeCopies) {
  const Tensor t = iota({2, 3}).t();
  EXPECT_EQ(
      error_of<ShapeError>([&] { t.view({6}); }),
      "view: size [6] is not compatible with input tensor's size [3, 2] and stride [1, 3] (at "
      "least one dimension spans across two contiguous subspaces); use reshape instead");
  const Tensor flat = t.reshape({6});
  EXPECT_FALSE(flat.is_alias_of(t));
  EXPECT_EQ(flat.to_vector<float>(), (std::vector<float>{0, 3, 1, 4, 2, 5}));
  // Merging dims that are contiguous with each other is a view even in a sliced tensor.
  const Tensor sliced = iota({3, 2, 4}).narrow(2, 0, 2);
  EXPECT_TRUE(sliced.reshape({3, 2, 2}).is_alias_of(sliced));
  EXPECT_TRUE(sliced.view({3, 2, 2}).is_alias_of(sliced));
  EXPECT_THROW(sliced.view({12}), ShapeError);
}

TEST(TensorViews, ExpandedTensorsReadTheSameElement) {
  Tensor column = tensor({{1.0}, {2.0}});
  const Tensor wide = column.expand({2, 3});
  column.at<float>({1, 0}) = 5;
  EXPECT_EQ(wide.to_vector<float>(), (std::vector<float>{1, 1, 1, 5, 5, 5}));
  // Writing in place into an expanded view is refused, as torch refuses it.
  Tensor target = wide;
  error_of<Error>([&] { target.add_(ones({2, 3})); });
}

// --- in-place ops --------------------------------------------------------------------------

TEST(TensorInPlace, ArithmeticWritesIntoTheTensorAndItsViews) {
  Tensor base = zeros({2, 3});
  Tensor row = base[1];
  row.add_(tensor({1.0, 2.0, 3.0}), 2);
  EXPECT_EQ(base.to_vector<float>(), (std::vector<float>{0, 0, 0, 2, 4, 6}));
  row.mul_(2.5);
  row.clamp_(std::nullopt, 9.0);
  EXPECT_EQ(base.to_vector<float>(), (std::vector<float>{0, 0, 0, 5, 9, 9}));
  Tensor column = base.select(1, 0);
  column += tensor({1.0, 1.0});
  EXPECT_EQ(base.to_vector<float>(), (std::vector<float>{1, 0, 0, 6, 9, 9}));
}

TEST(TensorInPlace, ResultMustFitTheTensor) {
  Tensor ints = tensor({1, 2, 3});
  EXPECT_NE(error_of<TypeError>([&] { ints.add_(0.5); }).find("can't be cast"), std::string::npos);
  Tensor small = zeros({3});
  EXPECT_EQ(error_of<ShapeError>([&] {
              small.add_(zeros({2, 3}));
            }),
            "add_: output with shape [3] doesn't match the broadcast shape [2, 3]");
  ints.add_(tensor({true, false, true}));
  EXPECT_EQ(ints.to_vector<std::int64_t>(), (std::vector<std::int64_t>{2, 2, 4}));
}

TEST(TensorInPlace, CopyBroadcastsAndConverts) {
  Tensor dst = zeros({2, 3}, int64);
  dst.copy_(tensor({1.9, -1.9, 3.0}));
  EXPECT_EQ(dst.to_vector<std::int64_t>(), (std::vector<std::int64_t>{1, -1, 3, 1, -1, 3}));
  EXPECT_THROW(dst.copy_(zeros({4})), ShapeError);
}

// --- errors ----------------------------------------------------------------------------------

TEST(TensorErrors, BroadcastFailureNamesTheOpAndShapes) {
  EXPECT_EQ(error_of<ShapeError>([] {
              add(zeros({2, 3}), zeros({4}));
            }),
            "add: shapes [2, 3] and [4] cannot be broadcast");
  EXPECT_EQ(error_of<ShapeError>([] {
              mul(zeros({2, 3}), zeros({3, 3}));
            }),
            "mul: shapes [2, 3] and [3, 3] cannot be broadcast");
  EXPECT_EQ(error_of<ShapeError>([] {
              broadcast_shapes({5, 1}, {2, 3}, "where");
            }),
            "where: shapes [5, 1] and [2, 3] cannot be broadcast");
  EXPECT_EQ(broadcast_shapes({5, 1, 3}, {4, 1}, "add"), (Shape{5, 4, 3}));
}

TEST(TensorErrors, ViewWithAWrongSize) {
  EXPECT_EQ(error_of<ShapeError>([] { zeros({6}).view({5}); }),
            "view: shape [5] is invalid for input of size 6");
  EXPECT_EQ(error_of<ShapeError>([] {
              zeros({6}).reshape({4, -1});
            }),
            "reshape: shape [4, -1] is invalid for input of size 6");
  EXPECT_EQ(error_of<ShapeError>([] {
              zeros({6}).view({-1, -1});
            }),
            "view: only one dimension can be inferred");
}

TEST(TensorErrors, DimOutOfRange) {
  const Tensor t = zeros({2, 3});
  const std::string expected = "dim 3 is out of range for a tensor of 2 dims";
  EXPECT_NE(error_of<IndexError>([&] { t.sum({3}); }).find(expected), std::string::npos);
  EXPECT_NE(error_of<IndexError>([&] { t.transpose(0, 3); }).find(expected), std::string::npos);
  EXPECT_NE(error_of<IndexError>([&] { t.max(3); }).find(expected), std::string::npos);
  EXPECT_NE(error_of<IndexError>([&] { cat({t, t}, 3); }).find(expected), std::string::npos);
  EXPECT_NE(error_of<IndexError>([&] { t.size(-3); }).find("dim -3 is out of range"),
            std::string::npos);
  EXPECT_EQ(error_of<IndexError>([] { wrap_dim(2, 2, "squeeze"); }),
            "squeeze: dim 2 is out of range for a tensor of 2 dims (expected to be in range of "
            "[-2, 1])");
  EXPECT_EQ(wrap_dim(-1, 0, "sum"), 0);  // a 0-d tensor takes dim 0 and -1
}

TEST(TensorErrors, InvalidShapes) {
  EXPECT_EQ(error_of<ShapeError>([] {
              zeros({2, -1});
            }),
            "empty: negative dimension -1 in shape [2, -1]");
  EXPECT_EQ(error_of<ShapeError>([] { ones(Shape(9, 1)); }),
            "empty: a tensor has at most 8 dims, got 9");
  EXPECT_EQ(error_of<ShapeError>([] {
              empty({std::int64_t{1} << 40, std::int64_t{1} << 40});
            }),
            "empty: shape [1099511627776, 1099511627776] has more elements than can be addressed");
  EXPECT_THROW(empty({std::int64_t{1} << 61}), OutOfMemoryError);
  EXPECT_THROW(zeros(Shape(8, 1)).unsqueeze(0), ShapeError);
  EXPECT_THROW(full({-3}, 1.0), ShapeError);
  EXPECT_EQ(zeros(Shape(8, 1)).dim(), 8);
}

TEST(TensorErrors, ElementAccess) {
  const Tensor t = zeros({2, 3});
  EXPECT_EQ(error_of<TypeError>([&] { t.data_ptr<double>(); }),
            "data_ptr: expected a tensor of dtype float64, got float32");
  EXPECT_THROW(t.at<std::int64_t>({0, 0}), TypeError);
  EXPECT_EQ(error_of<ValueError>([&] { t.item<float>(); }),
            "item: a Tensor with 6 elements cannot be converted to Scalar");
  EXPECT_EQ(error_of<IndexError>([&] {
              t.at<float>({2, 0});
            }),
            "at: index 2 is out of bounds for dim 0 with size 2");
  EXPECT_THROW(t.at<float>({0}), IndexError);
  EXPECT_EQ(t.at<float>({-1, -1}), 0.0f);
  EXPECT_EQ(full({1, 1}, 2.5).item<double>(), 2.5);
  EXPECT_EQ(tensor({7}).item().kind(), int64);
  EXPECT_FALSE(Tensor().defined());
  EXPECT_THROW(Tensor().data_ptr<float>(), ValueError);
}

TEST(TensorErrors, MatmulShapes) {
  EXPECT_EQ(error_of<ShapeError>([] {
              matmul(zeros({3, 4}), zeros({5, 2}));
            }),
            "matmul: shapes [3, 4] and [5, 2] cannot be multiplied (3x4 and 5x2)");
  EXPECT_EQ(error_of<ShapeError>([] {
              mm(zeros({2, 3}), zeros({4, 2}));
            }),
            "mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x2)");
  EXPECT_THROW(matmul(zeros({2, 3, 4}), zeros({3, 4, 5})), ShapeError);  // batch 2 vs 3
  EXPECT_THROW(bmm(zeros({2, 3, 4}), zeros({2, 5, 6})), ShapeError);
  EXPECT_THROW(matmul(zeros({3}), zeros({3}, float64)), TypeError);
  EXPECT_THROW(matmul(zeros({}), zeros({3})), ShapeError);
}

// OpenBLAS 0.3.21 gives CPUs newer than itself its SSE3 kernels ("Prescott"); activ then selects
// the AVX2 or AVX-512 ones, which must give the same products.
TEST(Matmul, RunsOnTheVectorKernelsOfTheCpu) {
  const std::string kernels = blas_kernels();
  EXPECT_FALSE(kernels.empty());
  if (std::getenv("OPENBLAS_CORETYPE") == nullptr && __builtin_cpu_supports("avx2") &&
      __builtin_cpu_supports("fma")) {
    EXPECT_NE(kernels, "Prescott");
  }
  const std::int64_t n = 67, k = 300, p = 45;  // beyond the kernels' register blocks
  const Tensor a = rand({n, k}) - 0.5, b = rand({k, p}) - 0.5;
  const Tensor c = mm(a, b);
  double max_error = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t j = 0; j < p; ++j) {
      double exact = 0;
      for (std::int64_t l = 0; l < k; ++l) {
        exact += double(a.at<float>({i, l})) * double(b.at<float>({l, j}));
      }
      max_error = std::max(max_error, std::abs(double(c.at<float>({i, j})) - exact));
    }
  }
  EXPECT_LT(max_error, 1e-4) << "on the " << kernels << " kernels";
}

TEST(TensorErrors, JoiningMismatchedTensors) {
  EXPECT_EQ(error_of<ShapeError>([] {
              cat({zeros({2, 3}), zeros({2, 4})}, 0);
            }),
            "cat: sizes of tensors must match except in dimension 0. Expected size 3 but got size "
            "4 for tensor number 1 in the list");
  EXPECT_EQ(error_of<ShapeError>([] {
              cat({zeros({2, 3}), zeros({3})}, 0);
            }),
            "cat: tensors must have same number of dimensions: got 2 and 1 (tensor number 1)");
  EXPECT_THROW(cat({}, 0), ValueError);
  EXPECT_THROW(cat({zeros({}), zeros({})}, 0), ShapeError);
  EXPECT_THROW(stack({zeros({2, 3}), zeros({3, 2})}, 0), ShapeError);
  EXPECT_THROW(stack({}, 0), ValueError);
  // Mixed dtypes are promoted, as torch.cat does, not refused.
  const Tensor mixed = cat({tensor({1, 2}), tensor({0.5}, float64), tensor({true})}, 0);
  EXPECT_EQ(mixed.dtype(), float64);
  EXPECT_EQ(mixed.to_vector<double>(), (std::vector<double>{1, 2, 0.5, 1}));
}

TEST(TensorErrors, ViewArguments) {
  const Tensor t = zeros({2, 3});
  EXPECT_EQ(error_of<IndexError>([&] { t.select(1, 3); }),
            "select: index 3 is out of bounds for dimension 1 with size 3");
  EXPECT_THROW(t.permute({0}), ShapeError);
  EXPECT_THROW(t.permute({1, 1}), ShapeError);
  EXPECT_THROW(t.narrow(1, 2, 2), IndexError);
  EXPECT_THROW(t.slice(1, 0, 2, 0), ValueError);
  EXPECT_THROW(t.expand({4, 3}), ShapeError);
  EXPECT_THROW(t.expand({3}), ShapeError);
  EXPECT_THROW(t.split(Shape{1, 1}, 1), ValueError);
  EXPECT_THROW(t.chunk(0), ValueError);
  EXPECT_THROW(zeros({2, 3, 4}).t(), ShapeError);
  EXPECT_THROW(t.flatten(1, 0), ValueError);
}

TEST(TensorErrors, DtypeRestrictions) {
  EXPECT_THROW(neg(tensor({true})), TypeError);
  EXPECT_THROW(sub(tensor({true}), tensor({false})), TypeError);
  EXPECT_THROW(mean(tensor({1, 2})), TypeError);
  EXPECT_THROW(where(tensor({1.0}), tensor({1.0}), tensor({2.0})), TypeError);
  EXPECT_THROW(rand({2}, int64), TypeError);
  EXPECT_THROW(pow(tensor({2}), -1), Error);
  EXPECT_THROW(add(tensor({1}), tensor({2}), 0.5), TypeError);
  EXPECT_THROW(clamp(zeros({2}), std::nullopt, std::nullopt), ValueError);
  EXPECT_THROW(add(Tensor(), zeros({2})), ValueError);
}

// --- tensor() from braces ------------------------------------------------------------------

TEST(TensorFactory, NestedListInfersTheDtype) {
  const Tensor ints = tensor({{1, 2}, {3, 4}});
  EXPECT_EQ(ints.dtype(), int64);
  EXPECT_EQ(ints.sizes(), (Shape{2, 2}));
  EXPECT_EQ(ints.to_vector<std::int64_t>(), (std::vector<std::int64_t>{1, 2, 3, 4}));

  const Tensor floats = tensor({1.5, 2});
  EXPECT_EQ(floats.dtype(), float32);
  EXPECT_EQ(floats.to_vector<float>(), (std::vector<float>{1.5f, 2.0f}));

  const Tensor bools = tensor({true, false});
  EXPECT_EQ(bools.dtype(), bool_);
  EXPECT_EQ(bools.to_vector<bool>(), (std::vector<bool>{true, false}));

  EXPECT_EQ(tensor({true, 2}).dtype(), int64);  // the highest category wins
  EXPECT_EQ(tensor({{1}, {2.5}}).dtype(), float32);
  EXPECT_EQ(tensor({1, 2}, float64).dtype(), float64);
  EXPECT_EQ(tensor({0.1}, float64).item<double>(), 0.1);  // no detour through float32

  const Tensor scalar = tensor(3.5);
  EXPECT_EQ(scalar.dim(), 0);
  EXPECT_EQ(scalar.item<float>(), 3.5f);
  const Tensor empty_list = tensor({});
  EXPECT_EQ(empty_list.sizes(), (Shape{0}));
  EXPECT_EQ(empty_list.dtype(), float32);
}

TEST(TensorFactory, RaggedNestedListRaises) {
  EXPECT_THROW(tensor({{1, 2}, {3}}), ValueError);
  EXPECT_THROW(tensor({{1, 2}, 3}), ValueError);
  EXPECT_EQ(error_of<ValueError>([] {
              tensor({1, {2, 3}});
            }),
            "tensor: expected a number at dim 0, got a sequence");
  EXPECT_THROW(tensor({1, {2}}), ValueError);
  EXPECT_THROW(tensor({{1, 2}, {3, {4}}}), ValueError);
}

TEST(TensorFactory, FromVectorAndLikes) {
  const Tensor t = from_vector(std::vector<double>{1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(t.dtype(), float64);
  EXPECT_EQ(t.at<double>({1, 0}), 4);
  EXPECT_THROW(from_vector(std::vector<float>{1, 2}, {3}), ShapeError);
  EXPECT_EQ(zeros_like(t).sizes(), t.sizes());
  EXPECT_EQ(ones_like(t, int64).dtype(), int64);
  EXPECT_EQ(full_like(t, 2).to_vector<double>(), std::vector<double>(6, 2.0));
  EXPECT_EQ(empty_like(t).dtype(), float64);
}

// torch.arange(-8.0, 8.0, 0.1) (the seed's plotting grid) as torch 1.13 prints it, bit for bit:
// x[80] is 2^-51, not 0, so relu's gradient there is 1; computing -8 + 0.1 * i directly differs
// from torch in 35 of the 160 float32 elements.
TEST(TensorFactory, ArangeHasTorchsBits) {
  const Tensor x = arange(-8.0, 8.0, 0.1);
  ASSERT_EQ(x.numel(), 160);
  EXPECT_EQ(x.at<float>({11}), -0x1.b99998p+2f);
  EXPECT_EQ(x.at<float>({78}), -0x1.99999cp-3f);
  EXPECT_EQ(x.at<float>({79}), -0x1.99999cp-4f);
  EXPECT_EQ(x.at<float>({80}), 0x1p-51f);
  EXPECT_EQ(x.at<float>({159}), 0x1.f99998p+2f);
  const Tensor x64 = arange(-8.0, 8.0, 0.1, float64);
  EXPECT_EQ(x64.at<double>({51}), -0x1.7333333333333p+1);
  EXPECT_EQ(x64.at<double>({79}), -0x1.999999999997ap-4);
  EXPECT_EQ(x64.at<double>({80}), 0x1p-51);
}

// --- comparison helpers ----------------------------------------------------------------------

TEST(TensorCompare, AllcloseAndEqual) {
  const Tensor a = tensor({1.0, NAN, 3.0});
  EXPECT_FALSE(equal(a, a));  // NaN is never equal
  EXPECT_TRUE(equal(tensor({1, 2}), tensor({1, 2})));
  EXPECT_FALSE(equal(tensor({1, 2}), tensor({{1, 2}})));
  EXPECT_FALSE(allclose(a, a));
  EXPECT_TRUE(allclose(a, a, 1e-5, 1e-8, /*equal_nan=*/true));
  EXPECT_TRUE(allclose(tensor({1.0, 100.0}), tensor({1.000001, 100.0001})));
  EXPECT_FALSE(allclose(tensor({1.0}), tensor({1.001})));
  EXPECT_TRUE(allclose(tensor({2.0, 2.0}), tensor({2.0})));  // broadcasts
}

// --- random ----------------------------------------------------------------------------------

TEST(TensorRandom, ManualSeedReproduces) {
  manual_seed(42);
  const Tensor a = rand({1000});
  const Tensor b = randn({1001}, float64);
  const Tensor c = randint(-3, 3, {100});
  manual_seed(42);
  EXPECT_TRUE(equal(rand({1000}), a));
  EXPECT_TRUE(equal(randn({1001}, float64), b));
  EXPECT_TRUE(equal(randint(-3, 3, {100}), c));
  manual_seed(43);
  EXPECT_FALSE(equal(rand({1000}), a));
}

TEST(TensorRandom, RandIsUniformOnZeroOne) {
  manual_seed(1);
  for (Dtype dtype : {float32, float64}) {
    const Tensor x = rand({100000}, dtype);
    EXPECT_GE(x.min().item<double>(), 0.0);
    EXPECT_LT(x.max().item<double>(), 1.0);
    EXPECT_NEAR(x.mean().item<double>(), 0.5, 0.005);
    // A quarter of the samples in each quarter of [0, 1).
    const Tensor in_first_quarter = lt(x, 0.25);
    EXPECT_NEAR(in_first_quarter.sum().item<double>() / 100000.0, 0.25, 0.01);
  }
}

TEST(TensorRandom, RandnIsStandardNormal) {
  manual_seed(2);
  for (Dtype dtype : {float32, float64}) {
    const Tensor x = randn({100000}, dtype).to(float64);
    const double mean = x.mean().item<double>();
    const double variance = mul(x - mean, x - mean).mean().item<double>();
    EXPECT_NEAR(mean, 0.0, 0.02);
    EXPECT_NEAR(std::sqrt(variance), 1.0, 0.02);
  }
}

TEST(TensorRandom, RandintStaysInRange) {
  manual_seed(3);
  const Tensor x = randint(-2, 3, {10000});
  EXPECT_EQ(x.dtype(), int64);
  EXPECT_EQ(x.min().item<std::int64_t>(), -2);
  EXPECT_EQ(x.max().item<std::int64_t>(), 2);
  EXPECT_THROW(randint(3, 3, {1}), ValueError);
}

// --- threading -------------------------------------------------------------------------------

class Threads : public ::testing::Test {
 protected:
  void SetUp() override { saved_ = get_num_threads(); }
  void TearDown() override { set_num_threads(saved_); }
  int saved_ = 1;
};

TEST_F(Threads, SetAndGet) {
  set_num_threads(3);
  EXPECT_EQ(get_num_threads(), 3);
  set_num_threads(1);
  EXPECT_EQ(get_num_threads(), 1);
  EXPECT_EQ(error_of<ValueError>([] { set_num_threads(0); }),
            "set_num_threads: threads must be at least 1, got 0");
  EXPECT_EQ(get_num_threads(), 1);
}

TEST_F(Threads, ResultsDoNotDependOnTheThreadCount) {
  manual_seed(7);
  const Tensor x = randn({512, 1024});
  const Tensor y = randn({1024});
  const Tensor w = randn({1024, 64});
  auto compute = [&] {
    const Tensor z = add(mul(exp(x.clamp(-3.0, 3.0)), y), x.t().contiguous().t());
    return std::vector<Tensor>{z,
                               z.sum({1}),
                               z.max(1).indices,
                               logsumexp(z, {1}),
                               where(gt(z, 0.5), z, y),
                               matmul(z, w),
                               z.transpose(0, 1).contiguous()};
  };
  set_num_threads(1);
  const std::vector<Tensor> serial = compute();
  set_num_threads(4);
  const std::vector<Tensor> parallel = compute();
  for (std::size_t i = 0; i < serial.size(); ++i) {
    SCOPED_TRACE("result " + std::to_string(i));
    if (i == 5) {
      // BLAS may split and order the sums differently: each element within a few float32
      // roundings of its terms' magnitude, sum_k |z_ik| |w_kj|.
      const std::vector<float> magnitude = matmul(abs(serial[0]), abs(w)).to_vector<float>();
      const std::vector<float> a = parallel[i].to_vector<float>(), b = serial[i].to_vector<float>();
      for (std::size_t k = 0; k < a.size(); ++k) {
        ASSERT_LE(std::fabs(a[k] - b[k]), 1e-5 * magnitude[k]) << "element " << k;
      }
    } else {
      EXPECT_TRUE(equal(parallel[i], serial[i]));
    }
  }
}

TEST_F(Threads, ExceptionInsideParallelForPropagates) {
  set_num_threads(4);
  std::atomic<std::int64_t> visited{0};
  auto run = [&] {
    parallel_for(0, 1 << 20, 1024, [&](std::int64_t begin, std::int64_t end) {
      visited += end - begin;
      if (begin <= 500000 && 500000 < end) throw std::runtime_error("element 500000 is bad");
    });
  };
  EXPECT_EQ(error_of<std::runtime_error>(run), "element 500000 is bad");
  // The pool is still usable and covers every index exactly once.
  std::vector<std::atomic<int>> hits(100000);
  parallel_for(0, 100000, 1000, [&](std::int64_t begin, std::int64_t end) {
    EXPECT_TRUE(in_parallel_region() || end - begin == 100000);
    for (std::int64_t i = begin; i < end; ++i) ++hits[i];
  });
  for (const auto& h : hits) ASSERT_EQ(h.load(), 1);
  EXPECT_FALSE(in_parallel_region());
}

TEST_F(Threads, NestedParallelForRunsSerially) {
  set_num_threads(4);
  std::atomic<int> inner_calls{0};
  parallel_for(0, 8, 1, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      parallel_for(0, 1000, 1, [&](std::int64_t lo, std::int64_t hi) {
        EXPECT_EQ(lo, 0);
        EXPECT_EQ(hi, 1000);
        ++inner_calls;
      });
    }
  });
  EXPECT_EQ(inner_calls.load(), 8);
}

}  // namespace
}  // namespace activ
