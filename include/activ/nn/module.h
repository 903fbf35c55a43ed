// Base of every activ::nn module: train/eval mode and torch's printed repr.
#pragma once

#include <iosfwd>
#include <string>

namespace activ::nn {

class Module {
 public:
  virtual ~Module() = default;

  // The class name torch prints, e.g. "ELU".
  virtual std::string name() const = 0;
  // What torch prints between the parentheses, e.g. "alpha=1.0".
  virtual std::string extra_repr() const { return {}; }
  std::string repr() const { return name() + "(" + extra_repr() + ")"; }

  bool is_training() const { return training_; }
  virtual void train(bool on = true) { training_ = on; }
  void eval() { train(false); }

 private:
  bool training_ = true;
};

std::ostream& operator<<(std::ostream& out, const Module& module);

}  // namespace activ::nn
