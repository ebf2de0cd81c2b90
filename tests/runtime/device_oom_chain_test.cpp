// device_oom_chain_test.cpp - the out-of-memory chain alone, against fake steps and a fake
// collector: the order (free the cache and retry; collect with the lock released and retry;
// free the cache again and retry; give up), what stops it early, what is counted, and that
// the lock is held again however it ends. Then the message it gives up with, and the chain
// inside the allocator over a backend that refuses on demand.
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <cyc/cyc.h>

#include "device/device_allocator.h"
#include "device/oom_chain.h"
#include "device/oom_message.h"
#include "device/statistics.h"
#include "fake_backend.h"

namespace {

namespace d = cyc::device::detail;
using cyc::device::OutOfMemory;
using fake_backend::FakeBackend;

constexpr std::size_t MiB = 1024 * 1024;

using Log = std::vector<std::string>;

// The allocator's side: logs each step, and whether the lock was held for it.
class FakeSteps final : public d::OomChain::Steps {
 public:
  FakeSteps(Log& log, std::unique_lock<std::mutex>& lock) : log_(log), lock_(lock) {}

  int succeed_on_retry = 0;  // the retry (1, 2, ...) that gets a block; 0: none does
  bool throw_on_release = false;
  d::OomOutcome outcome;     // what the chain gave up with
  bool lock_always_held = true;
  d::Block block;

  d::Block* retry() override {
    step("retry");
    return ++retries_ == succeed_on_retry ? &block : nullptr;
  }
  void release_cached() override {
    step("release");
    if (throw_on_release) throw cyc::device::Error("release failed");
  }
  OutOfMemory out_of_memory(const d::OomOutcome& o) override {
    step("give up");
    outcome = o;
    return OutOfMemory("fake out of memory", 1, 2, 3, 4, {});
  }

 private:
  void step(const char* what) {
    log_.push_back(what);
    lock_always_held = lock_always_held && lock_.owns_lock();
  }
  Log& log_;
  std::unique_lock<std::mutex>& lock_;
  int retries_ = 0;
};

class OomChainTest : public ::testing::Test {
 protected:
  // The collector: logs, and records whether the allocator's mutex was free while it ran.
  d::OomChain::Collector collector() {
    return {[this] { return may_collect_; },
            [this] {
              log_.push_back("collect");
              mutex_was_free_ = !lock_.owns_lock() && mu_.try_lock();
              if (mutex_was_free_) mu_.unlock();
              if (collect_throws_) throw std::runtime_error("a collector callback threw");
              return std::size_t{7};
            }};
  }
  d::Block* recover() { return chain_.recover(lock_, steps_); }

  std::mutex mu_;
  std::unique_lock<std::mutex> lock_{mu_};
  Log log_;
  bool may_collect_ = true;
  bool collect_throws_ = false;
  bool mutex_was_free_ = false;
  d::Statistics stats_;
  FakeSteps steps_{log_, lock_};
  d::OomChain chain_{stats_, collector()};
};

TEST_F(OomChainTest, FreeingTheCacheComesFirst) {
  steps_.succeed_on_retry = 1;
  EXPECT_EQ(recover(), &steps_.block);
  EXPECT_EQ(log_, (Log{"release", "retry"}));
  EXPECT_EQ(stats_.read().num_alloc_retries, 1);
  EXPECT_EQ(stats_.read().num_oom_collections, 0);
  EXPECT_TRUE(steps_.lock_always_held);
}

TEST_F(OomChainTest, ThenACollectionRunsWithTheLockReleased) {
  steps_.succeed_on_retry = 2;
  EXPECT_EQ(recover(), &steps_.block);
  EXPECT_EQ(log_, (Log{"release", "retry", "collect", "retry"}));
  EXPECT_TRUE(mutex_was_free_) << "the collector's frees come back through the allocator's lock";
  EXPECT_TRUE(lock_.owns_lock());
  EXPECT_TRUE(steps_.lock_always_held);
  EXPECT_EQ(stats_.read().num_oom_collections, 1);
}

TEST_F(OomChainTest, ThenTheCacheIsFreedOnceMore) {
  steps_.succeed_on_retry = 3;
  EXPECT_EQ(recover(), &steps_.block);
  EXPECT_EQ(log_, (Log{"release", "retry", "collect", "retry", "release", "retry"}));
  EXPECT_EQ(stats_.read().num_ooms, 0);
}

TEST_F(OomChainTest, GivingUpThrowsWhatTheStepsMakeAndSaysTheCollectorRan) {
  try {
    recover();
    FAIL() << "no OutOfMemory";
  } catch (const OutOfMemory& e) {
    EXPECT_STREQ(e.what(), "fake out of memory");
  }
  EXPECT_EQ(log_, (Log{"release", "retry", "collect", "retry", "release", "retry", "give up"}));
  EXPECT_EQ(steps_.outcome.collection, d::OomCollection::kCollected);
  EXPECT_EQ(steps_.outcome.unreachable, 7u);
  EXPECT_TRUE(lock_.owns_lock());
  const auto s = stats_.read();
  EXPECT_EQ(s.num_alloc_retries, 1);
  EXPECT_EQ(s.num_oom_collections, 1);
  EXPECT_EQ(s.num_ooms, 1);
}

TEST_F(OomChainTest, TurnedOffItNeverCollects) {
  chain_.set_collect_on_oom(false);
  EXPECT_FALSE(chain_.collect_on_oom());
  EXPECT_THROW(recover(), OutOfMemory);
  EXPECT_EQ(log_, (Log{"release", "retry", "give up"}));
  EXPECT_EQ(steps_.outcome.collection, d::OomCollection::kTurnedOff);
  EXPECT_EQ(stats_.read().num_oom_collections, 0);
}

TEST_F(OomChainTest, WhereTheCollectorMayNotStartACollectionItIsNotRun) {
  may_collect_ = false;
  EXPECT_THROW(recover(), OutOfMemory);
  EXPECT_EQ(log_, (Log{"release", "retry", "give up"}));
  EXPECT_EQ(steps_.outcome.collection, d::OomCollection::kNotAllowedHere);
}

TEST_F(OomChainTest, ACollectorThatThrowsLeavesTheLockHeld) {
  collect_throws_ = true;
  EXPECT_THROW(recover(), std::runtime_error);
  EXPECT_TRUE(lock_.owns_lock());
  EXPECT_EQ(stats_.read().num_oom_collections, 0);
  EXPECT_EQ(stats_.read().num_ooms, 0);
}

TEST_F(OomChainTest, AnErrorFromAStepStopsTheChain) {
  steps_.throw_on_release = true;
  EXPECT_THROW(recover(), cyc::device::Error);
  EXPECT_EQ(log_, (Log{"release"}));
  EXPECT_EQ(stats_.read().num_alloc_retries, 1) << "counted as the chain starts";
  EXPECT_EQ(stats_.read().num_ooms, 0);
}

// ---- the message it gives up with ---------------------------------------------------------

d::OomFacts facts(std::optional<std::size_t> limit) {
  d::OomFacts f;
  f.requested = 3 * MiB + 1;
  f.rounded = 3 * MiB + 512;
  f.stream = cyc::device::Stream(0x20);
  f.outcome = {d::OomCollection::kCollected, 2};
  f.limit = limit;
  f.allocated = 7 * MiB;
  f.reserved = 8 * MiB;
  f.owners = {{"A", 1, 6 * MiB}, {"B", 2, 1 * MiB}};
  return f;
}

TEST(OomMessage, SaysTheRequestTheMemoryWhatWasTriedAndWhoHoldsIt) {
  FakeBackend backend(64 * MiB);
  const OutOfMemory e = d::make_out_of_memory(facts(8 * MiB), backend);
  EXPECT_EQ(std::string(e.what()),
            "cyc::device: out of memory: tried to allocate 3.00 MiB (3145729 bytes, a block of 3146240) on stream "
            "0x20 from the fake backend; capacity 8.00 MiB, 7.00 MiB allocated, 8.00 MiB reserved by this allocator "
            "(1.00 MiB of it cached in partly used segments). Freed the cache and retried, then ran the cycle "
            "collector (it found 2 unreachable object(s)) and retried. Largest live owners: A (1 block, 6.00 MiB), "
            "B (2 blocks, 1.00 MiB).");
  EXPECT_EQ(e.requested(), 3 * MiB + 1);
  EXPECT_EQ(e.capacity(), 8 * MiB);
  EXPECT_EQ(e.allocated(), 7 * MiB);
  EXPECT_EQ(e.reserved(), 8 * MiB);
  EXPECT_EQ(e.owners().size(), 2u);
}

TEST(OomMessage, WithoutALimitTheCapacityIsTheDevicesTotal) {
  FakeBackend backend(64 * MiB);
  d::OomFacts f = facts(std::nullopt);
  f.outcome = {d::OomCollection::kTurnedOff, 0};
  const OutOfMemory e = d::make_out_of_memory(std::move(f), backend);
  const std::string m = e.what();
  EXPECT_NE(m.find("capacity 64.00 MiB (the device's total)"), std::string::npos) << m;
  EXPECT_NE(m.find("the device has 64.00 MiB free of 64.00 MiB"), std::string::npos) << m;
  EXPECT_NE(m.find("(cyc::device::set_collect_on_oom(false))"), std::string::npos) << m;
  EXPECT_EQ(e.capacity(), 64 * MiB);
}

TEST(OomMessage, NoLiveBlocksAndACapacityTooSmallForTheSegment) {
  FakeBackend backend;
  d::OomFacts f = facts(1 * MiB);
  f.owners.clear();
  f.outcome = {d::OomCollection::kNotAllowedHere, 0};
  const std::string m = d::make_out_of_memory(std::move(f), backend).what();
  EXPECT_NE(m.find("cyc::gc::safepoint()"), std::string::npos) << m;
  EXPECT_NE(m.find("served from a segment of at least 4.00 MiB, more than the capacity"), std::string::npos) << m;
}

// ---- the chain in the allocator, over a backend that refuses on demand --------------------

class OomChainInAllocatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto b = std::make_unique<FakeBackend>(64 * MiB);
    backend_ = b.get();
    alloc_ = std::make_unique<d::DeviceAllocator>(std::move(b), std::nullopt);
  }
  void TearDown() override { EXPECT_EQ(alloc_->check(), ""); }

  FakeBackend* backend_ = nullptr;
  std::unique_ptr<d::DeviceAllocator> alloc_;
};

TEST_F(OomChainInAllocatorTest, ARefusalIsRetriedAfterFreeingTheCache) {
  backend_->refuse_next(1);
  d::Block* b = alloc_->allocate(1000, {}, nullptr);
  EXPECT_EQ(backend_->requests(), (std::vector<std::size_t>{2 * MiB, 2 * MiB}));
  EXPECT_EQ(alloc_->stats().num_alloc_retries, 1);
  EXPECT_EQ(alloc_->stats().num_ooms, 0);
  alloc_->free(b);
}

TEST_F(OomChainInAllocatorTest, PersistentRefusalsEndInOutOfMemoryNamingTheBackend) {
  alloc_->set_collect_on_oom(false);
  backend_->refuse_next(100);
  try {
    alloc_->allocate(1000, {}, nullptr);
    FAIL() << "no OutOfMemory";
  } catch (const OutOfMemory& e) {
    EXPECT_NE(std::string(e.what()).find("from the fake backend"), std::string::npos) << e.what();
  }
  EXPECT_EQ(backend_->requests().size(), 2u) << "the first attempt and the retry after freeing the cache";
  EXPECT_EQ(alloc_->stats().num_ooms, 1);
}

TEST_F(OomChainInAllocatorTest, ABackendErrorIsNotOutOfMemoryAndSkipsTheChain) {
  backend_->throw_next_allocate();
  try {
    alloc_->allocate(1000, {}, nullptr);
    FAIL() << "no error";
  } catch (const OutOfMemory& e) {
    FAIL() << "not out of memory: " << e.what();
  } catch (const cyc::device::Error& e) {
    EXPECT_NE(std::string(e.what()).find("failed as asked"), std::string::npos) << e.what();
  }
  EXPECT_EQ(alloc_->stats().num_alloc_retries, 0);
}

}  // namespace
