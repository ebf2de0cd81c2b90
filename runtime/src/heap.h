// heap.h - state shared by the object lifecycle (object.cpp) and the collector
// (collector.cpp): the candidate buffers, their lock, and the hot counters.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <vector>

#include <cyc/detail/object.h>
#include <cyc/gc.h>

namespace cyc::detail {

// GcHead::color during a collection (kNone outside one).
enum Color : std::uint8_t { kNone = 0, kGray, kBlack, kWhite, kSkip };

// The candidate roots of one generation: a contiguous buffer (examining candidates then
// reads memory in order instead of chasing links through every object). Removing one
// leaves a hole that the next collection of this generation, or a compaction, drops.
struct CandidateList {
  std::vector<GcHead*> entries;
  std::size_t size = 0;  // entries that are not holes

  void push(GcHead* g, std::uint8_t index) {
    if (entries.size() >= 1024 && entries.size() >= 2 * size) compact();
    g->list = index;
    g->slot = static_cast<std::uint32_t>(entries.size());
    entries.push_back(g);
    ++size;
  }
  void remove(GcHead* g) noexcept {
    entries[g->slot] = nullptr;
    --size;
  }
  void clear() noexcept {
    entries.clear();
    size = 0;
  }
  void compact() noexcept {
    std::size_t out = 0;
    for (GcHead* g : entries)
      if (g) {
        g->slot = static_cast<std::uint32_t>(out);
        entries[out++] = g;
      }
    entries.resize(out);
  }
};

struct Heap {
  // Guards the candidate lists, GcHead::list/slot and every change of kBuffered. Held by
  // the collector while it examines objects, so that no candidate can be destroyed under it.
  std::mutex lock;
  CandidateList candidates[gc::kGenerations];

  void unlink(GcHead* g) noexcept { candidates[g->list].remove(g); }
};

// Number of live tracked objects: per-thread counters, summed on demand (see object.cpp).
std::size_t tracked_objects() noexcept;

// Never destroyed: handles in static objects may be dropped after main returns.
Heap& heap() noexcept;

// Hot counters, read on every allocation of a tracked object.
extern constinit std::atomic<bool> g_enabled;

// Per-thread state: is this thread inside a collection, inside a trace hook, or holding
// the buffer lock? Used to make re-entrant and forbidden calls safe or loudly fatal.
extern thread_local bool tl_collecting;
extern thread_local bool tl_in_trace;
extern thread_local bool tl_holds_lock;

// RAII for Heap::lock that turns self-deadlock (a trace hook touching handles) into a
// clear fatal error. While the process has a single thread there is nobody to exclude, and
// the mutex is skipped (no thread can start inside the critical sections: they run no user
// code but trace hooks).
class HeapLock {
 public:
  HeapLock();
  ~HeapLock();
  HeapLock(const HeapLock&) = delete;
  HeapLock& operator=(const HeapLock&) = delete;

 private:
  bool locked_ = false;
};


}  // namespace cyc::detail
