// SharedAnalysis.h - one cyclops analysis per translation unit, shared by the five checks.
//
// clang-tidy creates each enabled check anew for every translation unit. The analysis
// (analyzeCurrentTU) produces the findings of all rules at once, so the checks of one
// translation unit share one SharedAnalysis: the first check whose matcher fires runs it and
// the others report their rule's findings from the stored result.
//
// Threading: clang-tidy runs one translation unit at a time per ClangTidyContext, and a
// SharedAnalysis belongs to one context. get() is guarded by a mutex so that a host running
// several contexts on threads does not race on the registry.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "llvm/ADT/StringRef.h"

#include "config/Rules.h"
#include "frontends/CurrentTU.h"

namespace clang {
class ASTContext;
class Sema;
}  // namespace clang

namespace cyclops::tidy {

class SharedAnalysis {
 public:
  // The analysis shared by the live checks of `Context` (the ClangTidyContext that creates
  // them) configured with the same rules file and facts directory: checks configured
  // differently get their own. It lives as long as one of those checks does.
  static std::shared_ptr<SharedAnalysis> get(const void *Context, llvm::StringRef RulesFile,
                                             llvm::StringRef FactsDir);

  SharedAnalysis(std::string RulesFile, std::string FactsDir);

  // The rules file could not be loaded: the error (file and line), given to the first caller
  // after startTranslationUnit only, so that it is reported once per translation unit.
  std::optional<std::string> takeRulesError();
  bool hasRules() const { return Rules.has_value(); }

  // A new translation unit starts: the stored result is stale. Called by every check's
  // onStartOfTranslationUnit, which all run before any match.
  void startTranslationUnit();

  // The findings of the translation unit in Ctx; the first call after
  // startTranslationUnit analyzes it (S as in extractFacts: may be null) and sets *Ran, when
  // given, to true; later calls return the stored result. Requires hasRules().
  const CurrentTUResult &analyze(clang::ASTContext &Ctx, clang::Sema *S, bool *Ran = nullptr);

  // True once per translation unit: whether the caller is the one to report Remarks.
  bool claimRemarks();

 private:
  std::optional<RuleSet> Rules;
  std::string RulesError;
  CurrentTUOptions Options;
  CurrentTUResult Result;
  bool Analyzed = false;
  bool RulesErrorTaken = false;
  bool RemarksClaimed = false;
};

}  // namespace cyclops::tidy
