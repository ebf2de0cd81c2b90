// config.h - reading CYC_DEVICE and CYC_DEVICE_CAPACITY (backend_selection.h acts on them).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include <cyc/device.h>

namespace cyc::device::detail {

enum class DeviceChoice { kAuto, kCuda, kHost };

struct Config {
  DeviceChoice device = DeviceChoice::kAuto;
  std::optional<std::size_t> capacity;  // CYC_DEVICE_CAPACITY, bytes
};

// "cuda", "host", "auto" (any case, surrounding blanks ignored); "" means auto.
// Throws ConfigError naming CYC_DEVICE otherwise.
DeviceChoice parse_device(std::string_view value);

// A size: a number (integer or decimal) and an optional unit, any case, blanks allowed
// between: B; KiB MiB GiB TiB (powers of 1024, also K M G T); KB MB GB TB (powers of 1000).
// "64MiB", "1.5 GiB", "1048576". Must be at least 1 byte and fit in size_t. Throws
// ConfigError naming CYC_DEVICE_CAPACITY otherwise.
std::size_t parse_capacity(std::string_view value);

// Reads both variables now. Throws ConfigError.
Config config_from_env();

}  // namespace cyc::device::detail
