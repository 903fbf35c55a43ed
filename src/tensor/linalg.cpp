// Matrix products on OpenBLAS: mm, bmm and torch.matmul's broadcasting rules.
#include "tensor/linalg.h"

#include <cblas.h>
#include <hwy/targets.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <string_view>

#include "activ/autograd.h"
#include "activ/parallel.h"
#include "activ/tensor.h"

// OpenBLAS's CPU detection, reached through weak references: the first is in every OpenBLAS, the
// other two only in builds for several CPUs (DYNAMIC_ARCH, as Debian's).
extern "C" {
char* openblas_get_corename(void) __attribute__((weak));
void gotoblas_dynamic_init(void) __attribute__((weak));
void gotoblas_dynamic_quit(void) __attribute__((weak));
}

namespace activ {
namespace {

// OpenBLAS 0.3.21 (Debian 12) gives CPUs newer than itself, such as the 5th-generation Xeon
// (Emerald Rapids), its SSE3 kernels ("Prescott"): the seeds' perceptron ran there in 290-530 ms
// against 113 on the AVX-512 kernels. On such a CPU with AVX2 or AVX-512, and unless the user
// chose a core, this selects the matching kernels through OpenBLAS's own OPENBLAS_CORETYPE.
void select_openblas_kernels_for_unknown_cpu() {
#if HWY_ARCH_X86
  if (!openblas_get_corename || !gotoblas_dynamic_init || !gotoblas_dynamic_quit) return;
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return;
  if (std::string_view(openblas_get_corename()) != "Prescott") return;
  const std::int64_t targets = hwy::SupportedTargets();
  const char* core = (targets & HWY_AVX3) ? "SkylakeX" : (targets & HWY_AVX2) ? "Haswell" : nullptr;
  if (core == nullptr) return;
  setenv("OPENBLAS_CORETYPE", core, 0);
  gotoblas_dynamic_quit();
  gotoblas_dynamic_init();
  unsetenv("OPENBLAS_CORETYPE");
#endif
}

// Runs as the library loads: after OpenBLAS has initialised, before any product.
[[maybe_unused]] const bool openblas_kernels_selected =
    (select_openblas_kernels_for_unknown_cpu(), true);

void check_operands(const Tensor& a, const Tensor& b, const char* op) {
  if (!a.defined() || !b.defined())
    throw ValueError(std::string(op) + ": an argument is an undefined tensor");
  if (a.dtype() != b.dtype()) {
    throw TypeError(std::string(op) + ": expected both tensors to have the same dtype, got " +
                    std::string(name(a.dtype())) + " and " + std::string(name(b.dtype())));
  }
  if (a.dtype() == Dtype::Bool)
    throw TypeError(std::string(op) + ": not implemented for bool tensors");
}

// A matrix as BLAS takes it: row-major with leading dimension ld, possibly transposed.
struct BlasMatrix {
  Tensor storage_owner;
  bool transposed = false;
  std::int64_t ld = 1;
};

BlasMatrix as_blas(const Tensor& m) {
  const std::int64_t rows = m.sizes()[0], cols = m.sizes()[1];
  const std::int64_t s0 = m.strides()[0], s1 = m.strides()[1];
  if ((s1 == 1 || cols == 1) && s0 >= std::max<std::int64_t>(cols, 1)) return {m, false, s0};
  if ((s0 == 1 || rows == 1) && s1 >= std::max<std::int64_t>(rows, 1)) return {m, true, s1};
  Tensor dense = m.contiguous();
  return {dense, false, std::max<std::int64_t>(cols, 1)};
}

}  // namespace

std::string blas_kernels() {
  return openblas_get_corename ? std::string(openblas_get_corename()) : std::string("unknown");
}

void detail::gemm(const Tensor& a, const Tensor& b, Tensor& out, bool accumulate) {
  const std::int64_t n = a.sizes()[0], k = a.sizes()[1], p = b.sizes()[1];
  if (n == 0 || p == 0) return;
  if (k == 0) {
    if (!accumulate) out.zero_();
    return;
  }
  const BlasMatrix A = as_blas(a), B = as_blas(b);
  const auto ta = A.transposed ? CblasTrans : CblasNoTrans;
  const auto tb = B.transposed ? CblasTrans : CblasNoTrans;
  const int N = static_cast<int>(n), K = static_cast<int>(k), P = static_cast<int>(p);
  const int lda = static_cast<int>(A.ld), ldb = static_cast<int>(B.ld), ldc = std::max(P, 1);
  switch (a.dtype()) {
    case Dtype::Float32:
      cblas_sgemm(CblasRowMajor, ta, tb, N, P, K, 1.0f, A.storage_owner.data_ptr<float>(), lda,
                  B.storage_owner.data_ptr<float>(), ldb, accumulate ? 1.0f : 0.0f,
                  out.data_ptr<float>(), ldc);
      break;
    case Dtype::Float64:
      cblas_dgemm(CblasRowMajor, ta, tb, N, P, K, 1.0, A.storage_owner.data_ptr<double>(), lda,
                  B.storage_owner.data_ptr<double>(), ldb, accumulate ? 1.0 : 0.0,
                  out.data_ptr<double>(), ldc);
      break;
    default: {  // int64: no BLAS; a plain loop, parallel over rows
      std::int64_t* o = out.data_ptr<std::int64_t>();
      const std::int64_t* pa = a.data_ptr<std::int64_t>();
      const std::int64_t* pb = b.data_ptr<std::int64_t>();
      const std::int64_t sa0 = a.strides()[0], sa1 = a.strides()[1], sb0 = b.strides()[0],
                         sb1 = b.strides()[1];
      parallel_for(0, n, std::max<std::int64_t>(1, 4096 / std::max<std::int64_t>(k * p, 1)),
                   [&](std::int64_t lo, std::int64_t hi) {
                     for (std::int64_t i = lo; i < hi; ++i) {
                       for (std::int64_t j = 0; j < p; ++j) {
                         std::uint64_t s =
                             accumulate ? static_cast<std::uint64_t>(o[i * p + j]) : 0;
                         for (std::int64_t t = 0; t < k; ++t) {
                           s += static_cast<std::uint64_t>(pa[i * sa0 + t * sa1]) *
                                static_cast<std::uint64_t>(pb[t * sb0 + j * sb1]);
                         }
                         o[i * p + j] = static_cast<std::int64_t>(s);
                       }
                     }
                   });
    }
  }
}

namespace {
std::string mat_str(const Tensor& m) {
  return std::to_string(m.sizes()[0]) + "x" + std::to_string(m.sizes()[1]);
}

}  // namespace

namespace {
Tensor mm_values(const Tensor& a, const Tensor& b) {
  check_operands(a, b, "mm");
  if (a.dim() != 2 || b.dim() != 2) {
    throw ShapeError("mm: expected 2-D tensors, got " + std::to_string(a.dim()) + "-D and " +
                     std::to_string(b.dim()) + "-D");
  }
  if (a.sizes()[1] != b.sizes()[0]) {
    throw ShapeError("mm: mat1 and mat2 shapes cannot be multiplied (" + mat_str(a) + " and " +
                     mat_str(b) + ")");
  }
  Tensor out = empty({a.sizes()[0], b.sizes()[1]}, a.dtype());
  detail::gemm(a, b, out);
  return out;
}
}  // namespace

Tensor mm(const Tensor& a, const Tensor& b) {
  return autograd::differentiable(
      "MmBackward0", {a, b}, [&] { return mm_values(a, b); },
      [sa = autograd::SavedTensor(a),
       sb = autograd::SavedTensor(b)](const Tensor& g) -> std::vector<Tensor> {
        const Tensor x = sa.unpack(), y = sb.unpack();
        return {x.requires_grad() ? mm(g, y.t()) : Tensor(),
                y.requires_grad() ? mm(x.t(), g) : Tensor()};
      });
}

namespace {
Tensor bmm_values(const Tensor& a, const Tensor& b) {
  check_operands(a, b, "bmm");
  if (a.dim() != 3 || b.dim() != 3) {
    throw ShapeError("bmm: expected 3-D tensors, got " + std::to_string(a.dim()) + "-D and " +
                     std::to_string(b.dim()) + "-D");
  }
  if (a.sizes()[0] != b.sizes()[0] || a.sizes()[2] != b.sizes()[1]) {
    throw ShapeError(
        "bmm: batch1 " + shape_str(a.sizes()) + " and batch2 " + shape_str(b.sizes()) +
        " cannot be multiplied: expected equal batch sizes and batch1.size(2) == batch2.size(1)");
  }
  const std::int64_t batch = a.sizes()[0];
  Tensor out = empty({batch, a.sizes()[1], b.sizes()[2]}, a.dtype());
  for (std::int64_t i = 0; i < batch; ++i) {
    Tensor slot = out.select(0, i);
    detail::gemm(a.select(0, i), b.select(0, i), slot);
  }
  return out;
}
}  // namespace

Tensor bmm(const Tensor& a, const Tensor& b) {
  return autograd::differentiable(
      "BmmBackward0", {a, b}, [&] { return bmm_values(a, b); },
      [sa = autograd::SavedTensor(a),
       sb = autograd::SavedTensor(b)](const Tensor& g) -> std::vector<Tensor> {
        const Tensor x = sa.unpack(), y = sb.unpack();
        return {x.requires_grad() ? bmm(g, y.transpose(1, 2)) : Tensor(),
                y.requires_grad() ? bmm(x.transpose(1, 2), g) : Tensor()};
      });
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  check_operands(a, b, "matmul");
  if (a.dim() == 0 || b.dim() == 0) {
    throw ShapeError("matmul: both arguments need to be at least 1D, but they are " +
                     std::to_string(a.dim()) + "D and " + std::to_string(b.dim()) + "D");
  }
  if (a.dim() == 1 && b.dim() == 1) {
    if (a.sizes()[0] != b.sizes()[0]) {
      throw ShapeError("matmul: inconsistent tensor size, expected tensor [" +
                       std::to_string(a.sizes()[0]) + "] and src [" + std::to_string(b.sizes()[0]) +
                       "] to have the same number of elements, but got " +
                       std::to_string(a.sizes()[0]) + " and " + std::to_string(b.sizes()[0]) +
                       " elements respectively");
    }
    return mm(a.unsqueeze(0), b.unsqueeze(1)).reshape({});
  }
  if (a.dim() <= 2 && b.dim() <= 2) {
    const Tensor a2 = a.dim() == 1 ? a.unsqueeze(0) : a;
    const Tensor b2 = b.dim() == 1 ? b.unsqueeze(1) : b;
    if (a2.sizes()[1] != b2.sizes()[0]) {
      throw ShapeError("matmul: shapes " + shape_str(a.sizes()) + " and " + shape_str(b.sizes()) +
                       " cannot be multiplied (" + mat_str(a2) + " and " + mat_str(b2) + ")");
    }
    Tensor out = mm(a2, b2);
    if (a.dim() == 1) out = out.squeeze(0);
    if (b.dim() == 1) out = out.squeeze(-1);
    return out;
  }
  // Batched: broadcast the leading dims, multiply the trailing matrices.
  const Tensor a3 = a.dim() == 1 ? a.unsqueeze(0) : a;
  const Tensor b3 = b.dim() == 1 ? b.unsqueeze(1) : b;
  const std::int64_t n = a3.sizes()[a3.dim() - 2], k = a3.sizes()[a3.dim() - 1];
  const std::int64_t k2 = b3.sizes()[b3.dim() - 2], p = b3.sizes()[b3.dim() - 1];
  if (k != k2) {
    throw ShapeError("matmul: shapes " + shape_str(a.sizes()) + " and " + shape_str(b.sizes()) +
                     " cannot be multiplied (" + std::to_string(n) + "x" + std::to_string(k) +
                     " and " + std::to_string(k2) + "x" + std::to_string(p) + ")");
  }
  const Shape batch_a(a3.sizes().begin(), a3.sizes().end() - 2);
  const Shape batch_b(b3.sizes().begin(), b3.sizes().end() - 2);
  const Shape batch = broadcast_shapes(batch_a, batch_b, "matmul");
  std::int64_t batch_count = 1;
  for (auto s : batch) batch_count *= s;
  Shape a_full = batch, b_full = batch;
  a_full.insert(a_full.end(), {n, k});
  b_full.insert(b_full.end(), {k, p});
  const Tensor a_batched = a3.expand(a_full).reshape({batch_count, n, k});
  const Tensor b_batched = b3.expand(b_full).reshape({batch_count, k, p});
  Shape out_shape = batch;
  if (a.dim() > 1) out_shape.push_back(n);
  if (b.dim() > 1) out_shape.push_back(p);
  return bmm(a_batched, b_batched).view(out_shape);
}

Tensor Tensor::matmul(const Tensor& other) const {
  return activ::matmul(*this, other);
}

}  // namespace activ
