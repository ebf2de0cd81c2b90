// device_cuda_test.cpp - the CUDA backend's own code path: cudaMalloc/cudaFree/cudaMemGetInfo,
// streams, error translation and the out-of-memory retry chain through it. Runs without a
// GPU over fake_cuda (device memory from host memory, failures injectable); the suites named
// "Runtimes" also run over the real CUDA runtime when a device is usable, and skip with the
// reason otherwise.
#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <cyc/cyc.h>

#include "device/backend_selection.h"
#include "device/device_allocator.h"
#include "fake_cuda.h"

namespace {

namespace d = cyc::device::detail;
namespace err = d::cuda_error;
using cyc::device::Allocation;
using cyc::device::Buffer;
using cyc::device::OutOfMemory;
using cyc::device::Stream;

constexpr std::size_t MiB = 1024 * 1024;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

class CudaBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cyc::gc::collect();
    cyc::gc::disable();
    fake_cuda::reset();
  }
  void TearDown() override {
    cyc::gc::collect();
    cyc::gc::enable();
    if (alloc_) {
      EXPECT_EQ(alloc_->check(), "");
    }
    alloc_.reset();
    EXPECT_EQ(fake_cuda::counters().live_allocations, 0u) << "the allocator leaked device memory";
    EXPECT_EQ(fake_cuda::peek_last_error(), err::kSuccess) << "a CUDA error was left pending";
  }

  // An allocator over the fake with `device_memory`; `limit` as CYC_DEVICE_CAPACITY would set.
  void make(std::size_t device_memory, std::optional<std::size_t> limit = std::nullopt) {
    fake_cuda::Options o;
    o.memory = device_memory;
    fake_cuda::reset(o);
    alloc_ = std::make_unique<d::DeviceAllocator>(d::make_cuda_backend(fake_cuda::api()), limit);
  }
  Allocation get(std::size_t bytes, Stream s = Stream{}) {
    return d::AllocationAccess::make(*alloc_, bytes, s, typeid(Allocation));
  }
  void leak_cycle(std::size_t bytes) {
    auto li = cyc::make<std::vector<cyc::Handle<>>>();
    li->push_back(cyc::make<Buffer>(d::AllocationAccess::make(*alloc_, bytes, Stream{}, typeid(Buffer))));
    li->push_back(li);
  }
  cyc::device::MemoryStats stats() const { return alloc_->stats(); }

  std::unique_ptr<d::DeviceAllocator> alloc_;
};

TEST_F(CudaBackendTest, SegmentsComeFromCudaMallocAndGoBackThroughCudaFree) {
  make(64 * MiB);
  Allocation a = get(1000);
  EXPECT_TRUE(fake_cuda::is_live(a.data())) << "a small block starts its 2 MiB segment";
  EXPECT_EQ(fake_cuda::counters().mallocs, 1u);
  EXPECT_EQ(fake_cuda::counters().live_bytes, 2 * MiB);
  static_cast<char*>(a.data())[999] = 1;  // the fake's "device memory" is host memory
  a.reset();
  EXPECT_EQ(fake_cuda::counters().live_bytes, 2 * MiB) << "freed blocks stay cached";
  alloc_->empty_cache();
  EXPECT_EQ(fake_cuda::counters().live_bytes, 0u);
  EXPECT_EQ(fake_cuda::counters().frees, 1u);
}

TEST_F(CudaBackendTest, DescriptionNamesTheDeviceAndTheRuntime) {
  make(64 * MiB);
  EXPECT_STREQ(alloc_->backend().name(), "cuda");
  EXPECT_EQ(alloc_->backend().description(), "cuda device 0 (Fake CUDA Device 0) via fake_cuda");
  EXPECT_EQ(alloc_->capacity(), 64 * MiB) << "without a limit: cudaMemGetInfo's total";
}

TEST_F(CudaBackendTest, CudaMallocOutOfMemoryFreesTheCacheAndRetries) {
  make(40 * MiB);
  {
    Allocation a = get(15 * MiB), b = get(15 * MiB);  // two 16 MiB segments
  }
  Allocation c = get(30 * MiB);  // cudaMalloc fails until the 32 cached MiB are freed
  EXPECT_TRUE(fake_cuda::is_live(c.data()));
  EXPECT_EQ(stats().num_alloc_retries, 1);
  EXPECT_EQ(stats().num_ooms, 0);
  EXPECT_EQ(fake_cuda::counters().frees, 2u);
  EXPECT_GE(fake_cuda::counters().failed_mallocs, 1u);
  EXPECT_EQ(fake_cuda::peek_last_error(), err::kSuccess) << "the out-of-memory error must be cleared";
}

TEST_F(CudaBackendTest, ATransientOutOfMemoryIsRetried) {
  make(64 * MiB);
  fake_cuda::fail_next_malloc(err::kMemoryAllocation, 1);
  Allocation a = get(4096);
  EXPECT_TRUE(a);
  EXPECT_EQ(stats().num_alloc_retries, 1);
}

TEST_F(CudaBackendTest, CudaMallocOutOfMemoryRunsTheCycleCollector) {
  make(8 * MiB);
  leak_cycle(6 * MiB);
  Allocation a = get(6 * MiB);
  EXPECT_EQ(stats().num_oom_collections, 1);
  EXPECT_EQ(stats().num_ooms, 0);
  EXPECT_EQ(fake_cuda::counters().live_bytes, 6 * MiB);
}

TEST_F(CudaBackendTest, OutOfMemoryReportsTheDevicesMemory) {
  make(8 * MiB);
  Allocation held = get(6 * MiB);
  try {
    get(4 * MiB);
    FAIL() << "4 MiB fit beside 6 on an 8 MiB device";
  } catch (const OutOfMemory& e) {
    const std::string m = e.what();
    EXPECT_TRUE(contains(m, "from the cuda backend; capacity 8.00 MiB (the device's total)")) << m;
    EXPECT_TRUE(contains(m, "the device has 2.00 MiB free of 8.00 MiB")) << m;
    EXPECT_TRUE(contains(m, "cyc::device::Allocation (1 block, 6.00 MiB)")) << m;
    EXPECT_EQ(e.capacity(), 8 * MiB);
  }
  EXPECT_EQ(stats().num_ooms, 1);
}

TEST_F(CudaBackendTest, ACapacityLimitAppliesToCudaToo) {
  make(64 * MiB, 8 * MiB);
  Allocation held = get(6 * MiB);
  EXPECT_THROW(get(4 * MiB), OutOfMemory);
  EXPECT_EQ(fake_cuda::counters().failed_mallocs, 0u) << "the limit is checked before cudaMalloc";
}

TEST_F(CudaBackendTest, OtherCudaMallocErrorsAreErrorsNamingTheCall) {
  make(64 * MiB);
  fake_cuda::fail_next_malloc(err::kInvalidValue);
  try {
    get(4096);
    FAIL() << "no error";
  } catch (const OutOfMemory& e) {
    FAIL() << "not out of memory: " << e.what();
  } catch (const cyc::device::Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "cyc::device cuda backend: cudaMalloc(2097152 bytes) on device 0 failed: "
              "cudaErrorInvalidValue: invalid argument");
  }
  EXPECT_EQ(stats().num_alloc_retries, 0);
  EXPECT_EQ(stats().reserved_bytes.all.current, 0);
  Allocation a = get(4096);  // the next call works
  EXPECT_TRUE(a);
}

TEST_F(CudaBackendTest, ACudaFreeFailureInEmptyCacheIsAnErrorAndTheSegmentStaysCached) {
  make(64 * MiB);
  get(4096).reset();
  fake_cuda::fail_next_free(err::kInvalidValue);
  try {
    alloc_->empty_cache();
    FAIL() << "no error";
  } catch (const cyc::device::Error& e) {
    EXPECT_TRUE(contains(e.what(), "cudaFree(")) << e.what();
    EXPECT_TRUE(contains(e.what(), "a segment of 2097152 bytes) failed: cudaErrorInvalidValue")) << e.what();
  }
  EXPECT_EQ(stats().reserved_bytes.all.current, static_cast<std::int64_t>(2 * MiB));
  EXPECT_EQ(alloc_->check(), "");
  alloc_->empty_cache();
  EXPECT_EQ(stats().reserved_bytes.all.current, 0);
}

TEST_F(CudaBackendTest, StreamsKeepCachedBlocksApart) {
  make(64 * MiB);
  const Stream s = alloc_->backend().create_stream();
  EXPECT_FALSE(s.is_default());
  EXPECT_EQ(fake_cuda::counters().live_streams, 1u);
  Allocation a = get(8192, s);
  void* at = a.data();
  a.reset();
  Allocation other = get(8192);
  EXPECT_NE(other.data(), at);
  Allocation same = get(8192, s);
  EXPECT_EQ(same.data(), at);
  alloc_->backend().synchronize(s);
  same.reset();
  alloc_->backend().destroy_stream(s);
  EXPECT_EQ(fake_cuda::counters().live_streams, 0u);
  EXPECT_GE(fake_cuda::counters().stream_syncs, 2u) << "destroy_stream synchronizes first";
}

TEST_F(CudaBackendTest, StreamMisuseIsAnErrorNamingTheCall) {
  make(64 * MiB);
  try {
    alloc_->backend().destroy_stream(Stream{});
    FAIL() << "destroyed the default stream";
  } catch (const cyc::device::Error& e) {
    EXPECT_TRUE(contains(e.what(), "the default stream cannot be destroyed")) << e.what();
  }
  const Stream s = alloc_->backend().create_stream();
  alloc_->backend().destroy_stream(s);
  try {
    alloc_->backend().destroy_stream(s);
    FAIL() << "destroyed a stream twice";
  } catch (const cyc::device::Error& e) {
    EXPECT_TRUE(contains(e.what(), "cudaErrorInvalidResourceHandle")) << e.what();
  }
}

TEST_F(CudaBackendTest, CallsRunOnTheBackendsDeviceAndRestoreTheThreads) {
  fake_cuda::Options o;
  o.device_count = 2;
  fake_cuda::reset(o);
  ASSERT_EQ(fake_cuda::api().set_device(1), err::kSuccess);
  alloc_ = std::make_unique<d::DeviceAllocator>(d::make_cuda_backend(fake_cuda::api()), std::nullopt);
  EXPECT_EQ(alloc_->backend().description(), "cuda device 1 (Fake CUDA Device 1) via fake_cuda");
  ASSERT_EQ(fake_cuda::api().set_device(0), err::kSuccess);
  const std::size_t before = fake_cuda::counters().device_switches;
  Allocation a = get(4096);
  EXPECT_EQ(fake_cuda::current_device(), 0) << "the thread's device is restored";
  EXPECT_EQ(fake_cuda::counters().device_switches - before, 2u) << "switched to device 1 and back";
}

TEST_F(CudaBackendTest, BuffersInGarbageCyclesAreReportedWithTheirDeviceBytes) {
  make(64 * MiB);
  std::size_t device_bytes = 0;
  const std::size_t id = cyc::gc::add_callback([&](const cyc::gc::CollectReport& r) {
    for (const auto& c : r.cycles) device_bytes += c.device_bytes;
  });
  leak_cycle(4 * MiB);
  EXPECT_EQ(stats().allocated_bytes.all.current, static_cast<std::int64_t>(4 * MiB));
  EXPECT_EQ(cyc::gc::collect(), 1u);
  cyc::gc::remove_callback(id);
  EXPECT_EQ(device_bytes, 4 * MiB);
  EXPECT_EQ(stats().allocated_bytes.all.current, 0);
}

// ---- choosing the backend -----------------------------------------------------------------

TEST_F(CudaBackendTest, AutoFallsBackToTheHostBackendWithTheReason) {
  fake_cuda::Options o;
  o.device_count = 0;
  fake_cuda::reset(o);
  d::Selection s = d::select_backend({d::DeviceChoice::kAuto, std::nullopt}, &fake_cuda::api());
  EXPECT_STREQ(s.backend->name(), "host");
  EXPECT_EQ(s.note, "CUDA is not usable (cudaGetDeviceCount found no CUDA device); using the host backend");

  o.device_count_error = err::kInsufficientDriver;
  fake_cuda::reset(o);
  s = d::select_backend({d::DeviceChoice::kAuto, std::nullopt}, &fake_cuda::api());
  EXPECT_STREQ(s.backend->name(), "host");
  EXPECT_TRUE(contains(s.note, "cudaGetDeviceCount failed: cudaErrorInsufficientDriver: CUDA driver "
                               "version is insufficient for CUDA runtime version"))
      << s.note;
  EXPECT_EQ(fake_cuda::peek_last_error(), err::kSuccess);
}

TEST_F(CudaBackendTest, CudaWithoutADeviceIsAConfigErrorNamingTheVariable) {
  fake_cuda::Options o;
  o.device_count = 0;
  fake_cuda::reset(o);
  try {
    d::select_backend({d::DeviceChoice::kCuda, std::nullopt}, &fake_cuda::api());
    FAIL() << "no error";
  } catch (const cyc::device::ConfigError& e) {
    EXPECT_EQ(e.variable(), "CYC_DEVICE");
    EXPECT_TRUE(contains(e.what(), "CYC_DEVICE=cuda, but CUDA is not usable: cudaGetDeviceCount found no CUDA device"))
        << e.what();
  }
  try {
    d::select_backend({d::DeviceChoice::kCuda, std::nullopt}, nullptr);
    FAIL() << "no error";
  } catch (const cyc::device::ConfigError& e) {
    EXPECT_TRUE(contains(e.what(), "built without the CUDA backend")) << e.what();
  }
}

TEST_F(CudaBackendTest, AutoAndCudaTakeAUsableDevice) {
  for (auto choice : {d::DeviceChoice::kAuto, d::DeviceChoice::kCuda}) {
    d::Selection s = d::select_backend({choice, std::nullopt}, &fake_cuda::api());
    EXPECT_STREQ(s.backend->name(), "cuda");
    EXPECT_EQ(s.note, "");
  }
  d::Selection h = d::select_backend({d::DeviceChoice::kHost, std::nullopt}, &fake_cuda::api());
  EXPECT_STREQ(h.backend->name(), "host");
}

// ---- the same behaviour over the fake and, where usable, the real CUDA runtime -----------

struct Runtime {
  const char* name;
  const d::CudaApi* (*api)();
};
void PrintTo(const Runtime& r, std::ostream* os) { *os << r.name; }

class Runtimes : public ::testing::TestWithParam<Runtime> {
 protected:
  void SetUp() override {
    fake_cuda::reset();
    api_ = GetParam().api();
    if (!api_) GTEST_SKIP() << "libcyc was built without the CUDA Toolkit: no CUDA runtime to test";
    if (std::string why = d::cuda_unusable_reason(*api_); !why.empty())
      GTEST_SKIP() << "no usable CUDA device: " << why;
    cyc::gc::collect();
    cyc::gc::disable();
    alloc_ = std::make_unique<d::DeviceAllocator>(d::make_cuda_backend(*api_), 64 * MiB);
  }
  void TearDown() override {
    if (!alloc_) return;
    cyc::gc::collect();
    cyc::gc::enable();
    EXPECT_EQ(alloc_->check(), "");
    alloc_.reset();
  }
  Allocation get(std::size_t bytes, Stream s = Stream{}) {
    return d::AllocationAccess::make(*alloc_, bytes, s, typeid(Allocation));
  }

  const d::CudaApi* api_ = nullptr;
  std::unique_ptr<d::DeviceAllocator> alloc_;
};

TEST_P(Runtimes, AllocateFreeAndEmptyTheCache) {
  Allocation a = get(1000), b = get(3 * MiB), c = get(24 * MiB);
  EXPECT_NE(a.data(), nullptr);
  EXPECT_EQ(alloc_->stats().segment.all.current, 3);
  a.reset();
  b.reset();
  c.reset();
  EXPECT_EQ(alloc_->stats().allocated_bytes.all.current, 0);
  alloc_->empty_cache();
  EXPECT_EQ(alloc_->stats().reserved_bytes.all.current, 0);
}

TEST_P(Runtimes, StreamsKeepCachedBlocksApart) {
  const Stream s = alloc_->backend().create_stream();
  Allocation a = get(8192, s);
  void* at = a.data();
  a.reset();
  Allocation other = get(8192);
  EXPECT_NE(other.data(), at);
  Allocation same = get(8192, s);
  EXPECT_EQ(same.data(), at);
  same.reset();
  alloc_->backend().destroy_stream(s);
}

TEST_P(Runtimes, ALeakingLoopKeepsRunningWithinTheCapacity) {
  for (int step = 0; step < 100; ++step) {
    auto li = cyc::make<std::vector<cyc::Handle<>>>();
    li->push_back(cyc::make<Buffer>(d::AllocationAccess::make(*alloc_, 4 * MiB, Stream{}, typeid(Buffer))));
    li->push_back(li);
  }
  EXPECT_EQ(alloc_->stats().num_ooms, 0);
  EXPECT_GT(alloc_->stats().num_oom_collections, 0);
  EXPECT_LE(alloc_->stats().reserved_bytes.all.peak, static_cast<std::int64_t>(64 * MiB));
}

const d::CudaApi* fake() { return &fake_cuda::api(); }

INSTANTIATE_TEST_SUITE_P(Cuda, Runtimes,
                         ::testing::Values(Runtime{"fake", &fake}, Runtime{"cudart", &d::cudart_api}),
                         [](const ::testing::TestParamInfo<Runtime>& p) { return std::string(p.param.name); });

}  // namespace
