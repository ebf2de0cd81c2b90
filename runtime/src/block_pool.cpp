// block_pool.cpp - see block_pool.h.
#include "block_pool.h"

#include <new>

#include <cyc/detail/object.h>

namespace cyc::detail {
namespace {
constexpr std::size_t kFirstBlock = 64;  // the page's head, rounded up to a cache line
static_assert(kFirstBlock % BlockPool::kGranule == 0);
}  // namespace

// The head of a page; its blocks follow from kFirstBlock on. A page is in its class's list
// (`listed`) exactly when it has a free or never-used block.
struct BlockPool::Page {
  Page* next;
  Page* prev;
  FreeBlock* free;     // blocks given back
  std::uint32_t used;  // blocks handed out
  std::uint32_t bump;  // offset of the first never-used block
  std::uint32_t end;   // offset past the last whole block
  std::uint32_t cls;
  bool listed;

  bool has_room(std::size_t size) const noexcept { return free || bump + size <= end; }
};

BlockPool::Guard::Guard(std::mutex& mu) {
  if (single_threaded()) return;
  mu.lock();
  mu_ = &mu;
}

BlockPool::Guard::~Guard() {
  if (mu_) mu_->unlock();
}

BlockPool::~BlockPool() {
  for (PageList& list : with_room_)
    while (list.head) {
      Page* p = list.head;
      unlink(p);
      release_page(p);
    }
}

BlockPool::Page* BlockPool::page_of(const void* block) noexcept {
  return reinterpret_cast<Page*>(reinterpret_cast<std::uintptr_t>(block) & ~(kPageSize - 1));
}

void BlockPool::link(Page* p) noexcept {
  PageList& list = with_room_[p->cls];
  p->prev = nullptr;
  p->next = list.head;
  if (list.head) list.head->prev = p;
  list.head = p;
  ++list.size;
  p->listed = true;
}

void BlockPool::unlink(Page* p) noexcept {
  PageList& list = with_room_[p->cls];
  if (p->prev)
    p->prev->next = p->next;
  else
    list.head = p->next;
  if (p->next) p->next->prev = p->prev;
  --list.size;
  p->listed = false;
}

BlockPool::Page* BlockPool::new_page(std::size_t cls) {
  static_assert(sizeof(Page) <= kFirstBlock);
  void* mem = ::operator new(kPageSize, std::align_val_t(kPageSize));
  const std::size_t size = block_size(cls);
  auto* p = ::new (mem) Page{};
  p->bump = kFirstBlock;
  p->end = static_cast<std::uint32_t>(kFirstBlock + (kPageSize - kFirstBlock) / size * size);
  p->cls = static_cast<std::uint32_t>(cls);
  link(p);
  ++pages_;
  return p;
}

void BlockPool::release_page(Page* p) noexcept {
  --pages_;
  ::operator delete(p, std::align_val_t(kPageSize));
}

// A page whose blocks are all free goes, unless it is the last one with room of its class;
// that one starts over, so that it hands out its blocks in address order again.
void BlockPool::empty(Page* p) noexcept {
  if (with_room_[p->cls].size > 1) {
    unlink(p);
    release_page(p);
  } else {
    p->free = nullptr;
    p->bump = kFirstBlock;
  }
}

FreeBlock* BlockPool::take(std::size_t cls, std::size_t n, std::size_t& taken) {
  Guard guard(mu_);
  PageList& list = with_room_[cls];
  if (!list.head) new_page(cls);
  const std::size_t size = block_size(cls);
  FreeBlock* chain = nullptr;
  FreeBlock** tail = &chain;  // in address order where the page allows: tracing reads them so
  taken = 0;
  while (taken < n && list.head) {
    Page* p = list.head;
    FreeBlock* b = p->free;
    if (b) {
      p->free = b->next;
    } else {
      b = reinterpret_cast<FreeBlock*>(reinterpret_cast<char*>(p) + p->bump);
      p->bump += static_cast<std::uint32_t>(size);
    }
    ++p->used;
    if (!p->has_room(size)) unlink(p);
    *tail = b;
    tail = &b->next;
    ++taken;
  }
  *tail = nullptr;
  in_use_ += taken;
  return chain;
}

void BlockPool::give(FreeBlock* chain) noexcept {
  Guard guard(mu_);
  while (chain) {
    FreeBlock* b = chain;
    chain = chain->next;
    Page* p = page_of(b);
    b->next = p->free;
    p->free = b;
    --p->used;
    --in_use_;
    if (!p->listed) link(p);
    if (p->used == 0) empty(p);
  }
}

std::size_t BlockPool::pages() const {
  Guard guard(mu_);
  return pages_;
}

std::size_t BlockPool::blocks_in_use() const {
  Guard guard(mu_);
  return in_use_;
}

BlockPool& block_pool() noexcept {
  static BlockPool* pool = new BlockPool;
  return *pool;
}

}  // namespace cyc::detail
