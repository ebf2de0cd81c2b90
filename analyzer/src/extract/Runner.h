// Runner.h - parses translation units in parallel and collects their facts.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "config/Rules.h"
#include "facts/TUFacts.h"

namespace clang::tooling {
class CompilationDatabase;
}

namespace cyclops {

// Whether the run shows "[12/66] src/Connector.cc" on stderr as units finish (Progress.h).
enum class ProgressMode {
  Never,
  OnTerminal,  // only when stderr is a terminal: a pipe or a file gets nothing
};

struct RunOptions {
  unsigned Jobs = 0;        // 0: one per core
  std::string ResourceDir;  // clang's builtin headers (see ResourceDir.h)
  std::string CacheDir = {};  // the facts cache (FactsCache.h); empty: no cache
  ProgressMode Progress = ProgressMode::OnTerminal;
  // Called with each file's name as its translation units finish (parsed or from the cache),
  // on the thread that ran it: must be safe to call from several threads at once.
  std::function<void(const std::string &File)> OnFinished = {};
  // Once set, files not yet started are left out (no facts, no failure, not pruned).
  const std::atomic<bool> *Cancel = nullptr;
};

struct TUFailure {
  std::string File;
  std::string Reason;  // the first error, "file:line:col: error: message"
};

struct RunResult {
  std::vector<TUFacts> Facts;  // one per translation unit that compiled
  std::vector<TUFailure> Failures;
  unsigned Analyzed = 0;   // translation units parsed by this run (compiled or not)
  unsigned FromCache = 0;  // translation units whose facts came from the cache
  std::vector<std::string> CachedFiles;  // their main files, in the order of Files
  std::vector<std::string> Notes;  // damaged cache entries, a cache that cannot be written
};

// Each file is parsed with its compile commands (the compiler's output options dropped,
// -fsyntax-only added, -resource-dir added where missing) on a thread pool. A translation
// unit that does not compile contributes no facts and a failure.
//
// With Options.CacheDir, a compile command whose cache entry is fresh is not parsed: its
// facts come from the entry. The others are parsed and their entries rewritten; those that
// do not compile lose their entries (FactsCache.h says when an entry is fresh).
//
// With Options.Progress and stderr on a terminal, one status line there names each file as it
// finishes, rewritten in place, and is erased before this returns.
RunResult runTranslationUnits(const clang::tooling::CompilationDatabase &DB,
                              const std::vector<std::string> &Files, const RuleSet &Rules,
                              const RunOptions &Options);

}  // namespace cyclops
