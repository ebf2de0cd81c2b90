// allocator.cpp - the caching allocator: pools, best fit, split and merge, per-stream reuse,
// statistics and the out-of-memory chain. See allocator.h for the invariants and
// <cyc/device.h> for the policy.
#include "allocator.h"

#include <algorithm>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <map>

#include <cyc/gc.h>

#include "../type_name.h"

namespace cyc::device::detail {

// ---- sizes --------------------------------------------------------------------------------

std::size_t round_size(std::size_t bytes) {
  if (bytes < kMinBlockSize) return kMinBlockSize;
  // Far beyond any device; the bound keeps every later rounding (to 2 MiB) from overflowing.
  if (bytes > std::numeric_limits<std::size_t>::max() - 2 * kRoundLarge)
    throw Error("cyc::device: a request of " + std::to_string(bytes) + " bytes is too large");
  return (bytes + kMinBlockSize - 1) / kMinBlockSize * kMinBlockSize;
}

std::size_t segment_size(std::size_t rounded) {
  if (rounded <= kSmallSize) return kSmallBuffer;
  if (rounded < kMinLargeAlloc) return kLargeBuffer;
  return (rounded + kRoundLarge - 1) / kRoundLarge * kRoundLarge;
}

// The least a request of `rounded` bytes can be served from: the segment of the small pool,
// or (large pool) a segment of just the request rounded up to 2 MiB (see attempt()).
std::size_t smallest_segment(std::size_t rounded) {
  if (rounded <= kSmallSize) return kSmallBuffer;
  return (rounded + kRoundLarge - 1) / kRoundLarge * kRoundLarge;
}

std::string format_bytes(std::size_t bytes) {
  char buf[48];
  const double b = static_cast<double>(bytes);
  if (bytes < 1024) std::snprintf(buf, sizeof buf, "%zu B", bytes);
  else if (bytes < (1u << 20)) std::snprintf(buf, sizeof buf, "%.2f KiB", b / 1024);
  else if (bytes < (1ull << 30)) std::snprintf(buf, sizeof buf, "%.2f MiB", b / (1 << 20));
  else std::snprintf(buf, sizeof buf, "%.2f GiB", b / (1ull << 30));
  return buf;
}

std::string owner_name(const std::type_info* owner) {
  return owner ? cyc::detail::type_name(*owner) : std::string("(unknown)");
}

// ---- statistics ---------------------------------------------------------------------------

namespace {

// The sign is known at almost every call site: inc/dec keep those paths branch-free.
inline void inc(Stat& s, std::int64_t n) noexcept {
  s.current += n;
  s.allocated += n;
  if (s.current > s.peak) s.peak = s.current;
}
inline void dec(Stat& s, std::int64_t n) noexcept {
  s.current -= n;
  s.freed += n;
}
inline void inc(StatArray& a, bool small, std::int64_t n) noexcept {
  inc(a.all, n);
  inc(small ? a.small_pool : a.large_pool, n);
}
inline void dec(StatArray& a, bool small, std::int64_t n) noexcept {
  dec(a.all, n);
  dec(small ? a.small_pool : a.large_pool, n);
}
inline void update(StatArray& a, bool small, std::int64_t delta) noexcept {
  if (delta > 0) inc(a, small, delta);
  else if (delta < 0) dec(a, small, -delta);
}

template <class S, class F>
void for_each_array(S& s, F f) {
  f("allocation", s.allocation);
  f("segment", s.segment);
  f("active", s.active);
  f("inactive_split", s.inactive_split);
  f("allocated_bytes", s.allocated_bytes);
  f("reserved_bytes", s.reserved_bytes);
  f("active_bytes", s.active_bytes);
  f("inactive_split_bytes", s.inactive_split_bytes);
  f("requested_bytes", s.requested_bytes);
}

template <class A, class F>
void for_each_stat(A& a, F f) {
  f("all", a.all);
  f("small_pool", a.small_pool);
  f("large_pool", a.large_pool);
}

std::int64_t as_delta(std::size_t n) noexcept { return static_cast<std::int64_t>(n); }

}  // namespace
}  // namespace cyc::device::detail

namespace cyc::device {

std::map<std::string, std::int64_t> MemoryStats::to_map() const {
  std::map<std::string, std::int64_t> m;
  detail::for_each_array(*this, [&](const char* name, const StatArray& a) {
    detail::for_each_stat(a, [&](const char* pool, const Stat& s) {
      const std::string base = std::string(name) + "." + pool + ".";
      m[base + "current"] = s.current;
      m[base + "peak"] = s.peak;
      m[base + "allocated"] = s.allocated;
      m[base + "freed"] = s.freed;
    });
  });
  m["num_alloc_retries"] = num_alloc_retries;
  m["num_oom_collections"] = num_oom_collections;
  m["num_ooms"] = num_ooms;
  return m;
}

}  // namespace cyc::device

namespace cyc::device::detail {

// ---- the allocator ------------------------------------------------------------------------

Allocator::Allocator(std::unique_ptr<Backend> backend, std::optional<std::size_t> capacity, std::string note)
    : backend_(std::move(backend)), note_(std::move(note)) {
  if (!backend_) throw Error("cyc::device: an allocator needs a backend");
  limit_ = capacity ? capacity : backend_->default_capacity();
}

Allocator::~Allocator() {
  if (stats_.allocation.all.current != 0) {
    const std::string what = "cyc::device: an allocator was destroyed while " +
                             std::to_string(stats_.allocation.all.current) +
                             " allocation(s) from it were live";
    cyc::detail::fatal(what.c_str());
  }
  try {
    release_cached();
  } catch (const Error&) {
    // The backend failed to free a segment; nothing more can be done for it at this point.
  }
  for (Segment* s = segments_; s;) {
    for (Block* b = s->first; b;) {
      Block* next = b->next;
      if (!b->node) {  // in a free set: take its node back so the set does not outlive it
        Pool& pool = s->small ? small_ : large_;
        b->node = pool.free.extract(b);
      }
      delete b;
      b = next;
    }
    Segment* next = s->next;
    delete s;
    s = next;
  }
  while (spares_) {
    Block* next = spares_->next;
    delete spares_;
    spares_ = next;
  }
}

void Allocator::reserve_spares() {
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

Block* Allocator::new_block() noexcept {
  Block* b = spares_;  // reserve_spares() ran under this lock
  spares_ = b->next;
  --spare_count_;
  b->next = nullptr;
  return b;
}

void Allocator::delete_block(Block* b) noexcept {
  FreeSet::node_type node = std::move(b->node);
  *b = Block{};
  b->node = std::move(node);
  b->next = spares_;
  spares_ = b;
  ++spare_count_;
}

void Allocator::add_inactive_split(bool small, std::int64_t blocks, std::int64_t bytes) noexcept {
  update(stats_.inactive_split, small, blocks);
  update(stats_.inactive_split_bytes, small, bytes);
}

Block* Allocator::find_free(Pool& pool, std::uintptr_t stream, std::size_t rounded) {
  auto it = pool.free.lower_bound(BlockKey{stream, rounded, nullptr});
  if (it == pool.free.end() || (*it)->stream != stream) return nullptr;
  Block* b = *it;
  b->node = pool.free.extract(it);
  return b;
}

Block* Allocator::new_segment(Pool& pool, std::uintptr_t stream, std::size_t size) {
  if (limit_ && (static_cast<std::size_t>(stats_.reserved_bytes.all.current) > *limit_ ||
                 size > *limit_ - static_cast<std::size_t>(stats_.reserved_bytes.all.current)))
    return nullptr;
  auto seg = std::make_unique<Segment>();
  void* p = backend_->allocate(size);  // Error propagates; nothing to undo
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
  inc(stats_.segment, pool.small, 1);
  inc(stats_.reserved_bytes, pool.small, as_delta(size));
  return b;
}

Block* Allocator::attempt(Pool& pool, std::uintptr_t stream, std::size_t rounded) {
  if (Block* b = find_free(pool, stream, rounded)) return b;
  const std::size_t preferred = segment_size(rounded);
  if (Block* b = new_segment(pool, stream, preferred)) return b;
  if (!pool.small) {
    // A 20 MiB segment did not fit: one just large enough may.
    const std::size_t exact = smallest_segment(rounded);
    if (exact < preferred) return new_segment(pool, stream, exact);
  }
  return nullptr;
}

Block* Allocator::take(Pool& pool, Block* b, std::size_t rounded, std::size_t requested,
                       const std::type_info* owner) {
  // An inactive split block is a free block with a neighbour: b stops being one (if it was),
  // the rest split off from it becomes one.
  std::int64_t split_blocks = 0, split_bytes = 0;
  if (b->prev || b->next) {
    split_blocks = -1;
    split_bytes = -as_delta(b->size);
  }
  const std::size_t remaining = b->size - rounded;
  const bool split = pool.small ? remaining >= kMinBlockSize : remaining > kSmallSize;
  if (split) {
    Block* rest = new_block();
    rest->ptr = b->ptr + rounded;
    rest->size = remaining;
    rest->stream = b->stream;
    rest->segment = b->segment;
    rest->prev = b;
    rest->next = b->next;
    if (b->next) b->next->prev = rest;
    b->next = rest;
    b->size = rounded;
    pool.free.insert(std::move(rest->node));
    split_blocks += 1;
    split_bytes += as_delta(remaining);
  }
  if (split_blocks != 0 || split_bytes != 0) add_inactive_split(pool.small, split_blocks, split_bytes);
  b->allocated = true;
  b->requested = requested;
  b->owner = owner;
  inc(stats_.allocation, pool.small, 1);
  inc(stats_.allocated_bytes, pool.small, as_delta(b->size));
  inc(stats_.requested_bytes, pool.small, as_delta(requested));
  return b;
}

Block* Allocator::allocate(std::size_t bytes, Stream stream, const std::type_info* owner) {
  if (bytes == 0) throw Error("cyc::device: an allocation of 0 bytes has no block");
  const std::size_t rounded = round_size(bytes);
  const std::uintptr_t s = stream.native();
  std::unique_lock<std::mutex> lock(mu_);
  reserve_spares();
  Pool& pool = pool_for(rounded);
  if (Block* b = attempt(pool, s, rounded)) return take(pool, b, rounded, bytes, owner);

  // 1. Return the unused cached segments (of every stream and pool) and retry.
  ++stats_.num_alloc_retries;
  release_cached();
  if (Block* b = attempt(pool, s, rounded)) return take(pool, b, rounded, bytes, owner);

  // 2. Garbage cycles may hold device memory: collect them and retry. The collector frees
  //    garbage Buffers, which come back here through free(), so the lock is not held.
  bool collected = false;
  std::size_t found = 0;
  const bool may_collect = collect_on_oom() && cyc::detail::may_collect_implicitly();
  if (may_collect) {
    lock.unlock();
    found = cyc::gc::collect();
    lock.lock();
    collected = true;
    ++stats_.num_oom_collections;
    reserve_spares();
    if (Block* b = attempt(pool, s, rounded)) return take(pool, b, rounded, bytes, owner);
    release_cached();
    if (Block* b = attempt(pool, s, rounded)) return take(pool, b, rounded, bytes, owner);
  }

  // 3. Give up, saying what holds the memory.
  ++stats_.num_ooms;
  throw_oom(bytes, rounded, stream, collected, found);
}

void Allocator::free(Block* b) noexcept {
  std::lock_guard<std::mutex> lock(mu_);
  Segment* seg = b->segment;
  Pool& pool = seg->small ? small_ : large_;
  dec(stats_.allocation, seg->small, 1);
  dec(stats_.allocated_bytes, seg->small, as_delta(b->size));
  dec(stats_.requested_bytes, seg->small, as_delta(b->requested));
  b->allocated = false;
  b->requested = 0;
  b->owner = nullptr;
  // Free neighbours (inactive split blocks: each has b as a neighbour) merge into b, which is
  // an inactive split block afterwards unless it is the whole segment again.
  std::int64_t split_blocks = 0, split_bytes = 0;
  if (Block* p = b->prev; p && !p->allocated) {
    split_blocks -= 1;
    split_bytes -= as_delta(p->size);
    p->node = pool.free.extract(p);
    b->ptr = p->ptr;
    b->size += p->size;
    b->prev = p->prev;
    if (p->prev) p->prev->next = b;
    else seg->first = b;
    delete_block(p);
  }
  if (Block* n = b->next; n && !n->allocated) {
    split_blocks -= 1;
    split_bytes -= as_delta(n->size);
    n->node = pool.free.extract(n);
    b->size += n->size;
    b->next = n->next;
    if (n->next) n->next->prev = b;
    delete_block(n);
  }
  pool.free.insert(std::move(b->node));
  if (b->prev || b->next) {
    split_blocks += 1;
    split_bytes += as_delta(b->size);
  }
  if (split_blocks != 0 || split_bytes != 0) add_inactive_split(seg->small, split_blocks, split_bytes);
}

void Allocator::set_owner(Block* b, const std::type_info* owner) noexcept {
  std::lock_guard<std::mutex> lock(mu_);
  b->owner = owner;
}

void Allocator::release_segment(Segment* s) {
  if (s->prev) s->prev->next = s->next;
  else segments_ = s->next;
  if (s->next) s->next->prev = s->prev;
  dec(stats_.segment, s->small, 1);
  dec(stats_.reserved_bytes, s->small, as_delta(s->size));
  delete s;
}

std::size_t Allocator::release_cached() {
  std::size_t released = 0;
  for (Pool* pool : {&small_, &large_}) {
    for (auto it = pool->free.begin(); it != pool->free.end();) {
      Block* b = *it;
      if (b->prev || b->next) {  // part of a segment in use
        ++it;
        continue;
      }
      Segment* s = b->segment;
      backend_->deallocate(s->base, s->size);  // throws Error: this segment stays cached
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

void Allocator::empty_cache() {
  std::lock_guard<std::mutex> lock(mu_);
  release_cached();
}

std::vector<OutOfMemory::Owner> Allocator::owners() const {
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

void Allocator::throw_oom(std::size_t bytes, std::size_t rounded, Stream stream, bool collected,
                          std::size_t collected_objects) {
  const std::size_t allocated = static_cast<std::size_t>(stats_.allocated_bytes.all.current);
  const std::size_t reserved = static_cast<std::size_t>(stats_.reserved_bytes.all.current);
  std::size_t cap = limit_.value_or(0);
  std::string device_free;
  if (!limit_ || std::string(backend_->name()) == "cuda") {
    try {
      const MemInfo m = backend_->mem_info();
      if (!limit_) cap = m.total;
      device_free = "; the device has " + format_bytes(m.free) + " free of " + format_bytes(m.total);
    } catch (const Error& e) {
      device_free = std::string("; cudaMemGetInfo failed too: ") + e.what();
    }
  }
  std::string msg = "cyc::device: out of memory: tried to allocate " + format_bytes(bytes) + " (" +
                    std::to_string(bytes) + " bytes";
  if (rounded != bytes) msg += ", a block of " + std::to_string(rounded);
  msg += ")";
  if (!stream.is_default()) {
    char buf[48];
    std::snprintf(buf, sizeof buf, " on stream 0x%jx", static_cast<std::uintmax_t>(stream.native()));
    msg += buf;
  }
  msg += " from the " + std::string(backend_->name()) + " backend; capacity " + format_bytes(cap) +
         (limit_ ? "" : " (the device's total)") + ", " + format_bytes(allocated) + " allocated, " +
         format_bytes(reserved) + " reserved by this allocator (" +
         format_bytes(reserved - std::min(reserved, allocated)) + " of it cached in partly used segments)" +
         device_free + ". Freed the cache and retried";
  if (collected)
    msg += ", then ran the cycle collector (it found " + std::to_string(collected_objects) +
           " unreachable object(s)) and retried";
  else if (!collect_on_oom())
    msg += "; the cycle collector was not run (cyc::device::set_collect_on_oom(false))";
  else
    msg += "; the cycle collector was not run: the process has several threads, where only "
           "cyc::gc::collect() and cyc::gc::safepoint() run it (see <cyc/gc.h>, Threading)";
  std::vector<OutOfMemory::Owner> live = owners();
  const std::size_t least = smallest_segment(rounded);
  if (live.empty() && limit_ && least > *limit_) {
    msg += ". No live blocks: a request of this size is served from a segment of at least " +
           format_bytes(least) + ", more than the capacity; set a capacity of at least " +
           format_bytes(least) + " (CYC_DEVICE_CAPACITY).";
  } else if (live.empty()) {
    msg += ". No live blocks: the request is larger than what the backend can give.";
  } else {
    msg += ". Largest live owners: ";
    for (std::size_t i = 0; i < live.size() && i < 5; ++i) {
      if (i) msg += ", ";
      msg += live[i].type + " (" + std::to_string(live[i].blocks) + " block" +
             (live[i].blocks == 1 ? "" : "s") + ", " + format_bytes(live[i].bytes) + ")";
    }
    if (live.size() > 5) msg += ", and " + std::to_string(live.size() - 5) + " more type(s)";
    msg += ".";
  }
  throw OutOfMemory(msg, bytes, cap, allocated, reserved, std::move(live));
}

// ---- reading the statistics ---------------------------------------------------------------

MemoryStats Allocator::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  MemoryStats s = stats_;
  // Frees are never deferred (no cross-stream use is recorded), so "active" is "allocated";
  // it is kept for torch compatibility without being counted twice.
  s.active = s.allocation;
  s.active_bytes = s.allocated_bytes;
  return s;
}

std::size_t Allocator::allocated_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<std::size_t>(stats_.allocated_bytes.all.current);
}

std::size_t Allocator::reserved_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<std::size_t>(stats_.reserved_bytes.all.current);
}

void Allocator::reset_peak() {
  std::lock_guard<std::mutex> lock(mu_);
  for_each_array(stats_, [](const char*, StatArray& a) {
    for_each_stat(a, [](const char*, Stat& s) { s.peak = s.current; });
  });
}

void Allocator::reset_accumulated() {
  std::lock_guard<std::mutex> lock(mu_);
  for_each_array(stats_, [](const char*, StatArray& a) {
    for_each_stat(a, [](const char*, Stat& s) { s.allocated = s.freed = 0; });
  });
  stats_.num_alloc_retries = 0;
  stats_.num_oom_collections = 0;
  stats_.num_ooms = 0;
}

std::size_t Allocator::capacity() {
  if (limit_) return *limit_;
  return backend_->mem_info().total;
}

// ---- self-check (tests) -------------------------------------------------------------------

std::string Allocator::check() const {
  std::lock_guard<std::mutex> lock(mu_);
  MemoryStats want;  // currents recomputed from the segments
  std::size_t free_blocks[2] = {0, 0};
  auto add = [](StatArray& a, bool small, std::int64_t d) {
    a.all.current += d;
    (small ? a.small_pool : a.large_pool).current += d;
  };
  std::size_t n = 0;
  for (const Segment* s = segments_; s; s = s->next, ++n) {
    const std::string where = "segment " + std::to_string(n);
    if (s->next && s->next->prev != s) return where + ": broken segment list";
    add(want.segment, s->small, 1);
    add(want.reserved_bytes, s->small, as_delta(s->size));
    const char* at = s->base;
    const Block* prev = nullptr;
    for (const Block* b = s->first; b; prev = b, b = b->next) {
      if (b->prev != prev) return where + ": broken block links";
      if (b->segment != s) return where + ": a block names another segment";
      if (b->ptr != at) return where + ": blocks do not tile the segment";
      if (b->stream != s->stream) return where + ": a block's stream differs from its segment's";
      if (b->size == 0 || b->size % kMinBlockSize != 0) return where + ": a block size is not a multiple of 512";
      at += b->size;
      if (b->allocated) {
        if (b->node.empty()) return where + ": an allocated block has no node";
        add(want.allocation, s->small, 1);
        add(want.allocated_bytes, s->small, as_delta(b->size));
        add(want.requested_bytes, s->small, as_delta(b->requested));
      } else {
        if (prev && !prev->allocated) return where + ": two free neighbours were not merged";
        const Pool& pool = s->small ? small_ : large_;
        if (!pool.free.count(const_cast<Block*>(b)) || !b->node.empty())
          return where + ": a free block is not in its pool's free set";
        ++free_blocks[s->small ? 0 : 1];
        if (b->prev || b->next) {
          add(want.inactive_split, s->small, 1);
          add(want.inactive_split_bytes, s->small, as_delta(b->size));
        }
      }
    }
    if (at != s->base + s->size) return where + ": blocks do not cover the segment";
  }
  if (free_blocks[0] != small_.free.size() || free_blocks[1] != large_.free.size())
    return "a free set holds blocks that are not in any segment";
  std::string bad;
  auto compare = [&](const char* name, const StatArray& w) {
    StatArray have{};
    for_each_array(stats_, [&](const char* n2, const StatArray& a) {
      if (std::string(n2) == name) have = a;
    });
    if (have.all.current != w.all.current || have.small_pool.current != w.small_pool.current ||
        have.large_pool.current != w.large_pool.current)
      bad += std::string(bad.empty() ? "" : "; ") + name + " statistics disagree with the blocks (" +
             std::to_string(have.all.current) + " counted, " + std::to_string(w.all.current) + " found)";
  };
  for_each_array(want, [&](const char* name, const StatArray& a) { compare(name, a); });
  return bad;
}

}  // namespace cyc::device::detail
