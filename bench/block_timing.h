// Timing in blocks, shared by the benchmarks that compare functions in alternating blocks
// (bench/activ_bench.cpp, bench/vs_libtorch.cpp).
#pragma once
#include <chrono>
#include <cstdint>

namespace activ::bench {

// Calls per second of `call` over at least `block_seconds` (at least one call).
template <class Call>
double calls_per_second(Call&& call, double block_seconds) {
  std::int64_t calls = 0;
  const auto start = std::chrono::steady_clock::now();
  std::chrono::duration<double> elapsed{};
  do {
    call();
    ++calls;
    elapsed = std::chrono::steady_clock::now() - start;
  } while (elapsed.count() < block_seconds);
  return static_cast<double>(calls) / elapsed.count();
}

}  // namespace activ::bench
