// Confirm.h - `cyclops confirm`: runs a program linked with libcyc with CYC_REPORT set, reads
// what its collector observed, and matches it to the findings of `cyclops check`.
#pragma once

#include <string>
#include <vector>

#include "llvm/Support/raw_ostream.h"

namespace cyclops::confirm {

struct ConfirmOptions {
  std::string FindingsFile;          // --findings: the JSON of `cyclops check --format=json`
  std::string ReportFile;            // --report: write the result as JSON ("" for none)
  std::string HtmlFile;              // --html: write the page with the diagrams ("" for none)
  std::vector<std::string> Command;  // what to run: the program and its arguments
};

// Exit statuses of `cyclops confirm`. A command that exits non-zero (or is killed by
// signal N: 128 + N) passes its status through instead, whatever confirm found: a failing
// test binary must fail its CI job.
constexpr int ConfirmOk = 0;      // every collected cycle matched a finding (or none formed)
constexpr int ConfirmMissed = 1;  // the run formed cycles no finding predicted
constexpr int ConfirmError = 2;   // usage or input error: findings file missing or malformed,
                                  // the command cannot be started, a malformed report line,
                                  // an output file that cannot be written

// Runs the whole of `cyclops confirm`: checks the findings first (the command does not run
// when they are bad), runs the command, prints the table on `Out`, writes --report and
// --html, and returns the exit status above. One-line errors and notes go to `Err` as
// "cyclops: error: ..." and "cyclops: note: ...".
int runConfirm(const ConfirmOptions &Options, llvm::raw_ostream &Out, llvm::raw_ostream &Err);

}  // namespace cyclops::confirm
