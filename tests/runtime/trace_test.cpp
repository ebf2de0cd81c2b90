// trace_test.cpp - which types the collector can see into, and that every way of
// declaring a trace hook (and every standard wrapper of handles) makes cycles collectable.
#include <gtest/gtest.h>

#include <array>
#include <deque>
#include <filesystem>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include <cyc/cyc.h>

namespace {

int g_destroyed = 0;

// 1. CYC_TRACE in a public section.
struct ByMacro {
  cyc::Handle<ByMacro> other;
  int payload = 7;
  CYC_TRACE(other)
  ~ByMacro() { ++g_destroyed; }
};

// CYC_TRACE in a private section, with a private field.
class ByPrivateMacro {
 public:
  void link(cyc::Handle<ByPrivateMacro> h) { other_ = std::move(h); }
  ~ByPrivateMacro() { ++g_destroyed; }

 private:
  cyc::Handle<ByPrivateMacro> other_;
  CYC_TRACE(other_)
};

// 2. A public member trace().
struct ByMember {
  std::vector<cyc::Handle<>> refs;
  void trace(cyc::Tracer& t) { t(refs, "refs"); }
  ~ByMember() { ++g_destroyed; }
};

}  // namespace

// 3. An ADL hook for a type we pretend we cannot change.
namespace thirdparty {
struct Foreign {
  cyc::Handle<Foreign> link;
  ~Foreign() { ++g_destroyed; }
};
void cyc_trace(Foreign& f, cyc::Tracer& t) { t(f.link, "link"); }
}  // namespace thirdparty

// A value with an ADL hook, held as a field (NestedHooks).
namespace thirdparty {
struct Boxed {
  cyc::Handle<> ref;
};
void cyc_trace(Boxed& b, cyc::Tracer& t) { t(b.ref, "ref"); }
}  // namespace thirdparty

namespace {

// No hook: holds a handle the collector cannot see.
struct NoHook {
  cyc::Handle<NoHook> self;
};
struct Plain {
  int x;
  std::string s;
};
struct WithWeakOnly {
  cyc::Weak<WithWeakOnly> w;
  CYC_TRACE(w)
};

using H = cyc::Handle<>;

// --- is_traceable_v ---------------------------------------------------------------------
static_assert(cyc::is_traceable_v<H>);
static_assert(cyc::is_traceable_v<cyc::Handle<ByMacro>>);
static_assert(cyc::is_traceable_v<const cyc::Handle<ByMacro>>);
static_assert(cyc::is_traceable_v<ByMacro>);
static_assert(cyc::is_traceable_v<ByPrivateMacro>);
static_assert(cyc::is_traceable_v<ByMember>);
static_assert(cyc::is_traceable_v<thirdparty::Foreign>);
static_assert(cyc::is_traceable_v<WithWeakOnly>, "a hook makes a type traceable, whatever it visits");
// Weak handles are never traced.
static_assert(!cyc::is_traceable_v<cyc::Weak<ByMacro>>);
static_assert(!cyc::is_traceable_v<std::vector<cyc::Weak<>>>);
// Wrappers and containers of handles.
static_assert(cyc::is_traceable_v<std::optional<H>>);
static_assert(cyc::is_traceable_v<std::pair<int, H>>);
static_assert(cyc::is_traceable_v<std::pair<H, int>>);
static_assert(cyc::is_traceable_v<std::tuple<int, std::string, H>>);
static_assert(cyc::is_traceable_v<std::variant<int, H>>);
static_assert(cyc::is_traceable_v<std::array<H, 2>>);
static_assert(cyc::is_traceable_v<H[3]>);
static_assert(cyc::is_traceable_v<std::vector<H>>);
static_assert(cyc::is_traceable_v<std::list<H>>);
static_assert(cyc::is_traceable_v<std::deque<H>>);
static_assert(cyc::is_traceable_v<std::set<H>>);
static_assert(cyc::is_traceable_v<std::unordered_set<H>>);
static_assert(cyc::is_traceable_v<std::map<H, int>>);
static_assert(cyc::is_traceable_v<std::map<int, H>>);
static_assert(cyc::is_traceable_v<std::unordered_map<std::string, H>>);
static_assert(cyc::is_traceable_v<std::vector<std::optional<std::pair<int, H>>>>);
static_assert(cyc::is_traceable_v<std::map<int, std::vector<ByMacro>>>);
static_assert(cyc::is_traceable_v<std::vector<thirdparty::Foreign>>);
// Types that cannot hold handles the collector could see.
static_assert(!cyc::is_traceable_v<int>);
static_assert(!cyc::is_traceable_v<int*>);
static_assert(!cyc::is_traceable_v<std::string>);
static_assert(!cyc::is_traceable_v<Plain>);
static_assert(!cyc::is_traceable_v<NoHook>);
static_assert(!cyc::is_traceable_v<std::vector<int>>);
static_assert(!cyc::is_traceable_v<std::vector<std::string>>);
static_assert(!cyc::is_traceable_v<std::map<std::string, int>>);
static_assert(!cyc::is_traceable_v<std::optional<int>>);
static_assert(!cyc::is_traceable_v<std::pair<int, std::string>>);
static_assert(!cyc::is_traceable_v<std::tuple<>>);
static_assert(!cyc::is_traceable_v<std::tuple<int, double>>);
static_assert(!cyc::is_traceable_v<std::variant<int, std::string>>);
static_assert(!cyc::is_traceable_v<std::array<int, 4>>);
static_assert(!cyc::is_traceable_v<int[4]>);
static_assert(!cyc::is_traceable_v<std::vector<NoHook>>);
// A range whose elements are itself must not send the check into endless recursion.
static_assert(!cyc::is_traceable_v<std::filesystem::path>);

class TraceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cyc::gc::collect();
    g_destroyed = 0;
    tracked_ = cyc::gc::tracked();
  }
  void TearDown() override {
    cyc::gc::collect();
    EXPECT_EQ(cyc::gc::tracked(), tracked_) << "a test left tracked objects behind";
  }
  std::size_t tracked_ = 0;
};

// A 2-cycle a <-> b through `link`, dropped; returns after checking it survived until collect.
template <class T, class Link>
void expect_two_cycle_collected(Link link) {
  {
    auto a = cyc::make<T>();
    auto b = cyc::make<T>();
    EXPECT_TRUE(cyc::gc::is_tracked(a));
    link(*a, b);
    link(*b, a);
  }
  EXPECT_EQ(g_destroyed, 0) << "a cycle must survive reference counting";
  EXPECT_EQ(cyc::gc::collect(), 2u);
  EXPECT_EQ(g_destroyed, 2);
}

TEST_F(TraceTest, MacroHookMakesTypeCollectable) {
  expect_two_cycle_collected<ByMacro>([](ByMacro& x, const cyc::Handle<ByMacro>& h) { x.other = h; });
}

TEST_F(TraceTest, MacroHookInPrivateSection) {
  expect_two_cycle_collected<ByPrivateMacro>(
      [](ByPrivateMacro& x, const cyc::Handle<ByPrivateMacro>& h) { x.link(h); });
}

TEST_F(TraceTest, MemberTraceHook) {
  expect_two_cycle_collected<ByMember>([](ByMember& x, const cyc::Handle<ByMember>& h) {
    x.refs.push_back(cyc::make<int>(1));  // untracked passengers are freed with the cycle
    x.refs.push_back(h);
  });
}

TEST_F(TraceTest, AdlTraceHook) {
  expect_two_cycle_collected<thirdparty::Foreign>(
      [](thirdparty::Foreign& x, const cyc::Handle<thirdparty::Foreign>& h) { x.link = h; });
}

TEST_F(TraceTest, HookFieldNamesAppearInReports) {
  std::vector<cyc::gc::Cycle> seen;
  auto id = cyc::gc::add_callback([&](const cyc::gc::CollectReport& r) {
    seen.insert(seen.end(), r.cycles.begin(), r.cycles.end());
  });
  {
    auto f = cyc::make<thirdparty::Foreign>();
    f->link = f;
    auto m = cyc::make<ByMember>();
    m->refs.push_back(m);
  }
  EXPECT_EQ(cyc::gc::collect(), 2u);
  cyc::gc::remove_callback(id);
  ASSERT_EQ(seen.size(), 2u);
  std::set<std::string> paths;
  for (auto& c : seen) paths.insert(cyc::gc::format_path(c.path));
  EXPECT_EQ(paths.count("thirdparty::Foreign.link -> (thirdparty::Foreign)"), 1u) << *paths.begin();
  EXPECT_EQ(paths.count("(anonymous namespace)::ByMember.refs -> ((anonymous namespace)::ByMember)"), 1u)
      << *paths.rbegin();
}

// make<C>(), then `insert(c, self)` puts a handle to the container into itself. Checks that
// the self-reference survives reference counting and is collected.
template <class C, class Insert>
void expect_self_reference_collected(Insert insert) {
  SCOPED_TRACE(typeid(C).name());
  cyc::Weak<C> w;
  {
    auto c = cyc::make<C>();
    EXPECT_TRUE(cyc::gc::is_tracked(c));
    insert(*c, cyc::Handle<>(c));
    w = c;
  }
  EXPECT_FALSE(w.expired()) << "the self-reference must keep it alive until collect";
  EXPECT_EQ(cyc::gc::collect(), 1u);
  EXPECT_TRUE(w.expired());
}

TEST_F(TraceTest, StandardWrappersAreTraced) {
  expect_self_reference_collected<std::vector<H>>([](auto& c, H h) { c.push_back(h); });
  expect_self_reference_collected<std::list<H>>([](auto& c, H h) { c.push_back(h); });
  expect_self_reference_collected<std::deque<H>>([](auto& c, H h) { c.push_back(h); });
  expect_self_reference_collected<std::optional<H>>([](auto& c, H h) { c = h; });
  expect_self_reference_collected<std::pair<int, H>>([](auto& c, H h) { c.second = h; });
  expect_self_reference_collected<std::pair<H, std::string>>([](auto& c, H h) { c.first = h; });
  expect_self_reference_collected<std::tuple<int, H, std::string>>([](auto& c, H h) { std::get<1>(c) = h; });
  expect_self_reference_collected<std::variant<int, H>>([](auto& c, H h) { c = h; });
  expect_self_reference_collected<std::array<H, 3>>([](auto& c, H h) { c[2] = h; });
  expect_self_reference_collected<std::set<H>>([](auto& c, H h) { c.insert(h); });
  expect_self_reference_collected<std::unordered_set<H>>([](auto& c, H h) { c.insert(h); });
  expect_self_reference_collected<std::map<H, int>>([](auto& c, H h) { c.emplace(h, 1); });
  expect_self_reference_collected<std::map<int, H>>([](auto& c, H h) { c.emplace(1, h); });
  expect_self_reference_collected<std::unordered_map<std::string, H>>([](auto& c, H h) { c["me"] = h; });
  expect_self_reference_collected<std::vector<std::optional<std::pair<int, H>>>>(
      [](auto& c, H h) { c.emplace_back(std::in_place, 1, h); });
  expect_self_reference_collected<std::map<int, std::vector<std::tuple<H>>>>(
      [](auto& c, H h) { c[1].emplace_back(h); });
}

// Wrapper fields inside a hooked type: every one of them is an edge.
struct Everything {
  std::optional<cyc::Handle<Everything>> opt;
  std::pair<int, cyc::Handle<Everything>> pair;
  std::tuple<cyc::Handle<Everything>, int> tuple;
  std::variant<std::string, cyc::Handle<Everything>> variant;
  std::array<cyc::Handle<Everything>, 2> array;
  cyc::Handle<Everything> raw_array[2];
  std::map<cyc::Handle<Everything>, int> by_key;
  std::map<int, cyc::Handle<Everything>> by_value;
  std::set<cyc::Handle<Everything>> set;
  CYC_TRACE(opt, pair, tuple, variant, array, raw_array, by_key, by_value, set)
  ~Everything() { ++g_destroyed; }
};

TEST_F(TraceTest, EachWrapperFieldClosesACycle) {
  using E = cyc::Handle<Everything>;
  const std::vector<std::pair<const char*, void (*)(Everything&, const E&)>> ways = {
      {"opt", [](Everything& x, const E& h) { x.opt = h; }},
      {"pair", [](Everything& x, const E& h) { x.pair.second = h; }},
      {"tuple", [](Everything& x, const E& h) { std::get<0>(x.tuple) = h; }},
      {"variant", [](Everything& x, const E& h) { x.variant = h; }},
      {"array", [](Everything& x, const E& h) { x.array[1] = h; }},
      {"raw_array", [](Everything& x, const E& h) { x.raw_array[1] = h; }},
      {"by_key", [](Everything& x, const E& h) { x.by_key.emplace(h, 0); }},
      {"by_value", [](Everything& x, const E& h) { x.by_value.emplace(0, h); }},
      {"set", [](Everything& x, const E& h) { x.set.insert(h); }},
  };
  for (auto& [field, link] : ways) {
    SCOPED_TRACE(field);
    std::vector<cyc::gc::Cycle> seen;
    auto id = cyc::gc::add_callback([&](const cyc::gc::CollectReport& r) {
      seen.insert(seen.end(), r.cycles.begin(), r.cycles.end());
    });
    g_destroyed = 0;
    {
      auto a = cyc::make<Everything>();
      auto b = cyc::make<Everything>();
      link(*a, b);
      link(*b, a);
    }
    EXPECT_EQ(g_destroyed, 0);
    EXPECT_EQ(cyc::gc::collect(), 2u);
    EXPECT_EQ(g_destroyed, 2);
    cyc::gc::remove_callback(id);
    ASSERT_EQ(seen.size(), 1u);
    ASSERT_EQ(seen[0].path.size(), 2u);
    EXPECT_EQ(seen[0].path[0].field, field);
    EXPECT_EQ(seen[0].path[1].field, field);
  }
}

TEST_F(TraceTest, UntraceableTypesAreNotTracked) {
  const std::size_t before = cyc::gc::tracked();
  auto i = cyc::make<int>(1);
  auto s = cyc::make<std::string>("text");
  auto p = cyc::make<Plain>(1, "x");
  auto v = cyc::make<std::vector<int>>(10);
  auto weak_only = cyc::make<std::vector<cyc::Weak<>>>();
  EXPECT_FALSE(cyc::gc::is_tracked(i));
  EXPECT_FALSE(cyc::gc::is_tracked(s));
  EXPECT_FALSE(cyc::gc::is_tracked(p));
  EXPECT_FALSE(cyc::gc::is_tracked(v));
  EXPECT_FALSE(cyc::gc::is_tracked(weak_only));
  EXPECT_FALSE(cyc::gc::is_tracked(cyc::Handle<>()));
  EXPECT_EQ(cyc::gc::tracked(), before);

  auto list = cyc::make<std::vector<H>>();
  auto node = cyc::make<ByMacro>();
  auto path = cyc::make<std::filesystem::path>("a/b");
  EXPECT_TRUE(cyc::gc::is_tracked(list));
  EXPECT_TRUE(cyc::gc::is_tracked(node));
  EXPECT_FALSE(cyc::gc::is_tracked(path));
  EXPECT_EQ(cyc::gc::tracked(), before + 2);
  list.reset();
  EXPECT_EQ(cyc::gc::tracked(), before + 1) << "freed by reference counting, untracked at once";
  node.reset();
  EXPECT_EQ(cyc::gc::tracked(), before);
}

TEST_F(TraceTest, HandlesWithoutAHookAreInvisible) {
  NoHook* raw = nullptr;
  cyc::Weak<NoHook> w;
  {
    auto n = cyc::make<NoHook>();
    EXPECT_FALSE(cyc::gc::is_tracked(n));
    n->self = n;
    raw = n.get();
    w = n;
  }
  EXPECT_EQ(cyc::gc::collect(), 0u) << "an untracked cycle cannot be found";
  EXPECT_FALSE(w.expired());
  raw->self.reset();  // break it by hand so the test does not leak
  EXPECT_TRUE(w.expired());
}

TEST_F(TraceTest, WeakFieldsAreNotEdges) {
  cyc::Weak<WithWeakOnly> w;
  {
    auto a = cyc::make<WithWeakOnly>();
    a->w = a;
    w = a;
  }
  EXPECT_TRUE(w.expired()) << "a weak self-reference does not keep an object alive";
}

}  // namespace

namespace {
struct Owned {
  cyc::Handle<> back;
  CYC_TRACE(back)
};
struct ThroughUniquePtr {
  std::unique_ptr<Owned> owned;  // edges pass through owners
  std::unique_ptr<int> plain;
  ~ThroughUniquePtr() { ++g_destroyed; }
  CYC_TRACE(owned, plain)
};
static_assert(cyc::is_traceable_v<std::unique_ptr<Owned>>);
static_assert(!cyc::is_traceable_v<std::unique_ptr<int>>);
static_assert(!cyc::is_traceable_v<std::unique_ptr<cyc::Handle<>[]>>);
}  // namespace

namespace {

// A macro hook whose fields have hooks of the other kinds. A collection walks it with the
// macro's own walk, which hands the member and ADL hooks the collector's Tracer, and the
// Function its target's walk.
struct MemberHooked {
  cyc::Handle<> ref;
  void trace(cyc::Tracer& t) { t(ref, "ref"); }
};
struct NestedHooks {
  MemberHooked member;
  thirdparty::Boxed boxed;
  cyc::Function<void()> callback;
  std::vector<MemberHooked> list;
  CYC_TRACE(member, boxed, callback, list)
  ~NestedHooks() { ++g_destroyed; }
};

// A ring a -> b -> c -> d -> a through the four kinds of field.
std::array<cyc::Handle<NestedHooks>, 4> make_nested_ring() {
  std::array<cyc::Handle<NestedHooks>, 4> r;
  for (auto& h : r) h = cyc::make<NestedHooks>();
  r[0]->member.ref = r[1];
  r[1]->boxed.ref = r[2];
  r[2]->callback = cyc::closure([](cyc::Handle<NestedHooks>&) {}, r[3]);
  r[3]->list.push_back(MemberHooked{r[0]});
  return r;
}
}  // namespace

// An edge counted twice makes an object held from outside garbage; one not counted keeps the
// dropped ring alive.
TEST_F(TraceTest, HooksInsideAMacroHookAreEdges) {
  for (std::size_t held = 0; held < 4; ++held) {
    SCOPED_TRACE(held);
    g_destroyed = 0;
    cyc::Handle<NestedHooks> keep = make_nested_ring()[held];
    EXPECT_EQ(cyc::gc::collect(), 0u) << "one handle from outside holds the ring";
    EXPECT_EQ(g_destroyed, 0);
    keep.reset();
    EXPECT_EQ(cyc::gc::collect(), 4u);
    EXPECT_EQ(g_destroyed, 4);
  }
}

TEST_F(TraceTest, UniquePtrFieldsAreTracedThrough) {
  {
    auto a = cyc::make<ThroughUniquePtr>();
    a->owned = std::make_unique<Owned>();
    a->owned->back = a;
  }
  EXPECT_EQ(g_destroyed, 0);
  EXPECT_EQ(cyc::gc::collect(), 1u);
  EXPECT_EQ(g_destroyed, 1);
}
