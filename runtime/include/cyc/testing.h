// cyc/testing.h - GoogleTest helpers that check what a statement leaves for the collector.
//
//   TEST(Model, SelfListHoldsItsTensorUntilCollect) {
//     EXPECT_HELD_UNTIL_COLLECT({
//       auto li = cyc::make<std::vector<cyc::Handle<>>>();
//       li->push_back(cyc::device::empty(4 << 20));
//       li->push_back(li);
//     });                                   // passes: 4 MiB held after the block, freed by collect()
//     EXPECT_NO_CYCLES(build_tree());       // fails, listing each cycle, if build_tree leaves one
//   }
//
//   int main(int argc, char** argv) {       // optional: report cycles left by every test
//     ::testing::InitGoogleTest(&argc, argv);
//     cyc::testing::install_cycle_listener(cyc::testing::OnCycles::Fail);
//     return RUN_ALL_TESTS();
//   }
//
// What "held" means: the live tracked objects (cyc::gc::tracked()) and the device bytes in
// use (cyc::device::memory_allocated()). Both macros first run a full collection so that
// garbage from earlier code is not attributed to the statement, and turn automatic
// collection off while the statement runs (an automatic collection could otherwise free the
// cycle before it is observed); they restore it afterwards.
//
// Threading: use from the test's thread, while no other thread mutates traced fields (the
// collector's own contract). Objects that other threads create or free while the statement
// runs are counted as the statement's.
//
// Cost: two or three full collections per macro, each O(candidates and what they reach).
//
// This header needs GoogleTest (gtest/gtest.h); the rest of libcyc does not.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <cyc/device.h>
#include <cyc/gc.h>

namespace cyc::testing {

// What one full collection found, with the bytes of every garbage cycle.
struct Collected {
  std::size_t objects = 0;  // collect()'s return value
  std::vector<gc::Cycle> cycles;
  std::size_t host_bytes = 0;
  std::size_t device_bytes = 0;
};

// Runs collect(2) with a temporary callback and returns what it found.
inline Collected collect_and_report() {
  Collected out;
  const std::size_t id = gc::add_callback([&out](const gc::CollectReport& report) {
    for (const gc::Cycle& cycle : report.cycles) {
      out.host_bytes += cycle.host_bytes;
      out.device_bytes += cycle.device_bytes;
      out.cycles.push_back(cycle);
    }
  });
  out.objects = gc::collect(2);
  gc::remove_callback(id);
  return out;
}

// One line per cycle: "Node.next -> Node.prev -> (Node): 2 objects, 96 host bytes, 0 device bytes".
inline std::string describe(const std::vector<gc::Cycle>& cycles) {
  std::string text;
  for (const gc::Cycle& cycle : cycles) {
    text += "  " + gc::format_path(cycle.path) + ": " + std::to_string(cycle.objects) +
            " objects, " + std::to_string(cycle.host_bytes) + " host bytes, " +
            std::to_string(cycle.device_bytes) + " device bytes\n";
  }
  return text;
}

namespace detail {

// Live tracked objects and device bytes in use.
struct Held {
  std::size_t tracked = 0;
  std::size_t device_bytes = 0;
  static Held now() { return {gc::tracked(), device::memory_allocated()}; }
  bool above(const Held& base) const {
    return tracked > base.tracked || device_bytes > base.device_bytes;
  }
  std::string delta(const Held& base) const {
    auto diff = [](std::size_t a, std::size_t b) {
      return a >= b ? std::to_string(a - b) : "-" + std::to_string(b - a);
    };
    return diff(tracked, base.tracked) + " tracked objects and " +
           diff(device_bytes, base.device_bytes) + " device bytes";
  }
};

// Turns automatic collection off for its lifetime (restoring the previous setting), after a
// full collection that clears garbage left by earlier code.
class QuietCollector {
 public:
  QuietCollector() : was_enabled_(gc::is_enabled()) {
    gc::collect(2);
    gc::disable();
  }
  ~QuietCollector() {
    if (was_enabled_) gc::enable();
  }
  QuietCollector(const QuietCollector&) = delete;
  QuietCollector& operator=(const QuietCollector&) = delete;

 private:
  bool was_enabled_;
};

template <class Statement>
::testing::AssertionResult held_until_collect(const char* text, Statement&& statement) {
  QuietCollector quiet;
  const Held before = Held::now();
  std::forward<Statement>(statement)();
  const Held after = Held::now();
  if (!after.above(before)) {
    return ::testing::AssertionFailure()
           << "expected `" << text << "` to leave memory held until collect(), but nothing it "
           << "allocated was still held after it (" << after.delta(before)
           << "): reference counting freed it, or it allocated nothing";
  }
  const Collected found = collect_and_report();
  const Held collected = Held::now();
  if (found.objects == 0) {
    return ::testing::AssertionFailure()
           << "`" << text << "` left " << after.delta(before)
           << " held, but collect() found no garbage: something outside the statement still "
           << "refers to them, or they are linked through an edge the collector cannot see "
           << "(a std::function capturing a handle; use cyc::closure)";
  }
  if (collected.above(before)) {
    return ::testing::AssertionFailure()
           << "collect() freed " << found.objects << " objects of `" << text << "`:\n"
           << describe(found.cycles) << "but " << collected.delta(before)
           << " stayed held after it: something outside the statement still refers to them";
  }
  return ::testing::AssertionSuccess()
         << "`" << text << "` held " << found.host_bytes << " host bytes and " << found.device_bytes
         << " device bytes until collect():\n"
         << describe(found.cycles);
}

template <class Statement>
::testing::AssertionResult no_cycles(const char* text, Statement&& statement) {
  {
    QuietCollector quiet;
    std::forward<Statement>(statement)();
  }
  const Collected found = collect_and_report();
  if (found.objects == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "`" << text << "` left " << found.cycles.size() << " garbage cycle(s), "
         << found.objects << " objects, " << found.host_bytes << " host bytes and "
         << found.device_bytes << " device bytes, held until collect():\n"
         << describe(found.cycles);
}

}  // namespace detail

// What the cycle listener does when a test leaves garbage cycles behind.
enum class OnCycles {
  Report,  // print them after the test's result
  Fail,    // also fail the test
};

// A GoogleTest event listener that runs a full collection after each test and reports the
// garbage cycles the test left behind, with their bytes. Install it with
// install_cycle_listener(), after InitGoogleTest and before RUN_ALL_TESTS.
class CycleListener : public ::testing::EmptyTestEventListener {
 public:
  explicit CycleListener(OnCycles mode = OnCycles::Report) : mode_(mode) {}

  void OnTestStart(const ::testing::TestInfo&) override {
    // Garbage from before this test (static initializers, an earlier test that failed
    // halfway) is not this test's.
    gc::collect(2);
  }

  void OnTestEnd(const ::testing::TestInfo& test) override {
    const Collected found = collect_and_report();
    if (found.objects == 0) return;
    const std::string text = std::string(test.test_suite_name()) + "." + test.name() + " left " +
                             std::to_string(found.cycles.size()) + " garbage cycle(s), " +
                             std::to_string(found.objects) + " objects, " +
                             std::to_string(found.host_bytes) + " host bytes, " +
                             std::to_string(found.device_bytes) + " device bytes:\n" +
                             describe(found.cycles);
    if (mode_ == OnCycles::Fail) {
      // GoogleTest attributes failures raised in OnTestEnd to the test that just ran.
      ADD_FAILURE() << text;
    } else {
      std::printf("[  CYCLES  ] %s", text.c_str());
      std::fflush(stdout);
    }
  }

 private:
  OnCycles mode_;
};

// Appends a CycleListener to GoogleTest's listeners (which own it) and returns it.
inline CycleListener* install_cycle_listener(OnCycles mode = OnCycles::Report) {
  auto* listener = new CycleListener(mode);
  ::testing::UnitTest::GetInstance()->listeners().Append(listener);
  return listener;
}

}  // namespace cyc::testing

// EXPECT_HELD_UNTIL_COLLECT(statement): after `statement`, memory it allocated (tracked
// objects or device bytes) is still held, a full collection finds garbage, and afterwards
// the held memory is back where it was before the statement. On failure the message says
// which step failed and lists the cycles found. The statement may be a braced block; commas
// in it need no extra parentheses.
#define EXPECT_HELD_UNTIL_COLLECT(...) \
  EXPECT_TRUE(::cyc::testing::detail::held_until_collect(#__VA_ARGS__, [&] { __VA_ARGS__; }))
#define ASSERT_HELD_UNTIL_COLLECT(...) \
  ASSERT_TRUE(::cyc::testing::detail::held_until_collect(#__VA_ARGS__, [&] { __VA_ARGS__; }))

// EXPECT_NO_CYCLES(statement): `statement` leaves no garbage cycle behind; on failure the
// message lists each cycle's path (type.field -> ...), objects and bytes.
#define EXPECT_NO_CYCLES(...) \
  EXPECT_TRUE(::cyc::testing::detail::no_cycles(#__VA_ARGS__, [&] { __VA_ARGS__; }))
#define ASSERT_NO_CYCLES(...) \
  ASSERT_TRUE(::cyc::testing::detail::no_cycles(#__VA_ARGS__, [&] { __VA_ARGS__; }))
