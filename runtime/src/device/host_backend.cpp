// host_backend.cpp - device memory served from host memory, for machines without a GPU.
//
// Segments come from aligned_alloc, aligned to kBlockRounding (<cyc/device.h>), so that every
// block, which starts at a multiple of it within its segment, is that aligned too.
// Everything runs synchronously, so streams are labels the allocator keeps blocks apart by;
// they are numbered from 1 (0 is the default stream).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>
#include <string>

#include <unistd.h>

#include "backend.h"

namespace cyc::device::detail {
namespace {

constexpr std::size_t kAlignment = kBlockRounding;

std::size_t physical_memory(int which) {
  const long pages = sysconf(which);
  const long page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return 0;
  return static_cast<std::size_t>(pages) * static_cast<std::size_t>(page);
}

class HostBackend final : public Backend {
 public:
  const char* name() const noexcept override { return "host"; }

  std::string description() const override {
    char buf[96];
    std::snprintf(buf, sizeof buf, "host memory (%.1f GiB physical)",
                  static_cast<double>(physical_memory(_SC_PHYS_PAGES)) / (1ull << 30));
    return buf;
  }

  void* allocate(std::size_t bytes) override {
    if (bytes == 0 || bytes % kAlignment != 0)
      throw Error("cyc::device host backend: segment size " + std::to_string(bytes) +
                  " is not a positive multiple of " + std::to_string(kAlignment));
    return std::aligned_alloc(kAlignment, bytes);  // null: out of memory
  }

  void deallocate(void* ptr, std::size_t) override { std::free(ptr); }

  MemInfo mem_info() override {
    return {physical_memory(_SC_AVPHYS_PAGES), physical_memory(_SC_PHYS_PAGES)};
  }

  std::optional<std::size_t> default_capacity() const override {
    const std::size_t total = physical_memory(_SC_PHYS_PAGES);
    if (total == 0) return std::nullopt;
    return total;
  }

  Stream create_stream() override {
    std::lock_guard<std::mutex> g(mu_);
    const std::uintptr_t id = next_++;
    streams_.insert(id);
    return Stream(id);
  }

  void destroy_stream(Stream stream) override {
    if (stream.is_default()) throw Error("cyc::device::destroy_stream: the default stream cannot be destroyed");
    std::lock_guard<std::mutex> g(mu_);
    if (streams_.erase(stream.native()) == 0)
      throw Error("cyc::device::destroy_stream: stream " + std::to_string(stream.native()) +
                  " was not made by create_stream() or was already destroyed");
  }

  void synchronize(Stream stream) override {
    if (stream.is_default()) return;
    std::lock_guard<std::mutex> g(mu_);
    if (!streams_.count(stream.native()))
      throw Error("cyc::device::synchronize: stream " + std::to_string(stream.native()) +
                  " was not made by create_stream() or was already destroyed");
  }

 private:
  std::mutex mu_;
  std::uintptr_t next_ = 1;
  std::set<std::uintptr_t> streams_;
};

}  // namespace

std::unique_ptr<Backend> make_host_backend() { return std::make_unique<HostBackend>(); }

}  // namespace cyc::device::detail
