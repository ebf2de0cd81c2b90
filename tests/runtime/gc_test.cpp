// gc_test.cpp - what the cycle collector does, in the spirit of CPython's test_gc but in
// libcyc's own terms: which objects it frees and which it leaves alone, the order in which
// garbage is torn down, SAVE_ALL, callbacks and reports, thresholds and generations, and the
// cost of a collection (measured in objects examined, never in time).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <cyc/cyc.h>

namespace {

using cyc::Handle;
using cyc::Weak;
namespace gc = cyc::gc;

// Counts live instances.
struct Live {
  static inline int count = 0;
  Live() { ++count; }
  Live(const Live&) { ++count; }
  ~Live() { --count; }
};

}  // namespace

// Global names: they appear exactly like this in reports.
struct Node {
  std::string name;
  Handle<Node> next;
  std::vector<Handle<Node>> kids;
  Live live;  // last, so that make<Node>("a") initializes `name`
  CYC_TRACE(next, kids)
};

struct DNode : Live {
  Handle<DNode> next;
  Handle<DNode> prev;
  CYC_TRACE(next, prev)
};

namespace {

using List = std::vector<Handle<>>;

// Restores the collector's default state whatever a test did, and checks that every test
// cleans up after itself (no tracked objects left, nothing alive).
class GcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(gc::get_threshold(), (std::array<std::size_t, 3>{700, 10, 10}));
    ASSERT_TRUE(gc::is_enabled());
    ASSERT_EQ(gc::get_debug(), 0u);
    gc::collect();
    tracked_ = gc::tracked();
    live_ = Live::count;
  }
  void TearDown() override {
    for (std::size_t id : callbacks_) gc::remove_callback(id);
    gc::set_debug(0);
    gc::clear_garbage();
    gc::set_threshold(700, 10, 10);
    gc::enable();
    gc::collect();
    EXPECT_TRUE(gc::garbage().empty());
    EXPECT_EQ(gc::tracked(), tracked_) << "tracked objects left behind";
    EXPECT_EQ(Live::count, live_) << "objects left alive";
  }
  // Registers a callback that the fixture removes.
  std::size_t on_collect(gc::Callback cb) {
    std::size_t id = gc::add_callback(std::move(cb));
    callbacks_.push_back(id);
    return id;
  }
  // Collects with a callback attached and returns the report.
  gc::CollectReport collect_report(int generation = 2) {
    gc::CollectReport out;
    std::size_t id = gc::add_callback([&](const gc::CollectReport& r) { out = r; });
    std::size_t n = gc::collect(generation);
    gc::remove_callback(id);
    EXPECT_EQ(n, out.collected);
    return out;
  }
  // With automatic collection on and every threshold at 1, allocates until the collections of
  // generation 2 (slices, when their candidates are many) have examined `objects` objects, or
  // 50 times; returns their reports.
  std::vector<gc::CollectReport> automatic_slices(std::size_t objects) {
    const auto before = gc::stats()[2];
    std::vector<gc::CollectReport> slices;
    on_collect([&](const gc::CollectReport& r) {
      if (r.generation == 2) slices.push_back(r);
    });
    gc::set_threshold(1, 1, 1);
    gc::enable();
    auto examined = [&] { return gc::stats()[2].traversed - before.traversed; };
    for (int i = 0; i < 50 && examined() < objects; ++i) {
      Handle<Node> made = cyc::make<Node>();  // runs the automatic collection due
      Handle<Node> candidate = made;          // records a candidate: the next one is due
    }
    return slices;
  }

  std::size_t tracked_ = 0;
  int live_ = 0;
  std::vector<std::size_t> callbacks_;
};

TEST_F(GcTest, SelfReferencingList) {
  Weak<List> w;
  {
    auto li = cyc::make<List>();
    li->push_back(li);
    w = li;
    EXPECT_EQ(li.use_count(), 2u);
  }
  EXPECT_FALSE(w.expired()) << "reference counting cannot free a self-referencing list";
  EXPECT_EQ(gc::collect(), 1u);
  EXPECT_TRUE(w.expired());
  EXPECT_EQ(gc::collect(), 0u) << "nothing left to find";
}

TEST_F(GcTest, TwoObjectCycle) {
  {
    auto a = cyc::make<Node>("a");
    auto b = cyc::make<Node>("b");
    a->next = b;
    b->next = a;
  }
  EXPECT_EQ(Live::count, live_ + 2);
  EXPECT_EQ(gc::collect(), 2u);
  EXPECT_EQ(Live::count, live_);
}

TEST_F(GcTest, ThousandObjectCycle) {
  constexpr int N = 1000;
  {
    auto head = cyc::make<Node>("0");
    Node* tail = head.get();
    for (int i = 1; i < N; ++i) {
      tail->next = cyc::make<Node>(std::to_string(i));
      tail = tail->next.get();
    }
    tail->next = head;
  }
  EXPECT_EQ(Live::count, live_ + N);
  EXPECT_EQ(gc::collect(), static_cast<std::size_t>(N));
  EXPECT_EQ(Live::count, live_);
}

TEST_F(GcTest, LiveCyclesAreLeftAlone) {
  auto root = cyc::make<Node>("root");
  {
    auto a = cyc::make<Node>("a");
    auto b = cyc::make<Node>("b");
    a->next = b;
    b->next = a;
    root->kids.push_back(a);
  }
  // a and b are candidates (their counts dropped to non-zero values) but reachable.
  EXPECT_EQ(gc::collect(), 0u);
  ASSERT_EQ(root->kids.size(), 1u);
  auto a = root->kids[0];
  EXPECT_EQ(a->name, "a");
  EXPECT_EQ(a->next->name, "b");
  EXPECT_EQ(a->next->next, a);
  EXPECT_EQ(Live::count, live_ + 3);
  // Break it: now it is garbage.
  root->kids.clear();
  a.reset();
  EXPECT_EQ(gc::collect(), 2u);
  EXPECT_EQ(Live::count, live_ + 1);
}

// Step 2 stops scanning once every object with references from outside is black: each of
// them, wherever it falls in the examination order (first, between garbage, last, or reached
// from another one), must still be found.
TEST_F(GcTest, EveryObjectReferencedFromOutsideIsFoundAlive) {
  auto pair = [](const char* name) {
    auto a = cyc::make<Node>(name);
    auto b = cyc::make<Node>(std::string(name) + "'");
    a->next = b;
    b->next = a;
    return a;
  };
  auto garbage = [&](const char* name) { pair(name); };  // dropped at once: a garbage cycle
  Handle<Node> first = pair("first");
  garbage("g1");
  Handle<Node> middle = pair("middle");
  garbage("g2");
  Handle<Node> inner = pair("inner");
  middle->kids.push_back(inner);  // referenced from outside and from `middle`
  Handle<Node> last = pair("last");
  EXPECT_EQ(gc::collect(), 4u);
  EXPECT_EQ(Live::count, live_ + 8);
  for (const Handle<Node>& h : {first, middle, inner, last}) {
    EXPECT_EQ(h->next->next, h) << h->name;
    EXPECT_EQ(h->next->name, h->name + "'");
  }
  EXPECT_EQ(middle->kids[0], inner);
  first.reset();
  middle.reset();
  inner.reset();
  last.reset();
  EXPECT_EQ(gc::collect(), 8u);
}

// Step 2 proves most alive objects by the last examined object whose trace reached them (their
// visitor). Here x's visitor is a garbage object, traced after x's other referrer `a`: x is alive
// all the same, found so by tracing either from what was proven (`extra` = 0: fewer proven than
// unknown) or from the unknown objects alone (`extra` = 5: more proven).
TEST_F(GcTest, AnObjectWhoseLastVisitorIsGarbageIsFoundAliveThroughAnother) {
  for (int extra : {0, 5}) {
    auto a = cyc::make<Node>("a");
    for (int i = 0; i < extra; ++i) {
      auto kid = cyc::make<Node>("kid");
      a->kids.push_back(kid);
    }  // each kid a candidate, reached from a, after it in the candidate list
    Weak<Node> wx, wg1;
    {
      auto x = cyc::make<Node>("x");
      a->kids.push_back(x);
      { Handle<Node> copy = a; }  // a a candidate, before the garbage
      auto g1 = cyc::make<Node>("g1");
      auto g2 = cyc::make<Node>("g2");
      g1->next = g2;
      g2->next = g1;
      g2->kids.push_back(x);  // the last trace to reach x
      wx = x;
      wg1 = g1;
    }
    EXPECT_EQ(gc::collect(), 2u) << extra;
    EXPECT_TRUE(wg1.expired()) << extra;
    ASSERT_FALSE(wx.expired()) << extra;
    EXPECT_EQ(a->kids.back()->name, "x");
    EXPECT_EQ(wx.lock().use_count(), 2u) << "a's handle and this one";
    EXPECT_EQ(Live::count, live_ + 2 + extra);
  }
}

// A holder whose kids are a ring of nodes, every node a candidate recorded before it: the holder
// is the last object step 1 traces, and its trace settles the nodes as it reaches them.
Handle<Node> holder_of_ring(int nodes) {
  auto holder = cyc::make<Node>("holder");
  Handle<Node> first, prev;
  for (int i = 0; i < nodes; ++i) {
    auto n = cyc::make<Node>("n");
    holder->kids.push_back(n);
    if (prev)
      prev->next = n;
    else
      first = n;
    prev = n;
  }
  prev->next = first;
  return holder;  // the locals' drops recorded every node
}

TEST_F(GcTest, ALastCandidateHoldingTheRestSettlesItInItsTrace) {
  auto holder = holder_of_ring(200);  // more roots than one batch
  { Handle<Node> copy = holder; }     // the holder the last candidate
  EXPECT_EQ(gc::collect(), 0u);
  EXPECT_EQ(Live::count, live_ + 201);
  // Found alive, the nodes are no longer listed: the drops below record them again.
  holder->kids.clear();
  EXPECT_EQ(gc::collect(), 200u) << "the ring, once the holder let go of it";
}

// The holder's trace stops settling when it meets an object it cannot tell from one it settled
// already (one never examined, or a second handle to one), or when the holder turns out to be
// held only by itself; what it settled is then decided by step 2 like the rest.
TEST_F(GcTest, ALastCandidateThatCannotSettleWhatItReachesLeavesItToStepTwo) {
  for (const char* name : {"fresh", "twice", "self", "fresh_back"}) {
    const std::string shape = name;
    // Alive and examined, so that the collection does not find all of it garbage at once.
    auto bystander = cyc::make<Node>("bystander");
    { Handle<Node> copy = bystander; }
    auto holder = holder_of_ring(200);
    auto middle = holder->kids.begin() + 100;
    if (shape == "fresh") holder->kids.insert(middle, cyc::make<Node>("fresh"));  // never dropped
    if (shape == "twice") holder->kids.insert(middle, holder->kids[0]);
    if (shape == "self") {
      holder->kids.insert(middle, holder);
      holder.reset();  // held by itself alone: all of it is garbage
      EXPECT_EQ(gc::collect(), 201u) << shape;
      continue;
    }
    if (shape == "fresh_back") {
      // Held only by an object it alone holds, which no trace reached before its own.
      auto fresh = cyc::make<Node>("fresh");
      fresh->next = holder;
      holder->kids.insert(middle, std::move(fresh));
      holder.reset();
      EXPECT_EQ(gc::collect(), 202u) << shape;
      continue;
    }
    { Handle<Node> copy = holder; }
    EXPECT_EQ(gc::collect(), 0u) << shape;
    EXPECT_EQ(Live::count, live_ + (shape == "fresh" ? 203 : 202)) << shape;
    holder->kids.clear();
    EXPECT_EQ(gc::collect(), 200u) << shape;
  }
}

TEST_F(GcTest, GarbageHangingOffLiveObjectsGoesAlone) {
  auto root = cyc::make<Node>("root");
  auto x = cyc::make<Node>("x");
  auto y = cyc::make<Node>("y");
  x->next = y;
  y->next = x;  // a live cycle, held by root
  root->kids.push_back(x);
  Weak<Node> wg1, wg2;
  {
    // A garbage cycle g1 <-> g2 that points into the live part (g1 -> x, g2 -> root).
    auto g1 = cyc::make<Node>("g1");
    auto g2 = cyc::make<Node>("g2");
    g1->next = g2;
    g2->next = g1;
    g1->kids.push_back(x);
    g2->kids.push_back(root);
    wg1 = g1;
    wg2 = g2;
  }
  x.reset();
  y.reset();
  EXPECT_EQ(root.use_count(), 2u);
  EXPECT_EQ(gc::collect(), 2u);
  EXPECT_TRUE(wg1.expired());
  EXPECT_TRUE(wg2.expired());
  EXPECT_EQ(Live::count, live_ + 3);
  // The live part is intact and usable.
  EXPECT_EQ(root.use_count(), 1u);
  ASSERT_EQ(root->kids.size(), 1u);
  Handle<Node> x2 = root->kids[0];
  EXPECT_EQ(x2->name, "x");
  EXPECT_EQ(x2.use_count(), 3u);  // root->kids, y->next, x2
  EXPECT_EQ(x2->next->name, "y");
  EXPECT_EQ(x2->next->next, x2);
  x2->kids.push_back(cyc::make<Node>("new"));
  EXPECT_EQ(x2->kids[0]->name, "new");
  EXPECT_EQ(gc::collect(), 0u);
  EXPECT_EQ(Live::count, live_ + 4);
  root.reset();
  x2.reset();
  EXPECT_EQ(gc::collect(), 3u) << "x <-> y is garbage now, and 'new', which only x holds";
}

TEST_F(GcTest, GarbageOnlyReachableFromACycleGoesWithIt) {
  Weak<Node> tail;
  {
    auto a = cyc::make<Node>("a");
    a->next = a;
    // a -> k1 -> k2: not cyclic, but only the cycle keeps them alive.
    a->kids.push_back(cyc::make<Node>("k1"));
    a->kids[0]->next = cyc::make<Node>("k2");
    tail = a->kids[0]->next;
  }
  EXPECT_EQ(Live::count, live_ + 3);
  // The collector examines what the candidate reaches: k1 and k2 are found unreachable too.
  EXPECT_EQ(gc::collect(), 3u);
  EXPECT_TRUE(tail.expired());
  EXPECT_EQ(Live::count, live_);
}

TEST_F(GcTest, CycleReachableOnlyFromAWeak) {
  Weak<Node> wa, wb;
  {
    auto a = cyc::make<Node>("a");
    auto b = cyc::make<Node>("b");
    a->next = b;
    b->next = a;
    wa = a;
    wb = b;
  }
  ASSERT_FALSE(wa.expired());
  EXPECT_EQ(wa.lock()->name, "a");
  EXPECT_EQ(gc::collect(), 2u);
  EXPECT_TRUE(wa.expired());
  EXPECT_TRUE(wb.expired());
  EXPECT_FALSE(wa.lock());
  EXPECT_EQ(wb.use_count(), 0u);
}

TEST_F(GcTest, WeakBackPointersDoNotMakeACycle) {
  struct Child;
  struct Parent : Live {
    Handle<Child> child;
    CYC_TRACE(child)
  };
  struct Child : Live {
    Weak<Parent> parent;
  };
  Weak<Child> wc;
  {
    auto p = cyc::make<Parent>();
    p->child = cyc::make<Child>();
    p->child->parent = p;
    wc = p->child;
  }
  EXPECT_TRUE(wc.expired()) << "reference counting alone frees a parent with a weak back-pointer";
  EXPECT_EQ(Live::count, live_);
}

// --- teardown order ---------------------------------------------------------------------

struct Observed : Live {
  static inline std::vector<std::string> log;
  static inline Weak<Observed> watched;  // a weak reference from outside the garbage
  std::string name;
  Handle<Observed> next;
  std::vector<Handle<>> items;
  Weak<Observed> peer;
  Weak<Observed> self;
  CYC_TRACE(next, items)
  explicit Observed(std::string n) : name(std::move(n)) {}
  ~Observed() {
    std::string s = name + ":";
    s += next ? " next-set" : " next-null";
    bool all_null = std::all_of(items.begin(), items.end(), [](const Handle<>& h) { return !h; });
    s += all_null ? " items-null" : " items-set";
    s += " size=" + std::to_string(items.size());
    s += peer.lock() ? " peer-alive" : " peer-null";
    s += peer.expired() ? " peer-expired" : " peer-live";
    s += self.lock() ? " self-alive" : " self-null";
    s += watched.lock() ? " watched-alive" : " watched-null";
    log.push_back(s);
  }
};

TEST_F(GcTest, DestructorsOfGarbageSeeClearedHandlesAndWeaks) {
  Observed::log.clear();
  auto bystander = cyc::make<Node>("bystander");
  {
    auto a = cyc::make<Observed>("a");
    auto b = cyc::make<Observed>("b");
    a->next = b;
    b->next = a;
    a->items = {b, cyc::make<int>(5), bystander};
    b->items = {a, a};
    a->peer = b;
    b->peer = a;
    a->self = a;
    b->self = b;
    Observed::watched = a;
  }
  EXPECT_EQ(bystander.use_count(), 2u);
  EXPECT_EQ(gc::collect(), 2u);
  ASSERT_EQ(Observed::log.size(), 2u);
  std::sort(Observed::log.begin(), Observed::log.end());
  EXPECT_EQ(Observed::log[0],
            "a: next-null items-null size=3 peer-null peer-expired self-null watched-null");
  EXPECT_EQ(Observed::log[1],
            "b: next-null items-null size=2 peer-null peer-expired self-null watched-null");
  EXPECT_TRUE(Observed::watched.expired());
  EXPECT_EQ(bystander.use_count(), 1u) << "the handle inside the garbage to a live object was dropped";
  EXPECT_EQ(bystander->name, "bystander");
  Observed::watched.reset();
}

struct ProbeRing;

// Not tracked (it holds no strong handle): dropping its last reference, which sits inside
// garbage, runs its destructor during the teardown, before any destructor of the garbage.
struct WeakProbe {
  static inline std::vector<bool> locked;
  std::vector<Weak<ProbeRing>> watched;
  ~WeakProbe();
};

struct ProbeRing {
  Handle<ProbeRing> next;
  Handle<WeakProbe> probe;
  CYC_TRACE(next, probe)
};

WeakProbe::~WeakProbe() {
  for (auto& w : watched) locked.push_back(static_cast<bool>(w.lock()));
}

// When the collector commits the garbage during the teardown (one thread, nothing to report),
// it still commits all of it before the first drop that can run user code: a destructor run
// by the teardown finds every garbage object dead. Every object of the ring holds a probe, so
// the first one cleared, whichever it is, tests the others.
TEST_F(GcTest, DestructorsRunByTheTeardownFindAllOfTheGarbageDead) {
  static_assert(!cyc::is_traceable_v<WeakProbe>);
  WeakProbe::locked.clear();
  {
    std::vector<Handle<ProbeRing>> ring;
    for (int i = 0; i < 3; ++i) ring.push_back(cyc::make<ProbeRing>());
    for (int i = 0; i < 3; ++i) {
      ring[i]->next = ring[(i + 1) % 3];
      ring[i]->probe = cyc::make<WeakProbe>();
      for (auto& r : ring) ring[i]->probe->watched.emplace_back(r);
    }
  }
  EXPECT_EQ(gc::collect(), 3u);
  EXPECT_EQ(WeakProbe::locked, std::vector<bool>(9, false));
}

struct Reentrant : Live {
  static inline std::vector<std::size_t> inner_collect;
  static inline int made = 0;
  Handle<Reentrant> next;
  Handle<Node> untraced_live;  // deliberately not traced: dropped by the destructor
  CYC_TRACE(next)
  ~Reentrant() {
    untraced_live.reset();
    // Make new objects, including a new cycle that only a later collection can find.
    auto n1 = cyc::make<Node>("made-in-dtor-1");
    auto n2 = cyc::make<Node>("made-in-dtor-2");
    n1->next = n2;
    n2->next = n1;
    auto li = cyc::make<List>();
    li->push_back(cyc::make<std::string>("x"));
    ++made;
    inner_collect.push_back(gc::collect());
  }
};

TEST_F(GcTest, DestructorMayDropHandlesMakeObjectsAndCollect) {
  Reentrant::inner_collect.clear();
  Reentrant::made = 0;
  auto live = cyc::make<Node>("live");
  live->next = live;  // live itself is cyclic, but held by this test
  {
    auto a = cyc::make<Reentrant>();
    auto b = cyc::make<Reentrant>();
    a->next = b;
    b->next = a;
    a->untraced_live = live;
    b->untraced_live = live;
  }
  EXPECT_EQ(live.use_count(), 4u);
  EXPECT_EQ(gc::collect(), 2u);
  EXPECT_EQ(Reentrant::made, 2);
  EXPECT_EQ(Reentrant::inner_collect, (std::vector<std::size_t>{0, 0})) << "re-entrant collect() returns 0";
  EXPECT_EQ(live.use_count(), 2u);
  EXPECT_EQ(live->name, "live");
  EXPECT_EQ(live->next, live);
  EXPECT_EQ(Live::count, live_ + 1 + 4);  // live, and the two cycles made by the destructors
  EXPECT_EQ(gc::collect(), 4u) << "the cycles made during teardown are found by the next collection";
  EXPECT_EQ(Live::count, live_ + 1);
  live->next.reset();
}

// --- SAVE_ALL -----------------------------------------------------------------------------

TEST_F(GcTest, SaveAllKeepsGarbageAlive) {
  std::set<const void*> expected;
  Weak<Node> wa;
  Weak<List> wl;
  {
    auto a = cyc::make<Node>("a");
    auto b = cyc::make<Node>("b");
    a->next = b;
    b->next = a;
    auto li = cyc::make<List>();
    li->push_back(li);
    expected = {a.header(), b.header(), li.header()};
    wa = a;
    wl = li;
  }
  gc::set_debug(gc::SAVE_ALL);
  EXPECT_EQ(gc::get_debug(), static_cast<unsigned>(gc::SAVE_ALL));
  EXPECT_EQ(gc::collect(), 3u);
  {
    std::vector<Handle<>> saved = gc::garbage();
    ASSERT_EQ(saved.size(), 3u);
    std::set<const void*> got;
    for (auto& h : saved) got.insert(h.header());
    EXPECT_EQ(got, expected);
  }
  // Still alive and intact: nothing was cleared.
  EXPECT_EQ(Live::count, live_ + 2);
  auto a = wa.lock();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->next->name, "b");
  EXPECT_EQ(a->next->next, a);
  ASSERT_TRUE(wl.lock());
  EXPECT_EQ(wl.lock()->size(), 1u);
  a.reset();
  EXPECT_EQ(gc::collect(), 0u) << "saved garbage is held by garbage(): reachable";

  gc::clear_garbage();
  EXPECT_TRUE(gc::garbage().empty());
  EXPECT_EQ(Live::count, live_ + 2) << "clear_garbage() drops the saved handles; the cycles remain";
  gc::set_debug(0);
  EXPECT_EQ(gc::collect(), 3u);
  EXPECT_TRUE(gc::garbage().empty());
  EXPECT_TRUE(wa.expired());
  EXPECT_TRUE(wl.expired());
  EXPECT_EQ(Live::count, live_);
}

// --- callbacks and reports ----------------------------------------------------------------

TEST_F(GcTest, CallbackReportsPathAndCounts) {
  std::vector<gc::CollectReport> reports;
  on_collect([&](const gc::CollectReport& r) { reports.push_back(r); });
  {
    auto a = cyc::make<DNode>();
    auto b = cyc::make<DNode>();
    a->next = b;
    b->prev = a;
  }
  EXPECT_EQ(gc::collect(), 2u);
  ASSERT_EQ(reports.size(), 1u);
  const gc::CollectReport& r = reports[0];
  EXPECT_EQ(r.generation, 2);
  EXPECT_EQ(r.collected, 2u);
  EXPECT_EQ(r.candidates, 2u);
  EXPECT_EQ(r.traversed, 2u);
  ASSERT_EQ(r.cycles.size(), 1u);
  const gc::Cycle& c = r.cycles[0];
  EXPECT_EQ(c.objects, 2u);
  EXPECT_GE(c.host_bytes, 2 * sizeof(DNode));
  EXPECT_LT(c.host_bytes, 2 * sizeof(DNode) + 2 * 128) << "only the two allocations";
  EXPECT_EQ(c.device_bytes, 0u);
  ASSERT_EQ(c.path.size(), 2u);
  EXPECT_EQ(c.path[0].type, "DNode");
  EXPECT_EQ(c.path[1].type, "DNode");
  std::string path = gc::format_path(c.path);
  EXPECT_TRUE(path == "DNode.next -> DNode.prev -> (DNode)" || path == "DNode.prev -> DNode.next -> (DNode)")
      << path;
}

TEST_F(GcTest, ReportOfASelfReferencingListWithABigBuffer) {
  {
    auto li = cyc::make<List>();
    li->push_back(cyc::make<std::vector<char>>(1u << 20));
    li->push_back(li);
  }
  gc::CollectReport r = collect_report();
  EXPECT_EQ(r.collected, 1u) << "the buffer is not tracked; it goes with the list";
  ASSERT_EQ(r.cycles.size(), 1u);
  const gc::Cycle& c = r.cycles[0];
  EXPECT_EQ(c.objects, 2u);
  EXPECT_GE(c.host_bytes, std::size_t{1} << 20);
  EXPECT_LT(c.host_bytes, (std::size_t{1} << 20) + 4096);
  ASSERT_EQ(c.path.size(), 1u);
  EXPECT_EQ(c.path[0].type, "std::vector<cyc::Handle<>>");
  EXPECT_EQ(c.path[0].field, "");
  EXPECT_EQ(gc::format_path(c.path), "std::vector<cyc::Handle<>>[] -> (std::vector<cyc::Handle<>>)");
}

TEST_F(GcTest, BytesHeldFromOutsideAreNotCharged) {
  auto buffer = cyc::make<std::vector<char>>(1u << 20);
  {
    auto li = cyc::make<List>();
    li->push_back(buffer);
    li->push_back(li);
  }
  gc::CollectReport r = collect_report();
  ASSERT_EQ(r.cycles.size(), 1u);
  EXPECT_EQ(r.cycles[0].objects, 1u);
  EXPECT_LT(r.cycles[0].host_bytes, std::size_t{1} << 20) << "the buffer outlives the cycle";
  EXPECT_EQ(buffer.use_count(), 1u);
}

struct Tensor {
  std::size_t bytes = 0;
  std::size_t cyc_host_bytes() const { return 3; }
  std::size_t cyc_device_bytes() const { return bytes; }
};

TEST_F(GcTest, ReportCountsDeviceBytesFromHooks) {
  {
    auto li = cyc::make<List>();
    li->push_back(cyc::make<Tensor>(std::size_t{4} << 20));
    li->push_back(li);
  }
  gc::CollectReport r = collect_report();
  ASSERT_EQ(r.cycles.size(), 1u);
  EXPECT_EQ(r.cycles[0].device_bytes, std::size_t{4} << 20);
}

TEST_F(GcTest, ReportSeparatesCyclesAndCountsWhatTheyHold) {
  {
    // A 3-cycle of Nodes holding a non-cyclic tail of two Nodes.
    auto a = cyc::make<Node>("a");
    auto b = cyc::make<Node>("b");
    auto c = cyc::make<Node>("c");
    a->next = b;
    b->next = c;
    c->kids.push_back(a);
    a->kids.push_back(cyc::make<Node>("t1"));
    a->kids[0]->kids.push_back(cyc::make<Node>("t2"));
    // An independent self-list.
    auto li = cyc::make<List>();
    li->push_back(li);
  }
  gc::CollectReport r = collect_report();
  EXPECT_EQ(r.collected, 6u);
  ASSERT_EQ(r.cycles.size(), 2u);
  std::size_t objects = 0;
  std::multiset<std::size_t> sizes, path_lengths;
  for (auto& c : r.cycles) {
    objects += c.objects;
    sizes.insert(c.objects);
    path_lengths.insert(c.path.size());
  }
  EXPECT_EQ(objects, 6u);
  EXPECT_EQ(sizes, (std::multiset<std::size_t>{1, 5}));
  EXPECT_EQ(path_lengths, (std::multiset<std::size_t>{1, 3}));
  for (auto& c : r.cycles)
    if (c.path.size() == 3) {
      std::multiset<std::string> fields;
      for (auto& e : c.path) {
        EXPECT_EQ(e.type, "Node");
        fields.insert(e.field);
      }
      EXPECT_EQ(fields, (std::multiset<std::string>{"next", "next", "kids"}));
    }
}

TEST_F(GcTest, RemovedCallbackIsNotCalled) {
  int calls_a = 0, calls_b = 0;
  std::size_t a = gc::add_callback([&](const gc::CollectReport&) { ++calls_a; });
  std::size_t b = on_collect([&](const gc::CollectReport&) { ++calls_b; });
  EXPECT_NE(a, b);
  gc::collect();
  EXPECT_EQ(calls_a, 1);
  EXPECT_EQ(calls_b, 1);
  EXPECT_TRUE(gc::remove_callback(a));
  EXPECT_FALSE(gc::remove_callback(a)) << "already removed";
  gc::collect();
  EXPECT_EQ(calls_a, 1);
  EXPECT_EQ(calls_b, 2);
}

TEST_F(GcTest, CollectFromACallbackReturnsZero) {
  std::vector<std::size_t> inner;
  on_collect([&](const gc::CollectReport&) { inner.push_back(gc::collect()); });
  {
    auto li = cyc::make<List>();
    li->push_back(li);
  }
  EXPECT_EQ(gc::collect(), 1u);
  EXPECT_EQ(inner, (std::vector<std::size_t>{0}));
}

TEST_F(GcTest, DebugCollectablePrintsCycles) {
  {
    auto a = cyc::make<DNode>();
    auto b = cyc::make<DNode>();
    a->next = b;
    b->prev = a;
  }
  gc::set_debug(gc::COLLECTABLE | gc::STATS);
  ::testing::internal::CaptureStderr();
  std::size_t n = gc::collect();
  std::string err = ::testing::internal::GetCapturedStderr();
  gc::set_debug(0);
  EXPECT_EQ(n, 2u);
  EXPECT_NE(err.find("collectable cycle: DNode."), std::string::npos) << err;
  EXPECT_NE(err.find("2 unreachable"), std::string::npos) << err;
}

// --- thresholds, generations, statistics --------------------------------------------------

// Makes n garbage 2-cycles (each records two candidates).
void make_garbage_cycles(int n) {
  for (int i = 0; i < n; ++i) {
    auto a = cyc::make<Node>();
    auto b = cyc::make<Node>();
    a->next = b;
    b->next = a;
  }
}

TEST_F(GcTest, ThresholdDefaultsAndSetting) {
  EXPECT_EQ(gc::get_threshold(), (std::array<std::size_t, 3>{700, 10, 10}));
  gc::set_threshold(5);
  EXPECT_EQ(gc::get_threshold(), (std::array<std::size_t, 3>{5, 10, 10}));
  gc::set_threshold(100, 3, 4);
  EXPECT_EQ(gc::get_threshold(), (std::array<std::size_t, 3>{100, 3, 4}));
}

TEST_F(GcTest, LowThresholdTriggersAutomaticCollection) {
  std::vector<int> generations;
  std::size_t found = 0;
  on_collect([&](const gc::CollectReport& r) {
    generations.push_back(r.generation);
    found += r.collected;
  });
  const auto before = gc::stats();
  gc::set_threshold(5);
  make_garbage_cycles(20);
  EXPECT_FALSE(generations.empty()) << "no automatic collection ran";
  EXPECT_GT(gc::stats()[0].collections, before[0].collections);
  EXPECT_GT(found, 0u);
  EXPECT_LT(Live::count, live_ + 40) << "automatic collections freed some of the garbage";
  for (int g : generations) EXPECT_EQ(g, 0);
}

// 20 garbage pairs: 40 candidates, and 40 objects alive until collected.
std::vector<Weak<Node>> make_watched_garbage_pairs() {
  std::vector<Weak<Node>> watched;
  for (int i = 0; i < 20; ++i) {
    auto a = cyc::make<Node>();
    auto b = cyc::make<Node>();
    a->next = b;
    b->next = a;
    watched.emplace_back(a);
    watched.emplace_back(b);
  }
  return watched;
}

// On the process's only thread, with nobody asking for the cycles (no callback, no report), an
// automatic collection only finds and commits its garbage: the allocations after it tear it down,
// a few steps each. The garbage is dead at once; its destructors run later.
TEST_F(GcTest, AllocationsAfterAnAutomaticCollectionTearItsGarbageDown) {
  gc::set_threshold(40);
  const std::vector<Weak<Node>> watched = make_watched_garbage_pairs();
  const auto before = gc::stats()[0];
  auto trigger = cyc::make<Node>("trigger");  // the 40 candidates make a collection due
  ASSERT_EQ(gc::stats()[0].collections, before.collections + 1);
  EXPECT_EQ(gc::stats()[0].collected, before.collected + 40);
  for (const auto& w : watched) EXPECT_FALSE(w.lock()) << "garbage is dead from the collection on";
  EXPECT_EQ(Live::count, live_ + 41) << "no destructor ran in the collection";
  std::vector<Handle<Node>> made;
  while (Live::count > live_ + 1 + static_cast<int>(made.size())) {
    made.push_back(cyc::make<Node>());
    ASSERT_LT(made.size(), 100u) << "the teardown does not advance";
  }
  EXPECT_GT(made.size(), 1u) << "the teardown is spread over allocations";
  EXPECT_EQ(gc::tracked(), tracked_ + 1 + made.size());
  EXPECT_EQ(gc::stats()[0].collections, before.collections + 1);
}

// collect() and safepoint() first finish what an automatic collection left to tear down.
TEST_F(GcTest, CollectAndSafepointFinishALeftTeardown) {
  gc::set_threshold(40);
  make_watched_garbage_pairs();
  auto trigger = cyc::make<Node>("trigger");
  ASSERT_EQ(Live::count, live_ + 41);
  EXPECT_EQ(gc::collect(), 0u);
  EXPECT_EQ(Live::count, live_ + 1);
  make_watched_garbage_pairs();
  auto trigger2 = cyc::make<Node>("trigger 2");
  ASSERT_EQ(Live::count, live_ + 42);
  EXPECT_EQ(gc::safepoint(), 0u);
  EXPECT_EQ(Live::count, live_ + 2);
}

// A destructor run by an allocation's teardown step may collect (and gets 0, as inside any
// collection), allocate and drop.
struct SweptReentrant {
  static inline std::vector<std::size_t> inner_collect;
  Handle<SweptReentrant> next;
  CYC_TRACE(next)
  ~SweptReentrant() {
    inner_collect.push_back(gc::collect());
    auto made = cyc::make<Node>("made in a destructor");
  }
};

TEST_F(GcTest, DestructorsRunByATeardownStepMayCollectAndAllocate) {
  SweptReentrant::inner_collect.clear();
  gc::set_threshold(2);
  {
    auto a = cyc::make<SweptReentrant>();
    auto b = cyc::make<SweptReentrant>();
    a->next = b;
    b->next = a;
  }
  std::vector<Handle<Node>> made;
  while (SweptReentrant::inner_collect.size() < 2) {
    made.push_back(cyc::make<Node>());
    ASSERT_LT(made.size(), 100u);
  }
  EXPECT_EQ(SweptReentrant::inner_collect, (std::vector<std::size_t>{0, 0}));
}

// Random graphs under automatic collections with low thresholds, so that teardowns left to
// later allocations interleave with links, drops and weak locks. A weak handle must never lock
// an object a collection found (it is dead before its teardown starts: when it was not, this
// test aborted), and every object must be destroyed once (Live counts them; ASan builds catch
// a teardown touching freed memory).
TEST_F(GcTest, TeardownsLeftToAllocationsInterleaveWithTheProgram) {
  std::mt19937 rng(7);
  for (int round = 0; round < 20; ++round) {
    gc::set_threshold(1 + rng() % 40, 1 + rng() % 5, 1 + rng() % 5);
    std::vector<Handle<Node>> roots;
    std::vector<Weak<Node>> weaks;
    for (int op = 0; op < 2000; ++op) {
      const unsigned r = rng() % 10;
      if (r < 4 || roots.empty()) {
        roots.push_back(cyc::make<Node>());
        weaks.emplace_back(roots.back());
      } else if (r < 7) {  // link two roots (cycles form), then drop one
        Handle<Node>& a = roots[rng() % roots.size()];
        a->kids.push_back(roots[rng() % roots.size()]);
        if (rng() % 2) a->next = roots[rng() % roots.size()];
        roots.erase(roots.begin() + static_cast<std::ptrdiff_t>(rng() % roots.size()));
      } else if (r < 9) {  // lock a weak handle and use what it gives
        if (Handle<Node> h = weaks[rng() % weaks.size()].lock()) h->kids.emplace_back();
      } else {
        roots.erase(roots.begin() + static_cast<std::ptrdiff_t>(rng() % roots.size()));
      }
    }
  }
  gc::set_threshold(700, 10, 10);
  gc::collect();
  EXPECT_EQ(gc::tracked(), tracked_);
  EXPECT_EQ(Live::count, live_);
}

TEST_F(GcTest, AutomaticCollectionsOfOlderGenerations) {
  std::vector<int> generations;
  on_collect([&](const gc::CollectReport& r) { generations.push_back(r.generation); });
  gc::set_threshold(2, 2, 2);
  make_garbage_cycles(30);
  EXPECT_NE(std::count(generations.begin(), generations.end(), 0), 0);
  EXPECT_NE(std::count(generations.begin(), generations.end(), 1), 0) << "every 2 young collections";
  EXPECT_NE(std::count(generations.begin(), generations.end(), 2), 0) << "every 2 middle collections";
}

// CPython's long-lived rule: with 400 objects alive after the last collection of generation
// 2, automatic collections of it wait until 100 objects have entered it since.
TEST_F(GcTest, TheOldestGenerationWaitsForAQuarterMoreLongLivedObjects) {
  std::vector<Handle<Node>> live;
  for (int i = 0; i < 400; ++i) {
    live.push_back(cyc::make<Node>());
    Handle<Node> candidate = live.back();  // dropped: examined by the collect() below
  }
  gc::collect();
  const std::size_t base = gc::stats()[2].tracked_after;
  ASSERT_GE(base, 400u);
  std::vector<int> generations;
  on_collect([&](const gc::CollectReport& r) { generations.push_back(r.generation); });
  gc::set_threshold(2, 2, 2);
  make_garbage_cycles(60);  // garbage enters no generation
  EXPECT_EQ(std::count(generations.begin(), generations.end(), 2), 0) << "nothing long-lived is pending";
  EXPECT_NE(std::count(generations.begin(), generations.end(), 1), 0);
  // Objects that survive collections of generation 1 enter generation 2.
  while (gc::stats()[2].promoted < base / 4) {
    live.push_back(cyc::make<Node>());
    Handle<Node> candidate = live.back();
  }
  generations.clear();
  make_garbage_cycles(30);
  EXPECT_NE(std::count(generations.begin(), generations.end(), 2), 0) << "a quarter more is pending";
  EXPECT_EQ(gc::stats()[2].promoted, 0u) << "none is pending after a collection of generation 2";
}

// An automatic collection of generation 2 examines a bounded slice of its candidates; the
// next ones go on with the rest, and a garbage cycle among them is found by one of them.
TEST_F(GcTest, AutomaticCollectionsOfTheOldestGenerationGoInSlices) {
  constexpr int kLive = 150000;  // more than one slice examines
  gc::disable();
  std::vector<Handle<Node>> live;
  live.reserve(kLive);
  for (int i = 0; i < kLive; ++i) {
    live.push_back(cyc::make<Node>());
    Handle<Node> candidate = live.back();
  }
  // Two of them in a cycle that only the candidates' lists still reach.
  live[kLive - 1]->next = live[kLive - 2];
  live[kLive - 2]->next = live[kLive - 1];
  gc::collect(1);  // explicit: all examined, all promoted into generation 2
  for (auto& h : live) Handle<Node> touched = h;  // old candidates, listed in generation 2
  live.resize(kLive - 2);
  const std::vector<gc::CollectReport> slices = automatic_slices(kLive);
  ASSERT_GE(slices.size(), 2u) << "one slice cannot examine " << kLive << " objects";
  for (const gc::CollectReport& r : slices) EXPECT_LT(r.traversed, static_cast<std::size_t>(kLive));
  std::size_t collected = 0;
  for (const gc::CollectReport& r : slices) collected += r.collected;
  EXPECT_EQ(collected, 2u) << "the cycle among the old candidates is found by a slice";
}

// A slice stops taking candidates once it has examined its share (about 100,000 objects,
// <cyc/gc.h>), counting all that the candidates it took reach: here each heads a chain of 5,000
// objects that are not candidates, and a slice examines at most its share and one chain.
TEST_F(GcTest, ASliceCountsAllThatItsCandidatesReach) {
  constexpr int kChains = 40, kLength = 5000;  // 200,000 objects: more than one slice examines
  gc::disable();
  std::vector<Handle<Node>> heads;
  for (int i = 0; i < kChains; ++i) {
    heads.push_back(cyc::make<Node>());
    Node* tail = heads.back().get();
    for (int j = 1; j < kLength; ++j) {
      tail->next = cyc::make<Node>();  // moved in: no count goes down, no candidate
      tail = tail->next.get();
    }
    Handle<Node> candidate = heads.back();
  }
  gc::collect(1);  // explicit: all examined, all promoted into generation 2
  for (auto& h : heads) Handle<Node> touched = h;  // old candidates, listed in generation 2
  constexpr std::size_t kAll = std::size_t{kChains} * kLength;
  const std::vector<gc::CollectReport> slices = automatic_slices(kAll);
  ASSERT_GE(slices.size(), 2u) << "one slice cannot examine " << kAll << " objects";
  std::size_t examined = 0;
  for (const gc::CollectReport& r : slices) {
    EXPECT_LE(r.traversed, kAll / 2 + kLength);
    examined += r.traversed;
  }
  EXPECT_GE(examined, kAll) << "the slices went on with the rest";
}

TEST_F(GcTest, DisableStopsAutomaticCollection) {
  int calls = 0;
  on_collect([&](const gc::CollectReport&) { ++calls; });
  gc::set_threshold(5);
  gc::disable();
  EXPECT_FALSE(gc::is_enabled());
  make_garbage_cycles(20);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(Live::count, live_ + 40);
  EXPECT_EQ(gc::get_count()[0], 40u);
  // An explicit collect() works while disabled.
  EXPECT_EQ(gc::collect(), 40u);
  EXPECT_EQ(calls, 1);

  make_garbage_cycles(5);
  gc::enable();
  EXPECT_TRUE(gc::is_enabled());
  auto n = cyc::make<Node>();  // the next allocation collects
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(Live::count, live_ + 1);
}

TEST_F(GcTest, ThresholdZeroDisablesAutomaticCollection) {
  int calls = 0;
  on_collect([&](const gc::CollectReport&) { ++calls; });
  gc::set_threshold(0);
  EXPECT_TRUE(gc::is_enabled());
  make_garbage_cycles(1000);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(Live::count, live_ + 2000);
  EXPECT_EQ(gc::collect(), 2000u);
}

TEST_F(GcTest, GetCountFollowsCandidatesAndCollections) {
  EXPECT_EQ(gc::get_count(), (std::array<std::size_t, 3>{0, 0, 0}));
  make_garbage_cycles(3);
  EXPECT_EQ(gc::get_count(), (std::array<std::size_t, 3>{6, 0, 0}));
  EXPECT_EQ(gc::collect(0), 6u);
  EXPECT_EQ(gc::get_count(), (std::array<std::size_t, 3>{0, 1, 0}));
  gc::collect(0);
  EXPECT_EQ(gc::get_count(), (std::array<std::size_t, 3>{0, 2, 0}));
  gc::collect(1);
  EXPECT_EQ(gc::get_count(), (std::array<std::size_t, 3>{0, 0, 1}));
  gc::collect(2);
  EXPECT_EQ(gc::get_count(), (std::array<std::size_t, 3>{0, 0, 0}));
}

// A candidate destroyed before the collection leaves a hole in its list; the collection skips
// it and does not count it.
TEST_F(GcTest, CandidatesDestroyedBeforeACollectionAreNotCounted) {
  const auto before = gc::stats();
  make_garbage_cycles(1);
  {
    auto gone = cyc::make<Node>();
    { Handle<Node> copy = gone; }  // a candidate now
  }                                // destroyed: a hole in the list
  make_garbage_cycles(1);
  EXPECT_EQ(gc::collect(0), 4u);
  const auto after = gc::stats();
  EXPECT_EQ(after[0].candidates, before[0].candidates + 4);
  EXPECT_EQ(after[0].traversed, before[0].traversed + 4);
}

TEST_F(GcTest, StatsCountPerGeneration) {
  const auto before = gc::stats();
  make_garbage_cycles(2);
  EXPECT_EQ(gc::collect(0), 4u);
  auto after = gc::stats();
  EXPECT_EQ(after[0].collections, before[0].collections + 1);
  EXPECT_EQ(after[0].collected, before[0].collected + 4);
  EXPECT_EQ(after[0].candidates, before[0].candidates + 4);
  EXPECT_EQ(after[0].traversed, before[0].traversed + 4);
  EXPECT_EQ(after[0].uncollectable, 0u);
  EXPECT_EQ(after[1].collections, before[1].collections);
  EXPECT_EQ(after[2].collections, before[2].collections);

  make_garbage_cycles(1);
  EXPECT_EQ(gc::collect(1), 2u);
  EXPECT_EQ(gc::collect(2), 0u);
  auto last = gc::stats();
  EXPECT_EQ(last[0].collections, after[0].collections);
  EXPECT_EQ(last[1].collections, after[1].collections + 1);
  EXPECT_EQ(last[1].collected, after[1].collected + 2);
  EXPECT_EQ(last[2].collections, after[2].collections + 1);
  EXPECT_EQ(last[2].collected, after[2].collected);
}

TEST_F(GcTest, YoungCollectionsLeaveOldCyclesAlone) {
  Weak<Node> wa;
  {
    auto keep = cyc::make<Node>("keep");
    auto a = cyc::make<Node>("a");
    auto b = cyc::make<Node>("b");
    a->next = b;
    b->next = a;
    keep->kids.push_back(a);
    wa = a;
    a.reset();
    b.reset();
    // a and b survive a full collection: they are old now.
    EXPECT_EQ(gc::collect(), 0u);
  }  // keep goes: a <-> b is garbage, in the oldest generation
  EXPECT_FALSE(wa.expired());
  EXPECT_EQ(gc::collect(0), 0u);
  EXPECT_EQ(gc::collect(1), 0u);
  EXPECT_FALSE(wa.expired());
  EXPECT_EQ(gc::collect(2), 2u);
  EXPECT_TRUE(wa.expired());
}

TEST_F(GcTest, YoungCycleThroughAnOldObjectWaitsForAnOlderCollection) {
  auto old = cyc::make<Node>("old");
  {
    auto tmp = old;  // make it a candidate so that a collection examines (and ages) it
  }
  EXPECT_EQ(gc::collect(), 0u);
  {
    auto young = cyc::make<Node>("young");
    young->next = old;
    old->next = young;
  }
  old.reset();
  EXPECT_EQ(gc::collect(0), 0u) << "a young collection stops at the old object";
  EXPECT_EQ(gc::collect(1), 0u);
  EXPECT_EQ(gc::collect(2), 2u);
}

TEST_F(GcTest, CollectRejectsBadGenerations) {
  EXPECT_THROW(gc::collect(3), std::invalid_argument);
  EXPECT_THROW(gc::collect(-1), std::invalid_argument);
  EXPECT_NO_THROW(gc::collect(0));
  EXPECT_NO_THROW(gc::collect(1));
  EXPECT_NO_THROW(gc::collect(2));
}

// --- cost: objects examined, not time ------------------------------------------------------

TEST_F(GcTest, CollectionCostIsProportionalToWhatChanged) {
  constexpr std::size_t N = 100'000;
  gc::disable();
  auto holder = cyc::make<std::vector<Handle<Node>>>();
  holder->reserve(N);
  for (std::size_t i = 0; i < N; ++i) {
    auto n = cyc::make<Node>();
    holder->push_back(n);  // the drop of n makes every node a candidate
  }
  for (std::size_t i = 0; i + 1 < N; ++i) (*holder)[i]->next = (*holder)[i + 1];  // plus a live chain
  gc::enable();
  EXPECT_EQ(gc::tracked(), tracked_ + N + 1);

  gc::CollectReport first = collect_report();
  EXPECT_EQ(first.collected, 0u);
  EXPECT_GE(first.traversed, N) << "the first collection examines the candidates";

  gc::CollectReport second = collect_report();
  EXPECT_EQ(second.collected, 0u);
  EXPECT_EQ(second.candidates, 0u);
  EXPECT_EQ(second.traversed, 0u) << "an unchanged heap costs nothing to collect";
  const auto before = gc::stats();
  EXPECT_EQ(gc::collect(), 0u);
  EXPECT_EQ(gc::stats()[2].traversed, before[2].traversed);

  make_garbage_cycles(1);
  gc::CollectReport third = collect_report();
  EXPECT_EQ(third.collected, 2u);
  EXPECT_LE(third.traversed, 4u) << "one new cycle among 100k live objects: examine only it";
  EXPECT_EQ(gc::tracked(), tracked_ + N + 1);
  holder.reset();  // the chain is not cyclic: reference counting frees it all
  EXPECT_EQ(gc::tracked(), tracked_);
}

}  // namespace
