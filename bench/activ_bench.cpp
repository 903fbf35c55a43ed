// Throughput of every elementwise activation (forward and backward, float32 and float64) and of
// softmax/log_softmax over rows, next to two memory baselines measured in the same run: a copy
// (memcpy: 1 in, 1 out) and an add (a plain loop: 2 in, 1 out), both threaded like the tensor
// layer.
//
// Benchmark names: <what>/<path>/<function>/<dtype>/<size>/threads:<n>, where path is
//   span        the span kernel into a preallocated output, on the calling thread
//   functional  activ::nn::functional (allocates its output, threaded by the tensor layer)
// Counters: items_per_second (elements/s) and pct_of_copy, the rate as a percentage of the
// baseline that moves the same bytes at the same size and thread count, timed in blocks that
// alternate with the benchmark's own: the copy for forward, softmax and log_softmax, the add for
// backward (it reads grad_output and input).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "activ/kernels.h"
#include "activ/nn/functional.h"
#include "activ/parallel.h"
#include "activ/tensor.h"
#include "block_timing.h"

namespace {

using activ::Dtype;
using activ::Tensor;
namespace kernels = activ::kernels;
namespace F = activ::nn::functional;

constexpr std::int64_t kSizes[] = {4096, 65536, std::int64_t{1} << 20, std::int64_t{1} << 24};
// The tensor layer's chunk size (src/nn/activations.cpp), so threaded baselines split alike.
constexpr std::int64_t kGrain = 16384;
constexpr std::int64_t kRowLength = 1024;
constexpr std::int64_t kRowCounts[] = {64, 4096};  // 64 rows: the small case the ctest runs

struct ActivationEntry {
  const char* name;
  kernels::Params params;  // the default options' (kernels::Params names the activation)
  Tensor (*forward)(const Tensor&);
  Tensor (*backward)(const Tensor&, const Tensor&);
};

#define ACTIV_BENCH_ENTRY(Name, functional, ...)                         \
  ActivationEntry{                                                       \
      #functional, activ::nn::kernel_params(activ::nn::Name##Options{}), \
      [](const Tensor& x) { return F::functional(x); },                  \
      [](const Tensor& g, const Tensor& x) { return F::functional##_backward(g, x); }},
const std::vector<ActivationEntry> kActivations = {
    ACTIV_ELEMENTWISE_ACTIVATIONS(ACTIV_BENCH_ENTRY, ACTIV_IGNORE_OPTION)};
#undef ACTIV_BENCH_ENTRY

// Deterministic values in [-6, 6): both sides of every kink and the saturating tails.
Tensor filled(const activ::Shape& shape, Dtype dtype, std::uint64_t seed) {
  Tensor t = activ::empty(shape, dtype);
  const std::int64_t n = t.numel();
  auto fill = [&](auto* data) {
    std::uint64_t state = seed * 0x9E3779B97F4A7C15ULL + 1;
    for (std::int64_t i = 0; i < n; ++i) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      const double unit = static_cast<double>(state >> 11) * 0x1.0p-53;
      data[i] = static_cast<std::remove_pointer_t<decltype(data)>>(12 * unit - 6);
    }
  };
  if (dtype == activ::float32)
    fill(t.data_ptr<float>());
  else
    fill(t.data_ptr<double>());
  return t;
}

// Inputs shared by every benchmark of one dtype and shape: filling 16M elements takes longer
// than measuring most kernels on them.
const Tensor& shared_input(const activ::Shape& shape, Dtype dtype, std::uint64_t seed) {
  static std::map<std::tuple<activ::Shape, Dtype, std::uint64_t>, Tensor> cache;
  auto [it, inserted] = cache.try_emplace({shape, dtype, seed});
  if (inserted) it->second = filled(shape, dtype, seed);
  return it->second;
}

const char* dtype_name(Dtype dtype) {
  return dtype == activ::float32 ? "f32" : "f64";
}

enum class Baseline { kCopy, kAdd };

template <class T>
void run_baseline(Baseline kind, const T* a, const T* b, T* out, std::int64_t n) {
  activ::parallel_for(0, n, kGrain, [&](std::int64_t begin, std::int64_t end) {
    if (kind == Baseline::kCopy) {
      std::memcpy(out + begin, a + begin, static_cast<std::size_t>(end - begin) * sizeof(T));
    } else {
      for (std::int64_t i = begin; i < end; ++i) out[i] = a[i] + b[i];
    }
  });
}

void run_baseline(Baseline kind, const Tensor& a, const Tensor& b, Tensor& out) {
  if (a.dtype() == activ::float32)
    run_baseline(kind, a.data_ptr<float>(), b.data_ptr<float>(), out.data_ptr<float>(), a.numel());
  else
    run_baseline(kind, a.data_ptr<double>(), b.data_ptr<double>(), out.data_ptr<double>(),
                 a.numel());
}

// Runs body once per benchmark iteration and returns the wall time of the whole loop, after
// one untimed call: page faults and first-call setup would otherwise dominate a short run.
template <class Body>
double timed_loop(benchmark::State& state, Body body) {
  body();
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    body();
    benchmark::ClobberMemory();
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// body's rate as a percentage of the baseline's on n elements of the same dtype and threads,
// both timed in alternating blocks, best of kRounds each: a shared machine's memory bandwidth
// drifts by tens of percent within a run, and alternating blocks see the same drift.
template <class Body>
double percentage_of_baseline(Body body, Baseline kind, Dtype dtype, std::int64_t n, double block) {
  constexpr int kRounds = 5;
  const Tensor& a = shared_input({n}, dtype, 1);
  const Tensor& b = shared_input({n}, dtype, 2);
  Tensor out = activ::empty({n}, dtype);
  auto baseline = [&] { run_baseline(kind, a, b, out); };
  baseline();  // first touch of out
  double best_body = 0, best_baseline = 0;
  for (int round = 0; round < kRounds; ++round) {
    best_body = std::max(best_body, activ::bench::calls_per_second(body, block));
    best_baseline = std::max(best_baseline, activ::bench::calls_per_second(baseline, block));
  }
  return 100.0 * best_body / best_baseline;
}

// Times body on n elements (items_per_second: Google Benchmark's loop) and reports its rate
// against the baseline that moves the same bytes (pct_of_copy), in blocks of a tenth of the
// loop's time, 0.1 to 20 ms.
template <class Body>
void measure(benchmark::State& state, std::int64_t n, Baseline baseline, Dtype dtype, Body body) {
  const double seconds = timed_loop(state, body);
  state.SetItemsProcessed(state.iterations() * n);
  if (state.iterations() == 0 || seconds <= 0) return;
  const double block = std::clamp(seconds / 10, 1e-4, 0.02);
  state.counters["pct_of_copy"] = percentage_of_baseline(body, baseline, dtype, n, block);
}

void baseline_benchmark(benchmark::State& state, Baseline kind, Dtype dtype, std::int64_t n,
                        int threads) {
  activ::set_num_threads(threads);
  const Tensor& a = shared_input({n}, dtype, 1);
  const Tensor& b = shared_input({n}, dtype, 2);
  Tensor out = activ::empty({n}, dtype);
  measure(state, n, Baseline::kCopy, dtype, [&] { run_baseline(kind, a, b, out); });
}

template <class T>
void span_forward(const ActivationEntry& entry, const Tensor& x, Tensor& y) {
  const auto n = static_cast<std::size_t>(x.numel());
  kernels::forward(entry.params, std::span<const T>(x.data_ptr<T>(), n),
                   std::span<T>(y.data_ptr<T>(), n));
}

template <class T>
void span_backward(const ActivationEntry& entry, const Tensor& g, const Tensor& x, Tensor& y) {
  const auto n = static_cast<std::size_t>(x.numel());
  kernels::backward(entry.params, std::span<const T>(g.data_ptr<T>(), n),
                    std::span<const T>(x.data_ptr<T>(), n), std::span<T>(y.data_ptr<T>(), n));
}

void forward_span_benchmark(benchmark::State& state, const ActivationEntry& entry, Dtype dtype,
                            std::int64_t n) {
  activ::set_num_threads(1);
  const Tensor& x = shared_input({n}, dtype, 1);
  Tensor y = activ::empty({n}, dtype);
  measure(state, n, Baseline::kCopy, dtype, [&] {
    if (dtype == activ::float32)
      span_forward<float>(entry, x, y);
    else
      span_forward<double>(entry, x, y);
  });
}

void backward_span_benchmark(benchmark::State& state, const ActivationEntry& entry, Dtype dtype,
                             std::int64_t n) {
  activ::set_num_threads(1);
  const Tensor& x = shared_input({n}, dtype, 1);
  const Tensor& g = shared_input({n}, dtype, 2);
  Tensor y = activ::empty({n}, dtype);
  measure(state, n, Baseline::kAdd, dtype, [&] {
    if (dtype == activ::float32)
      span_backward<float>(entry, g, x, y);
    else
      span_backward<double>(entry, g, x, y);
  });
}

void forward_functional_benchmark(benchmark::State& state, const ActivationEntry& entry,
                                  Dtype dtype, std::int64_t n, int threads) {
  activ::set_num_threads(threads);
  const Tensor& x = shared_input({n}, dtype, 1);
  measure(state, n, Baseline::kCopy, dtype, [&] { benchmark::DoNotOptimize(entry.forward(x)); });
}

void backward_functional_benchmark(benchmark::State& state, const ActivationEntry& entry,
                                   Dtype dtype, std::int64_t n, int threads) {
  activ::set_num_threads(threads);
  const Tensor& x = shared_input({n}, dtype, 1);
  const Tensor& g = shared_input({n}, dtype, 2);
  measure(state, n, Baseline::kAdd, dtype, [&] { benchmark::DoNotOptimize(entry.backward(g, x)); });
}

void softmax_benchmark(benchmark::State& state, bool log, Dtype dtype, std::int64_t rows,
                       int threads) {
  activ::set_num_threads(threads);
  const Tensor& x = shared_input({rows, kRowLength}, dtype, 1);
  measure(state, rows * kRowLength, Baseline::kCopy, dtype, [&] {
    benchmark::DoNotOptimize(log ? F::log_softmax(x, {.dim = 1}) : F::softmax(x, {.dim = 1}));
  });
}

template <class... Args>
void add(const std::string& name, Args&&... args) {
  // Wall time: the threaded paths work on more than the calling thread.
  benchmark::RegisterBenchmark(name.c_str(), std::forward<Args>(args)...)->UseRealTime();
}

void register_benchmarks() {
  constexpr Dtype kDtypes[] = {activ::float32, activ::float64};
  constexpr int kThreads[] = {1, 2};
  for (Dtype dtype : kDtypes) {
    for (std::int64_t n : kSizes) {
      const std::string tail = std::string("/") + dtype_name(dtype) + "/" + std::to_string(n);
      for (int threads : kThreads) {
        const std::string suffix = tail + "/threads:" + std::to_string(threads);
        add("baseline/copy" + suffix, baseline_benchmark, Baseline::kCopy, dtype, n, threads);
        add("baseline/add" + suffix, baseline_benchmark, Baseline::kAdd, dtype, n, threads);
      }
      for (const ActivationEntry& entry : kActivations) {
        const std::string name = std::string("/") + entry.name + tail;
        add("forward/span" + name + "/threads:1", forward_span_benchmark, entry, dtype, n);
        for (int threads : kThreads) {
          add("forward/functional" + name + "/threads:" + std::to_string(threads),
              forward_functional_benchmark, entry, dtype, n, threads);
        }
        add("backward/span" + name + "/threads:1", backward_span_benchmark, entry, dtype, n);
        for (int threads : kThreads) {
          add("backward/functional" + name + "/threads:" + std::to_string(threads),
              backward_functional_benchmark, entry, dtype, n, threads);
        }
      }
    }
    for (std::int64_t rows : kRowCounts) {
      for (bool log : {false, true}) {
        for (int threads : kThreads) {
          const std::string name = std::string(log ? "log_softmax" : "softmax") + "/functional/" +
                                   dtype_name(dtype) + "/" + std::to_string(rows) + "x" +
                                   std::to_string(kRowLength) +
                                   "/threads:" + std::to_string(threads);
          add(name, softmax_benchmark, log, dtype, rows, threads);
        }
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  register_benchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
