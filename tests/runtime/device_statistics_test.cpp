// device_statistics_test.cpp - the allocator's counters alone: what each reported event does
// to current, peak, allocated and freed (all pools and each), net inactive-split changes,
// the two resets, the out-of-memory chain's counts, the check against a count made from
// blocks, and the torch-style flat keys.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include <cyc/device.h>

#include "device/statistics.h"

namespace {

namespace d = cyc::device::detail;
using cyc::device::MemoryStats;
using cyc::device::Stat;

constexpr std::int64_t MiB = 1024 * 1024;

void expect_stat(const Stat& s, std::int64_t current, std::int64_t peak, std::int64_t allocated,
                 std::int64_t freed) {
  EXPECT_EQ(s.current, current);
  EXPECT_EQ(s.peak, peak);
  EXPECT_EQ(s.allocated, allocated);
  EXPECT_EQ(s.freed, freed);
}

TEST(DeviceStatistics, SegmentsAndBlocksMoveCurrentPeakAndTotalsPerPool) {
  d::Statistics s;
  s.record_segment_reserved(true, 2 * MiB);
  s.record_segment_reserved(false, 20 * MiB);
  s.record_block_allocated(true, 1024, 1000);
  s.record_block_allocated(false, 3 * MiB, 3 * MiB - 5);
  s.record_block_freed(true, 1024, 1000);
  const MemoryStats m = s.read();
  expect_stat(m.segment.all, 2, 2, 2, 0);
  expect_stat(m.segment.small_pool, 1, 1, 1, 0);
  expect_stat(m.reserved_bytes.all, 22 * MiB, 22 * MiB, 22 * MiB, 0);
  expect_stat(m.allocation.all, 1, 2, 2, 1);
  expect_stat(m.allocation.small_pool, 0, 1, 1, 1);
  expect_stat(m.allocation.large_pool, 1, 1, 1, 0);
  expect_stat(m.allocated_bytes.all, 3 * MiB, 3 * MiB + 1024, 3 * MiB + 1024, 1024);
  expect_stat(m.requested_bytes.all, 3 * MiB - 5, 3 * MiB + 995, 3 * MiB + 995, 1000);
  EXPECT_EQ(s.allocated_bytes(), static_cast<std::size_t>(3 * MiB));
  EXPECT_EQ(s.reserved_bytes(), static_cast<std::size_t>(22 * MiB));
  EXPECT_EQ(s.live_allocations(), 1);

  s.record_segment_released(true, 2 * MiB);
  expect_stat(s.read().segment.small_pool, 0, 1, 1, 1);
  expect_stat(s.read().reserved_bytes.all, 20 * MiB, 22 * MiB, 22 * MiB, 2 * MiB);
}

TEST(DeviceStatistics, ActiveIsReadAsAllocation) {
  d::Statistics s;
  s.record_block_allocated(false, 4 * MiB, 4 * MiB);
  const MemoryStats m = s.read();
  expect_stat(m.active.all, 1, 1, 1, 0);
  expect_stat(m.active_bytes.large_pool, 4 * MiB, 4 * MiB, 4 * MiB, 0);
}

TEST(DeviceStatistics, InactiveSplitChangesCountAsNetDeltas) {
  d::Statistics s;
  s.record_inactive_split_change(true, 1, 1000);
  s.record_inactive_split_change(true, 0, -400);  // e.g. a split block taken, a smaller rest split off
  const auto before = s.read().to_map();
  s.record_inactive_split_change(true, 0, 0);     // nothing happened
  EXPECT_EQ(s.read().to_map(), before);
  const MemoryStats m = s.read();
  expect_stat(m.inactive_split.small_pool, 1, 1, 1, 0);
  expect_stat(m.inactive_split_bytes.small_pool, 600, 1000, 1000, 400);
  expect_stat(m.inactive_split_bytes.large_pool, 0, 0, 0, 0);
  s.record_inactive_split_change(true, -1, -600);
  expect_stat(s.read().inactive_split.all, 0, 1, 1, 1);
}

TEST(DeviceStatistics, ResetPeakKeepsTotalsAndResetAccumulatedKeepsCurrents) {
  d::Statistics s;
  s.record_block_allocated(true, 4096, 4096);
  s.record_block_allocated(true, 4096, 4096);
  s.record_block_freed(true, 4096, 4096);
  s.count_alloc_retry();
  s.reset_peak();
  expect_stat(s.read().allocated_bytes.all, 4096, 4096, 8192, 4096);
  EXPECT_EQ(s.read().num_alloc_retries, 1);
  s.reset_accumulated();
  expect_stat(s.read().allocated_bytes.all, 4096, 4096, 0, 0);
  expect_stat(s.read().allocation.small_pool, 1, 1, 0, 0);
  EXPECT_EQ(s.read().num_alloc_retries, 0);
}

TEST(DeviceStatistics, TheOutOfMemoryChainsEventsAreCounted) {
  d::Statistics s;
  s.count_alloc_retry();
  s.count_alloc_retry();
  s.count_oom_collection();
  s.count_oom();
  const MemoryStats m = s.read();
  EXPECT_EQ(m.num_alloc_retries, 2);
  EXPECT_EQ(m.num_oom_collections, 1);
  EXPECT_EQ(m.num_ooms, 1);
  s.reset_accumulated();
  EXPECT_EQ(s.read().num_ooms, 0);
}

TEST(DeviceStatistics, CompareCurrentsNamesWhatDisagreesWithTheBlocks) {
  d::Statistics s;
  s.record_segment_reserved(true, 2 * MiB);
  MemoryStats found;
  found.segment.all.current = found.segment.small_pool.current = 1;
  EXPECT_EQ(s.compare_currents(found),
            "reserved_bytes statistics disagree with the blocks (2097152 counted, 0 found)");
  found.reserved_bytes.all.current = 2 * MiB;
  found.reserved_bytes.large_pool.current = 2 * MiB;  // right total, wrong pool
  EXPECT_NE(s.compare_currents(found).find("reserved_bytes statistics disagree"), std::string::npos);
  found.reserved_bytes.large_pool.current = 0;
  found.reserved_bytes.small_pool.current = 2 * MiB;
  found.segment.all.peak = 99;  // only current values are compared
  EXPECT_EQ(s.compare_currents(found), "");
}

TEST(DeviceStatistics, ToMapHasATorchStyleKeyForEveryStatistic) {
  d::Statistics s;
  s.record_segment_reserved(false, 20 * MiB);
  s.count_oom();
  const auto m = s.read().to_map();
  EXPECT_EQ(m.size(), 9u * 3 * 4 + 3);
  EXPECT_EQ(m.at("reserved_bytes.large_pool.current"), 20 * MiB);
  EXPECT_EQ(m.at("reserved_bytes.small_pool.peak"), 0);
  EXPECT_EQ(m.at("segment.all.allocated"), 1);
  EXPECT_EQ(m.at("active_bytes.all.freed"), 0);
  EXPECT_EQ(m.at("num_ooms"), 1);
  EXPECT_EQ(m.at("num_oom_collections"), 0);
}

}  // namespace
