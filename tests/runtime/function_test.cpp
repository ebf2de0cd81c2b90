// function_test.cpp - cyc::Function and cyc::closure: a std::function-like callable whose
// captured handles the collector sees, so that a callback capturing its owner is a
// collectable cycle (reported through the field that holds it), while the same capture in a
// std::function or a lambda stays a leak. Also run under ThreadSanitizer (label "threads").
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <cyc/cyc.h>

namespace {

// Counts live instances.
struct Live {
  static inline std::atomic<int> count{0};
  Live() { ++count; }
  Live(const Live&) { ++count; }
  ~Live() { --count; }
};

}  // namespace

// Global names: they appear exactly like this in reports.
struct Owner {
  std::string name;
  cyc::Function<void()> on_done;
  Live live;  // last, so that make<Owner>("a") initializes `name`
  CYC_TRACE(on_done)
};

// The same callback in a std::function. `next` makes the type tracked; tracing the
// std::function visits nothing, so an edge through it is hidden from the collector.
struct StdOwner {
  std::function<void()> on_done;
  cyc::Handle<StdOwner> next;
  Live live;
  CYC_TRACE(next, on_done)
};

// Calls its callback from its destructor: shows what a destructor of garbage can reach.
struct Peer {
  static constexpr unsigned kMagic = 0x5EE5u;
  unsigned magic = kMagic;
  cyc::Function<void()> on_done;
  Live live;
  CYC_TRACE(on_done)
  ~Peer() {
    if (on_done) on_done();
    magic = 0;
  }
};

namespace {

using cyc::Handle;
using cyc::Weak;
namespace gc = cyc::gc;

// A named callable, so that tests can name the closure type.
struct Probe {
  std::vector<std::string>* log;
  void operator()(Handle<Peer>& other) const {
    if (!other)
      log->push_back("null");
    else  // reading a freed Peer here is what AddressSanitizer would catch
      log->push_back(other->magic == Peer::kMagic ? "live" : "dangling");
  }
};

// A user functor with a trace hook of its own: traced when stored in a Function.
struct Ping {
  Handle<Owner> to;
  void operator()() const {}
  CYC_TRACE(to)
};

struct Counter {
  std::atomic<long> n{0};
};

int add(int a, int b) { return a + b; }

using Noop = decltype([](auto&...) {});

// --- traits -----------------------------------------------------------------------------
static_assert(cyc::is_traceable_v<cyc::Function<void()>>);
static_assert(cyc::is_traceable_v<cyc::Function<int(int, std::string&)>>);
static_assert(cyc::is_traceable_v<std::vector<cyc::Function<void()>>>, "a list of callbacks is traced");
static_assert(cyc::is_traceable_v<Owner>);
static_assert(cyc::is_traceable_v<cyc::Closure<Noop, Handle<Owner>>>);
static_assert(cyc::is_traceable_v<cyc::Closure<Noop, int, std::vector<Handle<>>>>);
static_assert(cyc::is_traceable_v<cyc::Closure<Ping>>, "a traceable functor makes the closure traceable");
static_assert(!cyc::is_traceable_v<cyc::Closure<Noop, Weak<Owner>>>, "weak captures are never edges");
static_assert(!cyc::is_traceable_v<cyc::Closure<Noop, int>>);
static_assert(!cyc::is_traceable_v<std::function<void()>>, "std::function hides what it captures");
// A Closure is storable where std::function is (and hides its edges there).
static_assert(std::is_constructible_v<std::function<void()>, cyc::Closure<Noop, Handle<Owner>>>);
static_assert(std::is_constructible_v<cyc::Function<void()>, cyc::Closure<Noop, Handle<Owner>>>);
// Signatures are checked: a callable that cannot be called so is rejected at compile time.
static_assert(!std::is_constructible_v<cyc::Function<int(int)>, decltype([](std::string) { return 0; })>);
static_assert(!std::is_constructible_v<cyc::Function<int()>, decltype([] {})>, "no int result");
static_assert(std::is_constructible_v<cyc::Function<void()>, decltype([] { return 1; })>, "result dropped");
// std::function's requirement: the callable must be copyable.
static_assert(!std::is_constructible_v<cyc::Function<void()>, decltype([p = std::unique_ptr<int>()] {})>);
// The common case, a callback capturing its owner and one more handle, needs no allocation.
static_assert(sizeof(cyc::Closure<Noop, Handle<Owner>, Handle<>>) == 2 * sizeof(Handle<>));
static_assert(cyc::detail::function_inline_v<cyc::Closure<Noop, Handle<Owner>, Handle<>>>);
static_assert(std::is_nothrow_move_constructible_v<cyc::Function<void()>>);
static_assert(std::is_nothrow_swappable_v<cyc::Function<void()>>);

// Restores the collector's state and checks that every test cleans up after itself.
class FunctionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gc::collect();
    tracked_ = gc::tracked();
    live_ = Live::count;
  }
  void TearDown() override {
    gc::collect();
    EXPECT_EQ(gc::tracked(), tracked_) << "tracked objects left behind";
    EXPECT_EQ(Live::count.load(), live_) << "objects left alive";
  }
  // Collects with a callback attached; returns the report.
  static gc::CollectReport collect_report() {
    gc::CollectReport out;
    std::size_t id = gc::add_callback([&](const gc::CollectReport& r) { out = r; });
    std::size_t n = gc::collect();
    gc::remove_callback(id);
    EXPECT_EQ(n, out.collected);
    return out;
  }
  static std::set<std::string> paths(const gc::CollectReport& r) {
    std::set<std::string> out;
    for (const gc::Cycle& c : r.cycles) out.insert(gc::format_path(c.path));
    return out;
  }

  std::size_t tracked_ = 0;
  int live_ = 0;
};

// --- calling ----------------------------------------------------------------------------

TEST_F(FunctionTest, CallsWithArgumentsAndReturnValues) {
  cyc::Function<int(int, int)> sum = [](int a, int b) { return a + b; };
  EXPECT_EQ(sum(2, 3), 5);
  cyc::Function<int(int, int)> by_pointer = &add;
  EXPECT_EQ(by_pointer(4, 5), 9);
  cyc::Function<int(int, int)> by_name = add;
  EXPECT_EQ(by_name(1, 1), 2);

  // References go through as references; move-only arguments are moved along.
  cyc::Function<void(std::string&)> append = [](std::string& s) { s += "!"; };
  std::string s = "hi";
  append(s);
  EXPECT_EQ(s, "hi!");
  cyc::Function<int(std::unique_ptr<int>)> take = [](std::unique_ptr<int> p) { return *p; };
  EXPECT_EQ(take(std::make_unique<int>(7)), 7);

  // Results convert to R; R = void drops them.
  cyc::Function<long(int)> widen = [](int x) { return x * 2; };
  EXPECT_EQ(widen(21), 42L);
  int calls = 0;
  cyc::Function<void()> drop = [&calls] { return ++calls; };
  drop();
  EXPECT_EQ(calls, 1);

  // A stateful callable keeps its state between calls.
  cyc::Function<int()> next = [n = 0]() mutable { return ++n; };
  EXPECT_EQ(next(), 1);
  EXPECT_EQ(next(), 2);
}

TEST_F(FunctionTest, ClosurePassesStoredHandlesFirstAsLvalues) {
  auto counter = cyc::make<Counter>();
  const Handle<Counter>* seen = nullptr;
  std::size_t count_in_call = 0;
  auto c = cyc::closure(
      [&](Handle<Counter>& k, int by, const std::string& why) {
        seen = &k;
        count_in_call = k.use_count();
        k->n += by;
        return why + "=" + std::to_string(k->n.load());
      },
      counter);
  EXPECT_EQ(counter.use_count(), 2u) << "the closure holds a strong handle";
  EXPECT_EQ(c(2, "a"), "a=2");
  // The closure's own copy, passed by reference: no count traffic per call.
  EXPECT_EQ(seen, &std::get<0>(c.state()));
  EXPECT_EQ(count_in_call, 2u);

  cyc::Function<std::string(int, const std::string&)> f = c;
  EXPECT_EQ(counter.use_count(), 3u) << "the Function holds a copy of the closure";
  EXPECT_EQ(f(3, "b"), "b=5");
  EXPECT_NE(seen, &std::get<0>(c.state())) << "the Function called its own copy";

  // Several pieces, strong, weak and plain, in order; a const closure passes const pieces.
  const auto several = cyc::closure(
      [](const Handle<Counter>& k, const Weak<Counter>& w, const int& base, int x) {
        return base + x + static_cast<int>(k->n.load()) + (w.lock() ? 100 : 0);
      },
      counter, Weak<Counter>(counter), 1000);
  EXPECT_EQ(several(1), 1106);
}

// --- value semantics --------------------------------------------------------------------

TEST_F(FunctionTest, EmptyFunctionsThrowBadFunctionCall) {
  cyc::Function<int(int)> empty;
  EXPECT_FALSE(empty);
  EXPECT_TRUE(empty == nullptr);
  EXPECT_FALSE(empty.traced());
  EXPECT_THROW(empty(1), std::bad_function_call);

  cyc::Function<int(int)> null = nullptr;
  EXPECT_THROW(null(1), std::bad_function_call);
  // As with std::function: a null function pointer or empty wrapper gives an empty Function.
  int (*no_fn)(int) = nullptr;
  cyc::Function<int(int)> from_null_pointer = no_fn;
  EXPECT_FALSE(from_null_pointer);
  cyc::Function<int(int)> from_empty_std = std::function<int(int)>();
  EXPECT_FALSE(from_empty_std);
  cyc::Function<long(int)> from_empty_cyc = empty;
  EXPECT_FALSE(from_empty_cyc);

  cyc::Function<int(int)> f = [](int x) { return x; };
  EXPECT_TRUE(f);
  EXPECT_TRUE(f != nullptr);
  f = nullptr;
  EXPECT_FALSE(f);
  f = [](int x) { return -x; };
  EXPECT_EQ(f(3), -3);
  f.reset();
  EXPECT_THROW(f(3), std::bad_function_call);
}

TEST_F(FunctionTest, CopyMoveAndSwapKeepHandleCountsExact) {
  auto counter = cyc::make<Counter>();
  auto bump = [](Handle<Counter>& k) { return ++k->n; };
  cyc::Function<long()> a = cyc::closure(bump, counter);
  EXPECT_EQ(counter.use_count(), 2u);

  cyc::Function<long()> b = a;  // copy: a second closure, a second handle
  EXPECT_EQ(counter.use_count(), 3u);
  EXPECT_EQ(a(), 1);
  EXPECT_EQ(b(), 2) << "copies share the object, not the closure";

  cyc::Function<long()> c = std::move(a);  // move: the same handle, a is empty
  EXPECT_EQ(counter.use_count(), 3u);
  EXPECT_FALSE(a);
  EXPECT_EQ(c(), 3);

  cyc::Function<long()> d = [] { return -1L; };
  swap(c, d);
  EXPECT_EQ(c(), -1);
  EXPECT_EQ(d(), 4);
  d.swap(d);
  EXPECT_EQ(d(), 5);

  b = d;  // copy-assign over a closure: one released, one copied
  EXPECT_EQ(counter.use_count(), 3u);
  b = std::move(c);
  EXPECT_EQ(counter.use_count(), 2u);
  EXPECT_EQ(b(), -1);
  d = nullptr;
  EXPECT_EQ(counter.use_count(), 1u);
}

TEST_F(FunctionTest, LargeCallablesAreStoredOutOfLine) {
  // Larger than the inline buffer: the heap path must copy, move and destroy alike.
  auto counter = cyc::make<Counter>();
  std::array<long, 16> big{};
  big[15] = 9;
  auto sum = [big](Handle<Counter>& a, Handle<Counter>& b, Handle<Counter>& c, Handle<Counter>& d,
                   Handle<Counter>& e) { return big[15] + a->n + b->n + c->n + d->n + e->n; };
  cyc::Function<long()> f = cyc::closure(sum, counter, counter, counter, counter, counter);
  EXPECT_EQ(counter.use_count(), 6u);
  EXPECT_TRUE(f.traced());
  counter->n = 1;
  EXPECT_EQ(f(), 14);
  cyc::Function<long()> g = f;
  EXPECT_EQ(counter.use_count(), 11u);
  cyc::Function<long()> h = std::move(f);
  EXPECT_EQ(counter.use_count(), 11u);
  EXPECT_FALSE(f);
  swap(g, f);
  EXPECT_EQ(f(), 14);
  EXPECT_EQ(h(), 14);
  f.reset();
  h = nullptr;
  EXPECT_EQ(counter.use_count(), 1u);
}

TEST_F(FunctionTest, TargetAndTracedSayWhatIsStored) {
  auto counter = cyc::make<Counter>();
  std::vector<std::string> log;
  cyc::Function<void(Handle<Peer>&)> probe = Probe{&log};
  EXPECT_NE(probe.target<Probe>(), nullptr);
  EXPECT_EQ(probe.target<Probe>()->log, &log);
  EXPECT_EQ(probe.target<int (*)(int, int)>(), nullptr);
  EXPECT_FALSE(probe.traced()) << "Probe has no trace hook";

  auto fn = [](Handle<Counter>&) {};
  cyc::Function<void()> f = cyc::closure(fn, counter);
  using C = cyc::Closure<decltype(fn), Handle<Counter>>;
  ASSERT_NE(f.target<C>(), nullptr);
  EXPECT_EQ(std::get<0>(f.target<C>()->state()), counter);
  EXPECT_TRUE(f.traced());

  cyc::Function<void()> opaque = [counter] { (void)counter; };
  EXPECT_FALSE(opaque.traced()) << "a lambda's captures are invisible to the collector";
  cyc::Function<void()> weak_only = cyc::closure([](Weak<Counter>&) {}, Weak<Counter>(counter));
  EXPECT_FALSE(weak_only.traced());
  cyc::Function<int()> counted = cyc::closure([](Handle<Counter>& k) { return static_cast<int>(k->n); }, counter);
  cyc::Function<void()> wrapper = counted;  // another signature: wraps it, still traced
  EXPECT_TRUE(wrapper.traced());
  EXPECT_NE(wrapper.target<cyc::Function<int()>>(), nullptr);
}

// --- the collector ----------------------------------------------------------------------

TEST_F(FunctionTest, CallbackCapturingItsOwnerIsCollected) {
  Weak<Owner> w;
  int calls = 0;
  {
    auto owner = cyc::make<Owner>("job");
    EXPECT_TRUE(gc::is_tracked(owner));
    owner->on_done = cyc::closure([&calls](Handle<Owner>& self) { calls += self->name == "job"; }, owner);
    owner->on_done();
    EXPECT_EQ(owner.use_count(), 2u);
    w = owner;
  }
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(w.expired()) << "reference counting cannot free the owner: its callback holds it";
  EXPECT_EQ(Live::count.load(), live_ + 1);

  gc::CollectReport r = collect_report();
  EXPECT_EQ(r.collected, 1u);
  EXPECT_TRUE(w.expired());
  EXPECT_EQ(Live::count.load(), live_);
  ASSERT_EQ(r.cycles.size(), 1u);
  ASSERT_EQ(r.cycles[0].path.size(), 1u);
  EXPECT_EQ(r.cycles[0].path[0].type, "Owner");
  EXPECT_EQ(r.cycles[0].path[0].field, "on_done");
  EXPECT_EQ(gc::format_path(r.cycles[0].path), "Owner.on_done -> (Owner)");
  EXPECT_EQ(gc::collect(), 0u) << "nothing left to find";
}

TEST_F(FunctionTest, CallbacksLinkingTwoOwnersAreCollected) {
  {
    auto a = cyc::make<Owner>("a");
    auto b = cyc::make<Owner>("b");
    auto fn = [](Handle<Owner>& other) { other->name += "+"; };
    a->on_done = cyc::closure(fn, b);
    b->on_done = cyc::closure(fn, a);
  }
  EXPECT_EQ(Live::count.load(), live_ + 2);
  gc::CollectReport r = collect_report();
  EXPECT_EQ(r.collected, 2u);
  EXPECT_EQ(Live::count.load(), live_);
  EXPECT_EQ(paths(r), (std::set<std::string>{"Owner.on_done -> Owner.on_done -> (Owner)"}));
}

TEST_F(FunctionTest, StdFunctionAndLambdaCapturesHideTheCycle) {
  Weak<StdOwner> by_lambda, by_std_closure;
  Weak<Owner> by_opaque;
  {
    auto a = cyc::make<StdOwner>();
    a->on_done = [a] { (void)a; };  // a std::function capturing its owner
    by_lambda = a;
    auto b = cyc::make<StdOwner>();
    b->on_done = cyc::closure([](Handle<StdOwner>&) {}, b);  // a closure, hidden again
    by_std_closure = b;
    auto c = cyc::make<Owner>("opaque");
    c->on_done = [c] { (void)c; };  // a cyc::Function, but holding a lambda
    EXPECT_FALSE(c->on_done.traced());
    by_opaque = c;
    EXPECT_TRUE(gc::is_tracked(a));
  }
  EXPECT_EQ(gc::collect(), 0u) << "the collector cannot see handles inside a std::function or lambda";
  EXPECT_FALSE(by_lambda.expired());
  EXPECT_FALSE(by_std_closure.expired());
  EXPECT_FALSE(by_opaque.expired());
  EXPECT_EQ(Live::count.load(), live_ + 3);

  // A true leak: only breaking the cycle by hand frees them.
  by_lambda.lock()->on_done = nullptr;
  by_std_closure.lock()->on_done = nullptr;
  by_opaque.lock()->on_done = nullptr;
  EXPECT_TRUE(by_lambda.expired());
  EXPECT_TRUE(by_std_closure.expired());
  EXPECT_TRUE(by_opaque.expired());
  EXPECT_EQ(Live::count.load(), live_);
}

TEST_F(FunctionTest, WeakCaptureFormsNoCycle) {
  Weak<Owner> w;
  int alive_calls = 0, dead_calls = 0;
  auto probe = [&](Weak<Owner>& self) {
    if (self.lock())
      ++alive_calls;
    else
      ++dead_calls;
  };
  cyc::Function<void()> kept;
  {
    auto owner = cyc::make<Owner>("w");
    owner->on_done = cyc::closure(probe, Weak<Owner>(owner));
    EXPECT_EQ(owner.use_count(), 1u) << "a weak capture is not a reference";
    owner->on_done();
    kept = owner->on_done;
    w = owner;
  }
  EXPECT_TRUE(w.expired()) << "freed by reference counting, no collection needed";
  EXPECT_EQ(Live::count.load(), live_);
  kept();
  EXPECT_EQ(alive_calls, 1);
  EXPECT_EQ(dead_calls, 1);
}

TEST_F(FunctionTest, ClosureOverAVectorOfHandles) {
  std::vector<Weak<Owner>> ws;
  {
    std::vector<Handle<Owner>> ring;
    for (const char* n : {"a", "b", "c"}) ring.push_back(cyc::make<Owner>(n));
    for (auto& o : ring) ws.push_back(o);
    // Each owner's callback holds all three.
    auto names = [](std::vector<Handle<Owner>>& all) {
      std::string s;
      for (auto& o : all) s += o->name;
      return s;
    };
    for (auto& o : ring) o->on_done = cyc::closure(names, ring);
    EXPECT_EQ(ring[0].use_count(), 4u);
    cyc::Function<std::string()> peek = cyc::closure(names, ring);
    EXPECT_EQ(peek(), "abc");
  }
  for (auto& w : ws) EXPECT_FALSE(w.expired());
  gc::CollectReport r = collect_report();
  EXPECT_EQ(r.collected, 3u);
  for (auto& w : ws) EXPECT_TRUE(w.expired());
  ASSERT_FALSE(r.cycles.empty());
  for (const gc::Cycle& c : r.cycles)
    for (const gc::Edge& e : c.path) EXPECT_EQ(e.field, "on_done") << gc::format_path(c.path);
}

TEST_F(FunctionTest, TraceableFunctorsAndNestedFunctionsAreTraced) {
  {
    auto a = cyc::make<Owner>("functor");
    a->on_done = Ping{a};  // a functor with its own hook
    EXPECT_TRUE(a->on_done.traced());
    auto b = cyc::make<Owner>("nested");
    cyc::Function<void()> inner = cyc::closure([](Handle<Owner>&) {}, b);
    b->on_done = [inner]() mutable { inner(); };  // a lambda around it: hidden...
    EXPECT_FALSE(b->on_done.traced());
    b->on_done = inner;  // ...the Function itself: traced
    EXPECT_TRUE(b->on_done.traced());
    cyc::Function<int()> returns = cyc::closure([](Handle<Owner>&) { return 1; }, b);
    b->on_done = returns;  // a Function of another signature, wrapped: still traced
    EXPECT_TRUE(b->on_done.traced());
  }
  EXPECT_EQ(gc::collect(), 2u);
}

TEST_F(FunctionTest, AFunctionObjectIsCollectable) {
  // make<Function> is a collectable callable, like a Python function object.
  Weak<cyc::Function<int()>> w;
  {
    auto f = cyc::make<cyc::Function<int()>>();
    EXPECT_TRUE(gc::is_tracked(f));
    *f = cyc::closure([](Handle<cyc::Function<int()>>& self) { return self ? 1 : 0; }, f);
    EXPECT_EQ((*f)(), 1);
    w = f;
  }
  EXPECT_FALSE(w.expired());
  EXPECT_EQ(gc::collect(), 1u);
  EXPECT_TRUE(w.expired());
}

TEST_F(FunctionTest, TeardownResetsClosureHandlesBeforeDestructors) {
  // Two peers whose callbacks hold each other, and a live Counter held by one callback.
  // Each destructor calls its callback: the handle to the other (garbage) peer must read
  // null, never dangling; the handle to the live Counter is dropped normally.
  std::vector<std::string> log;
  auto counter = cyc::make<Counter>();
  {
    auto a = cyc::make<Peer>();
    auto b = cyc::make<Peer>();
    a->on_done = cyc::closure(Probe{&log}, b);
    b->on_done = cyc::closure(
        [&log](Handle<Peer>& other, Handle<Counter>& k) {
          log.push_back(std::string(other ? "other" : "null") + (k ? "+counter" : "+no counter"));
        },
        a, counter);
    a->on_done();
    b->on_done();
  }
  EXPECT_EQ(log, (std::vector<std::string>{"live", "other+counter"}));
  EXPECT_EQ(counter.use_count(), 2u);
  log.clear();

  EXPECT_EQ(gc::collect(), 2u);
  std::multiset<std::string> seen(log.begin(), log.end());  // destructors run in no set order
  EXPECT_EQ(seen, (std::multiset<std::string>{"null", "null+no counter"}))
      << "destructors see reset handles, never dangling ones";
  EXPECT_EQ(counter.use_count(), 1u) << "the handle to the live Counter was dropped";
  EXPECT_EQ(Live::count.load(), live_);
}

TEST_F(FunctionTest, TeardownClearsTheClosureInPlace) {
  // The Function stays non-empty through teardown; its closure's handles are null.
  struct Check {
    std::vector<std::string>* log;
    void operator()(Handle<Peer>&) const {}
  };
  static std::vector<std::string> seen;
  seen.clear();
  struct Inspector {
    Handle<Peer> peer;
    cyc::Function<void()> cb;
    CYC_TRACE(peer, cb)
    ~Inspector() {
      using C = cyc::Closure<Check, Handle<Peer>>;
      const C* c = cb.target<C>();
      seen.push_back(!c ? "no closure" : std::get<0>(c->state()) ? "handle set" : "handle null");
      seen.push_back(peer ? "peer set" : "peer null");
    }
  };
  {
    auto p = cyc::make<Peer>();
    auto i = cyc::make<Inspector>();
    i->peer = p;
    i->cb = cyc::closure(Check{nullptr}, p);
    p->on_done = cyc::closure([](Handle<Inspector>&) {}, i);
  }
  EXPECT_EQ(gc::collect(), 2u);
  EXPECT_EQ(seen, (std::vector<std::string>{"handle null", "peer null"}));
}

// --- threads ----------------------------------------------------------------------------

TEST_F(FunctionTest, CopiesAndCallsOnManyThreadsWhileCollecting) {
  constexpr int kThreads = 4;
  constexpr int kIterations = 1500;
  auto counter = cyc::make<Counter>();
  const cyc::Function<void(long)> shared =
      cyc::closure([](Handle<Counter>& k, long by) { k->n.fetch_add(by, std::memory_order_relaxed); }, counter);
  std::atomic<int> workers_left{kThreads};
  std::atomic<long> found{0};
  std::size_t id = gc::add_callback([&](const gc::CollectReport& r) { found += static_cast<long>(r.collected); });
  std::thread collector([&] {
    while (workers_left.load() > 0) gc::collect();
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t)
    workers.emplace_back([&] {
      for (int i = 0; i < kIterations; ++i) {
        cyc::Function<void(long)> mine = shared;  // concurrent copies of one Function
        mine(1);
        shared(1);                                 // concurrent calls of one Function
        cyc::Function<void(long)> moved = std::move(mine);
        moved(1);
        // A fresh owner-callback cycle; its traced field is written before any handle
        // to the owner is dropped, so no collection can be examining it yet.
        auto owner = cyc::make<Owner>("t");
        owner->on_done = cyc::closure([](Handle<Owner>&, Handle<Counter>&) {}, owner, counter);
      }
      workers_left.fetch_sub(1);
    });
  for (auto& w : workers) w.join();
  collector.join();
  gc::collect();
  gc::remove_callback(id);
  EXPECT_EQ(counter->n.load(), 3L * kThreads * kIterations);
  EXPECT_EQ(found.load(), static_cast<long>(kThreads) * kIterations) << "every owner cycle was freed";
  EXPECT_EQ(counter.use_count(), 2u) << "only `shared` still holds the counter";
}

}  // namespace
