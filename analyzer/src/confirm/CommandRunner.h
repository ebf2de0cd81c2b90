// CommandRunner.h - runs the program under confirmation with CYC_REPORT set.
#pragma once

#include <string>
#include <vector>

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace cyclops::confirm {

struct CommandStatus {
  // The command's exit status; for a command killed by signal N, 128 + N as a shell
  // reports it (or 128 when the signal cannot be told).
  int ExitStatus = 0;
  std::string Signal;  // the signal's description when it was killed by one, else ""
};

// Runs Command[0] (looked up on PATH when it has no '/') with Command[1..] as arguments,
// inheriting stdin, stdout and stderr and the environment of this process, except that
// CYC_REPORT is set to `ReportPath` (replacing any CYC_REPORT already set). Waits for it to
// finish. An error (one line, naming the command) when it cannot be started at all: not
// found, not executable. Blocks the calling thread; not thread-safe with respect to changes
// of this process's environment.
llvm::Expected<CommandStatus> runWithReport(const std::vector<std::string> &Command, llvm::StringRef ReportPath);

// A fresh path for the collector's report that no file occupies: a uniquely named
// temporary file is created (so no one else takes the name) and removed again, so that
// after the run its absence means the program wrote nothing.
llvm::Expected<std::string> freshReportPath();

}  // namespace cyclops::confirm
