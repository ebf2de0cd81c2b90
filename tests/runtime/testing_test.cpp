// testing_test.cpp - <cyc/testing.h>: the macros pass on the statements they describe and
// fail, with a message that says why, on the ones they do not.
#include <cyc/testing.h>

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <vector>

#include <cyc/cyc.h>

namespace {

struct Node {
  cyc::Handle<Node> next;
  cyc::Weak<Node> parent;
  std::vector<cyc::Handle<Node>> kids;
  CYC_TRACE(next, kids)
};

cyc::Handle<Node> g_kept;  // an outside reference, for the failure cases

void self_list_with_tensor() {
  auto li = cyc::make<std::vector<cyc::Handle<>>>();
  li->push_back(cyc::device::empty(std::size_t{4} << 20));
  li->push_back(li);
}

void pair() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  a->next = b;
  b->next = a;
}

void tree_with_weak_parents() {
  auto root = cyc::make<Node>();
  for (int i = 0; i < 3; ++i) {
    auto kid = cyc::make<Node>();
    kid->parent = root;
    root->kids.push_back(kid);
  }
}

void freed_by_refcount() { auto a = cyc::make<Node>(); }

void pair_kept_from_outside() {
  auto a = cyc::make<Node>();
  a->next = a;
  g_kept = a;
}

void pair_and_an_extra_kept_object() {
  pair();
  g_kept = cyc::make<Node>();
}

TEST(HeldUntilCollect, PassesForTheSeedsSelfList) {
  EXPECT_HELD_UNTIL_COLLECT(self_list_with_tensor());
  EXPECT_EQ(cyc::device::memory_allocated(), 0u);
}

TEST(HeldUntilCollect, TakesABlockWithCommas) {
  EXPECT_HELD_UNTIL_COLLECT({
    std::vector<cyc::Handle<Node>> nodes{cyc::make<Node>(), cyc::make<Node>()};
    nodes[0]->next = nodes[1];
    nodes[1]->next = nodes[0];
  });
}

TEST(HeldUntilCollect, FailsWhenReferenceCountingFreedEverything) {
  EXPECT_NONFATAL_FAILURE(EXPECT_HELD_UNTIL_COLLECT(freed_by_refcount()),
                          "nothing it allocated was still held after it");
}

TEST(HeldUntilCollect, FailsWhenSomethingOutsideHoldsIt) {
  EXPECT_NONFATAL_FAILURE(EXPECT_HELD_UNTIL_COLLECT(pair_kept_from_outside()),
                          "collect() found no garbage");
  g_kept->next.reset();
  g_kept.reset();
}

TEST(HeldUntilCollect, FailsWhenPartStaysHeldAfterCollect) {
  EXPECT_NONFATAL_FAILURE(EXPECT_HELD_UNTIL_COLLECT(pair_and_an_extra_kept_object()),
                          "1 tracked objects and 0 device bytes stayed held");
  g_kept.reset();
}

TEST(HeldUntilCollect, RestoresAutomaticCollection) {
  ASSERT_TRUE(cyc::gc::is_enabled());
  EXPECT_HELD_UNTIL_COLLECT(pair());
  EXPECT_TRUE(cyc::gc::is_enabled());
  cyc::gc::disable();
  EXPECT_HELD_UNTIL_COLLECT(pair());
  EXPECT_FALSE(cyc::gc::is_enabled());
  cyc::gc::enable();
}

TEST(NoCycles, PassesForATreeWithWeakParents) { EXPECT_NO_CYCLES(tree_with_weak_parents()); }

TEST(NoCycles, FailsListingEachCycleWithItsBytes) {
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_CYCLES(pair()), "left 1 garbage cycle(s), 2 objects");
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_CYCLES(pair()), "Node.next -> (anonymous namespace)::Node.next");
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_CYCLES(self_list_with_tensor()), "4194304 device bytes");
}

TEST(CollectAndReport, SumsTheBytesOfEveryCycle) {
  cyc::gc::collect();
  pair();
  self_list_with_tensor();
  const cyc::testing::Collected found = cyc::testing::collect_and_report();
  EXPECT_EQ(found.objects, 3u);  // the pair and the list (the buffer is untracked: freed with it)
  EXPECT_EQ(found.cycles.size(), 2u);
  EXPECT_EQ(found.device_bytes, std::size_t{4} << 20);
  EXPECT_GT(found.host_bytes, 0u);
}

}  // namespace
