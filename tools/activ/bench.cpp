// activ bench [NAMES...] [--size N] [--threads T] [--dtype D]: forward and backward throughput
// of activations in elements/s, and as a fraction of the memory baselines measured in the same
// run on the same size and threads, as bench/activ_bench.cpp does: a copy (1 in, 1 out) for
// forward, an add (2 in, 1 out) for backward, which reads grad_output and input.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "activ/parallel.h"
#include "activ/tensor.h"
#include "catalogue_lookup.h"
#include "commands.h"

namespace activ::cli {
namespace {

struct BenchOptions {
  std::vector<std::string> names;
  std::int64_t size = std::int64_t{1} << 20;
  int threads = 0;  // 0: the library's default
  std::string dtype = "float32";
};

// The tensor layer's chunk size, so that the threaded baselines split as the activations do.
constexpr std::int64_t kGrain = 16384;
// Functions of a vector work on rows of this length.
constexpr std::int64_t kRowLength = 16;

// The fastest of as many runs as fit in about 0.2 s (at least three), in seconds.
template <class Work>
double best_seconds(Work work) {
  using Clock = std::chrono::steady_clock;
  double best = std::numeric_limits<double>::infinity();
  const auto start = Clock::now();
  for (int run = 0; run < 3 || Clock::now() - start < std::chrono::milliseconds(200); ++run) {
    const auto begin = Clock::now();
    work();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - begin).count());
  }
  return best;
}

// Elements/s of the copy (sources = 1) or the add (sources = 2) of two tensors like `like`.
template <class T>
double baseline_rate(const Tensor& like, int sources) {
  const Tensor a = rand_like(like), b = rand_like(like);
  Tensor out = empty_like(like);
  const T* x = a.data_ptr<T>();
  const T* y = b.data_ptr<T>();
  T* z = out.data_ptr<T>();
  const double seconds = best_seconds([&] {
    parallel_for(0, like.numel(), kGrain, [&](std::int64_t begin, std::int64_t end) {
      if (sources == 1) {
        std::memcpy(z + begin, x + begin, static_cast<std::size_t>(end - begin) * sizeof(T));
      } else {
        for (std::int64_t i = begin; i < end; ++i) z[i] = x[i] + y[i];
      }
    });
  });
  return static_cast<double>(like.numel()) / seconds;
}

double baseline_rate(const Tensor& like, int sources) {
  return like.dtype() == float32 ? baseline_rate<float>(like, sources)
                                 : baseline_rate<double>(like, sources);
}

// Values in [-6, 6): both sides of every kink and the saturating tails.
Tensor bench_input(const nn::ActivationInfo& info, std::int64_t size, Dtype dtype) {
  Shape shape{size};
  if (info.kind == nn::ActivationKind::kDim) {
    shape = {std::max<std::int64_t>(1, size / kRowLength), kRowLength};
    if (info.functional_name == "softmax2d") shape.push_back(1);  // it wants (C, H, W)
  }
  manual_seed(0);
  return rand(shape, dtype) * 12 - 6;
}

void run_bench(const BenchOptions& options) {
  std::vector<ActivationChoice> choices;
  if (options.names.empty()) {
    for (const nn::ActivationInfo* info : all_activations())
      choices.push_back({info, {}, info->repr({})});
  }
  for (const std::string& name : options.names)
    choices.push_back(parse_activation_call("bench", name));
  if (options.threads > 0) set_num_threads(options.threads);
  const Dtype dtype = options.dtype == "float64" ? float64 : float32;

  const Tensor like = empty({options.size}, dtype);
  const double copy_rate = baseline_rate(like, 1), add_rate = baseline_rate(like, 2);
  std::printf("%s, %lld elements, %d threads; copy %.3g elements/s, add %.3g elements/s\n",
              options.dtype.c_str(), static_cast<long long>(options.size), get_num_threads(),
              copy_rate, add_rate);
  int width = 8;
  for (const ActivationChoice& choice : choices)
    width = std::max(width, static_cast<int>(choice.repr.size()));
  std::printf("%-*s %12s %8s %12s %8s\n", width, "function", "forward/s", "of copy", "backward/s",
              "of add");
  for (const ActivationChoice& choice : choices) {
    const Tensor input = bench_input(*choice.info, options.size, dtype);
    // Output-shaped: GLU halves its input, CReLU doubles it.
    const Tensor grad_output = ones_like(choice.info->forward(input, choice.values));
    const auto elements = static_cast<double>(input.numel());
    // Fresh outputs each run, as a caller of the functional API gets them.
    const double forward_rate =
        elements / best_seconds([&] { choice.info->forward(input, choice.values); });
    const double backward_rate =
        elements / best_seconds([&] { choice.info->backward(grad_output, input, choice.values); });
    std::printf("%-*s %12.3e %8.3f %12.3e %8.3f\n", width, choice.repr.c_str(), forward_rate,
                forward_rate / copy_rate, backward_rate, backward_rate / add_rate);
    std::fflush(stdout);
  }
}

}  // namespace

void register_bench(CLI::App& app) {
  auto options = std::make_shared<BenchOptions>();
  CLI::App* command = app.add_subcommand(
      "bench", "Forward and backward throughput, and as a fraction of a plain copy");
  command->add_option("NAMES", options->names,
                      "Activations: NAME or NAME(option=value, ...); default: all");
  command->add_option("--size", options->size, "Elements per tensor")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 30))
      ->capture_default_str();
  command->add_option("--threads", options->threads, "Threads (default: every core)")
      ->check(CLI::Range(1, kMaxNumThreads));
  command->add_option("--dtype", options->dtype, "float32 or float64")
      ->check(CLI::IsMember({"float32", "float64"}))
      ->capture_default_str();
  command->footer(
      "Each rate is the best of the runs that fit in about 0.2 s. 'of copy' compares forward\n"
      "with a copy of the same size (1 in, 1 out), 'of add' backward with an add (2 in, 1 out),\n"
      "both measured in this run.\n"
      "Functions of a vector work on rows of 16 elements.\n"
      "Examples:\n"
      "  activ bench                      # every activation, 2^20 float32 elements\n"
      "  activ bench gelu 'gelu(approximate=\"tanh\")' --size 65536 --threads 1 --dtype float64\n");
  command->callback([options] { run_bench(*options); });
}

}  // namespace activ::cli
