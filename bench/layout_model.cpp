// layout_model - what the size of an object costs a collection that is bound by memory: a model
// of live_first's two passes (bench/gc_bench.cpp) over plain blocks, no collector involved.
//
// 1,000,000 blocks of `stride` bytes lie in address order, as the pool hands them out. Each
// block models an object: its collector state at its start, a handle (one pointer) in its last
// 8 bytes. Per iteration, after 64 MiB of other memory has been touched (so that no block is
// left in any cache):
//   pass 1  (step 1's root batches) walks an array of pointers to the blocks, fetching 32 ahead;
//           for each it reads the state, writes it back changed, reads the handle, and appends
//           the block to a second array (`visited`);
//   pass 2  (the root list's settling trace) walks an array of handles (`handle` bytes each) to
//           the blocks and changes each block's state again.
// two_passes/48/16 is the Node of before 2026-12 (GcHead 16, Header 16, a two-word Handle 16, a
// list of two-word handles); two_passes/32/8 today's (GcHead 8, Header 16, a one-word Handle).
// side_array is the other way to 32-byte objects that was weighed: the scratch state of a
// collection (refs, seen, the visitor) in a dense array indexed by examination order, 12 bytes
// per object, with only the colour and that index in the object. Their ratios are what each
// layout takes off live_first, whose instructions weigh little (bench/README.md).
//
// An iteration passes over 1,000,000 blocks, so its time in ms is the time per block in ns.
// Usage: layout_model [Google Benchmark flags]; compare them with
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

struct State {  // the collector state at the start of a block: 16 bytes, as the old GcHead
  std::uint32_t slot;
  std::int32_t refs;
  std::uint32_t seen;
  std::uint8_t color, gen, list, pad;
};
static_assert(sizeof(State) == 16);

struct SmallState {  // side_array: only the colour and the examination index stay in the block
  std::uint32_t strong, weak, meta, index;
};
struct Scratch {  // side_array: the rest, in examination order
  std::int32_t refs;
  std::uint32_t seen;
  std::uint32_t visitor;
};

// The blocks, the roots' array and the root list's handles (`handle` bytes each, the first
// word pointing to the block), and the other memory touched before each iteration.
struct Heap {
  Heap(std::size_t stride, std::size_t handle)
      : memory(static_cast<char*>(::operator new(kBlocks * stride, std::align_val_t{64}))),
        roots(kBlocks),
        list(kBlocks * handle),
        other(kEvict) {
    std::memset(memory, 1, kBlocks * stride);
    for (std::size_t i = 0; i < kBlocks; ++i) {
      roots[i] = memory + i * stride;
      std::memcpy(&list[i * handle], &roots[i], sizeof(char*));
    }
    visited.reserve(kBlocks);
  }
  ~Heap() { ::operator delete(memory, std::align_val_t{64}); }
  Heap(const Heap&) = delete;
  Heap& operator=(const Heap&) = delete;

  void evict() {
    for (std::size_t i = 0; i < other.size(); i += 64) ++other[i];
    visited.clear();
  }
  char* listed(std::size_t i, std::size_t handle) const {
    char* block;
    std::memcpy(&block, &list[i * handle], sizeof block);
    return block;
  }

  char* memory;
  std::vector<char*> roots;
  std::vector<char> list;
  std::vector<char*> visited;
  std::vector<char> other;
};

// Times the two passes over `heap`: pass 1 calls gray(block, i) on each root in turn, reads the
// block's handle and appends the block to `visited`; pass 2 calls settle(block) on the block each
// of the root list's handles points to.
template <class Gray, class Settle>
void time_passes(benchmark::State& state, Heap& heap, std::size_t stride, std::size_t handle,
                 Gray gray, Settle settle) {
  std::uintptr_t sink = 0;
  for (auto _ : state) {
    state.PauseTiming();
    heap.evict();
    state.ResumeTiming();
    for (std::size_t i = 0; i < kBlocks; ++i) {  // pass 1
      if (i + kAhead < kBlocks) __builtin_prefetch(heap.roots[i + kAhead], 1);
      char* block = heap.roots[i];
      gray(block, i);
      char* next;
      std::memcpy(&next, block + stride - 8, sizeof next);
      sink += reinterpret_cast<std::uintptr_t>(next);
      heap.visited.push_back(block);
    }
    for (std::size_t i = 0; i < kBlocks; ++i) settle(heap.listed(i, handle));  // pass 2
    benchmark::DoNotOptimize(sink);
    benchmark::ClobberMemory();
  }
}

void TwoPasses(benchmark::State& state) {
  const auto stride = static_cast<std::size_t>(state.range(0));
  const auto handle = static_cast<std::size_t>(state.range(1));
  Heap heap(stride, handle);
  auto gray = [](char* block, std::size_t) {
    auto* s = reinterpret_cast<State*>(block);
    s->seen = s->slot;
    s->refs = static_cast<std::int32_t>(s->seen & 0xffff);
    s->color = 1;
  };
  auto settle = [](char* block) {
    auto* s = reinterpret_cast<State*>(block);
    s->slot = static_cast<std::uint32_t>(s->refs - 1);
    s->pad = s->gen;
    s->color = 0;
  };
  time_passes(state, heap, stride, handle, gray, settle);
}

void SideArray(benchmark::State& state) {
  constexpr std::size_t kStride = 32, kHandle = 8;
  Heap heap(kStride, kHandle);
  std::vector<Scratch> side(kBlocks);
  auto gray = [&side](char* block, std::size_t i) {
    auto* s = reinterpret_cast<SmallState*>(block);
    const std::uint32_t seen = s->strong;
    s->index = static_cast<std::uint32_t>(i);
    s->meta |= 1;
    side[i].seen = seen;
    side[i].refs = static_cast<std::int32_t>(seen & 0xffff);
  };
  auto settle = [&side](char* block) {
    auto* s = reinterpret_cast<SmallState*>(block);
    Scratch& x = side[s->index];
    x.visitor = static_cast<std::uint32_t>(x.refs - 1);
    s->meta &= ~1u;
  };
  time_passes(state, heap, kStride, kHandle, gray, settle);
}

BENCHMARK(TwoPasses)->Name("two_passes")->Args({48, 16})->Args({32, 8})->Unit(benchmark::kMillisecond);
BENCHMARK(SideArray)->Name("side_array")->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
