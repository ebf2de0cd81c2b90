// object_memory.cpp - where the memory of objects comes from (allocate_block, free_block in
// <cyc/detail/object.h>).
//
// Two layers:
// * Behind: the size-class pool of block_pool.h for blocks of up to BlockPool::kMaxBlock
//   bytes, operator new for larger ones.
// * In front: a per-thread cache of free blocks by size class, so that making and dropping
//   objects in a loop reuses the same memory in a few instructions, without a lock. A block
//   freed on another thread joins that thread's cache. A class that runs dry takes a batch from
//   the pool; one that holds kCacheCap blocks gives a batch back (a collection freeing a
//   million objects pays the pool's lock once per kBatch of them). Everything goes back to
//   the pool when the thread exits.
// Under AddressSanitizer both are off and every block comes from operator new, so that every
// use after free is still caught.
#include <cstddef>
#include <new>

#include <cyc/detail/object.h>

#include "object_memory.h"

#if defined(__SANITIZE_ADDRESS__)
#define CYC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CYC_ASAN 1
#endif
#endif

namespace cyc::detail {
namespace {

#ifdef CYC_ASAN
constexpr bool kPooled = false;
#else
constexpr bool kPooled = true;
#endif

// Whether blocks of `size` bytes come from the pool (through this thread's cache).
constexpr bool pooled(std::size_t size) noexcept { return kPooled && size <= BlockPool::kMaxBlock; }

constexpr std::size_t kClasses = BlockPool::kClasses;
constexpr unsigned kCacheCap = 256;
constexpr unsigned kBatch = 64;  // blocks moved between a cache and the pool at a time

enum CacheState : unsigned char {
  kUnowned = 0,  // nothing cached yet: the thread-exit flush is not registered
  kOwned,        // a CacheOwner will flush it at thread exit
  kGone,         // flushed at thread exit: bypass from now on
};
struct BlockCache {  // trivially destructible: usable until the thread's very end
  FreeBlock* head[kClasses];
  unsigned count[kClasses];
  CacheState state;
};
thread_local BlockCache tl_cache;

void flush_cache() noexcept {
  for (std::size_t c = 0; c < kClasses; ++c) {
    block_pool().give(tl_cache.head[c]);
    tl_cache.head[c] = nullptr;
    tl_cache.count[c] = 0;
  }
}

struct CacheOwner {
  ~CacheOwner() {
    flush_cache();
    tl_cache.state = kGone;
  }
};

// Registers the flush at thread exit; false if that failed (out of memory).
[[gnu::noinline]] bool own_cache() noexcept {
  try {
    thread_local CacheOwner owner;
    (void)owner;
  } catch (...) {
    return false;
  }
  tl_cache.state = kOwned;
  return true;
}

// The fast path of every free: a set-up cache of class c with room takes the block.
bool cache_has_room(std::size_t c) noexcept {
  return tl_cache.state == kOwned && tl_cache.count[c] < kCacheCap;
}
void cache_push(std::size_t c, FreeBlock* b) noexcept {
  b->next = tl_cache.head[c];
  tl_cache.head[c] = b;
  ++tl_cache.count[c];
}

bool cache_usable() noexcept {
  return tl_cache.state == kOwned || (tl_cache.state == kUnowned && own_cache());
}

// The cache of class c is empty: a batch from the pool, the first block of which is returned.
[[gnu::noinline]] void* refill(std::size_t c) {
  std::size_t taken = 0;
  FreeBlock* chain = block_pool().take(c, cache_usable() ? kBatch : 1, taken);
  tl_cache.head[c] = chain->next;
  tl_cache.count[c] = static_cast<unsigned>(taken - 1);
  return chain;
}

// The cache of class c is full: `b` and a batch of the cache go back to the pool.
[[gnu::noinline]] void spill(std::size_t c, FreeBlock* b) noexcept {
  FreeBlock* last = b;
  b->next = tl_cache.head[c];
  for (unsigned i = 0; i < kBatch - 1; ++i) last = last->next;
  tl_cache.head[c] = last->next;
  tl_cache.count[c] -= kBatch - 1;
  last->next = nullptr;
  block_pool().give(b);
}

}  // namespace

void* allocate_block(std::size_t size) {
  if (!pooled(size)) return ::operator new(size);
  const std::size_t c = BlockPool::class_of(size);
  if (FreeBlock* b = tl_cache.head[c]) {
    tl_cache.head[c] = b->next;
    --tl_cache.count[c];
    return b;
  }
  return refill(c);
}

// free_block's rarer cases, out of line: a full cache, a cache not set up yet or gone.
[[gnu::noinline]] void free_block_slow(std::size_t c, FreeBlock* b) noexcept {
  if (tl_cache.count[c] >= kCacheCap) {
    spill(c, b);
  } else if (cache_usable()) {
    cache_push(c, b);
  } else {
    b->next = nullptr;  // the thread's cache is gone (or could not be set up)
    block_pool().give(b);
  }
}

void free_block(void* p, std::size_t size) noexcept {
  if (!pooled(size)) return ::operator delete(p);
  const std::size_t c = BlockPool::class_of(size);
  auto* b = static_cast<FreeBlock*>(p);
  if (cache_has_room(c)) [[likely]]
    cache_push(c, b);
  else
    free_block_slow(c, b);
}

void BatchFree::add(Header* h, const TypeInfo& t) noexcept {
  if (over_aligned(t) || !pooled(t.alloc_size)) return free_memory(h, t);
  auto* b = reinterpret_cast<FreeBlock*>(reinterpret_cast<char*>(h) - t.header_offset);
  const std::size_t c = BlockPool::class_of(t.alloc_size);
  if (cache_has_room(c)) return cache_push(c, b);  // the next objects made here reuse it, warm
  b->next = chain_;
  chain_ = b;
  if (++length_ == kChain) flush();
}

void BatchFree::flush() noexcept {
  if (!chain_) return;
  block_pool().give(chain_);
  chain_ = nullptr;
  length_ = 0;
}

}  // namespace cyc::detail
