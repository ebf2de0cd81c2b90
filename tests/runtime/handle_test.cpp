// handle_test.cpp - cyc::Handle, cyc::Weak, handle_cast/checked_cast and cyc::make.
//
// The test types live in the global namespace so that the names the runtime prints
// (checked_cast messages) are exactly the names written here.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <unordered_set>
#include <utility>

#include <cyc/cyc.h>

// Counts live instances of the types that derive from it.
struct Counted {
  static inline int live = 0;
  Counted() { ++live; }
  Counted(const Counted&) { ++live; }
  ~Counted() { --live; }
};

struct Node {
  std::string name;
  cyc::Handle<Node> next;
  Counted counted;  // last, so that make<Node>("a") initializes `name`
  CYC_TRACE(next)
};

struct Point {
  Point(int x_, int y_) : x(x_), y(y_) {}
  int x, y;
};

// Non-polymorphic, multiple inheritance: the B subobject is not at the object's address.
struct PartA {
  int a = 1;
};
struct PartB {
  int b = 2;
};
struct Both : PartA, PartB {
  int c = 3;
};

// Polymorphic hierarchy.
struct Shape {
  virtual ~Shape() = default;
  virtual int sides() const = 0;
};
struct Polygon : Shape {
  int sides() const override { return n; }
  int n = 0;
};
struct Square : Polygon {
  Square() { n = 4; }
};
struct Circle : Shape {
  int sides() const override { return 0; }
};
struct Leaf {
  int v = 0;
};

struct alignas(64) Aligned64 {
  char c = 'x';
};
struct alignas(256) Aligned256 : Counted {
  double d = 1.5;
  cyc::Handle<Aligned256> self;
  CYC_TRACE(self)
};

// A member that counts itself, then a constructor that may throw after it was built.
struct Thrower : Counted {
  Counted member;
  cyc::Handle<Node> held;
  explicit Thrower(cyc::Handle<Node> h, bool fail) : held(std::move(h)) {
    if (fail) throw std::runtime_error("Thrower: asked to fail");
  }
  CYC_TRACE(held)
};
struct UntrackedThrower : Counted {
  explicit UntrackedThrower(bool fail) {
    if (fail) throw std::logic_error("UntrackedThrower");
  }
};

class HandleTest : public ::testing::Test {
 protected:
  void SetUp() override { live_ = Counted::live; }
  void TearDown() override { EXPECT_EQ(Counted::live, live_) << "a test leaked or double-freed objects"; }
  int live_ = 0;
};

TEST_F(HandleTest, NullHandles) {
  cyc::Handle<Node> a;
  cyc::Handle<Node> b = nullptr;
  cyc::Handle<> c;
  EXPECT_FALSE(a);
  EXPECT_FALSE(b);
  EXPECT_FALSE(c);
  EXPECT_EQ(a.get(), nullptr);
  EXPECT_EQ(c.get(), nullptr);
  EXPECT_EQ(a.header(), nullptr);
  EXPECT_EQ(a.use_count(), 0u);
  EXPECT_TRUE(a == nullptr);
  EXPECT_TRUE(nullptr == a);
  EXPECT_FALSE(a != nullptr);
  EXPECT_TRUE(a == b);
  EXPECT_TRUE(a == c);
  EXPECT_EQ(a <=> c, std::strong_ordering::equal);
  EXPECT_EQ(a.type(), typeid(void));
  a.reset();  // no-op
  EXPECT_FALSE(a);
  cyc::Handle<Node> d = a;
  EXPECT_FALSE(d);
  EXPECT_EQ(d.use_count(), 0u);
}

TEST_F(HandleTest, CopyIncrementsAndDropDecrements) {
  auto a = cyc::make<Node>("a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a.use_count(), 1u);
  EXPECT_EQ(a->name, "a");
  EXPECT_EQ((*a).name, "a");
  EXPECT_EQ(a.type(), typeid(Node));
  {
    cyc::Handle<Node> b = a;
    EXPECT_EQ(a.use_count(), 2u);
    EXPECT_EQ(b.use_count(), 2u);
    EXPECT_EQ(a.get(), b.get());
    cyc::Handle<Node> c(b);
    EXPECT_EQ(a.use_count(), 3u);
  }
  EXPECT_EQ(a.use_count(), 1u);
  EXPECT_EQ(Counted::live, live_ + 1);
}

TEST_F(HandleTest, MoveTransfersWithoutCounting) {
  auto a = cyc::make<Node>("a");
  Node* raw = a.get();
  cyc::Handle<Node> b = std::move(a);
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): moved-from handles are null
  EXPECT_EQ(a.use_count(), 0u);
  EXPECT_EQ(b.get(), raw);
  EXPECT_EQ(b.use_count(), 1u);

  cyc::Handle<Node> c;
  c = std::move(b);
  EXPECT_FALSE(b);
  EXPECT_EQ(c.get(), raw);
  EXPECT_EQ(c.use_count(), 1u);
  EXPECT_EQ(Counted::live, live_ + 1);
}

TEST_F(HandleTest, AssignmentReleasesThePreviousObject) {
  auto a = cyc::make<Node>("a");
  auto b = cyc::make<Node>("b");
  cyc::Weak<Node> wa = a;
  cyc::Handle<Node> h = a;
  EXPECT_EQ(a.use_count(), 2u);
  h = b;  // copy-assign: a loses one reference, b gains one
  EXPECT_EQ(a.use_count(), 1u);
  EXPECT_EQ(b.use_count(), 2u);
  EXPECT_EQ(h, b);
  a.reset();
  EXPECT_TRUE(wa.expired()) << "the last handle to 'a' went: it must be destroyed at once";
  EXPECT_EQ(Counted::live, live_ + 1);

  h = cyc::make<Node>("c");  // move-assign: b loses one reference
  EXPECT_EQ(b.use_count(), 1u);
  EXPECT_EQ(h->name, "c");
  h = nullptr;
  EXPECT_FALSE(h);
  EXPECT_EQ(Counted::live, live_ + 1);
}

TEST_F(HandleTest, SelfAssignment) {
  auto a = cyc::make<Node>("a");
  cyc::Handle<Node>& alias = a;
  a = alias;
  EXPECT_TRUE(a);
  EXPECT_EQ(a.use_count(), 1u);
  EXPECT_EQ(a->name, "a");
  a = std::move(alias);
  EXPECT_TRUE(a);
  EXPECT_EQ(a.use_count(), 1u);
  EXPECT_EQ(a->name, "a");
  EXPECT_EQ(Counted::live, live_ + 1);

  cyc::Weak<Node> w = a;
  cyc::Weak<Node>& walias = w;
  w = walias;
  EXPECT_EQ(w.lock(), a);
  w = std::move(walias);
  EXPECT_EQ(w.lock(), a);
}

TEST_F(HandleTest, ResetAndSwap) {
  auto a = cyc::make<Node>("a");
  auto b = cyc::make<Node>("b");
  cyc::Handle<Node> a2 = a;
  a.reset();
  EXPECT_FALSE(a);
  EXPECT_EQ(a2.use_count(), 1u);
  EXPECT_EQ(Counted::live, live_ + 2);

  swap(a2, b);
  EXPECT_EQ(a2->name, "b");
  EXPECT_EQ(b->name, "a");
  a2.swap(b);
  EXPECT_EQ(a2->name, "a");
  EXPECT_EQ(b->name, "b");
  EXPECT_EQ(a2.use_count(), 1u);
  EXPECT_EQ(b.use_count(), 1u);
}

TEST_F(HandleTest, LastHandleDestroysAtOnce) {
  cyc::Weak<Node> w;
  {
    auto a = cyc::make<Node>("a");
    a->next = cyc::make<Node>("b");
    w = a->next;
    EXPECT_EQ(Counted::live, live_ + 2);
  }
  // No collection ran: reference counting alone freed the chain.
  EXPECT_EQ(Counted::live, live_);
  EXPECT_TRUE(w.expired());
  EXPECT_FALSE(w.lock());
}

TEST_F(HandleTest, ComparisonsAreIdentityAcrossStaticTypes) {
  auto a = cyc::make<Node>("same");
  auto b = cyc::make<Node>("same");
  cyc::Handle<Node> a2 = a;
  cyc::Handle<> any_a = a;
  cyc::Handle<> any_b = b;

  EXPECT_TRUE(a == a2);
  EXPECT_FALSE(a != a2);
  EXPECT_FALSE(a == b) << "equal contents, different objects";
  EXPECT_TRUE(a != b);
  EXPECT_TRUE(a == any_a);
  EXPECT_TRUE(any_a == a);
  EXPECT_FALSE(any_a == b);
  EXPECT_FALSE(a == nullptr);
  EXPECT_TRUE(a != nullptr);
  EXPECT_TRUE(nullptr != a);

  EXPECT_EQ(a <=> a2, std::strong_ordering::equal);
  EXPECT_EQ(a <=> any_a, std::strong_ordering::equal);
  EXPECT_NE(a <=> b, std::strong_ordering::equal);
  // A total order, consistent with itself whatever the static types.
  EXPECT_EQ(a < b, b > a);
  EXPECT_EQ(a < b, any_a < any_b);
  EXPECT_EQ(a < b, a < any_b);
  EXPECT_NE(a < b, b < a);
  EXPECT_TRUE(a <= a2 && a >= a2);

  std::set<cyc::Handle<>> s{any_a, any_b, a, b, a2};
  EXPECT_EQ(s.size(), 2u);
  EXPECT_EQ(s.count(a), 1u);
  EXPECT_EQ(s.count(b), 1u);
}

TEST_F(HandleTest, HashingWorksInUnorderedContainers) {
  auto a = cyc::make<Node>("a");
  auto b = cyc::make<Node>("b");
  std::unordered_set<cyc::Handle<Node>> s;
  s.insert(a);
  s.insert(cyc::Handle<Node>(a));
  s.insert(b);
  s.insert(cyc::Handle<Node>());
  s.insert(nullptr);
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(s.count(a), 1u);
  EXPECT_EQ(s.count(b), 1u);
  EXPECT_EQ(s.count(nullptr), 1u);
  EXPECT_EQ(a.use_count(), 2u);  // the test's and the set's

  // The hash follows identity, not the static type.
  EXPECT_EQ(std::hash<cyc::Handle<Node>>{}(a), std::hash<cyc::Handle<>>{}(cyc::Handle<>(a)));
  std::unordered_set<cyc::Handle<>> any{a, b, cyc::Handle<>(a)};
  EXPECT_EQ(any.size(), 2u);
  EXPECT_EQ(any.count(cyc::Handle<>(b)), 1u);
  s.clear();
  any.clear();
  EXPECT_EQ(a.use_count(), 1u);
}

TEST_F(HandleTest, DerivedToBaseToAnyKeepsIdentity) {
  auto both = cyc::make<Both>();
  cyc::Handle<PartB> pb = both;
  cyc::Handle<PartA> pa = both;
  cyc::Handle<> any = pb;

  EXPECT_EQ(both.use_count(), 4u);
  EXPECT_EQ(pb.get(), static_cast<PartB*>(both.get()));
  EXPECT_NE(static_cast<void*>(pb.get()), static_cast<void*>(both.get()))
      << "the test needs PartB at a non-zero offset";
  EXPECT_EQ(pb->b, 2);
  EXPECT_EQ(pa->a, 1);
  // Handle<> holds the complete object whatever handle it came from.
  EXPECT_EQ(any.get(), static_cast<void*>(both.get()));
  EXPECT_EQ(any.type(), typeid(Both));
  EXPECT_EQ(pb.type(), typeid(Both));
  EXPECT_TRUE(pb == both);
  EXPECT_TRUE(any == both);
  EXPECT_TRUE(any == pb);
  EXPECT_TRUE(pa == pb);

  // Converting moves carry the reference without counting.
  cyc::Handle<PartB> moved = std::move(both);
  EXPECT_FALSE(both);
  EXPECT_EQ(moved.use_count(), 4u);
  cyc::Handle<> any2 = std::move(moved);
  EXPECT_FALSE(moved);
  EXPECT_EQ(any2.use_count(), 4u);
  EXPECT_TRUE(any2 == pb);

  // Converting assignment.
  cyc::Handle<PartB> pb2;
  pb2 = cyc::handle_cast<Both>(any);
  EXPECT_EQ(pb2.get(), pb.get());
  cyc::Handle<> any3;
  any3 = pb2;
  EXPECT_TRUE(any3 == pb2);
  EXPECT_EQ(any3.use_count(), 6u);

  // Back down: the exact type is found from any static type.
  auto back = cyc::handle_cast<Both>(pb);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->c, 3);
  EXPECT_EQ(back.get(), static_cast<Both*>(pb.get()));
}

TEST_F(HandleTest, ConstHandles) {
  auto n = cyc::make<Node>("c");
  cyc::Handle<const Node> c = n;
  static_assert(std::is_same_v<decltype(c.get()), const Node*>);
  EXPECT_EQ(c->name, "c");
  EXPECT_TRUE(c == n);
  EXPECT_EQ(n.use_count(), 2u);
  cyc::Weak<const Node> w = n;
  EXPECT_EQ(w.lock().get(), n.get());
  cyc::Handle<> any = c;
  EXPECT_EQ(any.get(), static_cast<void*>(n.get()));
}

TEST_F(HandleTest, HandleCastExactType) {
  auto n = cyc::make<Node>("n");
  cyc::Handle<> any = n;
  auto back = cyc::handle_cast<Node>(any);
  ASSERT_TRUE(back);
  EXPECT_EQ(back.get(), n.get());
  EXPECT_EQ(n.use_count(), 3u);
  EXPECT_FALSE(cyc::handle_cast<Leaf>(any)) << "mismatch: null";
  EXPECT_FALSE(cyc::handle_cast<Point>(any));
  EXPECT_EQ(n.use_count(), 3u) << "a failed cast takes no reference";
  EXPECT_FALSE(cyc::handle_cast<Node>(cyc::Handle<>())) << "null in, null out";

  auto p = cyc::make<Point>(1, 2);
  auto pp = cyc::handle_cast<Point>(cyc::Handle<>(p));
  ASSERT_TRUE(pp);
  EXPECT_EQ(pp->y, 2);
}

TEST_F(HandleTest, HandleCastPolymorphic) {
  auto sq = cyc::make<Square>();
  cyc::Handle<Shape> shape = sq;
  cyc::Handle<> any = sq;

  auto poly = cyc::handle_cast<Polygon>(shape);  // a base of the dynamic type: dynamic_cast
  ASSERT_TRUE(poly);
  EXPECT_EQ(poly.get(), static_cast<Polygon*>(sq.get()));
  EXPECT_EQ(poly->sides(), 4);
  EXPECT_TRUE(poly == sq);

  auto exact = cyc::handle_cast<Square>(shape);
  ASSERT_TRUE(exact);
  EXPECT_EQ(exact.get(), sq.get());

  EXPECT_FALSE(cyc::handle_cast<Circle>(shape));
  EXPECT_FALSE(cyc::handle_cast<Circle>(any));
  EXPECT_FALSE(cyc::handle_cast<Polygon>(cyc::Handle<Shape>()));
  // From Handle<> only the exact dynamic type is found (documented: dynamic_cast needs a
  // polymorphic static type).
  EXPECT_FALSE(cyc::handle_cast<Polygon>(any));
  EXPECT_TRUE(cyc::handle_cast<Square>(any));
  EXPECT_EQ(sq.use_count(), 5u);
}

TEST_F(HandleTest, CheckedCastThrowsNamingBothTypes) {
  cyc::Handle<> any = cyc::make<Leaf>();
  try {
    (void)cyc::checked_cast<Node>(any);
    FAIL() << "checked_cast<Node> of a Leaf did not throw";
  } catch (const cyc::bad_handle_cast& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("Leaf"), std::string::npos) << what;
    EXPECT_NE(what.find("Node"), std::string::npos) << what;
    EXPECT_EQ(what, "cyc::checked_cast: the object is a Leaf, not a Node");
  }
  EXPECT_THROW((void)cyc::checked_cast<Node>(any), std::bad_cast);
  EXPECT_EQ(any.use_count(), 1u) << "a failed cast takes no reference";

  auto ok = cyc::checked_cast<Leaf>(any);
  EXPECT_TRUE(ok == any);
  EXPECT_FALSE(cyc::checked_cast<Node>(cyc::Handle<>())) << "a null handle stays null";
  cyc::Handle<Shape> shape = cyc::make<Circle>();
  EXPECT_THROW((void)cyc::checked_cast<Polygon>(shape), cyc::bad_handle_cast);
  EXPECT_NO_THROW((void)cyc::checked_cast<Shape>(shape));
}

TEST_F(HandleTest, WeakNull) {
  cyc::Weak<Node> w;
  cyc::Weak<Node> w2 = nullptr;
  EXPECT_TRUE(w.expired());
  EXPECT_EQ(w.use_count(), 0u);
  EXPECT_FALSE(w.lock());
  EXPECT_FALSE(w2.lock());
  cyc::Weak<Node> fromnull = cyc::Handle<Node>();
  EXPECT_TRUE(fromnull.expired());
}

TEST_F(HandleTest, WeakLockExpiredUseCount) {
  auto a = cyc::make<Node>("a");
  cyc::Weak<Node> w = a;
  EXPECT_FALSE(w.expired());
  EXPECT_EQ(w.use_count(), 1u);
  EXPECT_EQ(a.use_count(), 1u) << "a weak handle is not a strong reference";
  {
    auto s = w.lock();
    ASSERT_TRUE(s);
    EXPECT_EQ(s, a);
    EXPECT_EQ(w.use_count(), 2u);
  }
  cyc::Weak<Node> copy = w;
  cyc::Weak<Node> moved = std::move(copy);
  EXPECT_FALSE(copy.lock());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(moved.lock(), a);
  cyc::Weak<> any = a;
  EXPECT_EQ(any.lock(), a);
  cyc::Weak<Node> assigned;
  assigned = a;
  EXPECT_EQ(assigned.lock(), a);

  a.reset();
  EXPECT_EQ(Counted::live, live_) << "weak handles must not keep the object alive";
  EXPECT_TRUE(w.expired());
  EXPECT_TRUE(moved.expired());
  EXPECT_TRUE(any.expired());
  EXPECT_EQ(w.use_count(), 0u);
  EXPECT_FALSE(w.lock());
  EXPECT_FALSE(any.lock());
  w.reset();
  EXPECT_FALSE(w.lock());
}

TEST_F(HandleTest, WeakToBaseSubobject) {
  auto both = cyc::make<Both>();
  cyc::Weak<PartB> wb = both;
  auto pb = wb.lock();
  ASSERT_TRUE(pb);
  EXPECT_EQ(pb.get(), static_cast<PartB*>(both.get()));
  EXPECT_EQ(pb->b, 2);
  pb.reset();
  both.reset();
  EXPECT_FALSE(wb.lock());
}

TEST_F(HandleTest, WeakDerivedToBaseToAny) {
  auto both = cyc::make<Both>();
  cyc::Weak<Both> wd = both;
  cyc::Weak<PartB> wb = wd;  // Weak<Derived> -> Weak<Base>: the pointer is adjusted
  cyc::Weak<> wany = wd;
  EXPECT_EQ(wb.lock().get(), static_cast<PartB*>(both.get()));
  EXPECT_TRUE(wany.lock() == both);
  EXPECT_EQ(wb.use_count(), 1u);
  both.reset();
  EXPECT_TRUE(wb.expired());
  EXPECT_FALSE(wany.lock());
  cyc::Weak<PartB> from_expired = wd;  // converting an expired Weak never touches the object
  EXPECT_FALSE(from_expired.lock());
}

TEST_F(HandleTest, OrderingAgainstNull) {
  auto a = cyc::make<int>(1);
  cyc::Handle<int> null;
  EXPECT_TRUE(a > nullptr);
  EXPECT_FALSE(a < nullptr);
  EXPECT_TRUE((null <=> nullptr) == 0);
  EXPECT_TRUE(null == nullptr);
  EXPECT_TRUE(a != nullptr);
}

TEST_F(HandleTest, MakeAggregate) {
  auto n = cyc::make<Node>("a");
  EXPECT_EQ(n->name, "a");
  EXPECT_FALSE(n->next) << "members not named are value-initialized";
  auto m = cyc::make<Node>();
  EXPECT_EQ(m->name, "");
  auto both = cyc::make<Both>();
  EXPECT_EQ(both->a + both->b + both->c, 6);
}

TEST_F(HandleTest, MakeWithConstructorAndStandardTypes) {
  auto p = cyc::make<Point>(3, 4);
  EXPECT_EQ(p->x, 3);
  EXPECT_EQ(p->y, 4);
  auto i = cyc::make<int>(42);
  EXPECT_EQ(*i, 42);
  auto zero = cyc::make<int>();
  EXPECT_EQ(*zero, 0);
  auto s = cyc::make<std::string>(3, 'z');
  EXPECT_EQ(*s, "zzz");
  auto v = cyc::make<std::vector<int>>(std::initializer_list<int>{1, 2, 3});
  EXPECT_EQ(v->size(), 3u);
  EXPECT_EQ(i.type(), typeid(int));
}

TEST_F(HandleTest, MakeOverAligned) {
  std::vector<cyc::Handle<Aligned64>> small;
  std::vector<cyc::Handle<Aligned256>> big;
  for (int i = 0; i < 32; ++i) {
    small.push_back(cyc::make<Aligned64>());
    big.push_back(cyc::make<Aligned256>());
  }
  for (auto& h : small) {
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(h.get()) % 64, 0u);
    EXPECT_EQ(h->c, 'x');
  }
  for (auto& h : big) {
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(h.get()) % 256, 0u);
    EXPECT_EQ(h->d, 1.5);
  }
  // Over-aligned and tracked: a self-cycle is collected and freed with the right alignment.
  cyc::Weak<Aligned256> w = big[0];
  big[0]->self = big[0];
  big[0].reset();
  EXPECT_FALSE(w.expired());
  EXPECT_GE(cyc::gc::collect(), 1u);
  EXPECT_TRUE(w.expired());
}

// A handle is one word, and a tracked object holding one handle is 32 bytes with its headers:
// the sizes the collector's speed rests on (cyc/detail/object.h).
struct OneHandle {
  cyc::Handle<OneHandle> next;
  CYC_TRACE(next)
};
static_assert(sizeof(cyc::Handle<OneHandle>) == sizeof(void*));
static_assert(sizeof(cyc::Handle<>) == sizeof(void*));
static_assert(cyc::detail::type_info_v<OneHandle>.alloc_size == 32);

TEST_F(HandleTest, TheObjectLiesRightAfterItsHeader) {
  auto one = cyc::make<OneHandle>();
  auto both = cyc::make<Both>();
  auto aligned = cyc::make<Aligned256>();
  EXPECT_EQ(static_cast<void*>(one.get()), one.header()->object());
  EXPECT_EQ(static_cast<void*>(both.get()), both.header()->object());
  EXPECT_EQ(static_cast<void*>(aligned.get()), aligned.header()->object());
  EXPECT_EQ(reinterpret_cast<char*>(one.get()) - reinterpret_cast<char*>(one.header()),
            static_cast<std::ptrdiff_t>(cyc::detail::kObjectOffset));
  // A base subobject further in keeps its offset through conversions both ways.
  cyc::Handle<PartB> b = both;
  EXPECT_EQ(b.get(), static_cast<PartB*>(both.get()));
  EXPECT_EQ(b->b, 2);
  cyc::Handle<> any = b;
  EXPECT_EQ(any.get(), static_cast<void*>(both.get()));
  EXPECT_EQ(cyc::handle_cast<Both>(any).get(), both.get());
  cyc::Weak<PartB> w = b;
  EXPECT_EQ(w.lock().get(), b.get());
}

TEST_F(HandleTest, ThrowingConstructorLeaksNothing) {
  auto held = cyc::make<Node>("held");
  const std::size_t tracked = cyc::gc::tracked();
  EXPECT_THROW(cyc::make<Thrower>(held, true), std::runtime_error);
  EXPECT_EQ(Counted::live, live_ + 1) << "the member and the half-built object are gone";
  EXPECT_EQ(held.use_count(), 1u) << "the handle the constructor took was dropped";
  EXPECT_EQ(cyc::gc::tracked(), tracked);
  EXPECT_THROW(cyc::make<UntrackedThrower>(true), std::logic_error);
  EXPECT_EQ(Counted::live, live_ + 1);

  auto ok = cyc::make<Thrower>(held, false);
  EXPECT_EQ(Counted::live, live_ + 3);
  EXPECT_EQ(held.use_count(), 2u);
  EXPECT_EQ(cyc::gc::tracked(), tracked + 1);
  ok.reset();
  EXPECT_EQ(held.use_count(), 1u);
  EXPECT_EQ(cyc::gc::tracked(), tracked);
}

// A handle in a static object is dropped after main returns (and after this thread's
// thread_local objects are gone). The chain is longer than the destroyer's recursion limit.
cyc::Handle<Node> g_static_chain;

TEST_F(HandleTest, StaticHandleDroppedAfterMain) {
  auto build = [] {
    cyc::Handle<Node> head;
    for (int i = 0; i < 1000; ++i) {
      auto n = cyc::make<Node>();
      n->next = std::move(head);
      head = std::move(n);
    }
    return head;
  };
  build().reset();  // exercises the deferred-destruction queue on this thread
  g_static_chain = build();
  live_ += 1000;  // freed at exit, not by this test
}
