// object_memory.h - freeing the memory of many objects at once (see object_memory.cpp).
#pragma once

#include <cstddef>

#include <cyc/detail/object.h>

#include "block_pool.h"

namespace cyc::detail {

// Frees the memory of destroyed objects that nobody holds a weak handle to, many at a time:
// the collector's teardown frees them by the hundred thousand. Pooled blocks fill this
// thread's cache while it has room (the next objects made here reuse them, warm), and the rest
// go straight back to the pool in chains of up to kChain (one lock each); other memory is
// freed at once. Everything added is freed by the destructor at the latest. Not thread-safe:
// one per teardown.
class BatchFree {
 public:
  static constexpr std::size_t kChain = 4096;  // bounds how long the pool's lock is held

  BatchFree() = default;
  BatchFree(const BatchFree&) = delete;
  BatchFree& operator=(const BatchFree&) = delete;
  ~BatchFree() { flush(); }

  void add(Header* h, const TypeInfo& type) noexcept;  // type: h->type()
  void flush() noexcept;

 private:
  FreeBlock* chain_ = nullptr;
  std::size_t length_ = 0;
};

}  // namespace cyc::detail
