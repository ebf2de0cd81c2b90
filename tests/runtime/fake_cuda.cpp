// fake_cuda.cpp - see fake_cuda.h.
#include "fake_cuda.h"

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <set>

namespace fake_cuda {
namespace {

struct State {
  std::mutex mu;
  Options options;
  std::map<const void*, std::size_t> live;
  std::set<void*> streams;
  int fail_malloc_error = err::kSuccess;
  int fail_malloc_count = 0;
  int fail_free_error = err::kSuccess;
  Counters counters;
};

State& state() {
  static State* s = new State;  // used from static destructors of the tests too
  return *s;
}

thread_local int tl_last_error = err::kSuccess;
thread_local int tl_device = 0;

int fail(int error) {
  tl_last_error = error;
  return error;
}

int get_device_count(int* count) {
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  if (s.options.device_count_error != err::kSuccess) {
    *count = 0;
    return fail(s.options.device_count_error);
  }
  *count = s.options.device_count;
  return err::kSuccess;
}

int get_device(int* device) {
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  if (s.options.device_count_error != err::kSuccess) return fail(s.options.device_count_error);
  if (s.options.device_count == 0) return fail(err::kNoDevice);
  *device = tl_device;
  return err::kSuccess;
}

int set_device(int device) {
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  if (device < 0 || device >= s.options.device_count) return fail(err::kInvalidDevice);
  if (device != tl_device) ++s.counters.device_switches;
  tl_device = device;
  return err::kSuccess;
}

int device_name(int device, char* name, std::size_t length) {
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  if (device < 0 || device >= s.options.device_count) return fail(err::kInvalidDevice);
  std::string n = "Fake CUDA Device " + std::to_string(device);
  if (length > 0) {
    std::strncpy(name, n.c_str(), length - 1);
    name[length - 1] = '\0';
  }
  return err::kSuccess;
}

int malloc_(void** ptr, std::size_t bytes) {
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  if (s.fail_malloc_count > 0) {
    --s.fail_malloc_count;
    ++s.counters.failed_mallocs;
    return fail(s.fail_malloc_error);
  }
  if (bytes == 0) return fail(err::kInvalidValue);
  if (bytes > s.options.memory - s.counters.live_bytes) {
    ++s.counters.failed_mallocs;
    return fail(err::kMemoryAllocation);
  }
  void* p = std::aligned_alloc(256, (bytes + 255) / 256 * 256);
  if (!p) return fail(err::kMemoryAllocation);
  s.live[p] = bytes;
  s.counters.live_bytes += bytes;
  ++s.counters.live_allocations;
  ++s.counters.mallocs;
  *ptr = p;
  return err::kSuccess;
}

int free_(void* ptr) {
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  if (s.fail_free_error != err::kSuccess) {
    const int e = s.fail_free_error;
    s.fail_free_error = err::kSuccess;
    return fail(e);
  }
  if (!ptr) return err::kSuccess;
  auto it = s.live.find(ptr);
  if (it == s.live.end()) return fail(err::kInvalidValue);
  s.counters.live_bytes -= it->second;
  --s.counters.live_allocations;
  ++s.counters.frees;
  s.live.erase(it);
  std::free(ptr);
  return err::kSuccess;
}

int mem_get_info(std::size_t* free_bytes, std::size_t* total) {
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  *free_bytes = s.options.memory - s.counters.live_bytes;
  *total = s.options.memory;
  return err::kSuccess;
}

int stream_create(void** stream) {
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  void* st = new char;  // a unique non-null handle
  s.streams.insert(st);
  ++s.counters.live_streams;
  *stream = st;
  return err::kSuccess;
}

int stream_destroy(void* stream) {
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  if (!s.streams.erase(stream)) return fail(err::kInvalidResourceHandle);
  delete static_cast<char*>(stream);
  --s.counters.live_streams;
  return err::kSuccess;
}

int stream_synchronize(void* stream) {
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  if (stream && !s.streams.count(stream)) return fail(err::kInvalidResourceHandle);
  ++s.counters.stream_syncs;
  return err::kSuccess;
}

int get_last_error() {
  const int e = tl_last_error;
  tl_last_error = err::kSuccess;
  return e;
}

const char* error_name(int e) {
  switch (e) {
    case err::kSuccess: return "cudaSuccess";
    case err::kInvalidValue: return "cudaErrorInvalidValue";
    case err::kMemoryAllocation: return "cudaErrorMemoryAllocation";
    case err::kInsufficientDriver: return "cudaErrorInsufficientDriver";
    case err::kNoDevice: return "cudaErrorNoDevice";
    case err::kInvalidDevice: return "cudaErrorInvalidDevice";
    case err::kInvalidResourceHandle: return "cudaErrorInvalidResourceHandle";
    default: return "cudaErrorUnknown";
  }
}

const char* error_string(int e) {
  switch (e) {
    case err::kSuccess: return "no error";
    case err::kInvalidValue: return "invalid argument";
    case err::kMemoryAllocation: return "out of memory";
    case err::kInsufficientDriver: return "CUDA driver version is insufficient for CUDA runtime version";
    case err::kNoDevice: return "no CUDA-capable device is detected";
    case err::kInvalidDevice: return "invalid device ordinal";
    case err::kInvalidResourceHandle: return "invalid resource handle";
    default: return "unknown error";
  }
}

constexpr cyc::device::detail::CudaApi kFake{
    "fake_cuda", &get_device_count, &get_device,     &set_device,         &device_name,
    &malloc_,    &free_,            &mem_get_info,   &stream_create,      &stream_destroy,
    &stream_synchronize, &get_last_error, &error_name, &error_string,
};

}  // namespace

const cyc::device::detail::CudaApi& api() { return kFake; }

void reset(const Options& options) {
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  for (auto& [p, n] : s.live) std::free(const_cast<void*>(p));
  for (void* st : s.streams) delete static_cast<char*>(st);
  s.live.clear();
  s.streams.clear();
  s.options = options;
  s.fail_malloc_error = err::kSuccess;
  s.fail_malloc_count = 0;
  s.fail_free_error = err::kSuccess;
  s.counters = Counters{};
  tl_last_error = err::kSuccess;
  tl_device = 0;
}

void fail_next_malloc(int error, int count) {
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  s.fail_malloc_error = error;
  s.fail_malloc_count = count;
}

void fail_next_free(int error) {
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  s.fail_free_error = error;
}

Counters counters() {
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  return s.counters;
}

int peek_last_error() { return tl_last_error; }
int current_device() { return tl_device; }

bool is_live(const void* p) {
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  return s.live.count(p) != 0;
}

}  // namespace fake_cuda
