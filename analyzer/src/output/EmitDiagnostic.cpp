// EmitDiagnostic.cpp - a finding's warning, fix-its and notes, in that order.
#include "output/EmitDiagnostic.h"

namespace cyclops {

void emitFinding(clang::SourceManager &SM, const Finding &F, FindingReporter &R) {
  clang::SourceLocation Loc = toLocation(SM, F.Pos);
  R.reportFinding(F, Loc, toFixIts(SM, F));
  for (const LocatedNote &N : toNotes(SM, F)) R.reportNote(N, Loc);
}

}  // namespace cyclops
