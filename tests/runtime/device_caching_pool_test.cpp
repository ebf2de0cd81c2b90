// device_caching_pool_test.cpp - the caching pool alone, over a fake backend that counts and
// refuses on demand: new segments and reuse, best fit, split and merge, per-stream reuse,
// what it does when the backend refuses or fails (it returns null or lets the error through,
// never retries), releasing cached segments, owners and its self-check. No capacity limit,
// no out-of-memory chain, no lock: those are the other pieces' tests.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <typeinfo>
#include <vector>

#include <cyc/device.h>

#include "device/caching_pool.h"
#include "device/size_classes.h"
#include "device/statistics.h"
#include "fake_backend.h"

namespace {

namespace d = cyc::device::detail;
using cyc::device::MemoryStats;
using fake_backend::FakeBackend;

constexpr std::size_t KiB = 1024;
constexpr std::size_t MiB = 1024 * KiB;

struct Tensor {};
struct Weights {};

class CachingPoolTest : public ::testing::Test {
 protected:
  void TearDown() override { EXPECT_EQ(consistency(), ""); }

  d::Block* get(std::size_t bytes, std::uintptr_t stream = 0, const std::type_info& owner = typeid(Tensor)) {
    return pool_.try_allocate(d::round_size(bytes), stream, bytes, &owner);
  }
  // The pool's invariants, and the statistics it reported against its blocks.
  std::string consistency() const {
    MemoryStats found;
    if (std::string bad = pool_.check(found); !bad.empty()) return bad;
    return stats_.compare_currents(found);
  }
  MemoryStats stats() const { return stats_.read(); }

  FakeBackend backend_;
  d::Statistics stats_;
  d::CachingPool pool_{backend_, stats_};
};

TEST_F(CachingPoolTest, ANewSegmentServesTheFirstRequestAndTheCacheTheNext) {
  d::Block* a = get(1000);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(backend_.requests(), std::vector<std::size_t>{2 * MiB});
  EXPECT_EQ(a->size, 1024u);
  EXPECT_EQ(a->requested, 1000u);
  EXPECT_EQ(a->ptr, a->segment->base);
  EXPECT_TRUE(a->allocated);
  EXPECT_EQ(a->owner, &typeid(Tensor));
  char* const at = a->ptr;
  pool_.free(a);
  d::Block* b = get(1000);
  EXPECT_EQ(b->ptr, at) << "the freed block came back from the cache";
  EXPECT_EQ(backend_.requests().size(), 1u);
  EXPECT_EQ(stats().segment.all.allocated, 1);
  EXPECT_EQ(stats().allocation.all.allocated, 2);
  pool_.free(b);
}

TEST_F(CachingPoolTest, BestFitSplitsAndFreeingMergesBack) {
  d::Block* a = get(4 * KiB);
  d::Block* b = get(8 * KiB);
  d::Block* c = get(4 * KiB);
  d::Block* e = get(32 * KiB);
  d::Block* f = get(4 * KiB);
  char* const b_at = b->ptr;
  char* const e_at = e->ptr;
  pool_.free(b);
  pool_.free(e);
  EXPECT_EQ(stats().inactive_split.small_pool.current, 3);  // b, e and the segment's tail
  d::Block* x = get(6 * KiB);
  EXPECT_EQ(x->ptr, b_at) << "6 KiB should come from the 8 KiB hole";
  d::Block* y = get(20 * KiB);
  EXPECT_EQ(y->ptr, e_at) << "20 KiB should come from the 32 KiB hole";
  EXPECT_EQ(consistency(), "");
  for (d::Block* blk : {a, c, f, x, y}) pool_.free(blk);
  EXPECT_EQ(stats().inactive_split.all.current, 0) << "one free block spans the segment again";
  EXPECT_EQ(stats().allocated_bytes.all.current, 0);
  EXPECT_EQ(backend_.requests().size(), 1u);
}

TEST_F(CachingPoolTest, TheLargePoolSplitsOnlyRemaindersAboveTheSmallPoolMaximum) {
  d::Block* own = get(15 * MiB + 1);  // its own 16 MiB segment; the rest, under 1 MiB, stays
  EXPECT_EQ(own->size, 16 * MiB);
  d::Block* shared = get(3 * MiB);  // a 20 MiB segment; 17 MiB split off
  EXPECT_EQ(shared->size, 3 * MiB);
  EXPECT_EQ(stats().inactive_split_bytes.large_pool.current, static_cast<std::int64_t>(17 * MiB));
  EXPECT_EQ(backend_.requests(), (std::vector<std::size_t>{16 * MiB, 20 * MiB}));
  pool_.free(own);
  pool_.free(shared);
}

TEST_F(CachingPoolTest, FreeBlocksAreReusedOnlyOnTheirStream) {
  d::Block* a = get(4 * KiB, 7);
  char* const at = a->ptr;
  pool_.free(a);
  d::Block* other = get(4 * KiB, 0);
  EXPECT_NE(other->ptr, at);
  d::Block* again = get(4 * KiB, 7);
  EXPECT_EQ(again->ptr, at);
  EXPECT_EQ(stats().segment.all.current, 2) << "one segment per stream";
  pool_.free(other);
  pool_.free(again);
}

TEST_F(CachingPoolTest, WhenTheSourceRefusesItReturnsNullAndChangesNothing) {
  backend_.refuse_next(1);
  EXPECT_EQ(get(1000), nullptr);
  EXPECT_EQ(backend_.requests().size(), 1u) << "the pool does not retry: that is the chain's job";
  EXPECT_EQ(stats().reserved_bytes.all.allocated, 0);
  EXPECT_EQ(stats().allocation.all.allocated, 0);
  EXPECT_EQ(consistency(), "");
  d::Block* a = get(1000);
  ASSERT_NE(a, nullptr);
  pool_.free(a);
}

TEST_F(CachingPoolTest, ALargeRequestFallsBackToASegmentOfItsOwnSize) {
  backend_.refuse_above(4 * MiB);
  d::Block* a = get(3 * MiB);  // 20 MiB refused: a 4 MiB segment, its 1 MiB rest not split off
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(backend_.requests(), (std::vector<std::size_t>{20 * MiB, 4 * MiB}));
  EXPECT_EQ(a->size, 4 * MiB);
  pool_.free(a);
}

TEST_F(CachingPoolTest, TheSmallPoolHasNoSmallerSegmentToFallBackTo) {
  backend_.refuse_above(1 * MiB);
  EXPECT_EQ(get(1000), nullptr);
  EXPECT_EQ(backend_.requests(), std::vector<std::size_t>{2 * MiB});
}

TEST_F(CachingPoolTest, SourceErrorsPropagateAndChangeNothing) {
  backend_.throw_next_allocate();
  EXPECT_THROW(get(1000), cyc::device::Error);
  EXPECT_EQ(stats().segment.all.allocated, 0);
  EXPECT_EQ(consistency(), "");
  d::Block* a = get(1000);  // the next request works
  ASSERT_NE(a, nullptr);
  pool_.free(a);
}

TEST_F(CachingPoolTest, ReleaseCachedReturnsOnlySegmentsWithNoBlockInUse) {
  d::Block* keep = get(1 * KiB);  // small segment, in use
  d::Block* drop = get(3 * MiB);  // 20 MiB segment
  d::Block* drop2 = get(24 * MiB);  // its own 24 MiB segment
  pool_.free(drop);
  pool_.free(drop2);
  EXPECT_EQ(pool_.release_cached(), 44 * MiB);
  EXPECT_EQ(backend_.deallocations(), 2u);
  EXPECT_EQ(backend_.live_segments(), 1u);
  EXPECT_EQ(stats().reserved_bytes.all.current, static_cast<std::int64_t>(2 * MiB));
  EXPECT_EQ(consistency(), "");
  pool_.free(keep);
  EXPECT_EQ(pool_.release_cached(), 2 * MiB);
  EXPECT_EQ(backend_.live_bytes(), 0u);
}

TEST_F(CachingPoolTest, ASourceErrorWhileReleasingKeepsThatSegmentCached) {
  pool_.free(get(1 * KiB));
  backend_.throw_next_deallocate();
  EXPECT_THROW(pool_.release_cached(), cyc::device::Error);
  EXPECT_EQ(stats().reserved_bytes.all.current, static_cast<std::int64_t>(2 * MiB));
  EXPECT_EQ(consistency(), "");
  EXPECT_EQ(pool_.release_cached(), 2 * MiB);
}

TEST_F(CachingPoolTest, LiveOwnersAreGroupedByTypeTheMostBytesFirst) {
  d::Block* t1 = get(1 * MiB, 0, typeid(Tensor));
  d::Block* t2 = get(2 * KiB, 0, typeid(Tensor));
  d::Block* w = get(3 * MiB, 0, typeid(Weights));
  d::Block* gone = get(5 * MiB, 0, typeid(Weights));
  pool_.free(gone);
  const auto owners = pool_.live_owners();
  ASSERT_EQ(owners.size(), 2u);
  EXPECT_EQ(owners[0].type, "(anonymous namespace)::Weights");
  EXPECT_EQ(owners[0].blocks, 1u);
  EXPECT_EQ(owners[0].bytes, 3 * MiB);
  EXPECT_EQ(owners[1].type, "(anonymous namespace)::Tensor");
  EXPECT_EQ(owners[1].blocks, 2u);
  EXPECT_EQ(owners[1].bytes, 1 * MiB + 2 * KiB);
  pool_.set_owner(t2, &typeid(Weights));
  EXPECT_EQ(pool_.live_owners()[0].blocks, 2u);
  for (d::Block* b : {t1, t2, w}) pool_.free(b);
}

TEST_F(CachingPoolTest, TheSelfCheckFindsABrokenTiling) {
  d::Block* a = get(4 * KiB);
  d::Block* b = get(4 * KiB);
  a->size += d::round_size(1);  // now overlaps b
  MemoryStats found;
  EXPECT_NE(pool_.check(found).find("blocks do not tile the segment"), std::string::npos) << pool_.check(found);
  a->size -= d::round_size(1);
  EXPECT_EQ(consistency(), "");
  pool_.free(a);
  pool_.free(b);
}

TEST(CachingPoolAlone, DestroyingThePoolReturnsItsCachedSegments) {
  FakeBackend backend;
  d::Statistics stats;
  {
    d::CachingPool pool(backend, stats);
    pool.free(pool.try_allocate(d::round_size(100), 0, 100, nullptr));
    pool.free(pool.try_allocate(d::round_size(12 * MiB), 0, 12 * MiB, nullptr));
    EXPECT_EQ(backend.live_segments(), 2u);
  }
  EXPECT_EQ(backend.live_segments(), 0u);
  EXPECT_EQ(backend.deallocations(), 2u);
  EXPECT_EQ(stats.reserved_bytes(), 0u);
}

}  // namespace
