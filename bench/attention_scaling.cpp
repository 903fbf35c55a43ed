// How attention's time and peak memory grow with the sequence length L: one head, batch 1, head
// dim 64, float32, L = 128 ... max. activ's scaled_dot_product_attention (tiled, online
// softmax) next to LibTorch 1.13's composition as torch 1.13's MultiheadAttention computes it
// (q / sqrt(E), bmm, softmax, bmm; torch 1.13 has no fused attention on CPU).
//
// Time: the best of several runs of the forward pass (no graph recorded) and of forward plus
// backward (gradients of sum(output * g) for query, key and value). Peak memory: each case runs
// once in a fresh process (this program, re-executed with --memory), which reports how far its
// peak resident set (VmHWM) rose while making the inputs and running once.
//
// Usage: attention_scaling [--max-length N] [--output FILE.md]    (default 8192, stdout only)
//        attention_scaling --memory activ|libtorch forward|backward L
#ifdef ACTIV_BENCH_WITH_LIBTORCH
#include <ATen/Parallel.h>
#include <torch/torch.h>
#endif
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "activ/autograd.h"
#include "activ/nn/attention.h"
#include "activ/parallel.h"
#include "activ/tensor.h"

namespace {

constexpr std::int64_t kHeadDim = 64;
constexpr double kMinSeconds = 0.3;
constexpr int kMaxRuns = 5;

enum class Pass { kForward, kBackward };

// One run of a library's attention on fresh inputs of length L, made before `run` starts.
using Case = std::function<std::function<void()>(std::int64_t length, Pass pass)>;

std::function<void()> activ_case(std::int64_t length, Pass pass) {
  activ::manual_seed(0);
  const activ::Shape shape{1, 1, length, kHeadDim};
  activ::Tensor query = activ::randn(shape), key = activ::randn(shape), value = activ::randn(shape),
                grad = activ::randn(shape);
  if (pass == Pass::kForward) {
    return [=] {
      activ::NoGradGuard no_grad;
      activ::nn::functional::scaled_dot_product_attention(query, key, value);
    };
  }
  for (activ::Tensor* t : {&query, &key, &value}) t->requires_grad_();
  return [=] {
    for (const activ::Tensor& t : {query, key, value}) t.set_grad({});
    activ::nn::functional::scaled_dot_product_attention(query, key, value).backward(grad);
  };
}

#ifdef ACTIV_BENCH_WITH_LIBTORCH
torch::Tensor torch_attention(const torch::Tensor& query, const torch::Tensor& key,
                              const torch::Tensor& value) {
  const torch::Tensor scaled = query / std::sqrt(static_cast<double>(kHeadDim));
  const torch::Tensor weights = torch::softmax(torch::bmm(scaled, key.transpose(-2, -1)), -1);
  return torch::bmm(weights, value);
}

std::function<void()> libtorch_case(std::int64_t length, Pass pass) {
  torch::manual_seed(0);
  const std::vector<std::int64_t> shape{1, length, kHeadDim};
  torch::Tensor query = torch::randn(shape), key = torch::randn(shape), value = torch::randn(shape),
                grad = torch::randn(shape);
  if (pass == Pass::kForward) {
    return [=] {
      torch::NoGradGuard no_grad;
      torch_attention(query, key, value);
    };
  }
  for (torch::Tensor* t : {&query, &key, &value}) t->requires_grad_();
  return [=] {
    for (const torch::Tensor& t : {query, key, value}) t.mutable_grad() = torch::Tensor();
    torch_attention(query, key, value).backward(grad);
  };
}
#endif

double best_seconds(const std::function<void()>& run) {
  run();  // warm-up: page faults, thread pools
  double best = 1e30, total = 0;
  for (int i = 0; i < kMaxRuns && (i < 2 || total < kMinSeconds); ++i) {
    const auto start = std::chrono::steady_clock::now();
    run();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::min(best, seconds);
    total += seconds;
  }
  return best;
}

std::int64_t status_kib(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(status, line)) {
    if (line.rfind(prefix, 0) == 0) return std::stoll(line.substr(prefix.size()));
  }
  return -1;
}

// In the child: the rise of the peak resident set over the one before the run, in bytes.
int report_memory([[maybe_unused]] const std::string& library, const std::string& pass_name, std::int64_t length) {
  // Every large block straight from mmap (a fixed threshold also stops glibc raising it), so
  // the run's buffers are fresh pages and counted, whatever was freed before.
  mallopt(M_MMAP_THRESHOLD, 64 * 1024);
  const Pass pass = pass_name == "forward" ? Pass::kForward : Pass::kBackward;
  Case make = activ_case;
#ifdef ACTIV_BENCH_WITH_LIBTORCH
  if (library == "libtorch") make = libtorch_case;
#endif
  make(128, pass)();  // loads code and starts thread pools before the measurement
  // Hands freed heap memory back, then resets VmHWM to the current resident set (Linux 4.0+).
  // The inputs are made inside the measurement: activ caches freed buffers, so a run could
  // otherwise reuse pages its inputs' temporaries left behind without counting them.
  malloc_trim(0);
  std::ofstream("/proc/self/clear_refs") << "5";
  const std::int64_t before = status_kib("VmRSS");
  make(length, pass)();
  std::printf("%lld\n", static_cast<long long>((status_kib("VmHWM") - before) * 1024));
  return 0;
}

double peak_mib(const std::string& self, const std::string& library, const char* pass,
                std::int64_t length) {
  const std::string command =
      self + " --memory " + library + " " + pass + " " + std::to_string(length);
  FILE* pipe = popen(command.c_str(), "r");
  long long bytes = -1;
  if (pipe == nullptr || std::fscanf(pipe, "%lld", &bytes) != 1) bytes = -1;
  if (pipe != nullptr) pclose(pipe);
  return static_cast<double>(bytes) / (1 << 20);
}

std::string format(double value, const char* spec) {
  char text[32];
  std::snprintf(text, sizeof text, spec, value);
  return text;
}

std::string cpu_name() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown";
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t max_length = 8192;
  std::string output_path;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--memory" && i + 3 < argc)
      return report_memory(argv[i + 1], argv[i + 2], std::atoll(argv[i + 3]));
    if (arg == "--max-length" && i + 1 < argc) max_length = std::atoll(argv[++i]);
    if (arg == "--output" && i + 1 < argc) output_path = argv[++i];
  }
  char self[4096] = {};
  if (readlink("/proc/self/exe", self, sizeof self - 1) < 0) return 1;
  const int threads = activ::get_num_threads();
#ifdef ACTIV_BENCH_WITH_LIBTORCH
  at::set_num_threads(threads);
  const bool with_libtorch = true;
#else
  const bool with_libtorch = false;
#endif

  std::ostringstream table;
  table << "| L | activ fwd ms | LibTorch fwd ms | activ fwd+bwd ms | LibTorch fwd+bwd ms | "
           "activ fwd MiB | LibTorch fwd MiB | activ fwd+bwd MiB | LibTorch fwd+bwd MiB |\n"
        << "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (std::int64_t length = 128; length <= max_length; length *= 2) {
    std::vector<std::string> cells{std::to_string(length)};
    std::vector<std::string> memory;
    for (const Pass pass : {Pass::kForward, Pass::kBackward}) {
      cells.push_back(format(1e3 * best_seconds(activ_case(length, pass)), "%.2f"));
#ifdef ACTIV_BENCH_WITH_LIBTORCH
      cells.push_back(format(1e3 * best_seconds(libtorch_case(length, pass)), "%.2f"));
#else
      cells.push_back("-");
#endif
      const char* pass_name = pass == Pass::kForward ? "forward" : "backward";
      memory.push_back(format(peak_mib(self, "activ", pass_name, length), "%.1f"));
      memory.push_back(with_libtorch ? format(peak_mib(self, "libtorch", pass_name, length), "%.1f")
                                     : "-");
    }
    cells.insert(cells.end(), memory.begin(), memory.end());
    std::string row = "|";
    for (const std::string& cell : cells) row += " " + cell + " |";
    table << row << "\n";
    std::printf("%s\n", row.c_str());
    std::fflush(stdout);
  }

  if (output_path.empty()) return 0;
  char date[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%d", std::gmtime(&now));
  double load[3] = {};
  getloadavg(load, 3);
  std::ofstream out(output_path);
  out << "<!-- Generated by bench/attention_scaling.cpp (attention_scaling --output ...). -->\n"
      << "# Attention: time and memory against the sequence length\n\n"
      << "- CPU: " << cpu_name() << " (" << threads << " threads for both libraries)\n"
      << "- Date: " << date << "\n"
      << "- Load average before the table was written: " << format(load[0], "%.2f") << " "
      << format(load[1], "%.2f") << " " << format(load[2], "%.2f")
      << " (other processes share the cores)\n"
      << "- Shapes: batch 1, one head, L queries and L keys, head dim 64, float32\n\n"
      << "activ: `nn::functional::scaled_dot_product_attention`, which computes attention in "
         "64 x 64 tiles with an online softmax (FlashAttention-2's scheme, "
         "`src/nn/flash_attention.cpp`): forward keeps a running max and sum per query row and "
         "saves the log-sum-exp; backward recomputes each tile's scores. LibTorch 1.13: "
         "`bmm(softmax(bmm(q / sqrt(64), k^T)), v)`, as torch 1.13's MultiheadAttention computes "
         "it (1.13 has no fused attention on CPU), which materialises the L x L weights.\n\n"
      << "Times are the best of up to " << kMaxRuns
      << " runs; fwd runs without recording a graph, fwd+bwd records it and computes the "
         "gradients of query, key and value. Memory is the rise of the peak resident set while "
         "making the inputs (query, key, value and the output gradient: 4 x L x 64 floats, "
         "1 MiB per 1024 positions) and running once, each case in a fresh process; it "
         "includes outputs, saved tensors and gradients. An L x L float32 matrix takes "
         "64 MiB at L = 4096 and 256 MiB at L = 8192.\n\n"
      << table.str()
      << "\nOn a loaded machine the small LibTorch cases vary by orders of magnitude from run "
         "to run (its OpenMP threads wait for cores other processes hold); the trend from "
         "L = 1024 on is the comparison to read: both libraries' time grows as L^2, activ's "
         "memory as L and LibTorch's as L^2. activ's fwd+bwd memory holds the output, the "
         "three gradients and the backward pass's partial query gradients (up to 8, one per "
         "group of key blocks, so that one head still keeps several threads busy).\n";
  return 0;
}
