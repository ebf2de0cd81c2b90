// cudart_api.cpp - the CudaApi table bound to the real CUDA runtime. Built only when the
// CUDA Toolkit is found (CYC_CUDA_EFFECTIVE); links CUDA::cudart.
#include <cuda_runtime_api.h>

#include <cstring>

#include "backend.h"

namespace cyc::device::detail {

static_assert(static_cast<int>(cudaSuccess) == cuda_error::kSuccess);
static_assert(static_cast<int>(cudaErrorInvalidValue) == cuda_error::kInvalidValue);
static_assert(static_cast<int>(cudaErrorMemoryAllocation) == cuda_error::kMemoryAllocation);
static_assert(static_cast<int>(cudaErrorInsufficientDriver) == cuda_error::kInsufficientDriver);
static_assert(static_cast<int>(cudaErrorNoDevice) == cuda_error::kNoDevice);
static_assert(static_cast<int>(cudaErrorInvalidDevice) == cuda_error::kInvalidDevice);
static_assert(static_cast<int>(cudaErrorInvalidResourceHandle) == cuda_error::kInvalidResourceHandle);

namespace {

int rc(cudaError_t e) { return static_cast<int>(e); }

int get_device_count(int* n) { return rc(cudaGetDeviceCount(n)); }
int get_device(int* d) { return rc(cudaGetDevice(d)); }
int set_device(int d) { return rc(cudaSetDevice(d)); }
int device_name(int d, char* out, std::size_t n) {
  cudaDeviceProp prop;
  const cudaError_t e = cudaGetDeviceProperties(&prop, d);
  if (e != cudaSuccess) return rc(e);
  if (n > 0) {
    std::strncpy(out, prop.name, n - 1);
    out[n - 1] = '\0';
  }
  return 0;
}
int malloc_(void** p, std::size_t n) { return rc(cudaMalloc(p, n)); }
int free_(void* p) { return rc(cudaFree(p)); }
int mem_get_info(std::size_t* f, std::size_t* t) { return rc(cudaMemGetInfo(f, t)); }
int stream_create(void** s) {
  cudaStream_t st = nullptr;
  const cudaError_t e = cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking);
  *s = st;
  return rc(e);
}
int stream_destroy(void* s) { return rc(cudaStreamDestroy(static_cast<cudaStream_t>(s))); }
int stream_synchronize(void* s) { return rc(cudaStreamSynchronize(static_cast<cudaStream_t>(s))); }
int get_last_error() { return rc(cudaGetLastError()); }
const char* error_name(int e) { return cudaGetErrorName(static_cast<cudaError_t>(e)); }
const char* error_string(int e) { return cudaGetErrorString(static_cast<cudaError_t>(e)); }

constexpr CudaApi kCudart{
    "cudart",     &get_device_count, &get_device,     &set_device,         &device_name,
    &malloc_,     &free_,            &mem_get_info,   &stream_create,      &stream_destroy,
    &stream_synchronize, &get_last_error, &error_name, &error_string,
};

}  // namespace

const CudaApi* cudart_api() noexcept { return &kCudart; }

}  // namespace cyc::device::detail
