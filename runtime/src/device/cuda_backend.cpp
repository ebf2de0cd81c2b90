// cuda_backend.cpp - device memory from the CUDA runtime: cudaMalloc, cudaFree,
// cudaMemGetInfo and streams, called through a CudaApi table (backend.h) so that the tests
// can run this code over a fake of those calls.
//
// Error translation: cudaErrorMemoryAllocation from cudaMalloc is "out of memory" (nullptr to
// the allocator, which frees its cache, collects and retries); the thread's last error is
// cleared so that it does not surface in an unrelated later call. Every other failure is an
// Error naming the call, the CUDA error and its description.
//
// Every call runs on the backend's device: the calling thread's current device is switched
// for the call and restored after it.
#include <cstdio>
#include <string>

#include "backend.h"

namespace cyc::device::detail {

std::string cuda_error_text(const CudaApi& api, int error) {
  const char* name = api.get_error_name ? api.get_error_name(error) : nullptr;
  const char* text = api.get_error_string ? api.get_error_string(error) : nullptr;
  std::string out = name ? name : "CUDA error " + std::to_string(error);
  if (text && *text) out += std::string(": ") + text;
  return out;
}

std::string cuda_unusable_reason(const CudaApi& api) {
  int count = 0;
  const int rc = api.get_device_count(&count);
  if (rc != cuda_error::kSuccess) {
    api.get_last_error();
    return "cudaGetDeviceCount failed: " + cuda_error_text(api, rc);
  }
  if (count <= 0) return "cudaGetDeviceCount found no CUDA device";
  int device = 0;
  if (const int e = api.get_device(&device); e != cuda_error::kSuccess) {
    api.get_last_error();
    return "cudaGetDevice failed: " + cuda_error_text(api, e);
  }
  return "";
}

namespace {

[[noreturn]] void fail(const CudaApi& api, const std::string& call, int error) {
  api.get_last_error();  // clear it: we report it here
  throw Error("cyc::device cuda backend: " + call + " failed: " + cuda_error_text(api, error));
}

// Makes `device` current on the calling thread for the guard's lifetime.
class DeviceGuard {
 public:
  DeviceGuard(const CudaApi& api, int device) : api_(api) {
    if (const int e = api_.get_device(&previous_); e != cuda_error::kSuccess) fail(api_, "cudaGetDevice", e);
    if (previous_ != device) {
      if (const int e = api_.set_device(device); e != cuda_error::kSuccess)
        fail(api_, "cudaSetDevice(" + std::to_string(device) + ")", e);
      switched_ = true;
    }
  }
  ~DeviceGuard() {
    if (switched_ && api_.set_device(previous_) != cuda_error::kSuccess) api_.get_last_error();
  }
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  const CudaApi& api_;
  int previous_ = 0;
  bool switched_ = false;
};

void* to_native(Stream s) { return reinterpret_cast<void*>(s.native()); }

std::string stream_text(Stream s) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "stream %p", to_native(s));
  return buf;
}

class CudaBackend final : public Backend {
 public:
  CudaBackend(const CudaApi& api, int device) : api_(api), device_(device) {
    char name[256] = {};
    if (api_.device_name(device_, name, sizeof name) != cuda_error::kSuccess) {
      api_.get_last_error();
      name[0] = '\0';
    }
    name_ = name;
  }

  const char* name() const noexcept override { return "cuda"; }

  std::string description() const override {
    std::string d = "cuda device " + std::to_string(device_);
    if (!name_.empty()) d += " (" + name_ + ")";
    if (std::string(api_.origin) != "cudart") d += std::string(" via ") + api_.origin;
    return d;
  }

  void* allocate(std::size_t bytes) override {
    DeviceGuard g(api_, device_);
    void* p = nullptr;
    const int rc = api_.malloc(&p, bytes);
    if (rc == cuda_error::kSuccess) {
      if (!p) throw Error("cyc::device cuda backend: cudaMalloc(" + std::to_string(bytes) +
                          " bytes) succeeded but returned a null pointer");
      return p;
    }
    if (rc == cuda_error::kMemoryAllocation) {
      api_.get_last_error();  // out of memory is not sticky: clear it, the allocator retries
      return nullptr;
    }
    fail(api_, "cudaMalloc(" + std::to_string(bytes) + " bytes) on device " + std::to_string(device_), rc);
  }

  void deallocate(void* ptr, std::size_t bytes) override {
    DeviceGuard g(api_, device_);
    if (const int rc = api_.free(ptr); rc != cuda_error::kSuccess) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "cudaFree(%p, a segment of ", ptr);
      fail(api_, buf + std::to_string(bytes) + " bytes)", rc);
    }
  }

  MemInfo mem_info() override {
    DeviceGuard g(api_, device_);
    MemInfo m;
    if (const int rc = api_.mem_get_info(&m.free, &m.total); rc != cuda_error::kSuccess)
      fail(api_, "cudaMemGetInfo", rc);
    return m;
  }

  std::optional<std::size_t> default_capacity() const override { return std::nullopt; }

  Stream create_stream() override {
    DeviceGuard g(api_, device_);
    void* s = nullptr;
    if (const int rc = api_.stream_create(&s); rc != cuda_error::kSuccess)
      fail(api_, "cudaStreamCreateWithFlags", rc);
    if (!s) throw Error("cyc::device cuda backend: cudaStreamCreateWithFlags returned a null stream");
    return Stream(reinterpret_cast<std::uintptr_t>(s));
  }

  void destroy_stream(Stream stream) override {
    if (stream.is_default()) throw Error("cyc::device::destroy_stream: the default stream cannot be destroyed");
    DeviceGuard g(api_, device_);
    if (const int rc = api_.stream_synchronize(to_native(stream)); rc != cuda_error::kSuccess)
      fail(api_, "cudaStreamSynchronize(" + stream_text(stream) + ")", rc);
    if (const int rc = api_.stream_destroy(to_native(stream)); rc != cuda_error::kSuccess)
      fail(api_, "cudaStreamDestroy(" + stream_text(stream) + ")", rc);
  }

  void synchronize(Stream stream) override {
    DeviceGuard g(api_, device_);
    if (const int rc = api_.stream_synchronize(to_native(stream)); rc != cuda_error::kSuccess)
      fail(api_, "cudaStreamSynchronize(" + stream_text(stream) + ")", rc);
  }

 private:
  const CudaApi& api_;
  int device_;
  std::string name_;
};

}  // namespace

std::unique_ptr<Backend> make_cuda_backend(const CudaApi& api) {
  if (std::string why = cuda_unusable_reason(api); !why.empty())
    throw Error("cyc::device cuda backend: no usable CUDA device: " + why);
  int device = 0;
  api.get_device(&device);
  return std::make_unique<CudaBackend>(api, device);
}

}  // namespace cyc::device::detail
