// The autograd engine: graph recording, the backward pass and the Tensor methods that expose
// autograd state.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "activ/autograd.h"
#include "autograd/direct_accumulation.h"

namespace activ::autograd {
namespace {

thread_local bool grad_enabled = true;
// SavedTensors made on this thread since the last node was recorded: a node's backward closure
// is built (saving its tensors) just before the node is recorded.
thread_local std::uint64_t unrecorded_saved_tensors = 0;
std::atomic<std::uint64_t> next_sequence_nr{0};

// The node run_backward is applying, with what accumulation_target needs to know about the
// pass; null outside a backward pass that accumulates into leaves without building a graph.
struct ApplyContext {
  const Node* node;
  const std::unordered_map<Node*, int>& dependencies;
  const std::unordered_map<Node*, Tensor>& buffers;
  // Taken by accumulation_target and held while the node writes into the leaf's .grad.
  std::unique_lock<std::mutex>* accumulation_lock;
};
thread_local const ApplyContext* applying = nullptr;

// Guards every write into a .grad: threads running backward through one shared leaf add into
// the same tensor, as they may in torch.
std::mutex grad_accumulation_mutex;

struct ApplyScope {
  explicit ApplyScope(const ApplyContext* context) : previous(applying) { applying = context; }
  ~ApplyScope() { applying = previous; }
  ApplyScope(const ApplyScope&) = delete;
  ApplyScope& operator=(const ApplyScope&) = delete;
  const ApplyContext* previous;
};

const char* const kGraphFreedMessage =
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they "
    "have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward.";

// Deletes a node without recursing into the nodes that die with it. Freeing a chain of nodes
// recursively (a node holds its inputs' nodes, and its closure tensors that hold theirs) takes
// a stack frame per node and overflows at a few hundred thousand; as torch's deleteNode does,
// nodes whose last owner dies inside another node's deletion wait in a list, freed in a loop.
void delete_node(Node* node) {
  thread_local std::vector<Node*>* waiting = nullptr;
  if (waiting != nullptr) {
    waiting->push_back(node);
    return;
  }
  std::vector<Node*> list{node};
  waiting = &list;
  while (!list.empty()) {
    Node* next = list.back();
    list.pop_back();
    delete next;  // may append to list
  }
  waiting = nullptr;
}

template <class NodeType, class... Args>
std::shared_ptr<NodeType> make_node(Args&&... args) {
  return std::shared_ptr<NodeType>(new NodeType(std::forward<Args>(args)...), delete_node);
}

// A node whose gradient is a closure over the tensors it saved.
class FunctionNode final : public Node {
 public:
  FunctionNode(const char* name, BackwardFunction backward, std::vector<Shape> input_shapes,
               std::vector<Dtype> input_dtypes, bool saves_tensors)
      : name_(name),
        backward_(std::move(backward)),
        input_shapes_(std::move(input_shapes)),
        input_dtypes_(std::move(input_dtypes)),
        saves_tensors_(saves_tensors) {}

  std::string name() const override { return name_; }

  std::vector<Tensor> apply(const Tensor& grad_output) override {
    if (!backward_) throw Error(kGraphFreedMessage);
    // The context is for this node's backward function only, not for nodes it applies itself.
    std::vector<Tensor> grads;
    {
      const ApplyScope scope(applying && applying->node == this ? applying : nullptr);
      grads = backward_(grad_output);
    }
    if (grads.size() != input_shapes_.size()) {
      throw Error(name_ + ": returned " + std::to_string(grads.size()) + " gradients, expected " +
                  std::to_string(input_shapes_.size()));
    }
    for (std::size_t i = 0; i < grads.size(); ++i) {
      if (grads[i].defined() && grads[i].sizes() != input_shapes_[i]) {
        throw ShapeError("Function " + name_ + " returned an invalid gradient at index " +
                         std::to_string(i) + " - got " + shape_str(grads[i].sizes()) +
                         " but expected shape compatible with " + shape_str(input_shapes_[i]));
      }
      // A gradient has its input's dtype (float32 input, float64 result: float32 gradient).
      if (grads[i].defined() && grads[i].dtype() != input_dtypes_[i])
        grads[i] = grads[i].to(input_dtypes_[i]);
    }
    return grads;
  }

  // As in torch, only a node that saved tensors refuses a second backward.
  void release_variables() override {
    if (saves_tensors_) backward_ = nullptr;
  }

 private:
  std::string name_;
  BackwardFunction backward_;
  std::vector<Shape> input_shapes_;
  std::vector<Dtype> input_dtypes_;
  bool saves_tensors_;
};

// The sink of a leaf: adds the incoming gradient to the leaf's grad.
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(std::weak_ptr<AutogradMeta> leaf) : leaf_(std::move(leaf)) {}
  std::string name() const override { return "AccumulateGrad"; }

  std::vector<Tensor> apply(const Tensor& grad_output) override {
    if (auto meta = leaf_.lock()) accumulate(*meta, grad_output);
    return {};
  }

  std::shared_ptr<AutogradMeta> leaf() const { return leaf_.lock(); }

  // A new grad is a copy (detached unless the graph of the gradient is being built), so later
  // in-place accumulation never writes into a tensor the caller holds.
  static void accumulate(AutogradMeta& meta, const Tensor& grad) {
    const std::lock_guard lock(grad_accumulation_mutex);
    if (!meta.grad.defined()) {
      meta.grad = is_grad_enabled() ? grad : grad.clone();
    } else if (is_grad_enabled()) {
      meta.grad = add(meta.grad, grad);
    } else {
      meta.grad.add_(grad);
    }
  }

 private:
  std::weak_ptr<AutogradMeta> leaf_;
};

AutogradMeta& ensure_meta(const Tensor& t) {
  auto& slot = t.impl_ptr()->autograd;
  if (!slot) slot = std::make_shared<AutogradMeta>();
  return *slot;
}

// Where a view lies in its base's storage: what AsStridedBackward0 and CopySlices need to move
// gradients between the two.
struct ViewGeometry {
  Shape sizes, strides;
  std::int64_t offset;
  Shape base_sizes, base_strides;
  std::int64_t base_offset;
  std::int64_t storage_elements;
};

ViewGeometry geometry_of(const Tensor& view, const Tensor& base) {
  return {view.sizes(),
          view.strides(),
          view.storage_offset(),
          base.sizes(),
          base.strides(),
          base.storage_offset(),
          static_cast<std::int64_t>(base.storage()->nbytes() / itemsize(base.dtype()))};
}

Tensor view_gradient(const Tensor& base_grad, const ViewGeometry& geometry);

// The gradient of a view's base given the view's gradient g: g placed where the view lies, zero
// elsewhere. Elements the view repeats (stride 0, from expand) collect the sum of their copies.
Tensor base_gradient(const Tensor& g, const ViewGeometry& geometry) {
  return differentiable(
      "AsStridedScatterBackward0", {g},
      [&] {
        Tensor values = g;
        Shape sizes = geometry.sizes;
        for (std::size_t d = 0; d < sizes.size(); ++d) {
          if (geometry.strides[d] == 0 && sizes[d] > 1) {
            values = sum(values, {static_cast<std::int64_t>(d)}, true);
            sizes[d] = 1;
          }
        }
        const Tensor storage = zeros({geometry.storage_elements}, g.dtype());
        Tensor(storage.storage(), geometry.offset, sizes, geometry.strides, g.dtype())
            .copy_(values);
        return Tensor(storage.storage(), geometry.base_offset, geometry.base_sizes,
                      geometry.base_strides, g.dtype())
            .clone();
      },
      [geometry](const Tensor& gg) -> std::vector<Tensor> {
        return {view_gradient(gg, geometry)};
      });
}

// The part of a base's gradient that falls on the view (the adjoint of base_gradient).
Tensor view_gradient(const Tensor& base_grad, const ViewGeometry& geometry) {
  return differentiable(
      "AsStridedBackward0", {base_grad},
      [&] {
        const Tensor storage = zeros({geometry.storage_elements}, base_grad.dtype());
        Tensor(storage.storage(), geometry.base_offset, geometry.base_sizes, geometry.base_strides,
               base_grad.dtype())
            .copy_(base_grad);
        return Tensor(storage.storage(), geometry.offset, geometry.sizes, geometry.strides,
                      base_grad.dtype())
            .clone();
      },
      [geometry](const Tensor& gg) -> std::vector<Tensor> {
        return {base_gradient(gg, geometry)};
      });
}

// Makes the view's history "the view of its base's current history", as torch does for views
// whose base (or another view of it) was written in place.
void set_view_history(const Tensor& view, const Tensor& base) {
  Tensor result = view.detach();
  record("AsStridedBackward0", result, {base},
         [geometry = geometry_of(view, base)](const Tensor& g) -> std::vector<Tensor> {
           return {base_gradient(g, geometry)};
         });
  AutogradMeta& meta = ensure_meta(view);
  meta.requires_grad = true;
  meta.grad_fn = result.grad_fn();
}

// A view's recorded history predates any in-place write to its elements made since; such a
// write changed its base's history, so the view's history is regenerated from the base's.
void refresh_view_history(const Tensor& view) {
  detail::TensorImpl& impl = *view.impl_ptr();
  const std::uint64_t version = impl.storage->version();
  if (!impl.view_base || impl.view_version == version) return;
  impl.view_version = version;
  const Tensor base = view.base();
  if (base.requires_grad()) set_view_history(view, base);
}

std::shared_ptr<AutogradMeta> meta_of(const Tensor& t) {
  if (!t.defined()) return nullptr;
  refresh_view_history(t);
  return t.impl_ptr()->autograd;
}

// The node a gradient for t flows into: its grad_fn, or its accumulator for a leaf.
std::shared_ptr<Node> gradient_node(const Tensor& t) {
  auto meta = meta_of(t);
  if (!meta || !meta->requires_grad) return nullptr;
  if (meta->grad_fn) return meta->grad_fn;
  // Threads recording on a shared leaf (a layer's weight) read and set the same weak_ptr.
  static std::mutex accumulator_mutex;
  const std::lock_guard lock(accumulator_mutex);
  std::shared_ptr<Node> accumulator = meta->grad_accumulator.lock();
  if (!accumulator) {
    accumulator = make_node<AccumulateGrad>(meta);
    meta->grad_accumulator = accumulator;
  }
  return accumulator;
}

struct GradModeScope {
  explicit GradModeScope(bool enabled) : previous(is_grad_enabled()) { set_grad_enabled(enabled); }
  ~GradModeScope() { set_grad_enabled(previous); }
  bool previous;
};

Tensor accumulate_buffer(const Tensor& existing, const Tensor& incoming) {
  return existing.defined() ? add(existing, incoming) : incoming;
}

// Runs the backward pass from roots. With `capture`, gradients arriving at the captured nodes
// are returned and leaves are left untouched (autograd.grad); otherwise leaves accumulate.
std::unordered_map<Node*, Tensor> run_backward(const std::vector<Tensor>& roots,
                                               const std::vector<Tensor>& root_grads,
                                               bool keep_graph, bool create_graph,
                                               const std::unordered_set<Node*>* capture) {
  GradModeScope mode(create_graph);
  std::vector<std::shared_ptr<Node>> root_nodes;
  std::unordered_map<Node*, Tensor> buffers;
  for (std::size_t i = 0; i < roots.size(); ++i) {
    auto node = gradient_node(roots[i]);
    if (!node) {
      throw Error("element " + std::to_string(i) +
                  " of tensors does not require grad and does not have a grad_fn");
    }
    buffers[node.get()] = accumulate_buffer(buffers[node.get()], root_grads[i]);
    root_nodes.push_back(node);
  }

  // Count, for every reachable node, how many edges lead into it.
  std::unordered_map<Node*, int> dependencies;
  std::vector<Node*> stack;
  std::unordered_set<Node*> seen;
  for (auto& node : root_nodes) {
    if (seen.insert(node.get()).second) stack.push_back(node.get());
  }
  while (!stack.empty()) {
    Node* node = stack.back();
    stack.pop_back();
    for (auto& next : node->next) {
      if (!next) continue;
      ++dependencies[next.get()];
      if (seen.insert(next.get()).second) stack.push_back(next.get());
    }
  }

  auto later_first = [](Node* a, Node* b) { return a->sequence_nr() < b->sequence_nr(); };
  std::priority_queue<Node*, std::vector<Node*>, decltype(later_first)> ready(later_first);
  std::unordered_set<Node*> queued;
  for (auto& node : root_nodes) {
    if (dependencies[node.get()] == 0 && queued.insert(node.get()).second) ready.push(node.get());
  }

  std::unordered_map<Node*, Tensor> captured;
  while (!ready.empty()) {
    Node* node = ready.top();
    ready.pop();
    const Tensor grad = buffers[node];
    buffers.erase(node);
    if (capture) {
      if (capture->count(node)) captured[node] = grad;
    } else {
      for (auto& weak : node->retained) {
        if (auto meta = weak.lock()) AccumulateGrad::accumulate(*meta, grad);
      }
    }
    std::vector<Tensor> grads;
    const bool is_leaf_sink = dynamic_cast<AccumulateGrad*>(node) != nullptr;
    if (grad.defined() && !(capture && is_leaf_sink)) {
      std::unique_lock accumulation_lock(grad_accumulation_mutex, std::defer_lock);
      const ApplyContext context{node, dependencies, buffers, &accumulation_lock};
      const ApplyScope scope(capture || create_graph ? nullptr : &context);
      grads = node->apply(grad);
    }
    if (!keep_graph) node->release_variables();
    for (std::size_t i = 0; i < node->next.size(); ++i) {
      Node* next = node->next[i].get();
      if (!next) continue;
      if (i < grads.size() && grads[i].defined())
        buffers[next] = accumulate_buffer(buffers[next], grads[i]);
      if (--dependencies[next] == 0 && queued.insert(next).second) ready.push(next);
    }
  }
  return captured;
}

std::vector<Tensor> default_grads(const std::vector<Tensor>& outputs,
                                  const std::vector<Tensor>& given, const char* op) {
  if (!given.empty() && given.size() != outputs.size()) {
    throw ValueError(std::string(op) + ": got " + std::to_string(given.size()) + " gradients for " +
                     std::to_string(outputs.size()) + " tensors");
  }
  std::vector<Tensor> grads;
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    if (!outputs[i].defined())
      throw ValueError(std::string(op) + ": tensor " + std::to_string(i) + " is undefined");
    if (i < given.size() && given[i].defined()) {
      if (given[i].sizes() != outputs[i].sizes()) {
        throw ShapeError(std::string(op) + ": mismatch in shape: grad_output[" + std::to_string(i) +
                         "] has a shape of " + shape_str(given[i].sizes()) + " and output[" +
                         std::to_string(i) + "] has a shape of " + shape_str(outputs[i].sizes()));
      }
      grads.push_back(given[i]);
    } else {
      if (outputs[i].numel() != 1)
        throw Error(std::string(op) + ": grad can be implicitly created only for scalar outputs");
      grads.push_back(ones_like(outputs[i]));
    }
  }
  return grads;
}

}  // namespace

Tensor accumulation_target(std::size_t input_index) {
  if (!applying || input_index >= applying->node->next.size()) return {};
  Node* next = applying->node->next[input_index].get();
  const auto* sink = dynamic_cast<const AccumulateGrad*>(next);
  if (!sink) return {};
  // This edge is the last one into the leaf's sink and nothing arrived through the others.
  const auto remaining = applying->dependencies.find(next);
  if (remaining == applying->dependencies.end() || remaining->second != 1) return {};
  const auto pending = applying->buffers.find(next);
  if (pending != applying->buffers.end() && pending->second.defined()) return {};
  const auto meta = sink->leaf();
  if (!applying->accumulation_lock->owns_lock()) applying->accumulation_lock->lock();
  if (!meta || !meta->grad.defined() || !meta->grad.is_contiguous()) return {};
  return meta->grad;
}

Node::Node() : sequence_nr_(next_sequence_nr.fetch_add(1)) {}

bool is_grad_enabled() {
  return grad_enabled;
}
void set_grad_enabled(bool enabled) {
  grad_enabled = enabled;
}

bool needs_grad(std::initializer_list<Tensor> inputs) {
  if (!grad_enabled) return false;
  return std::any_of(inputs.begin(), inputs.end(),
                     [](const Tensor& t) { return t.requires_grad(); });
}

void record(const char* name, Tensor& output, const std::vector<Tensor>& inputs,
            BackwardFunction backward) {
  std::vector<Shape> shapes;
  std::vector<Dtype> dtypes;
  for (const auto& t : inputs) {
    shapes.push_back(t.sizes());
    dtypes.push_back(t.dtype());
  }
  // Over-counting (a tensor saved for an op that was then not recorded) only makes a second
  // backward raise where torch's might not.
  auto node = make_node<FunctionNode>(name, std::move(backward), std::move(shapes),
                                      std::move(dtypes), unrecorded_saved_tensors > 0);
  unrecorded_saved_tensors = 0;
  for (const auto& t : inputs) node->next.push_back(gradient_node(t));
  // An op may return its input's handle (e.g. contiguous() of a contiguous tensor): the result
  // gets a handle of its own so the input keeps its history.
  if (meta_of(output)) {
    const Tensor input = output;
    output = Tensor(input.storage(), input.storage_offset(), input.sizes(), input.strides(),
                    input.dtype());
    detail::mark_as_view_of(output, input);  // it shares the input's elements
  }
  AutogradMeta& meta = ensure_meta(output);
  meta.requires_grad = true;
  meta.grad_fn = node;
}

void check_inplace(const Tensor& self, const char* op) {
  if (!grad_enabled) return;
  if (self.requires_grad() && self.is_leaf()) {
    throw Error(std::string(op) +
                ": a leaf Variable that requires grad is being used in an in-place operation.");
  }
  if (self.is_view()) {
    const Tensor base = self.base();
    if (base.requires_grad() && base.is_leaf()) {
      throw Error(std::string(op) +
                  ": a view of a leaf Variable that requires grad is being used in an in-place "
                  "operation.");
    }
  }
}

void rebase_history(Tensor& self, const Tensor& result) {
  if (!result.requires_grad() || !result.grad_fn()) return;
  if (!self.is_view()) {
    AutogradMeta& meta = ensure_meta(self);
    meta.requires_grad = true;
    meta.grad_fn = result.grad_fn();
    return;
  }
  // A write into a view changes its base: the base's new history (CopySlices) takes the
  // result's gradient where the view lies and passes the rest to the base's old history.
  const Tensor base = self.base();
  Tensor old_base = base.detach();
  if (base.requires_grad()) {
    AutogradMeta& old_meta = ensure_meta(old_base);
    old_meta.requires_grad = true;
    old_meta.grad_fn = base.grad_fn();
  }
  Tensor new_base = base.detach();
  record("CopySlices", new_base, {old_base, result},
         [geometry = geometry_of(self, base)](const Tensor& g) -> std::vector<Tensor> {
           const Tensor on_view = view_gradient(g, geometry);
           return {sub(g, base_gradient(on_view, geometry)), on_view};
         });
  AutogradMeta& base_meta = ensure_meta(base);
  base_meta.requires_grad = true;
  base_meta.grad_fn = new_base.grad_fn();
  self.impl_ptr()->view_version = self.storage()->version();
  set_view_history(self, base);
}

SavedTensor::SavedTensor(const Tensor& tensor)
    : tensor_(tensor), version_(tensor.defined() ? tensor.storage()->version() : 0) {
  ++unrecorded_saved_tensors;
}

Tensor SavedTensor::unpack() const {
  if (tensor_.defined() && tensor_.storage()->version() != version_) {
    throw Error(
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [" +
        std::string(name(tensor_.dtype())) + " " + shape_str(tensor_.sizes()) + "] is at version " +
        std::to_string(tensor_.storage()->version()) + "; expected version " +
        std::to_string(version_) + " instead");
  }
  return tensor_;
}

Tensor sum_to(const Tensor& grad, const Shape& shape) {
  if (grad.sizes() == shape) return grad;
  const std::int64_t lead = grad.dim() - static_cast<std::int64_t>(shape.size());
  Shape dims;
  for (std::int64_t d = 0; d < grad.dim(); ++d) {
    if (d < lead || (shape[d - lead] == 1 && grad.sizes()[d] != 1)) dims.push_back(d);
  }
  Tensor reduced = dims.empty() ? grad : sum(grad, dims, true);
  return reduced.reshape(shape);
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, std::optional<bool> retain_graph,
                         bool create_graph, bool allow_unused) {
  if (inputs.empty()) throw ValueError("grad: grad requires non-empty inputs");
  const std::vector<Tensor> root_grads = default_grads(outputs, grad_outputs, "grad");
  std::unordered_set<Node*> capture;
  std::vector<std::shared_ptr<Node>> input_nodes;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    auto node = gradient_node(inputs[i]);
    if (!node)
      throw Error("grad: one of the differentiated Tensors (input " + std::to_string(i) +
                  ") does not require grad");
    capture.insert(node.get());
    input_nodes.push_back(node);
  }
  auto captured = run_backward(outputs, root_grads, retain_graph.value_or(create_graph),
                               create_graph, &capture);
  std::vector<Tensor> result;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    auto it = captured.find(input_nodes[i].get());
    if (it == captured.end() || !it->second.defined()) {
      if (!allow_unused) {
        throw Error("grad: one of the differentiated Tensors (input " + std::to_string(i) +
                    ") appears to not have been used in the graph. Set allow_unused=True if this "
                    "is the desired "
                    "behavior.");
      }
      result.emplace_back();
    } else {
      result.push_back(it->second);
    }
  }
  return result;
}

void backward(const std::vector<Tensor>& tensors, const std::vector<Tensor>& grad_tensors,
              std::optional<bool> retain_graph, bool create_graph) {
  const std::vector<Tensor> root_grads = default_grads(tensors, grad_tensors, "backward");
  run_backward(tensors, root_grads, retain_graph.value_or(create_graph), create_graph, nullptr);
}

}  // namespace activ::autograd

namespace activ {

bool Tensor::requires_grad() const {
  auto meta = autograd::meta_of(*this);
  return meta && meta->requires_grad;
}

Tensor& Tensor::requires_grad_(bool requires_grad) {
  if (!defined()) throw ValueError("requires_grad_: the tensor is undefined");
  auto meta = autograd::meta_of(*this);
  if (meta && meta->grad_fn && !requires_grad) {
    throw Error(
        "requires_grad_: you can only change requires_grad flags of leaf variables. If you want to "
        "use a "
        "computed variable in a subgraph that doesn't require differentiation use var_no_grad = "
        "var.detach().");
  }
  if (requires_grad && !is_floating_point()) {
    throw TypeError(
        "requires_grad_: only Tensors of floating point dtype can require gradients, got " +
        std::string(name(dtype())));
  }
  autograd::ensure_meta(*this).requires_grad = requires_grad;
  return *this;
}

Tensor Tensor::grad() const {
  auto meta = autograd::meta_of(*this);
  return meta ? meta->grad : Tensor();
}

void Tensor::set_grad(const Tensor& grad) const {
  if (!defined()) throw ValueError("set_grad: the tensor is undefined");
  if (grad.defined() && grad.sizes() != sizes()) {
    throw ShapeError("set_grad: assigned grad has shape " + shape_str(grad.sizes()) +
                     ", expected " + shape_str(sizes()));
  }
  autograd::ensure_meta(*this).grad = grad;
}

std::shared_ptr<autograd::Node> Tensor::grad_fn() const {
  auto meta = autograd::meta_of(*this);
  return meta ? meta->grad_fn : nullptr;
}

bool Tensor::is_leaf() const {
  return grad_fn() == nullptr;
}

Tensor Tensor::detach() const {
  if (!defined()) return {};
  return Tensor(storage(), storage_offset(), sizes(), strides(), dtype());
}

void Tensor::set_data(const Tensor& source) const {
  if (!defined() || !source.defined()) throw ValueError("set_data: both tensors must be defined");
  detail::TensorImpl& self = *impl_ptr();
  const detail::TensorImpl& other = *source.impl_ptr();
  const bool same_layout = self.sizes == other.sizes && self.dtype == other.dtype;
  self.storage = other.storage;
  self.offset = other.offset;
  self.sizes = other.sizes;
  self.strides = other.strides;
  self.dtype = other.dtype;
  if (!same_layout && self.autograd) self.autograd->grad = Tensor();
}

const Tensor& Tensor::retain_grad() const {
  if (!requires_grad())
    throw Error("retain_grad: can't retain_grad on Tensor that has requires_grad=False");
  auto meta = autograd::meta_of(*this);
  if (meta->grad_fn && !meta->retains_grad) {
    meta->retains_grad = true;
    meta->grad_fn->retained.push_back(meta);
  }
  return *this;
}

bool Tensor::retains_grad() const {
  auto meta = autograd::meta_of(*this);
  return meta && meta->retains_grad;
}

void Tensor::backward(const Tensor& gradient, std::optional<bool> retain_graph,
                      bool create_graph) const {
  autograd::backward({*this}, {gradient}, retain_graph, create_graph);
}

}  // namespace activ
