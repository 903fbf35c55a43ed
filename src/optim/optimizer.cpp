// The parts every optimizer shares: parameter checks, step() and zero_grad() (torch.optim's
// Optimizer base class).
#include <cstring>
#include <string>
#include <utility>

#include "activ/autograd.h"
#include "activ/error.h"
#include "activ/optim.h"

namespace activ::optim {

Optimizer::Optimizer(std::vector<Tensor> params) : params_(std::move(params)) {
  if (params_.empty()) throw ValueError("optimizer got an empty parameter list");
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const Tensor& param = params_[i];
    if (!param.defined())
      throw ValueError("optimizer: parameter " + std::to_string(i) + " is an undefined tensor");
    if (!param.is_floating_point()) {
      throw TypeError("optimizer: parameter " + std::to_string(i) +
                      " must be a float32 or float64 tensor, got " +
                      std::string(name(param.dtype())));
    }
    if (!param.is_leaf()) {
      throw ValueError("can't optimize a non-leaf Tensor (parameter " + std::to_string(i) + ")");
    }
  }
}

Tensor Optimizer::step(const std::function<Tensor()>& closure) {
  Tensor loss;
  if (closure) {
    const bool previous = autograd::is_grad_enabled();
    autograd::set_grad_enabled(true);
    loss = closure();
    autograd::set_grad_enabled(previous);
  }
  NoGradGuard no_grad;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const Tensor grad = params_[i].grad();
    if (!grad.defined()) continue;
    if (grad.sizes() != params_[i].sizes() || grad.dtype() != params_[i].dtype()) {
      throw ShapeError("optimizer: the gradient of parameter " + std::to_string(i) + " (" +
                       std::string(name(grad.dtype())) + " " + shape_str(grad.sizes()) +
                       ") does not match the parameter (" + std::string(name(params_[i].dtype())) +
                       " " + shape_str(params_[i].sizes()) + ")");
    }
    update(i, grad);
  }
  return loss;
}

void Optimizer::zero_grad(bool set_to_none) {
  NoGradGuard no_grad;
  for (const Tensor& param : params_) {
    Tensor grad = param.grad();
    if (!grad.defined()) continue;
    if (set_to_none) {
      param.set_grad(Tensor());
      continue;
    }
    // A gradient built with create_graph leaves the graph before it is zeroed, as in torch.
    if (grad.grad_fn()) {
      grad = grad.detach();
      param.set_grad(grad);
    } else if (grad.requires_grad()) {
      grad.requires_grad_(false);
    }
    if (grad.is_contiguous()) {
      // What zero_() does here (recording is off), as one memset: a gradient is large and the
      // memset's block stores beat an elementwise fill.
      grad.storage()->bump_version();
      const std::size_t element_bytes = itemsize(grad.dtype());
      std::memset(grad.storage()->data() + grad.storage_offset() * element_bytes, 0,
                  static_cast<std::size_t>(grad.numel()) * element_bytes);
    } else {
      grad.zero_();
    }
  }
}

}  // namespace activ::optim
