// garbage_cycles.h - the garbage a collection found, as cycles (path, objects, bytes): for
// CollectReport and CYC_REPORT.
#pragma once

#include <vector>

#include <cyc/detail/object.h>
#include <cyc/gc.h>

#include "candidates.h"

namespace cyc::detail {

// For the CYC_REPORT file: when the garbage may have become unreachable.
struct GarbageTiming {
  // In, parallel to the garbage: the last drop that left each object's count non-zero
  // since a collection last found it alive (Since{} if none).
  std::vector<Since> objects;
  // Out, parallel to the cycles: the latest of those among the objects of the cycle and the
  // garbage that reaches it (a cycle only becomes unreachable when they all have).
  std::vector<Since> cycles;
};

// Splits the garbage (objects colored kWhite, still intact) into cycles: each strongly
// connected group of garbage with a walk around it, plus the garbage only it kept alive
// (including untracked objects whose every reference comes from it), with their bytes.
// With `timing`, also says when each cycle may have become unreachable; with `untracked`,
// appends the untracked objects counted in the cycles. Overwrites GcHead::refs of the
// garbage. O(garbage objects + their handles).
std::vector<gc::Cycle> describe_garbage(const std::vector<GcHead*>& white, GarbageTiming* timing = nullptr,
                                        std::vector<Header*>* untracked = nullptr);

// An object's bytes as reports count them: its allocation plus the host memory its
// cyc_host_bytes() hook (or container capacity) reports; the device memory it owns.
std::size_t object_host_bytes(Header* h) noexcept;
std::size_t object_device_bytes(Header* h) noexcept;

}  // namespace cyc::detail
