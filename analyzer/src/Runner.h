// Runner.h - parses translation units in parallel and collects their facts.
#pragma once

#include <string>
#include <vector>

#include "Rules.h"
#include "TUFacts.h"

namespace clang::tooling {
class CompilationDatabase;
}

namespace cyclops {

struct RunOptions {
  unsigned Jobs = 0;        // 0: one per core
  std::string ResourceDir;  // clang's builtin headers (see ResourceDir.h)
};

struct TUFailure {
  std::string File;
  std::string Reason;  // the first error, "file:line:col: error: message"
};

struct RunResult {
  std::vector<TUFacts> Facts;  // one per translation unit that compiled
  std::vector<TUFailure> Failures;
};

// Each file is parsed with its compile commands (the compiler's output options dropped,
// -fsyntax-only added, -resource-dir added where missing) on a thread pool. A translation
// unit that does not compile contributes no facts and a failure.
RunResult runTranslationUnits(const clang::tooling::CompilationDatabase &DB,
                              const std::vector<std::string> &Files, const RuleSet &Rules,
                              const RunOptions &Options);

}  // namespace cyclops
