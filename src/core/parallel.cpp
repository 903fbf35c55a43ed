#include "activ/parallel.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "activ/error.h"

extern "C" void openblas_set_num_threads(int num_threads);

namespace activ {
namespace {

thread_local bool tls_in_parallel_region = false;

// Pauses the core briefly inside a spin loop (frees the pipeline for a sibling hyperthread).
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Spins until ready() or for kSpinTime, whichever comes first; returns ready(). The spin yields
// the core between checks, so that OpenBLAS's threads, runnable right after an activation in a
// training step, are not kept waiting (with pause alone, a 2-thread MLP step ran 3% slower).
template <class Ready>
bool spin_until(const Ready& ready) {
  // Long enough to span the gap between back-to-back kernel calls, short enough that an idle
  // pool gives its cores back at once: waking a sleeping thread costs tens of microseconds
  // (measured on 2 threads: a 64K-element sigmoid at 2.0 G elements/s sleeping, 6.0 spinning;
  // 1M elements 7.5 against 9.3).
  constexpr auto kSpinTime = std::chrono::microseconds(100);
  if (ready()) return true;
  const auto deadline = std::chrono::steady_clock::now() + kSpinTime;
  while (true) {
    for (int i = 0; i < 16; ++i) {
      cpu_relax();
      if (ready()) return true;
    }
    std::this_thread::yield();
    if (std::chrono::steady_clock::now() >= deadline) return ready();
  }
}

// A job is a number of chunks taken one at a time from an atomic counter, so uneven chunks
// balance themselves. Between jobs, workers spin for a moment and then sleep on a condition
// variable; run() likewise spins, then sleeps, until the last chunk is done.
class ThreadPool {
 public:
  explicit ThreadPool(int threads) {
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
  }
  ~ThreadPool() {
    {
      std::lock_guard lock(mutex_);
      stopping_.store(true);
    }
    work_ready_.notify_all();
    for (auto& worker : workers_) worker.join();
  }

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void run(std::int64_t chunks, const std::function<void(std::int64_t)>& job) {
    {
      std::lock_guard lock(mutex_);
      job_ = &job;
      chunk_count_ = chunks;
      next_chunk_.store(0);
      pending_ = chunks;
      error_ = nullptr;
      finished_.store(false);
      generation_.fetch_add(1);
    }
    work_ready_.notify_all();
    tls_in_parallel_region = true;
    take_chunks();
    tls_in_parallel_region = false;
    spin_until([this] { return finished_.load(std::memory_order_acquire); });
    // The authoritative check, under the lock: no worker is still inside take_chunks.
    std::unique_lock lock(mutex_);
    all_done_.wait(lock, [this] { return pending_ == 0 && active_ == 0; });
    job_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void worker_loop() {
    tls_in_parallel_region = true;
    std::uint64_t seen = 0;
    const auto has_news = [&] {
      return stopping_.load(std::memory_order_acquire) ||
             generation_.load(std::memory_order_acquire) != seen;
    };
    while (true) {
      if (!spin_until(has_news)) {
        std::unique_lock lock(mutex_);
        work_ready_.wait(lock, has_news);
      }
      if (stopping_.load()) return;
      seen = generation_.load();
      take_chunks();
    }
  }

  void take_chunks() {
    std::int64_t done = 0;
    std::exception_ptr error;
    const std::function<void(std::int64_t)>* job;
    std::int64_t count;
    {
      std::lock_guard lock(mutex_);
      job = job_;
      count = chunk_count_;
      if (job == nullptr) return;
      ++active_;  // run() waits for this, so job stays valid while chunks are taken
    }
    for (std::int64_t chunk = next_chunk_.fetch_add(1); chunk < count;
         chunk = next_chunk_.fetch_add(1)) {
      try {
        (*job)(chunk);
      } catch (...) {
        if (!error) error = std::current_exception();
      }
      ++done;
    }
    std::lock_guard lock(mutex_);
    if (error && !error_) error_ = error;
    pending_ -= done;
    --active_;
    if (pending_ == 0 && active_ == 0) {
      finished_.store(true, std::memory_order_release);
      all_done_.notify_all();
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable all_done_;
  const std::function<void(std::int64_t)>* job_ = nullptr;
  std::int64_t chunk_count_ = 0;
  std::atomic<std::int64_t> next_chunk_{0};
  std::int64_t pending_ = 0;
  int active_ = 0;  // threads inside take_chunks
  // Written under mutex_, read without it by the spinning threads.
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> finished_{true};  // pending_ == 0 && active_ == 0, as last seen under mutex_
  std::exception_ptr error_;
};

int capped_num_threads(long long threads, const std::string& source) {
  if (threads <= kMaxNumThreads) return static_cast<int>(threads);
  std::fprintf(stderr, "activ: warning: %s: %lld threads requested, using the maximum of %d\n",
               source.c_str(), threads, kMaxNumThreads);
  return kMaxNumThreads;
}

int default_num_threads() {
  const int every_core = static_cast<int>(
      std::clamp(std::thread::hardware_concurrency(), 1u, static_cast<unsigned>(kMaxNumThreads)));
  const char* env = std::getenv("ACTIV_NUM_THREADS");
  if (env == nullptr) return every_core;
  const std::string_view text(env);
  long long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error == std::errc::result_out_of_range && !text.starts_with('-'))
    return capped_num_threads(std::numeric_limits<long long>::max(), "ACTIV_NUM_THREADS");
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < 1) {
    std::fprintf(stderr,
                 "activ: warning: ACTIV_NUM_THREADS='%s' is not a thread count (an integer from 1 "
                 "up); using every core (%d)\n",
                 env, every_core);
    return every_core;
  }
  return capped_num_threads(value, "ACTIV_NUM_THREADS");
}

struct PoolState {
  std::mutex run_mutex;  // one parallel_for at a time; concurrent callers run serially
  std::unique_ptr<ThreadPool> pool = std::make_unique<ThreadPool>(default_num_threads());
};

PoolState& state() {
  static PoolState instance;
  return instance;
}

}  // namespace

int get_num_threads() {
  auto& s = state();
  std::lock_guard lock(s.run_mutex);
  return s.pool->size();
}

void set_num_threads(int threads) {
  if (threads < 1) {
    throw ValueError("set_num_threads: threads must be at least 1, got " + std::to_string(threads));
  }
  threads = capped_num_threads(threads, "set_num_threads");
  auto& s = state();
  std::lock_guard lock(s.run_mutex);
  if (s.pool->size() != threads) s.pool = std::make_unique<ThreadPool>(threads);
  openblas_set_num_threads(threads);
}

bool in_parallel_region() {
  return tls_in_parallel_region;
}

void parallel_for(std::int64_t begin, std::int64_t end, std::int64_t grain,
                  const std::function<void(std::int64_t, std::int64_t)>& body) {
  if (end <= begin) return;
  grain = std::max<std::int64_t>(grain, 1);
  const std::int64_t range = end - begin;
  auto& s = state();
  std::unique_lock lock(s.run_mutex, std::defer_lock);
  if (range <= grain || tls_in_parallel_region || !lock.try_lock() || s.pool->size() == 1) {
    body(begin, end);
    return;
  }
  const std::int64_t chunks = std::min<std::int64_t>(s.pool->size(), (range + grain - 1) / grain);
  const std::int64_t per_chunk = (range + chunks - 1) / chunks;
  s.pool->run(chunks, [&](std::int64_t chunk) {
    const std::int64_t lo = begin + chunk * per_chunk;
    const std::int64_t hi = std::min(end, lo + per_chunk);
    if (lo < hi) body(lo, hi);
  });
}

}  // namespace activ
