// TUFacts.h - everything one translation unit contributes to the whole-program analysis.
#pragma once

#include <string>
#include <vector>

#include "Facts.h"
#include "Finding.h"

namespace cyclops {

struct TUFacts {
  std::string MainFile;
  std::vector<RecordFact> Records;
  std::vector<TraceHookFact> AdlHooks;  // cyc_trace(T&, cyc::Tracer&) overloads
  std::vector<Finding> Findings;        // from rules that need the AST (cycle-instance)
};

}  // namespace cyclops
