// candidates.h - state shared by the object lifecycle (object.cpp) and the collector
// (collector.cpp): the candidate buffers, their lock, the hot counters, and what CYC_REPORT
// keeps (cyc_report_writer.cpp).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_set>
#include <vector>

#include <cyc/detail/object.h>
#include <cyc/gc.h>

namespace cyc::detail {

inline std::int64_t steady_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// With CYC_REPORT: when the last drop that left a candidate's count non-zero happened, in
// steady-clock nanoseconds, and how many collections had started by then.
struct Since {
  std::int64_t ns = -1;  // -1: never seen
  std::uint64_t collections = 0;
};

// The candidate roots of one generation: a contiguous buffer (examining candidates then
// reads memory in order instead of chasing links through every object). Removing one
// leaves a hole that the next collection of this generation, or a compaction, drops.
// With CYC_REPORT, `since` runs parallel to `entries` (every push gives a Since).
struct CandidateList {
  std::vector<GcHead*> entries;
  std::vector<Since> since;
  std::size_t size = 0;  // entries that are not holes

  void push(GcHead* g, std::uint8_t index) {
    if (entries.size() >= 1024 && entries.size() >= 2 * size) compact();
    g->set_list(index);
    g->slot = static_cast<std::uint32_t>(entries.size());
    entries.push_back(g);
    ++size;
  }
  void push(GcHead* g, std::uint8_t index, Since when) {
    // Room first, so that the two never differ in length if an allocation throws.
    if (since.size() == since.capacity()) since.reserve(2 * since.size() + 16);
    push(g, index);
    since.push_back(when);
  }
  void remove(GcHead* g) noexcept {
    entries[g->slot] = nullptr;
    --size;
  }
  void clear() noexcept {
    entries.clear();
    since.clear();
    size = 0;
  }
  void compact() noexcept {
    const bool timed = !since.empty();
    std::size_t out = 0;
    for (std::size_t i = 0; i < entries.size(); ++i)
      if (GcHead* g = entries[i]) {
        g->slot = static_cast<std::uint32_t>(out);
        if (timed) since[out] = since[i];
        entries[out++] = g;
      }
    entries.resize(out);
    if (timed) since.resize(out);
  }
};

struct Candidates {
  // Guards the candidate lists, GcHead::list() and ::slot and every change of kBuffered. Held by
  // the collector while it examines objects, so that no candidate can be destroyed under it.
  std::mutex lock;
  CandidateList lists[gc::kGenerations];  // by generation
  std::uint64_t collections = 0;  // collections started; each takes the next number
  // With CYC_REPORT: every live object (for the report of what is alive at exit).
  std::unordered_set<Header*> census;

  void unlink(GcHead* g) noexcept { lists[g->list()].remove(g); }
  // Whether g sits in a candidate list. Without CYC_REPORT, kBuffered says so more cheaply;
  // with it (see collector.cpp), this is the only record. Exact: g appears in a list only
  // while it is listed, and then at g->slot of list g->list() (removal nulls its entry, clear()
  // and compact() keep no stale copies).
  bool listed(GcHead* g) const noexcept {
    const CandidateList& l = lists[g->list()];
    return g->slot < l.entries.size() && l.entries[g->slot] == g;
  }
};

// Number of live tracked objects: per-thread counters, summed on demand (see object.cpp).
std::size_t tracked_objects() noexcept;

// Never destroyed: handles in static objects may be dropped after main returns.
Candidates& candidates() noexcept;

// Hot counters, read on every allocation of a tracked object.
extern constinit std::atomic<bool> g_enabled;

// Per-thread state: is this thread inside a collection, inside a trace hook, or holding
// the buffer lock? Used to make re-entrant and forbidden calls safe or loudly fatal.
extern thread_local bool tl_collecting;
extern thread_local bool tl_in_trace;
extern thread_local bool tl_holds_lock;

// RAII for Candidates::lock that turns self-deadlock (a trace hook touching handles) into a
// clear fatal error. While the process has a single thread there is nobody to exclude, and
// the mutex is skipped (no thread can start inside the critical sections: they run no user
// code but trace hooks).
class CandidatesLock {
 public:
  CandidatesLock();
  ~CandidatesLock();
  CandidatesLock(const CandidatesLock&) = delete;
  CandidatesLock& operator=(const CandidatesLock&) = delete;

 private:
  bool locked_ = false;
};


}  // namespace cyc::detail
