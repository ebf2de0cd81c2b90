// device_bench - the caching device allocator (cyc::device) against malloc/free and against
// the backend's raw allocate/free (host: aligned_alloc/free; CUDA: cudaMalloc/cudaFree), and
// a training-loop pattern.
//
//   pair/<size>/cached   cyc::device::Allocation of <size> made and dropped (a cached block)
//   pair/<size>/empty    cyc::device::empty(<size>) made and dropped (plus the Buffer object)
//   pair/<size>/malloc   malloc + free of <size>
//   pair/<size>/backend  the backend's own allocate + deallocate of <size>, no cache
//   training_loop/fixed_shapes    each step makes 96 tensors of mixed sizes (512 B .. 24 MiB),
//                                 the same shapes every step, then frees them
//   training_loop/varying_shapes  the same with sizes drawn afresh every step
//
// After the runs a summary prints cached/malloc and cached/backend per size (target: a cached
// small pair under 100 ns on the host backend) and, for the training loops, the reserved
// memory after the first step and after the last: it must not grow across steps with fixed
// shapes (the benchmark fails with an error if it does). Use --benchmark_repetitions=N for
// medians. CYC_DEVICE chooses the backend, as everywhere.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

#include <cyc/cyc.h>

#include "median_reporter.h"

#include "device/process_allocator.h"
#include "device/size_classes.h"

namespace {

namespace d = cyc::device::detail;

struct Size {
  const char* name;
  std::size_t bytes;
};
constexpr Size kSizes[] = {{"small_4KiB", 4096}, {"small_512KiB", 512 * 1024},
                           {"large_8MiB", 8u << 20}, {"large_64MiB", 64u << 20}};

void Cached(benchmark::State& state, std::size_t bytes) {
  { cyc::device::Allocation warm(bytes); }  // the first pair makes the segment
  for (auto _ : state) {
    cyc::device::Allocation a(bytes);
    benchmark::DoNotOptimize(a.data());
  }
}

void Empty(benchmark::State& state, std::size_t bytes) {
  { auto warm = cyc::device::empty(bytes); }
  for (auto _ : state) {
    auto b = cyc::device::empty(bytes);
    benchmark::DoNotOptimize(b->data());
  }
}

void Malloc(benchmark::State& state, std::size_t bytes) {
  for (auto _ : state) {
    void* p = std::malloc(bytes);
    benchmark::DoNotOptimize(p);
    std::free(p);
  }
}

void Backend(benchmark::State& state, std::size_t bytes) {
  d::Backend& backend = d::global().backend();
  const std::size_t rounded = d::round_size(bytes);
  for (auto _ : state) {
    void* p = backend.allocate(rounded);
    if (!p) {
      state.SkipWithError("the backend is out of memory");
      break;
    }
    benchmark::DoNotOptimize(p);
    backend.deallocate(p, rounded);
  }
}

// ---- training loop --------------------------------------------------------------------------

std::map<std::string, std::pair<double, double>> g_reserved;  // name -> (after step 1, after last)

std::vector<std::size_t> step_shapes(std::mt19937& rng) {
  std::vector<std::size_t> sizes;
  for (int i = 0; i < 96; ++i) {
    switch (i % 8) {
      case 0: case 1: case 2: sizes.push_back(512 + rng() % (64 * 1024)); break;     // biases, scalars
      case 3: case 4: sizes.push_back(64 * 1024 + rng() % (960 * 1024)); break;    // small activations
      case 5: case 6: sizes.push_back((1u << 20) + rng() % (7u << 20)); break;     // activations
      default: sizes.push_back((8u << 20) + rng() % (16u << 20)); break;           // big ones
    }
  }
  return sizes;
}

void TrainingLoop(benchmark::State& state, bool fixed) {
  std::mt19937 rng(2024);
  std::vector<std::size_t> shapes = step_shapes(rng);
  std::vector<cyc::Handle<cyc::device::Buffer>> live;
  live.reserve(shapes.size());
  auto step = [&] {
    if (!fixed) shapes = step_shapes(rng);
    for (std::size_t n : shapes) live.push_back(cyc::device::empty(n));
    // Forward keeps everything, backward frees in reverse, as autograd does.
    while (!live.empty()) live.pop_back();
  };
  cyc::device::empty_cache();
  step();
  const double first = static_cast<double>(cyc::device::memory_reserved());
  std::size_t steps = 1;
  for (auto _ : state) {
    step();
    ++steps;
  }
  const double last = static_cast<double>(cyc::device::memory_reserved());
  g_reserved[fixed ? "fixed_shapes" : "varying_shapes"] = {first, last};
  state.counters["reserved_MiB_after_step_1"] = first / (1 << 20);
  state.counters["reserved_MiB_after_last"] = last / (1 << 20);
  state.counters["tensors_per_step"] = static_cast<double>(shapes.size());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(shapes.size()));
  if (fixed && last > first)
    state.SkipWithError(("reserved memory grew across steps: " + std::to_string(first) + " -> " +
                         std::to_string(last) + " bytes")
                            .c_str());
}

// ---- summary ----------------------------------------------------------------------------

class SummaryReporter : public MedianReporter {
 public:
  using MedianReporter::MedianReporter;

  bool PrintSummary() const {
    std::printf("\nbackend: %s (%s)\n", cyc::device::backend().c_str(), cyc::device::backend_description().c_str());
    std::printf("%-14s %12s %12s %12s %14s %14s\n", "size", "cached ns", "malloc ns", "backend ns",
                "cached/malloc", "cached/backend");
    bool ok = !failed_;
    for (const Size& s : kSizes) {
      const std::string base = std::string("pair/") + s.name + "/";
      auto get = [&](const char* what) {
        auto it = times_.find(base + what);
        return it == times_.end() ? -1.0 : it->second;
      };
      const double c = get("cached"), m = get("malloc"), b = get("backend");
      if (c < 0) continue;
      auto fmt = [](const char* f, double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, f, v);
        return std::string(buf);
      };
      auto num = [&](double v) { return v < 0 ? std::string("-") : fmt("%.1f", v); };
      auto ratio = [&](double v) { return v <= 0 ? std::string("-") : fmt("%.3g", c / v); };
      std::printf("%-14s %12s %12s %12s %14s %14s\n", s.name, num(c).c_str(), num(m).c_str(), num(b).c_str(),
                  ratio(m).c_str(), ratio(b).c_str());
    }
    auto small = times_.find("pair/small_4KiB/cached");
    if (small != times_.end() && cyc::device::backend() == "host") {
      const bool met = small->second < 100.0;
      std::printf("cached small pair on the host backend: %.1f ns (target < 100 ns): %s\n", small->second,
                  met ? "ok" : "MISSED");
    }
    for (const auto& [name, r] : g_reserved)
      std::printf("training_loop/%s: reserved %.1f MiB after step 1, %.1f MiB after the last step: %s\n",
                  name.c_str(), r.first / (1 << 20), r.second / (1 << 20),
                  r.second <= r.first ? "no growth" : (name == "fixed_shapes" ? "GREW" : "grew (varying shapes)"));
    return ok;
  }

};

void Register() {
  for (const Size& s : kSizes) {
    const std::string base = std::string("pair/") + s.name + "/";
    const std::size_t n = s.bytes;
    benchmark::RegisterBenchmark((base + "cached").c_str(), [n](benchmark::State& st) { Cached(st, n); });
    benchmark::RegisterBenchmark((base + "empty").c_str(), [n](benchmark::State& st) { Empty(st, n); });
    benchmark::RegisterBenchmark((base + "malloc").c_str(), [n](benchmark::State& st) { Malloc(st, n); });
    benchmark::RegisterBenchmark((base + "backend").c_str(), [n](benchmark::State& st) { Backend(st, n); });
  }
  benchmark::RegisterBenchmark("training_loop/fixed_shapes", [](benchmark::State& st) { TrainingLoop(st, true); })
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("training_loop/varying_shapes", [](benchmark::State& st) { TrainingLoop(st, false); })
      ->Unit(benchmark::kMicrosecond);
}

}  // namespace

int main(int argc, char** argv) {
  bool console = true;
  std::string color = "auto";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--benchmark_format=", 0) == 0 && arg != "--benchmark_format=console") console = false;
    if (arg.rfind("--benchmark_color=", 0) == 0) color = arg.substr(18);
  }
  try {
    benchmark::AddCustomContext("cyc_device_backend", cyc::device::backend());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "device_bench: %s\n", e.what());
    return 2;
  }
  Register();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  bool ok = true;
  if (console) {
    const bool use_color = color == "auto" ? isatty(STDOUT_FILENO) != 0
                                           : (color == "true" || color == "yes" || color == "1");
    SummaryReporter reporter(use_color);
    benchmark::RunSpecifiedBenchmarks(&reporter);
    ok = reporter.PrintSummary();
  } else {
    benchmark::RunSpecifiedBenchmarks();
  }
  benchmark::Shutdown();
  return ok ? 0 : 1;
}
