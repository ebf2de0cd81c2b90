// capacity_limit.cpp - admitting segment requests within the capacity. See capacity_limit.h.
#include "capacity_limit.h"

namespace cyc::device::detail {

std::size_t CapacityLimit::capacity() {
  if (limit_) return *limit_;
  return upstream_.mem_info().total;
}

// The count is the only shared state, so a compare-and-swap admits a request atomically;
// relaxed order suffices: nothing else is published through it.
bool CapacityLimit::try_reserve(std::size_t bytes) noexcept {
  std::size_t current = reserved_.load(std::memory_order_relaxed);
  do {
    if (limit_ && (current > *limit_ || bytes > *limit_ - current)) return false;
  } while (!reserved_.compare_exchange_weak(current, current + bytes, std::memory_order_relaxed));
  return true;
}

void* CapacityLimit::allocate(std::size_t bytes) {
  if (!try_reserve(bytes)) return nullptr;
  void* p = nullptr;
  try {
    p = upstream_.allocate(bytes);
  } catch (...) {
    unreserve(bytes);
    throw;
  }
  if (!p) unreserve(bytes);
  return p;
}

void CapacityLimit::deallocate(void* ptr, std::size_t bytes) {
  upstream_.deallocate(ptr, bytes);  // throws Error: the segment stays reserved
  unreserve(bytes);
}

}  // namespace cyc::device::detail
