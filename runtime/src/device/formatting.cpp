// formatting.cpp - byte counts and owner types in words. See formatting.h.
#include "formatting.h"

#include <cstdio>

#include "../type_name.h"

namespace cyc::device::detail {

std::string format_bytes(std::size_t bytes) {
  char buf[48];
  const double b = static_cast<double>(bytes);
  if (bytes < 1024) std::snprintf(buf, sizeof buf, "%zu B", bytes);
  else if (bytes < (1u << 20)) std::snprintf(buf, sizeof buf, "%.2f KiB", b / 1024);
  else if (bytes < (1ull << 30)) std::snprintf(buf, sizeof buf, "%.2f MiB", b / (1 << 20));
  else std::snprintf(buf, sizeof buf, "%.2f GiB", b / (1ull << 30));
  return buf;
}

std::string owner_name(const std::type_info* owner) {
  return owner ? cyc::detail::type_name(*owner) : std::string("(unknown)");
}

}  // namespace cyc::device::detail
