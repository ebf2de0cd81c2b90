// DiagnosticLocations.h - findings back into clang's terms: source locations and fix-it
// hints in a SourceManager (the translation unit being compiled, or the text output's). Used
// by emitFinding (EmitDiagnostic.h), through which every front end that reports with clang's
// diagnostics goes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/SourceLocation.h"

#include "facts/Facts.h"
#include "rules/Finding.h"

namespace clang {
class SourceManager;
}

namespace cyclops {

// The location of Pos (an absolute path and 1-based line and column), or an invalid location
// when the file is not part of this translation unit.
clang::SourceLocation toLocation(clang::SourceManager &SM, const SourcePos &Pos);

// The edit as a fix-it: a replacement of Length bytes (an insertion when 0), or nothing when
// its file is not part of this translation unit.
std::optional<clang::FixItHint> toFixIt(clang::SourceManager &SM, const TextEdit &Edit);

// One note of a finding, for the front end to attach to the finding's warning.
struct LocatedNote {
  SourcePos Pos;              // where the note is
  clang::SourceLocation Loc;  // Pos; invalid when its file is not part of this translation unit
  std::string Text;           // the note as the rule words it

  // Text, and for a note whose file is not part of this translation unit (a header of
  // another one, known from its facts) that file and line: " (FILE:LINE)". So a front end
  // that cannot show such a note at its place still says where it is.
  std::string textWithPlace() const;
};

// The notes of F in the order the CLI prints them: each path step's note, followed by the
// notes of the calls that make that edge (PathStep::Via). Steps without a note are skipped.
std::vector<LocatedNote> toNotes(clang::SourceManager &SM, const Finding &F);

// F's fix-its that lie in this translation unit's files.
std::vector<clang::FixItHint> toFixIts(clang::SourceManager &SM, const Finding &F);

}  // namespace cyclops
