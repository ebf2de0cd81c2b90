// cyc_report_writer.cpp - the CYC_REPORT file: one JSON line per garbage cycle a collection finds,
// and per type still alive at exit, for `cyclops confirm` (format: docs/cyc-report.md).
#include "cyc_report_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <new>
#include <system_error>

#include "garbage_cycles.h"
#include "json_string.h"
#include "type_name.h"

namespace cyc::detail {
namespace {

constinit std::atomic<ReportFile*> g_file{nullptr};

void add_number(std::string& out, const char* key, std::uint64_t value) {
  out += ",\"";
  out += key;
  out += "\":";
  out += std::to_string(value);
}

}  // namespace

const char* reason_name(Reason reason) noexcept {
  switch (reason) {
    case Reason::kAutomatic: return "automatic";
    case Reason::kExplicit: return "explicit";
    case Reason::kExit: return "exit";
  }
  return "explicit";
}

std::string format_cycle_record(long pid, const CycleRecord& r) {
  std::string out = "{\"record\":\"cycle\",\"pid\":" + std::to_string(pid);
  add_number(out, "collection", r.collection);
  out += ",\"reason\":\"";
  out += reason_name(r.reason);
  out += "\",\"generation\":" + std::to_string(r.generation);
  out += ",\"path\":[";
  const std::vector<gc::Edge>& path = r.cycle->path;
  const std::size_t steps = std::min(path.size(), kMaxPathSteps);
  for (std::size_t i = 0; i < steps; ++i) {
    const gc::Edge& e = path[i];
    if (i > 0) out += ',';
    out += "{\"type\":" + json_string(e.type) + ",\"field\":" + json_string(e.field) +
           ",\"owner\":" + json_string(e.owner.empty() ? e.type : e.owner) + "}";
  }
  out += ']';
  if (steps < path.size()) add_number(out, "path_length", path.size());
  add_number(out, "objects", r.cycle->objects);
  add_number(out, "host_bytes", r.cycle->host_bytes);
  add_number(out, "device_bytes", r.cycle->device_bytes);
  add_number(out, "waited_ns", r.waited_ns);
  add_number(out, "waited_collections", r.waited_collections);
  out += '}';
  return out;
}

std::string format_alive_record(long pid, const AliveRecord& r) {
  std::string out = "{\"record\":\"alive\",\"pid\":" + std::to_string(pid);
  out += ",\"type\":" + json_string(r.type);
  add_number(out, "objects", r.objects);
  add_number(out, "host_bytes", r.host_bytes);
  add_number(out, "device_bytes", r.device_bytes);
  out += '}';
  return out;
}

ReportFile::ReportFile(std::string path) noexcept : path_(std::move(path)) {
  do {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  } while (fd_ < 0 && errno == EINTR);
  if (fd_ < 0) fail("open", errno);
}

ReportFile::~ReportFile() {
  if (fd_ >= 0) ::close(fd_);
}

void ReportFile::append(std::string line) noexcept {
  if (!ok()) return;
  try {
    line += '\n';
  } catch (...) {
    return;  // out of memory: this record is lost, the file stays whole
  }
  const char* p = line.data();
  std::size_t left = line.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write", errno);
      return;
    }
    // A regular file only takes part of a write when the disk is full; the rest then
    // fails with ENOSPC above.
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

void ReportFile::fail(const char* doing, int err) noexcept {
  if (failed_.exchange(true)) return;
  const char* why = "unknown error";
  std::string message;
  try {
    message = std::error_code(err, std::generic_category()).message();
    why = message.c_str();
  } catch (...) {
  }
  std::fprintf(stderr, "cyc: CYC_REPORT: cannot %s '%s': %s (no report is written)\n", doing, path_.c_str(),
               why);
}

void start_report() noexcept {
  static const bool started = [] {
    const char* path = std::getenv("CYC_REPORT");
    if (!path || !*path) return false;
    // Never destroyed: collections may run, and write, during static destruction.
    auto* file = new (std::nothrow) ReportFile(path);
    if (!file) return false;
    if (!file->ok()) {
      delete file;
      return false;
    }
    g_file.store(file, std::memory_order_release);
    g_reporting.store(true, std::memory_order_release);
    return true;
  }();
  (void)started;
}

ReportFile* report_file() noexcept { return g_file.load(std::memory_order_acquire); }

void report_cycles(std::uint64_t collection, Reason reason, int generation,
                   const std::vector<gc::Cycle>& cycles, const std::vector<Since>& since,
                   std::int64_t found_ns) noexcept {
  ReportFile* file = report_file();
  if (!file) return;
  const long pid = static_cast<long>(::getpid());
  for (std::size_t i = 0; i < cycles.size(); ++i) {
    if (cycles[i].path.empty()) continue;  // not a cycle: readers require a path
    CycleRecord r;
    r.collection = collection;
    r.reason = reason;
    r.generation = generation;
    r.cycle = &cycles[i];
    if (i < since.size() && since[i].ns >= 0) {
      r.waited_ns = static_cast<std::uint64_t>(std::max<std::int64_t>(0, found_ns - since[i].ns));
      r.waited_collections = collection - 1 - since[i].collections;
    }
    try {
      file->append(format_cycle_record(pid, r));
    } catch (...) {
      // Out of memory formatting it: this record is lost.
    }
  }
}

void report_at_exit() noexcept {
  ReportFile* file = report_file();
  if (!file) return;
  if (tl_collecting || tl_in_trace || tl_holds_lock) return;
  static std::atomic<bool> done{false};
  if (done.exchange(true)) return;
  try {
    std::vector<Header*> kept = collect_at_exit();
    std::sort(kept.begin(), kept.end());
    std::map<std::string, AliveRecord> alive;  // by type name: sorted, one line per type
    {
      CandidatesLock lock;
      for (Header* h : candidates().census) {
        if (std::binary_search(kept.begin(), kept.end(), h)) continue;  // reported as garbage
        AliveRecord& a = alive[type_name(*h->type().rtti)];
        ++a.objects;
        a.host_bytes += object_host_bytes(h);
        a.device_bytes += object_device_bytes(h);
      }
    }
    const long pid = static_cast<long>(::getpid());
    for (auto& [type, record] : alive) {
      record.type = type;
      file->append(format_alive_record(pid, record));
    }
  } catch (...) {
    // Out of memory at exit: the report stops here.
  }
}

namespace {

// Constructed before the program's own static objects (the highest priority a program may
// use), so destroyed after them: the report at exit sees what the program left once its
// globals have dropped their handles, as a leak checker would. The collector, the heap and
// the device allocator are never destroyed, so they still work then.
struct AtExit {
  AtExit() noexcept { start_report(); }
  ~AtExit() { report_at_exit(); }
};
[[gnu::init_priority(101)]] AtExit report_at_exit_hook;

}  // namespace

}  // namespace cyc::detail
