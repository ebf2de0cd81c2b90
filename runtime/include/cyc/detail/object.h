// cyc/detail/object.h - the memory layout shared by every libcyc object.
//
// Not part of the public API: include <cyc/cyc.h> instead. Documented here because
// the invariants below are what the handles and the collector rely on.
//
// One allocation per object (like CPython's PyObject with its PyGC_Head in front):
//
//     [ GcHead (tracked types only) ][ Header ][ padding ][ T ]
//
// * Header::strong holds the strong count in its low 30 bits and two flags:
//   kDead     - set by the collector when it commits an object as garbage; from then on
//               Weak::lock() fails and decrements never trigger destruction.
//   kBuffered - the object sits in one of the collector's candidate buffers. Kept in the
//               same word as the count so that "decrement" and "is it buffered?" are one
//               atomic step (see decref below and runtime/src/collector.cpp).
// * Header::weak counts Weak<T> handles plus one held collectively by the strong
//   references. The memory is freed when it drops to zero.
// * GcHead is only touched under the collector's buffer lock, except by the collector
//   itself, which owns the objects it is examining.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <typeinfo>

namespace cyc {

class Tracer;

namespace detail {

inline constexpr std::uint32_t kDead = 1u << 31;
inline constexpr std::uint32_t kBuffered = 1u << 30;
inline constexpr std::uint32_t kCountMask = kBuffered - 1;

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
  GcHead* prev;         // candidate buffer links (circular, with a sentinel per generation)
  GcHead* next;
  std::int32_t refs;    // scratch during a collection: references not accounted for inside the examined set
  std::uint32_t seen;   // Header::strong as first read by the current collection
  std::uint8_t color;   // scratch during a collection
  std::uint8_t gen;     // generation: how many collections found it alive (0..2)
  std::uint8_t list;    // which candidate buffer holds it while kBuffered is set
  std::uint8_t pad[5];
};
static_assert(sizeof(GcHead) == 32);

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
Header* allocate(const TypeInfo& type);              // may run an automatic collection; throws std::bad_alloc
void publish(Header* h) noexcept;                    // the object is constructed: start tracking it
void deallocate_unconstructed(Header* h) noexcept;   // constructor threw
void release(Header* h) noexcept;                    // strong count reached zero
void decref_and_buffer(Header* h) noexcept;          // slow path of decref: record a candidate root
void drop_weak(Header* h) noexcept;                  // weak count reached zero: free the memory
[[noreturn]] void fatal(const char* what, const std::type_info* type = nullptr) noexcept;

inline void incref(Header* h) noexcept { h->strong.fetch_add(1, std::memory_order_relaxed); }

// Drops one strong reference. For tracked objects a decrement to a non-zero count may have
// made a cycle unreachable, so the object becomes a candidate root of the next collection
// (Bacon & Rajan's "possible root"). Recording it happens *before* our reference is gone,
// under the buffer lock, so no other thread can free the object while we record it.
inline void decref(Header* h) noexcept {
  if (!h->type->tracked()) {
    if (h->strong.fetch_sub(1, std::memory_order_acq_rel) == 1) release(h);
    return;
  }
  std::uint32_t old = h->strong.load(std::memory_order_relaxed);
  for (;;) {
    if ((old & kCountMask) > 1 && !(old & (kBuffered | kDead))) {
      decref_and_buffer(h);
      return;
    }
    if (h->strong.compare_exchange_weak(old, old - 1, std::memory_order_acq_rel,
                                        std::memory_order_relaxed))
      break;
  }
  // kBuffered may still be set on the last reference; release() unlinks the object.
  if ((old & ~kBuffered) == 1) release(h);
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
