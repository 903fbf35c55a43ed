#include "activ/nn/module.h"

#include <ostream>
#include <set>

#include "activ/autograd.h"
#include "activ/safetensors.h"

namespace activ::nn {

std::string Module::repr() const {
  if (children_.empty()) return name() + "(" + extra_repr() + ")";
  // torch's _addindent: every line of a child after the first is indented by two spaces.
  std::string out = name() + "(";
  const std::string extra = extra_repr();
  if (!extra.empty()) out += "\n  " + extra;
  for (const auto& [child_name, child] : children_) {
    std::string child_repr = child->repr();
    std::string indented;
    for (char c : child_repr) {
      indented += c;
      if (c == '\n') indented += "  ";
    }
    out += "\n  (" + child_name + "): " + indented;
  }
  return out + "\n)";
}

Tensor Module::forward(const Tensor&) const {
  throw TypeError(name() + ": forward takes other arguments than one tensor");
}

void Module::collect(const std::string& prefix, bool recurse, StateDict& out) const {
  for (const auto& [name, tensor] : parameters_) out.emplace_back(prefix + name, tensor);
  if (!recurse) return;
  for (const auto& [name, child] : children_) child->collect(prefix + name + ".", true, out);
}

StateDict Module::named_parameters(bool recurse) const {
  StateDict out;
  collect("", recurse, out);
  return out;
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [name, tensor] : named_parameters(recurse)) out.push_back(tensor);
  return out;
}

std::vector<std::shared_ptr<Module>> Module::children() const {
  std::vector<std::shared_ptr<Module>> out;
  for (const auto& [name, child] : children_) out.push_back(child);
  return out;
}

Tensor Module::parameter(const std::string& name) const {
  for (const auto& [key, tensor] : parameters_) {
    if (key == name) return tensor;
  }
  throw IndexError(this->name() + ": no parameter named '" + name + "'");
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, child] : children_) child->train(on);
}

void Module::zero_grad(bool set_to_none) {
  for (auto& tensor : parameters()) {
    if (set_to_none) {
      tensor.set_grad({});
    } else if (tensor.grad().defined()) {
      autograd::NoGradGuard guard;
      tensor.grad().zero_();
    }
  }
}

Module& Module::to(Dtype dtype) {
  for (auto& tensor : parameters()) {
    if (tensor.dtype() == dtype) continue;
    autograd::NoGradGuard guard;
    tensor.set_data(tensor.to(dtype));
  }
  return *this;
}

StateDict Module::state_dict() const {
  return named_parameters(true);
}

void Module::load_state_dict(const StateDict& state, bool strict) {
  const StateDict own = state_dict();
  std::set<std::string> own_names, given_names;
  for (const auto& [name, tensor] : own) own_names.insert(name);
  for (const auto& [name, tensor] : state) {
    if (!given_names.insert(name).second)
      throw ValueError("load_state_dict: key '" + name + "' appears twice");
  }
  if (strict) {
    std::string missing, unexpected;
    for (const auto& name : own_names) {
      if (!given_names.count(name)) missing += (missing.empty() ? "\"" : ", \"") + name + "\"";
    }
    for (const auto& name : given_names) {
      if (!own_names.count(name)) unexpected += (unexpected.empty() ? "\"" : ", \"") + name + "\"";
    }
    if (!missing.empty() || !unexpected.empty()) {
      std::string message = "load_state_dict: error(s) in loading state_dict for " + name() + ":";
      if (!missing.empty()) message += " Missing key(s) in state_dict: " + missing + ".";
      if (!unexpected.empty()) message += " Unexpected key(s) in state_dict: " + unexpected + ".";
      throw ValueError(message);
    }
  }
  autograd::NoGradGuard guard;
  for (const auto& [name, value] : state) {
    for (const auto& [own_name, tensor] : own) {
      if (own_name != name) continue;
      if (!value.defined() || value.sizes() != tensor.sizes()) {
        throw ShapeError("load_state_dict: size mismatch for " + name +
                         ": copying a param with shape " +
                         (value.defined() ? shape_str(value.sizes()) : std::string("undefined")) +
                         ", the shape in current model is " + shape_str(tensor.sizes()));
      }
      Tensor target = tensor;
      target.copy_(value);
    }
  }
}

Tensor Module::register_parameter(const std::string& name, Tensor tensor, bool requires_grad) {
  if (!tensor.defined()) throw ValueError(this->name() + ": parameter '" + name + "' is undefined");
  for (const auto& [key, existing] : parameters_) {
    if (key == name)
      throw ValueError(this->name() + ": parameter '" + name + "' is registered twice");
  }
  tensor.requires_grad_(requires_grad);
  parameters_.emplace_back(name, tensor);
  return tensor;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> module) {
  if (!module) throw ValueError(this->name() + ": child module '" + name + "' is null");
  children_.emplace_back(name, std::move(module));
}

std::ostream& operator<<(std::ostream& out, const Module& module) {
  return out << module.repr();
}

void save(const Module& module, const std::string& path) { save_safetensors(path, module.state_dict()); }

void load(Module& module, const std::string& path, bool strict) {
  module.load_state_dict(load_safetensors(path), strict);
}

}  // namespace activ::nn
