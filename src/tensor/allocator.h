// The buffers behind Storage: 64-byte aligned, with a cache of freed large buffers.
//
// A fresh large buffer comes from mmap (through malloc) and page-faults on first touch of every
// page, which costs more than an activation's whole pass over it; so freed buffers of at least
// kMinCachedBytes are kept, by size class, and handed out again, as LibTorch's CPU allocator
// with glibc does. The cache is bounded (ACTIV_ALLOCATOR_CACHE_MB, default 1024; least recently
// freed buffers go first) and can be turned off (ACTIV_CACHING_ALLOCATOR=0, or
// set_caching_enabled). Thread-safe.
#pragma once

#include <cstddef>

namespace activ::detail {

inline constexpr std::size_t kMinCachedBytes = std::size_t{1} << 20;

// nbytes (> 0) of 64-byte aligned memory, or nullptr when there is not enough memory.
void* allocate_buffer(std::size_t nbytes);
// Returns a buffer of allocate_buffer(nbytes).
void free_buffer(void* data, std::size_t nbytes) noexcept;

struct AllocatorStats {
  std::size_t cached_bytes = 0;  // held in the cache, free for reuse
  std::size_t cache_limit = 0;   // the most the cache holds
  std::size_t hits = 0;          // large allocations served from the cache
  std::size_t misses = 0;        // large allocations from the system
};
AllocatorStats allocator_stats();

// Turning the cache off releases what it holds.
void set_caching_enabled(bool enabled);
bool caching_enabled();
void set_cache_limit(std::size_t bytes);
// Gives every cached buffer back to the system.
void release_cached_buffers();

}  // namespace activ::detail
