// CurrentTU.h - the analysis of the one translation unit a front end is showing: what the
// clang-tidy module (tidy/) and the compiler plugin (plugin/) report for the translation unit
// clang is compiling, and what the language server (lsp/) reports for the file being edited.
//
// The CLI sees the whole program; a front end inside clang sees one translation unit. With a
// facts directory (the CLI's cache, or `cyclops facts` output) it also sees the last known
// facts of every other translation unit, so a type cycle whose other half lives in another
// file is reported in the file being compiled.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "config/Rules.h"
#include "facts/TUFacts.h"
#include "rules/Finding.h"

namespace clang {
class ASTContext;
class Sema;
}  // namespace clang

namespace cyclops {

struct CurrentTUOptions {
  // Facts of other translation units (`*.facts` files, recursively); empty: none. A file that
  // cannot be read, or that describes this translation unit, is skipped.
  std::string FactsDir;
};

struct CurrentTUResult {
  // Findings that concern this translation unit, suppressions applied. A whole-program
  // finding whose location is in a file this translation unit does not include is moved to
  // the first step of its path that is in one; fix-its in files it does not include are
  // dropped.
  std::vector<Finding> Findings;
  std::vector<std::string> Remarks;  // cut-offs reached, facts files skipped (with the reason)
  unsigned OtherTranslationUnits = 0;  // facts read from FactsDir
};

// Extracts the facts of the translation unit in Ctx (see extractFacts for S), merges those of
// FactsDir, runs every enabled rule. Nothing when the translation unit has errors.
CurrentTUResult analyzeCurrentTU(clang::ASTContext &Ctx, clang::Sema *S, const RuleSet &Rules,
                                 const CurrentTUOptions &Options);

// The same over facts already extracted: Here's facts (its AST rules' findings included) and
// Others' (their findings are theirs to report and are ignored). A finding is kept when it, or
// failing that a step of its path, lies in one of Shown (moved there); Shown empty: the files
// Here read. Fix-its outside Shown are dropped. Cost: the whole-program analysis of all facts.
CurrentTUResult analyzeWithOthers(TUFacts Here, std::vector<TUFacts> Others, const RuleSet &Rules,
                                  const std::set<std::string> &Shown = {});

}  // namespace cyclops
