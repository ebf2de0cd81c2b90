// oom_chain.h - what the allocator does when a request can be met neither from the cache nor
// by a new segment: (1) return the unused cached segments to the backend and retry; (2) run
// a cycle collection, with the allocator's lock released, so that garbage cycles holding
// device memory give it back, and retry - then once more after returning the cache again;
// (3) give up: throw OutOfMemory (its message: oom_message.h). Step 2 runs only when
// collect_on_oom() is on and the collector may start a collection here unasked
// (<cyc/gc.h>, Threading). The order is documented for users in <cyc/device.h>.
//
// The chain only orders the steps and counts them (num_alloc_retries when step 1 starts,
// num_oom_collections after a collection, num_ooms before giving up); the allocator it
// serves performs them through OomChain::Steps, and the collector is reached through
// OomChain::Collector, so the chain can run against fakes of both.
//
// Threading: recover() is called with the allocator's lock held (by `lock`) and returns or
// throws with it held again; the lock is released only around the collection, during which
// other threads allocate and free (the collector's own frees come back through the
// allocator). set_collect_on_oom/collect_on_oom may be called from any thread at any time.
// Complexity: a handful of Steps calls plus, at most, one full collection.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>

#include <cyc/device.h>

#include "blocks.h"
#include "statistics.h"

namespace cyc::device::detail {

// Why the chain did or did not run the cycle collector, for the message it gives up with.
enum class OomCollection {
  kCollected,       // step 2 ran
  kTurnedOff,       // collect_on_oom() is off
  kNotAllowedHere,  // the collector may not start a collection on this thread now
};

struct OomOutcome {
  OomCollection collection = OomCollection::kNotAllowedHere;
  std::size_t unreachable = 0;  // objects the collection found (kCollected only)
};

class OomChain {
 public:
  // The allocator's side of the chain, for one request. Each call is made with the
  // allocator's lock held.
  class Steps {
   public:
    virtual ~Steps() = default;
    virtual Block* retry() = 0;         // one more attempt; nullptr: still out of memory
    virtual void release_cached() = 0;  // return every unused cached segment (throws Error)
    // The error to give up with (oom_message.h).
    virtual OutOfMemory out_of_memory(const OomOutcome& outcome) = 0;
  };

  // The cycle collector, as the chain reaches it.
  struct Collector {
    std::function<bool()> may_collect;   // may a collection start here unasked?
    std::function<std::size_t()> collect;  // a full collection; the unreachable objects found
  };
  // cyc's own: cyc::detail::may_collect_implicitly and cyc::gc::collect().
  static Collector cycle_collector();

  // `stats` (guarded by the same lock as the Steps) must outlive the chain.
  OomChain(Statistics& stats, Collector collector) : stats_(stats), collector_(std::move(collector)) {}

  // Runs steps 1-3 for a request whose first attempt failed: the block a retry got, else
  // throws Steps::out_of_memory(). Errors from the Steps and the collector propagate (the
  // lock is held again by then).
  Block* recover(std::unique_lock<std::mutex>& lock, Steps& steps);

  void set_collect_on_oom(bool on) noexcept { collect_on_oom_.store(on, std::memory_order_relaxed); }
  bool collect_on_oom() const noexcept { return collect_on_oom_.load(std::memory_order_relaxed); }

 private:
  Block* collect_and_retry(std::unique_lock<std::mutex>& lock, Steps& steps, OomOutcome& outcome);

  Statistics& stats_;
  Collector collector_;
  std::atomic<bool> collect_on_oom_{true};
};

}  // namespace cyc::device::detail
