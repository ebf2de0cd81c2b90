// collector.cpp - the cycle collector.
//
// The algorithm
// -------------
// Reference counting already frees everything that is not part of (or held by) a cycle.
// A group of objects can only *become* cyclic garbage when some reference into it is
// dropped and leaves a count above zero: the last external reference to a cycle goes, the
// internal ones remain. So every drop that leaves a tracked object's count non-zero records
// the object as a candidate root (Bacon & Rajan, "Concurrent Cycle Collection in Reference
// Counted Systems", 2001: "possible roots"), at most once, in a candidate list.
//
// A collection examines the candidates and the objects they reach, and on that subgraph
// runs CPython's computation (Modules/gcmodule.c: update_refs, subtract_refs,
// move_unreachable), with a scratch field instead of the real counts:
//
//   1. refs := strong count, for every object reached; then for every handle from a
//      reached object to a reached object, refs(target) -= 1. What remains in refs is the
//      number of references from outside the examined subgraph.
//   2. Every object with refs > 0 is externally reachable; so is everything it reaches.
//      Mark those black.
//   3. What is left (white) is unreachable from outside: garbage.
//
// Why this and not CPython's scheme: CPython keeps every tracked object in a generation
// list and a full collection walks all of them, so gc.collect() costs O(all objects). Here
// a collection costs O(candidates + what they reach): a heap of millions of live objects
// that nobody touched since the last collection costs nothing, and a collection that finds
// one garbage cycle costs the size of that cycle. Why not Bacon & Rajan's own marking:
// it decrements the real counts, which other threads may be changing; a scratch field lets
// handles be copied on other threads while a collection runs, and drops only wait for it
// when they drop a handle to an object it is examining.
//
// Generations bound the work of automatic collections when candidates reach into large
// old structures: every object a collection finds alive moves one generation up (0..2), and
// a collection of generation g does not enter objects older than g (references from them
// count as external, which is safe: it can only keep objects alive). Candidates whose
// examination stopped at such a boundary move to the candidate list of generation g+1, to
// be examined fully when that generation is collected; a collection of generation 2
// (explicit collect()) has no boundary, so every cycle is found by it. As in CPython, an
// automatic collection of generation 2 also waits until the objects promoted into it since
// its last collection are a quarter of those tracked after that one (long_lived_wait): a
// steady workload that touches a large live heap does not examine it again and again. When it
// does run, an automatic collection of generation 2 is a slice (kSliceBudget): it takes no
// further root once it has examined that many objects, and carry_over() returns the roots it
// did not take to their lists. Trial deletion over any subset of the candidates is sound: an
// object reached from outside the examined set has refs > 0 and is black.
//
// Step 1's last trace may decide step 2 for what it reaches (trace_settling): when every other
// examined object is traced and the object traced last still has refs > 0, nothing can subtract
// from it any more, so it is alive, and so is everything its trace reaches. A collection whose
// last candidate holds the rest (a registry, a scene's list of nodes) then settles each object
// in the pass that subtracts from it, and step 2 has nothing left to do.
//
// Step 1 visits every handle of every examined object, so its cost per handle is the collection's
// cost per object. It runs as each type's own walk of its handles (TypeInfo::subtract, compiled by
// make<T>; <cyc/detail/subtract_pass.h>), with the visit inlined: one indirect call per object, not
// one per handle. Only hooks that take a Tracer (a member trace(), an ADL cyc_trace()) are given
// one (SubtractTracer), which does the same visit. Steps 2 and 4 and the teardown meet fewer
// objects, or leave the pause (sweep_later), and trace through a Tracer.
//
// Invariants
// ----------
// * An object is in a candidate list iff kBuffered is set in its count word, and
//   GcHead::list() says which. Both change only under Candidates::lock.
// * The collector holds Candidates::lock while it examines objects. A candidate can only be
//   destroyed after taking that lock (object.cpp: destroy), and every other examined object
//   is referenced from an examined one; so nothing examined is freed under the collector.
//   Threads dropping a reference that needs buffering wait for the lock meanwhile.
// * The collector borrows GcHead::slot of the objects it examines (step 1 writes each one's
//   visitor there, step 2 reads it), under Candidates::lock, which every other reader of slot
//   takes. No list keeps one of them past release_lists(): an object sits in the list of its
//   generation or of a younger one (generations only grow), so a listed examined object is in a
//   list of the generations collected, which release_lists() empties; settle() lists again with
//   a new slot.
// * A collection of the oldest generation on the process's only thread may settle what step 1's
//   last trace reaches while it traces (trace_settling), and borrows GcHead::pad() of each object it
//   so settles to restore its generation if that is abandoned. Nothing else reads pad.
// * Outside a collection every live object has GcHead::color() kNone and no kExamined (garbage
//   keeps its colour until its memory goes: is_garbage() relies on that in a teardown, also a
//   pending one). kExamined is set on an object by the atomic read of its count
//   (Collection::read_count) and taken off by settle(), both under Candidates::lock. A drop
//   that finds kExamined takes the lock, so it waits.
// * Hence, in a collection, the count of an examined object never goes down between its
//   read and the end of settle(). Copies and Weak::lock() may still raise it.
// * Garbage is committed with a compare-exchange of each count from the word first read to
//   the same word | kDead (a plain store while the process has one thread). If one fails,
//   that object and everything it reaches is alive after all and is not torn down.
//
// Why the commit is safe with other threads copying, dropping and locking handles
// ---------------------------------------------------------------------------------
// Let W be the objects step 3 commits, r(o) the moment o's count was read; all reads come
// before the first commit. An object of W is referenced from examined objects only from W
// (else it would be black), and refs(o) = 0 says that at r(o) no other handle to o existed.
// So any handle to o that a thread holds later was made after r(o), in one of three ways:
//   (a) Weak::lock() on o: it fails once o is committed;
//   (b) a copy of another handle to o that is not in W: made after r(o) too, and earlier;
//   (c) a copy of a traced field, reached from some p of W while holding a handle to p:
//       that handle exists after r(p), so it too was made after r(p), and earlier.
// A handle made after r(o) and before o's commit raises o's count, and no drop lowers it
// before settle() (o is examined): o's commit fails. Hence, by induction on the order in
// which handles are made, every handle made into W is to an object reachable through traced
// fields from one whose commit failed: the first one made is (a) before the commit, or a
// copy before it; each later one, if made after its target's commit, is (b) or (c) from an
// earlier one, and traced fields are not written during a collection (<cyc/gc.h>).
// resurrect_raced() blackens exactly what failed commits reach. This needs no weak
// reference: a thread that holds a strong handle to p, copies o out of p, then drops p
// before r(p), made its copy after r(o) and so fails o's commit.
//
// Teardown of garbage: (1) kDead is set: weak references read null; (2) every traced
// handle inside the garbage is reset (CPython's tp_clear), which cannot free garbage since
// a dead object is never released by its count; (3) each destructor runs and its memory is freed
// (or, while weak handles remain, only once they go). Usually settle() does (1) under the lock;
// when all that was examined is garbage and the process has one thread, (1) moves into the
// pass of (2), one object ahead of its clear, and settle() is left out: one pass fewer over
// the garbage (commit_in_teardown). Still no user code runs before all of it is dead.
// An automatic collection on the process's only thread commits its garbage and leaves (2) and
// (3) to the tracked allocations after it, a few steps each (Sweep, sweep_later): its pause
// is finding the garbage only.
//
// CYC_REPORT (cyc_report_writer.cpp) needs to know when each garbage cycle may have become
// unreachable: at the last drop that left one of its objects, or an object that reaches it,
// with a non-zero count. With kBuffered set, later drops of a candidate take the lock-free
// fast path and are never seen. So while reporting (decided once, before the first candidate
// is recorded) kBuffered is never set: every such drop takes the slow path, which records
// the candidate if it is not listed yet and stamps its list entry with the time and the
// number of collections started (CandidateList::since). Membership is then Candidates::listed(),
// under Candidates::lock: destroy() asks it for every object, and settle() knows the roots from
// the lists it read. The invariants above hold with "kBuffered is set" read as "it is
// listed". A collection numbers itself under the lock, so a stamp tells exactly which
// collections came after the drop. Without CYC_REPORT all this costs one predicted branch
// each in decref_locked, destroy and make's publish, and nothing on copies and on
// drops that take the fast path.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include <cyc/gc.h>
#include <cyc/make.h>
#include <cyc/trace.h>

#include "candidates.h"
#include "garbage_cycles.h"
#include "cyc_report_writer.h"
#include "object_memory.h"

namespace cyc::detail {
namespace {

Header* header_of(GcHead* g) noexcept { return Header::of(g); }

// After the garbage is found (settle(), or step 1 when all of it is: Collection::deferred_commit),
// the examined objects that still have a colour are exactly the garbage: everything found
// alive is settled back to kNone, and nothing outside the examined set has a colour.
inline bool is_garbage(std::uint32_t meta) noexcept { return kColorField.in(meta) != kNone; }
inline bool is_garbage(const GcHead* g) noexcept { return is_garbage(g->meta()); }

// The oldest generation: a collection of it has no boundary, and what it finds alive stays in it.
constexpr int kOldestGen = gc::kGenerations - 1;

// The passes below walk arrays of object pointers; the objects themselves are scattered over
// the heap and rarely in cache. Fetching a few iterations ahead hides most of that latency.
constexpr std::size_t kPrefetchAhead = 8;

// Calls f(i) for every i in [from, to) in order, each after fetch(i + kAhead) while that is below
// `to`: in two loops, so that the one that runs nearly always needs no bound for its fetch.
template <std::size_t kAhead = kPrefetchAhead, class Fetch, class F>
inline void for_indices_ahead(std::size_t from, std::size_t to, Fetch fetch, F f) {
  std::size_t i = from;
  for (; i + kAhead < to; ++i) {
    fetch(i + kAhead);
    f(i);
  }
  for (; i < to; ++i) f(i);
}

// The same from to - 1 down to `from`, fetching i - kAhead.
template <std::size_t kAhead = kPrefetchAhead, class Fetch, class F>
inline void for_indices_ahead_back(std::size_t from, std::size_t to, Fetch fetch, F f) {
  std::size_t i = to;
  for (; i > from + kAhead; --i) {
    fetch(i - 1 - kAhead);
    f(i - 1);
  }
  for (; i > from; --i) f(i - 1);
}

// Calls f(g) for every g of `v`, in order, fetching ahead. `f` must not change `v`, so its
// start and length stay in registers (a loop over a member vector otherwise reloads both
// around every call it makes).
template <class F>
inline void for_each_ahead(const std::vector<GcHead*>& v, F f) {
  GcHead* const* p = v.data();
  auto fetch = [p](std::size_t j) { __builtin_prefetch(p[j], 1); };
  for_indices_ahead(0, v.size(), fetch, [&](std::size_t i) { f(p[i]); });
}

// The per-object functions that append to a vector (SubtractTracer::first_visit,
// BlackenTracer::blacken) call grow_for_one() and call themselves again, as their last act, when
// it is full, and otherwise append with room_for_one(): then no reallocation is inlined into
// them, and they need no frame. With it GCC saved six registers on every call, for a growth
// that happens a few dozen times in a collection of a million objects.
[[gnu::noinline]] void grow_for(std::vector<GcHead*>& v, std::size_t n) {
  v.reserve(std::max({std::size_t{1024}, 2 * v.capacity(), v.size() + n}));
}
inline void grow_for_one(std::vector<GcHead*>& v) { grow_for(v, 1); }
inline bool full(const std::vector<GcHead*>& v) noexcept { return v.size() == v.capacity(); }
inline void room_for_one(std::vector<GcHead*>& v, GcHead* g) {
  if (full(v)) __builtin_unreachable();
  v.push_back(g);
}

// Trace hooks are user code; they must not throw (a half-examined graph cannot be rolled
// back), so a throw terminates with the exception's message.
void call_trace(GcHead* g, Tracer& t) noexcept {
  Header* h = header_of(g);
  h->type().trace(h->object(), t);
}

// Step 1 over g's handles by g's own walk (TypeInfo::subtract; noexcept as call_trace).
void walk_subtracting(GcHead* g, SubtractPass& pass) noexcept {
  Header* h = header_of(g);
  h->type().subtract(h->object(), pass);
}

// The state of one collection. Its SubtractPass part (gen, boundary_hit, tracing, external) is
// step 1's, which the objects' own walks update (TypeInfo::subtract).
struct Collection : SubtractPass {
  bool raced = false;      // some commit failed: resurrect_raced() has work
  bool reporting = false;  // CYC_REPORT: roots are known by root_since, not by kBuffered
  bool alone = false;      // the process had one thread when the collection began
  // CHECK_WRITES: every handle step 1 saw, object by object, to compare with before the commit.
  bool checking = false;
  std::vector<GcHead*> traced;          // in the order step 1 traced them
  std::vector<std::size_t> traced_end;  // where each one's handles end in traced_handles
  std::vector<Header*> traced_handles;
  std::vector<GcHead*> roots;
  std::vector<GcHead*> visited;
  std::vector<GcHead*> stack;
  std::vector<GcHead*> white;
  std::unordered_map<GcHead*, Since> root_since;
  std::size_t promoted = 0;  // objects this collection moved into the oldest generation
  // A slice: once this many objects are examined, no further root is taken (0: no limit).
  std::size_t budget = 0;
  std::size_t cut = SIZE_MAX;  // roots from here on were not examined (SIZE_MAX: all were)
  std::size_t holes = 0;       // nulls among the examined roots (see gather_roots)
  std::size_t settled = 0;     // objects step 2 settled (one thread only)
  std::size_t skipped = 0;     // roots step 1 skipped (kSkip)
  // After step 1: nothing examined is referenced from outside and no root was skipped, so
  // all of it is garbage (step 2 has nothing to do).
  bool all_garbage = false;
  // All that was examined is garbage and its commit is left to the teardown (see
  // commit_in_teardown): `visited` is the garbage, `white` stays empty.
  bool deferred_commit = false;

  void reset(int g, bool report, bool check) {
    gen = g;
    promoted = 0;
    external = 0;
    budget = 0;
    cut = SIZE_MAX;
    holes = 0;
    settled = 0;
    skipped = 0;
    all_garbage = false;
    deferred_commit = false;
    boundary_hit = false;
    raced = false;
    reporting = report;
    alone = single_threaded();
    checking = check;
    traced.clear();
    traced_end.clear();
    traced_handles.clear();
    roots.clear();
    visited.clear();
    stack.clear();
    white.clear();
    root_since.clear();
  }

  bool complete() const { return cut == SIZE_MAX; }
  const std::vector<GcHead*>& garbage() const { return deferred_commit ? visited : white; }
  std::size_t examined_roots() const { return std::min(cut, roots.size()); }
  std::size_t examined_candidates() const { return examined_roots() - holes; }

  bool is_root(GcHead* g) const { return reporting ? root_since.contains(g) : (g->seen() & kBuffered) != 0; }

  // CHECK_WRITES: a handle an object held when step 1 walked it (HandleRecorder).
  void record_handle(HandleBase& hb) { traced_handles.push_back(hb.header()); }

  // Reads an object's count word for the first time in this collection and, in the same
  // atomic step, sets kExamined: from then on every drop of the object waits for this
  // collection (see decref in <cyc/detail/object.h>), so the count never goes below what
  // was read. Returns the word as it was, without kExamined.
  // kAlone: `alone`, for a caller that tests it once for many objects.
  template <bool kAlone>
  std::uint32_t read_count_as(GcHead* g) const noexcept {
    std::atomic<std::uint32_t>& strong = header_of(g)->strong;
    if (kAlone) return strong.load(std::memory_order_relaxed);
    return strong.fetch_or(kExamined, std::memory_order_acq_rel) & ~kExamined;
  }
  std::uint32_t read_count(GcHead* g) const noexcept {
    return alone ? read_count_as<true>(g) : read_count_as<false>(g);
  }

  // Takes flags off a count word, with other threads still copying the handle.
  void clear_flags(GcHead* g, std::uint32_t flags) const noexcept {
    std::atomic<std::uint32_t>& strong = header_of(g)->strong;
    if (alone)
      strong.store(strong.load(std::memory_order_relaxed) & ~flags, std::memory_order_relaxed);
    else
      strong.fetch_and(~flags, std::memory_order_acq_rel);
  }

  // Colours an object gray; step 1 traces it in its turn in `visited`, which must have room
  // for it (grow_for_one). `meta`: its Header::meta.
  void gray(GcHead* g, std::uint32_t count_word, std::uint32_t meta) {
    room_for_one(visited, g);
    g->set_seen(count_word);
    g->refs = static_cast<std::int32_t>(count_word & kCountMask);
    g->set_meta(kColorField.with(meta, kGray));
    if (g->refs > 0) ++external;
  }

  // Traces what `stack` holds until it is empty (steps 2 and 4, depth first).
  template <class T>
  void drain(T& t) {
    while (!stack.empty()) {
      GcHead* g = stack.back();
      stack.pop_back();
      call_trace(g, t);
    }
  }
};

// Step 1 (subtract internal references) as a Tracer, for the hooks that take one: the objects'
// own walks (TypeInfo::subtract) call them with it (SubtractPass::tracer).
class SubtractTracer final : public Tracer {
 public:
  explicit SubtractTracer(Collection& c) : Tracer(c.gen == kOldestGen ? &visit<true> : &visit<false>), c_(c) {}

 private:
  template <bool kOldest = false>
  static void visit(Tracer& t, HandleBase& hb) {
    static_cast<SubtractTracer&>(t).c_.visit<kOldest>(hb);
  }
  Collection& c_;
};

// CHECK_WRITES: records the handles an object holds, for check_writes() to compare with.
class HandleRecorder final : public Tracer {
 public:
  explicit HandleRecorder(Collection& c) : Tracer(&visit), c_(c) {}

 private:
  static void visit(Tracer& t, HandleBase& hb) { static_cast<HandleRecorder&>(t).c_.record_handle(hb); }
  Collection& c_;
};

[[gnu::noinline]] void first_visit_growing(Collection& c, GcHead* g, std::uint32_t meta);

}  // namespace

// Grays an object step 1 reached first through a handle, and subtracts that handle. As the
// other functions that append (grow_for_one), it calls itself again last when `visited` is full.
void subtract_first_visit(SubtractPass& pass, GcHead* g, std::uint32_t meta) {
  auto& c = static_cast<Collection&>(pass);
  if (full(c.visited)) [[unlikely]] return first_visit_growing(c, g, meta);
  c.gray(g, c.read_count(g), meta);
  c.subtract(g);
}

namespace {

void first_visit_growing(Collection& c, GcHead* g, std::uint32_t meta) {
  grow_for_one(c.visited);
  subtract_first_visit(c, g, meta);
}

// Step 2 (and resurrection at commit): mark what `from` colors reachable as black.
class BlackenTracer final : public Tracer {
 public:
  BlackenTracer(Collection& c, std::uint8_t from) : Tracer(&visit), c_(c), from_(from) {}

  // Colours g black and stacks it for tracing. Out of line, as SubtractTracer::first_visit.
  [[gnu::noinline]] void blacken(GcHead* g) {
    if (full(c_.stack)) [[unlikely]] return blacken_growing(g);
    if (from_ == kWhite) header_of(g)->strong.fetch_and(~kDead, std::memory_order_relaxed);
    g->set_color(kBlack);
    room_for_one(c_.stack, g);
  }
  [[gnu::noinline]] void blacken_growing(GcHead* g) {
    grow_for_one(c_.stack);
    blacken(g);
  }

 private:
  static void visit(Tracer& t, HandleBase& hb) {
    // No generation test (member()): an object outside the examined set, older or settled
    // already, is never of colour `from_`. Nor does step 2 mark a boundary: step 1 met the same
    // handles, and objects settled in step 2 (promoted a generation) are not one.
    auto& self = static_cast<BlackenTracer&>(t);
    std::uint32_t meta;
    GcHead* g = tracked_target(hb, meta);
    if (!g || kColorField.in(meta) != self.from_) return;
    self.blacken(g);
  }
  Collection& c_;
  std::uint8_t from_;
};

// Garbage that an automatic collection found and committed but left for the allocations after
// it to tear down (lazy sweeping, see sweep_later()): the collection's pause then holds finding
// the garbage only. While it is pending, every tracked allocation calls collect_automatic()
// (g_threshold0 is 0), which takes kSweepSteps steps of it: first the handles of all of it are
// reset, then destructors run and memory goes, in the order and with the guarantees of
// tear_down(). Every collection, safepoint() and collect() finish it first. Guarded by
// Collector::running.
struct Sweep {
  std::vector<GcHead*> garbage;  // committed (kDead), colours kept: is_garbage() holds
  std::size_t cleared = 0;       // garbage[0, cleared) have their handles reset
  std::size_t destroyed = 0;     // garbage[0, destroyed) are destroyed; only once all are cleared
};

// Whether a Sweep is pending, for refresh_trigger() (which runs under Collector::config); and
// the trigger that g_threshold0 holds when none is, so that allocations taking steps of a
// sweep need not take Collector::config to see that no collection is due.
constinit std::atomic<bool> g_sweep_pending{false};
constinit std::atomic<std::size_t> g_collect_at{700};

struct Collector {
  std::mutex running;  // serializes collections
  Collection scratch;
  Sweep sweep;

  std::mutex config;   // guards everything below
  std::size_t threshold[gc::kGenerations] = {700, 10, 10};
  std::size_t count[gc::kGenerations] = {0, 0, 0};  // count[0] lives in g_count0
  unsigned debug = 0;
  std::array<gc::GenerationStats, gc::kGenerations> stats{};  // promoted, tracked_after: see gc.h
  std::vector<std::pair<std::size_t, gc::Callback>> callbacks;
  std::size_t next_callback = 1;
  std::vector<Handle<>> garbage;
  // Automatic::kWhileSingleThreaded found the process multi-threaded: allocation no longer
  // triggers collections, safepoint() runs them (see <cyc/gc.h>).
  bool deferred = false;
};

// gc::Automatic, read on the allocation path when a collection is due.
constinit std::atomic<int> g_automatic{static_cast<int>(gc::Automatic::kWhileSingleThreaded)};

// Debug builds of libcyc check the threading contract in every collection.
#ifdef NDEBUG
constexpr bool kCheckWritesAlways = false;
#else
constexpr bool kCheckWritesAlways = true;
#endif

Collector& collector() {
  static Collector* c = new Collector;
  return *c;
}

// The phases below run in this order under Candidates::lock; examine() strings them together.

// Takes the candidate lists of the generations collected as the roots, without touching the
// objects yet (one pass fewer over scattered memory). The first list is taken whole, holes
// (nulls) and all, without a copy: settle() clears the lists anyway.
void gather_roots(Collection& c) {
  Candidates& cands = detail::candidates();
  for (int i = 0; i <= c.gen; ++i) {
    CandidateList& list = cands.lists[i];
    if (c.roots.empty() && !c.reporting) {
      c.roots.swap(list.entries);
      continue;
    }
    for (std::size_t j = 0; j < list.entries.size(); ++j)
      if (GcHead* g = list.entries[j]) {
        c.roots.push_back(g);
        if (c.reporting) c.root_since.emplace(g, list.since[j]);
      }
  }
}

// Step 1 takes the roots this many at a time (see subtract_refs). Graying a root is little work,
// so that loop fetches its roots further ahead than the passes that trace.
constexpr std::size_t kRootBatch = 64;
constexpr std::size_t kRootPrefetchAhead = 32;

// CHECK_WRITES: g is traced; its handles are recorded, for check_writes() to compare with before
// the commit. Right after step 1's walk of g: a write in between goes unseen, one after is caught.
void record_traced(Collection& c, GcHead* g) {
  HandleRecorder recorder(c);
  call_trace(g, recorder);
  c.traced.push_back(g);
  c.traced_end.push_back(c.traced_handles.size());
}

// Step 1 for the objects visited[from, to), to <= visited.size(): traces each, which grays what it
// reaches for the first time by appending it to `visited` (beyond `to`). Skipped roots (kSkip,
// almost never any) are in `visited` too, and are not traced.
void subtract_between(Collection& c, std::size_t from, std::size_t to) {
  // Tracing may move `visited`: read its start each time.
  auto fetch = [&c](std::size_t j) { __builtin_prefetch(c.visited.data()[j], 1); };
  for_indices_ahead(from, to, fetch, [&](std::size_t i) {
    GcHead* g = c.visited.data()[i];
    if (c.skipped && g->color() == kSkip) return;
    c.tracing = static_cast<std::uint32_t>(i);
    walk_subtracting(g, c);
    if (c.checking) record_traced(c, g);
  });
}

// Step 1 for visited[from, end), and for what that grays, until nothing is left untraced. Returns
// how many objects of `visited` are traced: all of them.
std::size_t subtract_rest(Collection& c, std::size_t from) {
  for (std::size_t to; from < (to = c.visited.size()); from = to)
    subtract_between(c, from, to);
  return from;
}

// Step 1 for one root: grays it, unless it is a hole or was reached already. Traced later.
// `visited` must have room for it.
template <bool kAlone>
void take_root(Collection& c, GcHead* r) {
  if (!r) {
    ++c.holes;
    return;
  }
  const std::uint32_t meta = r->meta();
  if (kColorField.in(meta) != kNone) return;  // reached from an earlier root
  const std::uint32_t word = c.read_count_as<kAlone>(r);
  if ((word & kCountMask) == 0) {
    // Its last reference is being dropped on another thread, which waits for the lock
    // to unlink it: not ours to examine.
    c.clear_flags(r, kExamined);
    r->set_color(kSkip);
    ++c.skipped;
    r->set_seen(word);
    r->refs = 0;  // nothing references it: a stale value must not reach c.external
    room_for_one(c.visited, r);
    return;
  }
  c.gray(r, word, meta);
}

// Step 1 for c.roots[from, end): take_root() for each, fetching ahead. Makes room in `visited` for
// all of them first.
template <bool kAlone>
void take_roots_as(Collection& c, std::size_t from, std::size_t end) {
  GcHead* const* roots = c.roots.data();
  const std::size_t n = c.roots.size();
  // Fetching across the batch's end (for_indices_ahead would stop at it).
  for (std::size_t i = from; i < end; ++i) {
    if (i + kRootPrefetchAhead < n) __builtin_prefetch(roots[i + kRootPrefetchAhead], 1);
    take_root<kAlone>(c, roots[i]);
  }
}
void take_roots(Collection& c, std::size_t from, std::size_t end) {
  if (c.visited.capacity() - c.visited.size() < end - from) grow_for(c.visited, end - from);
  if (c.alone)
    take_roots_as<true>(c, from, end);
  else
    take_roots_as<false>(c, from, end);
}

bool may_settle_last(const Collection& c);
bool trace_settling(Collection& c, std::size_t i);

// Step 1 (CPython's update_refs + subtract_refs in one walk): reads the count of every root
// and of everything it reaches, and subtracts the references between them.
//
// Breadth first, with `visited` as the queue, and the roots fed into it kRootBatch at a time:
// gray a batch of roots, then trace what is gray and not traced yet. What that tracing grays
// waits for the next batch's turn. So each root is read once, and traced while still in cache;
// and a chain whose every link is a root (gc_bench's live_first) is traced a batch of links at a
// time instead of by following its pointers, one load waiting for the one before.
//
// A slice takes one root at a time instead, and traces all that it reaches before it takes the
// next, until `visited` holds c.budget objects: a batch's tracing stops at what its roots reach
// first, so the budget would not see how much more they reach.
void subtract_refs(Collection& c) {
  SubtractTracer subtract(c);
  c.tracer = &subtract;  // for the hooks that take a Tracer (SubtractPass)
  const std::size_t batch = c.budget ? 1 : kRootBatch;
  std::size_t traced = 0;  // visited[0, traced) are traced
  for (std::size_t i = 0; i < c.roots.size();) {
    if (c.budget && c.visited.size() >= c.budget) {
      c.cut = i;  // the rest wait in their lists for the next slice (settle)
      break;
    }
    const std::size_t end = std::min(i + batch, c.roots.size());
    take_roots(c, i, end);
    i = end;
    if (c.budget) {
      traced = subtract_rest(c, traced);
    } else {
      const std::size_t to = c.visited.size();
      if (i == c.roots.size() && to > traced && may_settle_last(c)) {
        subtract_between(c, traced, to - 1);
        if (c.visited.size() != to || !trace_settling(c, to - 1))
          subtract_between(c, to - 1, to);
      } else {
        subtract_between(c, traced, to);
      }
      traced = to;
    }
  }
  subtract_rest(c, traced);  // what the last batch reaches
  c.tracer = nullptr;
}

// The phases that put candidates back into lists cannot stop half-way: running out of memory
// there ends the process, with this message.
[[noreturn]] void relisting_failed() noexcept {
  fatal("out of memory while re-recording cycle-collection candidates");
}

// Puts a candidate back into a list, keeping its entry's stamp (no drop happened since). Out
// of line: Settler::settle() runs for every object, this rarely.
[[gnu::noinline]] void relist(const Collection& c, Candidates& cands, GcHead* g, std::uint8_t list) {
  if (c.reporting)
    cands.lists[list].push(g, list, c.root_since.at(g));
  else
    cands.lists[list].push(g, list);
}

// Settles the examined objects found alive (black, proven, or skipped): each goes into the next
// generation; a candidate leaves its list, or goes back to one; kExamined comes off, after which
// other threads may drop and free it. Made once per pass, after step 1, it holds what does not
// change meanwhile: settle() runs for every object found alive, and read from the Collection,
// these were loaded again after every store into an object (which might alias it). settle() is
// inlined where it is called: as a call it saved and restored registers every time.
class Settler {
 public:
  explicit Settler(Collection& c)
      : c_(c),
        cands_(detail::candidates()),
        older_(static_cast<std::uint8_t>(c.gen < kOldestGen ? c.gen + 1 : kOldestGen)),
        into_oldest_(older_ == kOldestGen),
        relist_roots_(relists_roots(c)),
        reporting_(c.reporting),
        alone_(c.alone) {}
  ~Settler() { c_.promoted += promoted_; }
  // Forgets the objects this one moved into the oldest generation (SettlingTracer::abandon()).
  void discard_promotions() { promoted_ = 0; }
  Settler(const Settler&) = delete;
  Settler& operator=(const Settler&) = delete;

  [[gnu::always_inline]] void settle(GcHead* g) { settle(g, c_.is_root(g), g->meta()); }

  // Whether settle<true>() may stand for settle(): one thread, no CYC_REPORT, no root relisted.
  static bool plain(const Collection& c) { return c.alone && !c.reporting && !relists_roots(c); }

  // settle<true>() of a gray object: a root is one buffered when step 1 first read it. `meta`:
  // its Header::meta, or that word with a field the caller changes.
  template <bool kIntoOldest = false>
  [[gnu::always_inline]] void settle_gray(GcHead* g, std::uint32_t meta) {
    settle<true, kIntoOldest>(g, (g->seen() & kBuffered) != 0, meta);
  }
  [[gnu::always_inline]] void settle_gray(GcHead* g) { settle_gray(g, g->meta()); }

  // kPlain: plain(c) holds and g is gray, so the branches for the other cases are compiled out
  // (no kSkip, no kExamined to clear, a root only unbuffered; a root is one buffered when read).
  // kIntoOldest: the oldest generation is collected (into_oldest_), told at compile time so
  // that the new generation is a constant. `meta` as for settle_gray(); its colour and
  // generation change, in one store.
  template <bool kPlain = false, bool kIntoOldest = false>
  [[gnu::always_inline]] void settle(GcHead* g, bool root, std::uint32_t meta) {
    if (!kPlain && kColorField.in(meta) == kSkip) [[unlikely]] return settle_skipped(c_, cands_, g, root);
    g->set_meta(kColorField.with(aged<kIntoOldest>(meta), kNone));
    std::uint32_t clear = kExamined;
    if (root) {
      if (!kPlain && relist_roots_) [[unlikely]] {
        // Its examination stopped at older objects: examine it again with them.
        promote(g);
        relist(c_, cands_, g, older_);
      } else if (kPlain || !reporting_) {
        clear |= kBuffered;  // alive: no longer a candidate
      }
      // While reporting an alive candidate is simply no longer listed.
    }
    std::atomic<std::uint32_t>& strong = header_of(g)->strong;
    if (!kPlain && !alone_)
      strong.fetch_and(~clear, std::memory_order_acq_rel);
    else if (clear != kExamined)  // alone, kExamined was never set (Collection::read_count)
      strong.store(strong.load(std::memory_order_relaxed) & ~clear, std::memory_order_relaxed);
  }

 private:
  void promote(GcHead* g) {
    promoted_ += into_oldest_ & (g->gen() != older_);
    g->set_gen(older_);
  }
  // `if (gen <= c.gen) promote` without a branch, on a Header::meta word: older_ is c.gen + 1, or
  // the oldest generation when c.gen is, so an object no older than c.gen is younger than older_,
  // and one older than c.gen is not. kIntoOldest: as for settle(); every object then ends in the
  // oldest generation (none is older).
  template <bool kIntoOldest>
  std::uint32_t aged(std::uint32_t meta) {
    const std::uint8_t old = kGenField.in(meta);
    if constexpr (kIntoOldest) {
      promoted_ += old != kOldestGen;
      return kGenField.with(meta, kOldestGen);
    }
    const bool younger = old < older_;
    promoted_ += into_oldest_ & younger;
    return kGenField.with(meta, younger ? older_ : old);
  }
  // A skipped root never had kExamined; its releaser, waiting for the lock, unlinks it. Static,
  // as everything called out of line here: a Settler whose address is passed on lives in memory.
  [[gnu::noinline]] static void settle_skipped(const Collection& c, Candidates& cands, GcHead* g,
                                               bool root) {
    if (root) relist(c, cands, g, 0);
    g->set_color(kNone);
  }

  // A root is put back into a list when the examination stopped at older objects (a boundary).
  static bool relists_roots(const Collection& c) { return c.boundary_hit && c.gen < kOldestGen; }

  Collection& c_;
  Candidates& cands_;
  const std::uint8_t older_;  // the generation an object found alive moves into
  const bool into_oldest_;  // what is promoted goes into the oldest generation
  const bool relist_roots_, reporting_, alone_;
  std::size_t promoted_ = 0;  // objects moved into the oldest generation
};

void release_lists(Collection& c);

// Whether step 1 may trace its last object with trace_settling(): settle<true>() stands for
// settle() (one thread, no CYC_REPORT), and the oldest generation is collected (no boundary).
bool may_settle_last(const Collection& c) {
  return c.gen == kOldestGen && Settler::plain(c);
}

// Step 1's last trace, settling as it goes (trace_settling()). It subtracts as SubtractTracer does
// and, while it holds, settles every gray object it reaches at once: alive if the object traced is.
// A handle to an object not gray (never examined, or settled here already: the two cannot be told
// apart) abandons it: the objects settled so far are gray again, with their generations back
// (kept in GcHead::pad()), and the rest of the trace is SubtractTracer's.
class SettlingTracer final : public Tracer {
 public:
  SettlingTracer(Collection& c, Settler& settler, GcHead* traced)
      : Tracer(&visit), c_(c), settler_(settler), traced_(traced) {}

  bool holds() const { return holds_; }
  std::size_t settled() const { return settled_; }

  void abandon() {
    if (settled_ != 0)
      for (GcHead* g : c_.visited)
        if (g->color() == kNone) {
          g->set_color(kGray);
          g->set_gen(g->pad());
        }
    settler_.discard_promotions();
    holds_ = false;
    settled_ = 0;
  }

 private:
  // While holding: subtracts from hb's target, and settles it if gray. A target not gray makes it
  // abandon; SubtractTracer's visit then does what a first visit does. Everything rare is a call
  // in tail position, so the visit saves no registers.
  static void visit(Tracer& t, HandleBase& hb) {
    auto& self = static_cast<SettlingTracer&>(t);
    if (!self.holds_) return self.c_.visit<true>(hb);
    std::uint32_t meta;
    GcHead* g = self.c_.member<true>(hb, meta);
    if (!g) return;
    const std::uint8_t color = kColorField.in(meta);
    if (color == kNone) [[unlikely]] return abandon_at(self, hb);
    self.c_.subtract(g);
    if (color != kGray || g == self.traced_) return;
    // Its generation kept in pad, for abandon(). Into the oldest: it is collected (may_settle_last).
    self.settler_.settle_gray<true>(g, kPadField.with(meta, kGenField.in(meta)));
    ++self.settled_;
  }
  [[gnu::noinline]] static void abandon_at(SettlingTracer& self, HandleBase& hb) {
    self.abandon();
    self.c_.visit<true>(hb);
  }
  Collection& c_;
  Settler& settler_;
  GcHead* const traced_;
  bool holds_ = true;
  std::size_t settled_ = 0;
};

// Traces visited[i], the last object step 1 traces (all the others are traced, and no root is left
// to take), with a SettlingTracer. If that holds to the end and the object's refs is still above
// zero, it is referenced from outside (nothing is traced after it that could subtract from it),
// so it and every object it settled are alive: settled, they are left out of step 2 and settle().
// A root list holding everything it reaches (gc_bench's live_first) is so settled in the pass of
// its trace, one pass over the nodes fewer. Only where Settler::settle<true>() stands for settle()
// and nothing is older than the collection (no boundary): may_settle_last(c). False if it did not
// trace the object.
bool trace_settling(Collection& c, std::size_t i) {
  GcHead* x = c.visited[i];
  // Every other object is traced: only its own trace can still subtract from it. At zero already,
  // it could not hold.
  if (x->color() != kGray || x->refs <= 0) return false;
  Settler settler(c);
  SettlingTracer settling(c, settler, x);
  c.tracing = static_cast<std::uint32_t>(i);
  call_trace(x, settling);
  if (c.checking) record_traced(c, x);
  if (!settling.holds()) return true;
  if (x->refs <= 0) {
    settling.abandon();
    return true;
  }
  settler.settle_gray(x);
  c.settled += settling.settled() + 1;
  return true;
}

// Step 2 (CPython's move_unreachable): objects with references from outside are alive, and so is
// all they reach. What is still gray after it is garbage (step 3 is in settle(), which visits every
// examined object anyway).
//
// Most of what is alive is proven so without being traced again. Step 1 wrote down in GcHead::slot,
// for every object it subtracted from, the index in `visited` of the last object whose trace
// reached it: its visitor. An object is alive if refs > 0, or if its visitor is. Every gray object
// with refs <= 0 has a visitor: refs is its count less the references from examined objects, its
// count is at least 1 (a root read at 0 is skipped, kSkip), so some examined object's trace
// subtracted from it. (The slot is the collector's during the collection: see the invariants
// above.)
//
// prove_alive() applies the rule from the end of `visited` and then from its start: a structure
// whose root is the last candidate recorded (gc_bench's live_first: every node's visitor is the
// root list, after them all) is proven by the first pass, objects reached from an alive one in step
// 1's order by the second. What neither proves is decided by tracing: what is reachable from the
// proven objects (blacken_from_proven), or, when fewer are left unknown than were proven, only the
// unknown ones (blacken_entered).
//
// While the process has one thread, prove_alive() settles each object as it proves it (colour kNone
// again), while it is in cache, and settle() passes over none of those; with more threads that must
// wait until the commit, as settling lets other threads free what was settled, so it colours them
// kProven. What the tracing finds alive is black, and settled by settle().
constexpr std::uint8_t kProven = kSkip + 1;

inline bool proven(const GcHead* g) noexcept {
  const std::uint8_t color = g->color();
  return color == kNone || color == kProven;
}

struct Proof {
  std::size_t proven = 0;
  std::size_t unknown = 0;
};

// prove_alive(): proves each gray object whose refs > 0 or whose visitor is proven, in one pass
// from the end of `visited` and, if that leaves any unknown, one from its start. `kPlain`:
// Settler::plain(c) (the usual case), as a template argument so that its settling is compiled
// without the branches it leaves out. Nothing is added to `visited` meanwhile.
template <bool kPlain>
Proof prove_alive(Collection& c, Settler& settler) {
  GcHead* const* v = c.visited.data();
  const std::size_t n = c.visited.size();
  Proof p;
  auto look_at = [&](GcHead* g) {
    if (g->color() != kGray) return;
    // Plain, nothing is kProven: proven objects are settled.
    if (g->refs <= 0 && (kPlain ? v[g->slot]->color() != kNone : !proven(v[g->slot]))) {
      ++p.unknown;
      return;
    }
    ++p.proven;
    if constexpr (kPlain)
      settler.settle_gray(g);
    else if (c.alone)
      settler.settle(g);
    else
      g->set_color(kProven);
  };
  auto fetch = [v](std::size_t j) { __builtin_prefetch(v[j], 1); };
  auto look_at_index = [&](std::size_t i) { look_at(v[i]); };
  for_indices_ahead_back(0, n, fetch, look_at_index);
  if (p.unknown != 0) {
    p.unknown = 0;
    for_indices_ahead(0, n, fetch, look_at_index);
  }
  if (kPlain || c.alone) c.settled += p.proven;
  return p;
}

// Traces every proven object, blackening the gray objects it reaches and what they reach.
void blacken_from_proven(Collection& c) {
  BlackenTracer blacken(c, kGray);
  for (GcHead* g : c.visited) {
    if (!proven(g)) continue;
    call_trace(g, blacken);
    c.drain(blacken);
  }
}

// Adds kDelta to the refs of every tracked object reached for which kCounts holds of its
// Header::meta.
template <int kDelta, bool (*kCounts)(std::uint32_t meta)>
class RefsTracer final : public Tracer {
 public:
  RefsTracer() : Tracer(&visit) {}

 private:
  static void visit(Tracer&, HandleBase& hb) {
    std::uint32_t meta;
    GcHead* g = tracked_target(hb, meta);
    if (g && kCounts(meta)) g->refs += kDelta;
  }
};

inline bool gray(std::uint32_t meta) noexcept { return kColorField.in(meta) == kGray; }
inline bool gray(const GcHead* g) noexcept { return gray(g->meta()); }

// Adds back to each unknown (gray) object what step 1 subtracted for the handles of unknown
// objects: its refs is then its count less the references from proven objects. Step 1 subtracted
// for every handle to a gray object that is unknown now: an object that step 1 did not subtract
// from (one older than the generation collected, reached as a root) has refs > 0, and is proven.
using AddBackTracer = RefsTracer<+1, gray>;

// Traces only the unknown objects: those referenced from a proven one (refs below their count
// once the references between unknown objects are added back) are the ways in from the alive
// part, and what they reach is alive; the rest is garbage.
void blacken_entered(Collection& c) {
  AddBackTracer add_back;
  for (GcHead* g : c.visited)
    if (gray(g)) call_trace(g, add_back);
  BlackenTracer blacken(c, kGray);
  for (GcHead* g : c.visited) {
    if (!gray(g) || g->refs >= static_cast<std::int32_t>(g->seen() & kCountMask)) continue;
    blacken.blacken(g);
    c.drain(blacken);
  }
}

[[gnu::noinline]] void move_unreachable(Collection& c) {
  if (c.external == 0) return;  // nothing is referenced from outside: all of it is garbage
  if (c.settled == c.visited.size()) return;  // step 1 settled all of it (trace_settling)
  try {
    Settler settler(c);
    const Proof p =
        Settler::plain(c) ? prove_alive<true>(c, settler) : prove_alive<false>(c, settler);
    if (p.unknown == 0) return;
    if (p.unknown < p.proven)
      blacken_entered(c);
    else
      blacken_from_proven(c);
  } catch (...) {
    relisting_failed();
  }
}

// Step 3, for one garbage object: a compare-exchange of its count from the word first read to
// the same word with kDead; from then on Weak::lock() fails on it. False if the count went up
// since it was read (see "Why the commit is safe" above).
bool commit(const Collection& c, GcHead* g) noexcept {
  std::atomic<std::uint32_t>& strong = header_of(g)->strong;
  if (c.alone) {
    strong.store(g->seen() | kDead, std::memory_order_relaxed);
    return true;
  }
  std::uint32_t expected = g->seen() | kExamined;
  return strong.compare_exchange_strong(expected, expected | kDead, std::memory_order_acq_rel);
}

// CHECK_WRITES: replays one object's trace against the handles step 1 saw in it, and keeps
// the first field that differs.
class CompareTracer final : public Tracer {
 public:
  CompareTracer(const std::vector<Header*>& seen, std::size_t begin, std::size_t end)
      : Tracer(&visit), seen_(seen), next_(begin), end_(end) {}

  bool changed() const { return changed_ || next_ != end_; }
  const std::string& field() const { return field_; }

 private:
  static void visit(Tracer& t, HandleBase& hb) {
    auto& self = static_cast<CompareTracer&>(t);
    const bool same = self.next_ < self.end_ && self.seen_[self.next_] == hb.header();
    if (!same && !self.changed_) {
      self.changed_ = true;
      self.field_ = std::string(t.field_name());
    }
    ++self.next_;
  }
  const std::vector<Header*>& seen_;
  std::size_t next_, end_;
  bool changed_ = false;
  std::string field_;
};

// CHECK_WRITES, before the commit (after it, settle() lets other threads free what is alive):
// every object step 1 traced must still hold the handles it held then. A difference means
// some thread wrote a traced field during the collection, which the threading contract of
// <cyc/gc.h> forbids: abort, naming the type and the field.
void check_writes(const Collection& c) {
  std::size_t begin = 0;
  for (std::size_t i = 0; i < c.traced.size(); ++i) {
    CompareTracer compare(c.traced_handles, begin, c.traced_end[i]);
    call_trace(c.traced[i], compare);
    if (compare.changed()) {
      const std::string what = "traced field '" + (compare.field().empty() ? "?" : compare.field()) +
                               "' changed during the collection (see the threading contract in <cyc/gc.h>)";
      fatal(what.c_str(), header_of(c.traced[i])->type().rtti);
    }
    begin = c.traced_end[i];
  }
}

// Steps 1 and 2, under Candidates::lock: what is still gray afterwards is garbage.
void examine(Collection& c) {
  gather_roots(c);
  tl_in_trace = true;
  subtract_refs(c);
  c.all_garbage = c.external == 0 && c.skipped == 0;
  release_lists(c);
  move_unreachable(c);
  if (c.checking) check_writes(c);
  tl_in_trace = false;
}

#ifndef NDEBUG
// Debug builds check the threading contract where it is cheap: the garbage is re-traced
// and every reference to it must still come from inside it. A mismatch means a traced
// field was written (or a handle dropped through a raw pointer) while we examined it.
using CountTracer = RefsTracer<-1, is_garbage>;

void verify_garbage(const Collection& c) {
  const std::vector<GcHead*>& garbage = c.garbage();
  for (GcHead* g : garbage) g->refs = static_cast<std::int32_t>(g->seen() & kCountMask);
  CountTracer count;
  for (GcHead* g : garbage) call_trace(g, count);
  for (GcHead* g : garbage)
    if (g->refs != 0)
      fatal("a traced field of an object being collected changed during the collection "
            "(see the threading contract in <cyc/gc.h>)",
            header_of(g)->type().rtti);
}
#endif

// A slice's roots that were not examined (still uncoloured: nothing examined reaches what it
// does not colour) go back to the lists they came from, stamps and all; kBuffered stayed set.
void carry_over(const Collection& c, Candidates& cands) {
  for (std::size_t i = c.examined_roots(); i < c.roots.size(); ++i) {
    GcHead* g = c.roots[i];
    if (!g || g->color() != kNone) continue;  // a hole, or reached from an examined root: settled below
    const std::uint8_t list = g->list();
    if (c.reporting)
      cands.lists[list].push(g, list, c.root_since.at(g));
    else
      cands.lists[list].push(g, list);
  }
}

// Between steps 1 and 2, under Candidates::lock: the lists of the generations collected are
// emptied (their candidates are all in c.roots), and a slice's roots that were not examined go
// back. From here on a Settler may put candidates back into lists.
void release_lists(Collection& c) {
  Candidates& cands = detail::candidates();
  for (int i = 0; i <= c.gen; ++i) cands.lists[i].clear();
  try {
    carry_over(c, cands);
  } catch (...) {
    relisting_failed();
  }
}

// After examine(), still under Candidates::lock, in one pass over what was examined: step 3
// (what is still gray is garbage: colour it white, collect it in c.white and, unless `keep`,
// commit it), and settle the candidate lists, generations and kExamined of everything alive.
// Every candidate was examined, and drops of examined objects waited for the lock, so none
// found a candidate still buffered: an alive candidate can simply be unbuffered, and the next
// drop that leaves it with a non-zero count records it again. A failed commit sets c.raced;
// the object keeps kExamined for resurrect_raced().
void settle(Collection& c, bool keep) {
  if (c.settled == c.visited.size()) return;  // all of it was settled in step 2
  Settler settler(c);
  try {
    c.white.reserve(c.visited.size() - c.settled);
    for_each_ahead(c.visited, [&](GcHead* g) {
      const std::uint32_t meta = g->meta();
      const std::uint8_t color = kColorField.in(meta);
      if (color == kNone) return;  // settled in step 2
      // The candidates of the generations collected are exactly the examined objects that
      // were buffered when first read (the lock keeps kBuffered still meanwhile), or, while
      // reporting, that were listed.
      const bool root = c.is_root(g);
      if (color != kGray) {
        settler.settle(g, root, meta);
        return;
      }
      g->set_meta(kColorField.with(meta, kWhite));
      c.white.push_back(g);
      if (keep)  // kept alive (SAVE_ALL, the report at exit): an ordinary, unlisted object again
        c.clear_flags(g, root && !c.reporting ? kBuffered | kExamined : kExamined);
      else if (!commit(c, g))
        c.raced = true;
    });
  } catch (...) {
    relisting_failed();
  }
}

// Step 4, only after a failed commit: an object whose count went up is reachable from some
// thread after all, and so is everything it reaches. Those are alive again (kDead cleared) and
// settled as such; c.white keeps the rest. Safe after settle() let go of the objects found alive
// earlier: the garbage, which alone is traced here, only holds objects it keeps alive.
void resurrect_raced(Collection& c) {
  tl_in_trace = true;
  BlackenTracer resurrect(c, kWhite);
  for (GcHead* g : c.white) {
    if (g->color() != kWhite || (header_of(g)->strong.load(std::memory_order_relaxed) & kDead))
      continue;
    g->set_color(kBlack);
    c.stack.push_back(g);
    c.drain(resurrect);
  }
  tl_in_trace = false;
  Settler settler(c);
  try {
    for (GcHead* g : c.white)
      if (g->color() == kBlack) settler.settle(g);
  } catch (...) {
    relisting_failed();
  }
  std::erase_if(c.white, [](GcHead* g) { return g->color() != kWhite; });
}

// The garbage a teardown has still to commit: garbage()[next, end). Empty unless the commit was
// left to the teardown (Collection::deferred_commit).
struct Uncommitted {
  const Collection& c;
  std::size_t next;
  std::size_t end;

  void commit_rest() noexcept {
    for (; next < end; ++next) (void)commit(c, c.garbage()[next]);
  }
};

// Teardown step 2: reset every traced handle. Handles between garbage objects are only
// nulled (their targets are dead and freed below, whatever their counts); handles to live
// objects are dropped normally, which may free them.
//
// When the commit was left to the teardown, each object is committed right before its trace,
// in the same pass (settle() would have made one more pass over scattered memory). No user
// code may run before the whole garbage is dead: a destructor could lock a weak handle to an
// object not committed yet. A drop runs user code only when it drops the last reference, so
// before such a drop the rest of the garbage is committed at once.
class ClearTracer final : public Tracer {
 public:
  // `rest`: null when all of the garbage is committed.
  explicit ClearTracer(Uncommitted* rest) : Tracer(&visit), rest_(rest) {}

 private:
  static void visit(Tracer& t, HandleBase& hb) {
    Header* h = hb.header();
    if (!h) return;
    // Tracked and garbage, from one read of the word that says both. Not tracked_target(): the
    // rest needs the header of an untracked target too, and the handle is read once.
    const std::uint32_t meta = h->meta.load(std::memory_order_relaxed);
    if ((meta & kTrackedBit) && is_garbage(meta)) return hb.forget();
    Uncommitted* rest = static_cast<ClearTracer&>(t).rest_;
    if (rest && rest->next < rest->end && (h->strong.load(std::memory_order_relaxed) & kCountMask) == 1)
      rest->commit_rest();
    hb.reset();
  }
  Uncommitted* rest_;
};

void clear_garbage(const Collection& c) {
  const std::size_t n = c.garbage().size();
  Uncommitted rest{c, c.deferred_commit ? 0 : n, n};
  ClearTracer clear(&rest);
  std::size_t i = 0;
  for_each_ahead(c.garbage(), [&](GcHead* g) {
    if (rest.next == i++) {
      (void)commit(c, g);
      rest.next = i;
    }
    call_trace(g, clear);
  });
}

// Teardown step 3, for one object. Every handle inside the garbage is null by now, so no
// destructor can reach another garbage object through one: each object's memory can go right
// after its destructor.
[[gnu::always_inline]] inline void destroy_and_free(GcHead* g, BatchFree& memory) noexcept {
  Header* h = header_of(g);
  const TypeInfo& type = h->type();
  type.destroy(h->object());
  // No weak references: nobody else can touch the weak count, free at once.
  if (h->weak.load(std::memory_order_acquire) == 1)
    memory.add(h, type);
  else
    decweak(h);
}

// Teardown after the lock: kDead is set on all of the garbage (by settle(), or by
// clear_garbage()), handles reset, then destructors run and memory goes.
void tear_down(const Collection& c) {
  clear_garbage(c);
  const std::vector<GcHead*>& garbage = c.garbage();
  BatchFree memory;
  for_each_ahead(garbage, [&](GcHead* g) { destroy_and_free(g, memory); });
  count_tracked(-static_cast<std::int64_t>(garbage.size()));
}

// Steps of a pending sweep that each allocation takes: at about 5 ns a step, a tenth of a
// microsecond added to an allocation. A collection's garbage is done in a few dozen allocations,
// long before the next collection is due (threshold[0] candidates later).
constexpr std::size_t kSweepSteps = 16;

// Takes up to `steps` steps of the pending sweep: one object's handles reset, or, once all
// are, one object destroyed and freed. True when the sweep is done. The caller holds
// Collector::running and is marked as collecting (destructors that collect get 0).
bool sweep_steps(Sweep& s, std::size_t steps) {
  const std::size_t n = s.garbage.size();
  ClearTracer clear(nullptr);
  for (; steps && s.cleared < n; --steps) call_trace(s.garbage[s.cleared++], clear);
  if (s.cleared < n) return false;
  BatchFree memory;
  const std::size_t first = s.destroyed;
  for (; steps && s.destroyed < n; --steps) destroy_and_free(s.garbage[s.destroyed++], memory);
  count_tracked(-static_cast<std::int64_t>(s.destroyed - first));
  if (s.destroyed < n) return false;
  s.garbage.clear();
  s.cleared = s.destroyed = 0;
  return true;
}

void print_debug(unsigned debug, const gc::CollectReport& r) {
  if (debug & gc::STATS)
    std::fprintf(stderr, "cyc.gc: generation %d: %zu unreachable, %zu candidates, %zu examined, %.3f ms\n",
                 r.generation, r.collected, r.candidates, r.traversed,
                 static_cast<double>(r.duration.count()) / 1e6);
  if (debug & gc::COLLECTABLE)
    for (const gc::Cycle& cy : r.cycles)
      std::fprintf(stderr, "cyc.gc: collectable cycle: %s (%zu objects, %zu host bytes, %zu device bytes)\n",
                   gc::format_path(cy.path).c_str(), cy.objects, cy.host_bytes, cy.device_bytes);
}

// The objects an automatic collection of the oldest generation examines before it takes no
// further root: a few ms at the per-object costs of bench/README.md. Its candidates are the
// long-lived objects a program touched, and what they reach may be most of the heap; the
// roots it does not get to wait for the next slice. Explicit collections are never sliced.
constexpr std::size_t kSliceBudget = 100000;

// What a collection takes from the configuration when it starts.
struct CollectionSetup {
  unsigned debug = 0;
  std::vector<gc::Callback> callbacks;
  bool reporting = false;    // CYC_REPORT is being written
  bool save_all = false;     // SAVE_ALL: garbage goes to gc::garbage() instead of being freed
  bool keep = false;         // garbage is found but not committed (SAVE_ALL, or the collection at exit)
  bool want_cycles = false;  // someone reads the cycles: CYC_REPORT, callbacks, COLLECTABLE
};

CollectionSetup set_up(Collector& col, Reason reason) {
  CollectionSetup s;
  const bool at_exit = reason == Reason::kExit;
  {
    std::lock_guard<std::mutex> g(col.config);
    s.debug = col.debug;
    // The collection at exit runs after static destruction, and callbacks may use statics.
    if (!at_exit)
      for (auto& [id, cb] : col.callbacks) s.callbacks.push_back(cb);
  }
  s.reporting = g_reporting.load(std::memory_order_relaxed);
  s.save_all = (s.debug & gc::SAVE_ALL) && !at_exit;
  s.keep = s.save_all || at_exit;
  s.want_cycles = s.reporting || !s.callbacks.empty() || (s.debug & gc::COLLECTABLE);
  return s;
}

// Whether the garbage may stay uncommitted, or undestroyed, after the lock: nobody else can
// run meanwhile (one thread), and nobody reads the garbage between the lock and the teardown
// (it is neither kept nor described).
bool garbage_unobserved(const Collection& c, const CollectionSetup& s) {
  return c.alone && !s.keep && !s.want_cycles;
}

// Whether settle() can be left out and the commit left to the teardown (clear_garbage): all
// that was examined is garbage (nothing referenced from outside, no root skipped), and it is
// unobserved.
bool commit_in_teardown(const Collection& c, const CollectionSetup& s) {
  return c.all_garbage && garbage_unobserved(c, s);
}

// What find_garbage leaves for the steps after the lock.
struct FoundGarbage {
  gc::CollectReport report;
  std::vector<Handle<>> saved;  // SAVE_ALL: the garbage, kept alive
  std::uint64_t number = 0;     // the process's collections, counting this one
  GarbageTiming timing;         // CYC_REPORT: when each cycle may have become garbage
  std::int64_t found_ns = 0;
};

// Under Candidates::lock, after settle(): the garbage as cycles, with CYC_REPORT's timing.
void describe_cycles(Collection& c, const CollectionSetup& s, FoundGarbage& f, std::vector<Header*>* kept) {
  if (s.reporting) {
    f.found_ns = steady_ns();
    f.timing.objects.reserve(c.white.size());
    for (GcHead* g : c.white) {
      auto it = c.root_since.find(g);
      f.timing.objects.push_back(it == c.root_since.end() ? Since{} : it->second);
    }
  }
  tl_in_trace = true;
  f.report.cycles = describe_garbage(c.white, s.reporting ? &f.timing : nullptr, kept);
  tl_in_trace = false;
}

// Under Candidates::lock, after settle(): garbage that is kept (SAVE_ALL, or the collection at exit)
// is an ordinary object again; garbage to be torn down leaves CYC_REPORT's census.
void keep_or_release(Collection& c, const CollectionSetup& s, FoundGarbage& f, std::vector<Header*>* kept) {
  if (!s.keep) {
    if (s.reporting)
      for (GcHead* g : c.white) candidates().census.erase(header_of(g));  // torn down after the lock
    return;
  }
  for (GcHead* g : c.white) {
    Header* h = header_of(g);
    g->set_color(kNone);
    if (s.save_all) {
      incref(h);  // kept alive, owned by gc::garbage()
      f.saved.push_back(Access::adopt<void>(h->object(), h));
    } else if (kept) {
      kept->push_back(h);
    }
  }
}

// Everything a collection does under Candidates::lock: examine, settle (and commit), describe,
// keep or release. It and move_unreachable() stay out of line: inlined into their callers, they
// made GCC lay out the per-object loops of the other phases worse (3% more instructions on
// gc_bench's cyclic_pairs, which never runs step 2).
[[gnu::noinline]] void find_garbage(Collection& c, const CollectionSetup& s, FoundGarbage& f, std::vector<Header*>* kept) {
  CandidatesLock lock;
  f.number = ++candidates().collections;
  examine(c);
  if (commit_in_teardown(c, s)) {
    c.deferred_commit = true;
  } else {
    settle(c, s.keep);
    if (c.raced) resurrect_raced(c);
  }
#ifndef NDEBUG
  verify_garbage(c);
#endif
  if (s.want_cycles) describe_cycles(c, s, f, kept);
  keep_or_release(c, s, f, kept);
  g_count0.store(0, std::memory_order_relaxed);
}

// The generation's statistics and counts, and SAVE_ALL's garbage, under Collector::config.
void record_stats(Collector& col, const Collection& c, const gc::CollectReport& report,
                  std::vector<Handle<>>& saved) {
  const int gen = c.gen;
  std::lock_guard<std::mutex> g(col.config);
  gc::GenerationStats& st = col.stats[gen];
  // After a collection of the oldest generation nothing is pending there (CPython's
  // long_lived_pending and long_lived_total); after a slice of it, the rest still is.
  if (c.complete()) {
    st.promoted = 0;
    st.tracked_after = tracked_objects();
  }
  if (gen != kOldestGen) col.stats[kOldestGen].promoted += c.promoted;
  ++st.collections;
  st.collected += report.collected;
  st.candidates += report.candidates;
  st.traversed += report.traversed;
  st.time += report.duration;
  // A slice leaves its generation due: the next automatic collection goes on with it.
  for (int i = 1; i <= gen; ++i)
    if (i < gen || c.complete()) col.count[i] = 0;
  if (gen + 1 < gc::kGenerations) ++col.count[gen + 1];
  for (auto& h : saved) col.garbage.push_back(std::move(h));
}

// Sets the allocation trigger from the configuration (Collector::config held): threshold 0
// or deferred collections mean allocation never triggers one. A pending sweep makes every
// tracked allocation call collect_automatic(), unless collections wait for safepoint().
void refresh_trigger(Collector& col) noexcept {
  const std::size_t trigger = col.threshold[0] == 0 || col.deferred ? SIZE_MAX : col.threshold[0];
  g_collect_at.store(trigger, std::memory_order_relaxed);
  const bool sweeping = g_sweep_pending.load(std::memory_order_relaxed) && !col.deferred;
  g_threshold0.store(sweeping ? 0 : trigger, std::memory_order_relaxed);
}

void set_sweep_pending(Collector& col, bool pending) {
  g_sweep_pending.store(pending, std::memory_order_relaxed);
  std::lock_guard<std::mutex> g(col.config);
  refresh_trigger(col);
}

// While a collection or a sweep runs on this thread: collect() returns 0, allocations do not
// collect.
struct CollectingMark {
  CollectingMark() : was(tl_collecting) { tl_collecting = true; }
  ~CollectingMark() { tl_collecting = was; }
  bool was;
};

// Under Collector::running: up to `steps` steps of the pending sweep, if any.
void continue_sweep(Collector& col, std::size_t steps) {
  if (col.sweep.garbage.empty()) return;
  CollectingMark mark;
  if (sweep_steps(col.sweep, steps)) set_sweep_pending(col, false);
}

// Whether the teardown of this collection's garbage is left to the allocations after it
// (Sweep): a collection that an allocation ran (`allocating`), on the process's only thread
// (destructors then run on it whichever allocation takes them), whose garbage nobody keeps or
// describes. Collections that a caller asked for, collect() and safepoint(), tear down at once.
bool sweep_later(const Collection& c, const CollectionSetup& s, bool allocating) {
  return allocating && garbage_unobserved(c, s) && !c.garbage().empty();
}

// Hands this collection's garbage to the sweep. Garbage whose commit was left to the teardown
// is committed now, all of it, before any user code runs.
void leave_for_sweep(Collector& col, Collection& c) {
  if (c.deferred_commit) Uncommitted{c, 0, c.visited.size()}.commit_rest();
  col.sweep.garbage.swap(c.deferred_commit ? c.visited : c.white);
  set_sweep_pending(col, true);
}

// One collection of generations 0..gen: find the garbage under the lock, tear it down after
// it (or leave that to a sweep: `allocating`, see sweep_later), then report. `kept`: for the
// collection at exit, which leaves its garbage alone; receives the objects it counted in cycles.
std::size_t run_collection(int gen, Reason reason, bool allocating, std::vector<Header*>* kept) {
  using clock = std::chrono::steady_clock;
  Collector& col = collector();
  continue_sweep(col, SIZE_MAX);  // the last one's garbage first: the colours are the collection's
  const auto start = clock::now();
  const CollectionSetup s = set_up(col, reason);
  Collection& c = col.scratch;
  c.reset(gen, s.reporting, (s.debug & gc::CHECK_WRITES) != 0 || kCheckWritesAlways);
  if (reason == Reason::kAutomatic && gen == kOldestGen) c.budget = kSliceBudget;
  FoundGarbage f;
  f.report.generation = gen;
  find_garbage(c, s, f, kept);
  f.report.collected = c.garbage().size();
  f.report.candidates = c.examined_candidates();
  f.report.traversed = c.visited.size();
  if (sweep_later(c, s, allocating))
    leave_for_sweep(col, c);
  else if (!s.keep)
    tear_down(c);
  f.report.duration = std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now() - start);
  if (s.reporting) report_cycles(f.number, reason, gen, f.report.cycles, f.timing.cycles, f.found_ns);
  record_stats(col, c, f.report, f.saved);
  print_debug(s.debug, f.report);
  for (auto& cb : s.callbacks) cb(f.report);
  return f.report.collected;
}

// Runs a collection on this thread, marked as collecting. The caller holds Collector::running.
std::size_t collect_now(int gen, Reason reason, bool allocating = false, std::vector<Header*>* kept = nullptr) {
  CollectingMark mark;
  return run_collection(gen, reason, allocating, kept);
}

}  // namespace

std::vector<Header*> collect_at_exit() {
  std::vector<Header*> kept;
  std::lock_guard<std::mutex> running(collector().running);
  collect_now(kOldestGen, Reason::kExit, false, &kept);
  return kept;
}

bool may_collect_implicitly() noexcept {
  return single_threaded() ||
         g_automatic.load(std::memory_order_relaxed) == static_cast<int>(gc::Automatic::kAnyThread);
}

// As in CPython, an automatic collection of the oldest generation waits while fewer objects
// have entered it since its last collection than a quarter of those tracked after that one
// (Collector::config held): the long-lived objects it would examine again are then mostly
// the ones it already found alive, and a steady workload over a large live heap would pay for
// examining that heap once per threshold[2] collections of generation 1.
bool long_lived_wait(const Collector& col) noexcept {
  const gc::GenerationStats& oldest = col.stats[kOldestGen];
  return oldest.promoted < oldest.tracked_after / 4;
}

// An automatic collection, if one is due: generation 0 once count[0] reached threshold[0], or,
// as in CPython, the oldest generation whose count reached its threshold. With `wait`, waits
// for a collection running on another thread; without, leaves the work to it. First, steps of
// a pending sweep: all of it with `wait` (safepoint()), kSweepSteps from an allocation.
std::size_t collect_if_due(bool wait) {
  if (tl_collecting) return 0;
  // Disabled, only a pending sweep goes on (allocations past the threshold keep coming here).
  if (!g_enabled.load(std::memory_order_relaxed) && !g_sweep_pending.load(std::memory_order_relaxed)) return 0;
  Collector& col = collector();
  std::unique_lock<std::mutex> running(col.running, std::defer_lock);
  if (wait)
    running.lock();
  else if (!running.try_lock())
    return 0;
  continue_sweep(col, wait ? SIZE_MAX : kSweepSteps);
  if (!g_enabled.load(std::memory_order_relaxed)) return 0;
  if (!wait && g_count0.load(std::memory_order_relaxed) < g_collect_at.load(std::memory_order_relaxed)) return 0;
  int gen = 0;
  {
    std::lock_guard<std::mutex> g(col.config);
    if (col.threshold[0] == 0 || g_count0.load(std::memory_order_relaxed) < col.threshold[0]) return 0;
    for (int i = kOldestGen; i > 0; --i)
      if (col.count[i] >= col.threshold[i] && !(i == kOldestGen && long_lived_wait(col))) {
        gen = i;
        break;
      }
  }
  return collect_now(gen, Reason::kAutomatic, !wait);
}

void collect_automatic() noexcept {
  if (!may_collect_implicitly()) {
    // A second thread has started: from now on automatic collections wait for safepoint().
    Collector& col = collector();
    std::lock_guard<std::mutex> g(col.config);
    col.deferred = true;
    refresh_trigger(col);
    return;
  }
  try {
    collect_if_due(false);
  } catch (...) {
    // A callback threw; an automatic collection has no caller to tell.
  }
}

}  // namespace cyc::detail

namespace cyc::gc {

using detail::collector;

std::size_t collect(int generation) {
  if (detail::tl_in_trace) detail::fatal("cyc::gc::collect() called from inside a trace hook");
  if (detail::tl_collecting) return 0;
  if (generation < 0 || generation >= kGenerations)
    throw std::invalid_argument("cyc::gc::collect: generation must be 0, 1 or 2, not " +
                                std::to_string(generation));
  std::lock_guard<std::mutex> running(collector().running);
  return detail::collect_now(generation, detail::Reason::kExplicit);
}

void enable() noexcept { detail::g_enabled.store(true); }
void disable() noexcept { detail::g_enabled.store(false); }
bool is_enabled() noexcept { return detail::g_enabled.load(); }

void set_threshold(std::size_t t0, std::size_t t1, std::size_t t2) noexcept {
  auto& c = collector();
  std::lock_guard<std::mutex> g(c.config);
  c.threshold[0] = t0;
  c.threshold[1] = t1;
  c.threshold[2] = t2;
  detail::refresh_trigger(c);
}

void set_automatic(Automatic where) noexcept {
  auto& c = collector();
  std::lock_guard<std::mutex> g(c.config);
  detail::g_automatic.store(static_cast<int>(where), std::memory_order_relaxed);
  c.deferred = false;  // the next allocation past the threshold decides again
  detail::refresh_trigger(c);
}

Automatic get_automatic() noexcept {
  return static_cast<Automatic>(detail::g_automatic.load(std::memory_order_relaxed));
}

std::size_t safepoint() {
  if (detail::tl_in_trace) detail::fatal("cyc::gc::safepoint() called from inside a trace hook");
  return detail::collect_if_due(true);
}

std::array<std::size_t, kGenerations> get_threshold() noexcept {
  auto& c = collector();
  std::lock_guard<std::mutex> g(c.config);
  return {c.threshold[0], c.threshold[1], c.threshold[2]};
}

std::array<std::size_t, kGenerations> get_count() noexcept {
  auto& c = collector();
  std::lock_guard<std::mutex> g(c.config);
  return {detail::g_count0.load(), c.count[1], c.count[2]};
}

std::size_t tracked() noexcept { return detail::tracked_objects(); }

std::array<GenerationStats, kGenerations> stats() noexcept {
  auto& c = collector();
  std::lock_guard<std::mutex> g(c.config);
  return c.stats;
}

void set_debug(unsigned flags) noexcept {
  auto& c = collector();
  std::lock_guard<std::mutex> g(c.config);
  c.debug = flags;
}

unsigned get_debug() noexcept {
  auto& c = collector();
  std::lock_guard<std::mutex> g(c.config);
  return c.debug;
}

std::vector<Handle<>> garbage() {
  auto& c = collector();
  std::lock_guard<std::mutex> g(c.config);
  return c.garbage;
}

void clear_garbage() {
  std::vector<Handle<>> doomed;
  {
    auto& c = collector();
    std::lock_guard<std::mutex> g(c.config);
    doomed.swap(c.garbage);
  }
  // Dropped outside the lock: destructors may call back into cyc::gc.
}

std::size_t add_callback(Callback callback) {
  auto& c = collector();
  std::lock_guard<std::mutex> g(c.config);
  c.callbacks.emplace_back(c.next_callback, std::move(callback));
  return c.next_callback++;
}

bool remove_callback(std::size_t id) {
  auto& c = collector();
  std::lock_guard<std::mutex> g(c.config);
  return std::erase_if(c.callbacks, [id](const auto& e) { return e.first == id; }) > 0;
}

}  // namespace cyc::gc
