// heap.h - state shared by the object lifecycle (object.cpp) and the collector
// (collector.cpp): the candidate buffers, their lock, and the hot counters.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>

#include <cyc/detail/object.h>
#include <cyc/gc.h>

namespace cyc::detail {

// GcHead::color during a collection (kNone outside one).
enum Color : std::uint8_t { kNone = 0, kGray, kBlack, kWhite, kSkip };

// A circular doubly linked list of candidate roots with a sentinel.
struct CandidateList {
  GcHead sentinel{};
  std::size_t size = 0;

  CandidateList() { sentinel.prev = sentinel.next = &sentinel; }
  CandidateList(const CandidateList&) = delete;
  CandidateList& operator=(const CandidateList&) = delete;

  void push(GcHead* g, std::uint8_t index) noexcept {
    g->list = index;
    g->prev = sentinel.prev;
    g->next = &sentinel;
    sentinel.prev->next = g;
    sentinel.prev = g;
    ++size;
  }
  bool empty() const noexcept { return sentinel.next == &sentinel; }
};

struct Heap {
  // Guards the candidate lists, GcHead::list and every change of kBuffered. Held by the
  // collector while it examines objects, so that no candidate can be destroyed under it.
  std::mutex lock;
  CandidateList candidates[gc::kGenerations];

  void unlink(GcHead* g) noexcept {
    g->prev->next = g->next;
    g->next->prev = g->prev;
    g->prev = g->next = nullptr;
    --candidates[g->list].size;
  }
};

// Never destroyed: handles in static objects may be dropped after main returns.
Heap& heap() noexcept;

// Hot counters, read on every allocation of a tracked object.
extern constinit std::atomic<std::size_t> g_tracked;       // live tracked objects
extern constinit std::atomic<std::size_t> g_count0;        // candidates since the last collection
extern constinit std::atomic<std::size_t> g_threshold0;
extern constinit std::atomic<bool> g_enabled;

// Per-thread state: is this thread inside a collection, inside a trace hook, or holding
// the buffer lock? Used to make re-entrant and forbidden calls safe or loudly fatal.
extern thread_local bool tl_collecting;
extern thread_local bool tl_in_trace;
extern thread_local bool tl_holds_lock;

// RAII for Heap::lock that turns self-deadlock (a trace hook touching handles) into a
// clear fatal error.
class HeapLock {
 public:
  HeapLock();
  ~HeapLock();
  HeapLock(const HeapLock&) = delete;
  HeapLock& operator=(const HeapLock&) = delete;
};

// The automatic collection (collector.cpp). Called when g_count0 reached g_threshold0.
void collect_automatic() noexcept;

}  // namespace cyc::detail
