// Fuzzes printing under any print options (precision, threshold, edgeitems, linewidth,
// sci_mode, including negative and INT_MAX values) of small tensors of every dtype, shape and
// value (NaN, infinities, subnormals). Printing must never crash, hang or read outside the
// tensor; options it refuses must raise activ::Error.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>

#include "activ/error.h"
#include "activ/tensor.h"

namespace {

constexpr activ::Dtype kDtypes[] = {activ::float32, activ::float64, activ::int64, activ::bool_};

// Mostly plausible values, now and then any int.
template <class Int>
std::optional<Int> consume_option(FuzzedDataProvider& input, Int low, Int high) {
  switch (input.ConsumeIntegralInRange(0, 3)) {
    case 0:
      return std::nullopt;
    case 1:
      return input.ConsumeIntegral<Int>();
    default:
      return input.ConsumeIntegralInRange<Int>(low, high);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  activ::PrintOptions options;
  options.precision = consume_option<int>(input, 0, 20);
  options.threshold = consume_option<std::int64_t>(input, -1, 100);
  options.edgeitems = consume_option<int>(input, 0, 10);
  options.linewidth = consume_option<int>(input, -5, 200);
  if (input.ConsumeBool()) options.sci_mode = input.ConsumeBool();
  activ::Shape shape;
  const int dims = input.ConsumeIntegralInRange(0, 4);
  for (int d = 0; d < dims; ++d) shape.push_back(input.ConsumeIntegralInRange<std::int64_t>(0, 6));
  const activ::Dtype dtype = input.PickValueInArray(kDtypes);
  activ::Tensor values = activ::empty(shape, activ::float64);
  double* element = values.data_ptr<double>();
  for (std::int64_t i = 0; i < values.numel(); ++i) {
    // Any double for the floating dtypes; integers (which convert exactly) for the others.
    element[i] = activ::is_floating_point(dtype) && input.ConsumeBool()
                     ? input.ConsumeFloatingPoint<double>()
                     : input.ConsumeIntegralInRange(-1000, 1000) /
                           (dtype == activ::float32 || dtype == activ::float64 ? 8.0 : 1.0);
  }
  try {
    activ::set_printoptions(options);
    (void)values.to(dtype).repr();
  } catch (const activ::Error&) {
  }
  activ::reset_printoptions();
  return 0;
}
