// device_buffer_test.cpp - the public cyc::device API on the process's allocator (whatever
// CYC_DEVICE chose: the host backend on a machine without a GPU): Buffers as collectable
// owners of device memory, the seed story to the byte, collector reports of device bytes,
// statistics, the cache, the snapshot, streams.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include <cyc/cyc.h>

namespace {

using cyc::Handle;
using cyc::device::Buffer;

constexpr std::size_t MiB = 1024 * 1024;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// A type that owns device memory directly, named in snapshots.
struct Tensor {
  cyc::device::Allocation mem;
  explicit Tensor(std::size_t n) : mem(n, {}, typeid(Tensor)) {}
  std::size_t cyc_device_bytes() const { return mem.capacity(); }
};

struct Model {
  std::string name;
  std::vector<Handle<Buffer>> params;
  Handle<Model> self;
  CYC_TRACE(params, self)
};

class DeviceBufferTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cyc::gc::collect();
    cyc::gc::disable();
    ASSERT_EQ(cyc::device::memory_allocated(), 0u) << "an earlier test left device memory allocated";
  }
  void TearDown() override {
    cyc::gc::collect();
    cyc::gc::enable();
    EXPECT_EQ(cyc::device::memory_allocated(), 0u) << "this test left device memory allocated";
  }
};

TEST_F(DeviceBufferTest, EmptyReturnsABufferOwningDeviceMemory) {
  Handle<Buffer> b = cyc::device::empty(1000);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->size(), 1000u);
  EXPECT_NE(b->data(), nullptr);
  EXPECT_TRUE(b->stream().is_default());
  EXPECT_EQ(b->cyc_device_bytes(), 1024u);
  EXPECT_EQ(cyc::device::memory_allocated(), 1024u);
  EXPECT_FALSE(cyc::gc::is_tracked(b)) << "a Buffer holds no handles: refcounting frees it";
  b.reset();
  EXPECT_EQ(cyc::device::memory_allocated(), 0u);
}

TEST_F(DeviceBufferTest, EmptyOfZeroBytesHoldsNothing) {
  auto b = cyc::device::empty(0);
  EXPECT_EQ(b->data(), nullptr);
  EXPECT_EQ(b->size(), 0u);
  EXPECT_EQ(cyc::device::memory_allocated(), 0u);
}

// The seed: fa() frees its tensor on return; fb()'s self-containing list keeps it until collect.
void fa(std::size_t& inside) {
  auto t = cyc::device::empty(4 * MiB);
  inside = cyc::device::memory_allocated();
}
void fb(std::size_t& inside) {
  auto t = cyc::device::empty(4 * MiB);
  auto li = cyc::make<std::vector<Handle<>>>();
  li->push_back(t);
  li->push_back(li);
  inside = cyc::device::memory_allocated();
}

TEST_F(DeviceBufferTest, TheSeedStoryToTheByte) {
  std::vector<cyc::gc::Cycle> cycles;
  const std::size_t id = cyc::gc::add_callback([&](const cyc::gc::CollectReport& r) {
    cycles.insert(cycles.end(), r.cycles.begin(), r.cycles.end());
  });
  std::size_t inside = 0;
  fa(inside);
  EXPECT_EQ(inside, 4194304u);
  EXPECT_EQ(cyc::device::memory_allocated(), 0u) << "after fa";
  fb(inside);
  EXPECT_EQ(inside, 4194304u);
  EXPECT_EQ(cyc::device::memory_allocated(), 4194304u) << "after fb: the cycle holds the buffer";
  EXPECT_EQ(cyc::gc::collect(), 1u);
  EXPECT_EQ(cyc::device::memory_allocated(), 0u) << "after collect";
  cyc::gc::remove_callback(id);
  ASSERT_EQ(cycles.size(), 1u);
  EXPECT_EQ(cycles[0].device_bytes, 4194304u);
  EXPECT_EQ(cycles[0].objects, 2u);  // the list and the buffer it alone kept alive
  EXPECT_EQ(cyc::gc::format_path(cycles[0].path), "std::vector<cyc::Handle<>>[] -> (std::vector<cyc::Handle<>>)");
  EXPECT_EQ(cyc::device::max_memory_allocated() >= 4194304u, true);
}

TEST_F(DeviceBufferTest, BuffersInFieldsAndContainersAreCountedForTheirCycle) {
  std::size_t device_bytes = 0, objects = 0;
  const std::size_t id = cyc::gc::add_callback([&](const cyc::gc::CollectReport& r) {
    for (const auto& c : r.cycles) {
      device_bytes += c.device_bytes;
      objects += c.objects;
    }
  });
  {
    auto m = cyc::make<Model>();
    m->params = {cyc::device::empty(1 * MiB), cyc::device::empty(2 * MiB), cyc::device::empty(512)};
    m->self = m;
  }
  EXPECT_EQ(cyc::device::memory_allocated(), 3 * MiB + 512);
  EXPECT_EQ(cyc::gc::collect(), 1u);
  cyc::gc::remove_callback(id);
  EXPECT_EQ(device_bytes, 3 * MiB + 512);
  EXPECT_EQ(objects, 4u);
}

TEST_F(DeviceBufferTest, ABufferStillHeldFromOutsideIsNotTheCyclesToFree) {
  auto keep = cyc::device::empty(1 * MiB);
  {
    auto m = cyc::make<Model>();
    m->params = {keep};
    m->self = m;
  }
  EXPECT_EQ(cyc::gc::collect(), 1u);
  EXPECT_EQ(cyc::device::memory_allocated(), 1 * MiB) << "the buffer is still ours";
}

TEST_F(DeviceBufferTest, StatisticsPeaksAndTheCache) {
  cyc::device::empty_cache();
  cyc::device::reset_peak_memory_stats();
  {
    auto a = cyc::device::empty(8 * MiB);
    auto b = cyc::device::empty(100);
    EXPECT_EQ(cyc::device::memory_allocated(), 8 * MiB + 512);
  }
  EXPECT_EQ(cyc::device::memory_allocated(), 0u);
  EXPECT_EQ(cyc::device::max_memory_allocated(), 8 * MiB + 512);
  EXPECT_EQ(cyc::device::memory_reserved(), 20 * MiB + 2 * MiB) << "freed blocks stay cached";
  EXPECT_EQ(cyc::device::max_memory_reserved(), 22 * MiB);
  const auto stats = cyc::device::memory_stats();
  EXPECT_EQ(stats.allocation.all.current, 0);
  EXPECT_EQ(stats.segment.small_pool.current, 1);
  EXPECT_EQ(stats.segment.large_pool.current, 1);
  EXPECT_EQ(stats.to_map().at("reserved_bytes.all.current"), static_cast<std::int64_t>(22 * MiB));
  cyc::device::empty_cache();
  EXPECT_EQ(cyc::device::memory_reserved(), 0u);
  cyc::device::reset_peak_memory_stats();
  EXPECT_EQ(cyc::device::max_memory_allocated(), 0u);
  cyc::device::reset_accumulated_memory_stats();
  EXPECT_EQ(cyc::device::memory_stats().allocation.all.allocated, 0);
}

TEST_F(DeviceBufferTest, TheSnapshotNamesTheOwnersOfLiveBlocks) {
  auto b = cyc::device::empty(4096);
  auto t = cyc::make<Tensor>(8192);
  const std::string s = cyc::device::memory_snapshot();
  EXPECT_TRUE(contains(s, "\"owner\":\"cyc::device::Buffer\"")) << s;
  EXPECT_TRUE(contains(s, "\"owner\":\"(anonymous namespace)::Tensor\"")) << s;
  EXPECT_TRUE(contains(s, "\"backend\":\"" + cyc::device::backend() + "\"")) << s;
  EXPECT_TRUE(contains(s, "\"requested_size\":8192")) << s;
}

TEST_F(DeviceBufferTest, AllocationOwnersCanBeRenamed) {
  cyc::device::Allocation a(4096);
  a.set_owner(typeid(Model));
  EXPECT_TRUE(contains(cyc::device::memory_snapshot(), "\"owner\":\"(anonymous namespace)::Model\""));
  auto b = cyc::make<Buffer>(std::move(a));
  EXPECT_EQ(b->size(), 4096u);
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
}

TEST_F(DeviceBufferTest, TheBackendIsNamedAndDescribed) {
  const std::string b = cyc::device::backend();
  EXPECT_TRUE(b == "host" || b == "cuda") << b;
  EXPECT_FALSE(cyc::device::backend_description().empty());
  if (!cyc::device::backend_note().empty()) {
    EXPECT_EQ(b, "host");
    EXPECT_TRUE(contains(cyc::device::backend_note(), "using the host backend"));
  }
  EXPECT_GT(cyc::device::capacity(), 0u);
}

TEST_F(DeviceBufferTest, BuffersOnStreams) {
  const cyc::device::Stream s = cyc::device::create_stream();
  EXPECT_FALSE(s.is_default());
  {
    auto b = cyc::device::empty(4096, s);
    EXPECT_EQ(b->stream(), s);
    cyc::device::synchronize(s);
  }
  cyc::device::synchronize();
  cyc::device::destroy_stream(s);
  EXPECT_THROW(cyc::device::destroy_stream(s), cyc::device::Error);
  EXPECT_THROW(cyc::device::destroy_stream(cyc::device::Stream{}), cyc::device::Error);
}

TEST_F(DeviceBufferTest, CollectOnOutOfMemoryIsASetting) {
  EXPECT_TRUE(cyc::device::collect_on_oom());
  cyc::device::set_collect_on_oom(false);
  EXPECT_FALSE(cyc::device::collect_on_oom());
  cyc::device::set_collect_on_oom(true);
  EXPECT_TRUE(cyc::device::collect_on_oom());
}

TEST_F(DeviceBufferTest, BufferMemoryIsUsableOnTheHostBackend) {
  if (cyc::device::backend() != "host") GTEST_SKIP() << "device memory is not host-addressable on " << cyc::device::backend();
  auto b = cyc::device::empty(1 * MiB);
  std::memset(b->data(), 0xAB, b->size());
  EXPECT_EQ(static_cast<unsigned char*>(b->data())[MiB - 1], 0xABu);
}

}  // namespace
