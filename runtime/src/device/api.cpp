// api.cpp - the process's allocator and the torch.cuda-like functions of <cyc/device.h>.
#include "allocator.h"
#include "config.h"

namespace cyc::device {
namespace detail {

Allocator& global() {
  // Made once, on first use; a ConfigError leaves it unmade, so the next call tries again.
  // Never destroyed: Buffers held by static objects may be freed after static destructors.
  static Allocator* const allocator = [] {
    const Config config = config_from_env();
    Selection s = select_backend(config, cudart_api());
    return new Allocator(std::move(s.backend), config.capacity, std::move(s.note));
  }();
  return *allocator;
}

}  // namespace detail

Stream create_stream() { return detail::global().backend().create_stream(); }
void destroy_stream(Stream stream) { detail::global().backend().destroy_stream(stream); }
void synchronize(Stream stream) { detail::global().backend().synchronize(stream); }

std::size_t memory_allocated() { return detail::global().allocated_bytes(); }
std::size_t max_memory_allocated() {
  return static_cast<std::size_t>(detail::global().stats().allocated_bytes.all.peak);
}
std::size_t memory_reserved() { return detail::global().reserved_bytes(); }
std::size_t max_memory_reserved() {
  return static_cast<std::size_t>(detail::global().stats().reserved_bytes.all.peak);
}
MemoryStats memory_stats() { return detail::global().stats(); }
void reset_peak_memory_stats() { detail::global().reset_peak(); }
void reset_accumulated_memory_stats() { detail::global().reset_accumulated(); }
void empty_cache() { detail::global().empty_cache(); }
std::string memory_snapshot() { return detail::global().snapshot(); }

std::string backend() { return detail::global().backend().name(); }
std::string backend_note() { return detail::global().note(); }
std::string backend_description() { return detail::global().backend().description(); }
std::size_t capacity() { return detail::global().capacity(); }

void set_collect_on_oom(bool enabled) { detail::global().set_collect_on_oom(enabled); }
bool collect_on_oom() { return detail::global().collect_on_oom(); }

}  // namespace cyc::device
