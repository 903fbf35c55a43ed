// activ accuracy: max and mean ULP error of the smooth activations' kernels, forward and
// backward (grad_output = 1), against the references of tools/reference. Default: the dense
// samples of the accuracy test; --exhaustive: all 2^32 float32 inputs, on every core.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "activ/parallel.h"
#include "activation_reference.h"
#include "commands.h"

namespace activ::cli {
namespace {

using reference::Accuracy;
using reference::Function;
using reference::Precision;

struct AccuracyOptions {
  std::vector<std::string> names;
  bool exhaustive = false;
  std::string dtype = "float32";
  int threads = 0;  // 0: every core
};

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The functions named (a module name selects all its option sets; a full name such as
// "Swish(beta=1.702)" one); none named: all. Unknown names are a usage error listing close ones.
std::vector<const Function*> select(const std::vector<std::string>& names) {
  std::vector<const Function*> out;
  for (const Function& function : reference::functions()) {
    if (names.empty()) out.push_back(&function);
  }
  for (const std::string& name : names) {
    std::size_t before = out.size();
    for (const Function& function : reference::functions()) {
      if (function.module == name || function.name == name) out.push_back(&function);
    }
    if (out.size() > before) continue;
    std::vector<std::string> close;
    for (const Function& function : reference::functions()) {
      const std::string candidate = lower(function.module), wanted = lower(name);
      if ((edit_distance(candidate, wanted) <= 2 || candidate.find(wanted) != std::string::npos ||
           wanted.find(candidate) != std::string::npos) &&
          std::find(close.begin(), close.end(), function.module) == close.end()) {
        close.push_back(function.module);
      }
    }
    std::string message = "accuracy: unknown function '" + name + "'";
    if (!close.empty()) {
      message += "; did you mean";
      for (std::size_t i = 0; i < close.size(); ++i) message += (i ? ", " : " ") + close[i];
      message += "?";
    }
    throw CLI::ValidationError("NAMES", message);
  }
  return out;
}

int thread_count(int requested) {
  if (requested > 0) return requested;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

// Runs measure_block(block) for blocks [0, count) on `threads` threads and merges the results;
// with a progress bar on stderr when it is a terminal.
template <class MeasureBlock>
Accuracy run_blocks(std::int64_t count, int threads, const std::string& label,
                    MeasureBlock measure_block) {
  std::atomic<std::int64_t> next{0}, done{0};
  std::vector<Accuracy> parts(static_cast<std::size_t>(threads));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (std::int64_t block; (block = next++) < count; ++done) {
        parts[static_cast<std::size_t>(t)].merge(measure_block(block));
      }
    });
  }
  const bool show_progress = isatty(STDERR_FILENO) && count > 1;
  while (show_progress && done < count) {
    const double fraction = static_cast<double>(done) / static_cast<double>(count);
    const int filled = static_cast<int>(fraction * 40);
    std::cerr << "\r" << std::left << std::setw(34) << label << " [" << std::string(filled, '#')
              << std::string(40 - filled, '.') << "] " << std::right << std::setw(3)
              << static_cast<int>(fraction * 100) << "%" << std::flush;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  for (std::thread& worker : workers) worker.join();
  if (show_progress) std::cerr << "\r" << std::string(34 + 48, ' ') << "\r" << std::flush;
  Accuracy total;
  for (const Accuracy& part : parts) total.merge(part);
  return total;
}

template <class T>
Accuracy measure_samples(const Function& function, const std::vector<T>& samples,
                         Precision precision, int threads) {
  constexpr std::int64_t kBlock = 4096;
  const std::int64_t count = (static_cast<std::int64_t>(samples.size()) + kBlock - 1) / kBlock;
  return run_blocks(count, threads, function.name, [&](std::int64_t block) {
    const std::size_t begin = static_cast<std::size_t>(block * kBlock);
    const std::size_t size = std::min<std::size_t>(kBlock, samples.size() - begin);
    return reference::measure<T>(function, std::span<const T>(samples).subspan(begin, size),
                                 precision);
  });
}

// Every float32 bit pattern, 2^16 per block, against the float64 kernels (measure_float32_bits).
Accuracy measure_all_float32(const Function& function, int threads) {
  constexpr std::uint64_t kBlock = 1 << 16;
  return run_blocks(std::int64_t{1} << 16, threads, function.name, [&](std::int64_t block) {
    const std::uint64_t first = static_cast<std::uint64_t>(block) * kBlock;
    return reference::measure_float32_bits(function, first, first + kBlock);
  });
}

void print_row(const std::string& name, const Accuracy& accuracy) {
  std::cout << std::left << std::setw(34) << name << std::right << std::fixed
            << std::setprecision(3) << std::setw(10) << accuracy.forward.max_ulp << std::setw(10)
            << accuracy.forward.mean_ulp() << std::setw(10) << accuracy.backward.max_ulp
            << std::setw(10) << accuracy.backward.mean_ulp() << std::defaultfloat
            << std::setprecision(9) << "   " << accuracy.forward.worst_x << "; "
            << accuracy.backward.worst_x << "\n";
}

void run_accuracy(const AccuracyOptions& options) {
  if (options.exhaustive && options.dtype != "float32") {
    throw CLI::ValidationError("--exhaustive", "accuracy: --exhaustive sweeps float32 only, got --dtype " + options.dtype);
  }
  const std::vector<const Function*> selected = select(options.names);
  const int threads = thread_count(options.threads);
  const bool float32 = options.dtype == "float32";
  std::cout << (options.exhaustive ? "every float32 input" : "dense " + options.dtype + " sample")
            << " on " << kernels::simd_target() << "; ULP error against "
            << (options.exhaustive ? "the float64 kernels"
                : float32          ? "long double references"
                                   : "long double / MPFR references")
            << "; backward with grad_output = 1\n"
            << std::left << std::setw(34) << "function" << std::right << std::setw(10) << "fwd max"
            << std::setw(10) << "fwd mean" << std::setw(10) << "bwd max" << std::setw(10)
            << "bwd mean" << "   worst x (fwd; bwd)\n";
  const std::vector<float> samples32 = float32 && !options.exhaustive ? reference::float32_samples()
                                                                      : std::vector<float>{};
  const std::vector<double> samples64 = float32 ? std::vector<double>{} : reference::float64_samples();
  for (const Function* function : selected) {
    const Accuracy accuracy =
        options.exhaustive ? measure_all_float32(*function, threads)
        : float32 ? measure_samples(*function, samples32, Precision::kLongDouble, threads)
                  : measure_samples(*function, samples64, function->float64_precision, threads);
    print_row(function->name, accuracy);
  }
}

}  // namespace

void register_accuracy(CLI::App& app) {
  auto options = std::make_shared<AccuracyOptions>();
  CLI::App* command = app.add_subcommand(
      "accuracy", "Max and mean ULP error of the smooth activations against accurate references");
  command->add_option("NAMES", options->names,
                      "Module names (all their option sets) or full names such as "
                      "'Swish(beta=1.702)'; default: all");
  command->add_flag("--exhaustive", options->exhaustive,
                    "Sweep all 2^32 float32 inputs against the float64 kernels (within 4 float64 "
                    "ULP, checked against MPFR by the tests): minutes per function");
  command->add_option("--dtype", options->dtype, "float32 or float64")
      ->check(CLI::IsMember({"float32", "float64"}))
      ->capture_default_str();
  command->add_option("--threads", options->threads, "Threads (default: every core)")
      ->check(CLI::Range(1, kMaxNumThreads));
  command->callback([options] { run_accuracy(*options); });
}

}  // namespace activ::cli
