// oom_chain.cpp - the order of the out-of-memory steps. See oom_chain.h.
#include "oom_chain.h"

#include <cyc/gc.h>

namespace cyc::device::detail {

OomChain::Collector OomChain::cycle_collector() {
  return {[] { return cyc::detail::may_collect_implicitly(); }, [] { return cyc::gc::collect(); }};
}

Block* OomChain::recover(std::unique_lock<std::mutex>& lock, Steps& steps) {
  // 1. Return the unused cached segments (of every stream and pool) and retry.
  stats_.count_alloc_retry();
  steps.release_cached();
  if (Block* b = steps.retry()) return b;

  // 2. Garbage cycles may hold device memory: collect them and retry.
  OomOutcome outcome;
  if (!collect_on_oom()) outcome.collection = OomCollection::kTurnedOff;
  else if (collector_.may_collect()) {
    if (Block* b = collect_and_retry(lock, steps, outcome)) return b;
  }

  // 3. Give up, saying what holds the memory.
  stats_.count_oom();
  throw steps.out_of_memory(outcome);
}

// The collector frees garbage Buffers, which come back to the allocator through its free(),
// so the lock is not held while it runs. Other threads may have taken the collected memory
// (or the cache) meanwhile, hence a retry, then one after returning the cache again.
Block* OomChain::collect_and_retry(std::unique_lock<std::mutex>& lock, Steps& steps, OomOutcome& outcome) {
  lock.unlock();
  std::size_t found = 0;
  try {
    found = collector_.collect();
  } catch (...) {
    lock.lock();
    throw;
  }
  lock.lock();
  outcome = {OomCollection::kCollected, found};
  stats_.count_oom_collection();
  if (Block* b = steps.retry()) return b;
  steps.release_cached();
  return steps.retry();
}

}  // namespace cyc::device::detail
