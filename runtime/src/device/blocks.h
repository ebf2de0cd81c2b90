// blocks.h - the caching pool's records: a Segment is one backend allocation, tiled by Blocks;
// free blocks are kept in a FreeSet ordered for best fit.
//
// These are plain records; caching_pool.h states and keeps their invariants (blocks tile
// their segment in address order, no two free neighbours, a free block is in exactly one free
// set). Threading: not synchronized; the allocator's lock guards every record reachable from
// its pool. A Block carries its own FreeSet node so that moving it in and out of a free set
// never allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <typeinfo>

namespace cyc::device::detail {

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
  Segment* prev = nullptr;  // all segments of a pool, in a list
  Segment* next = nullptr;
};

}  // namespace cyc::device::detail
