// process_allocator.cpp - the process's allocator, made from the environment on first use.
// See process_allocator.h.
#include "process_allocator.h"

#include "backend_selection.h"
#include "config.h"

namespace cyc::device::detail {

DeviceAllocator& global() {
  static DeviceAllocator* const allocator = [] {
    const Config config = config_from_env();
    Selection s = select_backend(config, cudart_api());
    return new DeviceAllocator(std::move(s.backend), config.capacity, std::move(s.note));
  }();
  return *allocator;
}

}  // namespace cyc::device::detail
