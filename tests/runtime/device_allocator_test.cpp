// device_allocator_test.cpp - the caching allocator's policy, on private allocators over the
// host backend with a small capacity: rounding, pools and segment sizes, best fit, split and
// merge, per-stream reuse, empty_cache, statistics, the snapshot, and the out-of-memory chain
// (free the cache, run the cycle collector, then throw OutOfMemory with a useful message).
// Every test ends with the allocator's self-check (invariants and statistics vs blocks).
#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <cyc/cyc.h>

#include "device/device_allocator.h"
#include "device/size_classes.h"

namespace {

namespace d = cyc::device::detail;
using cyc::device::Allocation;
using cyc::device::Buffer;
using cyc::device::MemoryStats;
using cyc::device::OutOfMemory;
using cyc::device::Stream;

constexpr std::size_t KiB = 1024;
constexpr std::size_t MiB = 1024 * 1024;

struct Tensor {};  // an owner type, for the names in snapshots and messages

// ---- a small JSON reader, to check memory_snapshot() is well-formed ---------------------

struct Json {
  enum Kind { kNull, kBool, kNumber, kString, kArray, kObject } kind = kNull;
  double number = 0;
  bool boolean = false;
  std::string string;
  std::vector<Json> array;
  std::map<std::string, Json> object;
  const Json& operator[](const std::string& key) const {
    auto it = object.find(key);
    if (kind != kObject || it == object.end()) throw std::runtime_error("no key " + key);
    return it->second;
  }
  const Json& operator[](std::size_t i) const { return array.at(i); }
};

class JsonReader {
 public:
  explicit JsonReader(const std::string& text) : s_(text) {}
  Json read() {
    Json v = value();
    blank();
    if (i_ != s_.size()) fail("trailing characters");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& why) {
    throw std::runtime_error("bad JSON at " + std::to_string(i_) + ": " + why);
  }
  void blank() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool eat(char c) {
    blank();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!eat(c)) fail(std::string("expected '") + c + "'");
  }
  std::string str() {
    expect('"');
    std::string out;
    while (i_ < s_.size() && s_[i_] != '"') {
      char c = s_[i_++];
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
      if (c == '\\') {
        if (i_ >= s_.size()) fail("bad escape");
        const char e = s_[i_++];
        if (e == 'u') {
          if (i_ + 4 > s_.size()) fail("bad \\u escape");
          out += static_cast<char>(std::stoi(s_.substr(i_, 4), nullptr, 16));
          i_ += 4;
          continue;
        }
        static const std::map<char, char> esc{{'"', '"'}, {'\\', '\\'}, {'/', '/'}, {'n', '\n'},
                                              {'t', '\t'}, {'r', '\r'}, {'b', '\b'}, {'f', '\f'}};
        auto it = esc.find(e);
        if (it == esc.end()) fail("bad escape");
        c = it->second;
      }
      out += c;
    }
    expect('"');
    return out;
  }
  Json value() {
    blank();
    if (i_ >= s_.size()) fail("unexpected end");
    Json v;
    const char c = s_[i_];
    if (c == '{') {
      v.kind = Json::kObject;
      ++i_;
      if (eat('}')) return v;
      do {
        blank();
        std::string k = str();
        expect(':');
        v.object[k] = value();
      } while (eat(','));
      expect('}');
    } else if (c == '[') {
      v.kind = Json::kArray;
      ++i_;
      if (eat(']')) return v;
      do v.array.push_back(value());
      while (eat(','));
      expect(']');
    } else if (c == '"') {
      v.kind = Json::kString;
      v.string = str();
    } else if (s_.compare(i_, 4, "null") == 0) {
      i_ += 4;
    } else if (s_.compare(i_, 4, "true") == 0 || s_.compare(i_, 5, "false") == 0) {
      v.kind = Json::kBool;
      v.boolean = s_[i_] == 't';
      i_ += v.boolean ? 4 : 5;
    } else {
      std::size_t used = 0;
      try {
        v.number = std::stod(s_.substr(i_), &used);
      } catch (const std::exception&) {
        fail("expected a value");
      }
      v.kind = Json::kNumber;
      i_ += used;
    }
    return v;
  }
  const std::string& s_;
  std::size_t i_ = 0;
};

// ---- fixture ------------------------------------------------------------------------------

class DeviceAllocatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cyc::gc::collect();
    cyc::gc::disable();  // only the allocator's out-of-memory path collects here
    make_allocator(64 * MiB);
  }
  void TearDown() override {
    cyc::gc::collect();  // garbage Buffers of this allocator go back to it
    cyc::gc::enable();
    EXPECT_EQ(alloc_->check(), "");
  }

  void make_allocator(std::size_t capacity) {
    alloc_ = std::make_unique<d::DeviceAllocator>(d::make_host_backend(), capacity);
  }

  Allocation get(std::size_t bytes, Stream stream = Stream{},
                 const std::type_info& owner = typeid(Allocation)) {
    return d::AllocationAccess::make(*alloc_, bytes, stream, owner);
  }
  cyc::Handle<Buffer> buffer(std::size_t bytes) {
    return cyc::make<Buffer>(get(bytes, Stream{}, typeid(Buffer)));
  }
  // li = [buffer(bytes)]; li.append(li); then dropped: garbage holding `bytes`.
  void leak_cycle(std::size_t bytes) {
    auto li = cyc::make<std::vector<cyc::Handle<>>>();
    li->push_back(buffer(bytes));
    li->push_back(li);
  }

  MemoryStats stats() const { return alloc_->stats(); }
  std::int64_t allocated() const { return stats().allocated_bytes.all.current; }
  std::int64_t reserved() const { return stats().reserved_bytes.all.current; }
  void expect_consistent() { EXPECT_EQ(alloc_->check(), ""); }

  std::unique_ptr<d::DeviceAllocator> alloc_;
};

// ---- sizes and pools ----------------------------------------------------------------------

TEST(DeviceSizes, RoundingAndSegmentSizesFollowThePolicy) {
  EXPECT_EQ(d::round_size(1), 512u);
  EXPECT_EQ(d::round_size(512), 512u);
  EXPECT_EQ(d::round_size(513), 1024u);
  EXPECT_EQ(d::round_size(4 * MiB), 4 * MiB);
  EXPECT_EQ(d::segment_size(512), 2 * MiB);
  EXPECT_EQ(d::segment_size(1 * MiB), 2 * MiB);
  EXPECT_EQ(d::segment_size(1 * MiB + 512), 20 * MiB);
  EXPECT_EQ(d::segment_size(10 * MiB - 512), 20 * MiB);
  EXPECT_EQ(d::segment_size(10 * MiB), 10 * MiB);
  EXPECT_EQ(d::segment_size(11 * MiB + 512), 12 * MiB);
  try {
    d::round_size(std::numeric_limits<std::size_t>::max() - 3);
    FAIL() << "no error for an impossible size";
  } catch (const cyc::device::Error& e) {
    EXPECT_NE(std::string(e.what()).find("too large"), std::string::npos) << e.what();
  }
}

TEST_F(DeviceAllocatorTest, RequestsAreRoundedTo512Bytes) {
  Allocation a = get(1), b = get(512), c = get(513);
  EXPECT_EQ(a.size(), 1u);
  EXPECT_EQ(a.capacity(), 512u);
  EXPECT_EQ(b.capacity(), 512u);
  EXPECT_EQ(c.capacity(), 1024u);
  const MemoryStats s = stats();
  EXPECT_EQ(s.allocated_bytes.all.current, 2048);
  EXPECT_EQ(s.requested_bytes.all.current, 1 + 512 + 513);
  EXPECT_EQ(s.allocation.all.current, 3);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a.data()) % 512, 0u);
  expect_consistent();
}

TEST_F(DeviceAllocatorTest, SmallRequestsShareTwoMiBSegments) {
  Allocation a = get(1000), b = get(1 * MiB), c = get(100 * KiB);
  const MemoryStats s = stats();
  EXPECT_EQ(s.segment.small_pool.current, 1);
  EXPECT_EQ(s.segment.large_pool.current, 0);
  EXPECT_EQ(s.reserved_bytes.all.current, static_cast<std::int64_t>(2 * MiB));
  EXPECT_EQ(s.allocation.small_pool.current, 3);
  // They tile the segment in order.
  EXPECT_EQ(static_cast<char*>(b.data()), static_cast<char*>(a.data()) + 1024);
  EXPECT_EQ(static_cast<char*>(c.data()), static_cast<char*>(b.data()) + MiB);
  // The next small request that does not fit gets a second segment.
  Allocation e = get(1 * MiB);
  EXPECT_EQ(stats().segment.small_pool.current, 2);
  expect_consistent();
}

TEST_F(DeviceAllocatorTest, LargeRequestsUseTwentyMiBSegmentsOrTheirOwn) {
  Allocation a = get(1 * MiB + 1);  // large pool: a 20 MiB segment
  EXPECT_EQ(stats().reserved_bytes.large_pool.current, static_cast<std::int64_t>(20 * MiB));
  Allocation b = get(5 * MiB);      // split from the same segment
  EXPECT_EQ(stats().segment.large_pool.current, 1);
  Allocation c = get(8 * MiB);      // best fit: the ~14 MiB left of that segment
  EXPECT_EQ(stats().segment.large_pool.current, 1);
  Allocation e = get(15 * MiB + 1);  // >= 10 MiB and nothing cached fits: its own segment,
  EXPECT_EQ(stats().segment.large_pool.current, 2);  // rounded up to 2 MiB
  EXPECT_EQ(reserved(), static_cast<std::int64_t>(20 * MiB + 16 * MiB));
  // The 16 MiB segment's remainder (1 MiB - 512) is not split off: <= 1 MiB.
  EXPECT_EQ(e.capacity(), 16 * MiB);
  EXPECT_EQ(allocated(), static_cast<std::int64_t>(d::round_size(1 * MiB + 1) + 5 * MiB + 8 * MiB + 16 * MiB));
  expect_consistent();
}

TEST_F(DeviceAllocatorTest, SmallBlocksSplitDownTo512Bytes) {
  Allocation a = get(1 * MiB);
  Allocation b = get(1 * MiB - 512);  // leaves exactly 512 bytes: split off
  EXPECT_EQ(b.capacity(), 1 * MiB - 512);
  EXPECT_EQ(stats().inactive_split.small_pool.current, 1);
  EXPECT_EQ(stats().inactive_split_bytes.small_pool.current, 512);
  Allocation c = get(512);  // takes it: the segment is full
  EXPECT_EQ(stats().segment.small_pool.current, 1);
  EXPECT_EQ(stats().inactive_split.all.current, 0);
  expect_consistent();
}

// ---- reuse --------------------------------------------------------------------------------

TEST_F(DeviceAllocatorTest, BestFitPicksTheSmallestFreeBlockThatIsLargeEnough) {
  std::vector<Allocation> keep;
  Allocation a = get(4 * KiB), b = get(8 * KiB), c = get(4 * KiB), e = get(32 * KiB), f = get(4 * KiB);
  void* b_at = b.data();
  void* e_at = e.data();
  b.reset();  // free 8 KiB between a and c
  e.reset();  // free 32 KiB between c and f
  expect_consistent();
  EXPECT_EQ(stats().inactive_split.small_pool.current, 3);  // b, e and the segment's tail
  Allocation x = get(6 * KiB);
  EXPECT_EQ(x.data(), b_at) << "6 KiB should come from the 8 KiB hole";
  Allocation y = get(20 * KiB);
  EXPECT_EQ(y.data(), e_at) << "20 KiB should come from the 32 KiB hole";
  expect_consistent();
}

TEST_F(DeviceAllocatorTest, FreedNeighboursAreMergedBackIntoOneBlock) {
  Allocation a = get(64 * KiB), b = get(64 * KiB), c = get(64 * KiB);
  void* base = a.data();
  b.reset();
  expect_consistent();
  EXPECT_EQ(stats().inactive_split.all.current, 2);  // b, and the tail after c
  a.reset();  // merges with b
  expect_consistent();
  EXPECT_EQ(stats().inactive_split.all.current, 2);
  EXPECT_EQ(stats().inactive_split_bytes.all.current, static_cast<std::int64_t>(2 * MiB - 64 * KiB));
  c.reset();  // merges with a+b and the tail: the whole segment is one free block again
  expect_consistent();
  EXPECT_EQ(stats().inactive_split.all.current, 0);
  EXPECT_EQ(stats().inactive_split_bytes.all.current, 0);
  EXPECT_EQ(allocated(), 0);
  EXPECT_EQ(reserved(), static_cast<std::int64_t>(2 * MiB));  // cached
  // The whole segment can now serve one large-ish small request from its start.
  Allocation big = get(1 * MiB);
  EXPECT_EQ(big.data(), base);
  EXPECT_EQ(stats().segment.all.current, 1);
}

TEST_F(DeviceAllocatorTest, CachedBlocksAreReusedWithoutNewSegments) {
  for (int i = 0; i < 100; ++i) {
    Allocation a = get(300 * KiB), b = get(3 * MiB), c = get(30 * MiB);
  }
  const MemoryStats s = stats();
  EXPECT_EQ(s.segment.all.allocated, 3) << "one segment per pool/size, reused 99 times";
  EXPECT_EQ(s.allocation.all.allocated, 300);
  EXPECT_EQ(s.allocation.all.freed, 300);
  EXPECT_EQ(allocated(), 0);
}

TEST_F(DeviceAllocatorTest, FreedBlocksAreReusedOnlyOnTheirStream) {
  const Stream s = alloc_->backend().create_stream();
  Allocation a = get(4 * KiB, s);
  void* at = a.data();
  EXPECT_EQ(a.stream(), s);
  a.reset();
  Allocation other = get(4 * KiB);  // default stream: may not take the block freed on s
  EXPECT_NE(other.data(), at);
  EXPECT_EQ(stats().segment.all.current, 2) << "each stream gets its own segment";
  Allocation again = get(4 * KiB, s);
  EXPECT_EQ(again.data(), at);
  expect_consistent();
  again.reset();
  other.reset();
  alloc_->backend().destroy_stream(s);
}

TEST_F(DeviceAllocatorTest, EmptyCacheReturnsOnlyUnusedSegments) {
  Allocation keep = get(1 * KiB);       // small segment, in use
  Allocation drop = get(3 * MiB);       // large 20 MiB segment
  Allocation drop2 = get(24 * MiB);     // large 24 MiB segment
  drop.reset();
  drop2.reset();
  EXPECT_EQ(reserved(), static_cast<std::int64_t>(2 * MiB + 20 * MiB + 24 * MiB));
  alloc_->empty_cache();
  EXPECT_EQ(reserved(), static_cast<std::int64_t>(2 * MiB));
  EXPECT_EQ(stats().segment.all.current, 1);
  EXPECT_EQ(stats().segment.all.freed, 2);
  expect_consistent();
  keep.reset();
  alloc_->empty_cache();
  EXPECT_EQ(reserved(), 0);
}

TEST_F(DeviceAllocatorTest, ZeroBytesHoldNothing) {
  Allocation z = get(0);
  EXPECT_FALSE(z);
  EXPECT_EQ(z.data(), nullptr);
  EXPECT_EQ(z.size(), 0u);
  EXPECT_EQ(stats().allocation.all.allocated, 0);
}

TEST_F(DeviceAllocatorTest, AllocationsMoveAndResetLikeOwners) {
  Allocation a = get(10 * KiB);
  void* at = a.data();
  Allocation b = std::move(a);
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  EXPECT_EQ(b.data(), at);
  Allocation c = get(1 * KiB);
  c = std::move(b);  // frees c's block, takes b's
  EXPECT_EQ(c.data(), at);
  EXPECT_EQ(stats().allocation.all.current, 1);
  c.reset();
  c.reset();  // twice is fine
  EXPECT_EQ(allocated(), 0);
}

// ---- statistics ---------------------------------------------------------------------------

TEST_F(DeviceAllocatorTest, StatisticsTrackCurrentPeakAllocatedAndFreed) {
  {
    Allocation a = get(1 * MiB), b = get(2 * MiB);
    EXPECT_EQ(allocated(), static_cast<std::int64_t>(3 * MiB));
  }
  Allocation c = get(512 * KiB);
  MemoryStats s = stats();
  EXPECT_EQ(s.allocated_bytes.all.current, static_cast<std::int64_t>(512 * KiB));
  EXPECT_EQ(s.allocated_bytes.all.peak, static_cast<std::int64_t>(3 * MiB));
  EXPECT_EQ(s.allocated_bytes.all.allocated, static_cast<std::int64_t>(3 * MiB + 512 * KiB));
  EXPECT_EQ(s.allocated_bytes.all.freed, static_cast<std::int64_t>(3 * MiB));
  EXPECT_EQ(s.allocated_bytes.small_pool.peak, static_cast<std::int64_t>(1 * MiB));
  EXPECT_EQ(s.allocated_bytes.large_pool.peak, static_cast<std::int64_t>(2 * MiB));
  EXPECT_EQ(s.active_bytes.all.current, s.allocated_bytes.all.current);
  EXPECT_EQ(s.allocation.all.allocated, 3);
  EXPECT_EQ(s.allocation.all.freed, 2);

  alloc_->reset_peak();
  s = stats();
  EXPECT_EQ(s.allocated_bytes.all.peak, static_cast<std::int64_t>(512 * KiB));
  EXPECT_EQ(s.reserved_bytes.all.peak, s.reserved_bytes.all.current);
  EXPECT_EQ(s.allocated_bytes.all.allocated, static_cast<std::int64_t>(3 * MiB + 512 * KiB));

  alloc_->reset_accumulated();
  s = stats();
  EXPECT_EQ(s.allocated_bytes.all.allocated, 0);
  EXPECT_EQ(s.allocated_bytes.all.freed, 0);
  EXPECT_EQ(s.allocated_bytes.all.current, static_cast<std::int64_t>(512 * KiB));

  const auto m = s.to_map();
  EXPECT_EQ(m.at("allocated_bytes.all.current"), static_cast<std::int64_t>(512 * KiB));
  EXPECT_EQ(m.at("reserved_bytes.small_pool.current"), static_cast<std::int64_t>(2 * MiB));
  EXPECT_EQ(m.count("inactive_split_bytes.large_pool.peak"), 1u);
  EXPECT_EQ(m.count("num_alloc_retries"), 1u);
  EXPECT_EQ(m.count("num_ooms"), 1u);
  EXPECT_EQ(m.size(), 9u * 3 * 4 + 3);
}

// ---- snapshot -----------------------------------------------------------------------------

TEST_F(DeviceAllocatorTest, SnapshotListsSegmentsBlocksStatesAndOwners) {
  Allocation t = get(3 * KiB, Stream{}, typeid(Tensor));
  auto b = buffer(1 * MiB + 512);  // large pool
  Allocation gone = get(1 * KiB);
  gone.reset();
  const Json j = JsonReader(alloc_->snapshot()).read();
  EXPECT_EQ(j["backend"].string, "host");
  EXPECT_EQ(j["capacity"].number, 64.0 * MiB);
  EXPECT_EQ(j["allocated"].number, static_cast<double>(allocated()));
  EXPECT_EQ(j["reserved"].number, static_cast<double>(reserved()));
  ASSERT_EQ(j["segments"].array.size(), 2u);
  std::map<std::string, const Json*> by_pool;
  for (const Json& s : j["segments"].array) by_pool[s["pool"].string] = &s;
  ASSERT_TRUE(by_pool.count("small") && by_pool.count("large"));

  const Json& small = *by_pool["small"];
  EXPECT_EQ(small["total_size"].number, 2.0 * MiB);
  EXPECT_EQ(small["allocated_size"].number, 3.0 * KiB);
  EXPECT_EQ(small["stream"].number, 0);
  ASSERT_EQ(small["blocks"].array.size(), 2u);  // the tensor's block, then the free rest
  EXPECT_EQ(small["blocks"][0]["state"].string, "active_allocated");
  EXPECT_EQ(small["blocks"][0]["owner"].string, "(anonymous namespace)::Tensor");
  EXPECT_EQ(small["blocks"][0]["requested_size"].number, 3.0 * KiB);
  EXPECT_EQ(small["blocks"][0]["offset"].number, 0);
  EXPECT_EQ(small["blocks"][1]["state"].string, "inactive");
  EXPECT_EQ(small["blocks"][1]["owner"].kind, Json::kNull);
  EXPECT_EQ(small["blocks"][1]["offset"].number, 3.0 * KiB);

  const Json& large = *by_pool["large"];
  EXPECT_EQ(large["total_size"].number, 20.0 * MiB);
  EXPECT_EQ(large["blocks"][0]["owner"].string, "cyc::device::Buffer");
  EXPECT_EQ(large["blocks"][0]["size"].number, 1.0 * MiB + 512);
}

TEST_F(DeviceAllocatorTest, SnapshotOfAnEmptyAllocatorIsValidJson) {
  const Json j = JsonReader(alloc_->snapshot()).read();
  EXPECT_TRUE(j["segments"].array.empty());
  EXPECT_EQ(j["allocated"].number, 0);
}

// ---- running out --------------------------------------------------------------------------

TEST_F(DeviceAllocatorTest, CachedSegmentsAreFreedAndTheRequestRetried) {
  make_allocator(40 * MiB);
  {
    Allocation a = get(15 * MiB), b = get(15 * MiB);  // two 16 MiB segments
  }
  EXPECT_EQ(reserved(), static_cast<std::int64_t>(32 * MiB));  // cached, unused
  Allocation c = get(30 * MiB);  // 32 + 30 > 40: the cache must go first
  EXPECT_EQ(reserved(), static_cast<std::int64_t>(30 * MiB));
  const MemoryStats s = stats();
  EXPECT_EQ(s.num_alloc_retries, 1);
  EXPECT_EQ(s.num_oom_collections, 0) << "freeing the cache was enough";
  EXPECT_EQ(s.num_ooms, 0);
}

TEST_F(DeviceAllocatorTest, TwentyMiBSegmentFallsBackToOneOfTheRequestsSize) {
  make_allocator(8 * MiB);
  Allocation a = get(4 * MiB);  // 20 MiB does not fit in 8: a 4 MiB segment instead
  EXPECT_EQ(reserved(), static_cast<std::int64_t>(4 * MiB));
  Allocation b = get(3 * MiB);  // again: a 4 MiB segment, whose 1 MiB rest is not split off
  EXPECT_EQ(b.capacity(), 4 * MiB);
  EXPECT_EQ(reserved(), static_cast<std::int64_t>(8 * MiB));
  EXPECT_EQ(stats().num_alloc_retries, 0) << "the cache did not have to be freed";
}

TEST_F(DeviceAllocatorTest, GarbageCyclesAreCollectedBeforeOutOfMemory) {
  make_allocator(8 * MiB);
  leak_cycle(6 * MiB);  // li = [6 MiB buffer]; li.append(li): unreachable, still allocated
  EXPECT_EQ(allocated(), static_cast<std::int64_t>(6 * MiB));
  Allocation a = get(6 * MiB);  // needs the cycle's memory
  EXPECT_EQ(allocated(), static_cast<std::int64_t>(6 * MiB));
  const MemoryStats s = stats();
  EXPECT_EQ(s.num_oom_collections, 1);
  EXPECT_EQ(s.num_ooms, 0);
  EXPECT_EQ(s.segment.all.allocated, 1) << "the collected block was reused from the cache";
}

TEST_F(DeviceAllocatorTest, ALoopThatLeaksACycleEveryIterationKeepsRunning) {
  // The loop PyTorch users hit: each step leaks a cycle holding a 4 MiB buffer. 200 steps
  // need 800 MiB without the collector; the capacity is 64 MiB.
  for (int step = 0; step < 200; ++step) leak_cycle(4 * MiB);
  const MemoryStats s = stats();
  EXPECT_EQ(s.num_ooms, 0);
  EXPECT_GT(s.num_oom_collections, 0);
  EXPECT_LE(s.reserved_bytes.all.peak, static_cast<std::int64_t>(64 * MiB));
  cyc::gc::collect();
  EXPECT_EQ(allocated(), 0);
}

TEST_F(DeviceAllocatorTest, OutOfMemorySaysWhatHoldsTheMemory) {
  make_allocator(8 * MiB);
  auto held = buffer(6 * MiB);                            // a 6 MiB segment
  Allocation t = get(1 * MiB, Stream{}, typeid(Tensor));  // from a 2 MiB small segment
  try {
    Allocation more = get(3 * MiB);
    FAIL() << "3 MiB more fit in an 8 MiB device holding 7 MiB";
  } catch (const OutOfMemory& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("out of memory: tried to allocate 3.00 MiB (3145728 bytes)"), std::string::npos) << m;
    EXPECT_NE(m.find("capacity 8.00 MiB"), std::string::npos) << m;
    EXPECT_NE(m.find("7.00 MiB allocated, 8.00 MiB reserved"), std::string::npos) << m;
    EXPECT_NE(m.find("ran the cycle collector"), std::string::npos) << m;
    EXPECT_NE(m.find("Largest live owners: cyc::device::Buffer (1 block, 6.00 MiB), "
                     "(anonymous namespace)::Tensor (1 block, 1.00 MiB)"),
              std::string::npos)
        << m;
    EXPECT_EQ(e.requested(), 3 * MiB);
    EXPECT_EQ(e.capacity(), 8 * MiB);
    EXPECT_EQ(e.allocated(), 7 * MiB);
    EXPECT_EQ(e.reserved(), 8 * MiB);
    ASSERT_EQ(e.owners().size(), 2u);
    EXPECT_EQ(e.owners()[0].type, "cyc::device::Buffer");
    EXPECT_EQ(e.owners()[0].bytes, 6 * MiB);
    EXPECT_EQ(e.owners()[1].type, "(anonymous namespace)::Tensor");
  }
  const MemoryStats s = stats();
  EXPECT_EQ(s.num_ooms, 1);
  EXPECT_EQ(s.num_oom_collections, 1);
  EXPECT_EQ(allocated(), static_cast<std::int64_t>(7 * MiB)) << "a failed request changes nothing";
}

TEST_F(DeviceAllocatorTest, ARequestLargerThanTheCapacityIsOutOfMemory) {
  make_allocator(8 * MiB);
  try {
    get(9 * MiB);
    FAIL() << "9 MiB fit in 8";
  } catch (const OutOfMemory& e) {
    EXPECT_NE(std::string(e.what()).find("No live blocks"), std::string::npos) << e.what();
  }
}

TEST_F(DeviceAllocatorTest, ACapacityBelowTheSmallestSegmentSaysSo) {
  make_allocator(1 * MiB);  // CYC_DEVICE_CAPACITY=1MiB
  try {
    get(1);
    FAIL() << "a 2 MiB segment fit in 1 MiB";
  } catch (const OutOfMemory& e) {
    EXPECT_NE(std::string(e.what()).find("served from a segment of at least 2.00 MiB, more than the capacity"),
              std::string::npos)
        << e.what();
  }
  make_allocator(8 * MiB);
  try {
    get(9 * MiB);
    FAIL() << "9 MiB fit in 8";
  } catch (const OutOfMemory& e) {
    EXPECT_NE(std::string(e.what()).find("at least 10.00 MiB"), std::string::npos) << e.what();
  }
}

TEST_F(DeviceAllocatorTest, AnAbsurdRequestIsOutOfMemoryOrTooLargeNeverAnOverflow) {
  EXPECT_THROW(get(std::size_t{1} << 62), OutOfMemory);
  EXPECT_THROW(get(std::numeric_limits<std::size_t>::max() - 1000), cyc::device::Error);
  EXPECT_EQ(stats().reserved_bytes.all.current, 0);
}

TEST_F(DeviceAllocatorTest, CollectingOnOutOfMemoryCanBeTurnedOff) {
  make_allocator(8 * MiB);
  alloc_->set_collect_on_oom(false);
  leak_cycle(6 * MiB);
  try {
    get(6 * MiB);
    FAIL() << "the cycle was collected although collect_on_oom is off";
  } catch (const OutOfMemory& e) {
    EXPECT_NE(std::string(e.what()).find("the cycle collector was not run"), std::string::npos) << e.what();
  }
  EXPECT_EQ(stats().num_oom_collections, 0);
  EXPECT_EQ(cyc::gc::collect(), 1u);
  Allocation a = get(6 * MiB);  // fits now
  EXPECT_TRUE(a);
}

TEST_F(DeviceAllocatorTest, DestroyingAnAllocatorWithLiveBlocksIsAFatalError) {
  EXPECT_DEATH(
      {
        auto a = std::make_unique<d::DeviceAllocator>(d::make_host_backend(), 8 * MiB);
        Allocation x = d::AllocationAccess::make(*a, 512, Stream{}, typeid(Allocation));
        a.reset();
      },
      "allocator was destroyed while 1 allocation\\(s\\) from it were live");
}

}  // namespace
