#include "nn/flash_attention.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "activ/parallel.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "nn/flash_attention.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
// After highway.h, once per target.
#include "hwy/contrib/math/math-inl.h"

HWY_BEFORE_NAMESPACE();
namespace activ::nn::flash::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// values[j] = exp(values[j] - shift) for j < n; returns their sum. -inf gives 0 and NaN stays
// NaN (hn::Exp is only defined from -FLT_MAX, so the argument is clamped first).
template <class T>
HWY_INLINE T ExpShifted(T* HWY_RESTRICT values, std::size_t n, T shift) {
  const hn::ScalableTag<T> d;
  const std::size_t lanes = hn::Lanes(d);
  const auto shift_vector = hn::Set(d, shift);
  const auto lowest = hn::Set(d, T(-1000));  // exp underflows to 0 long before
  auto sum = hn::Zero(d);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    const auto x = hn::Sub(hn::LoadU(d, values + i), shift_vector);
    const auto e = hn::IfThenElse(hn::IsNaN(x), x, hn::Exp(d, hn::Max(x, lowest)));
    hn::StoreU(e, d, values + i);
    sum = hn::Add(sum, e);
  }
  T total = hn::GetLane(hn::SumOfLanes(d, sum));
  for (; i < n; ++i) {
    values[i] = std::exp(values[i] - shift);
    total += values[i];
  }
  return total;
}

// The largest of values[0..n) (n > 0); NaNs may be skipped, exp spreads them anyway.
template <class T>
HWY_INLINE T Maximum(const T* HWY_RESTRICT values, std::size_t n) {
  const hn::ScalableTag<T> d;
  const std::size_t lanes = hn::Lanes(d);
  auto maximum = hn::Set(d, values[0]);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) maximum = hn::Max(maximum, hn::LoadU(d, values + i));
  T total = hn::GetLane(hn::MaxOfLanes(d, maximum));
  for (; i < n; ++i) total = std::max(total, values[i]);
  return total;
}

float MaximumF32(const float* values, std::size_t n) {
  return Maximum(values, n);
}
double MaximumF64(const double* values, std::size_t n) {
  return Maximum(values, n);
}

float ExpShiftedF32(float* values, std::size_t n, float shift) {
  return ExpShifted(values, n, shift);
}
double ExpShiftedF64(double* values, std::size_t n, double shift) {
  return ExpShifted(values, n, shift);
}

}  // namespace activ::nn::flash::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace activ::nn::flash {

HWY_EXPORT(MaximumF32);
HWY_EXPORT(MaximumF64);
HWY_EXPORT(ExpShiftedF32);
HWY_EXPORT(ExpShiftedF64);

namespace {

float maximum(const float* values, std::int64_t n) {
  return HWY_DYNAMIC_DISPATCH(MaximumF32)(values, static_cast<std::size_t>(n));
}
double maximum(const double* values, std::int64_t n) {
  return HWY_DYNAMIC_DISPATCH(MaximumF64)(values, static_cast<std::size_t>(n));
}

float exp_shifted(float* values, std::int64_t n, float shift) {
  return HWY_DYNAMIC_DISPATCH(ExpShiftedF32)(values, static_cast<std::size_t>(n), shift);
}
double exp_shifted(double* values, std::int64_t n, double shift) {
  return HWY_DYNAMIC_DISPATCH(ExpShiftedF64)(values, static_cast<std::size_t>(n), shift);
}

// 64 x 64 tiles: with head dims up to 64 every product stays under OpenBLAS's threading
// threshold, so the BLAS calls made from the pool's threads run on the calling thread.
constexpr std::int64_t kQueryBlock = 64;
constexpr std::int64_t kKeyBlock = 64;
// Key blocks of one batch entry are split into at most this many groups in backward (each
// with its own partial query gradient), so even one head keeps several threads busy.
constexpr std::int64_t kBackwardTasks = 8;

// C (m x n, ldc) = alpha * op(A) op(B) + beta * C, row-major.
void gemm(bool transpose_a, bool transpose_b, std::int64_t m, std::int64_t n, std::int64_t k,
          float alpha, const float* a, std::int64_t lda, const float* b, std::int64_t ldb,
          float beta, float* c, std::int64_t ldc) {
  cblas_sgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans,
              transpose_b ? CblasTrans : CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), alpha, a, static_cast<int>(lda), b, static_cast<int>(ldb), beta,
              c, static_cast<int>(ldc));
}

void gemm(bool transpose_a, bool transpose_b, std::int64_t m, std::int64_t n, std::int64_t k,
          double alpha, const double* a, std::int64_t lda, const double* b, std::int64_t ldb,
          double beta, double* c, std::int64_t ldc) {
  cblas_dgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans,
              transpose_b ? CblasTrans : CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), alpha, a, static_cast<int>(lda), b, static_cast<int>(ldb), beta,
              c, static_cast<int>(ldc));
}

std::int64_t blocks(std::int64_t length, std::int64_t block) {
  return (length + block - 1) / block;
}

// A tile of the scores: rows [row0, row0 + rows) of query, columns [column0, column0 + columns)
// of key, in a buffer of kKeyBlock columns.
struct Tile {
  std::int64_t batch;
  std::int64_t row0;
  std::int64_t rows;
  std::int64_t column0;
  std::int64_t columns;
};

// True when causal masking removes every position of the tile.
bool causally_empty(const Tile& tile, bool causal) {
  return causal && tile.column0 > tile.row0 + tile.rows - 1;
}

// scores = scale * query key^T over the tile, then masked: -inf where a position takes no part.
template <class T>
void tile_scores(const AttentionInputs<T>& in, const Tile& tile, T* scores) {
  const AttentionShape& shape = in.shape;
  const T* query = in.query.data() + (tile.batch * shape.query_length + tile.row0) * shape.head_dim;
  const T* key = in.key.data() + (tile.batch * shape.key_length + tile.column0) * shape.head_dim;
  gemm(false, true, tile.rows, tile.columns, shape.head_dim, in.scale, query, shape.head_dim, key,
       shape.head_dim, T(0), scores, kKeyBlock);
  constexpr T kMinusInfinity = -std::numeric_limits<T>::infinity();
  const AttentionMask<T>& mask = in.mask;
  for (std::int64_t i = 0; i < tile.rows; ++i) {
    T* row = scores + i * kKeyBlock;
    const std::int64_t query_index = tile.row0 + i;
    if (mask.kind != MaskKind::kNone) {
      const std::int64_t base = mask.batch_offsets[tile.batch] + query_index * mask.row_stride +
                                tile.column0 * mask.column_stride;
      if (mask.kind == MaskKind::kKeep) {
        for (std::int64_t j = 0; j < tile.columns; ++j) {
          if (!mask.keep[base + j * mask.column_stride]) row[j] = kMinusInfinity;
        }
      } else {
        for (std::int64_t j = 0; j < tile.columns; ++j)
          row[j] += mask.additive[base + j * mask.column_stride];
      }
    }
    if (in.causal) {
      const std::int64_t first_masked = std::max<std::int64_t>(query_index + 1 - tile.column0, 0);
      for (std::int64_t j = first_masked; j < tile.columns; ++j) row[j] = kMinusInfinity;
    }
  }
}

// One block of query rows against every key block, with the online softmax.
template <class T>
void forward_block(const AttentionInputs<T>& in, std::int64_t batch, std::int64_t row0,
                   std::vector<T>& scores, std::vector<T>& accumulator, std::vector<T>& row_max,
                   std::vector<T>& row_sum, T* output, T* logsumexp) {
  const AttentionShape& shape = in.shape;
  const std::int64_t rows = std::min(kQueryBlock, shape.query_length - row0);
  const std::int64_t value_dim = shape.value_dim;
  constexpr T kMinusInfinity = -std::numeric_limits<T>::infinity();
  std::fill(accumulator.begin(), accumulator.end(), T(0));
  std::fill(row_max.begin(), row_max.end(), kMinusInfinity);
  std::fill(row_sum.begin(), row_sum.end(), T(0));
  for (std::int64_t column0 = 0; column0 < shape.key_length; column0 += kKeyBlock) {
    const Tile tile{batch, row0, rows, column0, std::min(kKeyBlock, shape.key_length - column0)};
    if (causally_empty(tile, in.causal)) break;  // so are all later key blocks
    tile_scores(in, tile, scores.data());
    for (std::int64_t i = 0; i < rows; ++i) {
      T* row = scores.data() + i * kKeyBlock;
      const T block_max = maximum(row, tile.columns);
      const T new_max = std::max(row_max[i], block_max);
      T* accumulated = accumulator.data() + i * value_dim;
      if (new_max == kMinusInfinity) {  // nothing kept yet: the row contributes nothing
        std::fill(row, row + tile.columns, T(0));
        continue;
      }
      const T rescale = std::exp(row_max[i] - new_max);
      row_sum[i] = row_sum[i] * rescale + exp_shifted(row, tile.columns, new_max);
      row_max[i] = new_max;
      if (rescale != T(1)) {
        for (std::int64_t e = 0; e < value_dim; ++e) accumulated[e] *= rescale;
      }
    }
    const T* value = in.value.data() + (batch * shape.key_length + column0) * value_dim;
    gemm(false, false, rows, value_dim, tile.columns, T(1), scores.data(), kKeyBlock, value,
         value_dim, T(1), accumulator.data(), value_dim);
  }
  for (std::int64_t i = 0; i < rows; ++i) {
    const std::int64_t index = batch * shape.query_length + row0 + i;
    T* out = output + index * value_dim;
    const T* accumulated = accumulator.data() + i * value_dim;
    if (row_sum[i] == T(0)) {  // no position kept: softmax over nothing but -inf is NaN
      std::fill(out, out + value_dim, std::numeric_limits<T>::quiet_NaN());
      logsumexp[index] = std::numeric_limits<T>::quiet_NaN();
      continue;
    }
    const T inverse = T(1) / row_sum[i];
    for (std::int64_t e = 0; e < value_dim; ++e) out[e] = accumulated[e] * inverse;
    logsumexp[index] = row_max[i] + std::log(row_sum[i]);
  }
}

// Gradients from the key blocks [first_block, last_block) of one batch entry: writes those
// blocks' rows of grad_key and grad_value and adds to grad_query (batch entry's L x E rows).
template <class T>
void backward_key_blocks(const AttentionInputs<T>& in, std::int64_t batch, std::int64_t first_block,
                         std::int64_t last_block, const T* logsumexp, const T* row_dot,
                         const T* grad_output, T* grad_query, T* grad_key, T* grad_value) {
  const AttentionShape& shape = in.shape;
  const std::int64_t head_dim = shape.head_dim;
  const std::int64_t value_dim = shape.value_dim;
  std::vector<T> probabilities(kQueryBlock * kKeyBlock);
  std::vector<T> grad_scores(kQueryBlock * kKeyBlock);
  for (std::int64_t block = first_block; block < last_block; ++block) {
    const std::int64_t column0 = block * kKeyBlock;
    const std::int64_t columns = std::min(kKeyBlock, shape.key_length - column0);
    const std::int64_t key_row = batch * shape.key_length + column0;
    T* block_grad_key = grad_key + key_row * head_dim;
    T* block_grad_value = grad_value + key_row * value_dim;
    std::fill(block_grad_key, block_grad_key + columns * head_dim, T(0));
    std::fill(block_grad_value, block_grad_value + columns * value_dim, T(0));
    const T* key = in.key.data() + key_row * head_dim;
    const T* value = in.value.data() + key_row * value_dim;
    for (std::int64_t row0 = 0; row0 < shape.query_length; row0 += kQueryBlock) {
      const Tile tile{batch, row0, std::min(kQueryBlock, shape.query_length - row0), column0,
                      columns};
      if (causally_empty(tile, in.causal)) continue;
      const std::int64_t query_row = batch * shape.query_length + row0;
      // P = exp(scores - logsumexp): NaN for a row with nothing kept, as softmax gives.
      tile_scores(in, tile, probabilities.data());
      for (std::int64_t i = 0; i < tile.rows; ++i) {
        exp_shifted(probabilities.data() + i * kKeyBlock, columns, logsumexp[query_row + i]);
      }
      const T* block_grad_output = grad_output + query_row * value_dim;
      // dV += P^T dO
      gemm(true, false, columns, value_dim, tile.rows, T(1), probabilities.data(), kKeyBlock,
           block_grad_output, value_dim, T(1), block_grad_value, value_dim);
      // dP = dO V^T, then dS = P (dP - rowsum(dO * O))
      gemm(false, true, tile.rows, columns, value_dim, T(1), block_grad_output, value_dim, value,
           value_dim, T(0), grad_scores.data(), kKeyBlock);
      for (std::int64_t i = 0; i < tile.rows; ++i) {
        T* grad_row = grad_scores.data() + i * kKeyBlock;
        const T* row = probabilities.data() + i * kKeyBlock;
        const T dot = row_dot[query_row + i];
        for (std::int64_t j = 0; j < columns; ++j) grad_row[j] = row[j] * (grad_row[j] - dot);
      }
      // dQ += scale dS K, dK += scale dS^T Q
      gemm(false, false, tile.rows, head_dim, columns, in.scale, grad_scores.data(), kKeyBlock, key,
           head_dim, T(1), grad_query + row0 * head_dim, head_dim);
      gemm(true, false, columns, head_dim, tile.rows, in.scale, grad_scores.data(), kKeyBlock,
           in.query.data() + query_row * head_dim, head_dim, T(1), block_grad_key, head_dim);
    }
  }
}

}  // namespace

template <class T>
void attention_forward(const AttentionInputs<T>& inputs, std::span<T> output,
                       std::span<T> logsumexp) {
  const AttentionShape& shape = inputs.shape;
  const std::int64_t query_blocks = blocks(shape.query_length, kQueryBlock);
  parallel_for(0, shape.batch * query_blocks, 1, [&](std::int64_t first, std::int64_t last) {
    std::vector<T> scores(kQueryBlock * kKeyBlock);
    std::vector<T> accumulator(kQueryBlock * shape.value_dim);
    std::vector<T> row_max(kQueryBlock);
    std::vector<T> row_sum(kQueryBlock);
    for (std::int64_t task = first; task < last; ++task) {
      forward_block(inputs, task / query_blocks, (task % query_blocks) * kQueryBlock, scores,
                    accumulator, row_max, row_sum, output.data(), logsumexp.data());
    }
  });
}

template <class T>
void attention_backward(const AttentionInputs<T>& inputs, std::span<const T> output,
                        std::span<const T> logsumexp, std::span<const T> grad_output,
                        std::span<T> grad_query, std::span<T> grad_key, std::span<T> grad_value) {
  const AttentionShape& shape = inputs.shape;
  const std::int64_t rows = shape.batch * shape.query_length;
  const std::int64_t value_dim = shape.value_dim;
  // rowsum(dO * O): the softmax backward's per-row term, once per row rather than per tile.
  std::vector<T> row_dot(rows);
  parallel_for(0, rows, 256, [&](std::int64_t first, std::int64_t last) {
    for (std::int64_t r = first; r < last; ++r) {
      T dot = 0;
      for (std::int64_t e = 0; e < value_dim; ++e)
        dot += grad_output[r * value_dim + e] * output[r * value_dim + e];
      row_dot[r] = dot;
    }
  });

  // Tasks are (batch entry, group of key blocks); each group adds into a query gradient of
  // its own, summed in group order afterwards, so the result does not depend on threads.
  const std::int64_t key_blocks = blocks(shape.key_length, kKeyBlock);
  const std::int64_t groups = std::clamp<std::int64_t>(
      blocks(kBackwardTasks, std::max<std::int64_t>(shape.batch, 1)), 1, key_blocks);
  const std::int64_t per_group = blocks(key_blocks, groups);
  const std::int64_t query_size = shape.query_length * shape.head_dim;
  std::vector<T> partial_grad_query(groups > 1 ? shape.batch * groups * query_size : 0);
  std::fill(grad_query.begin(), grad_query.end(), T(0));
  parallel_for(0, shape.batch * groups, 1, [&](std::int64_t first, std::int64_t last) {
    for (std::int64_t task = first; task < last; ++task) {
      const std::int64_t batch = task / groups;
      const std::int64_t group = task % groups;
      T* query_gradient = groups > 1 ? partial_grad_query.data() + task * query_size
                                     : grad_query.data() + batch * query_size;
      backward_key_blocks(inputs, batch, group * per_group,
                          std::min(key_blocks, (group + 1) * per_group), logsumexp.data(),
                          row_dot.data(), grad_output.data(), query_gradient, grad_key.data(),
                          grad_value.data());
    }
  });
  if (groups == 1) return;
  const std::int64_t total = shape.batch * query_size;
  parallel_for(0, total, 4096, [&](std::int64_t first, std::int64_t last) {
    for (std::int64_t index = first; index < last; ++index) {
      const std::int64_t batch = index / query_size;
      const T* partial =
          partial_grad_query.data() + batch * groups * query_size + index % query_size;
      T sum = 0;
      for (std::int64_t group = 0; group < groups; ++group) sum += partial[group * query_size];
      grad_query[index] = sum;
    }
  });
}

template void attention_forward<float>(const AttentionInputs<float>&, std::span<float>,
                                       std::span<float>);
template void attention_forward<double>(const AttentionInputs<double>&, std::span<double>,
                                        std::span<double>);
template void attention_backward<float>(const AttentionInputs<float>&, std::span<const float>,
                                        std::span<const float>, std::span<const float>,
                                        std::span<float>, std::span<float>, std::span<float>);
template void attention_backward<double>(const AttentionInputs<double>&, std::span<const double>,
                                         std::span<const double>, std::span<const double>,
                                         std::span<double>, std::span<double>, std::span<double>);

}  // namespace activ::nn::flash
#endif  // HWY_ONCE
