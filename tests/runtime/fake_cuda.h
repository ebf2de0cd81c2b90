// fake_cuda.h - a small fake of the CUDA runtime calls the CUDA backend makes (the CudaApi
// table of runtime/src/device/backend.h), for running the backend's own code path without a
// GPU: device memory is served from host memory, and failures can be injected.
//
// All state is process-wide and thread-safe, like the real runtime's. The "last error" is
// per thread, as in CUDA: a failing call sets it, get_last_error returns and clears it.
#pragma once

#include <cstddef>
#include <string>

#include "device/backend.h"

namespace fake_cuda {

namespace err = cyc::device::detail::cuda_error;

// The table to give make_cuda_backend / select_backend.
const cyc::device::detail::CudaApi& api();

struct Options {
  int device_count = 1;
  int device_count_error = err::kSuccess;  // cudaGetDeviceCount fails with this (e.g. kInsufficientDriver)
  std::size_t memory = std::size_t{64} << 20;  // device memory: cudaMalloc beyond it fails
};

// Forgets everything (live allocations must have been freed) and starts over with `options`.
void reset(const Options& options = {});

// The next `count` cudaMalloc calls fail with `error` (kMemoryAllocation: out of memory).
void fail_next_malloc(int error, int count = 1);
// The next cudaFree call fails with `error`.
void fail_next_free(int error);

struct Counters {
  std::size_t mallocs = 0;       // successful cudaMalloc calls
  std::size_t failed_mallocs = 0;
  std::size_t frees = 0;         // successful cudaFree calls
  std::size_t live_bytes = 0;    // device memory in use
  std::size_t live_allocations = 0;
  std::size_t live_streams = 0;
  std::size_t stream_syncs = 0;
  std::size_t device_switches = 0;  // cudaSetDevice calls that changed the device
};
Counters counters();

// The calling thread's pending last error (without clearing it).
int peek_last_error();
// The calling thread's current device (cudaSetDevice).
int current_device();
// Whether `p` is the start of a live fake device allocation.
bool is_live(const void* p);

}  // namespace fake_cuda
