// formatting.h - how the allocator's messages and snapshots write byte counts and owner
// types. Pure functions; callable from any thread; O(1) apart from the type's name.
#pragma once

#include <cstddef>
#include <string>
#include <typeinfo>

namespace cyc::device::detail {

// "512 B", "4.00 KiB", "4.00 MiB", "1.50 GiB"
std::string format_bytes(std::size_t bytes);
// "cyc::device::Buffer"; "(unknown)" for null
std::string owner_name(const std::type_info* owner);

}  // namespace cyc::device::detail
