// gc_threads_test.cpp - the threading contract of <cyc/handle.h> and <cyc/gc.h>: counts are
// atomic, handles may be copied and dropped on any thread (also while a collection runs),
// Weak::lock() may race with the last drop, collections are serialized, and automatic
// collections run on whichever thread allocates. Run under ThreadSanitizer (label
// "threads"); iteration counts are kept moderate for that.
#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <string>
#include <thread>
#include <vector>

#include <cyc/cyc.h>

namespace {

constexpr int kThreads = 8;

std::atomic<long> g_live{0};
std::atomic<long> g_destroyed{0};

struct Node {
  static constexpr unsigned kMagic = 0xC0FFEEu;
  unsigned magic = kMagic;
  int value = 0;
  cyc::Handle<Node> next;
  std::vector<cyc::Handle<>> kids;
  CYC_TRACE(next, kids)
  explicit Node(int v = 0) : value(v) { g_live.fetch_add(1, std::memory_order_relaxed); }
  ~Node() {
    EXPECT_EQ(magic, kMagic) << "destroyed twice or corrupted";
    magic = 0;
    g_live.fetch_sub(1, std::memory_order_relaxed);
    g_destroyed.fetch_add(1, std::memory_order_relaxed);
  }
};

// Same, without a trace hook: not tracked (reference counting only).
struct Plain {
  static constexpr unsigned kMagic = 0xBEEFu;
  unsigned magic = kMagic;
  Plain() { g_live.fetch_add(1, std::memory_order_relaxed); }
  ~Plain() {
    EXPECT_EQ(magic, kMagic) << "destroyed twice or corrupted";
    magic = 0;
    g_live.fetch_sub(1, std::memory_order_relaxed);
    g_destroyed.fetch_add(1, std::memory_order_relaxed);
  }
};

template <class F>
void run_threads(int n, F f) {
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) threads.emplace_back(f, i);
  for (auto& t : threads) t.join();
}

class GcThreadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cyc::gc::collect();
    g_live = 0;
    g_destroyed = 0;
    tracked_ = cyc::gc::tracked();
  }
  void TearDown() override {
    cyc::gc::set_threshold(700, 10, 10);
    cyc::gc::enable();
    cyc::gc::collect();
    EXPECT_EQ(g_live.load(), 0) << "objects left alive";
    EXPECT_EQ(cyc::gc::tracked(), tracked_);
  }
  std::size_t tracked_ = 0;
};

TEST_F(GcThreadsTest, CopiesAndDropsOfSharedHandlesKeepExactCounts) {
  auto node = cyc::make<Node>(1);
  auto plain = cyc::make<Plain>();
  auto ring = cyc::make<Node>(2);  // a live cycle, held by the test
  ring->next = ring;
  const cyc::Handle<Node>& cnode = node;
  const cyc::Handle<Plain>& cplain = plain;
  constexpr int kIterations = 20000;
  run_threads(kThreads, [&](int) {
    std::vector<cyc::Handle<>> mine;
    for (int i = 0; i < kIterations; ++i) {
      cyc::Handle<Node> a = cnode;
      cyc::Handle<Plain> b = cplain;
      cyc::Handle<> c = a;
      cyc::Handle<Node> d = ring->next;  // reading a traced field is fine
      EXPECT_EQ(a->value, 1);
      EXPECT_EQ(d->value, 2);
      if (i % 16 == 0) {
        mine.push_back(std::move(a));
        mine.push_back(std::move(b));
      }
      if (mine.size() > 64) mine.clear();
    }
  });
  EXPECT_EQ(node.use_count(), 1u);
  EXPECT_EQ(plain.use_count(), 1u);
  EXPECT_EQ(ring.use_count(), 2u);
  EXPECT_EQ(g_destroyed.load(), 0);
  EXPECT_EQ(cyc::gc::collect(), 0u);
  node.reset();
  plain.reset();
  EXPECT_EQ(g_destroyed.load(), 2) << "each object destroyed exactly once, at its last drop";
  ring.reset();
  EXPECT_EQ(cyc::gc::collect(), 1u);
  EXPECT_EQ(g_destroyed.load(), 3);
}

TEST_F(GcThreadsTest, CopiesAndDropsWhileCollecting) {
  // A live structure: a ring of 16 nodes, each holding some leaves, held by the test.
  constexpr int kRing = 16;
  std::vector<cyc::Handle<Node>> ring;
  for (int i = 0; i < kRing; ++i) ring.push_back(cyc::make<Node>(i));
  for (int i = 0; i < kRing; ++i) {
    ring[i]->next = ring[(i + 1) % kRing];
    ring[i]->kids.push_back(cyc::make<Node>(100 + i));
  }
  auto entry = ring[0];
  ring.clear();  // every node is a candidate; only `entry` holds the ring from outside
  std::atomic<bool> done{false};
  std::atomic<long> collections{0};
  std::thread collector([&] {
    while (!done.load()) {
      EXPECT_EQ(cyc::gc::collect(), 0u) << "live objects were found unreachable";
      collections.fetch_add(1);
    }
  });
  run_threads(kThreads - 1, [&](int t) {
    for (int i = 0; i < 2000; ++i) {
      // Walk the ring, copying (and dropping) handles to its nodes and their leaves.
      cyc::Handle<Node> n = entry;
      for (int k = 0; k < kRing; ++k) {
        EXPECT_EQ(n->magic, Node::kMagic);
        EXPECT_EQ(n->kids.size(), 1u);
        cyc::Handle<> leaf = n->kids[0];
        n = n->next;
      }
      EXPECT_EQ(n, entry);
      if (i % 50 == t) std::this_thread::yield();
    }
  });
  // Let the collector run at least a few times against the finished mutators.
  while (collections.load() < 3) std::this_thread::yield();
  done = true;
  collector.join();
  EXPECT_EQ(g_destroyed.load(), 0);
  EXPECT_EQ(entry.use_count(), 2u);
  entry.reset();
  EXPECT_EQ(cyc::gc::collect(), 2u * kRing);
}

TEST_F(GcThreadsTest, WeakLockRacesWithTheLastDrop) {
  constexpr int kRounds = 3000;
  // A new object each round; a helper thread locks a weak handle to it while this thread
  // drops the only strong handle. Whoever drops last destroys it, exactly once.
  for (int kind = 0; kind < 2; ++kind) {
    std::atomic<int> round{-1}, ready{-1}, finished{-1};
    std::atomic<long> locked{0};
    cyc::Weak<> shared;  // written only while the helper waits for the next round
    std::thread helper([&] {
      for (int r = 0; r < kRounds; ++r) {
        while (round.load(std::memory_order_acquire) != r) std::this_thread::yield();
        cyc::Weak<> mine = shared;
        ready.store(r, std::memory_order_release);
        for (;;) {
          cyc::Handle<> h = mine.lock();
          if (!h) break;
          locked.fetch_add(1, std::memory_order_relaxed);
          if (kind == 0)
            EXPECT_EQ(static_cast<Node*>(h.get())->magic, Node::kMagic);
          else
            EXPECT_EQ(static_cast<Plain*>(h.get())->magic, Plain::kMagic);
        }
        EXPECT_TRUE(mine.expired());
        finished.store(r, std::memory_order_release);
      }
    });
    for (int r = 0; r < kRounds; ++r) {
      cyc::Handle<> strong = kind == 0 ? cyc::Handle<>(cyc::make<Node>(r)) : cyc::Handle<>(cyc::make<Plain>());
      shared = strong;
      round.store(r, std::memory_order_release);
      while (ready.load(std::memory_order_acquire) != r) std::this_thread::yield();
      strong.reset();  // races with the helper's lock()
      while (finished.load(std::memory_order_acquire) != r) std::this_thread::yield();
      EXPECT_TRUE(shared.expired());
      shared.reset();
    }
    helper.join();
    EXPECT_EQ(g_destroyed.load(), (kind + 1) * kRounds);
    EXPECT_EQ(g_live.load(), 0);
  }
}

TEST_F(GcThreadsTest, WeakLockRacesWithCollectionOfGarbage) {
  // The helper keeps locking weak handles into garbage cycles while this thread collects
  // them: a successful lock() must always give an intact object, and every cycle goes.
  constexpr int kRounds = 2000;
  std::atomic<int> round{-1}, finished{-1};
  cyc::Weak<Node> shared;
  std::thread helper([&] {
    for (int r = 0; r < kRounds; ++r) {
      while (round.load(std::memory_order_acquire) != r) std::this_thread::yield();
      cyc::Weak<Node> mine = shared;
      finished.store(r * 2, std::memory_order_release);  // copied
      for (;;) {
        cyc::Handle<Node> h = mine.lock();
        if (!h) break;
        EXPECT_EQ(h->magic, Node::kMagic);
        EXPECT_EQ(h->value, r);
        // Reading traced fields while a collection runs is fine.
        ASSERT_TRUE(h->next) << "a locked object had its handles cleared";
        EXPECT_EQ(h->next->next, h);
        h.reset();
        std::this_thread::yield();  // leave the collector windows in which nobody holds it
      }
      finished.store(r * 2 + 1, std::memory_order_release);
    }
  });
  for (int r = 0; r < kRounds; ++r) {
    {
      auto a = cyc::make<Node>(r);
      auto b = cyc::make<Node>(r);
      a->next = b;
      b->next = a;
      shared = a;
    }
    round.store(r, std::memory_order_release);
    while (finished.load(std::memory_order_acquire) < r * 2) std::this_thread::yield();
    while (!shared.expired()) cyc::gc::collect();
    while (finished.load(std::memory_order_acquire) != r * 2 + 1) std::this_thread::yield();
    shared.reset();
  }
  helper.join();
  cyc::gc::collect();
  EXPECT_EQ(g_destroyed.load(), 2 * kRounds);
}

TEST_F(GcThreadsTest, ThreadsMakeCyclesWhileAnotherCollects) {
  constexpr int kBuilders = 4;
  constexpr int kCycles = 3000;
  std::atomic<int> builders_left{kBuilders};
  std::atomic<long> found{0};      // by every collection, explicit or automatic
  std::atomic<long> explicit_{0};  // by the collector thread
  std::size_t id = cyc::gc::add_callback([&](const cyc::gc::CollectReport& r) {
    found += static_cast<long>(r.collected);
  });
  std::thread collector([&] {
    while (builders_left.load() > 0) explicit_ += static_cast<long>(cyc::gc::collect());
  });
  run_threads(kBuilders, [&](int t) {
    std::vector<cyc::Handle<Node>> keep;  // live cycles this thread still uses
    for (int i = 0; i < kCycles; ++i) {
      // Every write to a traced field happens before any handle to these objects is
      // dropped, so no collection can be examining them yet.
      auto a = cyc::make<Node>(t);
      auto b = cyc::make<Node>(t);
      a->next = b;
      b->next = a;
      a->kids.push_back(cyc::make<Plain>());
      auto li = cyc::make<Node>(t);
      li->kids.push_back(li);
      if (i % 10 == 0) keep.push_back(a);
    }
    for (auto& a : keep) {  // still intact after everything the collector did
      EXPECT_EQ(a->value, t);
      EXPECT_EQ(a->next->next, a);
      EXPECT_EQ(a->kids.size(), 1u);
    }
    keep.clear();
    builders_left.fetch_sub(1);
  });
  collector.join();
  cyc::gc::collect();
  cyc::gc::remove_callback(id);
  EXPECT_EQ(found.load(), static_cast<long>(kBuilders) * kCycles * 3);
  EXPECT_LE(explicit_.load(), found.load());
  EXPECT_EQ(g_live.load(), 0) << "every cycle is eventually freed";
}

TEST_F(GcThreadsTest, AutomaticCollectionOnManyThreads) {
  cyc::gc::set_threshold(10, 5, 5);
  const auto before = cyc::gc::stats();
  std::atomic<long> found{0};
  std::size_t id = cyc::gc::add_callback([&](const cyc::gc::CollectReport& r) {
    found += static_cast<long>(r.collected);
  });
  constexpr int kIterations = 2000;
  run_threads(4, [&](int t) {
    for (int i = 0; i < kIterations; ++i) {
      auto a = cyc::make<Node>(t);
      auto b = cyc::make<Node>(t);
      a->next = b;
      b->next = a;
      auto p = cyc::make<Plain>();
      auto s = cyc::make<std::string>("not tracked");
      EXPECT_EQ(a->next->next, a);
    }
  });
  const auto after = cyc::gc::stats();
  EXPECT_GT(after[0].collections, before[0].collections) << "no automatic collection ran";
  cyc::gc::collect();  // counted by the callback too
  cyc::gc::remove_callback(id);
  EXPECT_EQ(found.load(), 4L * kIterations * 2);
  EXPECT_EQ(g_live.load(), 0);
}

}  // namespace
