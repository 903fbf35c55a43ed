#include "activ/nn/attention.h"

#include <cmath>
#include <limits>
#include <string>

#include "activ/autograd.h"
#include "activ/nn/functional.h"
#include "activ/nn/init.h"

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

// True when a tensor of shape `from` broadcasts to `to` without enlarging it.
bool broadcasts_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  const std::size_t skipped = to.size() - from.size();
  for (std::size_t i = 0; i < from.size(); ++i) {
    if (from[i] != 1 && from[i] != to[skipped + i]) return false;
  }
  return true;
}

Tensor logical_or(const Tensor& a, const Tensor& b) {
  return ne(add(a.to(int64), ne(b, 0).to(int64)), 0);
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

  Tensor scores = mul(matmul(query, key.transpose(-2, -1)), scale_factor);
  if (is_causal) {
    const Tensor keep = le(arange(source_length).unsqueeze(0), arange(target_length).unsqueeze(1));
    scores = scores + additive_mask(keep, query.dtype());
  } else if (attn_mask.defined()) {
    check_mask_dtype(attn_mask, query, op, "attn_mask");
    if (!broadcasts_to(attn_mask.sizes(), scores.sizes())) {
      throw ShapeError(std::string(op) + ": attn_mask of shape " + shape_str(attn_mask.sizes()) +
                       " does not broadcast to the attention scores' shape " +
                       shape_str(scores.sizes()) + " (query " + shape_str(query.sizes()) +
                       ", key " + shape_str(key.sizes()) + ")");
    }
    scores =
        scores + (attn_mask.dtype() == bool_ ? additive_mask(attn_mask, query.dtype()) : attn_mask);
  }
  Tensor weights = softmax(scores, {.dim = -1});
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
  const Tensor q_scaled = div(q, std::sqrt(static_cast<double>(head_size)));
  Tensor weights = bmm(q_scaled, k.transpose(-2, -1));
  if (attn_mask.defined()) weights = attn_mask + weights;
  weights = functional::softmax(weights, {.dim = -1});
  if (dropout_p > 0.0) weights = functional::dropout(weights, dropout_p, /*training=*/true);

  Tensor output =
      bmm(weights, v).transpose(0, 1).contiguous().view({target_length * batch, embed_dim_});
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
