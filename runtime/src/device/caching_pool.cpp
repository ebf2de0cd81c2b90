// caching_pool.cpp - best fit, split and merge, per-stream reuse and releasing cached
// segments. See caching_pool.h for the invariants and <cyc/device.h> for the policy.
#include "caching_pool.h"

#include <algorithm>
#include <initializer_list>
#include <map>
#include <memory>

#include "formatting.h"
#include "size_classes.h"

namespace cyc::device::detail {
namespace {

std::int64_t as_delta(std::size_t n) noexcept { return static_cast<std::int64_t>(n); }

// An inactive split block is a free block with a neighbour in its segment.
bool is_split(const Block* b) noexcept { return b->prev || b->next; }

void add_current(StatArray& a, bool small, std::int64_t n) noexcept {
  a.all.current += n;
  (small ? a.small_pool : a.large_pool).current += n;
}

}  // namespace

CachingPool::~CachingPool() {
  try {
    release_cached();
  } catch (const Error&) {
    // The source failed to take a segment back; nothing more can be done for it here.
  }
  delete_records();
}

void CachingPool::delete_records() noexcept {
  for (Segment* s = segments_; s;) {
    for (Block* b = s->first; b;) {
      Block* next = b->next;
      if (!b->node) b->node = pool_for(s->small).free.extract(b);  // the set must not outlive it
      delete b;
      b = next;
    }
    Segment* next = s->next;
    delete s;
    s = next;
  }
  segments_ = nullptr;
  while (spares_) {
    Block* next = spares_->next;
    delete spares_;
    spares_ = next;
  }
  spare_count_ = 0;
}

// ---- block records --------------------------------------------------------------------------

// Two spares cover the most one request needs (a new segment's block and a split-off rest),
// so that nothing after the backend call can fail.
void CachingPool::reserve_spares() {
  while (spare_count_ < 2) {
    auto b = std::make_unique<Block>();
    FreeSet scratch;
    scratch.insert(b.get());
    b->node = scratch.extract(scratch.begin());
    b->next = spares_;
    spares_ = b.release();
    ++spare_count_;
  }
}

Block* CachingPool::new_block() noexcept {
  Block* b = spares_;
  spares_ = b->next;
  --spare_count_;
  b->next = nullptr;
  return b;
}

void CachingPool::delete_block(Block* b) noexcept {
  FreeSet::node_type node = std::move(b->node);
  *b = Block{};
  b->node = std::move(node);
  b->next = spares_;
  spares_ = b;
  ++spare_count_;
}

// ---- allocating -----------------------------------------------------------------------------

Block* CachingPool::find_free(Pool& pool, std::uintptr_t stream, std::size_t rounded) {
  auto it = pool.free.lower_bound(BlockKey{stream, rounded, nullptr});
  if (it == pool.free.end() || (*it)->stream != stream) return nullptr;
  Block* b = *it;
  b->node = pool.free.extract(it);
  return b;
}

Block* CachingPool::new_segment(Pool& pool, std::uintptr_t stream, std::size_t size) {
  auto seg = std::make_unique<Segment>();  // before the source call: nothing may throw after it
  void* p = source_.allocate(size);        // Error propagates; nothing to undo
  if (!p) return nullptr;
  Block* b = new_block();
  seg->base = static_cast<char*>(p);
  seg->size = size;
  seg->stream = stream;
  seg->small = pool.small;
  seg->first = b;
  seg->next = segments_;
  if (segments_) segments_->prev = seg.get();
  segments_ = seg.get();
  b->ptr = seg->base;
  b->size = size;
  b->stream = stream;
  b->segment = seg.release();
  stats_.record_segment_reserved(pool.small, size);
  return b;
}

Block* CachingPool::find_or_reserve(Pool& pool, std::uintptr_t stream, std::size_t rounded) {
  if (Block* b = find_free(pool, stream, rounded)) return b;
  const std::size_t preferred = segment_size(rounded);
  if (Block* b = new_segment(pool, stream, preferred)) return b;
  if (!pool.small) {
    // A shared large segment did not fit: one just large enough may.
    const std::size_t exact = smallest_segment(rounded);
    if (exact < preferred) return new_segment(pool, stream, exact);
  }
  return nullptr;
}

// Cuts b down to `rounded` bytes; the rest becomes a free block after it.
void CachingPool::split(Pool& pool, Block* b, std::size_t rounded) {
  Block* rest = new_block();
  rest->ptr = b->ptr + rounded;
  rest->size = b->size - rounded;
  rest->stream = b->stream;
  rest->segment = b->segment;
  rest->prev = b;
  rest->next = b->next;
  if (b->next) b->next->prev = rest;
  b->next = rest;
  b->size = rounded;
  pool.free.insert(std::move(rest->node));
}

Block* CachingPool::take(Pool& pool, Block* b, std::size_t rounded, std::size_t requested,
                         const std::type_info* owner) {
  // b stops being an inactive split block (if it was); the rest split off from it becomes one.
  std::int64_t split_blocks = 0, split_bytes = 0;
  if (is_split(b)) {
    split_blocks = -1;
    split_bytes = -as_delta(b->size);
  }
  const std::size_t remaining = b->size - rounded;
  if (worth_splitting(pool.small, remaining)) {
    split(pool, b, rounded);
    split_blocks += 1;
    split_bytes += as_delta(remaining);
  }
  stats_.record_inactive_split_change(pool.small, split_blocks, split_bytes);
  b->allocated = true;
  b->requested = requested;
  b->owner = owner;
  stats_.record_block_allocated(pool.small, b->size, requested);
  return b;
}

Block* CachingPool::try_allocate(std::size_t rounded, std::uintptr_t stream, std::size_t requested,
                                 const std::type_info* owner) {
  reserve_spares();
  Pool& pool = pool_for(in_small_pool(rounded));
  Block* b = find_or_reserve(pool, stream, rounded);
  return b ? take(pool, b, rounded, requested, owner) : nullptr;
}

// ---- freeing --------------------------------------------------------------------------------

// The free `neighbour` of b (its prev or its next) leaves the free set and joins b.
void CachingPool::merge_into(Pool& pool, Block* b, Block* neighbour) noexcept {
  neighbour->node = pool.free.extract(neighbour);
  b->size += neighbour->size;
  if (neighbour == b->prev) {
    b->ptr = neighbour->ptr;
    b->prev = neighbour->prev;
    if (neighbour->prev) neighbour->prev->next = b;
    else b->segment->first = b;
  } else {
    b->next = neighbour->next;
    if (neighbour->next) neighbour->next->prev = b;
  }
  delete_block(neighbour);
}

void CachingPool::free(Block* b) noexcept {
  Segment* seg = b->segment;
  Pool& pool = pool_for(seg->small);
  stats_.record_block_freed(seg->small, b->size, b->requested);
  b->allocated = false;
  b->requested = 0;
  b->owner = nullptr;
  // Free neighbours (inactive split blocks: each has b as a neighbour) merge into b, which is
  // an inactive split block afterwards unless it is the whole segment again.
  std::int64_t split_blocks = 0, split_bytes = 0;
  for (Block* n : {b->prev, b->next}) {
    if (!n || n->allocated) continue;
    split_blocks -= 1;
    split_bytes -= as_delta(n->size);
    merge_into(pool, b, n);
  }
  pool.free.insert(std::move(b->node));
  if (is_split(b)) {
    split_blocks += 1;
    split_bytes += as_delta(b->size);
  }
  stats_.record_inactive_split_change(seg->small, split_blocks, split_bytes);
}

// ---- releasing cached segments --------------------------------------------------------------

void CachingPool::release_segment(Segment* s) {
  if (s->prev) s->prev->next = s->next;
  else segments_ = s->next;
  if (s->next) s->next->prev = s->prev;
  stats_.record_segment_released(s->small, s->size);
  delete s;
}

std::size_t CachingPool::release_cached() {
  std::size_t released = 0;
  for (Pool* pool : {&small_, &large_}) {
    for (auto it = pool->free.begin(); it != pool->free.end();) {
      Block* b = *it;
      if (is_split(b)) {  // part of a segment in use
        ++it;
        continue;
      }
      Segment* s = b->segment;
      source_.deallocate(s->base, s->size);  // throws Error: this segment stays cached
      auto next = std::next(it);
      b->node = pool->free.extract(it);
      it = next;
      released += s->size;
      release_segment(s);
      delete_block(b);
    }
  }
  return released;
}

// ---- reading --------------------------------------------------------------------------------

std::vector<OutOfMemory::Owner> CachingPool::live_owners() const {
  std::map<const std::type_info*, OutOfMemory::Owner> by_type;
  for (const Segment* s = segments_; s; s = s->next)
    for (const Block* b = s->first; b; b = b->next) {
      if (!b->allocated) continue;
      OutOfMemory::Owner& o = by_type[b->owner];
      ++o.blocks;
      o.bytes += b->size;
    }
  std::vector<OutOfMemory::Owner> out;
  for (auto& [type, o] : by_type) {
    o.type = owner_name(type);
    out.push_back(std::move(o));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.bytes != b.bytes ? a.bytes > b.bytes : a.type < b.type;
  });
  return out;
}

// ---- self-check (tests) ---------------------------------------------------------------------

// One segment's blocks: links, tiling, merging, free-set membership; adds what they hold to
// `found` and counts its free blocks per pool (0: small, 1: large).
std::string CachingPool::check_segment(const Segment* s, MemoryStats& found, std::size_t free_blocks[2]) const {
  add_current(found.segment, s->small, 1);
  add_current(found.reserved_bytes, s->small, as_delta(s->size));
  const char* at = s->base;
  const Block* prev = nullptr;
  for (const Block* b = s->first; b; prev = b, b = b->next) {
    if (b->prev != prev) return "broken block links";
    if (b->segment != s) return "a block names another segment";
    if (b->ptr != at) return "blocks do not tile the segment";
    if (b->stream != s->stream) return "a block's stream differs from its segment's";
    if (b->size == 0 || b->size % kBlockRounding != 0)
      return "a block size is not a multiple of " + std::to_string(kBlockRounding);
    at += b->size;
    if (b->allocated) {
      if (b->node.empty()) return "an allocated block has no node";
      add_current(found.allocation, s->small, 1);
      add_current(found.allocated_bytes, s->small, as_delta(b->size));
      add_current(found.requested_bytes, s->small, as_delta(b->requested));
      continue;
    }
    if (prev && !prev->allocated) return "two free neighbours were not merged";
    if (!pool_for(s->small).free.count(const_cast<Block*>(b)) || !b->node.empty())
      return "a free block is not in its pool's free set";
    ++free_blocks[s->small ? 0 : 1];
    if (is_split(b)) {
      add_current(found.inactive_split, s->small, 1);
      add_current(found.inactive_split_bytes, s->small, as_delta(b->size));
    }
  }
  if (at != s->base + s->size) return "blocks do not cover the segment";
  return "";
}

std::string CachingPool::check(MemoryStats& found) const {
  found = MemoryStats{};
  std::size_t free_blocks[2] = {0, 0};
  std::size_t n = 0;
  for (const Segment* s = segments_; s; s = s->next, ++n) {
    const std::string where = "segment " + std::to_string(n) + ": ";
    if (s->next && s->next->prev != s) return where + "broken segment list";
    if (std::string bad = check_segment(s, found, free_blocks); !bad.empty()) return where + bad;
  }
  if (free_blocks[0] != small_.free.size() || free_blocks[1] != large_.free.size())
    return "a free set holds blocks that are not in any segment";
  return "";
}

}  // namespace cyc::device::detail
