// oom_message.h - the OutOfMemory the allocator throws when the out-of-memory chain gives up:
// its message says what was asked, the capacity and the memory in use, what the chain tried,
// and what holds the memory (the largest live owners by type), or why nothing could.
//
// Contract: make_out_of_memory reads only its arguments, except that it asks the backend
// for its free and total memory (cudaMemGetInfo) when there is no limit or the backend is
// CUDA; a failure there is mentioned in the message, not thrown.
// Threading: called with the allocator's lock held (the facts are a consistent picture).
// Complexity: O(owners) plus at most one backend call.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include <cyc/device.h>

#include "backend.h"
#include "oom_chain.h"

namespace cyc::device::detail {

// What was true when the chain gave up.
struct OomFacts {
  std::size_t requested = 0;  // bytes asked for
  std::size_t rounded = 0;    // the block size they round to
  Stream stream;
  OomOutcome outcome;                     // whether the cycle collector ran
  std::optional<std::size_t> limit;       // the capacity cap, if any
  std::size_t allocated = 0;              // allocated bytes (blocks in use)
  std::size_t reserved = 0;               // reserved bytes (segments)
  std::vector<OutOfMemory::Owner> owners;  // the live blocks by owner, the most bytes first
};

OutOfMemory make_out_of_memory(OomFacts facts, Backend& backend);

}  // namespace cyc::device::detail
