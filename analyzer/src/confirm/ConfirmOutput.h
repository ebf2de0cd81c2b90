// ConfirmOutput.h - what `cyclops confirm` prints and writes: the table (stdout), the JSON
// report (--report) and the HTML page (--html).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include "confirm/Findings.h"
#include "confirm/Matcher.h"
#include "confirm/Observations.h"

namespace cyclops::confirm {

// The run the outputs describe.
struct RunInfo {
  std::vector<std::string> Command;
  int ExitStatus = 0;
  std::string Signal;         // set when the command was killed by a signal
  bool ReportWritten = true;  // false: the program wrote no CYC_REPORT at all
};

// Everything an output needs, borrowed from the caller.
struct ConfirmView {
  const RunInfo &Run;
  const std::vector<StaticFinding> &Findings;
  const Observations &Observed;
  const ConfirmResult &Result;
};

// The sections CONFIRMED, NOT EXERCISED, MISSED and ALIVE AT EXIT as aligned columns.
void writeTable(llvm::raw_ostream &OS, const ConfirmView &V);

// The same as JSON; the shape is documented in analyzer/README.md. Keys are sorted, numbers
// are exact bytes and nanoseconds, so the output is byte-for-byte reproducible.
llvm::json::Value toJson(const ConfirmView &V);
void writeJsonReport(llvm::raw_ostream &OS, const ConfirmView &V);

// One self-contained page (inline CSS and SVG, no scripts, nothing fetched): a diagram of
// each confirmed and each missed cycle, objects on a circle, fields as labelled edges, the
// edge that closes the cycle highlighted; then the other sections as tables.
void writeHtml(llvm::raw_ostream &OS, const ConfirmView &V);

// Shared rendering (Render.cpp).
std::string formatBytes(uint64_t Bytes);                            // "96 B", "1.5 KiB", "4.0 MiB"
std::string formatDuration(uint64_t Nanos);                         // "850 ns", "12.5 us", "1.23 ms", "2.50 s"
std::string stepName(llvm::StringRef Type, llvm::StringRef Field);  // "A.f", "A[]" for elements
// How many steps, repeated, make up the whole path (its length when no fewer do): a ring of
// six Nodes is Node.next six times. Steps are the same when their types and fields are.
// Linear in the path's length.
size_t repeatingPeriod(const std::vector<ObservedStep> &Path);
size_t repeatingPeriod(const std::vector<FindingStep> &Path);
// "A.f -> B.g -> (A)". A path of more than six steps is shortened: one that repeats to its
// period and " (N rounds)", another to its first five steps and "... N more steps".
std::string renderPath(const std::vector<ObservedStep> &Path);
std::string renderPath(const std::vector<FindingStep> &Path);
std::string location(const StaticFinding &F);                      // "file:line", or "-" when the finding has no file
std::string commandLine(const std::vector<std::string> &Command);  // shell-quoted where needed

}  // namespace cyclops::confirm
