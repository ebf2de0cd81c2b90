// cyc_report_writer.h - the CYC_REPORT file: one JSON line per garbage cycle a collection finds,
// and per type still alive at exit, for `cyclops confirm` (format: docs/cyc-report.md).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <cyc/gc.h>

#include "candidates.h"

namespace cyc::detail {

// Reads CYC_REPORT once and, when it names a file that opens, turns reporting on
// (g_reporting). Runs before the program's own static objects are constructed, and from
// candidates() in case libcyc is used even earlier; idempotent and thread-safe.
void start_report() noexcept;

// An append-only JSON Lines file. Each line is one write(2) on a descriptor opened with
// O_APPEND, so lines from several threads or processes never interleave and none is lost
// in a buffer when the process exits. The first failure to open or write prints one line on
// stderr naming the file and the reason, and turns the file off; nothing else ever fails.
// Thread-safe.
class ReportFile {
 public:
  explicit ReportFile(std::string path) noexcept;
  ~ReportFile();
  ReportFile(const ReportFile&) = delete;
  ReportFile& operator=(const ReportFile&) = delete;

  bool ok() const noexcept { return !failed_.load(std::memory_order_relaxed); }
  const std::string& path() const noexcept { return path_; }
  // Appends `line` and a newline.
  void append(std::string line) noexcept;

 private:
  void fail(const char* doing, int err) noexcept;

  std::string path_;
  int fd_ = -1;
  std::atomic<bool> failed_{false};
};

// The report file, or null when reporting is off.
ReportFile* report_file() noexcept;

// Why a collection ran.
enum class Reason { kAutomatic, kExplicit, kExit };
const char* reason_name(Reason reason) noexcept;

// A "cycle" record. `collection` is the collection's number in this process; waited_* say
// how long after the cycle may have become unreachable it was found (see <cyc/gc.h>).
struct CycleRecord {
  std::uint64_t collection = 0;
  Reason reason = Reason::kExplicit;
  int generation = 0;
  const gc::Cycle* cycle = nullptr;
  std::uint64_t waited_ns = 0;
  std::uint64_t waited_collections = 0;
};
// A path longer than kMaxPathSteps (a ring of millions of nodes) is cut there, and the
// record says how long it was: "path_length".
inline constexpr std::size_t kMaxPathSteps = 1024;
std::string format_cycle_record(long pid, const CycleRecord& record);

// An "alive" record: the objects of one type alive at exit.
struct AliveRecord {
  std::string type;
  std::size_t objects = 0;
  std::size_t host_bytes = 0;
  std::size_t device_bytes = 0;
};
std::string format_alive_record(long pid, const AliveRecord& record);

// Writes one record per cycle found by collection number `collection`, which found its
// garbage at steady-clock time `found_ns`; `since` is describe_garbage's GarbageTiming::cycles.
void report_cycles(std::uint64_t collection, Reason reason, int generation,
                   const std::vector<gc::Cycle>& cycles, const std::vector<Since>& since,
                   std::int64_t found_ns) noexcept;

// Implemented in collector.cpp: the final collection, reason "exit". It reports the garbage
// and leaves it as it is (the process is ending, and its destructors could reach objects
// that static destruction has already destroyed); returns the objects it counted in cycles.
std::vector<Header*> collect_at_exit();

// The report at normal exit: the final collection, then the "alive" records. Does nothing
// when reporting is off, a second time, or from inside a collection or trace hook (exit()
// called by a callback or destructor the collector runs).
void report_at_exit() noexcept;

}  // namespace cyc::detail
