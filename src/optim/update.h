// Shared by the optimizer sources: runs an elementwise update over a parameter and its state in
// the parameter's dtype, with torch's scalar handling (every hyperparameter rounded to the
// dtype before use, as ATen's CPU kernels round a Python number).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "activ/error.h"
#include "activ/tensor.h"

// Compiles a function twice, for x86-64-v3 (AVX2 + FMA) and for the baseline, picked at load
// time: the updates' std::fma become one vector instruction where the CPU has FMA, instead of a
// libm call per element.
// Not under sanitizers: their runtimes are not up yet when the loader runs the clones' ifunc
// resolver (ThreadSanitizer crashes there).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ACTIV_SANITIZED_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define ACTIV_SANITIZED_BUILD 1
#endif
#endif
#if defined(__x86_64__) && defined(__GNUC__) && !defined(ACTIV_SANITIZED_BUILD)
#define ACTIV_FMA_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define ACTIV_FMA_CLONES
#endif

namespace activ::optim::detail {

// torch.maximum: NaN wins.
template <class T>
T nan_maximum(T a, T b) {
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
  return a > b ? a : b;
}

// Calls update(param_data, grad_data, count) typed as the parameter's dtype (float or double),
// on contiguous memory: a non-contiguous parameter is updated through a copy. State tensors
// the update touches must be contiguous tensors created by the optimizer. Bumps the
// parameter's version, as torch's in-place ops do.
template <class Update>
void update_elements(const Tensor& param, const Tensor& grad, Update&& update) {
  const Tensor g = grad.contiguous();
  Tensor target = param.is_contiguous() ? param : param.contiguous();
  if (param.dtype() == Dtype::Float32) {
    update(target.data_ptr<float>(), g.data_ptr<float>(), target.numel());
  } else {
    update(target.data_ptr<double>(), g.data_ptr<double>(), target.numel());
  }
  if (!target.is_same(param)) {
    Tensor destination = param;
    destination.copy_(target);
  } else {
    param.storage()->bump_version();
  }
}

// A zero-filled contiguous tensor of the parameter's shape and dtype, for optimizer state.
inline Tensor zero_state(const Tensor& param) {
  return zeros(param.sizes(), param.dtype());
}

}  // namespace activ::optim::detail
