// pause_bench - the pauses of automatic collections under a steady workload, the same one
// bench/pause_cpython.py runs in CPython (bench/compare_pauses.py puts them side by side).
//
// Workload: a live heap of --objects objects (default 1,000,000): --sessions sessions (1000),
// each holding a chain of nodes, all reachable from one root list that stays alive. Then, for
// --seconds (10), a loop makes and drops request/response pairs: a Request holds its session
// and its Response, the Response holds the Request and a callback (a cyc::closure capturing the
// Request): a small cycle, garbage as soon as the iteration's handles go, and a drop that
// touches one live session. Automatic collection is on, with the default thresholds (as
// CPython's: 700, 10, 10), in one thread: collections run inside make<T>.
//
// A pause is the duration of an iteration in which a collection ran (its make<T> calls and
// drops included: a few hundred nanoseconds besides the collection). Output, one JSON line:
//   {"impl":"cyc","objects":N,"seconds":S,"iterations":I,"collections":[g0,g1,g2],
//    "pauses":P,"p50_us":...,"p99_us":...,"max_us":...,
//    "by_generation":[{"pauses":...,"p50_us":...,"p99_us":...,"max_us":...}, x3],
//    "noise":{"p50_us":...,"p99_us":...},
//    "other_iterations":{"p50_us":...,"p99_us":...,"p999_us":...,"max_us":...}}
// where "noise" is the machine's own tail: a loop of constant work as long as the median of the
// first 1000 pauses, timed after every fourth pause from then on, in the same stretches of
// time as the pauses. Interrupts, and neighbours that slow the machine for a while, stretch
// some short stretches of work, so its p99 is about the least a pause of that length can show
// here, whatever the collector does. "other_iterations" are the iterations in which no
// collection ran: where the teardown that automatic collections leave to later allocations
// (lazy sweeping, <cyc/gc.h>) shows up.
//
// Usage: pause_bench [--objects N] [--sessions K] [--seconds S]
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <cyc/cyc.h>

#include "bench_args.h"

namespace {

struct Node {
  cyc::Handle<Node> next;
  CYC_TRACE(next)
};

struct Session {
  cyc::Handle<Node> head;
  CYC_TRACE(head)
};

struct Response;
struct Request {
  cyc::Handle<Session> session;
  cyc::Handle<Response> response;
  CYC_TRACE(session, response)
};

struct Response {
  cyc::Handle<Request> request;
  cyc::Function<void()> on_done;
  CYC_TRACE(request, on_done)
};

using Clock = std::chrono::steady_clock;

void fail(const char* what) { bench::fail("pause_bench", 2, what); }

std::size_t parse_size(const char* s) { return bench::positive_argument("pause_bench", 2, s); }

// The live heap: sessions of equal chains, objects in all (sessions and root list included).
cyc::Handle<std::vector<cyc::Handle<Session>>> build_live(std::size_t objects, std::size_t sessions) {
  auto root = cyc::make<std::vector<cyc::Handle<Session>>>();
  const std::size_t chain = (objects - 1) / sessions - 1;
  for (std::size_t s = 0; s < sessions; ++s) {
    auto session = cyc::make<Session>();
    cyc::Handle<Node>* link = &session->head;
    for (std::size_t i = 0; i < chain; ++i) {
      *link = cyc::make<Node>();
      { cyc::Handle<Node> touched = *link; }  // a candidate: the first collect() settles it
      link = &(*link)->next;
    }
    { cyc::Handle<Session> touched = session; }
    root->push_back(std::move(session));
  }
  return root;
}

// One request/response pair, made and dropped.
void serve(const cyc::Handle<Session>& session) {
  auto request = cyc::make<Request>();
  request->session = session;
  auto response = cyc::make<Response>();
  response->request = request;
  request->response = response;
  response->on_done = cyc::closure([](cyc::Handle<Request>&) {}, request);
}

std::size_t total_collections() {
  std::size_t n = 0;
  for (const cyc::gc::GenerationStats& s : cyc::gc::stats()) n += s.collections;
  return n;
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const std::size_t i = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

// The machine's tail (see the top): constant work over a 64 KiB array, as a collection's work
// is over its objects, timed between the pauses so that it meets the same stretches of time
// (a neighbour that slows the machine for a second slows both).
class Noise {
 public:
  Noise() : memory_(1 << 14, 1) {
    for (int i = 0; i < 200; ++i) per_unit_us_ = std::min(per_unit_us_, timed(16) / 16);
  }
  ~Noise() {
    if (sink_ == 42) std::fputs("", stderr);  // keeps the work
  }
  Noise(const Noise&) = delete;
  Noise& operator=(const Noise&) = delete;
  // From now on, samples last about `us`.
  void aim(double us) { units_ = std::max<std::size_t>(1, static_cast<std::size_t>(us / per_unit_us_ + 0.5)); }
  void sample() { times_.push_back(timed(units_)); }
  std::vector<double>& times() { return times_; }

 private:
  void work(std::size_t units) {  // a unit: one pass over 4096 words
    std::uint32_t s = sink_;
    for (std::size_t u = 0; u < units; ++u)
      for (std::size_t i = (u % 4) * 4096, e = i + 4096; i < e; ++i) memory_[i] = s += memory_[i];
    sink_ = s;
  }
  double timed(std::size_t units) {
    const auto t0 = Clock::now();
    work(units);
    return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
  }
  std::vector<std::uint32_t> memory_;
  std::uint32_t sink_ = 0;
  double per_unit_us_ = 1e9;
  std::size_t units_ = 1;
  std::vector<double> times_;
};

// Every how many pauses one noise sample is taken, and after how many pauses its length is set
// to their median so far.
constexpr std::size_t kNoiseEvery = 4;
constexpr std::size_t kNoiseAimAfter = 1000;

// The durations of the iterations without a collection: tens of millions, so counted in
// 10 ns buckets rather than kept.
class Histogram {
 public:
  void add(double us) {
    const auto bucket = static_cast<std::size_t>(us * 100);
    ++counts_[std::min(bucket, counts_.size() - 1)];
    max_ = std::max(max_, us);
    ++total_;
  }
  // The bucket's upper bound at quantile p (the last bucket: the maximum).
  double quantile(double p) const {
    const auto rank = static_cast<std::uint64_t>(p * static_cast<double>(total_));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i + 1 < counts_.size(); ++i)
      if ((seen += counts_[i]) > rank) return static_cast<double>(i + 1) / 100;
    return max_;
  }
  double max() const { return max_; }

 private:
  std::vector<std::uint64_t> counts_ = std::vector<std::uint64_t>(10000);  // up to 100 us
  std::uint64_t total_ = 0;
  double max_ = 0;
};

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return percentile(v, 0.5);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t objects = 1000000, sessions = 1000, seconds = 10;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--objects") && i + 1 < argc) objects = parse_size(argv[++i]);
    else if (!std::strcmp(argv[i], "--sessions") && i + 1 < argc) sessions = parse_size(argv[++i]);
    else if (!std::strcmp(argv[i], "--seconds") && i + 1 < argc) seconds = parse_size(argv[++i]);
    else fail("usage: pause_bench [--objects N] [--sessions K] [--seconds S]");
  }
  if (objects < 4 * sessions) fail("--objects must be at least 4 per session");

  cyc::gc::disable();
  auto root = build_live(objects, sessions);
  // Every object of the live heap was a candidate: this examines them all and moves them to
  // the oldest generation, where a long-running process's live heap is.
  cyc::gc::collect();
  cyc::gc::enable();

  std::vector<double> pauses;  // microseconds
  std::array<std::vector<double>, cyc::gc::kGenerations> by_gen;
  Noise noise;
  noise.aim(10);
  Histogram others;
  std::size_t iterations = 0;
  const auto stats_before = cyc::gc::stats();
  const auto end = Clock::now() + std::chrono::seconds(seconds);
  std::size_t collections = total_collections();
  while (Clock::now() < end) {
    for (int k = 0; k < 64; ++k, ++iterations) {
      const auto t0 = Clock::now();
      serve((*root)[iterations % sessions]);
      const auto t1 = Clock::now();
      const std::size_t now = total_collections();
      if (now == collections) {
        others.add(std::chrono::duration<double, std::micro>(t1 - t0).count());
        continue;
      }
      collections = now;
      const double us = std::chrono::duration<double, std::micro>(t1 - t0).count();
      pauses.push_back(us);
      // The generation: the highest whose count went up since the last look.
      static auto last = stats_before;
      const auto stats = cyc::gc::stats();
      for (int g = cyc::gc::kGenerations - 1; g >= 0; --g)
        if (stats[g].collections != last[g].collections) {
          by_gen[g].push_back(us);
          break;
        }
      last = stats;
      if (pauses.size() == kNoiseAimAfter) noise.aim(median_of(pauses));
      if (pauses.size() > kNoiseAimAfter && pauses.size() % kNoiseEvery == 0) noise.sample();
    }
  }
  const auto stats_after = cyc::gc::stats();
  std::sort(pauses.begin(), pauses.end());
  std::string gens;
  for (auto& v : by_gen) {
    std::sort(v.begin(), v.end());
    char one[128];
    std::snprintf(one, sizeof one, "%s{\"pauses\":%zu,\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f}",
                  gens.empty() ? "" : ",", v.size(), percentile(v, 0.5), percentile(v, 0.99),
                  v.empty() ? 0.0 : v.back());
    gens += one;
  }
  std::sort(noise.times().begin(), noise.times().end());
  std::printf("{\"impl\":\"cyc\",\"objects\":%zu,\"seconds\":%zu,\"iterations\":%zu,\"collections\":[%zu,%zu,%zu],"
              "\"pauses\":%zu,\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f,\"by_generation\":[%s],"
              "\"noise\":{\"p50_us\":%.1f,\"p99_us\":%.1f},"
              "\"other_iterations\":{\"p50_us\":%.2f,\"p99_us\":%.2f,\"p999_us\":%.2f,\"max_us\":%.1f}}\n",
              objects, seconds, iterations, stats_after[0].collections - stats_before[0].collections,
              stats_after[1].collections - stats_before[1].collections,
              stats_after[2].collections - stats_before[2].collections, pauses.size(), percentile(pauses, 0.5),
              percentile(pauses, 0.99), pauses.empty() ? 0.0 : pauses.back(), gens.c_str(),
              percentile(noise.times(), 0.5), percentile(noise.times(), 0.99), others.quantile(0.5),
              others.quantile(0.99), others.quantile(0.999), others.max());
  return 0;
}
