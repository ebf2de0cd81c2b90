// backend_selection.h - choosing the backend that CYC_DEVICE asks for (config.h parses it):
// the host backend, or the CUDA backend when the CUDA runtime has a usable device.
//
// Contract: for kHost, the host backend. For kAuto, the CUDA backend when `cuda` is given and
// has a usable device, else the host backend with a note saying why. For kCuda without a
// usable device, ConfigError naming CYC_DEVICE (the message says why and what to set).
// Threading: callable from any thread. Complexity: a few CUDA runtime queries.
#pragma once

#include <memory>
#include <string>

#include "backend.h"
#include "config.h"

namespace cyc::device::detail {

struct Selection {
  std::unique_ptr<Backend> backend;
  std::string note;  // why `auto` chose the host backend ("" otherwise)
};

// `cuda`: the CUDA runtime to use (null: libcyc was built without CUDA; see cudart_api()).
Selection select_backend(const Config& config, const CudaApi* cuda);

}  // namespace cyc::device::detail
