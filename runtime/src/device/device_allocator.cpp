// device_allocator.cpp - the composition: requests through the caching pool, the
// out-of-memory chain when it fails, all under one lock. See device_allocator.h.
#include "device_allocator.h"

#include <cyc/detail/object.h>

#include "memory_snapshot.h"
#include "oom_message.h"
#include "size_classes.h"

namespace cyc::device::detail {
namespace {

// The cap over `backend`: `capacity`, else the backend's default. Checks for a backend first.
CapacityLimit limit_over(const std::unique_ptr<Backend>& backend, std::optional<std::size_t> capacity) {
  if (!backend) throw Error("cyc::device: an allocator needs a backend");
  return CapacityLimit(*backend, capacity ? capacity : backend->default_capacity());
}

}  // namespace

// The chain's steps for one request, against this allocator's pool (mu_ held).
class DeviceAllocator::Recovery final : public OomChain::Steps {
 public:
  Recovery(DeviceAllocator& allocator, std::size_t bytes, std::size_t rounded, Stream stream,
           const std::type_info* owner) noexcept
      : a_(allocator), bytes_(bytes), rounded_(rounded), stream_(stream), owner_(owner) {}

  Block* retry() override { return a_.pool_.try_allocate(rounded_, stream_.native(), bytes_, owner_); }
  void release_cached() override { a_.pool_.release_cached(); }
  OutOfMemory out_of_memory(const OomOutcome& outcome) override {
    OomFacts facts{bytes_, rounded_, stream_, outcome, a_.limit_.limit(), a_.stats_.allocated_bytes(),
                   a_.stats_.reserved_bytes(), a_.pool_.live_owners()};
    return make_out_of_memory(std::move(facts), *a_.backend_);
  }

 private:
  DeviceAllocator& a_;
  std::size_t bytes_, rounded_;
  Stream stream_;
  const std::type_info* owner_;
};

DeviceAllocator::DeviceAllocator(std::unique_ptr<Backend> backend, std::optional<std::size_t> capacity,
                                 std::string note)
    : backend_(std::move(backend)),
      limit_(limit_over(backend_, capacity)),
      note_(std::move(note)),
      pool_(limit_, stats_),
      oom_chain_(stats_, OomChain::cycle_collector()) {}

DeviceAllocator::~DeviceAllocator() {
  if (stats_.live_allocations() != 0) {
    const std::string what = "cyc::device: an allocator was destroyed while " +
                             std::to_string(stats_.live_allocations()) + " allocation(s) from it were live";
    cyc::detail::fatal(what.c_str());
  }
  // pool_ returns the cached segments as it is destroyed, before limit_ and backend_ go.
}

Block* DeviceAllocator::allocate(std::size_t bytes, Stream stream, const std::type_info* owner) {
  if (bytes == 0) throw Error("cyc::device: an allocation of 0 bytes has no block");
  const std::size_t rounded = round_size(bytes);
  std::unique_lock<std::mutex> lock(mu_);
  if (Block* b = pool_.try_allocate(rounded, stream.native(), bytes, owner)) return b;
  Recovery recovery(*this, bytes, rounded, stream, owner);
  return oom_chain_.recover(lock, recovery);
}

void DeviceAllocator::free(Block* block) noexcept {
  std::lock_guard<std::mutex> lock(mu_);
  pool_.free(block);
}

void DeviceAllocator::set_owner(Block* block, const std::type_info* owner) noexcept {
  std::lock_guard<std::mutex> lock(mu_);
  pool_.set_owner(block, owner);
}

void DeviceAllocator::empty_cache() {
  std::lock_guard<std::mutex> lock(mu_);
  pool_.release_cached();
}

MemoryStats DeviceAllocator::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_.read();
}

std::size_t DeviceAllocator::allocated_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_.allocated_bytes();
}

std::size_t DeviceAllocator::reserved_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_.reserved_bytes();
}

void DeviceAllocator::reset_peak() {
  std::lock_guard<std::mutex> lock(mu_);
  stats_.reset_peak();
}

void DeviceAllocator::reset_accumulated() {
  std::lock_guard<std::mutex> lock(mu_);
  stats_.reset_accumulated();
}

std::string DeviceAllocator::snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return memory_snapshot_json({backend_->name(), limit_.limit(), stats_, pool_.segments()});
}

std::string DeviceAllocator::check() const {
  std::lock_guard<std::mutex> lock(mu_);
  MemoryStats found;
  if (std::string bad = pool_.check(found); !bad.empty()) return bad;
  if (std::string bad = stats_.compare_currents(found); !bad.empty()) return bad;
  if (limit_.reserved() != stats_.reserved_bytes())
    return "the capacity limit counts " + std::to_string(limit_.reserved()) + " reserved bytes, the statistics " +
           std::to_string(stats_.reserved_bytes());
  return "";
}

}  // namespace cyc::device::detail
