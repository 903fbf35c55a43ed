// Fuzzes the strided elementwise engine and reductions: builds tensors of random shape, dtype
// and layout (transposed, sliced with steps, expanded), broadcasts them against each other and
// checks add, mul, where and sum against plain loops over multi-indices. Values are small
// integers, so every result is exact in every dtype and summation order does not matter.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "activ/tensor.h"

namespace {

using activ::Dtype;
using activ::Shape;
using activ::Tensor;

constexpr Dtype kDtypes[] = {activ::float32, activ::float64, activ::int64, activ::bool_};

// The value of x at index (one entry per dim), whatever its dtype.
double value_at(const Tensor& x, const Shape& index) {
  return activ::visit_dtype(x.dtype(),
                            [&]<class T>() { return static_cast<double>(x.at<T>(index)); });
}

// The index into x that broadcasting maps the output index out_index to.
Shape broadcast_index(const Tensor& x, const Shape& out_index) {
  Shape index(x.sizes().size());
  const std::size_t lead = out_index.size() - index.size();
  for (std::size_t d = 0; d < index.size(); ++d) {
    index[d] = x.sizes()[d] == 1 ? 0 : out_index[lead + d];
  }
  return index;
}

// Calls visit(index) for every multi-index of shape in row-major order.
template <class Visit>
void for_each_index(const Shape& shape, Visit&& visit) {
  std::int64_t count = 1;
  for (std::int64_t size : shape) count *= size;
  Shape index(shape.size(), 0);
  for (std::int64_t i = 0; i < count; ++i) {
    visit(index);
    for (std::size_t d = shape.size(); d-- > 0;) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
}

// Aborts, naming the failed check's line, so the fuzzer keeps the input.
void check(bool ok, int line = __builtin_LINE()) {
  if (ok) return;
  std::fprintf(stderr, "tensor_ops_fuzz: check at line %d failed\n", line);
  std::abort();
}

// A tensor of the given logical shape, filled with small integers, reached through a random
// chain of views so its strides and offset are arbitrary.
Tensor make_operand(FuzzedDataProvider& input, const Shape& shape) {
  const Dtype dtype = input.PickValueInArray(kDtypes);
  // A bigger base tensor: each dim padded so a strided slice can cut the wanted size out of it.
  Shape base_shape;
  std::vector<std::int64_t> steps;
  for (std::int64_t size : shape) {
    const std::int64_t step = input.ConsumeIntegralInRange<std::int64_t>(1, 3);
    const bool expanded = size > 1 && input.ConsumeBool();
    steps.push_back(expanded ? 0 : step);
    base_shape.push_back(expanded ? 1
                                  : size * step + input.ConsumeIntegralInRange<std::int64_t>(0, 2));
  }
  const bool transposed = shape.size() >= 2 && input.ConsumeBool();
  if (transposed) std::swap(base_shape.front(), base_shape.back());
  std::vector<double> values(static_cast<std::size_t>([&] {
    std::int64_t count = 1;
    for (std::int64_t size : base_shape) count *= size;
    return count;
  }()));
  for (double& value : values) {
    value = dtype == activ::bool_ ? input.ConsumeBool() : input.ConsumeIntegralInRange(-8, 8);
  }
  Tensor x = activ::from_vector(values, base_shape).to(dtype);
  if (transposed) x = x.transpose(0, static_cast<std::int64_t>(shape.size()) - 1);
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (steps[d] > 0) x = x.slice(static_cast<std::int64_t>(d), 0, shape[d] * steps[d], steps[d]);
  }
  // Dims left at size 1 for expansion now take their full size.
  return x.expand(shape);
}

// Drops leading dims and turns some dims into 1, so the result broadcasts to shape.
Shape broadcastable_shape(FuzzedDataProvider& input, const Shape& shape) {
  const std::size_t dropped = input.ConsumeIntegralInRange<std::size_t>(0, shape.size());
  Shape result(shape.begin() + static_cast<std::ptrdiff_t>(dropped), shape.end());
  for (std::int64_t& size : result) {
    if (input.ConsumeBool()) size = 1;
  }
  return result;
}

int category(Dtype dtype) {
  return dtype == activ::bool_ ? 0 : activ::is_floating_point(dtype) ? 2 : 1;
}

// torch's result_type: a 0-d operand next to a dimensioned one decides the dtype only when its
// category (bool < integer < floating point) is higher.
Dtype result_dtype(const Tensor& a, const Tensor& b) {
  if ((a.dim() == 0) != (b.dim() == 0)) {
    const Tensor& zero_dim = a.dim() == 0 ? a : b;
    const Tensor& dimensioned = a.dim() == 0 ? b : a;
    if (category(zero_dim.dtype()) <= category(dimensioned.dtype())) return dimensioned.dtype();
  }
  return activ::promote_types(a.dtype(), b.dtype());
}

void check_binary(const Tensor& result, const Tensor& a, const Tensor& b, const Shape& shape,
                  double (*reference)(double, double)) {
  check(result.sizes() == shape);
  check(result.dtype() == result_dtype(a, b));
  const Tensor got = result.to(activ::float64);
  for_each_index(shape, [&](const Shape& index) {
    double expected =
        reference(value_at(a, broadcast_index(a, index)), value_at(b, broadcast_index(b, index)));
    if (result.dtype() == activ::bool_) expected = expected != 0;
    check(got.at<double>(index) == expected);
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  Shape shape(input.ConsumeIntegralInRange<std::size_t>(0, 4));
  for (std::int64_t& dim_size : shape) dim_size = input.ConsumeIntegralInRange<std::int64_t>(0, 5);

  const Tensor a = make_operand(input, shape);
  const Tensor b = make_operand(input, broadcastable_shape(input, shape));
  const Tensor condition = make_operand(input, broadcastable_shape(input, shape)).to(activ::bool_);

  check_binary(activ::add(a, b), a, b, shape, [](double x, double y) { return x + y; });
  check_binary(activ::mul(a, b), a, b, shape, [](double x, double y) { return x * y; });

  const Tensor selected = activ::where(condition, a, b);
  check(selected.sizes() == shape);
  const Tensor selected_values = selected.to(activ::float64);
  for_each_index(shape, [&](const Shape& index) {
    const bool take_a = value_at(condition, broadcast_index(condition, index)) != 0;
    const Tensor& from = take_a ? a : b;
    double expected = value_at(from, broadcast_index(from, index));
    if (selected.dtype() == activ::bool_) expected = expected != 0;
    check(selected_values.at<double>(index) == expected);
  });

  // Sum over everything, then over one dim (keepdim or not).
  double total = 0;
  for_each_index(shape, [&](const Shape& index) { total += value_at(a, index); });
  check(activ::sum(a).to(activ::float64).item<double>() == total);
  if (!shape.empty()) {
    const auto dim =
        input.ConsumeIntegralInRange<std::int64_t>(0, static_cast<std::int64_t>(shape.size()) - 1);
    const bool keepdim = input.ConsumeBool();
    const Tensor partial = activ::sum(a, {dim}, keepdim);
    Shape reduced_shape = shape;
    reduced_shape[static_cast<std::size_t>(dim)] = 1;
    Shape dropped_shape = shape;
    dropped_shape.erase(dropped_shape.begin() + dim);
    check(partial.sizes() == (keepdim ? reduced_shape : dropped_shape));
    const Tensor partial_values = partial.to(activ::float64).reshape(reduced_shape);
    std::vector<double> expected(static_cast<std::size_t>(partial.numel()), 0.0);
    for_each_index(shape, [&](const Shape& index) {
      Shape out_index = index;
      out_index[static_cast<std::size_t>(dim)] = 0;
      std::int64_t flat = 0;
      for (std::size_t d = 0; d < shape.size(); ++d) flat = flat * reduced_shape[d] + out_index[d];
      expected[static_cast<std::size_t>(flat)] += value_at(a, index);
    });
    check(partial_values.contiguous().to_vector<double>() == expected);
  }
  return 0;
}
