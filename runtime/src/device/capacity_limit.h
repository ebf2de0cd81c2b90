// capacity_limit.h - the capacity cap (CYC_DEVICE_CAPACITY): a Backend adaptor that passes
// segment requests to the backend beneath it only while the bytes it has passed and not yet
// seen returned stay within the limit.
//
// Contract: allocate(n) returns nullptr - out of memory, as a backend says it - without
// calling the upstream backend when reserved() + n would exceed the limit; otherwise it
// returns what the upstream returns. Only bytes the upstream actually handed out count:
// a null or a throwing upstream allocate takes its reservation back, and a throwing
// deallocate keeps the segment counted (it is still reserved). Without a limit (nullopt) it
// passes everything through and only counts. Every other Backend call goes to the upstream.
// Invariant: reserved() <= *limit() whenever there is a limit.
//
// Threading: callable from any thread, like every Backend; the count is one atomic, so two
// threads can never both be admitted past the limit. Complexity: O(1) plus the upstream call.
#pragma once

#include <atomic>
#include <cstddef>
#include <optional>
#include <string>

#include "backend.h"

namespace cyc::device::detail {

class CapacityLimit final : public Backend {
 public:
  // `upstream` must outlive this adaptor. `cap`: the most bytes reserved at once (nullopt: none).
  CapacityLimit(Backend& upstream, std::optional<std::size_t> cap) noexcept : upstream_(upstream), limit_(cap) {}
  CapacityLimit(const CapacityLimit&) = delete;
  CapacityLimit& operator=(const CapacityLimit&) = delete;

  const std::optional<std::size_t>& limit() const noexcept { return limit_; }
  // The capacity in force: the limit, else the upstream's total memory (throws Error).
  std::size_t capacity();
  // Bytes handed out through this adaptor and not yet returned.
  std::size_t reserved() const noexcept { return reserved_.load(std::memory_order_relaxed); }
  Backend& upstream() noexcept { return upstream_; }

  const char* name() const noexcept override { return upstream_.name(); }
  std::string description() const override { return upstream_.description(); }
  void* allocate(std::size_t bytes) override;
  void deallocate(void* ptr, std::size_t bytes) override;
  MemInfo mem_info() override { return upstream_.mem_info(); }
  std::optional<std::size_t> default_capacity() const override { return limit_; }
  Stream create_stream() override { return upstream_.create_stream(); }
  void destroy_stream(Stream stream) override { upstream_.destroy_stream(stream); }
  void synchronize(Stream stream) override { upstream_.synchronize(stream); }

 private:
  bool try_reserve(std::size_t bytes) noexcept;  // false: over the limit
  void unreserve(std::size_t bytes) noexcept { reserved_.fetch_sub(bytes, std::memory_order_relaxed); }

  Backend& upstream_;
  const std::optional<std::size_t> limit_;
  std::atomic<std::size_t> reserved_{0};
};

}  // namespace cyc::device::detail
