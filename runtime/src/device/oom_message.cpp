// oom_message.cpp - the message of OutOfMemory. See oom_message.h.
#include "oom_message.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>

#include "formatting.h"
#include "size_classes.h"

namespace cyc::device::detail {
namespace {

// "tried to allocate 3.00 MiB (3145728 bytes, a block of 3145728) on stream 0x..."
std::string request_text(const OomFacts& f) {
  std::string s = "tried to allocate " + format_bytes(f.requested) + " (" + std::to_string(f.requested) + " bytes";
  if (f.rounded != f.requested) s += ", a block of " + std::to_string(f.rounded);
  s += ")";
  if (!f.stream.is_default()) {
    char buf[48];
    std::snprintf(buf, sizeof buf, " on stream 0x%jx", static_cast<std::uintmax_t>(f.stream.native()));
    s += buf;
  }
  return s;
}

// The capacity in force (the device's total without a limit) and, where the backend can
// say, its free memory.
struct DeviceMemory {
  std::size_t capacity = 0;
  std::string free_text;  // "; the device has ... free of ..." or why that is unknown
};

DeviceMemory device_memory(const OomFacts& f, Backend& backend) {
  DeviceMemory d{f.limit.value_or(0), ""};
  if (f.limit && std::string(backend.name()) != "cuda") return d;
  try {
    const MemInfo m = backend.mem_info();
    if (!f.limit) d.capacity = m.total;
    d.free_text = "; the device has " + format_bytes(m.free) + " free of " + format_bytes(m.total);
  } catch (const Error& e) {
    d.free_text = std::string("; cudaMemGetInfo failed too: ") + e.what();
  }
  return d;
}

std::string chain_text(const OomOutcome& o) {
  std::string s = ". Freed the cache and retried";
  switch (o.collection) {
    case OomCollection::kCollected:
      return s + ", then ran the cycle collector (it found " + std::to_string(o.unreachable) +
             " unreachable object(s)) and retried";
    case OomCollection::kTurnedOff:
      return s + "; the cycle collector was not run (cyc::device::set_collect_on_oom(false))";
    case OomCollection::kNotAllowedHere:
      break;
  }
  return s + "; the cycle collector was not run: the process has several threads, where only "
             "cyc::gc::collect() and cyc::gc::safepoint() run it (see <cyc/gc.h>, Threading)";
}

std::string owners_text(const OomFacts& f) {
  const std::size_t least = smallest_segment(f.rounded);
  if (f.owners.empty() && f.limit && least > *f.limit)
    return ". No live blocks: a request of this size is served from a segment of at least " + format_bytes(least) +
           ", more than the capacity; set a capacity of at least " + format_bytes(least) + " (CYC_DEVICE_CAPACITY).";
  if (f.owners.empty()) return ". No live blocks: the request is larger than what the backend can give.";
  std::string s = ". Largest live owners: ";
  for (std::size_t i = 0; i < f.owners.size() && i < 5; ++i) {
    const OutOfMemory::Owner& o = f.owners[i];
    if (i) s += ", ";
    s += o.type + " (" + std::to_string(o.blocks) + " block" + (o.blocks == 1 ? "" : "s") + ", " +
         format_bytes(o.bytes) + ")";
  }
  if (f.owners.size() > 5) s += ", and " + std::to_string(f.owners.size() - 5) + " more type(s)";
  return s + ".";
}

}  // namespace

OutOfMemory make_out_of_memory(OomFacts facts, Backend& backend) {
  const DeviceMemory device = device_memory(facts, backend);
  const std::size_t cached = facts.reserved - std::min(facts.reserved, facts.allocated);
  std::string msg = "cyc::device: out of memory: " + request_text(facts);
  msg += " from the " + std::string(backend.name()) + " backend; capacity " + format_bytes(device.capacity);
  msg += facts.limit ? "" : " (the device's total)";
  msg += ", " + format_bytes(facts.allocated) + " allocated, " + format_bytes(facts.reserved) +
         " reserved by this allocator (" + format_bytes(cached) + " of it cached in partly used segments)";
  msg += device.free_text + chain_text(facts.outcome) + owners_text(facts);
  return OutOfMemory(msg, facts.requested, device.capacity, facts.allocated, facts.reserved, std::move(facts.owners));
}

}  // namespace cyc::device::detail
