// CliRunner.h - running the built `cyclops` from the analyzer's tests, and the small file
// helpers those tests share.
#pragma once

#include <string>
#include <vector>

#include "llvm/ADT/StringRef.h"

namespace cyclops::test {

struct CliResult {
  int Exit = -1;  // the exit status; negative when it could not run or was killed
  std::string Out, Err;
};

// Runs the cyclops binary under test (CYCLOPS_BINARY) with Args, stdout and stderr captured.
// Env entries (NAME=VALUE) are added to this process's environment for the run. Gives up
// after five minutes.
CliResult cyclops(const std::vector<std::string> &Args, const std::vector<std::string> &Env = {});

// The whole file, or "" when it cannot be read.
std::string slurp(llvm::StringRef Path);
// Writes Text to Path (a test failure when it cannot).
void spit(llvm::StringRef Path, llvm::StringRef Text);

// The non-empty lines of Text.
std::vector<std::string> lines(llvm::StringRef Text);
// The error lines ("cyclops: error: ...") of a run's stderr.
std::vector<std::string> errorLines(const CliResult &R);

}  // namespace cyclops::test
