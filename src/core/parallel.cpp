#include "activ/parallel.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "activ/error.h"

extern "C" void openblas_set_num_threads(int num_threads);

namespace activ {
namespace {

thread_local bool tls_in_parallel_region = false;

// Workers sleep on a condition variable between jobs; a job is a number of chunks taken
// one at a time from an atomic counter, so uneven chunks balance themselves.
class ThreadPool {
 public:
  explicit ThreadPool(int threads) {
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
  }
  ~ThreadPool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
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
      ++generation_;
    }
    work_ready_.notify_all();
    tls_in_parallel_region = true;
    take_chunks();
    tls_in_parallel_region = false;
    std::unique_lock lock(mutex_);
    all_done_.wait(lock, [this] { return pending_ == 0 && active_ == 0; });
    job_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void worker_loop() {
    tls_in_parallel_region = true;
    std::uint64_t seen = 0;
    while (true) {
      {
        std::unique_lock lock(mutex_);
        work_ready_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
      }
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
    for (std::int64_t chunk = next_chunk_.fetch_add(1); chunk < count; chunk = next_chunk_.fetch_add(1)) {
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
    if (pending_ == 0 && active_ == 0) all_done_.notify_all();
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
  std::uint64_t generation_ = 0;
  bool stopping_ = false;
  std::exception_ptr error_;
};

int default_num_threads() {
  if (const char* env = std::getenv("ACTIV_NUM_THREADS")) {
    char* end = nullptr;
    long value = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && value >= 1 && value <= 4096) return static_cast<int>(value);
  }
  return std::max(1u, std::thread::hardware_concurrency());
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
  auto& s = state();
  std::lock_guard lock(s.run_mutex);
  if (s.pool->size() != threads) s.pool = std::make_unique<ThreadPool>(threads);
  openblas_set_num_threads(threads);
}

bool in_parallel_region() { return tls_in_parallel_region; }

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
