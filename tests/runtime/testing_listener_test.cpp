// testing_listener_test.cpp - cyc::testing::CycleListener in a real GoogleTest run: one test
// leaves a cycle behind, one does not. ctest runs it twice (see CMakeLists.txt): reporting
// (the run passes and names the test) and with --fail (the leaking test fails, the other
// passes).
#include <cyc/testing.h>

#include <gtest/gtest.h>

#include <cstring>

#include <cyc/cyc.h>

namespace {

struct Node {
  cyc::Handle<Node> next;
  CYC_TRACE(next)
};

TEST(Listener, LeavesACycle) {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  a->next = b;
  b->next = a;
}

TEST(Listener, Clean) {
  auto a = cyc::make<Node>();
  a->next = cyc::make<Node>();
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const bool fail = argc > 1 && std::strcmp(argv[1], "--fail") == 0;
  cyc::testing::install_cycle_listener(fail ? cyc::testing::OnCycles::Fail
                                            : cyc::testing::OnCycles::Report);
  return RUN_ALL_TESTS();
}
