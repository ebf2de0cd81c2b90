// config.cpp - parsing CYC_DEVICE and CYC_DEVICE_CAPACITY.
#include "config.h"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>

namespace cyc::device::detail {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

[[noreturn]] void bad_capacity(std::string_view value, const std::string& why) {
  throw ConfigError("CYC_DEVICE_CAPACITY", std::string(value),
                    "CYC_DEVICE_CAPACITY='" + std::string(value) + "': " + why +
                        "; expected a size such as 64MiB, 1.5GiB or 1048576 (bytes); units: B, "
                        "KiB/MiB/GiB/TiB (or K/M/G/T, powers of 1024), KB/MB/GB/TB (powers of 1000)");
}

}  // namespace

DeviceChoice parse_device(std::string_view value) {
  const std::string v = lower(trim(value));
  if (v.empty() || v == "auto") return DeviceChoice::kAuto;
  if (v == "cuda") return DeviceChoice::kCuda;
  if (v == "host") return DeviceChoice::kHost;
  throw ConfigError("CYC_DEVICE", std::string(value),
                    "CYC_DEVICE='" + std::string(value) + "': expected cuda, host or auto");
}

std::size_t parse_capacity(std::string_view value) {
  const std::string_view s = trim(value);
  if (s.empty()) bad_capacity(value, "empty");
  // The number: digits, optionally a '.' and more digits.
  std::size_t i = 0;
  std::uint64_t whole = 0;
  bool digits = false;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    const unsigned d = static_cast<unsigned>(s[i] - '0');
    if (whole > (std::numeric_limits<std::uint64_t>::max() - d) / 10) bad_capacity(value, "too large");
    whole = whole * 10 + d;
    digits = true;
    ++i;
  }
  std::string fraction;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) fraction += s[i++];
    digits = digits || !fraction.empty();
  }
  if (!digits) bad_capacity(value, "not a number");
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  const std::string unit = lower(s.substr(i));
  std::uint64_t scale = 0;
  if (unit.empty() || unit == "b") scale = 1;
  else if (unit == "k" || unit == "kib") scale = 1ull << 10;
  else if (unit == "m" || unit == "mib") scale = 1ull << 20;
  else if (unit == "g" || unit == "gib") scale = 1ull << 30;
  else if (unit == "t" || unit == "tib") scale = 1ull << 40;
  else if (unit == "kb") scale = 1000ull;
  else if (unit == "mb") scale = 1000ull * 1000;
  else if (unit == "gb") scale = 1000ull * 1000 * 1000;
  else if (unit == "tb") scale = 1000ull * 1000 * 1000 * 1000;
  else bad_capacity(value, "unknown unit '" + std::string(s.substr(i)) + "'");

  if (whole > std::numeric_limits<std::size_t>::max() / scale) bad_capacity(value, "too large");
  std::size_t bytes = static_cast<std::size_t>(whole * scale);
  if (!fraction.empty()) {
    // Fractional part in bytes, rounded down: 0.fraction * scale.
    long double f = std::strtold(("0." + fraction).c_str(), nullptr);
    const long double extra = std::floor(f * static_cast<long double>(scale));
    if (static_cast<long double>(bytes) + extra >
        static_cast<long double>(std::numeric_limits<std::size_t>::max()))
      bad_capacity(value, "too large");
    bytes += static_cast<std::size_t>(extra);
  }
  if (bytes == 0) bad_capacity(value, "must be at least 1 byte");
  return bytes;
}

Config config_from_env() {
  Config c;
  if (const char* d = std::getenv("CYC_DEVICE")) c.device = parse_device(d);
  if (const char* cap = std::getenv("CYC_DEVICE_CAPACITY"); cap && !trim(cap).empty())
    c.capacity = parse_capacity(cap);
  return c;
}

}  // namespace cyc::device::detail
