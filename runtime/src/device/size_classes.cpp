// size_classes.cpp - rounding a request to a block and choosing its segment size. See
// size_classes.h.
#include "size_classes.h"

#include <limits>
#include <string>

namespace cyc::device::detail {
namespace {

std::size_t round_up(std::size_t n, std::size_t multiple) noexcept {
  return (n + multiple - 1) / multiple * multiple;
}

}  // namespace

std::size_t round_size(std::size_t bytes) {
  if (bytes < kBlockRounding) return kBlockRounding;
  // Far beyond any device; the bound keeps every later rounding from overflowing.
  if (bytes > std::numeric_limits<std::size_t>::max() - 2 * kLargeSegmentRounding)
    throw Error("cyc::device: a request of " + std::to_string(bytes) + " bytes is too large");
  return round_up(bytes, kBlockRounding);
}

std::size_t segment_size(std::size_t rounded) noexcept {
  if (in_small_pool(rounded)) return kSmallSegmentSize;
  if (rounded < kOwnSegmentMinRequest) return kLargeSegmentSize;
  return round_up(rounded, kLargeSegmentRounding);
}

// The small pool has one segment size; in the large pool a segment of just the request
// (rounded up to kLargeSegmentRounding) is the least that serves it.
std::size_t smallest_segment(std::size_t rounded) noexcept {
  if (in_small_pool(rounded)) return kSmallSegmentSize;
  return round_up(rounded, kLargeSegmentRounding);
}

}  // namespace cyc::device::detail
