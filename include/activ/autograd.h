// Reverse-mode automatic differentiation with torch's semantics: tensors that require grad
// record the operations applied to them as a graph of Nodes; backward() walks it in reverse,
// accumulating gradients into the leaves' .grad(). With create_graph the backward pass is
// itself recorded, so it can be differentiated again (double backward).
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "activ/tensor.h"

namespace activ::autograd {

class Node;

// Autograd state of a tensor, shared by every copy of its handle.
struct AutogradMeta {
  bool requires_grad = false;
  Tensor grad;
  std::shared_ptr<Node> grad_fn;         // null for leaves
  std::weak_ptr<Node> grad_accumulator;  // leaves: the node that accumulates into grad
  bool retains_grad = false;             // non-leaves: keep grad after backward
};

// A step of the recorded graph. Every node has one output (the tensor it produced); apply maps
// the gradient of that output to one gradient per input edge (undefined: no gradient).
class Node : public std::enable_shared_from_this<Node> {
 public:
  Node();
  virtual ~Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // torch's class name, e.g. "MulBackward0".
  virtual std::string name() const = 0;
  virtual std::vector<Tensor> apply(const Tensor& grad_output) = 0;
  // Frees saved tensors after a backward pass without retain_graph.
  virtual void release_variables() {}

  // The nodes of the inputs, one per input; null where an input needs no gradient.
  std::vector<std::shared_ptr<Node>> next;
  // Outputs created in this order are processed in reverse order.
  std::uint64_t sequence_nr() const { return sequence_nr_; }
  // Non-leaf tensors produced by this node that asked for retain_grad().
  std::vector<std::weak_ptr<AutogradMeta>> retained;

 private:
  std::uint64_t sequence_nr_;
};

// The gradient function of an op, written with differentiable tensor ops.
using BackwardFunction = std::function<std::vector<Tensor>(const Tensor& grad_output)>;

// True when gradients are being recorded on this thread (default true).
bool is_grad_enabled();
void set_grad_enabled(bool enabled);

// Disables recording for its lifetime, as torch.no_grad().
class NoGradGuard {
 public:
  NoGradGuard() : previous_(is_grad_enabled()) { set_grad_enabled(false); }
  ~NoGradGuard() { set_grad_enabled(previous_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

// torch.inference_mode(): here the same as no_grad.
using InferenceMode = NoGradGuard;

// Computes and returns the gradients of outputs with respect to inputs (torch.autograd.grad).
// grad_outputs default to ones for one-element outputs; retain_graph defaults to create_graph.
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {},
                         std::optional<bool> retain_graph = {}, bool create_graph = false,
                         bool allow_unused = false);

// Accumulates the gradients of tensors into the leaves' grad (torch.autograd.backward).
void backward(const std::vector<Tensor>& tensors, const std::vector<Tensor>& grad_tensors = {},
              std::optional<bool> retain_graph = {}, bool create_graph = false);

// --- for implementers of differentiable ops -------------------------------------------------

// True when recording is on and any input requires grad.
bool needs_grad(std::initializer_list<Tensor> inputs);

// Makes output the result of a node named `name` whose inputs are `inputs` and whose gradient
// is computed by `backward`. Call only when needs_grad(inputs).
void record(const char* name, Tensor& output, const std::vector<Tensor>& inputs,
            BackwardFunction backward);
inline void record(const char* name, Tensor& output, std::initializer_list<Tensor> inputs,
                   BackwardFunction backward) {
  record(name, output, std::vector<Tensor>(inputs), std::move(backward));
}

// A tensor saved for backward: unpacking it after it was modified in place raises torch's
// error, and after the graph was freed raises the "backward through the graph a second time"
// error.
class SavedTensor {
 public:
  SavedTensor() = default;
  explicit SavedTensor(const Tensor& tensor);
  Tensor unpack() const;

 private:
  Tensor tensor_;
  std::uint64_t version_ = 0;
};

// Runs fn with recording off, for the forward computation of a differentiable op.
template <class Fn>
auto without_grad(Fn&& fn) {
  NoGradGuard guard;
  return fn();
}

// Computes forward() with recording off and, when an input requires grad, records the result
// as the output of a node named `name` with gradient function `backward`.
template <class Forward>
Tensor differentiable(const char* name, std::initializer_list<Tensor> inputs, Forward&& forward,
                      BackwardFunction backward) {
  Tensor out = without_grad(forward);
  if (needs_grad(inputs)) record(name, out, inputs, std::move(backward));
  return out;
}

// Raises torch's errors for an in-place write (while recording) to a leaf that requires grad or
// to a view of one.
void check_inplace(const Tensor& self, const char* op);
// After an in-place write of `result` (computed out of place) into self: self takes result's
// place in the graph. When self is a view, its base's history becomes CopySlices (the result
// where the view lies, the old history elsewhere) and self's becomes a view of that.
void rebase_history(Tensor& self, const Tensor& result);

// Sums grad down to shape, undoing broadcasting (leading dims and dims of size 1).
Tensor sum_to(const Tensor& grad, const Shape& shape);

}  // namespace activ::autograd

namespace activ {
using autograd::NoGradGuard;
}
