// Analyzer.h - the pipeline: facts from the AST -> graph -> findings.
//
// Used by `cyclops check` (main.cpp) and by the tests, which give it a database of their own.
#pragma once

#include <string>
#include <vector>

#include "config/Rules.h"
#include "extract/Runner.h"
#include "rules/Finding.h"

namespace clang::tooling {
class CompilationDatabase;
}

namespace cyclops {

struct AnalysisOptions {
  unsigned Jobs = 0;        // translation units parsed at once; 0: one per core
  std::string ResourceDir;  // clang's builtin headers (ResourceDir.h)
  std::string CacheDir = {};  // the facts cache (FactsCache.h); empty: none
};

struct AnalysisResult {
  std::vector<Finding> Findings;      // sorted, unique, suppressions applied
  std::vector<TUFailure> Failures;    // translation units that did not compile
  std::vector<std::string> Remarks;   // notes for the summary line, the cut-offs' included
  std::vector<Truncation> Truncated;  // the cut-offs reached
  unsigned TranslationUnits = 0;      // analyzed (compiled) translation units
  unsigned FromCache = 0;             // of which facts came from the cache
  unsigned Suppressed = 0;
};

// The rules over facts already extracted (the CLI's translation units, a facts directory,
// the IDE's current translation unit with the cache): graph checks, then the findings the AST
// rules left in the facts. Sorted, unique, suppressions applied; Failures stays empty.
AnalysisResult analyzeFacts(std::vector<TUFacts> Facts, const RuleSet &Rules);

AnalysisResult analyze(const clang::tooling::CompilationDatabase &DB,
                       const std::vector<std::string> &Files, const RuleSet &Rules,
                       const AnalysisOptions &Options);

}  // namespace cyclops
