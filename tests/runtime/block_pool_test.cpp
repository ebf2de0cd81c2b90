// The size-class pool behind libcyc's objects (runtime/src/block_pool.h), alone.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <thread>
#include <vector>

#include "block_pool.h"

namespace {

using cyc::detail::BlockPool;
using cyc::detail::FreeBlock;

std::vector<FreeBlock*> take(BlockPool& pool, std::size_t cls, std::size_t n) {
  std::vector<FreeBlock*> out;
  while (out.size() < n) {
    std::size_t taken = 0;
    FreeBlock* chain = pool.take(cls, n - out.size(), taken);
    EXPECT_GE(taken, 1u);
    for (std::size_t i = 0; i < taken; ++i, chain = chain->next) out.push_back(chain);
    EXPECT_EQ(chain, nullptr);
  }
  return out;
}

void give(BlockPool& pool, const std::vector<FreeBlock*>& blocks) {
  for (FreeBlock* b : blocks) {
    b->next = nullptr;
    pool.give(b);
  }
}

std::uintptr_t address(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

TEST(BlockPool, SizeClassesCoverEverySmallSize) {
  EXPECT_EQ(BlockPool::class_of(1), 0u);
  EXPECT_EQ(BlockPool::class_of(16), 0u);
  EXPECT_EQ(BlockPool::class_of(17), 1u);
  EXPECT_EQ(BlockPool::class_of(BlockPool::kMaxBlock), BlockPool::kClasses - 1);
  for (std::size_t size = 1; size <= BlockPool::kMaxBlock; ++size)
    EXPECT_GE(BlockPool::block_size(BlockPool::class_of(size)), size);
}

TEST(BlockPool, BlocksAreDistinctAlignedAndDoNotOverlap) {
  BlockPool pool;
  const std::size_t cls = BlockPool::class_of(48);
  std::vector<FreeBlock*> blocks = take(pool, cls, 20000);  // several pages
  EXPECT_EQ(pool.blocks_in_use(), 20000u);
  EXPECT_GT(pool.pages(), 1u);
  std::vector<std::uintptr_t> at;
  for (FreeBlock* b : blocks) at.push_back(address(b));
  std::sort(at.begin(), at.end());
  for (std::size_t i = 0; i < at.size(); ++i) {
    EXPECT_EQ(at[i] % BlockPool::kGranule, 0u);
    if (i > 0) {
      EXPECT_GE(at[i] - at[i - 1], BlockPool::block_size(cls));
    }
  }
  give(pool, blocks);
  EXPECT_EQ(pool.blocks_in_use(), 0u);
}

TEST(BlockPool, EmptyPagesGoBackExceptTheLastOfTheirClass) {
  BlockPool pool;
  const std::size_t small = BlockPool::class_of(32), large = BlockPool::class_of(512);
  std::vector<FreeBlock*> a = take(pool, small, 30000);
  std::vector<FreeBlock*> b = take(pool, large, 3000);
  const std::size_t held = pool.pages();
  EXPECT_GT(held, 4u);
  give(pool, a);
  EXPECT_LT(pool.pages(), held);
  give(pool, b);
  EXPECT_EQ(pool.pages(), 2u);  // one page with room per class used
}

TEST(BlockPool, AFreshOrEmptiedPageHandsOutBlocksInAddressOrder) {
  BlockPool pool;
  const std::size_t cls = BlockPool::class_of(64);
  std::vector<FreeBlock*> first = take(pool, cls, 100);
  for (std::size_t i = 1; i < first.size(); ++i)
    EXPECT_EQ(address(first[i]) - address(first[i - 1]), 64u);
  // Given back in another order, the emptied page starts over: same blocks, same order.
  std::vector<FreeBlock*> shuffled = first;
  std::reverse(shuffled.begin(), shuffled.end());
  give(pool, shuffled);
  EXPECT_EQ(take(pool, cls, 100), first);
}

TEST(BlockPool, AGivenBackBlockIsReusedBeforeNewOnes) {
  BlockPool pool;
  const std::size_t cls = BlockPool::class_of(16);
  std::vector<FreeBlock*> blocks = take(pool, cls, 10);
  give(pool, {blocks[3]});
  EXPECT_EQ(take(pool, cls, 1), std::vector<FreeBlock*>{blocks[3]});
  give(pool, blocks);
}

// Blocks taken on one thread are given back on another, on every thread at once.
TEST(BlockPool, ThreadsTakeAndGiveBackConcurrently) {
  BlockPool pool;
  constexpr int kThreads = 4;
  constexpr std::size_t kRounds = 200, kBlocks = 300;
  std::vector<std::vector<FreeBlock*>> handed(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      const std::size_t cls = static_cast<std::size_t>(t) % 3;
      for (std::size_t r = 0; r < kRounds; ++r) {
        std::vector<FreeBlock*> mine = take(pool, cls, kBlocks);
        for (FreeBlock* b : mine) *reinterpret_cast<std::uint64_t*>(b + 1) = r;  // write beyond the link
        give(pool, mine);
      }
      handed[t] = take(pool, cls, kBlocks);
    });
  for (auto& th : threads) th.join();
  std::set<FreeBlock*> distinct;
  for (auto& v : handed) distinct.insert(v.begin(), v.end());
  EXPECT_EQ(distinct.size(), kThreads * kBlocks);
  EXPECT_EQ(pool.blocks_in_use(), kThreads * kBlocks);
  std::vector<std::thread> givers;
  for (int t = 0; t < kThreads; ++t) givers.emplace_back([&, t] { give(pool, handed[(t + 1) % kThreads]); });
  for (auto& th : givers) th.join();
  EXPECT_EQ(pool.blocks_in_use(), 0u);
  EXPECT_LE(pool.pages(), 3u);
}

}  // namespace
