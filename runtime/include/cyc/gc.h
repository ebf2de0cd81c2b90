// cyc/gc.h - the cycle collector, shaped like Python's `gc` module.
//
// Reference counting frees an object the moment its last strong handle goes. Objects that
// keep each other alive through a cycle of strong handles are freed by the collector:
//
//   auto li = cyc::make<std::vector<cyc::Handle<>>>();
//   li->push_back(li);      // li.append(li)
//   li.reset();             // unreachable, but still alive: its count is 1
//   cyc::gc::collect();     // returns 1; the list is destroyed
//
// How it works (runtime/src/collector.cpp has the details and the invariants): a drop that
// leaves a tracked object with a non-zero count makes it a *candidate*; a collection
// examines only what the candidates reach, so its cost is O(candidates and what they
// reach), never O(all live objects). Objects that survive collections move to older
// generations, and automatic collections of a young generation stop at older objects.
//
// Garbage is torn down in this order: weak references to it are cleared (lock() returns
// null), every traced handle inside it is reset, destructors run, memory is freed. So a
// destructor never sees a dangling handle; it may drop handles to live objects, create
// objects, and call collect() (which then returns 0, as in CPython).
//
// When: collect() and safepoint() tear their garbage down before they return. An automatic
// collection that an allocation runs while the process has one thread (and nobody asks for
// the cycles: no callback, no CYC_REPORT, no SAVE_ALL or COLLECTABLE) only finds the garbage
// and clears its weak references; the tracked allocations after it reset the handles and run
// the destructors, a few objects each (lazy sweeping), so that the allocation that collects
// does not pause for the teardown too. Every collection, collect() and safepoint() first finish
// such a teardown, so at most one collection's garbage waits, and tracked() counts it until its
// destructors ran. Destructors still run inside make<T>, on the allocating thread; if a second
// thread starts before the teardown is done, it goes on where collections go then (see
// set_automatic): at safepoint(), or on any allocating thread with Automatic::kAnyThread.
// A teardown still pending when the process exits is not finished, as garbage that no
// collection found is not destroyed at exit either.
//
// CYC_REPORT: when the environment variable CYC_REPORT names a file at program start, every
// program linked with libcyc appends to it one JSON line per garbage cycle any collection
// finds and, at exit, one line per type still alive: the input of `cyclops confirm`. The
// format, when lines are written and what it costs: docs/cyc-report.md.
//
// Threading: every function here may be called from any thread. Collections are serialized.
// While a collection runs, other threads may copy, drop and Weak::lock() handles at will; a
// drop of a handle to an object the collection is examining waits until the collection has
// decided about it (at most the time the collection holds its lock). What a collection needs
// is that no thread *writes a traced field* (assigns, resets, moves or swaps a handle that a
// trace hook visits, or changes a traced container) of an object it examines: the candidates
// and everything they reach, which the program cannot know. So:
//  * In a process with one thread, automatic collections run when make<T> allocates, as in
//    CPython.
//  * Once a second thread has started (the default, Automatic::kWhileSingleThreaded), no
//    collection runs unless the program asks: collect(), or safepoint(), which runs the
//    automatic collection that has come due, if any. Call them where no other thread writes
//    traced fields: from a main loop while workers wait, or under the lock that the program
//    holds whenever it writes its object graphs. The device allocator's collection when
//    memory runs out (<cyc/device.h>) follows the same rule.
//  * set_automatic(Automatic::kAnyThread) lets automatic (and out-of-memory) collections run
//    on whichever thread allocates, as they do in one thread. Choose it when no thread writes
//    a traced field while another may allocate: e.g. every graph is complete before any
//    handle to it is dropped, and never written after; or every make<T> and every write of a
//    traced field happen under one lock.
//  * set_debug(CHECK_WRITES), always on in debug builds of libcyc, checks the rule: it
//    records the handles of every object it examines right after its first walk of them, and
//    after deciding traces them again and aborts, naming the type and the field, if a traced
//    field changed meanwhile. It costs two more traces of the examined objects and a pointer
//    per handle seen.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <cyc/handle.h>

namespace cyc::gc {

inline constexpr int kGenerations = 3;

// Runs a collection of `generation` (0, 1 or 2; 2 examines every candidate and every
// object they reach, whatever its age). Returns the number of unreachable objects found.
// Returns 0 at once when called from a destructor or callback of a running collection.
// Aborts with a message when called from inside a trace hook.
std::size_t collect(int generation = 2);

// Automatic collection (on by default). collect() works either way.
void enable() noexcept;
void disable() noexcept;
bool is_enabled() noexcept;

// Automatic collection: generation 0 is collected when count[0] (candidates recorded since
// the last collection) reaches threshold[0]; generation 1 every threshold[1] collections of
// generation 0; generation 2 every threshold[2] collections of generation 1, but, as in
// CPython, only once the objects that entered generation 2 since its last collection
// (stats()[2].promoted) are at least a quarter of those tracked after it
// (stats()[2].tracked_after): otherwise generation 1 is collected. So a steady workload over
// a large live heap does not examine that heap again and again; a cycle that reaches into
// long-lived objects waits for that, or for collect(). And an automatic collection of
// generation 2 is a slice: once it has examined about 100,000 objects it takes no further
// candidate (what one candidate reaches is examined whole), and the next automatic
// collection goes on with the rest (collect() is never sliced). Defaults 700, 10, 10 as in CPython.
// threshold0 == 0 disables automatic collection.
void set_threshold(std::size_t threshold0, std::size_t threshold1 = 10, std::size_t threshold2 = 10) noexcept;
std::array<std::size_t, kGenerations> get_threshold() noexcept;
std::array<std::size_t, kGenerations> get_count() noexcept;

// Where automatic collections run; see "Threading" above.
enum class Automatic {
  kWhileSingleThreaded,  // on allocation while the process has one thread, then at safepoint()
  kAnyThread,            // on allocation on any thread: the program keeps the threading rule
};
void set_automatic(Automatic where) noexcept;
Automatic get_automatic() noexcept;

// Runs the automatic collection that is due (the same generation make<T> would collect), if
// any, on this thread; waits for a collection running on another thread first. Returns the
// number of unreachable objects found (0 when none was due, when automatic collection is
// disabled, or when called from a destructor or callback of a running collection). Cheap when
// none is due. Call it where no other thread writes traced fields (see "Threading").
std::size_t safepoint();

// Number of live tracked objects (those of traceable types).
std::size_t tracked() noexcept;
template <class T>
bool is_tracked(const Handle<T>& object) noexcept {
  return object && object.header()->tracked();
}

// Per generation, like CPython's gc.get_stats().
struct GenerationStats {
  std::size_t collections = 0;
  std::size_t collected = 0;       // unreachable objects found
  std::size_t uncollectable = 0;   // always 0: every cycle of traced objects can be freed
  std::size_t candidates = 0;      // candidate roots examined
  std::size_t traversed = 0;       // objects examined (candidates and what they reach)
  std::chrono::nanoseconds time{0};
  std::size_t promoted = 0;       // objects moved into this generation since its last collection
                                  // (counted for the oldest generation only)
  std::size_t tracked_after = 0;  // objects tracked when its last collection ended
};
std::array<GenerationStats, kGenerations> stats() noexcept;

// Debug flags, as in CPython.
enum Debug : unsigned {
  STATS = 1u << 0,        // print a line about each collection to stderr
  COLLECTABLE = 1u << 1,  // print each garbage cycle found to stderr
  SAVE_ALL = 1u << 5,     // keep garbage alive in garbage() instead of freeing it
  CHECK_WRITES = 1u << 6, // abort when a traced field changes during a collection (see Threading)
};
void set_debug(unsigned flags) noexcept;
unsigned get_debug() noexcept;

// With SAVE_ALL: the objects found unreachable, kept alive here. Without it: empty.
std::vector<Handle<>> garbage();
void clear_garbage();

// One edge of a garbage cycle: an object of `type` refers to the next edge's object (the
// last edge back to the first) through `field` ("" for elements of a top-level container).
// `owner` is the class whose CYC_TRACE names the field: a base class of `type` when the field
// is inherited, the class of a member held by value when the field is that member's. Hooks
// that do not say (a member trace(), an ADL cyc_trace, an unnamed field) give `type`.
struct Edge {
  std::string type;
  std::string field;
  std::string owner;
};

// A garbage cycle: one strongly connected group of unreachable objects, plus the
// unreachable objects only it kept alive.
struct Cycle {
  std::vector<Edge> path;      // a walk around the cycle
  std::size_t objects = 0;     // objects freed with it
  std::size_t host_bytes = 0;  // their allocations plus host memory they own
  std::size_t device_bytes = 0;
};

struct CollectReport {
  int generation = 0;
  std::size_t collected = 0;     // as returned by collect()
  std::size_t candidates = 0;
  std::size_t traversed = 0;
  std::chrono::nanoseconds duration{0};
  std::vector<Cycle> cycles;
};

// Called after every collection, on the collecting thread, with what it found. The report
// names each garbage cycle; building it costs time, so it is only built while a callback
// is registered (or a debug flag or CYC_REPORT asks for it). Returns an id for remove_callback.
// A callback that throws stops the remaining callbacks of that collection; the exception
// leaves collect() (the collection itself is complete). Automatic collections swallow it.
using Callback = std::function<void(const CollectReport&)>;
std::size_t add_callback(Callback callback);
bool remove_callback(std::size_t id);

// "a -> b" rendering of a cycle path: "Node.next -> Node.prev -> (Node)".
std::string format_path(const std::vector<Edge>& path);

}  // namespace cyc::gc
