// torch 1.13's Adam and AdamW (_single_tensor_adam/_adamw): with t the parameter's step count,
//   m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2
//   p += -lr / (1 - beta1^t) * m / (sqrt(v_or_max_v) / sqrt(1 - beta2^t) + eps)
// Adam adds weight_decay * p to g first; AdamW multiplies p by 1 - lr * weight_decay first.
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

struct AdamHyperparameters {
  double lr;
  double beta1;
  double beta2;
  double eps;
  double weight_decay;
  bool amsgrad;
  bool maximize;
  bool decoupled;  // AdamW
};

void validate(const AdamHyperparameters& h) {
  if (!(h.lr >= 0)) throw ValueError("Invalid learning rate: " + repr(h.lr));
  if (!(h.eps >= 0)) throw ValueError("Invalid epsilon value: " + repr(h.eps));
  if (!(h.beta1 >= 0 && h.beta1 < 1))
    throw ValueError("Invalid beta parameter at index 0: " + repr(h.beta1));
  if (!(h.beta2 >= 0 && h.beta2 < 1))
    throw ValueError("Invalid beta parameter at index 1: " + repr(h.beta2));
  if (!(h.weight_decay >= 0))
    throw ValueError("Invalid weight_decay value: " + repr(h.weight_decay));
}

struct AdamStep {
  const AdamHyperparameters& h;
  double step_size, bias_correction2_sqrt;
};

template <class T>
struct AdamBuffers {
  T* exp_avg;
  T* exp_avg_sq;
  T* max_exp_avg_sq;  // null without amsgrad
};

template <class T>
[[gnu::always_inline]] inline void adam_elements(T* p, const T* g, const AdamBuffers<T>& state,
                                                 std::int64_t n, const AdamStep& step) {
  const AdamHyperparameters& h = step.h;
  const T decay = static_cast<T>(1 - h.lr * h.weight_decay);
  const T weight_decay = static_cast<T>(h.weight_decay);
  const T beta1 = static_cast<T>(h.beta1), one_minus_beta1 = static_cast<T>(1 - h.beta1);
  const T beta2 = static_cast<T>(h.beta2), one_minus_beta2 = static_cast<T>(1 - h.beta2);
  const T correction2 = static_cast<T>(step.bias_correction2_sqrt);
  const T eps = static_cast<T>(h.eps);
  const T negative_step_size = static_cast<T>(-step.step_size);
  T* m = state.exp_avg;
  T* v = state.exp_avg_sq;
  T* v_max = state.max_exp_avg_sq;
  for (std::int64_t i = 0; i < n; ++i) {
    T d = h.maximize ? -g[i] : g[i];
    if (h.decoupled) {
      p[i] *= decay;
    } else if (h.weight_decay != 0) {
      d = std::fma(weight_decay, p[i], d);
    }
    m[i] = std::fma(one_minus_beta1, d, m[i] * beta1);
    v[i] = v[i] * beta2 + one_minus_beta2 * d * d;  // addcmul: self + value * t1 * t2
    T second = v[i];
    if (v_max) second = v_max[i] = detail::nan_maximum(v_max[i], v[i]);
    const T denominator = std::sqrt(second) / correction2 + eps;
    p[i] = p[i] + negative_step_size * m[i] / denominator;  // addcdiv
  }
}

ACTIV_FMA_CLONES void adam_float(float* p, const float* g, const AdamBuffers<float>& state,
                                 std::int64_t n, const AdamStep& step) {
  adam_elements(p, g, state, n, step);
}
ACTIV_FMA_CLONES void adam_double(double* p, const double* g, const AdamBuffers<double>& state,
                                  std::int64_t n, const AdamStep& step) {
  adam_elements(p, g, state, n, step);
}

void adam_update(const Tensor& param, const Tensor& grad, AdamState& state,
                 const AdamHyperparameters& h) {
  if (state.step == 0) {
    state.exp_avg = detail::zero_state(param);
    state.exp_avg_sq = detail::zero_state(param);
    if (h.amsgrad) state.max_exp_avg_sq = detail::zero_state(param);
  }
  ++state.step;
  const double step_count = static_cast<double>(state.step);
  const double step_size = h.lr / (1 - std::pow(h.beta1, step_count));
  const double bias_correction2_sqrt = std::sqrt(1 - std::pow(h.beta2, step_count));
  const AdamStep step{h, step_size, bias_correction2_sqrt};
  detail::update_elements(param, grad, [&]<class T>(T* p, const T* g, std::int64_t n) {
    AdamBuffers<T> buffers{state.exp_avg.data_ptr<T>(), state.exp_avg_sq.data_ptr<T>(),
                           h.amsgrad ? state.max_exp_avg_sq.data_ptr<T>() : nullptr};
    if constexpr (std::is_same_v<T, float>) {
      adam_float(p, g, buffers, n, step);
    } else {
      adam_double(p, g, buffers, n, step);
    }
  });
}

}  // namespace

Adam::Adam(std::vector<Tensor> params, AdamOptions options)
    : Optimizer(std::move(params)), options_(options) {
  validate({options_.lr, options_.betas.first, options_.betas.second, options_.eps,
            options_.weight_decay, options_.amsgrad, options_.maximize, false});
  states_.resize(this->params().size());
}

void Adam::update(std::size_t index, const Tensor& grad) {
  adam_update(params()[index], grad, states_[index],
              {options_.lr, options_.betas.first, options_.betas.second, options_.eps,
               options_.weight_decay, options_.amsgrad, options_.maximize, false});
}

AdamW::AdamW(std::vector<Tensor> params, AdamWOptions options)
    : Optimizer(std::move(params)), options_(options) {
  validate({options_.lr, options_.betas.first, options_.betas.second, options_.eps,
            options_.weight_decay, options_.amsgrad, options_.maximize, true});
  states_.resize(this->params().size());
}

void AdamW::update(std::size_t index, const Tensor& grad) {
  adam_update(params()[index], grad, states_[index],
              {options_.lr, options_.betas.first, options_.betas.second, options_.eps,
               options_.weight_decay, options_.amsgrad, options_.maximize, true});
}

}  // namespace activ::optim
