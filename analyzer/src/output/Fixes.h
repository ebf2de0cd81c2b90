// Fixes.h - the fix-its of the reported findings, applied to the files they edit (`cyclops
// check --fix`) or exported as clang-apply-replacements YAML (`cyclops check --export-fixes`).
//
// A finding's fix-it is all of its edits (Finding::Fixes) or none of them: planFixes takes the
// findings in report order and accepts a finding's edits when each lies in a file it can read,
// at a line and column that file has, and none conflicts with an edit accepted before. Conflict
// is clang::tooling::Replacements' rule: edits that give another text when applied in the other
// order (overlapping ranges, two different insertions at one offset). The same edit made by
// several findings is not a conflict: it is accepted, counted and applied once. --fix and
// --export-fixes use the same accepted edits, so clang-apply-replacements on the exported file
// gives the files --fix writes.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "clang/Tooling/Core/Replacement.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include "rules/Finding.h"

namespace cyclops {

// One file the accepted edits change.
struct FileFix {
  std::string Code;                     // the file's text as read, which the offsets refer to
  clang::tooling::Replacements Edits;   // every accepted edit in it, free of conflicts
};

// A finding whose fix-it was accepted.
struct AcceptedFix {
  const Finding *Of = nullptr;  // into the findings planFixes was given: they must outlive the plan
  unsigned Offset = 0;          // Of->Pos as a byte offset into its file (0 when it cannot be read)
  // The edits this finding brought first; one an earlier finding made too is not repeated.
  std::vector<clang::tooling::Replacement> Edits;
};

struct FixPlan {
  std::map<std::string, FileFix> Files;  // by the absolute path the findings name
  std::vector<AcceptedFix> Accepted;     // in the order of the findings
  // One line per finding whose fix-it was left out, saying where and why
  // ("FILE:LINE:COL: fix-it of [RULE] ID not applied: ...").
  std::vector<std::string> Notes;

  unsigned edits() const;  // the distinct accepted edits
};

// The accepted fix-its of Findings (see above). Reads each file the edits name once; edits are
// on one line each, at a 1-based line and byte column. O(edits x log edits) plus the files read.
FixPlan planFixes(const std::vector<Finding> &Findings);

// Writes every file the plan changes, each replaced whole (io/OutputFile.h) and keeping its
// permissions. First checks that each can be written: a file without write permission is
// refused, by root too, and then no file is changed. An error names the file:
// "cannot write 'FILE': REASON".
llvm::Error applyFixes(const FixPlan &Plan);

// The plan as clang-tidy's --export-fixes writes it (clang::tooling::TranslationUnitDiagnostics
// in YAML), for clang-apply-replacements: MainSourceFile, then one diagnostic per accepted
// finding, named "cyclops-RULE", with its message, file and offset, its level and its edits
// (each edit once, in the first finding that makes it). BuildDirectory is the current
// directory; every path is absolute.
void writeFixesYaml(llvm::raw_ostream &OS, const FixPlan &Plan, llvm::StringRef MainSourceFile);

}  // namespace cyclops
