// statistics.h - the allocator's counters (MemoryStats of <cyc/device.h>): what the caching
// pool and the out-of-memory chain report, kept as current / peak / allocated / freed per
// pool, plus the chain's event counts.
//
// Contract: each record_* / count_* call is one event the caller has just made true of its
// blocks and segments; Statistics only counts. The invariant it helps keep - every current
// value equals what the segments and blocks say - is checked by comparing with a count made
// from the blocks (compare_currents). A change of the inactive split blocks is reported as
// one net delta per operation, so that allocated/freed totals count the net change only.
// "active" and "active_bytes" are not kept: frees are never deferred, so read() copies them
// from "allocation" and "allocated_bytes".
//
// Threading: not synchronized; the owning allocator's lock guards every call.
// Complexity: recording is O(1) and never allocates; read() copies a fixed-size struct;
// reset_* and compare_currents are O(number of statistics).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <cyc/device.h>

namespace cyc::device::detail {

class Statistics {
 public:
  // A segment of `bytes` was reserved from / returned to the backend.
  void record_segment_reserved(bool small, std::size_t bytes) noexcept {
    inc(stats_.segment, small, 1);
    inc(stats_.reserved_bytes, small, as_delta(bytes));
  }
  void record_segment_released(bool small, std::size_t bytes) noexcept {
    dec(stats_.segment, small, 1);
    dec(stats_.reserved_bytes, small, as_delta(bytes));
  }
  // A block of `block_bytes` was handed out for a request of `requested` bytes / came back.
  void record_block_allocated(bool small, std::size_t block_bytes, std::size_t requested) noexcept {
    inc(stats_.allocation, small, 1);
    inc(stats_.allocated_bytes, small, as_delta(block_bytes));
    inc(stats_.requested_bytes, small, as_delta(requested));
  }
  void record_block_freed(bool small, std::size_t block_bytes, std::size_t requested) noexcept {
    dec(stats_.allocation, small, 1);
    dec(stats_.allocated_bytes, small, as_delta(block_bytes));
    dec(stats_.requested_bytes, small, as_delta(requested));
  }
  // The inactive split blocks (free blocks with a neighbour) changed by a net `blocks` and
  // `bytes` in one operation (either may be negative; zero changes nothing).
  void record_inactive_split_change(bool small, std::int64_t blocks, std::int64_t bytes) noexcept {
    update(stats_.inactive_split, small, blocks);
    update(stats_.inactive_split_bytes, small, bytes);
  }

  // The out-of-memory chain's steps.
  void count_alloc_retry() noexcept { ++stats_.num_alloc_retries; }
  void count_oom_collection() noexcept { ++stats_.num_oom_collections; }
  void count_oom() noexcept { ++stats_.num_ooms; }

  // Everything, as memory_stats() returns it.
  MemoryStats read() const noexcept;
  std::size_t allocated_bytes() const noexcept {
    return static_cast<std::size_t>(stats_.allocated_bytes.all.current);
  }
  std::size_t reserved_bytes() const noexcept {
    return static_cast<std::size_t>(stats_.reserved_bytes.all.current);
  }
  std::int64_t live_allocations() const noexcept { return stats_.allocation.all.current; }

  void reset_peak() noexcept;         // every peak := its current value
  void reset_accumulated() noexcept;  // every allocated/freed total and event count := 0

  // "" when every current value (all pools, each pool) equals the one in `found`, a count
  // made from the blocks and segments (only its current values are read); else what differs.
  std::string compare_currents(const MemoryStats& found) const;

 private:
  static std::int64_t as_delta(std::size_t n) noexcept { return static_cast<std::int64_t>(n); }
  // The sign is known at almost every call site: inc/dec keep those paths branch-free.
  static void inc(Stat& s, std::int64_t n) noexcept {
    s.current += n;
    s.allocated += n;
    if (s.current > s.peak) s.peak = s.current;
  }
  static void dec(Stat& s, std::int64_t n) noexcept {
    s.current -= n;
    s.freed += n;
  }
  static void inc(StatArray& a, bool small, std::int64_t n) noexcept {
    inc(a.all, n);
    inc(small ? a.small_pool : a.large_pool, n);
  }
  static void dec(StatArray& a, bool small, std::int64_t n) noexcept {
    dec(a.all, n);
    dec(small ? a.small_pool : a.large_pool, n);
  }
  static void update(StatArray& a, bool small, std::int64_t delta) noexcept {
    if (delta > 0) inc(a, small, delta);
    else if (delta < 0) dec(a, small, -delta);
  }

  MemoryStats stats_;
};

}  // namespace cyc::device::detail
