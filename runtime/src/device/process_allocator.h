// process_allocator.h - the process's device allocator: the one that Allocation, Buffer and
// the functions of <cyc/device.h> use.
//
// Contract: made on first use from CYC_DEVICE and CYC_DEVICE_CAPACITY (config.h,
// backend_selection.h); never destroyed, since Buffers held by static objects may be freed
// after static destructors run. While the configuration is bad every call throws
// ConfigError and the allocator stays unmade (each call tries again).
// Threading: callable from any thread; the first use is a thread-safe static initialization.
// Complexity: O(1) after the first call.
#pragma once

#include "device_allocator.h"

namespace cyc::device::detail {

DeviceAllocator& global();

}  // namespace cyc::device::detail
