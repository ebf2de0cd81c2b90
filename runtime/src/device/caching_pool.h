// caching_pool.h - the caching pool: segments taken from a backend, split into blocks, handed
// out best-fit per stream and pool, merged again when freed, and kept cached until
// release_cached() returns the unused ones. It neither limits nor retries: a request that
// neither the cache nor a new segment can meet gets nullptr (the capacity cap is a Backend
// adaptor beneath it, capacity_limit.h; the retries are the out-of-memory chain's,
// oom_chain.h). Sizes follow size_classes.h; the policy is documented in <cyc/device.h>.
//
// Invariants (between calls):
// * A segment is one backend allocation for one stream and one pool; its blocks tile it
//   exactly, in address order, linked by prev/next.
// * Two neighbouring blocks are never both free (free() merges them).
// * A free block is in its pool's free set, keyed (stream, size, address); an allocated
//   block is in no set and is owned by exactly one caller.
// * The Statistics given to the constructor equal what the segments and blocks say: every
//   change is reported to it as it is made (check() recounts them).
//
// Threading: not synchronized. The owner serializes every call, including the const ones
// (DeviceAllocator holds its mutex around each).
// Complexity: try_allocate and free are O(log n) in the cached free blocks, plus one backend
// call for a new segment; release_cached is O(free blocks) plus a backend call per segment
// released; live_owners and check are O(blocks).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <typeinfo>
#include <vector>

#include <cyc/device.h>

#include "backend.h"
#include "blocks.h"
#include "statistics.h"

namespace cyc::device::detail {

class CachingPool {
 public:
  // Segments come from `source`; every change is reported to `stats`. Both must outlive
  // the pool.
  CachingPool(Backend& source, Statistics& stats) noexcept : source_(source), stats_(stats) {}
  // Returns the cached segments to the source (ignoring its errors) and frees the records.
  // Every block must have been freed.
  ~CachingPool();
  CachingPool(const CachingPool&) = delete;
  CachingPool& operator=(const CachingPool&) = delete;

  // A block of `rounded` bytes (a round_size() result) on `stream`, allocated for a request
  // of `requested` bytes by `owner`: the best cached fit, else one from a new segment.
  // nullptr when neither is possible (the source is out of memory). Throws Error from the
  // source or std::bad_alloc, changing nothing.
  Block* try_allocate(std::size_t rounded, std::uintptr_t stream, std::size_t requested,
                      const std::type_info* owner);
  // Returns an allocated block to the cache, merged with free neighbours. Never fails and
  // never calls the source.
  void free(Block* block) noexcept;
  void set_owner(Block* block, const std::type_info* owner) noexcept { block->owner = owner; }
  // Returns every segment with no block in use (of every stream and pool) to the source;
  // the bytes returned. Throws Error when the source fails to take one back: that segment
  // and those not yet visited stay cached.
  std::size_t release_cached();

  // The owners of the allocated blocks by type, the most bytes first.
  std::vector<OutOfMemory::Owner> live_owners() const;
  // The list of all segments (linked by next), for readers such as the snapshot.
  const Segment* segments() const noexcept { return segments_; }
  Backend& source() noexcept { return source_; }

  // For tests: "" when the invariants hold, else what is wrong; either way `found` gets the
  // current values counted from the segments and blocks (for Statistics::compare_currents).
  std::string check(MemoryStats& found) const;

 private:
  struct Pool {
    bool small;
    FreeSet free;
  };

  Pool& pool_for(bool small) noexcept { return small ? small_ : large_; }
  const Pool& pool_for(bool small) const noexcept { return small ? small_ : large_; }
  Block* find_free(Pool& pool, std::uintptr_t stream, std::size_t rounded);
  Block* new_segment(Pool& pool, std::uintptr_t stream, std::size_t size);
  Block* find_or_reserve(Pool& pool, std::uintptr_t stream, std::size_t rounded);
  Block* take(Pool& pool, Block* b, std::size_t rounded, std::size_t requested, const std::type_info* owner);
  void split(Pool& pool, Block* b, std::size_t rounded);
  void merge_into(Pool& pool, Block* b, Block* neighbour) noexcept;
  void release_segment(Segment* s);
  std::string check_segment(const Segment* s, MemoryStats& found, std::size_t free_blocks[2]) const;
  void reserve_spares();                 // at least two spare blocks; may throw bad_alloc
  Block* new_block() noexcept;           // a spare (reserve_spares first)
  void delete_block(Block* b) noexcept;  // back to the spares
  void delete_records() noexcept;        // every segment and block record, and the spares

  Backend& source_;
  Statistics& stats_;
  Pool small_{true, {}};
  Pool large_{false, {}};
  Segment* segments_ = nullptr;  // list head
  Block* spares_ = nullptr;      // unused Block objects (with their nodes), linked by next
  std::size_t spare_count_ = 0;
};

}  // namespace cyc::device::detail
