// Thread safety: a shared module called from several threads, parallel_for nested in itself and
// called from several threads at once, and autograd running in two threads. Built and run under
// ThreadSanitizer by scripts/test (preset tsan), so a data race fails the run even when the
// values happen to come out right.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "activ/autograd.h"
#include "activ/error.h"
#include "activ/nn/activation.h"
#include "activ/nn/functional.h"
#include "activ/nn/layers.h"
#include "activ/parallel.h"
#include "activ/tensor.h"

namespace {

namespace nn = activ::nn;
namespace F = activ::nn::functional;
using activ::Tensor;

constexpr int kThreads = 4;

// Runs body(thread_index) in kThreads threads at once and waits for them.
template <class Body>
void run_in_threads(Body body) {
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(body, t);
  for (std::thread& thread : threads) thread.join();
}

TEST(Threading, ConcurrentForwardOnASharedModuleGivesTheSerialResult) {
  activ::manual_seed(3);
  const auto model = std::make_shared<nn::Sequential>(
      std::make_shared<nn::Linear>(64, 32), std::make_shared<nn::GELU>(),
      std::make_shared<nn::Linear>(32, 8), std::make_shared<nn::Tanh>());
  // Big enough that the elementwise kernels split across the pool too.
  const Tensor input = activ::randn({256, 64});
  const Tensor expected = (*model)(input);
  std::vector<Tensor> results(kThreads);
  run_in_threads([&](int t) {
    for (int i = 0; i < 10; ++i) results[t] = F::softmax((*model)(input), {.dim = 1});
  });
  const Tensor expected_softmax = F::softmax(expected, {.dim = 1});
  for (const Tensor& result : results) EXPECT_TRUE(activ::equal(result, expected_softmax));
}

TEST(Threading, NestedParallelForCoversEveryIndexOnce) {
  constexpr std::int64_t kOuter = 64, kInner = 1000;
  std::vector<std::atomic<int>> hits(kOuter * kInner);
  activ::parallel_for(0, kOuter, 1, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      EXPECT_TRUE(activ::in_parallel_region());
      activ::parallel_for(0, kInner, 16, [&](std::int64_t inner_begin, std::int64_t inner_end) {
        for (std::int64_t j = inner_begin; j < inner_end; ++j) hits[i * kInner + j]++;
      });
    }
  });
  for (const auto& count : hits) ASSERT_EQ(count.load(), 1);
  EXPECT_FALSE(activ::in_parallel_region());
}

TEST(Threading, ParallelForFromSeveralThreadsAtOnce) {
  constexpr std::int64_t kSize = 100000;
  std::vector<std::int64_t> sums(kThreads);
  run_in_threads([&](int t) {
    for (int round = 0; round < 5; ++round) {
      std::atomic<std::int64_t> sum = 0;
      activ::parallel_for(0, kSize, 1000, [&](std::int64_t begin, std::int64_t end) {
        std::int64_t local = 0;
        for (std::int64_t i = begin; i < end; ++i) local += i * (t + 1);
        sum += local;
      });
      sums[t] = sum;
    }
  });
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(sums[t], (t + 1) * kSize * (kSize - 1) / 2);
}

// The pool's workers spin between back-to-back jobs and sleep after a pause: every index is
// covered once either way, and a job that throws leaves the pool usable.
TEST(Threading, BackToBackJobsAfterPausesAndAThrowingJob) {
  constexpr std::int64_t kSize = 4096;
  for (int round = 0; round < 300; ++round) {
    if (round % 100 == 50) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (round == 120) {
      EXPECT_THROW(activ::parallel_for(0, kSize, 64,
                                       [&](std::int64_t begin, std::int64_t) {
                                         if (begin > 0) throw activ::ValueError("chunk failed");
                                       }),
                   activ::ValueError);
      continue;
    }
    std::vector<std::atomic<int>> hits(kSize);
    activ::parallel_for(0, kSize, 64, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t i = begin; i < end; ++i) hits[i]++;
    });
    for (const auto& count : hits) ASSERT_EQ(count.load(), 1) << "round " << round;
  }
}

TEST(Threading, AutogradInTwoThreadsOnSharedWeights) {
  activ::manual_seed(5);
  const nn::Linear layer(16, 4);
  const Tensor input = activ::randn({128, 16});
  auto weight_gradient = [&] {
    const Tensor loss = F::silu(layer(input)).pow(2).sum();
    return activ::autograd::grad({loss}, {layer.weight()})[0];
  };
  const Tensor expected = weight_gradient();
  std::vector<Tensor> results(2);
  std::thread first([&] {
    for (int i = 0; i < 10; ++i) results[0] = weight_gradient();
  });
  std::thread second([&] {
    for (int i = 0; i < 10; ++i) results[1] = weight_gradient();
  });
  first.join();
  second.join();
  for (const Tensor& result : results) EXPECT_TRUE(activ::allclose(result, expected, 0, 0));
  EXPECT_FALSE(layer.weight().grad().defined());  // grad() accumulates nothing
}

// Threads running backward through one shared leaf all add into its .grad: none of the
// additions may be lost (8 threads, 20 runs; unguarded, 5 of 20 runs came out short).
TEST(Threading, BackwardFromEightThreadsAccumulatesEveryGradient) {
  constexpr int kBackwardThreads = 8;
  constexpr std::int64_t kSize = 19200;
  for (int run = 0; run < 20; ++run) {
    const Tensor x = activ::ones({kSize}).requires_grad_();
    std::vector<std::thread> threads;
    for (int t = 0; t < kBackwardThreads; ++t)
      threads.emplace_back([&] { (x * 1.0).sum().backward(); });
    for (std::thread& thread : threads) thread.join();
    ASSERT_EQ(x.grad().sum().item<float>(), static_cast<float>(kBackwardThreads * kSize))
        << "run " << run;
  }
}

// The same through a shared layer, whose weight gradient is added straight into .grad once it
// exists (the engine's direct accumulation).
TEST(Threading, BackwardFromEightThreadsIntoASharedLayer) {
  constexpr int kBackwardThreads = 8;
  activ::manual_seed(3);
  const nn::Linear layer(16, 4);
  const Tensor input = activ::randn({64, 16});
  layer(input).sum().backward();
  const Tensor single = layer.weight().grad().clone();
  std::vector<std::thread> threads;
  for (int t = 0; t < kBackwardThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) layer(input).sum().backward();
    });
  for (std::thread& thread : threads) thread.join();
  EXPECT_TRUE(activ::allclose(layer.weight().grad(), single * (1 + 5 * kBackwardThreads), 1e-5));
}

}  // namespace
