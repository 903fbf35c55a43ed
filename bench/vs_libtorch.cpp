// activ next to LibTorch 1.13 on the same float32 buffers: each function is timed in blocks that
// alternate between the two libraries, and the best block of each counts (the least disturbed
// by other load). Two modes:
//   out    into a preallocated output: activ's span kernels threaded as the tensor layer threads
//          them, LibTorch's NAME_out (only where LibTorch has one)
//   alloc  the allocating calls: activ::nn::functional::NAME, at::NAME
//   backward  softmax and log_softmax's backward from their output (allocating):
//          functional::NAME_backward, at::_NAME_backward_data
// Prints a markdown table (elements/s, activ/LibTorch and activ as a percentage of a plain copy of
// the same size and threads; for backward, of an add: 2 inputs, 1 output) and a check of the
// performance targets.
//
// Usage: vs_libtorch [--only=NAME,NAME...] SIZE:THREADS...   (default 65536:1 16777216:2)
// Softmax and log_softmax run over rows of 1024 elements: SIZE / 1024 rows.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "activ/kernels.h"
#include "activ/nn/functional.h"
#include "activ/parallel.h"
#include "activ/tensor.h"
#include "block_timing.h"

namespace {

using activ::Tensor;
namespace kernels = activ::kernels;
namespace F = activ::nn::functional;

constexpr std::int64_t kGrain = 16384;  // the tensor layer's chunk (src/nn/activations.cpp)
constexpr std::int64_t kRowLength = 1024;
constexpr int kRounds = 7;
constexpr double kBlockSeconds = 0.01;
constexpr std::chrono::milliseconds kSettleTime{10};

struct ActivSide {
  kernels::Params params;  // std::monostate: no span kernel (softmax)
  std::function<Tensor(const Tensor&)> alloc;
};

std::map<std::string, ActivSide> activ_functions() {
  std::map<std::string, ActivSide> functions;
#define ACTIV_VS_ENTRY(Name, functional, ...)                                     \
  functions[#functional] = {activ::nn::kernel_params(activ::nn::Name##Options{}), \
                            [](const Tensor& x) { return F::functional(x); }};
  ACTIV_ELEMENTWISE_ACTIVATIONS(ACTIV_VS_ENTRY, ACTIV_IGNORE_OPTION)
#undef ACTIV_VS_ENTRY
  ActivSide gelu_tanh = functions.at("gelu");
  gelu_tanh.params = activ::nn::kernel_params(activ::nn::GELUOptions{.approximate = "tanh"});
  gelu_tanh.alloc = [](const Tensor& x) { return F::gelu(x, {.approximate = "tanh"}); };
  functions["gelu_tanh"] = gelu_tanh;
  functions["softmax"].alloc = [](const Tensor& x) { return F::softmax(x, {.dim = 1}); };
  functions["log_softmax"].alloc = [](const Tensor& x) { return F::log_softmax(x, {.dim = 1}); };
  return functions;
}

struct TorchSide {
  std::string name;
  bool transcendental;  // evaluates exp, log, tanh or erf: the in-cache speed-up target
  std::function<void(const at::Tensor&, at::Tensor&)> out;  // empty: LibTorch has no NAME_out
  std::function<at::Tensor(const at::Tensor&)> alloc;
};

// LibTorch's calls with torch's default options, the same defaults activ's options hold.
std::vector<TorchSide> torch_functions() {
  using T = const at::Tensor&;
  return {
      {"relu", false, [](T x, at::Tensor& y) { at::relu_out(y, x); },
       [](T x) { return at::relu(x); }},
      {"relu6", false, [](T x, at::Tensor& y) { at::hardtanh_out(y, x, 0, 6); },
       [](T x) { return at::hardtanh(x, 0, 6); }},  // torch's relu6 is hardtanh(0, 6)
      {"leaky_relu", false, [](T x, at::Tensor& y) { at::leaky_relu_out(y, x, 0.01); },
       [](T x) { return at::leaky_relu(x, 0.01); }},
      {"hardtanh", false, [](T x, at::Tensor& y) { at::hardtanh_out(y, x, -1, 1); },
       [](T x) { return at::hardtanh(x, -1, 1); }},
      {"threshold", false, [](T x, at::Tensor& y) { at::threshold_out(y, x, 0, 0); },
       [](T x) { return at::threshold(x, 0, 0); }},
      {"hardshrink", false, [](T x, at::Tensor& y) { at::hardshrink_out(y, x, 0.5); },
       [](T x) { return at::hardshrink(x, 0.5); }},
      {"softshrink", false, [](T x, at::Tensor& y) { at::softshrink_out(y, x, 0.5); },
       [](T x) { return at::softshrink(x, 0.5); }},
      {"hardsigmoid", false, [](T x, at::Tensor& y) { at::hardsigmoid_out(y, x); },
       [](T x) { return at::hardsigmoid(x); }},
      {"hardswish", false, [](T x, at::Tensor& y) { at::hardswish_out(y, x); },
       [](T x) { return at::hardswish(x); }},
      {"elu", true, [](T x, at::Tensor& y) { at::elu_out(y, x, 1, 1, 1); },
       [](T x) { return at::elu(x, 1, 1, 1); }},
      {"celu", true, [](T x, at::Tensor& y) { at::celu_out(y, x, 1); },
       [](T x) { return at::celu(x, 1); }},
      {"selu", true, {}, [](T x) { return at::selu(x); }},
      {"sigmoid", true, [](T x, at::Tensor& y) { at::sigmoid_out(y, x); },
       [](T x) { return at::sigmoid(x); }},
      {"logsigmoid", true, [](T x, at::Tensor& y) { at::log_sigmoid_out(y, x); },
       [](T x) { return at::log_sigmoid(x); }},
      {"tanh", true, [](T x, at::Tensor& y) { at::tanh_out(y, x); },
       [](T x) { return at::tanh(x); }},
      // torch.nn.functional's compositions
      {"tanhshrink", true, {}, [](T x) { return x - x.tanh(); }},
      {"softsign", false, {}, [](T x) { return x / (x.abs() + 1); }},
      {"softplus", true, [](T x, at::Tensor& y) { at::softplus_out(y, x, 1, 20); },
       [](T x) { return at::softplus(x, 1, 20); }},
      {"silu", true, [](T x, at::Tensor& y) { at::silu_out(y, x); },
       [](T x) { return at::silu(x); }},
      {"mish", true, [](T x, at::Tensor& y) { at::mish_out(y, x); },
       [](T x) { return at::mish(x); }},
      {"gelu", true, [](T x, at::Tensor& y) { at::gelu_out(y, x, "none"); },
       [](T x) { return at::gelu(x, "none"); }},
      {"gelu_tanh", true, [](T x, at::Tensor& y) { at::gelu_out(y, x, "tanh"); },
       [](T x) { return at::gelu(x, "tanh"); }},
      {"swish", true, [](T x, at::Tensor& y) { at::silu_out(y, x); },
       [](T x) { return at::silu(x); }},  // Swish(beta=1), the default, is SiLU
      {"squared_relu", false, {}, [](T x) { return at::relu(x).square(); }},  // Primer's
      {"softmax", true, {}, [](T x) { return at::softmax(x, 1); }},
      {"log_softmax", true, {}, [](T x) { return at::log_softmax(x, 1); }},
  };
}

// Elements/s of the best of kRounds blocks of each function, the blocks of the functions
// interleaved so slow phases of the machine hit all of them alike.
std::vector<double> best_rates(const std::vector<std::function<void()>>& functions,
                               std::int64_t elements) {
  std::vector<double> best(functions.size(), 0.0);
  for (const auto& f : functions) f();  // warm up: first touch, thread pools
  for (int round = 0; round < kRounds; ++round) {
    for (std::size_t i = 0; i < functions.size(); ++i) {
      // LibTorch's OpenMP workers spin for a while after each call (libgomp's default wait
      // policy), taking a core from whatever runs next: let them go to sleep first.
      std::this_thread::sleep_for(kSettleTime);
      const double rate = activ::bench::calls_per_second(functions[i], kBlockSeconds);
      best[i] = std::max(best[i], rate * static_cast<double>(elements));
    }
  }
  return best;
}

void copy(const float* x, float* y, std::int64_t n) {
  activ::parallel_for(0, n, kGrain, [&](std::int64_t begin, std::int64_t end) {
    std::memcpy(y + begin, x + begin, static_cast<std::size_t>(end - begin) * sizeof(float));
  });
}

// The backward baseline: two inputs, one output.
void add(const float* a, const float* b, float* y, std::int64_t n) {
  activ::parallel_for(0, n, kGrain, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) y[i] = a[i] + b[i];
  });
}

struct Row {
  std::string function, mode;
  std::int64_t size;
  int threads;
  double activ, torch, baseline;  // baseline: the copy, or the add for backward
  bool transcendental;
};

std::string elements(double rate) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g G", rate / 1e9);
  return text;
}

double geomean(const std::vector<double>& values) {
  double log_sum = 0;
  for (double v : values) log_sum += std::log(v);
  return values.empty() ? 0 : std::exp(log_sum / static_cast<double>(values.size()));
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::pair<std::int64_t, int>> configs;
  std::string only;  // comma-separated function names; empty: all
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--only=", 0) == 0) {
      only = "," + arg.substr(7) + ",";
      continue;
    }
    const auto colon = arg.find(':');
    if (colon == std::string::npos) {
      std::fprintf(stderr, "vs_libtorch: expected SIZE:THREADS, got '%s'\n", argv[i]);
      return 2;
    }
    configs.emplace_back(std::stoll(arg.substr(0, colon)), std::stoi(arg.substr(colon + 1)));
  }
  if (configs.empty()) configs = {{65536, 1}, {16777216, 2}};

  const auto activ_side = activ_functions();
  const auto torch_side = torch_functions();
  std::vector<Row> rows;
  for (const auto& [n, threads] : configs) {
    activ::set_num_threads(threads);
    at::set_num_threads(threads);
    // Values in [-6, 6): both sides of every kink and the saturating tails.
    activ::manual_seed(0);
    Tensor x = activ::sub(activ::mul(activ::rand({n / kRowLength, kRowLength}), 12.0), 6.0);
    Tensor y = activ::empty({n / kRowLength, kRowLength});
    const std::int64_t count = x.numel();
    float* x_data = x.data_ptr<float>();
    float* y_data = y.data_ptr<float>();
    const at::Tensor x_flat = at::from_blob(x_data, {count}, at::kFloat);
    at::Tensor y_flat = at::from_blob(y_data, {count}, at::kFloat);
    const at::Tensor x_rows = at::from_blob(x_data, {count / kRowLength, kRowLength}, at::kFloat);
    const Tensor x_activ_flat = x.reshape({count});

    Tensor g = activ::sub(activ::rand({n / kRowLength, kRowLength}), 0.5);
    const at::Tensor g_rows =
        at::from_blob(g.data_ptr<float>(), {count / kRowLength, kRowLength}, at::kFloat);
    // The baselines run in the same alternating blocks as each comparison: a shared machine's
    // memory bandwidth drifts between one comparison and the next.
    Tensor baseline_out = activ::empty({count});
    const auto copy_baseline = [&] { copy(x_data, baseline_out.data_ptr<float>(), count); };
    const auto add_baseline = [&] {
      add(x_data, g.data_ptr<float>(), baseline_out.data_ptr<float>(), count);
    };
    for (const TorchSide& torch : torch_side) {
      if (!only.empty() && only.find("," + torch.name + ",") == std::string::npos) continue;
      const ActivSide& activ_fn = activ_side.at(torch.name);
      const bool dim_op = std::holds_alternative<std::monostate>(activ_fn.params);
      const Tensor& activ_input = dim_op ? x : x_activ_flat;
      const at::Tensor& torch_input = dim_op ? x_rows : x_flat;
      if (!dim_op && torch.out) {
        const auto rates = best_rates(
            {[&] {
               activ::parallel_for(0, count, kGrain, [&](std::int64_t begin, std::int64_t end) {
                 const auto length = static_cast<std::size_t>(end - begin);
                 kernels::forward(activ_fn.params, std::span<const float>(x_data + begin, length),
                                  std::span<float>(y_data + begin, length));
               });
             },
             [&] { torch.out(x_flat, y_flat); }, copy_baseline},
            count);
        rows.push_back({torch.name, "out", count, threads, rates[0], rates[1], rates[2],
                        torch.transcendental});
      }
      const auto rates = best_rates({[&] { (void)activ_fn.alloc(activ_input); },
                                     [&] { (void)torch.alloc(torch_input); }, copy_baseline},
                                    count);
      rows.push_back({dim_op ? torch.name + " (rows of 1024)" : torch.name, "alloc", count, threads,
                      rates[0], rates[1], rates[2], torch.transcendental});
      if (dim_op) {
        const bool log = torch.name == "log_softmax";
        const Tensor y_activ = activ_fn.alloc(x);
        const at::Tensor y_torch = torch.alloc(x_rows);
        const auto backward_rates = best_rates(
            {[&] {
               (void)(log ? F::log_softmax_backward(g, y_activ, 1)
                          : F::softmax_backward(g, y_activ, 1));
             },
             [&] {
               (void)(log ? at::_log_softmax_backward_data(g_rows, y_torch, 1, at::kFloat)
                          : at::_softmax_backward_data(g_rows, y_torch, 1, at::kFloat));
             },
             add_baseline},
            count);
        rows.push_back({torch.name + " (rows of 1024)", "backward", count, threads,
                        backward_rates[0], backward_rates[1], backward_rates[2],
                        torch.transcendental});
      }
    }
  }

  std::printf(
      "| function | mode | size | threads | activ elem/s | LibTorch elem/s | "
      "activ/LibTorch | activ %% of copy |\n");
  std::printf("|---|---|---:|---:|---:|---:|---:|---:|\n");
  for (const Row& row : rows) {
    std::printf("| %s | %s | %lld | %d | %s | %s | %.2fx | %.0f%% |\n", row.function.c_str(),
                row.mode.c_str(), static_cast<long long>(row.size), row.threads,
                elements(row.activ).c_str(), elements(row.torch).c_str(), row.activ / row.torch,
                100 * row.activ / row.baseline);
  }

  // The targets of the performance issue, per configuration (over every function: not for --only).
  if (!only.empty()) return 0;
  std::printf("\n");
  for (const auto& [n, threads] : configs) {
    std::vector<double> transcendental_ratios;
    std::map<std::string, double> out_rates;
    double worst_alloc_vs_out = 1e30;
    std::string worst_alloc_vs_out_name;
    for (const Row& row : rows) {
      if (row.size == n && row.threads == threads && row.mode == "out")
        out_rates[row.function] = row.activ;
    }
    for (const Row& row : rows) {
      if (row.size != n || row.threads != threads || row.mode != "alloc") continue;
      const auto out = out_rates.find(row.function);
      if (out == out_rates.end()) continue;
      const double fraction = row.activ / out->second;
      if (fraction < worst_alloc_vs_out)
        worst_alloc_vs_out = fraction, worst_alloc_vs_out_name = row.function;
    }
    double worst_ratio = 1e30, worst_copy = 1e30, worst_softmax_copy = 1e30,
           worst_softmax_ratio = 1e30;
    std::string worst_ratio_name, worst_copy_name;
    for (const Row& row : rows) {
      if (row.size != n || row.threads != threads) continue;
      const double ratio = row.activ / row.torch, pct = 100 * row.activ / row.baseline;
      if (row.function.rfind("softmax", 0) == 0 || row.function.rfind("log_softmax", 0) == 0) {
        worst_softmax_copy = std::min(worst_softmax_copy, pct);
        worst_softmax_ratio = std::min(worst_softmax_ratio, ratio);
        continue;
      }
      if (row.transcendental && row.mode == "alloc") {
        transcendental_ratios.push_back(ratio);
        if (ratio < worst_ratio) worst_ratio = ratio, worst_ratio_name = row.function;
      }
      if (row.mode == "out" && pct < worst_copy) worst_copy = pct, worst_copy_name = row.function;
    }
    std::printf(
        "- size %lld, %d thread(s): transcendental activ/LibTorch (alloc) geomean %.2fx, "
        "lowest %.2fx (%s); elementwise out-mode lowest %% of copy %.0f%% (%s); "
        "softmax/log_softmax lowest %% of copy %.0f%%, lowest activ/LibTorch %.2fx; activ's "
        "allocating calls lowest %.0f%% of its preallocated ones (%s)\n",
        static_cast<long long>(n), threads, geomean(transcendental_ratios), worst_ratio,
        worst_ratio_name.c_str(), worst_copy, worst_copy_name.c_str(), worst_softmax_copy,
        worst_softmax_ratio, 100 * worst_alloc_vs_out, worst_alloc_vs_out_name.c_str());
  }
  return 0;
}
