// handle_bench - the cost of cyc::Handle / cyc::make / cyc::Weak against std::shared_ptr /
// std::make_shared / std::weak_ptr, for a *tracked* pointee (a struct with a handle field and
// CYC_TRACE, which takes part in cycle collection) and an *untracked* one (an int).
//
// libstdc++ gives std::shared_ptr non-atomic reference counts while the process has never
// started a second thread (glibc's __libc_single_threaded); cyc's counts do the same.
// By default the process stays single-threaded, which is what a single-threaded program
// gets from std. --multithreaded starts (and joins) one thread first, so std uses atomic
// counts too, as in any program that has ever had a second thread: the like-for-like
// comparison.
//
// Every benchmark is registered as a pair "<op>/<payload>/cyc" and "<op>/<payload>/std",
// run back to back; after the runs a summary prints cyc time / std time for each pair
// (target: <= 1.0). Usual Google Benchmark flags apply (--benchmark_filter,
// --benchmark_repetitions: the summary then uses the median).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <cyc/cyc.h>

#include "median_reporter.h"

namespace {

// Same shape on both sides: one strong pointer field and an int.
struct TNode {
  cyc::Handle<TNode> next;
  int value = 0;
  CYC_TRACE(next)
};
struct SNode {
  std::shared_ptr<SNode> next;
  int value = 0;
};
static_assert(cyc::is_traceable_v<TNode>, "TNode must be tracked");
static_assert(!cyc::is_traceable_v<int>, "int must not be tracked");

// Payload adapters: how to make one of each kind.
struct Tracked {
  static cyc::Handle<TNode> cyc_make() { return cyc::make<TNode>(); }
  static std::shared_ptr<SNode> std_make() { return std::make_shared<SNode>(); }
};
struct Untracked {
  static cyc::Handle<int> cyc_make() { return cyc::make<int>(42); }
  static std::shared_ptr<int> std_make() { return std::make_shared<int>(42); }
};

// ---- copy + drop ------------------------------------------------------------------------
// For a tracked pointee, the first drop that leaves the count non-zero records the object as
// a candidate root (slow path, under the collector's lock); later drops find it already
// buffered and take the fast path. This is the steady state of a handle copied and dropped
// in a loop; see copy_drop_after_collect for the first-drop cost.

template <class P>
void CycCopyDrop(benchmark::State& state) {
  auto h = P::cyc_make();
  for (auto _ : state) {
    auto c = h;
    benchmark::DoNotOptimize(c);
  }
}
template <class P>
void StdCopyDrop(benchmark::State& state) {
  auto h = P::std_make();
  for (auto _ : state) {
    auto c = h;
    benchmark::DoNotOptimize(c);
  }
}

// ---- copy + drop, the first drop since a collection ---------------------------------------
// kBatch distinct objects; before each (untimed) batch a collect() unbuffers them all, so
// every timed drop of a tracked object takes the candidate-recording slow path. std does the
// same copies and drops (its pause does nothing comparable). Time is per batch of kBatch.
constexpr int kBatch = 1024;

void CycCopyDropAfterCollect(benchmark::State& state) {
  std::vector<cyc::Handle<TNode>> objs;
  for (int i = 0; i < kBatch; ++i) objs.push_back(cyc::make<TNode>());
  for (auto _ : state) {
    state.PauseTiming();
    cyc::gc::collect();
    state.ResumeTiming();
    for (auto& h : objs) {
      auto c = h;
      benchmark::DoNotOptimize(c);
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
void StdCopyDropAfterCollect(benchmark::State& state) {
  std::vector<std::shared_ptr<SNode>> objs;
  for (int i = 0; i < kBatch; ++i) objs.push_back(std::make_shared<SNode>());
  for (auto _ : state) {
    state.PauseTiming();
    benchmark::ClobberMemory();
    state.ResumeTiming();
    for (auto& h : objs) {
      auto c = h;
      benchmark::DoNotOptimize(c);
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}

// ---- make + drop ------------------------------------------------------------------------

template <class P>
void CycMakeDrop(benchmark::State& state) {
  for (auto _ : state) {
    auto h = P::cyc_make();
    benchmark::DoNotOptimize(h);
  }
}
template <class P>
void StdMakeDrop(benchmark::State& state) {
  for (auto _ : state) {
    auto h = P::std_make();
    benchmark::DoNotOptimize(h);
  }
}

// ---- weak lock (+ drop of the strong handle it returns) ----------------------------------

template <class P>
void CycWeakLock(benchmark::State& state) {
  auto h = P::cyc_make();
  cyc::Weak<typename decltype(h)::element_type> w = h;
  for (auto _ : state) {
    auto l = w.lock();
    benchmark::DoNotOptimize(l);
  }
}
template <class P>
void StdWeakLock(benchmark::State& state) {
  auto h = P::std_make();
  std::weak_ptr<typename decltype(h)::element_type> w = h;
  for (auto _ : state) {
    auto l = w.lock();
    benchmark::DoNotOptimize(l);
  }
}

// ---- summary ----------------------------------------------------------------------------

// The console reporter, then the cyc/std ratio of each pair.
class SummaryReporter : public MedianReporter {
 public:
  using MedianReporter::MedianReporter;

  void PrintSummary() const {
    std::printf("\n%-34s %12s %12s %8s  %s\n", "pair (cpu time per iteration)", "cyc", "std",
                "cyc/std", "target <= 1.0");
    for (const auto& [name, cyc_t] : times_) {
      const std::string suffix = "/cyc";
      if (name.size() < suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
        continue;
      const std::string base = name.substr(0, name.size() - suffix.size());
      auto it = times_.find(base + "/std");
      if (it == times_.end()) continue;
      const double ratio = cyc_t / it->second;
      std::printf("%-34s %12.2f %12.2f %8.2f  %s\n", base.c_str(), cyc_t, it->second, ratio,
                  ratio <= 1.0 ? "ok" : "MISSED");
    }
  }

};

void Register() {
  using benchmark::RegisterBenchmark;
  RegisterBenchmark("copy_drop/tracked/cyc", CycCopyDrop<Tracked>);
  RegisterBenchmark("copy_drop/tracked/std", StdCopyDrop<Tracked>);
  RegisterBenchmark("copy_drop/untracked_int/cyc", CycCopyDrop<Untracked>);
  RegisterBenchmark("copy_drop/untracked_int/std", StdCopyDrop<Untracked>);
  RegisterBenchmark("copy_drop_after_collect/tracked/cyc", CycCopyDropAfterCollect);
  RegisterBenchmark("copy_drop_after_collect/tracked/std", StdCopyDropAfterCollect);
  RegisterBenchmark("make_drop/tracked/cyc", CycMakeDrop<Tracked>);
  RegisterBenchmark("make_drop/tracked/std", StdMakeDrop<Tracked>);
  RegisterBenchmark("make_drop/untracked_int/cyc", CycMakeDrop<Untracked>);
  RegisterBenchmark("make_drop/untracked_int/std", StdMakeDrop<Untracked>);
  RegisterBenchmark("weak_lock/tracked/cyc", CycWeakLock<Tracked>);
  RegisterBenchmark("weak_lock/tracked/std", StdWeakLock<Tracked>);
  RegisterBenchmark("weak_lock/untracked_int/cyc", CycWeakLock<Untracked>);
  RegisterBenchmark("weak_lock/untracked_int/std", StdWeakLock<Untracked>);
}

}  // namespace

int main(int argc, char** argv) {
  // A --benchmark_format other than console gets the library's own reporter, no summary.
  // (Checked before Initialize(), which removes the flags it recognizes from argv.)
  bool console = true;
  bool multithreaded = false;
  std::string color = "auto";
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--multithreaded") {
      multithreaded = true;
      continue;  // ours, not Google Benchmark's
    }
    if (arg.rfind("--benchmark_format=", 0) == 0 && arg != "--benchmark_format=console") console = false;
    if (arg.rfind("--benchmark_color=", 0) == 0) color = arg.substr(18);
    argv[kept++] = argv[i];
  }
  argc = kept;
  if (multithreaded) std::thread([] {}).join();
  benchmark::AddCustomContext("std_refcounts", multithreaded ? "atomic (--multithreaded)"
                                                             : "libstdc++ single-threaded fast path");
  Register();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  if (console) {
    const bool use_color = color == "auto" ? isatty(STDOUT_FILENO) != 0
                                           : (color == "true" || color == "yes" || color == "1");
    SummaryReporter reporter(use_color);
    benchmark::RunSpecifiedBenchmarks(&reporter);
    std::printf("\nstd::shared_ptr counts: %s\n",
                multithreaded ? "atomic (--multithreaded: a thread was started)"
                              : "non-atomic (libstdc++ single-threaded fast path; see --multithreaded)");
    reporter.PrintSummary();
  } else {
    benchmark::RunSpecifiedBenchmarks();
  }
  benchmark::Shutdown();
  return 0;
}
