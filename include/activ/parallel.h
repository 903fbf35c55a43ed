// The threading layer every kernel uses: a persistent pool and a parallel-for over an index
// range split into chunks of at least `grain` indices.
#pragma once

#include <cstdint>
#include <functional>

namespace activ {

// The most threads the pool runs: larger counts, from set_num_threads or ACTIV_NUM_THREADS, are
// capped to it with a warning on stderr, as torch caps its own.
inline constexpr int kMaxNumThreads = 1024;

// Threads used by kernels; default: ACTIV_NUM_THREADS if set (an integer from 1 up; any other
// value is reported on stderr and ignored), else every core.
int get_num_threads();
// Sets the thread count (>= 1, capped at kMaxNumThreads); raises ValueError below 1.
void set_num_threads(int threads);

// True inside a parallel_for body: nested calls run serially on the calling thread.
bool in_parallel_region();

// Runs body(begin, end) over disjoint chunks covering [begin, end), in parallel when the
// range holds more than one grain. The first exception thrown by a body is rethrown here.
void parallel_for(std::int64_t begin, std::int64_t end, std::int64_t grain,
                  const std::function<void(std::int64_t, std::int64_t)>& body);

}  // namespace activ
