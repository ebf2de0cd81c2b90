// gc_bench - the cost of cyc::gc::collect() per object, on the shapes bench/gc_cpython.py
// builds in CPython (bench/compare_gc.py puts the two side by side).
//
// Shapes (each built from scratch for every run, automatic collection disabled):
//   cyclic_pairs   objects/2 pairs a <-> b, every external handle dropped: all garbage.
//                  One collect() finds and frees them all.
//   live_first     a live graph: a root list (std::vector<Handle<Node>>) holding
//                  objects-1 nodes, each node's `next` pointing to the following node;
//                  one handle to the root stays. Building it drops handles to every object
//                  while others remain, so every object is a candidate root and the first
//                  collect() examines the whole graph (nothing to free).
//   live_second    a second collect() on that unchanged heap: no candidates, nothing to
//                  examine. This is the point of candidate-root collection (CPython's
//                  full collection walks everything again).
//   read_pass      not a collection: one read of every object of live_first's heap (its
//                  collector state, count word and handle), in the order the collector meets
//                  them, before the first collect(). What any trace needs at the least: the
//                  floor that bench/README.md compares the collector with.
//
// Output: one JSON object per line and shape:
//   {"impl":"cyc","shape":...,"objects":N,"runs":R,"ns_per_object":median,
//    "ms":median,"min_ns_per_object":...,"max_ns_per_object":...,
//    "collected":...,"candidates":...,"traversed":...}
// where collected/candidates/traversed are the collector's own figures for the last run
// (gc::stats() of generation 2, before and after).
//
// Usage: gc_bench [--objects N] [--runs R] [--only pairs|live]
//        (defaults 1000000 objects, 5 runs, both shapes; --only is for profiling one shape)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <cyc/cyc.h>

#include "bench_args.h"

namespace {

struct Pair {
  cyc::Handle<Pair> other;
  CYC_TRACE(other)
};

struct Node {
  cyc::Handle<Node> next;
  CYC_TRACE(next)
};
using List = std::vector<cyc::Handle<Node>>;

using Clock = std::chrono::steady_clock;

struct Sample {
  double ns = 0;
  std::size_t collected = 0;
  std::size_t candidates = 0;
  std::size_t traversed = 0;
};

// One timed full collection, with the collector's own counts of what it did.
Sample timed_collect() {
  const auto before = cyc::gc::stats()[2];
  const auto t0 = Clock::now();
  const std::size_t found = cyc::gc::collect();
  const auto t1 = Clock::now();
  const auto after = cyc::gc::stats()[2];
  Sample s;
  s.ns = static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
  s.collected = found;
  s.candidates = after.candidates - before.candidates;
  s.traversed = after.traversed - before.traversed;
  return s;
}

// One pass over the memory of every object the live graph's collection examines.
Sample timed_read_pass(const List& list) {
  const auto t0 = Clock::now();
  std::uint64_t sum = 0;
  for (const cyc::Handle<Node>& node : list) {
    cyc::detail::Header* h = node.header();
    sum += h->strong.load(std::memory_order_relaxed) + h->gc()->gen() + (node->next ? 1 : 0);
  }
  const auto t1 = Clock::now();
  if (sum == 0) bench::fail("gc_bench", 1, "read_pass: read nothing");
  Sample s;
  s.ns = static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
  return s;
}

void build_pairs(std::size_t objects) {
  for (std::size_t i = 0; i < objects / 2; ++i) {
    auto a = cyc::make<Pair>();
    auto b = cyc::make<Pair>();
    a->other = b;
    b->other = a;
  }  // a and b dropped here: 2 -> 1 each, both recorded as candidates
}

cyc::Handle<List> build_live(std::size_t objects) {
  auto root = cyc::make<List>();
  const std::size_t nodes = objects - 1;  // plus the root list itself
  root->reserve(nodes);
  cyc::Handle<Node> prev;
  for (std::size_t i = 0; i < nodes; ++i) {
    cyc::Handle<Node> node = cyc::make<Node>();
    root->push_back(node);       // copied into the container
    if (prev) prev->next = node;
    prev = node;                 // drops the previous node's local: it becomes a candidate
  }                              // `node` dropped: the new node becomes a candidate
  prev.reset();
  { cyc::Handle<List> extra = root; }  // the root becomes a candidate too
  return root;
}

void fail(const char* what) { bench::fail("gc_bench", 1, what); }

void emit(const char* shape, std::size_t objects, std::vector<Sample> samples) {
  const Sample last = samples.back();
  std::sort(samples.begin(), samples.end(), [](const Sample& a, const Sample& b) { return a.ns < b.ns; });
  const std::size_t n = samples.size();
  const double median = n % 2 ? samples[n / 2].ns : (samples[n / 2 - 1].ns + samples[n / 2].ns) / 2;
  const double per = static_cast<double>(objects);
  std::printf(
      "{\"impl\":\"cyc\",\"shape\":\"%s\",\"objects\":%zu,\"runs\":%zu,\"ns_per_object\":%.4f,"
      "\"ms\":%.3f,\"min_ns_per_object\":%.4f,\"max_ns_per_object\":%.4f,"
      "\"collected\":%zu,\"candidates\":%zu,\"traversed\":%zu}\n",
      shape, objects, n, median / per, median / 1e6, samples.front().ns / per, samples.back().ns / per,
      last.collected, last.candidates, last.traversed);
  std::fflush(stdout);
}

std::size_t parse_size(const char* s) { return bench::positive_argument("gc_bench", 1, s); }

}  // namespace

int main(int argc, char** argv) {
  std::size_t objects = 1000000;
  std::size_t runs = 5;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--objects") && i + 1 < argc)
      objects = parse_size(argv[++i]);
    else if (!std::strcmp(argv[i], "--runs") && i + 1 < argc)
      runs = parse_size(argv[++i]);
    else if (!std::strcmp(argv[i], "--only") && i + 1 < argc &&
             (!std::strcmp(argv[i + 1], "pairs") || !std::strcmp(argv[i + 1], "live")))
      only = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--objects N] [--runs R] [--only pairs|live]\n", argv[0]);
      return 2;
    }
  }
  if (objects < 2) fail("--objects must be at least 2");
  objects -= objects % 2;  // whole pairs

  cyc::gc::disable();
  cyc::gc::collect();
  if (cyc::gc::tracked() != 0) fail("tracked objects before the benchmark");

  std::vector<Sample> pairs;
  for (std::size_t r = 0; only != "live" && r < runs; ++r) {
    build_pairs(objects);
    if (cyc::gc::tracked() != objects) fail("cyclic_pairs: unexpected number of tracked objects");
    pairs.push_back(timed_collect());
    if (pairs.back().collected != objects || cyc::gc::tracked() != 0)
      fail("cyclic_pairs: collect() did not free every pair");
  }
  if (!pairs.empty()) emit("cyclic_pairs", objects, pairs);

  std::vector<Sample> first, second, read;
  for (std::size_t r = 0; only != "pairs" && r < runs; ++r) {
    cyc::Handle<List> root = build_live(objects);
    if (cyc::gc::tracked() != objects) fail("live: unexpected number of tracked objects");
    read.push_back(timed_read_pass(*root));
    first.push_back(timed_collect());
    second.push_back(timed_collect());
    if (first.back().collected != 0 || second.back().collected != 0 || cyc::gc::tracked() != objects)
      fail("live: collect() freed live objects");
    root.reset();         // frees the graph by reference counting (untimed)
    cyc::gc::collect();   // settles the candidates recorded while it was torn down
    if (cyc::gc::tracked() != 0) fail("live: graph not freed after the run");
  }
  if (!first.empty()) {
    emit("live_first", objects, first);
    emit("live_second", objects, second);
    emit("read_pass", objects - 1, read);
  }
  return 0;
}
