// Span versions of the vectorized float64 erf and erfc of erf-inl.h (internal: for the accuracy
// test; the activations use the vector functions directly).
#pragma once

#include <span>

namespace activ::kernels {

// out[i] = erfc(x[i]): within 2 ULP relative down to underflow.
void erfc(std::span<const double> x, std::span<double> out);
// out[i] = erf(x[i]): within 1 ULP.
void erf(std::span<const double> x, std::span<double> out);

}  // namespace activ::kernels
