// TUFacts.h - everything one translation unit contributes to the whole-program analysis.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "facts/CodeFacts.h"
#include "facts/Facts.h"
#include "rules/Finding.h"

namespace cyclops {

// A file the translation unit read, and a hash of the content it read (xxh3, 64 bits).
struct InputFile {
  std::string Path;  // absolute, normalized
  std::uint64_t Hash = 0;
  friend bool operator==(const InputFile &, const InputFile &) = default;
};

struct TUFacts {
  std::string MainFile;
  // Every file the translation unit read: the main file first, then each header it included
  // (system headers too), sorted by path. What a cached copy of these facts depends on.
  std::vector<InputFile> Inputs;
  std::vector<RecordFact> Records;
  std::vector<TraceHookFact> AdlHooks;  // cyc_trace(T&, cyc::Tracer&) overloads
  std::vector<FunctionSummary> Summaries;  // functions with a body (extract/Summaries.h)
  std::vector<CaptureFact> Captures;       // closures handed to stores (capture-cycle)
  std::vector<TypedStoreFact> TypedStores;  // stores cycle-type takes as evidence
  std::vector<ParamPassFact> ParamPasses;   // parameters passed on (what typed arguments follow)
  std::vector<StrongUseFact> StrongUses;    // uses that rule out a weak handle (fix-its)
  std::vector<Finding> Findings;        // from rules that need the AST (cycle-instance)
};

}  // namespace cyclops
