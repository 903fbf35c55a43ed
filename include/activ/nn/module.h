// Base of every activ::nn module, as torch.nn.Module: registered parameters and child modules
// (with torch's dotted names: "0.weight"), train/eval mode, zero_grad, dtype conversion,
// state_dict, and torch's printed repr, nested for containers:
//   Sequential(
//     (0): Linear(in_features=1000, out_features=100, bias=True)
//     (1): ReLU()
//   )
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "activ/tensor.h"

namespace activ::nn {

// Name -> tensor pairs in registration order, as torch's OrderedDict.
using StateDict = std::vector<std::pair<std::string, Tensor>>;

class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // The class name torch prints, e.g. "ELU".
  virtual std::string name() const = 0;
  // What torch prints between the parentheses, e.g. "alpha=1.0".
  virtual std::string extra_repr() const { return {}; }
  // torch's repr: Name(extra) or, with children, one indented line per child.
  std::string repr() const;

  // The module applied to one tensor; containers such as Sequential call it. Modules with other
  // signatures (attention) raise.
  virtual Tensor forward(const Tensor& input) const;
  Tensor operator()(const Tensor& input) const { return forward(input); }

  // Parameters of this module and, with recurse, of its descendants, in registration order.
  std::vector<Tensor> parameters(bool recurse = true) const;
  StateDict named_parameters(bool recurse = true) const;
  std::vector<std::shared_ptr<Module>> children() const;
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& named_children() const { return children_; }
  // The registered parameter `name` of this module; raises IndexError when there is none.
  Tensor parameter(const std::string& name) const;

  bool is_training() const { return training_; }
  // Sets the mode of this module and all descendants.
  void train(bool on = true);
  void eval() { train(false); }

  // Clears the gradients of every parameter (set_to_none, torch 2's default) or zeroes them.
  void zero_grad(bool set_to_none = true);
  // Converts every parameter to dtype in place: tensors held elsewhere see the change.
  Module& to(Dtype dtype);

  // Every parameter under its dotted name ("0.weight"), sharing storage.
  StateDict state_dict() const;
  // Copies values into the parameters of the same names. strict: the names must match
  // exactly; shapes must always match. Raises ValueError/ShapeError naming the key.
  void load_state_dict(const StateDict& state, bool strict = true);

 protected:
  // Registers tensor as a learnable parameter (requires_grad set) and returns it.
  Tensor register_parameter(const std::string& name, Tensor tensor, bool requires_grad = true);
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }
  void add_child(const std::string& name, std::shared_ptr<Module> module);

 private:
  void collect(const std::string& prefix, bool recurse, StateDict& out) const;

  bool training_ = true;
  StateDict parameters_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
};

std::ostream& operator<<(std::ostream& out, const Module& module);

// The module's state_dict as a safetensors file, with torch's key names ("0.weight"), written
// atomically; a file saved from PyTorch with safetensors.torch.save_file loads into the same
// architecture.
void save(const Module& module, const std::string& path);
void load(Module& module, const std::string& path, bool strict = true);

}  // namespace activ::nn
