// gc_threads_test.cpp - the threading contract of <cyc/handle.h> and <cyc/gc.h>: counts are
// atomic, handles may be copied, dropped and locked on any thread (also while a collection
// runs, and then a copy made out of garbage keeps it alive), Weak::lock() may race with the
// last drop, collections are serialized, automatic collections wait for safepoint() once the
// process has threads unless set_automatic(kAnyThread) says otherwise, and CHECK_WRITES
// catches a traced field written during a collection. Run under ThreadSanitizer (label
// "threads"); iteration counts are kept moderate for that.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <cstddef>
#include <string>
#include <thread>
#include <utility>
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
    cyc::gc::set_automatic(cyc::gc::Automatic::kWhileSingleThreaded);
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
  // Every graph below is complete before any handle to it is dropped, and never written
  // after: no collection can see a traced field change, so collections may run anywhere.
  cyc::gc::set_automatic(cyc::gc::Automatic::kAnyThread);
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

// ---- Copies out of garbage while it is examined -----------------------------------------
// A node whose trace hook, once armed, lets another thread act at a chosen moment of the
// collection: after the collector has read the node's count and before it reads those of the
// nodes it reaches. That thread only copies, drops and locks handles, as the contract allows.
struct Hooked {
  static inline std::function<void()> on_trace;  // set while armed; run once
  static inline const Hooked* target = nullptr;
  int id = 0;
  std::vector<cyc::Handle<Hooked>> kids;
  explicit Hooked(int i) : id(i) { g_live.fetch_add(1, std::memory_order_relaxed); }
  ~Hooked() {
    destroyed_ids().push_back(id);
    g_live.fetch_sub(1, std::memory_order_relaxed);
  }
  void trace(cyc::Tracer& t) {
    if (this == target && on_trace) std::exchange(on_trace, nullptr)();
    t(kids, "kids");
  }
  static std::vector<int>& destroyed_ids() {
    static std::vector<int> ids;
    return ids;
  }
  static bool destroyed(int id) {
    for (int d : destroyed_ids())
      if (d == id) return true;
    return false;
  }
};

// Runs `step` on a helper thread and waits until it says it is done (or `patience` passes:
// a step that drops a handle to an object being examined waits for the collection itself).
class Helper {
 public:
  Helper() : thread_([this] { loop(); }) {}
  ~Helper() {
    post([] {}, std::chrono::seconds(5));
    {
      std::lock_guard<std::mutex> g(mu_);
      quit_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  bool post(std::function<void()> step, std::chrono::milliseconds patience) {
    std::unique_lock<std::mutex> g(mu_);
    step_ = std::move(step);
    done_ = false;
    cv_.notify_all();
    return cv_.wait_for(g, patience, [&] { return done_; });
  }

 private:
  void loop() {
    std::unique_lock<std::mutex> g(mu_);
    for (;;) {
      cv_.wait(g, [&] { return quit_ || step_; });
      if (!step_) return;
      auto step = std::exchange(step_, nullptr);
      g.unlock();
      step();
      g.lock();
      done_ = true;
      cv_.notify_all();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void()> step_;
  bool done_ = false, quit_ = false;
  std::thread thread_;
};

// Alive candidates, more than step 1 of a collection takes in one batch (collector.cpp:
// kRootBatch): it grays a batch of candidates before it traces them, so a candidate recorded
// after these is read only once those recorded before them are traced.
std::vector<cyc::Handle<Hooked>> spacers() {
  std::vector<cyc::Handle<Hooked>> alive;
  for (int i = 0; i < 1000; ++i) {
    alive.push_back(cyc::make<Hooked>(100 + i));
    cyc::Handle<Hooked> dropped = alive.back();  // its drop records the candidate
  }
  return alive;
}

// x0 <-> x1, with x1 recorded as a candidate, then `spaced`, then x0: the collection reads x1's
// count and traces x1 before it reads x0's.
std::pair<cyc::Handle<Hooked>, cyc::Handle<Hooked>> ring_of_two(
    std::vector<cyc::Handle<Hooked>>& spaced) {
  auto x0 = cyc::make<Hooked>(0);
  auto x1 = cyc::make<Hooked>(1);
  x0->kids.push_back(x1);
  x1->kids.push_back(x0);
  std::pair ring{x0, x1};
  x1.reset();
  spaced = spacers();
  x0.reset();
  return ring;
}

TEST_F(GcThreadsTest, ACopyMadeOutOfAnObjectDroppedDuringTheCollectionKeepsItsTargetAlive) {
  Hooked::destroyed_ids().clear();
  Helper helper;
  cyc::Handle<Hooked> held, copy;  // the helper thread's handles
  std::vector<cyc::Handle<Hooked>> spaced;
  {
    auto [x0, x1] = ring_of_two(spaced);
    held = x0;
  }
  // While the collection examines the ring, after it read x1's count and before x0's: the
  // helper copies x1 out of x0 and drops its own handle to x0.
  Hooked::target = held->kids[0].get();
  Hooked::on_trace = [&] {
    EXPECT_TRUE(helper.post(
        [&] {
          copy = held->kids[0];
          held.reset();
        },
        std::chrono::seconds(5)));
  };
  EXPECT_EQ(cyc::gc::collect(), 0u) << "x1 is held by the helper, and x1 holds x0";
  EXPECT_FALSE(Hooked::destroyed(0));
  EXPECT_FALSE(Hooked::destroyed(1));
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->id, 1);
  EXPECT_EQ(copy->kids[0]->id, 0);
  helper.post([&] { copy.reset(); }, std::chrono::seconds(5));
  EXPECT_EQ(cyc::gc::collect(), 2u);
}

TEST_F(GcThreadsTest, AWeakLockAndACopyDuringTheCollectionKeepTheirTargetsAlive) {
  Hooked::destroyed_ids().clear();
  Helper helper;
  cyc::Weak<Hooked> weak;
  cyc::Handle<Hooked> copy;
  std::vector<cyc::Handle<Hooked>> spaced;
  {
    auto [x0, x1] = ring_of_two(spaced);
    weak = x0;
  }
  // After the collection read x1 and before it reads x0: lock x0, copy x1 out of it, drop x0.
  // The drop may wait for the collection (x0 may be examined by then), so do not wait for it.
  Hooked::target = weak.lock()->kids[0].get();
  Hooked::on_trace = [&] {
    helper.post(
        [&] {
          if (auto x = weak.lock()) copy = x->kids[0];
        },
        std::chrono::milliseconds(200));
  };
  EXPECT_EQ(cyc::gc::collect(), 0u);
  helper.post([] {}, std::chrono::seconds(5));  // the step is over
  ASSERT_TRUE(copy) << "x0 was alive when the helper locked it";
  EXPECT_FALSE(Hooked::destroyed(1));
  EXPECT_EQ(copy->kids[0]->id, 0);
  helper.post([&] { copy.reset(); }, std::chrono::seconds(5));
  EXPECT_EQ(cyc::gc::collect(), 2u);
  EXPECT_FALSE(weak.lock());
}

// ---- Where automatic collections run -----------------------------------------------------

int make_cycles(int n) {
  for (int i = 0; i < n; ++i) {
    auto a = cyc::make<Node>(i);
    a->next = a;
  }
  return n;
}

TEST_F(GcThreadsTest, WithThreadsAutomaticCollectionsWaitForASafepoint) {
  run_threads(1, [](int) {});  // the process has had a second thread
  ASSERT_EQ(cyc::gc::get_automatic(), cyc::gc::Automatic::kWhileSingleThreaded);
  cyc::gc::set_threshold(10, 5, 5);
  const auto before = cyc::gc::stats();
  make_cycles(100);
  EXPECT_EQ(cyc::gc::stats()[0].collections, before[0].collections) << "make<T> collected";
  EXPECT_EQ(g_live.load(), 100);
  EXPECT_EQ(cyc::gc::safepoint(), 100u);
  EXPECT_EQ(cyc::gc::stats()[0].collections, before[0].collections + 1);
  EXPECT_EQ(cyc::gc::safepoint(), 0u) << "nothing due";
  EXPECT_EQ(g_live.load(), 0);
}

TEST_F(GcThreadsTest, SafepointHonoursDisableAndThresholdZero) {
  run_threads(1, [](int) {});
  cyc::gc::set_threshold(1, 5, 5);
  make_cycles(3);
  cyc::gc::disable();
  EXPECT_EQ(cyc::gc::safepoint(), 0u);
  cyc::gc::enable();
  cyc::gc::set_threshold(0);
  EXPECT_EQ(cyc::gc::safepoint(), 0u);
  cyc::gc::set_threshold(1, 5, 5);
  EXPECT_EQ(cyc::gc::safepoint(), 3u);
}

TEST_F(GcThreadsTest, AnyThreadBringsBackCollectionsOnAllocation) {
  run_threads(1, [](int) {});
  cyc::gc::set_threshold(10, 5, 5);
  make_cycles(50);  // defers
  cyc::gc::set_automatic(cyc::gc::Automatic::kAnyThread);
  const auto before = cyc::gc::stats();
  make_cycles(50);
  EXPECT_GT(cyc::gc::stats()[0].collections, before[0].collections);
}

// An automatic collection on the process's only thread leaves its teardown to the allocations
// after it (lazy sweeping, <cyc/gc.h>). If a second thread starts meanwhile, allocations stop
// taking steps of it, as they stop collecting, and safepoint() finishes it.
TEST_F(GcThreadsTest, ATeardownPendingWhenASecondThreadStartsWaitsForASafepoint) {
  if (!cyc::detail::single_threaded())
    GTEST_SKIP() << "the process has had a second thread already (ctest runs each test in a process of its own)";
  cyc::gc::set_threshold(40, 10, 10);
  const auto before = cyc::gc::stats();
  make_cycles(40);  // 40 candidates
  auto trigger = cyc::make<Node>();
  ASSERT_EQ(cyc::gc::stats()[0].collections, before[0].collections + 1);
  ASSERT_EQ(g_live.load(), 41) << "the collection tore its garbage down at once";
  run_threads(1, [](int) {});
  std::vector<cyc::Handle<Node>> made;
  for (int i = 0; i < 20; ++i) made.push_back(cyc::make<Node>());
  EXPECT_EQ(g_live.load(), 61) << "an allocation took steps of the teardown with threads";
  EXPECT_EQ(cyc::gc::safepoint(), 0u);
  EXPECT_EQ(g_live.load(), 21);
}

// ---- CHECK_WRITES --------------------------------------------------------------------------
// Its trace hook swaps its two fields on the third call, as another thread writing them during
// the collection would: after step 1 walked them and CHECK_WRITES recorded them (the first two
// calls), before step 2 traces them.
struct Swapper {
  cyc::Handle<Node> a, b;
  int calls = 0;
  void trace(cyc::Tracer& t) {
    if (calls++ == 2) std::swap(a, b);
    t(a, "a");
    t(b, "b");
  }
};

TEST(GcCheckWritesDeathTest, ATracedFieldWrittenDuringACollectionAbortsNamingIt) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto run = [] {
    cyc::gc::set_debug(cyc::gc::CHECK_WRITES);
    auto s = cyc::make<Swapper>();
    s->a = cyc::make<Node>(1);
    s->b = cyc::make<Node>(2);
    cyc::Handle<Swapper>(s).reset();  // s becomes a candidate: the collection examines it
    cyc::gc::collect();
  };
  EXPECT_DEATH(run(), "traced field 'a' changed during the collection.*Swapper");
}
