// The caching allocator behind Storage (src/tensor/allocator.h): large buffers are reused, the
// cache stays within its limit and can be released or turned off, and concurrent use is safe.
#include "tensor/allocator.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <thread>
#include <vector>

#include "activ/tensor.h"

namespace activ {
namespace {

constexpr std::int64_t kLargeElements = std::int64_t{1} << 20;  // 4 MB of float32

// Each test starts from an empty, enabled cache with the default limit.
class Allocator : public testing::Test {
 protected:
  void SetUp() override {
    detail::set_caching_enabled(true);
    detail::release_cached_buffers();
    limit_ = detail::allocator_stats().cache_limit;
  }
  void TearDown() override {
    detail::set_cache_limit(limit_);
    detail::set_caching_enabled(true);
  }
  std::size_t limit_ = 0;
};

TEST_F(Allocator, FreedLargeBufferIsReused) {
  const std::byte* first = nullptr;
  {
    Tensor x = empty({kLargeElements});
    first = x.storage()->data();
  }
  EXPECT_GE(detail::allocator_stats().cached_bytes, std::size_t(kLargeElements) * 4);
  const std::size_t hits = detail::allocator_stats().hits;
  Tensor y = empty({kLargeElements});
  EXPECT_EQ(y.storage()->data(), first);
  EXPECT_EQ(detail::allocator_stats().hits, hits + 1);
  EXPECT_EQ(detail::allocator_stats().cached_bytes, 0u);
  // A slightly smaller request shares the size class.
  y = Tensor();
  Tensor z = empty({kLargeElements - 1000});
  EXPECT_EQ(z.storage()->data(), first);
}

TEST_F(Allocator, SmallBuffersAreNotCached) {
  { Tensor x = empty({1000}); }
  EXPECT_EQ(detail::allocator_stats().cached_bytes, 0u);
}

TEST_F(Allocator, CacheStaysWithinItsLimit) {
  detail::set_cache_limit(std::size_t(kLargeElements) * 4 * 3);
  {
    std::vector<Tensor> tensors;
    for (int i = 0; i < 8; ++i) tensors.push_back(empty({kLargeElements}));
  }
  EXPECT_LE(detail::allocator_stats().cached_bytes, std::size_t(kLargeElements) * 4 * 3);
  EXPECT_GT(detail::allocator_stats().cached_bytes, 0u);
  detail::set_cache_limit(0);
  EXPECT_EQ(detail::allocator_stats().cached_bytes, 0u);
  { Tensor x = empty({kLargeElements}); }
  EXPECT_EQ(detail::allocator_stats().cached_bytes, 0u);
}

TEST_F(Allocator, ReleaseAndDisableGiveMemoryBack) {
  { Tensor x = empty({kLargeElements}); }
  EXPECT_GT(detail::allocator_stats().cached_bytes, 0u);
  detail::release_cached_buffers();
  EXPECT_EQ(detail::allocator_stats().cached_bytes, 0u);
  { Tensor x = empty({kLargeElements}); }
  detail::set_caching_enabled(false);
  EXPECT_FALSE(detail::caching_enabled());
  EXPECT_EQ(detail::allocator_stats().cached_bytes, 0u);
  { Tensor x = empty({kLargeElements}); }
  EXPECT_EQ(detail::allocator_stats().cached_bytes, 0u);
}

TEST_F(Allocator, TooLargeStillRaises) {
  EXPECT_THROW(empty({std::int64_t{1} << 48}), OutOfMemoryError);
}

TEST_F(Allocator, ConcurrentAllocationsAreSafe) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < 50; ++i) {
        Tensor x = full({kLargeElements + 4096 * (i % 3)}, double(t));
        // Nobody else writes this buffer while we hold it.
        ASSERT_EQ(x.data_ptr<float>()[kLargeElements - 1], float(t));
        x.data_ptr<float>()[0] = float(t + 1);
        ASSERT_EQ(x.data_ptr<float>()[kLargeElements - 1], float(t));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const auto stats = detail::allocator_stats();
  EXPECT_GT(stats.hits, 0u);
  EXPECT_LE(stats.cached_bytes, stats.cache_limit);
}

}  // namespace
}  // namespace activ
