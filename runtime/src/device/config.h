// config.h - CYC_DEVICE and CYC_DEVICE_CAPACITY, and choosing a backend from them.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "backend.h"

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

// The backend `config` asks for. `cuda` is the CUDA runtime to use (null: not built with
// CUDA). For kAuto without a usable device the host backend is chosen and `note` says why;
// for kCuda without one, ConfigError naming CYC_DEVICE is thrown.
struct Selection {
  std::unique_ptr<Backend> backend;
  std::string note;
};
Selection select_backend(const Config& config, const CudaApi* cuda);

}  // namespace cyc::device::detail
