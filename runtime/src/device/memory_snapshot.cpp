// memory_snapshot.cpp - memory_snapshot(): the segments and blocks of a pool as JSON. See
// memory_snapshot.h.
#include "memory_snapshot.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "../json_string.h"
#include "formatting.h"

namespace cyc::device::detail {
namespace {

std::string address(const void* p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "\"0x%jx\"", static_cast<std::uintmax_t>(reinterpret_cast<std::uintptr_t>(p)));
  return buf;
}

// {"address", "offset", "size", "requested_size", "state", "owner"}
void append_block(std::string& out, const Segment* s, const Block* b) {
  out += "{\"address\":" + address(b->ptr);
  out += ",\"offset\":" + std::to_string(b->ptr - s->base);
  out += ",\"size\":" + std::to_string(b->size);
  out += ",\"requested_size\":" + std::to_string(b->requested);
  out += ",\"state\":";
  out += b->allocated ? "\"active_allocated\"" : "\"inactive\"";
  out += ",\"owner\":";
  if (b->allocated) out += cyc::detail::json_string(owner_name(b->owner));
  else out += "null";
  out += '}';
}

// {"address", "stream", "pool", "total_size", "allocated_size", "blocks": [...]}
void append_segment(std::string& out, const Segment* s) {
  std::size_t used = 0;
  for (const Block* b = s->first; b; b = b->next)
    if (b->allocated) used += b->size;
  out += "{\"address\":" + address(s->base);
  out += ",\"stream\":" + std::to_string(s->stream);
  out += ",\"pool\":";
  out += s->small ? "\"small\"" : "\"large\"";
  out += ",\"total_size\":" + std::to_string(s->size);
  out += ",\"allocated_size\":" + std::to_string(used);
  out += ",\"blocks\":[";
  for (const Block* b = s->first; b; b = b->next) {
    if (b != s->first) out += ',';
    append_block(out, s, b);
  }
  out += "]}";
}

}  // namespace

std::string memory_snapshot_json(const SnapshotSource& source) {
  std::vector<const Segment*> segs;
  for (const Segment* s = source.segments; s; s = s->next) segs.push_back(s);
  std::sort(segs.begin(), segs.end(), [](const Segment* a, const Segment* b) { return a->base < b->base; });

  std::string out = "{\"backend\":";
  out += cyc::detail::json_string(source.backend);
  out += ",\"capacity\":" + (source.limit ? std::to_string(*source.limit) : std::string("null"));
  out += ",\"allocated\":" + std::to_string(source.stats.allocated_bytes());
  out += ",\"reserved\":" + std::to_string(source.stats.reserved_bytes());
  out += ",\"segments\":[";
  for (std::size_t i = 0; i < segs.size(); ++i) {
    if (i) out += ',';
    append_segment(out, segs[i]);
  }
  out += "]}";
  return out;
}

}  // namespace cyc::device::detail
