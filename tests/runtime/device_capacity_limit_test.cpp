// device_capacity_limit_test.cpp - the capacity cap alone: a Backend adaptor over a fake
// backend that refuses beyond the limit without asking the backend, counts only what the
// backend handed out, and passes everything else through.
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include <cyc/device.h>

#include "device/capacity_limit.h"
#include "fake_backend.h"

namespace {

namespace d = cyc::device::detail;
using fake_backend::FakeBackend;

constexpr std::size_t MiB = 1024 * 1024;

TEST(CapacityLimit, RefusesBeyondTheLimitWithoutAskingTheBackend) {
  FakeBackend backend;
  d::CapacityLimit limit(backend, 8 * MiB);
  void* a = limit.allocate(6 * MiB);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(limit.reserved(), 6 * MiB);
  EXPECT_EQ(limit.allocate(4 * MiB), nullptr) << "6 + 4 > 8";
  EXPECT_EQ(backend.requests().size(), 1u) << "the refused request never reached the backend";
  void* b = limit.allocate(2 * MiB);  // exactly up to the limit
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(limit.reserved(), 8 * MiB);
  limit.deallocate(a, 6 * MiB);
  EXPECT_EQ(limit.reserved(), 2 * MiB);
  void* c = limit.allocate(6 * MiB);
  EXPECT_NE(c, nullptr) << "returned bytes count again";
  limit.deallocate(b, 2 * MiB);
  limit.deallocate(c, 6 * MiB);
  EXPECT_EQ(limit.reserved(), 0u);
  EXPECT_EQ(backend.live_bytes(), 0u);
}

TEST(CapacityLimit, ARequestLargerThanTheLimitIsRefusedEvenWhenNothingIsReserved) {
  FakeBackend backend;
  d::CapacityLimit limit(backend, 1 * MiB);
  EXPECT_EQ(limit.allocate(2 * MiB), nullptr);
  EXPECT_TRUE(backend.requests().empty());
  EXPECT_EQ(limit.reserved(), 0u);
}

TEST(CapacityLimit, WithoutALimitEverythingPassesThroughAndIsCounted) {
  FakeBackend backend(64 * MiB);
  d::CapacityLimit limit(backend, std::nullopt);
  EXPECT_FALSE(limit.limit().has_value());
  void* a = limit.allocate(40 * MiB);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(limit.reserved(), 40 * MiB);
  EXPECT_EQ(limit.allocate(40 * MiB), nullptr) << "the backend's own out of memory";
  EXPECT_EQ(backend.requests().size(), 2u);
  EXPECT_EQ(limit.reserved(), 40 * MiB) << "a refusal by the backend takes its reservation back";
  limit.deallocate(a, 40 * MiB);
  EXPECT_EQ(limit.reserved(), 0u);
}

TEST(CapacityLimit, ABackendErrorTakesTheReservationBack) {
  FakeBackend backend;
  d::CapacityLimit limit(backend, 8 * MiB);
  backend.throw_next_allocate();
  EXPECT_THROW(limit.allocate(8 * MiB), cyc::device::Error);
  EXPECT_EQ(limit.reserved(), 0u);
  void* a = limit.allocate(8 * MiB);
  ASSERT_NE(a, nullptr) << "the whole capacity is still available";
  limit.deallocate(a, 8 * MiB);
}

TEST(CapacityLimit, AFailedDeallocateKeepsTheBytesReserved) {
  FakeBackend backend;
  d::CapacityLimit limit(backend, 8 * MiB);
  void* a = limit.allocate(2 * MiB);
  backend.throw_next_deallocate();
  EXPECT_THROW(limit.deallocate(a, 2 * MiB), cyc::device::Error);
  EXPECT_EQ(limit.reserved(), 2 * MiB) << "the backend still holds the segment";
  limit.deallocate(a, 2 * MiB);
  EXPECT_EQ(limit.reserved(), 0u);
}

TEST(CapacityLimit, TheCapacityIsTheLimitElseTheBackendsTotal) {
  FakeBackend backend(64 * MiB);
  EXPECT_EQ(d::CapacityLimit(backend, 8 * MiB).capacity(), 8 * MiB);
  EXPECT_EQ(d::CapacityLimit(backend, std::nullopt).capacity(), 64 * MiB);
  EXPECT_EQ(d::CapacityLimit(backend, 8 * MiB).default_capacity(), std::optional<std::size_t>(8 * MiB));
}

TEST(CapacityLimit, EverythingElseIsTheBackends) {
  FakeBackend backend(64 * MiB);
  d::CapacityLimit limit(backend, 8 * MiB);
  EXPECT_STREQ(limit.name(), "fake");
  EXPECT_EQ(limit.description(), "fake backend");
  EXPECT_EQ(limit.mem_info().total, 64 * MiB);
  EXPECT_EQ(&limit.upstream(), &backend);
  const cyc::device::Stream s = limit.create_stream();
  EXPECT_FALSE(s.is_default());
  limit.synchronize(s);
  limit.destroy_stream(s);
}

}  // namespace
