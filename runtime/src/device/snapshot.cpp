// snapshot.cpp - memory_snapshot(): the segments and blocks of an allocator as JSON.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "allocator.h"

namespace cyc::device::detail {
namespace {

void append_string(std::string& out, const std::string& s) {
  out += '"';
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

std::string address(const void* p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "\"0x%jx\"", static_cast<std::uintmax_t>(reinterpret_cast<std::uintptr_t>(p)));
  return buf;
}

}  // namespace

std::string Allocator::snapshot() const {
  std::string out;
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<const Segment*> segs;
  for (const Segment* s = segments_; s; s = s->next) segs.push_back(s);
  std::sort(segs.begin(), segs.end(), [](const Segment* a, const Segment* b) { return a->base < b->base; });

  out += "{\"backend\":";
  append_string(out, backend_->name());
  out += ",\"capacity\":" + (limit_ ? std::to_string(*limit_) : std::string("null"));
  out += ",\"allocated\":" + std::to_string(stats_.allocated_bytes.all.current);
  out += ",\"reserved\":" + std::to_string(stats_.reserved_bytes.all.current);
  out += ",\"segments\":[";
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const Segment* s = segs[i];
    std::size_t used = 0;
    for (const Block* b = s->first; b; b = b->next)
      if (b->allocated) used += b->size;
    if (i) out += ',';
    out += "{\"address\":" + address(s->base);
    out += ",\"stream\":" + std::to_string(s->stream);
    out += ",\"pool\":";
    out += s->small ? "\"small\"" : "\"large\"";
    out += ",\"total_size\":" + std::to_string(s->size);
    out += ",\"allocated_size\":" + std::to_string(used);
    out += ",\"blocks\":[";
    for (const Block* b = s->first; b; b = b->next) {
      if (b != s->first) out += ',';
      out += "{\"address\":" + address(b->ptr);
      out += ",\"offset\":" + std::to_string(b->ptr - s->base);
      out += ",\"size\":" + std::to_string(b->size);
      out += ",\"requested_size\":" + std::to_string(b->requested);
      out += ",\"state\":";
      out += b->allocated ? "\"active_allocated\"" : "\"inactive\"";
      out += ",\"owner\":";
      if (b->allocated) append_string(out, owner_name(b->owner));
      else out += "null";
      out += '}';
    }
    out += "]}";
  }
  out += "]}";
  return out;
}

}  // namespace cyc::device::detail
