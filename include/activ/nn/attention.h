// Attention as torch computes it: scaled_dot_product_attention (torch 2.x's functional) and
// nn::MultiheadAttention (torch 1.13's module and F.multi_head_attention_forward), with autograd.
// Without dropout, scaled_dot_product_attention (and MultiheadAttention with need_weights false)
// computes attention in tiles with an online softmax, forward and backward, so memory grows with
// the sequence lengths, not with their product; otherwise the (..., L, S) weights are
// materialised. Double backward through the tiled path (create_graph) recomputes the weights.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "activ/nn/layers.h"
#include "activ/nn/module.h"

namespace activ::nn {

namespace functional {

// softmax(query key^T * scale + bias) value, over any leading batch dims (broadcast as matmul
// broadcasts them): query (..., L, E), key (..., S, E), value (..., S, Ev) -> (..., L, Ev).
// attn_mask broadcasts to (..., L, S): a bool mask keeps the positions that are true, a float
// mask is added. is_causal keeps the lower triangle (positions j <= i) and excludes attn_mask.
// scale defaults to 1 / sqrt(E). dropout_p > 0 drops attention weights (activ's generator).
// A row with no position kept gives NaN, as torch's math path does.
Tensor scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                    const Tensor& attn_mask = {}, double dropout_p = 0.0,
                                    bool is_causal = false, std::optional<double> scale = {});

}  // namespace functional

// torch names the output projection of MultiheadAttention so; it is a Linear.
class NonDynamicallyQuantizableLinear : public Linear {
 public:
  using Linear::Linear;
  std::string name() const override { return "NonDynamicallyQuantizableLinear"; }
};

struct MultiheadAttentionOptions {
  double dropout = 0.0;  // on the attention weights, in training mode
  bool bias = true;      // in_proj_bias and out_proj.bias
  bool add_bias_kv = false;
  bool add_zero_attn = false;
  std::optional<std::int64_t> kdim = {};  // default embed_dim
  std::optional<std::int64_t> vdim = {};  // default embed_dim
  bool batch_first = false;               // (N, L, E) instead of (L, N, E)
  Dtype dtype = float32;
};

struct MultiheadAttentionForwardOptions {
  // (N, S) or (S) unbatched: true (or a float added to the scores) masks a key out.
  Tensor key_padding_mask = {};
  bool need_weights = true;
  // (L, S) or (N * num_heads, L, S): true masks a position out, a float is added.
  Tensor attn_mask = {};
  bool average_attn_weights = true;
};

struct MultiheadAttentionOutput {
  // (L, N, E), (N, L, E) with batch_first, or (L, E) unbatched.
  Tensor attn_output = {};
  // (N, L, S) averaged over heads or (N, num_heads, L, S), without N unbatched; undefined
  // unless need_weights.
  Tensor attn_output_weights = {};
};

// torch.nn.MultiheadAttention (1.13): the same parameters under the same names, registered in
// the same order and initialized the same way, so a torch state_dict loads with
// load_state_dict.
class MultiheadAttention : public Module {
 public:
  MultiheadAttention(std::int64_t embed_dim, std::int64_t num_heads,
                     MultiheadAttentionOptions options = {});
  std::string name() const override { return "MultiheadAttention"; }

  MultiheadAttentionOutput forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                   const MultiheadAttentionForwardOptions& options = {}) const;
  MultiheadAttentionOutput operator()(const Tensor& query, const Tensor& key, const Tensor& value,
                                      const MultiheadAttentionForwardOptions& options = {}) const {
    return forward(query, key, value, options);
  }
  using Module::forward;

  std::int64_t embed_dim() const { return embed_dim_; }
  std::int64_t num_heads() const { return num_heads_; }
  std::int64_t head_dim() const { return embed_dim_ / num_heads_; }
  std::int64_t kdim() const { return kdim_; }
  std::int64_t vdim() const { return vdim_; }
  bool batch_first() const { return options_.batch_first; }
  // True when kdim == vdim == embed_dim: one packed in_proj_weight instead of q/k/v_proj_weight.
  bool qkv_same_embed_dim() const { return kdim_ == embed_dim_ && vdim_ == embed_dim_; }
  const std::shared_ptr<NonDynamicallyQuantizableLinear>& out_proj() const { return out_proj_; }

 private:
  std::int64_t embed_dim_;
  std::int64_t num_heads_;
  std::int64_t kdim_;
  std::int64_t vdim_;
  MultiheadAttentionOptions options_;
  std::shared_ptr<NonDynamicallyQuantizableLinear> out_proj_;
};

}  // namespace activ::nn
