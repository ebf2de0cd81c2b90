// buffer.cpp - Allocation (a block owned by a C++ object), Buffer and empty().
#include <utility>

#include <cyc/make.h>

#include "device_allocator.h"
#include "process_allocator.h"

namespace cyc::device {

Allocation detail::AllocationAccess::make(detail::DeviceAllocator& allocator, std::size_t bytes,
                                          Stream stream, const std::type_info& owner) {
  Allocation a;
  if (bytes == 0) return a;  // like torch.empty(0): no block, null data
  detail::Block* b = allocator.allocate(bytes, stream, &owner);
  a.allocator_ = &allocator;
  a.block_ = b;
  a.data_ = b->ptr;  // fixed while allocated: only free blocks move when neighbours merge
  a.size_ = bytes;
  a.capacity_ = b->size;
  a.stream_ = stream;
  return a;
}

Allocation::Allocation(std::size_t bytes, Stream stream, const std::type_info& owner)
    : Allocation(detail::AllocationAccess::make(detail::global(), bytes, stream, owner)) {}

Allocation::Allocation(Allocation&& o) noexcept
    : allocator_(std::exchange(o.allocator_, nullptr)),
      block_(std::exchange(o.block_, nullptr)),
      data_(std::exchange(o.data_, nullptr)),
      size_(std::exchange(o.size_, 0)),
      capacity_(std::exchange(o.capacity_, 0)),
      stream_(std::exchange(o.stream_, Stream{})) {}

Allocation& Allocation::operator=(Allocation&& o) noexcept {
  if (this != &o) {
    reset();
    allocator_ = std::exchange(o.allocator_, nullptr);
    block_ = std::exchange(o.block_, nullptr);
    data_ = std::exchange(o.data_, nullptr);
    size_ = std::exchange(o.size_, 0);
    capacity_ = std::exchange(o.capacity_, 0);
    stream_ = std::exchange(o.stream_, Stream{});
  }
  return *this;
}

void Allocation::reset() noexcept {
  if (detail::Block* b = std::exchange(block_, nullptr)) {
    detail::DeviceAllocator* a = std::exchange(allocator_, nullptr);
    data_ = nullptr;
    size_ = 0;
    capacity_ = 0;
    stream_ = Stream{};
    a->free(b);
  }
}

void Allocation::set_owner(const std::type_info& owner) noexcept {
  if (block_) allocator_->set_owner(block_, &owner);
}

Handle<Buffer> empty(std::size_t bytes, Stream stream) { return cyc::make<Buffer>(bytes, stream); }

}  // namespace cyc::device
