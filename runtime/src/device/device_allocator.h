// device_allocator.h - the device allocator: the pieces composed into the object behind every
// Allocation and the functions of <cyc/device.h>:
//
//   DeviceAllocator
//     OomChain      on a failed request: free the cache, collect cycles, retry, give up
//     CachingPool   segments split into blocks, best fit per stream, merge, release
//       CapacityLimit   the cap on what the pool may take from the backend
//         Backend       CUDA or host memory (owned)
//     Statistics    kept by the pool and the chain; read by memory_stats()
//
// Contract: allocate() returns a block of at least the bytes asked for, or throws
// OutOfMemory after the chain (oom_chain.h), or Error. free() never fails and never calls the
// backend. The policy is documented in <cyc/device.h>.
//
// Threading: every member function may be called from any thread. One mutex guards the pool
// and the statistics; it is held for each call, never while the collector runs (the chain
// releases it) and never while user code runs. backend() is the backend itself (streams are
// not the allocator's business), with the backend's own thread safety.
//
// Complexity: as <cyc/device.h> says: allocate and free O(log n) in the cached free blocks
// plus one uncontended lock; stats() O(1); snapshot() and OutOfMemory O(blocks).
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <typeinfo>

#include <cyc/device.h>

#include "backend.h"
#include "blocks.h"
#include "caching_pool.h"
#include "capacity_limit.h"
#include "oom_chain.h"
#include "statistics.h"

namespace cyc::device::detail {

class DeviceAllocator {
 public:
  // `capacity`: the most bytes that may be reserved (nullopt: the backend's default).
  DeviceAllocator(std::unique_ptr<Backend> backend, std::optional<std::size_t> capacity, std::string note = {});
  // Returns the cached segments to the backend (ignoring its errors). Aborts with a message if
  // allocations are still live: they would point into a dead allocator.
  ~DeviceAllocator();
  DeviceAllocator(const DeviceAllocator&) = delete;
  DeviceAllocator& operator=(const DeviceAllocator&) = delete;

  // A block of at least `bytes` (> 0) on `stream`, or OutOfMemory after the retry chain.
  Block* allocate(std::size_t bytes, Stream stream, const std::type_info* owner);
  void free(Block* block) noexcept;
  void set_owner(Block* block, const std::type_info* owner) noexcept;
  void empty_cache();

  MemoryStats stats() const;
  std::size_t allocated_bytes() const;
  std::size_t reserved_bytes() const;
  void reset_peak();
  void reset_accumulated();
  std::string snapshot() const;

  Backend& backend() noexcept { return *backend_; }
  const std::string& note() const noexcept { return note_; }
  // The capacity in force: CYC_DEVICE_CAPACITY or the backend's default, else its total.
  std::size_t capacity() { return limit_.capacity(); }
  void set_collect_on_oom(bool on) noexcept { oom_chain_.set_collect_on_oom(on); }
  bool collect_on_oom() const noexcept { return oom_chain_.collect_on_oom(); }

  // For tests: checks the pool's invariants, that the statistics match the blocks and that
  // the capacity limit counts what the pool reserved; returns "" or what is wrong.
  std::string check() const;

 private:
  class Recovery;  // the OomChain::Steps of one request

  std::unique_ptr<Backend> backend_;
  CapacityLimit limit_;  // over *backend_
  std::string note_;

  mutable std::mutex mu_;
  Statistics stats_;  // guarded by mu_
  CachingPool pool_;  // guarded by mu_; takes segments through limit_
  OomChain oom_chain_;
};

// Builds Allocations over a given allocator (the tests' private allocators) and reads them.
struct AllocationAccess {
  static Allocation make(DeviceAllocator& allocator, std::size_t bytes, Stream stream, const std::type_info& owner);
  static Block* block(const Allocation& a) noexcept { return a.block_; }
  static DeviceAllocator* allocator(const Allocation& a) noexcept { return a.allocator_; }
};

}  // namespace cyc::device::detail
