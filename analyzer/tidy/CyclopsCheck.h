// CyclopsCheck.h - the base of the cyclops clang-tidy checks: options, the shared analysis,
// and the findings of one rule as clang-tidy diagnostics.
//
// Each check matches the translation unit once and reports its rule's findings: a warning at
// the finding with its fix-its (applied by `clang-tidy --fix`), then a note per step of the
// cycle. Options (read with getLocalOrGlobal, so one global key configures every check):
//   CyclopsRulesFile  rules YAML as for `cyclops check --rules` (default: the built-in rules)
//   CyclopsFactsDir   `*.facts` of other translation units, for cross-TU cycle-type findings
//   CyclopsVerbose    true: a remark each time the analysis runs (once per translation unit,
//                     however many of the checks are on), with what it found
#pragma once

#include <memory>
#include <string>

#include "ClangTidyCheck.h"

namespace cyclops::tidy {

class SharedAnalysis;

class CyclopsCheck : public clang::tidy::ClangTidyCheck {
 public:
  // `Rule` is the rule id this check reports (`cycle-type` for `cyclops-cycle-type`).
  CyclopsCheck(llvm::StringRef Name, clang::tidy::ClangTidyContext *Ctx, llvm::StringRef Rule);
  ~CyclopsCheck() override;

  bool isLanguageVersionSupported(const clang::LangOptions &LangOpts) const override;
  void registerPPCallbacks(const clang::SourceManager &SM, clang::Preprocessor *PP,
                           clang::Preprocessor *ModuleExpanderPP) override;
  void registerMatchers(clang::ast_matchers::MatchFinder *Finder) override;
  void onStartOfTranslationUnit() override;
  void check(const clang::ast_matchers::MatchFinder::MatchResult &Result) override;
  void storeOptions(clang::tidy::ClangTidyOptions::OptionMap &Opts) override;

 private:
  clang::Sema *currentSema(clang::ASTContext &Ctx) const;

  std::string Rule;
  std::string RulesFile;
  std::string FactsDir;
  bool Verbose;
  std::shared_ptr<SharedAnalysis> Shared;
  clang::Preprocessor *PP = nullptr;
};

}  // namespace cyclops::tidy
