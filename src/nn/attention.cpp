#include "activ/nn/attention.h"

#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "activ/autograd.h"
#include "activ/nn/functional.h"
#include "activ/nn/init.h"
#include "nn/flash_attention.h"

namespace activ::nn {

namespace {

constexpr double kNegativeInfinity = -std::numeric_limits<double>::infinity();

std::string dtype_str(const Tensor& tensor) {
  return std::string(activ::name(tensor.dtype()));
}

void check_float_argument(const Tensor& tensor, const char* op, const char* argument) {
  if (!tensor.defined()) {
    throw ValueError(std::string(op) + ": argument '" + argument + "' is an undefined tensor");
  }
  if (!tensor.is_floating_point()) {
    throw TypeError(std::string(op) + ": expected '" + argument +
                    "' to be a float32 or float64 tensor, got " + dtype_str(tensor));
  }
}

void check_same_dtype(const Tensor& tensor, const Tensor& query, const char* op,
                      const char* argument) {
  if (tensor.dtype() != query.dtype()) {
    throw TypeError(std::string(op) + ": expected '" + argument + "' to have query's dtype " +
                    dtype_str(query) + ", got " + dtype_str(tensor));
  }
}

// A mask is bool (true: the position takes part, or is masked out, as the caller says) or a
// float tensor of query's dtype added to the scores.
void check_mask_dtype(const Tensor& mask, const Tensor& query, const char* op,
                      const char* argument) {
  if (mask.dtype() == bool_) return;
  if (!mask.is_floating_point()) {
    throw TypeError(std::string(op) + ": expected '" + argument +
                    "' to be a bool or floating-point tensor, got " + dtype_str(mask));
  }
  check_same_dtype(mask, query, op, argument);
}

// 0 where keep is true, -inf elsewhere, in dtype.
Tensor additive_mask(const Tensor& keep, Dtype dtype) {
  return where(keep, scalar_tensor(0.0, dtype), scalar_tensor(kNegativeInfinity, dtype));
}

// One more position on the last dim: false for a bool mask, 0 for a float one (torch's
// pad(mask, (0, 1))).
Tensor pad_last_dim(const Tensor& mask) {
  Shape shape = mask.sizes();
  shape.back() = 1;
  return cat({mask, zeros(shape, mask.dtype())}, -1);
}

Tensor logical_or(const Tensor& a, const Tensor& b) {
  return ne(add(a.to(int64), ne(b, 0).to(int64)), 0);
}

Shape leading_dims(const Tensor& tensor) {
  return Shape(tensor.sizes().begin(), tensor.sizes().end() - 2);
}

Shape with_matrix(Shape batch, std::int64_t rows, std::int64_t columns) {
  batch.push_back(rows);
  batch.push_back(columns);
  return batch;
}

std::int64_t product(const Shape& shape) {
  std::int64_t n = 1;
  for (const std::int64_t size : shape) n *= size;
  return n;
}

// The attention scores and their softmax as tensor ops: (..., L, S) materialised.
Tensor attention_weights(const Tensor& query, const Tensor& key, const Tensor& attn_mask,
                         bool is_causal, double scale) {
  Tensor scores = mul(matmul(query, key.transpose(-2, -1)), scale);
  if (is_causal) {
    const Tensor keep = le(arange(key.size(-2)).unsqueeze(0), arange(query.size(-2)).unsqueeze(1));
    scores = scores + additive_mask(keep, query.dtype());
  } else if (attn_mask.defined()) {
    scores =
        scores + (attn_mask.dtype() == bool_ ? additive_mask(attn_mask, query.dtype()) : attn_mask);
  }
  return functional::softmax(scores, {.dim = -1});
}

// The gradients of tiled_attention as differentiable tensor ops over the materialised weights,
// for a backward pass that records its own graph (create_graph): double backward goes through
// them.
std::vector<Tensor> materialised_attention_gradients(const Tensor& query, const Tensor& key,
                                                     const Tensor& value, const Tensor& attn_mask,
                                                     bool is_causal, double scale,
                                                     const Tensor& grad_output) {
  const Tensor weights = attention_weights(query, key, attn_mask, is_causal, scale);
  const Tensor grad_weights = matmul(grad_output, value.transpose(-2, -1));
  const Tensor grad_scores =
      weights * (grad_weights - sum(grad_weights * weights, {-1}, /*keepdim=*/true));
  return {autograd::sum_to(mul(matmul(grad_scores, key), scale), query.sizes()),
          autograd::sum_to(mul(matmul(grad_scores.transpose(-2, -1), query), scale), key.sizes()),
          autograd::sum_to(matmul(weights.transpose(-2, -1), grad_output), value.sizes())};
}

// The mask's elements for the kernel: per flattened batch entry, the offset of its (L, S)
// matrix in the mask broadcast to batch + (L, S).
template <class T>
flash::AttentionMask<T> kernel_mask(const Tensor& attn_mask, bool is_causal, const Shape& batch,
                                    std::int64_t target_length, std::int64_t source_length,
                                    std::vector<std::int64_t>& batch_offsets) {
  flash::AttentionMask<T> mask;
  if (!attn_mask.defined() || is_causal) return mask;
  const Tensor broadcast = attn_mask.expand(with_matrix(batch, target_length, source_length));
  const std::int64_t batch_dims = static_cast<std::int64_t>(batch.size());
  batch_offsets.assign(static_cast<std::size_t>(product(batch)), 0);
  for (std::size_t flat = 0; flat < batch_offsets.size(); ++flat) {
    std::int64_t rest = static_cast<std::int64_t>(flat);
    for (std::int64_t d = batch_dims - 1; d >= 0; --d) {
      batch_offsets[flat] += (rest % batch[d]) * broadcast.stride(d);
      rest /= batch[d];
    }
  }
  mask.batch_offsets = batch_offsets;
  mask.row_stride = broadcast.stride(-2);
  mask.column_stride = broadcast.stride(-1);
  if (attn_mask.dtype() == bool_) {
    mask.kind = flash::MaskKind::kKeep;
    mask.keep = attn_mask.data_ptr<bool>();
  } else {
    mask.kind = flash::MaskKind::kAdditive;
    mask.additive = attn_mask.data_ptr<T>();
  }
  return mask;
}

// Contiguous inputs broadcast to the batch dims, with the kernel's view of them.
struct TiledProblem {
  Shape batch;
  Tensor query, key, value;
  std::vector<std::int64_t> mask_offsets;
};

TiledProblem tiled_problem(const Tensor& query, const Tensor& key, const Tensor& value) {
  const char* op = "scaled_dot_product_attention";
  TiledProblem problem;
  problem.batch = broadcast_shapes(broadcast_shapes(leading_dims(query), leading_dims(key), op),
                                   leading_dims(value), op);
  auto full = [&](const Tensor& t) {
    return t.expand(with_matrix(problem.batch, t.size(-2), t.size(-1))).contiguous();
  };
  problem.query = full(query);
  problem.key = full(key);
  problem.value = full(value);
  return problem;
}

template <class T>
flash::AttentionInputs<T> kernel_inputs(TiledProblem& problem, const Tensor& attn_mask,
                                        bool is_causal, double scale) {
  const flash::AttentionShape shape{.batch = product(problem.batch),
                                    .query_length = problem.query.size(-2),
                                    .key_length = problem.key.size(-2),
                                    .head_dim = problem.query.size(-1),
                                    .value_dim = problem.value.size(-1)};
  auto span_of = [](const Tensor& t) {
    return std::span<const T>(t.data_ptr<T>(), static_cast<std::size_t>(t.numel()));
  };
  return {.shape = shape,
          .query = span_of(problem.query),
          .key = span_of(problem.key),
          .value = span_of(problem.value),
          .mask = kernel_mask<T>(attn_mask, is_causal, problem.batch, shape.query_length,
                                 shape.key_length, problem.mask_offsets),
          .causal = is_causal,
          .scale = static_cast<T>(scale)};
}

template <class T>
std::span<T> span_of(const Tensor& t) {
  return {t.data_ptr<T>(), static_cast<std::size_t>(t.numel())};
}

template <class T>
std::vector<Tensor> tiled_backward(const Tensor& query, const Tensor& key, const Tensor& value,
                                   const Tensor& attn_mask, bool is_causal, double scale,
                                   const Tensor& output, const Tensor& logsumexp,
                                   const Tensor& grad_output) {
  TiledProblem problem = tiled_problem(query, key, value);
  const flash::AttentionInputs<T> inputs = kernel_inputs<T>(problem, attn_mask, is_causal, scale);
  const Tensor grad = grad_output.contiguous();
  Tensor grad_query = empty_like(problem.query);
  Tensor grad_key = empty_like(problem.key);
  Tensor grad_value = empty_like(problem.value);
  flash::attention_backward<T>(inputs, span_of<T>(output), span_of<T>(logsumexp), span_of<T>(grad),
                               span_of<T>(grad_query), span_of<T>(grad_key),
                               span_of<T>(grad_value));
  return {query.requires_grad() ? autograd::sum_to(grad_query, query.sizes()) : Tensor(),
          key.requires_grad() ? autograd::sum_to(grad_key, key.sizes()) : Tensor(),
          value.requires_grad() ? autograd::sum_to(grad_value, value.sizes()) : Tensor()};
}

// softmax(query key^T * scale + mask) value in tiles (nn/flash_attention.h): no (L, S) tensor
// is allocated, forward or backward. The mask is already checked and does not require grad;
// no size is zero. A backward pass with create_graph uses materialised_attention_gradients.
Tensor tiled_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                       const Tensor& attn_mask, bool is_causal, double scale) {
  TiledProblem problem = tiled_problem(query, key, value);
  const Shape batch = problem.batch;
  Tensor output = empty(with_matrix(batch, query.size(-2), value.size(-1)), query.dtype());
  Shape lse_shape = batch;
  lse_shape.push_back(query.size(-2));
  Tensor logsumexp = empty(lse_shape, query.dtype());
  if (query.dtype() == float32) {
    flash::attention_forward<float>(kernel_inputs<float>(problem, attn_mask, is_causal, scale),
                                    span_of<float>(output), span_of<float>(logsumexp));
  } else {
    flash::attention_forward<double>(kernel_inputs<double>(problem, attn_mask, is_causal, scale),
                                     span_of<double>(output), span_of<double>(logsumexp));
  }
  if (!autograd::needs_grad({query, key, value})) return output;
  autograd::record(
      "ScaledDotProductFlashAttentionBackward0", output, {query, key, value},
      [saved_query = autograd::SavedTensor(query), saved_key = autograd::SavedTensor(key),
       saved_value = autograd::SavedTensor(value), attn_mask, is_causal, scale,
       saved_output = autograd::SavedTensor(output.detach()),
       logsumexp](const Tensor& grad_output) -> std::vector<Tensor> {
        const Tensor q = saved_query.unpack(), k = saved_key.unpack(), v = saved_value.unpack();
        if (autograd::is_grad_enabled()) {
          return materialised_attention_gradients(q, k, v, attn_mask, is_causal, scale,
                                                  grad_output);
        }
        const Tensor out = saved_output.unpack();
        return q.dtype() == float32 ? tiled_backward<float>(q, k, v, attn_mask, is_causal, scale,
                                                            out, logsumexp, grad_output)
                                    : tiled_backward<double>(q, k, v, attn_mask, is_causal, scale,
                                                             out, logsumexp, grad_output);
      });
  return output;
}

// True when attention can run in tiles: no dropout, a mask that needs no gradient and no
// empty dim.
bool tiles_apply(const Tensor& query, const Tensor& key, const Tensor& value,
                 const Tensor& attn_mask, double dropout_p) {
  if (dropout_p > 0.0) return false;
  if (attn_mask.defined() && attn_mask.requires_grad() && autograd::is_grad_enabled()) return false;
  return query.numel() > 0 && key.numel() > 0 && value.numel() > 0;
}

}  // namespace

namespace functional {

Tensor scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                    const Tensor& attn_mask, double dropout_p, bool is_causal,
                                    std::optional<double> scale) {
  constexpr const char* op = "scaled_dot_product_attention";
  check_float_argument(query, op, "query");
  check_float_argument(key, op, "key");
  check_float_argument(value, op, "value");
  check_same_dtype(key, query, op, "key");
  check_same_dtype(value, query, op, "value");
  if (query.dim() < 2 || key.dim() < 2 || value.dim() < 2) {
    throw ShapeError(std::string(op) + ": expected query, key and value to have at least 2 dims " +
                     "(..., L, E), got query " + shape_str(query.sizes()) + ", key " +
                     shape_str(key.sizes()) + " and value " + shape_str(value.sizes()));
  }
  if (query.size(-1) != key.size(-1)) {
    throw ShapeError(std::string(op) + ": the last dim of query " + shape_str(query.sizes()) +
                     " and of key " + shape_str(key.sizes()) + " must be equal");
  }
  if (key.size(-2) != value.size(-2)) {
    throw ShapeError(std::string(op) + ": key " + shape_str(key.sizes()) + " and value " +
                     shape_str(value.sizes()) + " must have the same sequence length (dim -2)");
  }
  if (!(dropout_p >= 0.0 && dropout_p <= 1.0)) {
    throw ValueError(std::string(op) + ": dropout_p must be in [0, 1], got " +
                     std::to_string(dropout_p));
  }
  if (is_causal && attn_mask.defined()) {
    throw ValueError(std::string(op) + ": attn_mask must not be given when is_causal is true");
  }
  const std::int64_t target_length = query.size(-2);
  const std::int64_t source_length = key.size(-2);
  const double scale_factor = scale.value_or(1.0 / std::sqrt(static_cast<double>(query.size(-1))));

  const Shape scores_shape = with_matrix(
      broadcast_shapes(leading_dims(query), leading_dims(key), op), target_length, source_length);
  if (attn_mask.defined()) {
    check_mask_dtype(attn_mask, query, op, "attn_mask");
    if (!broadcasts_to(attn_mask.sizes(), scores_shape)) {
      throw ShapeError(std::string(op) + ": attn_mask of shape " + shape_str(attn_mask.sizes()) +
                       " does not broadcast to the attention scores' shape " +
                       shape_str(scores_shape) + " (query " + shape_str(query.sizes()) + ", key " +
                       shape_str(key.sizes()) + ")");
    }
  }
  if (tiles_apply(query, key, value, attn_mask, dropout_p)) {
    return tiled_attention(query, key, value, attn_mask, is_causal, scale_factor);
  }
  Tensor weights = attention_weights(query, key, attn_mask, is_causal, scale_factor);
  if (dropout_p > 0.0) weights = dropout(weights, dropout_p, /*training=*/true);
  return matmul(weights, value);
}

}  // namespace functional

MultiheadAttention::MultiheadAttention(std::int64_t embed_dim, std::int64_t num_heads,
                                       MultiheadAttentionOptions options)
    : embed_dim_(embed_dim),
      num_heads_(num_heads),
      kdim_(options.kdim.value_or(embed_dim)),
      vdim_(options.vdim.value_or(embed_dim)),
      options_(options) {
  if (embed_dim <= 0 || num_heads <= 0) {
    throw ValueError("MultiheadAttention: embed_dim and num_heads must be greater than 0, got " +
                     std::to_string(embed_dim) + " and " + std::to_string(num_heads));
  }
  if (kdim_ <= 0 || vdim_ <= 0) {
    throw ValueError("MultiheadAttention: kdim and vdim must be greater than 0, got " +
                     std::to_string(kdim_) + " and " + std::to_string(vdim_));
  }
  if (embed_dim % num_heads != 0) {
    throw ValueError(
        "MultiheadAttention: embed_dim must be divisible by num_heads, got embed_dim " +
        std::to_string(embed_dim) + " and num_heads " + std::to_string(num_heads));
  }
  if (!(options.dropout >= 0.0 && options.dropout <= 1.0)) {
    throw ValueError("MultiheadAttention: dropout must be in [0, 1], got " +
                     std::to_string(options.dropout));
  }
  const Dtype dtype = options.dtype;
  // torch's registration order and _reset_parameters.
  if (qkv_same_embed_dim()) {
    Tensor in_proj_weight = empty({3 * embed_dim, embed_dim}, dtype);
    register_parameter("in_proj_weight", init::xavier_uniform_(in_proj_weight));
  } else {
    Tensor q_proj_weight = empty({embed_dim, embed_dim}, dtype);
    Tensor k_proj_weight = empty({embed_dim, kdim_}, dtype);
    Tensor v_proj_weight = empty({embed_dim, vdim_}, dtype);
    register_parameter("q_proj_weight", init::xavier_uniform_(q_proj_weight));
    register_parameter("k_proj_weight", init::xavier_uniform_(k_proj_weight));
    register_parameter("v_proj_weight", init::xavier_uniform_(v_proj_weight));
  }
  if (options.bias) register_parameter("in_proj_bias", zeros({3 * embed_dim}, dtype));
  out_proj_ = register_module(
      "out_proj", std::make_shared<NonDynamicallyQuantizableLinear>(
                      embed_dim, embed_dim, LinearOptions{.bias = options.bias, .dtype = dtype}));
  if (options.bias) {
    Tensor out_bias = out_proj_->bias();
    init::constant_(out_bias, 0.0);
  }
  if (options.add_bias_kv) {
    Tensor bias_k = empty({1, 1, embed_dim}, dtype);
    Tensor bias_v = empty({1, 1, embed_dim}, dtype);
    register_parameter("bias_k", init::xavier_normal_(bias_k));
    register_parameter("bias_v", init::xavier_normal_(bias_v));
  }
}

MultiheadAttentionOutput MultiheadAttention::forward(
    const Tensor& query_in, const Tensor& key_in, const Tensor& value_in,
    const MultiheadAttentionForwardOptions& options) const {
  constexpr const char* op = "MultiheadAttention";
  check_float_argument(query_in, op, "query");
  check_float_argument(key_in, op, "key");
  check_float_argument(value_in, op, "value");
  const Tensor weight_reference = named_parameters(false).front().second;
  if (query_in.dtype() != weight_reference.dtype()) {
    throw TypeError(std::string(op) + ": query has dtype " + dtype_str(query_in) +
                    " but the module's parameters have dtype " + dtype_str(weight_reference));
  }
  check_same_dtype(key_in, query_in, op, "key");
  check_same_dtype(value_in, query_in, op, "value");

  // torch's _mha_shape_check.
  const std::int64_t query_dims = query_in.dim();
  if (query_dims != 2 && query_dims != 3) {
    throw ShapeError(std::string(op) +
                     ": query should be unbatched 2-D or batched 3-D, got shape " +
                     shape_str(query_in.sizes()));
  }
  const bool is_batched = query_dims == 3;
  if (key_in.dim() != query_dims || value_in.dim() != query_dims) {
    throw ShapeError(std::string(op) + ": for " + std::to_string(query_dims) + "-D query " +
                     shape_str(query_in.sizes()) + ", expected key and value to be " +
                     std::to_string(query_dims) + "-D, got key " + shape_str(key_in.sizes()) +
                     " and value " + shape_str(value_in.sizes()));
  }
  Tensor key_padding_mask = options.key_padding_mask;
  Tensor attn_mask = options.attn_mask;
  if (key_padding_mask.defined()) {
    check_mask_dtype(key_padding_mask, query_in, op, "key_padding_mask");
    if (key_padding_mask.dim() != query_dims - 1) {
      throw ShapeError(std::string(op) + ": for " + std::to_string(query_dims) +
                       "-D query, expected key_padding_mask to be " +
                       std::to_string(query_dims - 1) + "-D, got shape " +
                       shape_str(key_padding_mask.sizes()));
    }
  }
  if (attn_mask.defined()) {
    check_mask_dtype(attn_mask, query_in, op, "attn_mask");
    if (attn_mask.dim() != 2 && attn_mask.dim() != 3) {
      throw ShapeError(std::string(op) + ": expected attn_mask to be 2-D (L, S) or 3-D " +
                       "(N * num_heads, L, S), got shape " + shape_str(attn_mask.sizes()));
    }
  }

  Tensor query = query_in;
  Tensor key = key_in;
  Tensor value = value_in;
  if (is_batched && options_.batch_first) {
    query = query.transpose(0, 1);
    key = key.transpose(0, 1);
    value = value.transpose(0, 1);
  }
  if (!is_batched) {
    query = query.unsqueeze(1);
    key = key.unsqueeze(1);
    value = value.unsqueeze(1);
    if (key_padding_mask.defined()) key_padding_mask = key_padding_mask.unsqueeze(0);
  }
  // Now (L, N, E), (S, N, kdim), (S, N, vdim).
  const std::int64_t target_length = query.size(0);
  const std::int64_t batch = query.size(1);
  const std::int64_t source_length = key.size(0);
  const std::int64_t heads = num_heads_;
  const std::int64_t head_size = head_dim();
  if (query.size(2) != embed_dim_) {
    throw ShapeError(std::string(op) + ": expected query's last dim to be embed_dim " +
                     std::to_string(embed_dim_) + ", got query of shape " +
                     shape_str(query_in.sizes()));
  }
  if (key.size(2) != kdim_ || value.size(2) != vdim_) {
    throw ShapeError(std::string(op) + ": expected the last dims of key and value to be kdim " +
                     std::to_string(kdim_) + " and vdim " + std::to_string(vdim_) + ", got key " +
                     shape_str(key_in.sizes()) + " and value " + shape_str(value_in.sizes()));
  }
  if (key.size(0) != value.size(0) || key.size(1) != value.size(1)) {
    throw ShapeError(std::string(op) + ": key " + shape_str(key_in.sizes()) + " and value " +
                     shape_str(value_in.sizes()) + " must have the same sequence and batch dims");
  }
  if (key.size(1) != batch) {
    throw ShapeError(std::string(op) + ": query " + shape_str(query_in.sizes()) + " and key " +
                     shape_str(key_in.sizes()) + " must have the same batch size");
  }
  if (key_padding_mask.defined() && key_padding_mask.sizes() != Shape{batch, source_length}) {
    throw ShapeError(std::string(op) + ": key_padding_mask should have shape (N, S) = " +
                     shape_str({batch, source_length}) + ", got " +
                     shape_str(options.key_padding_mask.sizes()));
  }
  if (attn_mask.defined()) {
    if (attn_mask.dim() == 2) {
      if (attn_mask.sizes() != Shape{target_length, source_length}) {
        throw ShapeError(std::string(op) + ": the 2-D attn_mask should have shape (L, S) = " +
                         shape_str({target_length, source_length}) + ", got " +
                         shape_str(attn_mask.sizes()));
      }
      attn_mask = attn_mask.unsqueeze(0);
    } else if (attn_mask.sizes() != Shape{batch * heads, target_length, source_length}) {
      throw ShapeError(std::string(op) +
                       ": the 3-D attn_mask should have shape (N * num_heads, L, S) = " +
                       shape_str({batch * heads, target_length, source_length}) + ", got " +
                       shape_str(attn_mask.sizes()));
    }
  }
  if (attn_mask.defined() && attn_mask.dtype() != bool_ && key_padding_mask.defined() &&
      key_padding_mask.dtype() != bool_) {
    // torch merges them with attn_mask.masked_fill(key_padding_mask, -inf), which takes bool only.
    throw TypeError(std::string(op) + ": a float attn_mask can only be merged with a bool " +
                    "key_padding_mask, got key_padding_mask of dtype " +
                    dtype_str(key_padding_mask));
  }

  // In-projection.
  Tensor q_weight, k_weight, v_weight, q_bias, k_bias, v_bias;
  if (qkv_same_embed_dim()) {
    const auto weights = parameter("in_proj_weight").chunk(3);
    q_weight = weights[0];
    k_weight = weights[1];
    v_weight = weights[2];
  } else {
    q_weight = parameter("q_proj_weight");
    k_weight = parameter("k_proj_weight");
    v_weight = parameter("v_proj_weight");
  }
  if (options_.bias) {
    const auto biases = parameter("in_proj_bias").chunk(3);
    q_bias = biases[0];
    k_bias = biases[1];
    v_bias = biases[2];
  }
  Tensor q = functional::linear(query, q_weight, q_bias);
  Tensor k = functional::linear(key, k_weight, k_bias);
  Tensor v = functional::linear(value, v_weight, v_bias);

  if (options_.add_bias_kv) {
    k = cat({k, parameter("bias_k").expand({1, batch, embed_dim_})});
    v = cat({v, parameter("bias_v").expand({1, batch, embed_dim_})});
    if (attn_mask.defined()) attn_mask = pad_last_dim(attn_mask);
    if (key_padding_mask.defined()) key_padding_mask = pad_last_dim(key_padding_mask);
  }
  // (N * num_heads, length, head_dim), batch first.
  q = q.contiguous().view({target_length, batch * heads, head_size}).transpose(0, 1);
  k = k.contiguous().view({k.size(0), batch * heads, head_size}).transpose(0, 1);
  v = v.contiguous().view({v.size(0), batch * heads, head_size}).transpose(0, 1);
  if (options_.add_zero_attn) {
    k = cat({k, zeros({batch * heads, 1, head_size}, k.dtype())}, 1);
    v = cat({v, zeros({batch * heads, 1, head_size}, v.dtype())}, 1);
    if (attn_mask.defined()) attn_mask = pad_last_dim(attn_mask);
    if (key_padding_mask.defined()) key_padding_mask = pad_last_dim(key_padding_mask);
  }
  const std::int64_t keys = k.size(1);

  // Merge the key padding mask into attn_mask, then make it additive.
  if (key_padding_mask.defined()) {
    key_padding_mask = key_padding_mask.view({batch, 1, 1, keys})
                           .expand({batch, heads, 1, keys})
                           .reshape({batch * heads, 1, keys});
    if (!attn_mask.defined()) {
      attn_mask = key_padding_mask;
    } else if (attn_mask.dtype() == bool_) {
      attn_mask = logical_or(attn_mask, key_padding_mask);
    } else {
      attn_mask =
          where(key_padding_mask, scalar_tensor(kNegativeInfinity, attn_mask.dtype()), attn_mask);
    }
  }
  if (attn_mask.defined() && attn_mask.dtype() == bool_) {
    attn_mask = additive_mask(logical_not(attn_mask), q.dtype());
  }

  const double dropout_p = is_training() ? options_.dropout : 0.0;
  // torch scales q before the product.
  const Tensor q_scaled = div(q, std::sqrt(static_cast<double>(head_size)));
  Tensor weights;
  Tensor attended;
  if (!options.need_weights && tiles_apply(q_scaled, k, v, attn_mask, dropout_p)) {
    attended = tiled_attention(q_scaled, k, v, attn_mask, /*is_causal=*/false, 1.0);
  } else {
    weights = bmm(q_scaled, k.transpose(-2, -1));
    if (attn_mask.defined()) weights = attn_mask + weights;
    weights = functional::softmax(weights, {.dim = -1});
    if (dropout_p > 0.0) weights = functional::dropout(weights, dropout_p, /*training=*/true);
    attended = bmm(weights, v);
  }

  Tensor output = attended.transpose(0, 1).contiguous().view({target_length * batch, embed_dim_});
  output = functional::linear(output, out_proj_->weight(), out_proj_->bias())
               .view({target_length, batch, embed_dim_});

  MultiheadAttentionOutput result;
  if (options.need_weights) {
    weights = weights.view({batch, heads, target_length, keys});
    if (options.average_attn_weights) weights = div(weights.sum({1}), static_cast<double>(heads));
    if (!is_batched) weights = weights.squeeze(0);
    result.attn_output_weights = weights;
  }
  if (!is_batched) {
    output = output.squeeze(1);
  } else if (options_.batch_first) {
    output = output.transpose(0, 1);
  }
  result.attn_output = output;
  return result;
}

}  // namespace activ::nn
