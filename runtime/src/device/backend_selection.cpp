// backend_selection.cpp - choosing the backend that CYC_DEVICE asks for. See
// backend_selection.h.
#include "backend_selection.h"

namespace cyc::device::detail {

#ifndef CYC_HAVE_CUDART
// Built without the CUDA Toolkit: there is no CUDA runtime to call.
const CudaApi* cudart_api() noexcept { return nullptr; }
#endif

Selection select_backend(const Config& config, const CudaApi* cuda) {
  Selection s;
  if (config.device == DeviceChoice::kHost) {
    s.backend = make_host_backend();
    return s;
  }
  std::string why;
  if (!cuda)
    why = "libcyc was built without the CUDA backend (the CUDA Toolkit was not found at build time)";
  else
    why = cuda_unusable_reason(*cuda);
  if (why.empty()) {
    s.backend = make_cuda_backend(*cuda);
    return s;
  }
  if (config.device == DeviceChoice::kCuda)
    throw ConfigError("CYC_DEVICE", "cuda",
                      "CYC_DEVICE=cuda, but CUDA is not usable: " + why +
                          " (set CYC_DEVICE=host or auto to use the host backend)");
  s.backend = make_host_backend();
  s.note = "CUDA is not usable (" + why + "); using the host backend";
  return s;
}

}  // namespace cyc::device::detail
