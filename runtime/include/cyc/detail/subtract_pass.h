// cyc/detail/subtract_pass.h - step 1 of a collection, as each tracked type runs it itself.
//
// Not part of the public API. Step 1 (runtime/src/collector.cpp: subtract_refs) visits every
// handle held by every examined object, so its cost per handle is the collector's cost per
// object. Through a Tracer each visit is an indirect call, and a CYC_TRACE hook stores its field
// names for reports on the way. So make<T> also compiles, for each tracked T, a walk of T's
// handles with this step inlined into it (TypeInfo::subtract, <cyc/trace.h>: detail::walk):
// one indirect call per object instead of one per handle. A hook that takes a Tracer (a member
// trace() or an ADL cyc_trace()) is called with `tracer`, which does the same step.
//
// Threading: a SubtractPass belongs to the collection running it, under the collector's lock.
#pragma once

#include <cstddef>
#include <cstdint>

#include <cyc/detail/object.h>
#include <cyc/handle.h>

namespace cyc {

class Tracer;

namespace detail {

// The tracked object a handle points to, or null for an empty handle or an untracked target.
// Sets `meta` to the target's Header::meta, the one word that says whether it is tracked and
// holds its colour and generation: every visit asks both, from this one read.
[[gnu::always_inline]] inline GcHead* tracked_target(const HandleBase& hb, std::uint32_t& meta) noexcept {
  Header* h = hb.header();
  if (!h) return nullptr;
  meta = h->meta.load(std::memory_order_relaxed);
  return (meta & kTrackedBit) ? h->gc() : nullptr;
}

struct SubtractPass;

// An object that step 1 reaches for the first time: it reads its count and grays it, then
// subtracts (runtime/src/collector.cpp). Out of line: most visits meet objects already gray.
void subtract_first_visit(SubtractPass& pass, GcHead* g, std::uint32_t meta);

// Step 1's state that a visit reads and writes. The collection (runtime/src/collector.cpp:
// Collection) is one.
struct SubtractPass {
  int gen = 0;                  // the generation collected: older objects are not examined
  bool boundary_hit = false;    // a handle to an older object was met
  std::uint32_t tracing = 0;    // the index, in the collection's order, of the object traced
  std::size_t external = 0;     // examined objects with refs > 0: referenced from outside so far
  Tracer* tracer = nullptr;     // this step as a Tracer, for hooks that take one

  // The examined subgraph: tracked objects no older than the generation collected. Sets `meta`
  // as tracked_target() does. kOldest: the oldest generation is collected (no object is older).
  template <bool kOldest = false>
  [[gnu::always_inline]] GcHead* member(const HandleBase& hb, std::uint32_t& meta) noexcept {
    GcHead* g = tracked_target(hb, meta);
    if (!kOldest && g && kGenField.in(meta) > gen) {
      boundary_hit = true;
      return nullptr;
    }
    return g;
  }

  // A reference from the object traced to g, an examined object, accounted for. Also writes
  // down the object traced as g's visitor, for step 2 (prove_alive).
  [[gnu::always_inline]] void subtract(GcHead* g) noexcept {
    g->slot = tracing;
    if (--g->refs == 0) --external;
  }

  // One handle of the object traced.
  template <bool kOldest = false>
  [[gnu::always_inline]] void visit(const HandleBase& hb) {
    std::uint32_t meta;
    GcHead* g = member<kOldest>(hb, meta);
    if (!g) return;
    if (kColorField.in(meta) == kNone) return subtract_first_visit(*this, g, meta);
    subtract(g);
  }
};

}  // namespace detail
}  // namespace cyc
