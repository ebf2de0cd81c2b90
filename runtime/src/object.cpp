// object.cpp - the life of one object: allocation, the slow paths of reference counting,
// iterative destruction, freeing.
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include <cyc/handle.h>
#include <cyc/trace.h>

#include "candidates.h"
#include "cyc_report_writer.h"
#include "type_name.h"

namespace cyc::detail {

constinit std::atomic<std::size_t> g_count0{0};
constinit std::atomic<std::size_t> g_threshold0{700};
constinit std::atomic<bool> g_enabled{true};
constinit std::atomic<bool> g_reporting{false};

thread_local bool tl_collecting = false;
thread_local bool tl_in_trace = false;
thread_local bool tl_holds_lock = false;

Candidates& candidates() noexcept {
  // CYC_REPORT changes how candidates are recorded, so it is settled before the first one.
  static Candidates* h = (start_report(), new Candidates);
  return *h;
}

CandidatesLock::CandidatesLock() {
  if (tl_holds_lock)
    fatal("a trace hook created, copied or dropped a handle; trace hooks may only visit "
          "the handles they are given");
  if (!single_threaded()) {
    candidates().lock.lock();
    locked_ = true;
  }
  tl_holds_lock = true;
}

CandidatesLock::~CandidatesLock() {
  tl_holds_lock = false;
  if (locked_) candidates().lock.unlock();
}

constinit const TypeInfo* g_types[kMaxTypes] = {};

std::uint32_t register_type(const TypeInfo& t, std::atomic<std::uint32_t>& index) noexcept {
  static constinit std::mutex mu;
  static constinit std::uint32_t used = 0;
  std::lock_guard<std::mutex> lock(mu);
  if (const std::uint32_t taken = index.load(std::memory_order_relaxed)) return taken;
  if (used == kMaxTypes - 1) fatal("more than 2^20 - 1 types made with cyc::make", t.rtti);
  g_types[++used] = &t;
  index.store(used, std::memory_order_release);
  return used;
}

void fatal(const char* what, const std::type_info* type) noexcept {
  if (type)
    std::fprintf(stderr, "cyc: fatal: %s (%s)\n", what, type_name(*type).c_str());
  else
    std::fprintf(stderr, "cyc: fatal: %s\n", what);
  std::fflush(stderr);
  std::abort();
}

void no_handle_word(Header* h, std::uintptr_t offset) noexcept {
  if (offset > kMaxSubobjectOffset)
    fatal("a cyc::Handle to a base class more than 64 KiB into its object", h->type().rtti);
  fatal("an object lies above the 48-bit addresses that a cyc::Handle can hold", h->type().rtti);
}

void Access::throw_bad_cast(const std::type_info& from, const std::type_info& to) {
  throw bad_handle_cast("cyc::checked_cast: the object is a " + type_name(from) + ", not a " +
                        type_name(to));
}

void drop_weak(Header* h) noexcept { free_memory(h); }

// With CYC_REPORT, kBuffered stays clear and the lists alone say who is a candidate, so that
// every drop to a non-zero count comes here and is timed (see collector.cpp): a first drop
// lists the object, a later one restamps its entry.
[[gnu::noinline]] static void decref_and_time(Header* h) noexcept {
  bool last = false;
  {
    CandidatesLock lock;
    std::uint32_t old = h->strong.load(std::memory_order_relaxed);
    bool candidate = becomes_candidate(old);
    if (single_threaded()) {
      h->strong.store(old - 1, std::memory_order_relaxed);
    } else {
      while (!h->strong.compare_exchange_weak(old, old - 1, std::memory_order_acq_rel,
                                              std::memory_order_relaxed))
        candidate = becomes_candidate(old);
    }
    if (candidate) {
      Candidates& hp = candidates();
      GcHead* g = h->gc();
      const Since now{steady_ns(), hp.collections};
      if (hp.listed(g)) {
        hp.lists[g->list()].since[g->slot] = now;
      } else {
        try {
          hp.lists[g->gen()].push(g, g->gen(), now);
        } catch (...) {
          fatal("out of memory while recording a cycle-collection candidate");
        }
        g_count0.store(g_count0.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      }
    }
    last = old == 1;
  }
  if (last) release(h, false);
}

// Every drop that records a candidate, or that finds a collection examining the object
// (kExamined), comes here. Taking Candidates::lock waits for that collection to decide: the
// collector clears kExamined before it lets the lock go, so under the lock it is never set.
void decref_locked(Header* h) noexcept {
  if (g_reporting.load(std::memory_order_relaxed)) [[unlikely]] return decref_and_time(h);
  bool last = false;
  {
    CandidatesLock lock;
    std::uint32_t old = h->strong.load(std::memory_order_relaxed);
    bool buffer = becomes_candidate(old);
    if (single_threaded()) {
      h->strong.store((old - 1) | (buffer ? kBuffered : 0), std::memory_order_relaxed);
    } else {
      // Other threads change the count without the lock: re-decide on every retry.
      while (!h->strong.compare_exchange_weak(old, (old - 1) | (buffer ? kBuffered : 0),
                                              std::memory_order_acq_rel, std::memory_order_relaxed))
        buffer = becomes_candidate(old);
    }
    if (buffer) {
      GcHead* g = h->gc();
      try {
        candidates().lists[g->gen()].push(g, g->gen());
      } catch (...) {
        fatal("out of memory while recording a cycle-collection candidate");
      }
      // Only written under the lock; atomic because allocation reads it without.
      g_count0.store(g_count0.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
    last = (old & ~kBuffered) == 1;
  }
  if (last) release(h, false);
}

void census_add(Header* h) noexcept {
  CandidatesLock lock;
  try {
    candidates().census.insert(h);
  } catch (...) {
    // Out of memory: the report at exit will not count this object.
  }
}

// With CYC_REPORT, the end of an object's life: out of its candidate list and the census.
[[gnu::noinline]] static void forget_reported(Header* h) noexcept {
  CandidatesLock lock;
  Candidates& hp = candidates();
  if (h->tracked() && hp.listed(h->gc())) hp.unlink(h->gc());
  hp.census.erase(h);
}

// Destroys an object whose strong count reached zero. `sole`: there were no weak
// references either (see decref), so the memory goes at once. Forced inline: it is the hot
// part of release(), and its cold CYC_REPORT branch would otherwise tip it into a call.
[[gnu::always_inline]] static inline void destroy(Header* h, bool sole) noexcept {
  const TypeInfo& t = h->type();
  if (g_reporting.load(std::memory_order_relaxed)) [[unlikely]] {
    // No kBuffered to go by: ask the lists, under the lock (which, as below, also keeps a
    // running collection from examining the object while we destroy it).
    forget_reported(h);
  } else if (t.tracked()) {
    // With the count at zero nobody can set kBuffered any more, and the collector cannot
    // clear it (it only does so with a compare-exchange from a non-zero count it saw), so
    // this unlocked read is stable. If set, the object sits in a candidate list that only
    // the lock may touch; holding it also keeps a running collection from examining the
    // object while we destroy it.
    if (!sole && (h->strong.load(std::memory_order_acquire) & kBuffered)) {
      CandidatesLock lock;
      candidates().unlink(h->gc());
      h->strong.fetch_and(~kBuffered, std::memory_order_relaxed);
    }
  }
  t.destroy(h->object());
  if (t.tracked()) count_tracked(-1);
  if (sole)
    free_memory(h, t);
  else
    decweak(h);
}

// CPython's "trashcan": destroying the head of a long chain destroys the next node from
// inside the first destructor, and so on. Past a small depth, release() queues the object
// instead, and the outermost release() on this thread destroys the queue iteratively, so
// the stack depth stays bounded however long the chain is.
//
// Only trivially destructible thread_locals here: a handle in a static object may be
// dropped after this thread's thread_local objects are gone. The queue exists only while
// a deep chain is being destroyed. Entries carry `sole` in their low bit (headers are
// 8-byte aligned).
namespace {
constexpr unsigned kMaxDestroyDepth = 64;
thread_local unsigned tl_depth = 0;
thread_local std::vector<std::uintptr_t>* tl_pending = nullptr;

[[gnu::noinline]] void drain_pending() noexcept {
  ++tl_depth;
  while (!tl_pending->empty()) {
    std::uintptr_t next = tl_pending->back();
    tl_pending->pop_back();
    destroy(reinterpret_cast<Header*>(next & ~std::uintptr_t{1}), next & 1);
  }
  --tl_depth;
  delete tl_pending;
  tl_pending = nullptr;
}

[[gnu::noinline]] bool queue(Header* h, bool sole) noexcept {
  try {
    if (!tl_pending) tl_pending = new std::vector<std::uintptr_t>;
    tl_pending->push_back(reinterpret_cast<std::uintptr_t>(h) | (sole ? 1 : 0));
    return true;
  } catch (...) {
    return false;  // out of memory for the queue: recurse, as we would without it
  }
}
}  // namespace

void release(Header* h, bool sole) noexcept {
  if (tl_depth >= kMaxDestroyDepth && queue(h, sole)) return;
  ++tl_depth;
  destroy(h, sole);
  if (--tl_depth == 0 && tl_pending) drain_pending();
}

// Live tracked objects, counted per thread so that make<T> and the last drop pay no shared
// atomic: each thread owns a slot it alone writes (plain load + store); readers sum the
// slots. A thread's slot is folded into `retired` and recycled when the thread exits;
// objects dropped after that (in later thread_local destructors) count in `shared`.
namespace {
struct alignas(64) TrackedSlot {
  std::atomic<std::int64_t> value{0};
  bool in_use = false;
};
struct TrackedRegistry {
  std::mutex mu;
  std::vector<TrackedSlot*> slots;  // never freed: readers may look at any of them
  std::int64_t retired = 0;
  std::atomic<std::int64_t> shared{0};
};
TrackedRegistry& registry() {
  static TrackedRegistry* r = new TrackedRegistry;
  return *r;
}
thread_local TrackedSlot* tl_slot = nullptr;
thread_local bool tl_slot_gone = false;

struct SlotOwner {
  ~SlotOwner() {
    TrackedRegistry& r = registry();
    std::lock_guard<std::mutex> g(r.mu);
    r.retired += tl_slot->value.load(std::memory_order_relaxed);
    tl_slot->value.store(0, std::memory_order_relaxed);
    tl_slot->in_use = false;
    tl_slot = nullptr;
    tl_slot_gone = true;
  }
};

TrackedSlot* claim_slot() {
  TrackedRegistry& r = registry();
  {
    std::lock_guard<std::mutex> g(r.mu);
    for (TrackedSlot* s : r.slots)
      if (!s->in_use) {
        tl_slot = s;
        break;
      }
    if (!tl_slot) {
      r.slots.push_back(new TrackedSlot);
      tl_slot = r.slots.back();
    }
    tl_slot->in_use = true;
  }
  thread_local SlotOwner owner;  // returns the slot at thread exit
  return tl_slot;
}

// count_tracked's first call on a thread, and calls after its slot went, out of line.
[[gnu::noinline]] void count_tracked_slow(std::int64_t delta) noexcept {
  TrackedSlot* s = nullptr;
  if (!tl_slot_gone) {
    try {
      s = claim_slot();
    } catch (...) {
    }
  }
  if (s)
    s->value.store(s->value.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
  else
    registry().shared.fetch_add(delta, std::memory_order_relaxed);
}
}  // namespace

void count_tracked(std::int64_t delta) noexcept {
  if (TrackedSlot* s = tl_slot) [[likely]] {
    s->value.store(s->value.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
    return;
  }
  count_tracked_slow(delta);
}

std::size_t tracked_objects() noexcept {
  TrackedRegistry& r = registry();
  std::lock_guard<std::mutex> g(r.mu);
  std::int64_t n = r.retired + r.shared.load(std::memory_order_relaxed);
  for (TrackedSlot* s : r.slots) n += s->value.load(std::memory_order_relaxed);
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

}  // namespace cyc::detail

namespace cyc {

std::string_view Tracer::field_name() const noexcept {
  if (!fields_) return name_ ? std::string_view(name_) : std::string_view();
  std::string_view all(fields_->list);
  // CYC_TRACE(a, b, c): the index-th comma-separated name, trimmed.
  for (unsigned i = 0; i < index_; ++i) {
    std::size_t comma = all.find(',');
    if (comma == std::string_view::npos) return {};
    all.remove_prefix(comma + 1);
  }
  all = all.substr(0, all.find(','));
  while (!all.empty() && (all.front() == ' ' || all.front() == '\n' || all.front() == '\t')) all.remove_prefix(1);
  while (!all.empty() && (all.back() == ' ' || all.back() == '\n' || all.back() == '\t')) all.remove_suffix(1);
  return all;
}

}  // namespace cyc
