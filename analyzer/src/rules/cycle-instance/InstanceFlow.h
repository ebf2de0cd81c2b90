// InstanceFlow.h - the cycle-instance data flow over one function: clang's CFG, walked to a
// fixpoint with the abstract heap of InstanceHeap.h as the state.
//
// Each block keeps a few states apart, one per shape of the paths reaching it (8 at most,
// then they are joined), and a branch on a handle (`if (x)`, `while (cur)`) drops the paths
// it contradicts; loops run until no block learns anything new. Each CFG element is a
// transfer: a local bound or assigned, a store into a field or a container, a field
// cleared, a handle moved from, a call. Calls to functions of the same translation unit
// apply the callee's summary (InstanceSummaries.h), which the SummarySource computes on
// demand; other calls neither add nor remove edges, except that what they could change is
// forgotten (a handle passed by non-const reference; an object passed by non-const
// reference or pointer to, or a non-const member function of, user code we cannot see), so
// that an unknown call never makes the rule report a cycle it might have broken.
//
// Not tracked: globals and static locals (each read is an unknown object), elements read
// back from containers, handles inside local structs, lambda bodies (they run later).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "clang/AST/Decl.h"

#include "rules/cycle-instance/InstanceHeap.h"
#include "rules/cycle-instance/InstanceModel.h"
#include "rules/cycle-instance/InstanceSummaries.h"

namespace cyclops {
class ExtractContext;
}

namespace cyclops::instance {

// What the analyses of one translation unit share.
struct TUContext {
  explicit TUContext(ExtractContext &Context);
  ExtractContext &X;
  HandleTypes Types;
  TraceTable Traces;
  FieldTable Fields;
};

class SummarySource {
 public:
  virtual ~SummarySource() = default;
  // The summary of a callee (computed on first use), or null when the callee counts as
  // unknown: recursive, too deep in the chain of callees, too big, or not analyzable.
  virtual const Summary *summaryOf(const clang::FunctionDecl *Callee) = 0;
};

// One edge of a cycle to report, described with the function's own names.
struct CycleStep {
  std::string Type;  // the type of the object the edge leaves
  int Field = -1;
  int Trace = -1;
  std::string Note;  // what the edge is, for the note at the trace
};

struct FoundCycle {
  std::vector<CycleStep> Steps;  // in order; the store that closes the cycle last
};

struct FunctionResult {
  std::unique_ptr<Summary> Sum;  // null: calls to this function count as unknown
  std::vector<FoundCycle> Cycles;  // cycles that may still stand when the function returns
};

FunctionResult analyzeFunction(TUContext &C, SummarySource &Summaries, const clang::FunctionDecl *FD);

}  // namespace cyclops::instance
