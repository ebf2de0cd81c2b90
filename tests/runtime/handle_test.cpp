#include <gtest/gtest.h>

#include <cyc/cyc.h>

TEST(Handle, PlaceholderBuilds) {
  auto h = cyc::make<int>(1);
  EXPECT_EQ(*h, 1);
}
