// cyc/detail/object.h - the memory layout shared by every libcyc object.
//
// Not part of the public API: include <cyc/cyc.h> instead. Documented here because
// the invariants below are what the handles and the collector rely on.
//
// One allocation per object (like CPython's PyObject with its PyGC_Head in front):
//
//     [ padding ][ GcHead (tracked types only) ][ Header ][ T ]
//                  8 bytes                        16 bytes
//
// T starts right after the Header (kObjectOffset), whatever its type, so that a handle finds
// the object from the Header's address alone; an over-aligned T puts its padding in front. A
// tracked object with one handle in it (8 bytes, <cyc/handle.h>) takes 32 bytes in all:
// collections pass over a graph's memory, and bytes per object set their speed (bench/README.md).
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
// * Header::meta holds the type (an index into g_types, and whether it is tracked), which never
//   changes, and the collector's small fields (colour, generation, candidate list), which, as
//   GcHead and Header::seen, are only touched under the collector's buffer lock, except by the
//   collector itself, which owns the objects it is examining.
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

struct SubtractPass;

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
  // Step 1 of a collection over the object's handles, as trace() with the collector's Tracer
  // does, without an indirect call per handle (<cyc/detail/subtract_pass.h>). Null when untracked.
  void (*subtract)(void* object, SubtractPass& pass) noexcept;
  // Optional hooks (cyc_host_bytes()/cyc_device_bytes() members): memory the object owns
  // outside its own allocation, used to say how much a garbage cycle held.
  std::size_t (*host_bytes)(const void* object) noexcept;
  std::size_t (*device_bytes)(const void* object) noexcept;
  std::size_t alloc_size;      // the whole allocation: padding + GcHead? + Header + T
  std::size_t alloc_align;
  std::uint32_t header_offset; // Header from the start of the allocation

  bool tracked() const noexcept { return trace != nullptr; }
};

// Header::meta holds the object's type as an index into a process-wide table (32 bits where
// a pointer takes 64), and next to it the collector's small fields of a tracked object.
inline constexpr unsigned kTypeBits = 20;
inline constexpr std::uint32_t kMaxTypes = std::uint32_t{1} << kTypeBits;
inline constexpr std::uint32_t kTypeMask = kMaxTypes - 1;
inline constexpr std::uint32_t kTrackedBit = std::uint32_t{1} << kTypeBits;
struct MetaField {  // a field of Header::meta: `bits` wide, from bit `shift`
  unsigned shift, bits;
  constexpr std::uint32_t mask() const { return ((std::uint32_t{1} << bits) - 1) << shift; }
  // The field in a meta word, and the word with the field set to v.
  constexpr std::uint8_t in(std::uint32_t meta) const {
    return static_cast<std::uint8_t>((meta & mask()) >> shift);
  }
  constexpr std::uint32_t with(std::uint32_t meta, std::uint8_t v) const {
    return (meta & ~mask()) | (std::uint32_t{v} << shift);
  }
};
inline constexpr MetaField kColorField{21, 3};  // scratch during a collection
inline constexpr MetaField kGenField{24, 2};    // generation: how many collections found it alive (0..2)
inline constexpr MetaField kListField{26, 2};   // which candidate buffer holds it while kBuffered is set
inline constexpr MetaField kPadField{28, 2};    // in a collection, the generation of an object settled early
// The values of kColorField, GcHead::color(): kNone outside a collection (runtime/src/collector.cpp).
enum Color : std::uint8_t { kNone = 0, kGray, kBlack, kWhite, kSkip };

// The table behind Header::meta's type index (object.cpp). Index 0 is never used. An entry is
// written once, before its index is published, and never changes; reads need no lock.
extern constinit const TypeInfo* g_types[kMaxTypes];
// The index of t, from `index` if another thread registered it first, else a new one stored there
// (release). Fatal when kMaxTypes - 1 types are taken.
std::uint32_t register_type(const TypeInfo& t, std::atomic<std::uint32_t>& index) noexcept;

// Collector bookkeeping in front of the Header of tracked objects (see runtime/src/collector.cpp).
// Its small fields (colour, generation, list) live in Header::meta and `seen` in Header::seen:
// the accessors below reach them, so that a tracked object's whole header is 24 bytes.
struct Header;
struct GcHead {
  std::uint32_t slot;  // index in the candidate buffer `list` while kBuffered is set; in a collection, step 1's visitor (collector.cpp)
  std::int32_t refs;   // scratch during a collection: references not accounted for inside the examined set

  inline Header* header() noexcept;
  inline const Header* header() const noexcept;
  inline std::uint8_t color() const noexcept;
  inline void set_color(std::uint8_t c) noexcept;
  inline std::uint8_t gen() const noexcept;
  inline void set_gen(std::uint8_t g) noexcept;
  inline std::uint8_t list() const noexcept;
  inline void set_list(std::uint8_t l) noexcept;
  inline std::uint8_t pad() const noexcept;
  inline std::uint32_t seen() const noexcept;
  inline void set_seen(std::uint32_t word) noexcept;
  // The whole Header::meta, for the collector to change several fields with one store.
  inline std::uint32_t meta() const noexcept;
  inline void set_meta(std::uint32_t m) noexcept;
};
static_assert(sizeof(GcHead) == 8);

// The object itself lies right after its Header (kObjectOffset), whatever its type: padding for
// an over-aligned type goes in front of the headers. Aligned to 8 for load_counts().
struct alignas(8) Header {
  std::atomic<std::uint32_t> strong;
  std::atomic<std::uint32_t> weak;
  // Type index, kTrackedBit, and the MetaFields. The type bits never change; the MetaFields change
  // only under the collector's buffer lock or in the collector, while any thread may read the
  // type: relaxed atomic loads and stores, plain moves on the machines we build for.
  std::atomic<std::uint32_t> meta;
  std::uint32_t seen;  // tracked objects: Header::strong as first read by the current collection

  const TypeInfo& type() const noexcept { return *g_types[meta.load(std::memory_order_relaxed) & kTypeMask]; }
  bool tracked() const noexcept { return (meta.load(std::memory_order_relaxed) & kTrackedBit) != 0; }
  void* object() noexcept;
  GcHead* gc() noexcept { return reinterpret_cast<GcHead*>(this) - 1; }
  static Header* of(GcHead* g) noexcept { return reinterpret_cast<Header*>(g + 1); }
  static const Header* of(const GcHead* g) noexcept { return reinterpret_cast<const Header*>(g + 1); }

  std::uint8_t field(MetaField f) const noexcept { return f.in(meta.load(std::memory_order_relaxed)); }
  void set_field(MetaField f, std::uint8_t v) noexcept {
    meta.store(f.with(meta.load(std::memory_order_relaxed), v), std::memory_order_relaxed);
  }
};
static_assert(sizeof(Header) == 16);
inline constexpr std::size_t kObjectOffset = sizeof(Header);
inline void* Header::object() noexcept { return reinterpret_cast<char*>(this) + kObjectOffset; }

inline Header* GcHead::header() noexcept { return Header::of(this); }
inline const Header* GcHead::header() const noexcept { return Header::of(this); }
inline std::uint8_t GcHead::color() const noexcept { return header()->field(kColorField); }
inline void GcHead::set_color(std::uint8_t c) noexcept { header()->set_field(kColorField, c); }
inline std::uint8_t GcHead::gen() const noexcept { return header()->field(kGenField); }
inline void GcHead::set_gen(std::uint8_t g) noexcept { header()->set_field(kGenField, g); }
inline std::uint8_t GcHead::list() const noexcept { return header()->field(kListField); }
inline void GcHead::set_list(std::uint8_t l) noexcept { header()->set_field(kListField, l); }
inline std::uint8_t GcHead::pad() const noexcept { return header()->field(kPadField); }
inline std::uint32_t GcHead::seen() const noexcept { return header()->seen; }
inline void GcHead::set_seen(std::uint32_t word) noexcept { header()->seen = word; }
inline std::uint32_t GcHead::meta() const noexcept { return header()->meta.load(std::memory_order_relaxed); }
inline void GcHead::set_meta(std::uint32_t m) noexcept { header()->meta.store(m, std::memory_order_relaxed); }

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
inline Header* allocate(const TypeInfo& t, std::uint32_t type_index) {
  if (t.tracked() && g_count0.load(std::memory_order_relaxed) >= g_threshold0.load(std::memory_order_relaxed))
    collect_automatic();
  void* base = over_aligned(t) ? ::operator new(t.alloc_size, std::align_val_t(t.alloc_align))
                               : allocate_block(t.alloc_size);
  auto* h = reinterpret_cast<Header*>(static_cast<char*>(base) + t.header_offset);
  if (t.tracked()) ::new (h->gc()) GcHead{};
  ::new (&h->strong) std::atomic<std::uint32_t>(1);
  ::new (&h->weak) std::atomic<std::uint32_t>(1);
  ::new (&h->meta) std::atomic<std::uint32_t>(type_index | (t.tracked() ? kTrackedBit : 0));
  h->seen = 0;
  return h;
}

// `t`: h->type(), for a caller that has it already.
inline void free_memory(Header* h, const TypeInfo& t) noexcept {
  void* base = reinterpret_cast<char*>(h) - t.header_offset;
  if (over_aligned(t))
    ::operator delete(base, std::align_val_t(t.alloc_align));
  else
    free_block(base, t.alloc_size);
}
inline void free_memory(Header* h) noexcept { free_memory(h, h->type()); }

// The object is constructed: count it.
inline void publish(Header* h, const TypeInfo& t) noexcept {
  if (t.tracked()) count_tracked(1);
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
  const bool tracked = h->tracked();
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
