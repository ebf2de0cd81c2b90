// fake_backend.h - a Backend (runtime/src/device/backend.h) for testing the allocator's
// pieces alone: segments come from host memory, every call is counted, and refusals (out of
// memory) and errors can be injected. Thread-safe, like every Backend.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "device/backend.h"

namespace fake_backend {

class FakeBackend final : public cyc::device::detail::Backend {
 public:
  // `total`: the memory it reports and will hand out (beyond it: out of memory).
  explicit FakeBackend(std::size_t total = std::size_t{1} << 30) : total_(total) {}
  ~FakeBackend() override;  // frees what is still live

  // ---- failure injection ----
  void refuse_next(int count);            // the next `count` allocate calls return nullptr
  void refuse_above(std::size_t bytes);   // allocate of more than `bytes` returns nullptr
  void throw_next_allocate();             // the next allocate throws Error
  void throw_next_deallocate();           // the next deallocate throws Error (frees nothing)

  // ---- what happened ----
  std::vector<std::size_t> requests() const;  // every allocate's size, in order
  std::size_t deallocations() const;          // successful deallocate calls
  std::size_t live_bytes() const;
  std::size_t peak_live_bytes() const;
  std::size_t live_segments() const;

  // ---- Backend ----
  const char* name() const noexcept override { return "fake"; }
  std::string description() const override { return "fake backend"; }
  void* allocate(std::size_t bytes) override;
  void deallocate(void* ptr, std::size_t bytes) override;
  cyc::device::detail::MemInfo mem_info() override;
  std::optional<std::size_t> default_capacity() const override { return std::nullopt; }
  cyc::device::Stream create_stream() override;
  void destroy_stream(cyc::device::Stream) override {}
  void synchronize(cyc::device::Stream) override {}

 private:
  bool refuses(std::size_t bytes);  // under mu_

  mutable std::mutex mu_;
  const std::size_t total_;
  int refuse_count_ = 0;
  std::optional<std::size_t> refuse_above_;
  bool throw_allocate_ = false;
  bool throw_deallocate_ = false;
  std::vector<std::size_t> requests_;
  std::size_t deallocations_ = 0;
  std::size_t live_bytes_ = 0;
  std::size_t peak_live_bytes_ = 0;
  std::map<void*, std::size_t> live_;
  std::uintptr_t next_stream_ = 1;
};

}  // namespace fake_backend
