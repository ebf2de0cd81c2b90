// size_classes.h - the sizing rules of the caching allocator: the block a request becomes,
// the pool that serves it, the segment a new one gets and whether a free block is worth
// splitting. The sizes themselves are defined once, in <cyc/device.h> (kBlockRounding, ...);
// the policy they implement is documented there too.
//
// Contract: pure functions of their arguments; round_size is the only one that throws.
// Threading: no state; callable from any thread. Complexity: O(1).
#pragma once

#include <cstddef>

#include <cyc/device.h>

namespace cyc::device::detail {

// The block size of a request: at least kBlockRounding, a multiple of it. Throws Error when
// the request is so large that a later rounding (to kLargeSegmentRounding) would overflow.
std::size_t round_size(std::size_t bytes);

// Whether a block of `rounded` bytes comes from the small pool (else the large pool).
inline bool in_small_pool(std::size_t rounded) noexcept { return rounded <= kSmallPoolMaxRequest; }

// The size a new segment for a block of `rounded` bytes gets.
std::size_t segment_size(std::size_t rounded) noexcept;

// The smallest segment that can serve a block of `rounded` bytes: what is tried when
// segment_size() does not fit, and what a capacity must allow for the request to succeed.
std::size_t smallest_segment(std::size_t rounded) noexcept;

// Whether taking a block from a free block leaves a remainder worth splitting off as a block
// of its own (else the whole free block is handed out).
inline bool worth_splitting(bool small_pool, std::size_t remaining) noexcept {
  return small_pool ? remaining >= kBlockRounding : remaining > kSmallPoolMaxRequest;
}

}  // namespace cyc::device::detail
