// device_functions.cpp - the torch.cuda-like free functions of <cyc/device.h> (streams,
// statistics, empty_cache, memory_snapshot, the backend, the capacity, collect_on_oom): each
// is one call on the process's allocator (process_allocator.h). empty() is in buffer.cpp.
#include "process_allocator.h"

namespace cyc::device {

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
