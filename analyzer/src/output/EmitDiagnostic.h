// EmitDiagnostic.h - one finding as clang diagnostics: its warning with the fix-its, then a
// note per step of its path. The one emission of the three front ends that speak clang's
// diagnostics: the text output (output/TextOutput.cpp), the clang-tidy module (tidy/) and the
// compiler plugin (plugin/). Each says how a diagnostic is reported (its DiagnosticsEngine,
// clang-tidy's diag()) through a FindingReporter; what is reported, where, and in which order
// is decided here.
#pragma once

#include "llvm/ADT/ArrayRef.h"

#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/SourceLocation.h"

#include "output/DiagnosticLocations.h"
#include "rules/Finding.h"

namespace clang {
class SourceManager;
}

namespace cyclops {

// How a front end reports the diagnostics of one finding.
class FindingReporter {
 public:
  virtual ~FindingReporter() = default;

  // The finding's own diagnostic (its severity is F.Level, its text F.Message and F.Rule) at
  // Loc, which is invalid when F.Pos lies in no file of the SourceManager. Fixes are F's
  // fix-its that lie in its files. The diagnostic must be emitted when this returns: the notes
  // come after it.
  virtual void reportFinding(const Finding &F, clang::SourceLocation Loc, llvm::ArrayRef<clang::FixItHint> Fixes) = 0;

  // One note of the finding, after reportFinding. FindingLoc is the Loc reportFinding had.
  virtual void reportNote(const LocatedNote &Note, clang::SourceLocation FindingLoc) = 0;
};

// Reports F through R: reportFinding, then reportNote for each of F's notes in toNotes' order.
// Locations are found with toLocation: only files the SourceManager has loaded count.
void emitFinding(clang::SourceManager &SM, const Finding &F, FindingReporter &R);

}  // namespace cyclops
