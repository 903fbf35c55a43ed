// torch 1.13's SGD (_single_tensor_sgd): d = g + wd * p; buf = first d, then
// momentum * buf + (1 - dampening) * d; d = nesterov ? d + momentum * buf : buf; p -= lr * d.
#include <cmath>
#include <string>
#include <type_traits>
#include <utility>

#include "activ/error.h"
#include "activ/optim.h"
#include "optim/update.h"

namespace activ::optim {

namespace {
std::string repr(double value) {
  return python_repr(Scalar(value));
}

struct SgdStep {
  double lr, momentum, dampening, weight_decay;
  bool nesterov, maximize;
  bool first;  // the momentum buffer starts as the first step's direction
};

// Python numbers become the dtype before use; add with alpha is one fused multiply-add in
// ATen's vectorized CPU kernel.
template <class T>
[[gnu::always_inline]] inline void sgd_elements(T* p, const T* g, T* buf, std::int64_t n,
                                                const SgdStep& step) {
  const T weight_decay = static_cast<T>(step.weight_decay);
  const T momentum = static_cast<T>(step.momentum);
  const T kept = static_cast<T>(1 - step.dampening);
  const T negative_lr = static_cast<T>(-step.lr);
  if (!buf && step.weight_decay == 0 && !step.maximize) {  // plain SGD: one vector loop
    for (std::int64_t i = 0; i < n; ++i) p[i] = std::fma(negative_lr, g[i], p[i]);
    return;
  }
  for (std::int64_t i = 0; i < n; ++i) {
    T d = step.maximize ? -g[i] : g[i];
    if (step.weight_decay != 0) d = std::fma(weight_decay, p[i], d);
    if (buf) {
      buf[i] = step.first ? d : std::fma(kept, d, buf[i] * momentum);
      d = step.nesterov ? std::fma(momentum, buf[i], d) : buf[i];
    }
    p[i] = std::fma(negative_lr, d, p[i]);
  }
}

ACTIV_FMA_CLONES void sgd_float(float* p, const float* g, float* buf, std::int64_t n,
                                const SgdStep& step) {
  sgd_elements(p, g, buf, n, step);
}
ACTIV_FMA_CLONES void sgd_double(double* p, const double* g, double* buf, std::int64_t n,
                                 const SgdStep& step) {
  sgd_elements(p, g, buf, n, step);
}
}  // namespace

SGD::SGD(std::vector<Tensor> params, SGDOptions options)
    : Optimizer(std::move(params)), options_(options) {
  if (!options_.lr) {
    throw ValueError(
        "SGD: parameter group didn't specify a value of required optimization parameter lr");
  }
  if (!(*options_.lr >= 0)) throw ValueError("Invalid learning rate: " + repr(*options_.lr));
  if (!(options_.momentum >= 0))
    throw ValueError("Invalid momentum value: " + repr(options_.momentum));
  if (!(options_.weight_decay >= 0))
    throw ValueError("Invalid weight_decay value: " + repr(options_.weight_decay));
  if (options_.nesterov && (options_.momentum <= 0 || options_.dampening != 0))
    throw ValueError("Nesterov momentum requires a momentum and zero dampening");
  momentum_buffers_.resize(this->params().size());
}

void SGD::update(std::size_t index, const Tensor& grad) {
  const Tensor& param = params()[index];
  Tensor& buffer = momentum_buffers_[index];
  const bool first = !buffer.defined();
  if (options_.momentum != 0 && first) buffer = detail::zero_state(param);
  const SgdStep step{*options_.lr,
                     options_.momentum,
                     options_.dampening,
                     options_.weight_decay,
                     options_.nesterov,
                     options_.maximize,
                     first};
  detail::update_elements(param, grad, [&]<class T>(T* p, const T* g, std::int64_t n) {
    T* buf = options_.momentum != 0 ? buffer.data_ptr<T>() : nullptr;
    if constexpr (std::is_same_v<T, float>) {
      sgd_float(p, g, buf, n, step);
    } else {
      sgd_double(p, g, buf, n, step);
    }
  });
}

}  // namespace activ::optim
