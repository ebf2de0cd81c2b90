// statistics.cpp - reading, resetting and checking the allocator's counters, and
// MemoryStats::to_map. See statistics.h.
#include "statistics.h"

#include <map>

namespace cyc::device::detail {
namespace {

// Every StatArray of a MemoryStats, with its torch-style name.
template <class S, class F>
void for_each_array(S& s, F f) {
  f("allocation", s.allocation);
  f("segment", s.segment);
  f("active", s.active);
  f("inactive_split", s.inactive_split);
  f("allocated_bytes", s.allocated_bytes);
  f("reserved_bytes", s.reserved_bytes);
  f("active_bytes", s.active_bytes);
  f("inactive_split_bytes", s.inactive_split_bytes);
  f("requested_bytes", s.requested_bytes);
}

// Every Stat of a StatArray, with its pool's name.
template <class A, class F>
void for_each_stat(A& a, F f) {
  f("all", a.all);
  f("small_pool", a.small_pool);
  f("large_pool", a.large_pool);
}

bool same_currents(const StatArray& a, const StatArray& b) noexcept {
  return a.all.current == b.all.current && a.small_pool.current == b.small_pool.current &&
         a.large_pool.current == b.large_pool.current;
}

}  // namespace

MemoryStats Statistics::read() const noexcept {
  MemoryStats s = stats_;
  // Frees are never deferred (no cross-stream use is recorded), so "active" is "allocated";
  // it is kept for torch compatibility without being counted twice.
  s.active = s.allocation;
  s.active_bytes = s.allocated_bytes;
  return s;
}

void Statistics::reset_peak() noexcept {
  for_each_array(stats_, [](const char*, StatArray& a) {
    for_each_stat(a, [](const char*, Stat& s) { s.peak = s.current; });
  });
}

void Statistics::reset_accumulated() noexcept {
  for_each_array(stats_, [](const char*, StatArray& a) {
    for_each_stat(a, [](const char*, Stat& s) { s.allocated = s.freed = 0; });
  });
  stats_.num_alloc_retries = 0;
  stats_.num_oom_collections = 0;
  stats_.num_ooms = 0;
}

std::string Statistics::compare_currents(const MemoryStats& found) const {
  std::map<std::string, const StatArray*> kept;
  for_each_array(stats_, [&](const char* name, const StatArray& a) { kept[name] = &a; });
  std::string bad;
  for_each_array(found, [&](const char* name, const StatArray& want) {
    const StatArray& have = *kept[name];
    if (same_currents(have, want)) return;
    bad += std::string(bad.empty() ? "" : "; ") + name + " statistics disagree with the blocks (" +
           std::to_string(have.all.current) + " counted, " + std::to_string(want.all.current) + " found)";
  });
  return bad;
}

}  // namespace cyc::device::detail

namespace cyc::device {

std::map<std::string, std::int64_t> MemoryStats::to_map() const {
  std::map<std::string, std::int64_t> m;
  detail::for_each_array(*this, [&](const char* name, const StatArray& a) {
    detail::for_each_stat(a, [&](const char* pool, const Stat& s) {
      const std::string base = std::string(name) + "." + pool + ".";
      m[base + "current"] = s.current;
      m[base + "peak"] = s.peak;
      m[base + "allocated"] = s.allocated;
      m[base + "freed"] = s.freed;
    });
  });
  m["num_alloc_retries"] = num_alloc_retries;
  m["num_oom_collections"] = num_oom_collections;
  m["num_ooms"] = num_ooms;
  return m;
}

}  // namespace cyc::device
