// Attention computed in tiles with an online softmax (FlashAttention-2's scheme): the forward
// pass keeps a running max and sum per query row and saves log-sum-exp, the backward pass
// recomputes each tile's scores from query, key and that log-sum-exp. Memory grows with the
// sequence lengths, never with their product. Pure functions over spans of contiguous data.
#pragma once

#include <cstdint>
#include <span>

namespace activ::nn::flash {

// Row-major, contiguous: query (batch, L, E), key (batch, S, E), value (batch, S, Ev).
struct AttentionShape {
  std::int64_t batch = 0;
  std::int64_t query_length = 0;  // L
  std::int64_t key_length = 0;    // S
  std::int64_t head_dim = 0;      // E
  std::int64_t value_dim = 0;     // Ev
};

enum class MaskKind { kNone, kKeep, kAdditive };

// A mask broadcast to (batch, L, S) by strides: element (b, i, j) is
// data[batch_offsets[b] + i * row_stride + j * column_stride]. kKeep reads bools (true: the
// position takes part), kAdditive reads values added to the scores.
template <class T>
struct AttentionMask {
  MaskKind kind = MaskKind::kNone;
  const bool* keep = nullptr;
  const T* additive = nullptr;
  std::span<const std::int64_t> batch_offsets;
  std::int64_t row_stride = 0;
  std::int64_t column_stride = 0;
};

template <class T>
struct AttentionInputs {
  AttentionShape shape;
  std::span<const T> query;
  std::span<const T> key;
  std::span<const T> value;
  AttentionMask<T> mask;
  bool causal = false;  // keeps the positions j <= i
  T scale = 1;
};

// output (batch, L, Ev) = softmax(scale * query key^T + mask) value; logsumexp (batch, L) of
// the masked, scaled scores, saved for backward. A row with no position kept gets NaN in both,
// as the materialising softmax gives.
template <class T>
void attention_forward(const AttentionInputs<T>& inputs, std::span<T> output,
                       std::span<T> logsumexp);

// The gradients of sum(output * grad_output) with respect to query, key and value, from the
// forward pass's output and logsumexp. Parallel over batch and key blocks; deterministic for a
// given shape whatever the thread count.
template <class T>
void attention_backward(const AttentionInputs<T>& inputs, std::span<const T> output,
                        std::span<const T> logsumexp, std::span<const T> grad_output,
                        std::span<T> grad_query, std::span<T> grad_key, std::span<T> grad_value);

}  // namespace activ::nn::flash
