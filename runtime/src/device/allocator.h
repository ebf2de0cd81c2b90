// allocator.h - the caching allocator: pools of segments split into blocks, best-fit reuse
// per stream, coalescing, statistics, and the out-of-memory chain (free the cache, run the
// cycle collector, then throw). The policy is documented in <cyc/device.h>.
//
// Invariants (all under mu_):
// * A segment is one backend allocation for one stream and one pool; its blocks tile it
//   exactly, in address order, linked by prev/next.
// * Two neighbouring blocks are never both free (free() merges them).
// * A free block is in its pool's free set, keyed (stream, size, address); an allocated
//   block is in no set and is owned by exactly one Allocation.
// * Statistics equal what the segments and blocks say (the tests recompute them).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <typeinfo>
#include <vector>

#include <cyc/device.h>

#include "backend.h"

namespace cyc::device::detail {

inline constexpr std::size_t kMinBlockSize = 512;          // rounding and smallest split
inline constexpr std::size_t kSmallSize = 1u << 20;        // largest request of the small pool
inline constexpr std::size_t kSmallBuffer = 2u << 20;      // small pool segment
inline constexpr std::size_t kLargeBuffer = 20u << 20;     // large pool segment for requests...
inline constexpr std::size_t kMinLargeAlloc = 10u << 20;   // ...up to this size
inline constexpr std::size_t kRoundLarge = 2u << 20;       // larger requests round to this

// The block size of a request: at least 512, a multiple of 512. Throws Error on overflow.
std::size_t round_size(std::size_t bytes);
// The segment size a new segment for a block of `rounded` bytes gets.
std::size_t segment_size(std::size_t rounded);
// The smallest segment that can serve a block of `rounded` bytes (what a capacity must allow).
std::size_t smallest_segment(std::size_t rounded);

struct Segment;
struct Block;

// Orders free blocks by (stream, size, address): lower_bound of (stream, n) is the best fit.
struct BlockKey {
  std::uintptr_t stream;
  std::size_t size;
  const char* ptr;
};
struct BlockLess {
  using is_transparent = void;
  static BlockKey key(const Block* b) noexcept;
  static bool less(const BlockKey& a, const BlockKey& b) noexcept {
    if (a.stream != b.stream) return a.stream < b.stream;
    if (a.size != b.size) return a.size < b.size;
    return a.ptr < b.ptr;
  }
  bool operator()(const Block* a, const Block* b) const noexcept { return less(key(a), key(b)); }
  bool operator()(const Block* a, const BlockKey& b) const noexcept { return less(key(a), b); }
  bool operator()(const BlockKey& a, const Block* b) const noexcept { return less(a, key(b)); }
};
using FreeSet = std::set<Block*, BlockLess>;

struct Block {
  char* ptr = nullptr;
  std::size_t size = 0;       // bytes of the block
  std::size_t requested = 0;  // bytes asked for while allocated
  std::uintptr_t stream = 0;
  Segment* segment = nullptr;
  Block* prev = nullptr;  // neighbours in the segment (for a spare block, next: the next spare)
  Block* next = nullptr;
  bool allocated = false;
  const std::type_info* owner = nullptr;
  // The block's own node of a FreeSet, made with the block: held here while the block is
  // not in a free set, so that moving blocks in and out of the cache never allocates (and
  // free() cannot fail).
  FreeSet::node_type node;
};

inline BlockKey BlockLess::key(const Block* b) noexcept { return {b->stream, b->size, b->ptr}; }

struct Segment {
  char* base = nullptr;
  std::size_t size = 0;
  std::uintptr_t stream = 0;
  bool small = false;
  Block* first = nullptr;
  Segment* prev = nullptr;  // all segments, in a list
  Segment* next = nullptr;
};

class Allocator {
 public:
  // `capacity`: the most bytes that may be reserved (nullopt: the backend's default).
  Allocator(std::unique_ptr<Backend> backend, std::optional<std::size_t> capacity, std::string note = {});
  // Returns the cached segments to the backend (ignoring its errors). Aborts with a message if
  // allocations are still live: they would point into a dead allocator.
  ~Allocator();
  Allocator(const Allocator&) = delete;
  Allocator& operator=(const Allocator&) = delete;

  // A block of at least `bytes` (> 0) on `stream`, or OutOfMemory after the retry chain.
  Block* allocate(std::size_t bytes, Stream stream, const std::type_info* owner);
  void free(Block* block) noexcept;
  void set_owner(Block* block, const std::type_info* owner) noexcept;
  void empty_cache();

  MemoryStats stats() const;
  std::size_t allocated_bytes() const;
  std::size_t reserved_bytes() const;
  void reset_peak();
  void reset_accumulated();
  std::string snapshot() const;  // snapshot.cpp

  Backend& backend() noexcept { return *backend_; }
  const std::string& note() const noexcept { return note_; }
  // The capacity in force: CYC_DEVICE_CAPACITY or the backend's default, else its total.
  std::size_t capacity();
  void set_collect_on_oom(bool on) noexcept { collect_on_oom_.store(on, std::memory_order_relaxed); }
  bool collect_on_oom() const noexcept { return collect_on_oom_.load(std::memory_order_relaxed); }

  // For tests: checks the invariants above and that the statistics match the blocks;
  // returns "" or what is wrong.
  std::string check() const;

 private:
  struct Pool {
    bool small;
    FreeSet free;
  };

  Pool& pool_for(std::size_t rounded) noexcept { return rounded <= kSmallSize ? small_ : large_; }
  Block* find_free(Pool& pool, std::uintptr_t stream, std::size_t rounded);
  Block* new_segment(Pool& pool, std::uintptr_t stream, std::size_t size);
  Block* attempt(Pool& pool, std::uintptr_t stream, std::size_t rounded);
  std::size_t release_cached();  // returns bytes released; throws Error
  void release_segment(Segment* s);
  Block* take(Pool& pool, Block* b, std::size_t rounded, std::size_t requested, const std::type_info* owner);
  void add_inactive_split(bool small, std::int64_t blocks, std::int64_t bytes) noexcept;
  void reserve_spares();               // at least two spare blocks; may throw bad_alloc
  Block* new_block() noexcept;         // a spare (reserve_spares first)
  void delete_block(Block* b) noexcept;  // back to the spares
  std::vector<OutOfMemory::Owner> owners() const;
  [[noreturn]] void throw_oom(std::size_t bytes, std::size_t rounded, Stream stream, bool collected,
                              std::size_t collected_objects);

  std::unique_ptr<Backend> backend_;
  std::optional<std::size_t> limit_;
  std::string note_;
  std::atomic<bool> collect_on_oom_{true};

  mutable std::mutex mu_;
  Pool small_{true, {}};
  Pool large_{false, {}};
  Segment* segments_ = nullptr;  // list head
  Block* spares_ = nullptr;      // unused Block objects (with their nodes), linked by next
  std::size_t spare_count_ = 0;
  MemoryStats stats_;  // active/active_bytes are not kept: stats() copies them from allocation
};

// Builds Allocations over a given allocator (the tests' private allocators) and reads them.
struct AllocationAccess {
  static Allocation make(Allocator& allocator, std::size_t bytes, Stream stream, const std::type_info& owner);
  static Block* block(const Allocation& a) noexcept { return a.block_; }
  static Allocator* allocator(const Allocation& a) noexcept { return a.allocator_; }
};

// The process's allocator, made on first use from CYC_DEVICE / CYC_DEVICE_CAPACITY; never
// destroyed (Buffers may outlive static destructors). Throws ConfigError while the
// configuration is bad (each call tries again).
Allocator& global();

// "4.00 MiB"
std::string format_bytes(std::size_t bytes);
// "cyc::device::Buffer"
std::string owner_name(const std::type_info* owner);

}  // namespace cyc::device::detail
