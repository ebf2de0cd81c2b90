// cyc/detail/object.h - the memory layout shared by every libcyc object.
//
// Not part of the public API: include <cyc/cyc.h> instead. Documented here because
// the invariants below are what the handles and the collector rely on.
//
// One allocation per object (like CPython's PyObject with its PyGC_Head in front):
//
//     [ GcHead (tracked types only) ][ Header ][ padding ][ T ]
//
// * Header::strong holds the strong count in its low 29 bits and three flags:
//   kDead     - set by the collector when it commits an object as garbage; from then on
//               Weak::lock() fails and decrements never trigger destruction.
//   kBuffered - the object sits in one of the collector's candidate buffers. Kept in the
//               same word as the count so that "decrement" and "is it buffered?" are one
//               atomic step (see decref below and runtime/src/collector.cpp). Never set
//               while CYC_REPORT is on: then every drop to a non-zero count takes the
//               slow path, which times it (see <cyc/gc.h>).
//   kExamined - a running collection has read the count (set by the same atomic step that
//               reads it) and has not decided yet. Every drop that finds it set waits for the
//               collection under the buffer lock, so the count of an object being examined
//               never goes down: the collector relies on that (runtime/src/collector.cpp).
// * Header::weak counts Weak<T> handles plus one held collectively by the strong
//   references. The memory is freed when it drops to zero.
// * GcHead is only touched under the collector's buffer lock, except by the collector
//   itself, which owns the objects it is examining.
// * When strong == 1 and weak == 1 (read together), the holder of that reference is the
//   only party that can reach the object at all; it may release it without atomics.
#pragma once

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <new>
#include <typeinfo>

#if __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h>
#define CYC_HAVE_SINGLE_THREADED 1
#endif

#if defined(__SANITIZE_THREAD__)
#define CYC_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CYC_TSAN 1
#endif
#endif

namespace cyc {

class Tracer;

namespace detail {

inline constexpr std::uint32_t kDead = 1u << 31;
inline constexpr std::uint32_t kBuffered = 1u << 30;
inline constexpr std::uint32_t kExamined = 1u << 29;
inline constexpr std::uint32_t kCountMask = kExamined - 1;

// Everything the runtime needs to know about a type, built at compile time by make<T>.
struct TypeInfo {
  const std::type_info* rtti;
  void (*destroy)(void* object) noexcept;
  // Visits every strong handle the object holds. Null for untracked types: types that
  // cannot hold handles never take part in cycle collection.
  void (*trace)(void* object, Tracer& tracer);
  // Optional hooks (cyc_host_bytes()/cyc_device_bytes() members): memory the object owns
  // outside its own allocation, used to say how much a garbage cycle held.
  std::size_t (*host_bytes)(const void* object) noexcept;
  std::size_t (*device_bytes)(const void* object) noexcept;
  std::size_t alloc_size;      // the whole allocation: GcHead? + Header + padding + T
  std::size_t alloc_align;
  std::uint32_t header_offset; // Header from the start of the allocation
  std::uint32_t object_offset; // T from the Header

  bool tracked() const noexcept { return trace != nullptr; }
};

// Collector bookkeeping in front of tracked objects. See runtime/src/collector.cpp.
struct GcHead {
  std::uint32_t slot;   // index in the candidate buffer `list` while kBuffered is set; in a collection, step 1's visitor (collector.cpp)
  std::int32_t refs;    // scratch during a collection: references not accounted for inside the examined set
  std::uint32_t seen;   // Header::strong as first read by the current collection
  std::uint8_t color;   // scratch during a collection
  std::uint8_t gen;     // generation: how many collections found it alive (0..2)
  std::uint8_t list;    // which candidate buffer holds it while kBuffered is set
  std::uint8_t pad;     // in a collection, the generation of an object settled early (collector.cpp)
};
static_assert(sizeof(GcHead) == 16);

struct Header {
  std::atomic<std::uint32_t> strong;
  std::atomic<std::uint32_t> weak;
  const TypeInfo* type;

  void* object() noexcept { return reinterpret_cast<char*>(this) + type->object_offset; }
  GcHead* gc() noexcept { return reinterpret_cast<GcHead*>(this) - 1; }
  static Header* of(GcHead* g) noexcept { return reinterpret_cast<Header*>(g + 1); }
};
static_assert(sizeof(Header) == 16);

// Implemented in runtime/src. None of these throw.
void collect_automatic() noexcept;                   // an automatic collection, if enabled
bool may_collect_implicitly() noexcept;              // may a collection run here unasked (<cyc/gc.h>)?
void count_tracked(std::int64_t delta) noexcept;     // live tracked objects, per thread
void release(Header* h, bool sole) noexcept;         // strong count reached zero (sole: no weak refs either)
void decref_locked(Header* h) noexcept;              // slow path of decref: under the buffer lock
void drop_weak(Header* h) noexcept;                  // weak count reached zero: free the memory
void* allocate_block(std::size_t size);              // an object's memory (object_memory.cpp)
void free_block(void* p, std::size_t size) noexcept;

// Candidates recorded since the last collection, and the count at which allocating a
// tracked object first runs an automatic collection (SIZE_MAX when disabled).
extern constinit std::atomic<std::size_t> g_count0;
extern constinit std::atomic<std::size_t> g_threshold0;

// Whether CYC_REPORT is on (decided once, before the first object can be recorded as a
// candidate), and the census of live objects it keeps.
extern constinit std::atomic<bool> g_reporting;
void census_add(Header* h) noexcept;

inline bool over_aligned(const TypeInfo& t) noexcept {
  return t.alloc_align > __STDCPP_DEFAULT_NEW_ALIGNMENT__;
}

// Memory for a new object with both counts at one. Inline so that make<T> folds the type's
// constants; may run an automatic collection first; throws std::bad_alloc.
inline Header* allocate(const TypeInfo& t) {
  if (t.tracked() && g_count0.load(std::memory_order_relaxed) >= g_threshold0.load(std::memory_order_relaxed))
    collect_automatic();
  void* base = over_aligned(t) ? ::operator new(t.alloc_size, std::align_val_t(t.alloc_align))
                               : allocate_block(t.alloc_size);
  auto* h = reinterpret_cast<Header*>(static_cast<char*>(base) + t.header_offset);
  if (t.tracked()) ::new (h->gc()) GcHead{};
  ::new (&h->strong) std::atomic<std::uint32_t>(1);
  ::new (&h->weak) std::atomic<std::uint32_t>(1);
  h->type = &t;
  return h;
}

inline void free_memory(Header* h) noexcept {
  const TypeInfo& t = *h->type;
  void* base = reinterpret_cast<char*>(h) - t.header_offset;
  if (over_aligned(t))
    ::operator delete(base, std::align_val_t(t.alloc_align));
  else
    free_block(base, t.alloc_size);
}

// The object is constructed: count it.
inline void publish(Header* h) noexcept {
  if (h->type->tracked()) count_tracked(1);
  if (g_reporting.load(std::memory_order_relaxed)) [[unlikely]] census_add(h);
}
[[noreturn]] void fatal(const char* what, const std::type_info* type = nullptr) noexcept;

// Like libstdc++'s shared_ptr, plain loads and stores replace atomic read-modify-writes
// while the process has never started a second thread (glibc's __libc_single_threaded
// turns false, for good, before the second thread runs).
inline bool single_threaded() noexcept {
#ifdef CYC_HAVE_SINGLE_THREADED
  return __libc_single_threaded;
#else
  return false;
#endif
}

// Both counts in one load: strong in the low half, weak in the high half.
inline constexpr std::uint64_t kSoleOwner = (std::uint64_t{1} << 32) | 1;
inline std::uint64_t load_counts(const Header* h) noexcept {
#if defined(CYC_TSAN)
  // ThreadSanitizer does not model mixed-size atomics; never report "sole owner" to it.
  return h->strong.load(std::memory_order_acquire);
#else
  static_assert(std::endian::native == std::endian::little);
  using word = std::uint64_t __attribute__((may_alias));
  return __atomic_load_n(reinterpret_cast<const word*>(&h->strong), __ATOMIC_ACQUIRE);
#endif
}

inline void incref(Header* h) noexcept {
  if (single_threaded())
    h->strong.store(h->strong.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  else
    h->strong.fetch_add(1, std::memory_order_relaxed);
}

// Whether dropping one reference from this count word leaves a live, unrecorded object: the
// drop that makes a tracked object a candidate root.
inline bool becomes_candidate(std::uint32_t word) noexcept {
  return (word & kCountMask) > 1 && !(word & (kBuffered | kDead));
}

// Whether a drop from this count word must take the slow path, under the buffer lock: it makes
// the object a candidate root, or a collection is examining the object (the drop then waits
// until the collection has decided, so that the count it read never goes down meanwhile).
inline bool drop_needs_lock(std::uint32_t word) noexcept {
  return becomes_candidate(word) || (word & kExamined) != 0;
}

// Drops one strong reference. For tracked objects a decrement to a non-zero count may have
// made a cycle unreachable, so the object becomes a candidate root of the next collection
// (Bacon & Rajan's "possible root"). Recording it happens *before* our reference is gone,
// under the buffer lock, so no other thread can free the object while we record it.
inline void decref(Header* h) noexcept {
  std::uint32_t old = h->strong.load(std::memory_order_relaxed);
  if (old == 1) {
    // Perhaps the only strong reference and no weak one: then nobody else can reach the
    // object, so no atomic read-modify-write is needed (and the memory goes without touching
    // the weak count). Only read both counts here: a load of both right after the copy that
    // stored one (a handle copied and dropped) would wait for that store to reach memory.
    const std::uint64_t counts = load_counts(h);
    if (counts == kSoleOwner) return release(h, true);
    old = static_cast<std::uint32_t>(counts);
  }
  const bool tracked = h->type->tracked();
  if (tracked && drop_needs_lock(old)) return decref_locked(h);
  if (single_threaded()) {
    h->strong.store(old - 1, std::memory_order_relaxed);
  } else if (!tracked) {
    old = h->strong.fetch_sub(1, std::memory_order_acq_rel);
  } else {
    // Neither kBuffered may vanish nor kExamined appear between our check and our
    // decrement, so decrement with a CAS that re-checks them.
    while (!h->strong.compare_exchange_weak(old, old - 1, std::memory_order_acq_rel,
                                            std::memory_order_relaxed)) {
      if (drop_needs_lock(old)) return decref_locked(h);
    }
  }
  // kBuffered may still be set on the last reference; release() unlinks the object.
  if ((old & ~kBuffered) == 1) release(h, false);
}

inline void incweak(Header* h) noexcept { h->weak.fetch_add(1, std::memory_order_relaxed); }
inline void decweak(Header* h) noexcept {
  if (h->weak.fetch_sub(1, std::memory_order_acq_rel) == 1) drop_weak(h);
}

// Weak::lock(): take a strong reference unless the object is dead or being collected.
inline bool try_incref(Header* h) noexcept {
  std::uint32_t old = h->strong.load(std::memory_order_relaxed);
  do {
    if ((old & kDead) || (old & kCountMask) == 0) return false;
  } while (!h->strong.compare_exchange_weak(old, old + 1, std::memory_order_acquire,
                                            std::memory_order_relaxed));
  return true;
}

}  // namespace detail
}  // namespace cyc
