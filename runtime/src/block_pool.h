// block_pool.h - a size-class pool of small blocks, the memory behind libcyc's objects
// (CPython's pymalloc plays this part for Python objects).
//
// Blocks of one size class are carved out of 256 KiB pages aligned to their size, so a block's
// page is its address with the low bits masked off: freeing a block is a push onto its page's
// free list and a decrement of the page's count of blocks in use, a few instructions and no
// search (glibc's free() cost a collection that tears down a million objects more than the
// collection itself). A fresh page hands out its blocks in address order, so objects made
// together lie together and a collection reads them as a stream: with smaller pages, scattered
// over the heap, the same collections were up to 2.5x slower (4 KiB: 52 ns per object of
// cyclic_pairs, 16 KiB: 38, 64 KiB: 29, 256 KiB: 24, 1 MiB: 25; bench/gc_bench). A page whose
// blocks are all free goes back to operator delete, except the last page with room of its
// class, which starts over in address order to serve the next allocations.
//
// Threading: every call may come from any thread; the pool takes its mutex once per call, and
// not at all while the process has a single thread (<cyc/detail/object.h>: single_threaded).
// Calls move blocks in batches so that the per-thread cache in front (object_memory.cpp)
// pays for the mutex once per batch.
//
// Complexity: take() and give() are O(blocks moved), plus one page allocation or release per
// 256 KiB of blocks. Memory: at most one page per size class beyond the pages that hold a live
// block, plus the usual fragmentation of a page allocator (a page is held while any of its
// blocks is in use).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>

namespace cyc::detail {

// A free block, linked through its first word.
struct FreeBlock {
  FreeBlock* next;
};

class BlockPool {
 public:
  static constexpr std::size_t kPageSize = 256 * 1024;
  static constexpr std::size_t kGranule = 16;  // block sizes are multiples of this
  static constexpr std::size_t kMaxBlock = 512;
  static constexpr std::size_t kClasses = kMaxBlock / kGranule;

  // The class that serves blocks of `size` bytes (1..kMaxBlock), and its block size.
  static constexpr std::size_t class_of(std::size_t size) noexcept { return (size - 1) / kGranule; }
  static constexpr std::size_t block_size(std::size_t cls) noexcept { return (cls + 1) * kGranule; }

  BlockPool() = default;
  BlockPool(const BlockPool&) = delete;
  BlockPool& operator=(const BlockPool&) = delete;
  ~BlockPool();  // every block must have been given back

  // Up to `n` (>= 1) blocks of class `cls`, linked through FreeBlock::next; at least one.
  // Throws std::bad_alloc when no page can be had.
  FreeBlock* take(std::size_t cls, std::size_t n, std::size_t& taken);
  // Gives back a chain of blocks (null-terminated) of any classes, as take() handed them out.
  void give(FreeBlock* chain) noexcept;

  // For tests and statistics: pages held, and blocks handed out and not given back.
  std::size_t pages() const;
  std::size_t blocks_in_use() const;

 private:
  struct Page;
  struct PageList {
    Page* head = nullptr;
    std::size_t size = 0;
  };

  Page* new_page(std::size_t cls);
  void release_page(Page* p) noexcept;
  void empty(Page* p) noexcept;
  void link(Page* p) noexcept;
  void unlink(Page* p) noexcept;
  static Page* page_of(const void* block) noexcept;

  // Only locks with a second thread in the process; see the threading note above.
  class Guard {
   public:
    explicit Guard(std::mutex& mu);
    ~Guard();
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

   private:
    std::mutex* mu_ = nullptr;
  };

  mutable std::mutex mu_;
  PageList with_room_[kClasses];  // pages with a free or never-used block, by class
  std::size_t pages_ = 0;
  std::size_t in_use_ = 0;
};

// The process's pool. Never destroyed: objects in static storage may be freed after main.
BlockPool& block_pool() noexcept;

}  // namespace cyc::detail
