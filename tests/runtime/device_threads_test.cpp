// device_threads_test.cpp - the allocator under many threads: allocation and free at once
// (also freeing on another thread than the one that allocated), readers of statistics and
// snapshots meanwhile, the out-of-memory chain (cache release and cycle collection) racing
// with allocation, the CUDA backend (over fake_cuda) with a stream per thread, and two pieces
// alone: the capacity limit admitting segments for many threads, and the chain letting other
// threads take the lock while it collects. Run under ThreadSanitizer (label "threads");
// iteration counts are kept moderate for that.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <cyc/cyc.h>

#include "device/capacity_limit.h"
#include "device/device_allocator.h"
#include "device/oom_chain.h"
#include "fake_backend.h"
#include "fake_cuda.h"

namespace {

namespace d = cyc::device::detail;
using cyc::device::Allocation;
using cyc::device::Buffer;
using cyc::device::OutOfMemory;
using cyc::device::Stream;

constexpr std::size_t KiB = 1024, MiB = 1024 * KiB;
constexpr int kThreads = 4;

template <class F>
void run_threads(int n, F f) {
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) threads.emplace_back(f, i);
  for (auto& t : threads) t.join();
}

std::size_t pick_size(std::mt19937& rng) {
  switch (rng() % 4) {
    case 0: return 1 + rng() % 4096;              // tiny
    case 1: return 4 * KiB + rng() % (256 * KiB);  // small pool
    case 2: return MiB + 1 + rng() % (3 * MiB);    // large pool, 20 MiB segments
    default: return 10 * MiB + rng() % (2 * MiB);  // large pool, own segments
  }
}

// Writes a thread's pattern at both ends of a block and checks it is still there later:
// two live blocks that overlapped would overwrite each other's.
void stamp(const Allocation& a, unsigned char tag) {
  auto* p = static_cast<unsigned char*>(a.data());
  p[0] = tag;
  p[a.size() - 1] = tag;
}
bool stamped(const Allocation& a, unsigned char tag) {
  auto* p = static_cast<unsigned char*>(a.data());
  return p[0] == tag && p[a.size() - 1] == tag;
}

class DeviceThreadsTest : public ::testing::Test {
 protected:
  void SetUp() override { cyc::gc::collect(); }
  void TearDown() override {
    cyc::gc::enable();
    cyc::gc::set_automatic(cyc::gc::Automatic::kWhileSingleThreaded);
    cyc::gc::collect();
  }
  Allocation get(d::DeviceAllocator& a, std::size_t n, Stream s = Stream{}) {
    return d::AllocationAccess::make(a, n, s, typeid(Allocation));
  }
};

TEST_F(DeviceThreadsTest, ManyThreadsAllocateAndFreeAtOnce) {
  d::DeviceAllocator alloc(d::make_host_backend(), 1024 * MiB);
  std::atomic<int> corrupted{0};
  run_threads(kThreads, [&](int t) {
    std::mt19937 rng(1234u + static_cast<unsigned>(t));
    const auto tag = static_cast<unsigned char>(t + 1);
    std::vector<Allocation> live;
    for (int i = 0; i < 1500; ++i) {
      if (live.size() < 8 && rng() % 3 != 0) {
        live.push_back(get(alloc, pick_size(rng)));
        stamp(live.back(), tag);
      } else if (!live.empty()) {
        const std::size_t k = rng() % live.size();
        if (!stamped(live[k], tag)) ++corrupted;
        live.erase(live.begin() + static_cast<std::ptrdiff_t>(k));
      }
    }
    for (auto& a : live)
      if (!stamped(a, tag)) ++corrupted;
  });
  EXPECT_EQ(corrupted.load(), 0) << "two live blocks overlapped";
  EXPECT_EQ(alloc.check(), "");
  EXPECT_EQ(alloc.stats().allocated_bytes.all.current, 0);
  EXPECT_EQ(alloc.stats().allocation.all.allocated, alloc.stats().allocation.all.freed);
  alloc.empty_cache();
  EXPECT_EQ(alloc.stats().reserved_bytes.all.current, 0);
}

TEST_F(DeviceThreadsTest, BlocksFreedOnAnotherThreadAndReadersMeanwhile) {
  d::DeviceAllocator alloc(d::make_host_backend(), 1024 * MiB);
  std::mutex mu;
  std::deque<Allocation> handoff;
  std::atomic<bool> done{false};
  std::atomic<long> freed{0};
  std::thread consumer([&] {
    for (;;) {
      Allocation a;
      {
        std::lock_guard<std::mutex> g(mu);
        if (!handoff.empty()) {
          a = std::move(handoff.front());
          handoff.pop_front();
        } else if (done.load()) {
          break;
        }
      }
      if (a) {
        a.reset();
        ++freed;
      }
    }
  });
  std::thread reader([&] {
    while (!done.load()) {
      const auto s = alloc.stats();
      EXPECT_GE(s.reserved_bytes.all.current, s.allocated_bytes.all.current);
      EXPECT_FALSE(alloc.snapshot().empty());
      alloc.empty_cache();  // returns unused segments while others allocate from them
    }
  });
  run_threads(kThreads, [&](int t) {
    std::mt19937 rng(99u + static_cast<unsigned>(t));
    for (int i = 0; i < 1000; ++i) {
      Allocation a = get(alloc, 1 + rng() % (2 * MiB));
      for (;;) {  // a bounded queue: wait while the consumer is behind
        {
          std::lock_guard<std::mutex> g(mu);
          if (handoff.size() < 64) {
            handoff.push_back(std::move(a));
            break;
          }
        }
        std::this_thread::yield();
      }
    }
  });
  done.store(true);
  consumer.join();
  reader.join();
  EXPECT_EQ(freed.load(), kThreads * 1000L);
  EXPECT_EQ(alloc.check(), "");
  EXPECT_EQ(alloc.stats().allocated_bytes.all.current, 0);
}

TEST_F(DeviceThreadsTest, RunningOutOnManyThreadsFreesTheCacheAndRetries) {
  // 4 threads each want up to 3 x 4 MiB from a 32 MiB device: requests race for memory, so
  // some run the out-of-memory chain (cache release, collection) while others allocate.
  d::DeviceAllocator alloc(d::make_host_backend(), 32 * MiB);
  std::atomic<long> served{0}, ooms{0};
  run_threads(kThreads, [&](int t) {
    std::mt19937 rng(7u + static_cast<unsigned>(t));
    std::vector<Allocation> live;
    for (int i = 0; i < 300; ++i) {
      try {
        live.push_back(get(alloc, 1 * MiB + rng() % (3 * MiB)));
        ++served;
      } catch (const OutOfMemory&) {
        ++ooms;
      }
      if (live.size() >= 3 || rng() % 2) live.clear();
    }
  });
  EXPECT_EQ(served.load() + ooms.load(), kThreads * 300L);
  EXPECT_GT(served.load(), 0);
  const auto s = alloc.stats();
  EXPECT_EQ(s.num_ooms, ooms.load());
  EXPECT_LE(s.reserved_bytes.all.peak, static_cast<std::int64_t>(32 * MiB));
  EXPECT_EQ(alloc.check(), "");
  EXPECT_EQ(s.allocated_bytes.all.current, 0);
}

TEST_F(DeviceThreadsTest, ThreadsLeakCyclesHoldingBuffersAndTheAllocatorReclaimsThem) {
  // Every thread leaks li = [buffer]; li.append(li) in a loop; only the allocator's
  // out-of-memory collections free them. Each write to a traced field happens before any
  // handle to the list is dropped (the collector's threading contract), so the program may
  // let collections run on any thread.
  cyc::gc::disable();
  cyc::gc::set_automatic(cyc::gc::Automatic::kAnyThread);
  d::DeviceAllocator alloc(d::make_host_backend(), 48 * MiB);
  std::atomic<long> leaked{0}, ooms{0};
  run_threads(kThreads, [&](int) {
    for (int i = 0; i < 150; ++i) {
      try {
        auto buf = cyc::make<Buffer>(d::AllocationAccess::make(alloc, 2 * MiB, Stream{}, typeid(Buffer)));
        auto li = cyc::make<std::vector<cyc::Handle<>>>();
        li->push_back(std::move(buf));
        li->push_back(li);
        ++leaked;
      } catch (const OutOfMemory&) {
        // Another thread leaked again between our collection and our retry: allowed, rare.
        ++ooms;
      }
    }
  });
  EXPECT_EQ(leaked.load() + ooms.load(), kThreads * 150L);
  EXPECT_LT(ooms.load(), leaked.load() / 10) << "the collector should reclaim nearly every time";
  EXPECT_GT(alloc.stats().num_oom_collections, 0);
  cyc::gc::collect();
  EXPECT_EQ(alloc.stats().allocated_bytes.all.current, 0);
  EXPECT_EQ(alloc.check(), "");
}

TEST_F(DeviceThreadsTest, WithThreadsRunningOutDoesNotCollectUnlessTheProgramSaysWhere) {
  // The fixture's threads have run: by default the allocator may not start a collection on
  // its own, since another thread could be writing a traced field of what it would examine.
  run_threads(1, [](int) {});
  d::DeviceAllocator alloc(d::make_host_backend(), 4 * MiB);
  {
    auto buf = cyc::make<Buffer>(d::AllocationAccess::make(alloc, 3 * MiB, Stream{}, typeid(Buffer)));
    auto li = cyc::make<std::vector<cyc::Handle<>>>();
    li->push_back(std::move(buf));
    li->push_back(li);
  }
  try {
    (void)get(alloc, 3 * MiB);
    FAIL() << "the leaked 3 MiB should still be held";
  } catch (const OutOfMemory& e) {
    EXPECT_NE(std::string(e.what()).find("cyc::gc::safepoint()"), std::string::npos) << e.what();
  }
  EXPECT_EQ(alloc.stats().num_oom_collections, 0);
  EXPECT_GE(cyc::gc::collect(), 1u);  // where the program knows no thread writes the graph
  EXPECT_NO_THROW((void)get(alloc, 3 * MiB));
}

TEST_F(DeviceThreadsTest, CudaBackendWithAStreamPerThread) {
  fake_cuda::Options o;
  o.memory = 256 * MiB;
  fake_cuda::reset(o);
  {
    d::DeviceAllocator alloc(d::make_cuda_backend(fake_cuda::api()), std::nullopt);
    std::vector<Stream> streams;  // all alive at once: distinct handles
    for (int t = 0; t < kThreads; ++t) streams.push_back(alloc.backend().create_stream());
    std::atomic<int> wrong_stream{0};
    run_threads(kThreads, [&](int t) {
      const Stream s = streams[static_cast<std::size_t>(t)];
      std::mt19937 rng(55u + static_cast<unsigned>(t));
      std::vector<Allocation> live;
      for (int i = 0; i < 500; ++i) {
        live.push_back(get(alloc, 1 + rng() % (256 * KiB), s));
        if (live.back().stream() != s) ++wrong_stream;
        if (live.size() > 4) live.erase(live.begin());
      }
      live.clear();
      alloc.backend().synchronize(s);
    });
    EXPECT_EQ(wrong_stream.load(), 0);
    EXPECT_EQ(alloc.check(), "");
    EXPECT_GE(alloc.stats().segment.all.current, kThreads) << "blocks are never shared across streams";
    const std::string snap = alloc.snapshot();
    for (const Stream& s : streams) {
      EXPECT_NE(snap.find("\"stream\":" + std::to_string(s.native())), std::string::npos);
      alloc.backend().destroy_stream(s);
    }
    alloc.empty_cache();
  }
  EXPECT_EQ(fake_cuda::counters().live_allocations, 0u);
  EXPECT_EQ(fake_cuda::counters().live_streams, 0u);
}

TEST_F(DeviceThreadsTest, TheCapacityLimitNeverAdmitsMoreThanItsCapacity) {
  fake_backend::FakeBackend backend;
  d::CapacityLimit limit(backend, 16 * MiB);
  std::atomic<long> admitted{0}, refused{0};
  run_threads(kThreads, [&](int t) {
    std::mt19937 rng(31u + static_cast<unsigned>(t));
    std::vector<std::pair<void*, std::size_t>> held;
    for (int i = 0; i < 400; ++i) {
      const std::size_t bytes = (1 + rng() % 8) * 512 * KiB;
      if (void* p = limit.allocate(bytes)) {
        held.emplace_back(p, bytes);
        ++admitted;
      } else {
        ++refused;
      }
      if (held.size() >= 3 || rng() % 2) {
        for (auto& [p, n] : held) limit.deallocate(p, n);
        held.clear();
      }
    }
    for (auto& [p, n] : held) limit.deallocate(p, n);
  });
  EXPECT_GT(admitted.load(), 0);
  EXPECT_LE(backend.peak_live_bytes(), 16 * MiB) << "two threads were admitted past the limit";
  EXPECT_EQ(limit.reserved(), 0u);
  EXPECT_EQ(backend.live_bytes(), 0u);
}

// Steps for the chain that never get a block; they touch `guarded`, which the lock protects.
class NeverSteps final : public d::OomChain::Steps {
 public:
  explicit NeverSteps(long& guarded) : guarded_(guarded) {}
  d::Block* retry() override {
    ++guarded_;
    return nullptr;
  }
  void release_cached() override { ++guarded_; }
  OutOfMemory out_of_memory(const d::OomOutcome&) override { return OutOfMemory("out", 0, 0, 0, 0, {}); }

 private:
  long& guarded_;
};

TEST_F(DeviceThreadsTest, TheOomChainLetsOtherThreadsTakeTheLockWhileItCollects) {
  std::mutex mu;
  long guarded = 0;  // under mu
  d::Statistics stats;
  // The collection frees memory on other threads, which come back through the allocator's
  // lock: here, threads that take it and change what it guards.
  d::OomChain chain(stats, {[] { return true; },
                            [&] {
                              run_threads(kThreads, [&](int) {
                                for (int i = 0; i < 100; ++i) {
                                  std::lock_guard<std::mutex> g(mu);
                                  ++guarded;
                                }
                              });
                              return std::size_t{0};
                            }});
  NeverSteps steps(guarded);
  std::unique_lock<std::mutex> lock(mu);
  EXPECT_THROW(chain.recover(lock, steps), OutOfMemory);
  EXPECT_TRUE(lock.owns_lock());
  EXPECT_EQ(guarded, kThreads * 100L + 5) << "the others' increments and the chain's five steps";
}

TEST_F(DeviceThreadsTest, ThePublicApiFromManyThreads) {
  const std::size_t before = cyc::device::memory_allocated();
  run_threads(kThreads, [&](int t) {
    for (int i = 0; i < 300; ++i) {
      auto b = cyc::device::empty(static_cast<std::size_t>(1 + (i * 977 + t) % (512 * 1024)));
      std::memset(b->data(), t, 1);
      if (i % 50 == 0) {
        (void)cyc::device::memory_stats();
        (void)cyc::device::memory_reserved();
      }
    }
  });
  EXPECT_EQ(cyc::device::memory_allocated(), before);
}

}  // namespace
