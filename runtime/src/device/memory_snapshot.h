// memory_snapshot.h - memory_snapshot(): a caching pool's segments and blocks as JSON, in the
// format <cyc/device.h> documents (segments by address).
//
// Threading: the caller holds the lock that guards the pool's segments and the statistics.
// Complexity: O(blocks + segments log segments).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "blocks.h"
#include "statistics.h"

namespace cyc::device::detail {

// What the snapshot describes: the backend's name, the capacity cap (null in the JSON when
// there is none), the statistics' allocated and reserved bytes, and the segment list.
struct SnapshotSource {
  const char* backend;
  std::optional<std::size_t> limit;
  const Statistics& stats;
  const Segment* segments;
};

std::string memory_snapshot_json(const SnapshotSource& source);

}  // namespace cyc::device::detail
