// long_chain_test.cpp - destroying and collecting very long chains must not recurse in
// proportion to their length (CPython's "trashcan"). A 10-million-node chain overflows any
// default stack if destruction or collection recurses once per node.
#include <gtest/gtest.h>

#include <cstddef>
#include <string>

#include <cyc/cyc.h>

namespace {

constexpr std::size_t kLength = 10'000'000;

std::size_t g_live = 0;  // single-threaded test: a plain counter

struct Node {
  cyc::Handle<Node> next;
  CYC_TRACE(next)
  Node() { ++g_live; }
  ~Node() { --g_live; }
};

// Holds a handle but declares no trace hook: not tracked, freed by reference counting only.
struct Untracked {
  cyc::Handle<Untracked> next;
  Untracked() { ++g_live; }
  ~Untracked() { --g_live; }
};
static_assert(!cyc::is_traceable_v<Untracked>);

// head -> ... -> tail, built iteratively. Returns the head; *tail_out is the last node.
template <class T>
cyc::Handle<T> build_chain(std::size_t n, T** tail_out = nullptr) {
  cyc::Handle<T> head = cyc::make<T>();
  T* tail = head.get();
  for (std::size_t i = 1; i < n; ++i) {
    tail->next = cyc::make<T>();
    tail = tail->next.get();
  }
  if (tail_out) *tail_out = tail;
  return head;
}

class LongChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cyc::gc::collect();
    g_live = 0;
    tracked_ = cyc::gc::tracked();
  }
  void TearDown() override {
    cyc::gc::collect();
    EXPECT_EQ(g_live, 0u);
    EXPECT_EQ(cyc::gc::tracked(), tracked_);
  }
  std::size_t tracked_ = 0;
};

TEST_F(LongChainTest, DroppingTheHeadOfATrackedChain) {
  auto head = build_chain<Node>(kLength);
  ASSERT_EQ(g_live, kLength);
  EXPECT_EQ(cyc::gc::tracked(), tracked_ + kLength);
  EXPECT_EQ(cyc::gc::get_count()[0], 0u) << "building by moving records no candidates";
  head.reset();
  EXPECT_EQ(g_live, 0u) << "reference counting frees the whole chain at once";
  EXPECT_EQ(cyc::gc::tracked(), tracked_);
}

TEST_F(LongChainTest, DroppingTheHeadOfAnUntrackedChain) {
  auto head = build_chain<Untracked>(kLength);
  ASSERT_EQ(g_live, kLength);
  EXPECT_FALSE(cyc::gc::is_tracked(head));
  EXPECT_EQ(cyc::gc::tracked(), tracked_);
  head.reset();
  EXPECT_EQ(g_live, 0u);
}

TEST_F(LongChainTest, CollectingAChainThatIsOneBigCycle) {
  cyc::Weak<Node> weak_head;
  {
    Node* tail = nullptr;
    auto head = build_chain<Node>(kLength, &tail);
    tail->next = head;  // close the ring
    weak_head = head;
  }
  ASSERT_EQ(g_live, kLength) << "a ring survives reference counting";
  EXPECT_EQ(cyc::gc::collect(), kLength);
  EXPECT_EQ(g_live, 0u);
  EXPECT_TRUE(weak_head.expired());
}

TEST_F(LongChainTest, ReportingALongCycle) {
  // With a callback registered the collector also describes the garbage (components,
  // a walk around each cycle); that must be iterative too. Smaller: a report of a cycle
  // lists every edge.
  constexpr std::size_t n = 1'000'000;
  std::size_t cycles = 0, objects = 0, path = 0;
  std::string first_edge;
  auto id = cyc::gc::add_callback([&](const cyc::gc::CollectReport& r) {
    cycles += r.cycles.size();
    for (auto& c : r.cycles) {
      objects += c.objects;
      path += c.path.size();
      if (!c.path.empty()) first_edge = c.path[0].type + "." + c.path[0].field;
    }
  });
  {
    Node* tail = nullptr;
    auto head = build_chain<Node>(n, &tail);
    tail->next = head;
  }
  EXPECT_EQ(cyc::gc::collect(), n);
  cyc::gc::remove_callback(id);
  EXPECT_EQ(cycles, 1u);
  EXPECT_EQ(objects, n);
  EXPECT_EQ(path, n);
  EXPECT_EQ(first_edge, "(anonymous namespace)::Node.next");
}

TEST_F(LongChainTest, DeeplyNestedLists) {
  // [[[[...]]]]: each list holds the next; the innermost holds the outermost.
  using List = std::vector<cyc::Handle<>>;
  constexpr std::size_t n = 1'000'000;
  cyc::Weak<List> weak_outer;
  {
    auto outer = cyc::make<List>();
    List* inner = outer.get();
    for (std::size_t i = 1; i < n; ++i) {
      auto next = cyc::make<List>();
      List* raw = next.get();
      inner->push_back(std::move(next));
      inner = raw;
    }
    weak_outer = outer;
    inner->push_back(outer);
  }
  EXPECT_FALSE(weak_outer.expired());
  EXPECT_EQ(cyc::gc::collect(), n);
  EXPECT_TRUE(weak_outer.expired());
}

}  // namespace
