// backend.h - where device memory comes from: the backends under the caching allocator.
//
// A backend reserves and returns whole segments; the caching pool (caching_pool.h) does all
// the caching, and the capacity cap is itself a Backend over the real one (capacity_limit.h).
// The CUDA backend calls the CUDA runtime through a table of function pointers (CudaApi) so
// that the same backend code runs over the real cudart (cudart_api.cpp, built only with the
// CUDA Toolkit) and over a fake in the tests (tests/runtime/fake_cuda.*).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <cyc/device.h>

namespace cyc::device::detail {

struct MemInfo {
  std::size_t free = 0;
  std::size_t total = 0;
};

// Implementations must be callable from any thread; the allocator calls allocate/deallocate
// under its own lock.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const noexcept = 0;  // "cuda" or "host"
  virtual std::string description() const = 0;
  // A segment of `bytes`, or nullptr when the device is out of memory. Throws Error for any
  // other failure.
  virtual void* allocate(std::size_t bytes) = 0;
  // Returns a segment from allocate(). Throws Error when the backend fails.
  virtual void deallocate(void* ptr, std::size_t bytes) = 0;
  virtual MemInfo mem_info() = 0;  // throws Error
  // The capacity when CYC_DEVICE_CAPACITY is not set (nullopt: the backend's own limit).
  virtual std::optional<std::size_t> default_capacity() const = 0;
  virtual Stream create_stream() = 0;
  virtual void destroy_stream(Stream stream) = 0;
  virtual void synchronize(Stream stream) = 0;
};

// Host memory, aligned to kBlockRounding (<cyc/device.h>); capacity by default the machine's physical memory.
std::unique_ptr<Backend> make_host_backend();

// ---- CUDA ---------------------------------------------------------------------------------

// The CUDA runtime calls the CUDA backend uses, with cudaError_t as int and cudaStream_t as
// void*. Error codes are cudaError_t's values (cudart_api.cpp checks them at compile time).
namespace cuda_error {
inline constexpr int kSuccess = 0;
inline constexpr int kInvalidValue = 1;
inline constexpr int kMemoryAllocation = 2;
inline constexpr int kInsufficientDriver = 35;
inline constexpr int kNoDevice = 100;
inline constexpr int kInvalidDevice = 101;
inline constexpr int kInvalidResourceHandle = 400;
}  // namespace cuda_error

struct CudaApi {
  const char* origin;  // "cudart" or a fake's name, for messages
  int (*get_device_count)(int* count);
  int (*get_device)(int* device);
  int (*set_device)(int device);
  int (*device_name)(int device, char* name, std::size_t length);  // NUL-terminated
  int (*malloc)(void** ptr, std::size_t bytes);
  int (*free)(void* ptr);
  int (*mem_get_info)(std::size_t* free, std::size_t* total);
  int (*stream_create)(void** stream);  // non-blocking
  int (*stream_destroy)(void* stream);
  int (*stream_synchronize)(void* stream);
  int (*get_last_error)();  // returns and clears the thread's last error
  const char* (*get_error_name)(int error);
  const char* (*get_error_string)(int error);
};

// The real CUDA runtime, or null when libcyc was built without the CUDA Toolkit.
const CudaApi* cudart_api() noexcept;

// Why the CUDA runtime behind `api` has no usable device ("" when it has one).
std::string cuda_unusable_reason(const CudaApi& api);

// The CUDA backend on the calling thread's current device. Throws Error when no device is
// usable (the message gives the reason). `api` must outlive the backend.
std::unique_ptr<Backend> make_cuda_backend(const CudaApi& api);

// "cudaMalloc(4096 bytes) failed: cudaErrorInvalidValue: invalid argument"
std::string cuda_error_text(const CudaApi& api, int error);

}  // namespace cyc::device::detail
