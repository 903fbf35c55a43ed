#include "tensor/allocator.h"

#include <bit>
#include <cstdlib>
#include <mutex>
#include <new>
#include <string>
#include <vector>

namespace activ::detail {
namespace {

constexpr std::align_val_t kAlignment{64};
constexpr std::size_t kDefaultCacheMegabytes = 1024;

// Large sizes rounded up to a quarter of their power of two, so a buffer serves requests that
// differ a little (at most 25% more address space; untouched pages cost no memory).
std::size_t size_class(std::size_t nbytes) {
  if (nbytes > (std::size_t{1} << 62)) return nbytes;  // beyond any memory; no rounding overflow
  const std::size_t step = std::bit_floor(nbytes) / 4;
  return (nbytes + step - 1) / step * step;
}

void* system_allocate(std::size_t nbytes) {
  return ::operator new(nbytes, kAlignment, std::nothrow);
}

void system_free(void* data) {
  ::operator delete(data, kAlignment);
}

bool env_enabled() {
  const char* env = std::getenv("ACTIV_CACHING_ALLOCATOR");
  return env == nullptr || std::string(env) != "0";
}

std::size_t env_limit() {
  const char* env = std::getenv("ACTIV_ALLOCATOR_CACHE_MB");
  std::size_t megabytes = kDefaultCacheMegabytes;
  if (env != nullptr) megabytes = std::strtoull(env, nullptr, 10);
  return megabytes << 20;
}

class BufferCache {
 public:
  void* allocate(std::size_t nbytes) {
    const std::size_t size = size_class(nbytes);
    {
      std::lock_guard lock(mutex_);
      if (enabled_) {
        // The most recently freed buffer of the size: likeliest still in cache and TLB.
        for (auto it = free_.rbegin(); it != free_.rend(); ++it) {
          if (it->size != size) continue;
          void* data = it->data;
          cached_bytes_ -= size;
          free_.erase(std::next(it).base());
          ++hits_;
          return data;
        }
      }
      ++misses_;
    }
    void* data = system_allocate(size);
    if (data == nullptr) {
      // Memory held by the cache may be what is missing.
      release();
      data = system_allocate(size);
    }
    return data;
  }

  void free(void* data, std::size_t nbytes) {
    const std::size_t size = size_class(nbytes);
    std::vector<void*> evicted;
    {
      std::lock_guard lock(mutex_);
      if (enabled_ && size <= limit_) {
        evicted = evict_for(size);
        free_.push_back({data, size});
        cached_bytes_ += size;
        data = nullptr;
      }
    }
    // Outside the lock: munmap takes time.
    for (void* old : evicted) system_free(old);
    if (data != nullptr) system_free(data);
  }

  void release() {
    std::vector<Block> blocks;
    {
      std::lock_guard lock(mutex_);
      blocks.swap(free_);
      cached_bytes_ = 0;
    }
    for (const Block& block : blocks) system_free(block.data);
  }

  void set_enabled(bool enabled) {
    {
      std::lock_guard lock(mutex_);
      enabled_ = enabled;
    }
    if (!enabled) release();
  }

  bool enabled() {
    std::lock_guard lock(mutex_);
    return enabled_;
  }

  void set_limit(std::size_t bytes) {
    std::vector<void*> evicted;
    {
      std::lock_guard lock(mutex_);
      limit_ = bytes;
      evicted = evict_for(0);
    }
    for (void* old : evicted) system_free(old);
  }

  AllocatorStats stats() {
    std::lock_guard lock(mutex_);
    return {cached_bytes_, limit_, hits_, misses_};
  }

 private:
  struct Block {
    void* data;
    std::size_t size;
  };

  // Takes the least recently freed buffers out until `incoming` more bytes fit the limit;
  // the caller frees them. Requires the lock.
  std::vector<void*> evict_for(std::size_t incoming) {
    std::vector<void*> evicted;
    std::size_t count = 0;
    while (count < free_.size() && cached_bytes_ + incoming > limit_) {
      evicted.push_back(free_[count].data);
      cached_bytes_ -= free_[count].size;
      ++count;
    }
    free_.erase(free_.begin(), free_.begin() + static_cast<std::ptrdiff_t>(count));
    return evicted;
  }

  std::mutex mutex_;
  bool enabled_ = env_enabled();
  std::size_t limit_ = env_limit();
  std::vector<Block> free_;  // least recently freed first
  std::size_t cached_bytes_ = 0, hits_ = 0, misses_ = 0;
};

// Never destroyed: tensors with static lifetime may free their buffers after main returns.
BufferCache& cache() {
  static BufferCache* instance = new BufferCache;
  return *instance;
}

}  // namespace

void* allocate_buffer(std::size_t nbytes) {
  if (nbytes < kMinCachedBytes) return system_allocate(nbytes);
  return cache().allocate(nbytes);
}

void free_buffer(void* data, std::size_t nbytes) noexcept {
  if (nbytes < kMinCachedBytes) return system_free(data);
  cache().free(data, nbytes);
}

AllocatorStats allocator_stats() {
  return cache().stats();
}
void set_caching_enabled(bool enabled) {
  cache().set_enabled(enabled);
}
bool caching_enabled() {
  return cache().enabled();
}
void set_cache_limit(std::size_t bytes) {
  cache().set_limit(bytes);
}
void release_cached_buffers() {
  cache().release();
}

}  // namespace activ::detail
