// object.cpp - the life of one object: allocation, the slow paths of reference counting,
// iterative destruction, freeing.
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include <cyc/handle.h>
#include <cyc/trace.h>

#include "heap.h"
#include "type_name.h"

namespace cyc::detail {

constinit std::atomic<std::size_t> g_tracked{0};
constinit std::atomic<std::size_t> g_count0{0};
constinit std::atomic<std::size_t> g_threshold0{700};
constinit std::atomic<bool> g_enabled{true};

thread_local bool tl_collecting = false;
thread_local bool tl_in_trace = false;
thread_local bool tl_holds_lock = false;

Heap& heap() noexcept {
  static Heap* h = new Heap;
  return *h;
}

HeapLock::HeapLock() {
  if (tl_holds_lock)
    fatal("a trace hook created, copied or dropped a handle; trace hooks may only visit "
          "the handles they are given");
  heap().lock.lock();
  tl_holds_lock = true;
}

HeapLock::~HeapLock() {
  tl_holds_lock = false;
  heap().lock.unlock();
}

void fatal(const char* what, const std::type_info* type) noexcept {
  if (type)
    std::fprintf(stderr, "cyc: fatal: %s (%s)\n", what, type_name(*type).c_str());
  else
    std::fprintf(stderr, "cyc: fatal: %s\n", what);
  std::fflush(stderr);
  std::abort();
}

void Access::throw_bad_cast(const std::type_info& from, const std::type_info& to) {
  throw bad_handle_cast("cyc::checked_cast: the object is a " + type_name(from) + ", not a " +
                        type_name(to));
}

static bool over_aligned(const TypeInfo& t) noexcept {
  return t.alloc_align > __STDCPP_DEFAULT_NEW_ALIGNMENT__;
}

Header* allocate(const TypeInfo& type) {
  if (type.tracked() && g_count0.load(std::memory_order_relaxed) >=
                            g_threshold0.load(std::memory_order_relaxed))
    collect_automatic();
  void* base = over_aligned(type) ? ::operator new(type.alloc_size, std::align_val_t(type.alloc_align))
                                  : ::operator new(type.alloc_size);
  auto* h = reinterpret_cast<Header*>(static_cast<char*>(base) + type.header_offset);
  if (type.tracked()) ::new (h->gc()) GcHead{};
  h->strong.store(1, std::memory_order_relaxed);
  h->weak.store(1, std::memory_order_relaxed);
  h->type = &type;
  return h;
}

static void free_memory(Header* h) noexcept {
  const TypeInfo& t = *h->type;
  void* base = reinterpret_cast<char*>(h) - t.header_offset;
  if (over_aligned(t))
    ::operator delete(base, std::align_val_t(t.alloc_align));
  else
    ::operator delete(base);
}

void publish(Header* h) noexcept {
  if (h->type->tracked()) g_tracked.fetch_add(1, std::memory_order_relaxed);
}

void deallocate_unconstructed(Header* h) noexcept { free_memory(h); }

void drop_weak(Header* h) noexcept { free_memory(h); }

void decref_and_buffer(Header* h) noexcept {
  bool last = false;
  {
    HeapLock lock;
    std::uint32_t old = h->strong.load(std::memory_order_relaxed);
    bool buffer;
    do {
      // Another thread may have buffered it, or dropped references, since our fast path.
      buffer = (old & kCountMask) > 1 && !(old & (kBuffered | kDead));
    } while (!h->strong.compare_exchange_weak(old, (old - 1) | (buffer ? kBuffered : 0),
                                              std::memory_order_acq_rel, std::memory_order_relaxed));
    if (buffer) {
      GcHead* g = h->gc();
      heap().candidates[g->gen].push(g, g->gen);
      g_count0.fetch_add(1, std::memory_order_relaxed);
    }
    last = (old & ~kBuffered) == 1;
  }
  if (last) release(h);
}

// Destroys an object whose strong count reached zero.
static void destroy(Header* h) noexcept {
  const TypeInfo& t = *h->type;
  if (t.tracked()) {
    // With the count at zero nobody can set kBuffered any more, and the collector cannot
    // clear it (it only does so with a compare-exchange from a non-zero count it saw), so
    // this unlocked read is stable. If set, the object sits in a candidate list that only
    // the lock may touch; holding it also keeps a running collection from examining the
    // object while we destroy it.
    if (h->strong.load(std::memory_order_acquire) & kBuffered) {
      HeapLock lock;
      heap().unlink(h->gc());
      h->strong.fetch_and(~kBuffered, std::memory_order_relaxed);
    }
  }
  t.destroy(h->object());
  if (t.tracked()) g_tracked.fetch_sub(1, std::memory_order_relaxed);
  decweak(h);
}

// CPython's "trashcan": destroying the head of a long chain destroys the next node from
// inside the first destructor, and so on. Past a small depth, release() queues the object
// instead, and the outermost release() on this thread destroys the queue iteratively, so
// the stack depth stays bounded however long the chain is.
//
// The queue lives in the outermost release()'s stack frame and the thread_local is a plain
// pointer to it: a thread_local object with a destructor would be gone when a handle in a
// static object is dropped after main returns (thread_locals are destroyed before statics).
namespace {
struct Trashcan {
  int depth = 0;
  std::vector<Header*> pending;
};
constexpr int kMaxDestroyDepth = 64;
thread_local Trashcan* tl_trashcan = nullptr;
}  // namespace

void release(Header* h) noexcept {
  Trashcan* tc = tl_trashcan;
  if (!tc) {
    // The outermost release() on this thread.
    Trashcan outer;
    tl_trashcan = &outer;
    outer.depth = 1;
    destroy(h);
    while (!outer.pending.empty()) {
      Header* next = outer.pending.back();
      outer.pending.pop_back();
      destroy(next);
    }
    tl_trashcan = nullptr;
    return;
  }
  if (tc->depth >= kMaxDestroyDepth) {
    try {
      tc->pending.push_back(h);
      return;
    } catch (...) {
      // Out of memory for the queue: fall through and recurse, as we would without it.
    }
  }
  ++tc->depth;
  destroy(h);
  --tc->depth;
}

}  // namespace cyc::detail

namespace cyc {

std::string_view Tracer::field_name() const noexcept {
  if (!names_) return {};
  std::string_view all(names_);
  if (!list_) return all;
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
