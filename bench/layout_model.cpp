// layout_model - what the size of an object costs a collection that is bound by memory: a model
// of live_first's two passes (bench/gc_bench.cpp) over plain blocks, no collector involved.
//
// 1,000,000 blocks of `stride` bytes lie in address order, as the pool hands them out. Each
// block models an object: 16 bytes of collector state at its start, a handle (one pointer) in
// its last 16 bytes. Per iteration, after 64 MiB of other memory has been touched (so that no
// block is left in any cache):
//   pass 1  (step 1's root batches) walks an array of pointers to the blocks, fetching 32 ahead;
//           for each it reads the state, writes it back changed, reads the handle, and appends
//           the block to a second array (`visited`);
//   pass 2  (the root list's settling trace) walks an array of 16-byte handles to the blocks
//           and changes each block's state again.
// two_passes/48 is today's Node (GcHead, Header, one Handle); two_passes/32 the same with 16
// bytes of header less. Their ratio is what such a layout could take off live_first, whose
// instructions weigh little (bench/README.md).
//
// An iteration passes over 1,000,000 blocks, so its time in ms is the time per block in ns.
// Usage: layout_model [Google Benchmark flags]; compare the two with
//   --benchmark_repetitions=8 --benchmark_enable_random_interleaving=true
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include <benchmark/benchmark.h>

namespace {

constexpr std::size_t kBlocks = 1000000;
constexpr std::size_t kEvict = std::size_t{64} << 20;
constexpr std::size_t kAhead = 32;

struct State {  // the collector state at the start of a block: 16 bytes, as GcHead
  std::uint32_t slot;
  std::int32_t refs;
  std::uint32_t seen;
  std::uint8_t color, gen, list, pad;
};
static_assert(sizeof(State) == 16);

struct ListEntry {  // a Handle: object pointer and header pointer
  char* object;
  char* header;
};

void TwoPasses(benchmark::State& state) {
  const auto stride = static_cast<std::size_t>(state.range(0));
  auto* memory = static_cast<char*>(::operator new(kBlocks * stride, std::align_val_t{64}));
  std::memset(memory, 1, kBlocks * stride);
  std::vector<char*> roots(kBlocks);
  std::vector<ListEntry> list(kBlocks);
  for (std::size_t i = 0; i < kBlocks; ++i) {
    roots[i] = memory + i * stride;
    list[i] = {roots[i], roots[i]};
  }
  std::vector<char*> visited;
  visited.reserve(kBlocks);
  std::vector<char> other(kEvict);
  std::uintptr_t sink = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (std::size_t i = 0; i < other.size(); i += 64) ++other[i];
    visited.clear();
    state.ResumeTiming();
    for (std::size_t i = 0; i < kBlocks; ++i) {  // pass 1
      if (i + kAhead < kBlocks) __builtin_prefetch(roots[i + kAhead], 1);
      char* block = roots[i];
      auto* s = reinterpret_cast<State*>(block);
      s->seen = s->slot;
      s->refs = static_cast<std::int32_t>(s->seen & 0xffff);
      s->color = 1;
      char* handle;
      std::memcpy(&handle, block + stride - 16, sizeof handle);
      sink += reinterpret_cast<std::uintptr_t>(handle);
      visited.push_back(block);
    }
    for (const ListEntry& e : list) {  // pass 2
      auto* s = reinterpret_cast<State*>(e.header);
      s->slot = static_cast<std::uint32_t>(s->refs - 1);
      s->pad = s->gen;
      s->color = 0;
    }
    benchmark::DoNotOptimize(sink);
    benchmark::ClobberMemory();
  }
  ::operator delete(memory, std::align_val_t{64});
}

BENCHMARK(TwoPasses)->Name("two_passes")->Arg(48)->Arg(32)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
