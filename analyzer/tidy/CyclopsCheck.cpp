// CyclopsCheck.cpp - one rule's findings of the shared analysis as clang-tidy diagnostics.
#include "CyclopsCheck.h"

#include "clang/AST/ASTContext.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "clang/Lex/Preprocessor.h"
#include "clang/Parse/Parser.h"

#include "SharedAnalysis.h"
#include "output/EmitDiagnostic.h"

namespace cyclops::tidy {

using namespace clang;

namespace {

DiagnosticIDs::Level levelOf(Severity S) {
  switch (S) {
    case Severity::Error: return DiagnosticIDs::Error;
    case Severity::Warning: return DiagnosticIDs::Warning;
    // A note on its own would be attached to whatever diagnostic came before it.
    case Severity::Note: return DiagnosticIDs::Remark;
  }
  return DiagnosticIDs::Warning;
}

// Findings as the check's diagnostics: clang-tidy names the check after each message.
class TidyReporter : public FindingReporter {
 public:
  explicit TidyReporter(clang::tidy::ClangTidyCheck &C) : Check(C) {}

  void reportFinding(const Finding &F, SourceLocation Loc, llvm::ArrayRef<FixItHint> Fixes) override {
    DiagnosticBuilder Warning = Check.diag(Loc, "%0", levelOf(F.Level)) << F.Message;
    for (const FixItHint &Fix : Fixes) Warning << Fix;
  }

  // A note in a file this translation unit does not read (its text names the file) is put
  // at the warning: clang-tidy takes a diagnostic with an unlocated note for user code, which
  // would show a finding in a header that HeaderFilterRegex leaves out.
  void reportNote(const LocatedNote &N, SourceLocation FindingLoc) override {
    Check.diag(N.Loc.isValid() ? N.Loc : FindingLoc, "%0", DiagnosticIDs::Note) << N.textWithPlace();
  }

 private:
  clang::tidy::ClangTidyCheck &Check;
};

}  // namespace

CyclopsCheck::CyclopsCheck(llvm::StringRef Name, clang::tidy::ClangTidyContext *Ctx, llvm::StringRef RuleId)
    : ClangTidyCheck(Name, Ctx),
      Rule(RuleId.str()),
      RulesFile(Options.getLocalOrGlobal("CyclopsRulesFile", "").str()),
      FactsDir(Options.getLocalOrGlobal("CyclopsFactsDir", "").str()),
      // Read as text: clang-tidy's binary exports the string overloads of the option
      // accessors, not the bool ones, so a module cannot use those.
      Verbose(llvm::StringRef(Options.getLocalOrGlobal("CyclopsVerbose", "false")).equals_insensitive("true") ||
              Options.getLocalOrGlobal("CyclopsVerbose", "false") == "1"),
      Shared(SharedAnalysis::get(Ctx, RulesFile, FactsDir)) {}

CyclopsCheck::~CyclopsCheck() = default;

bool CyclopsCheck::isLanguageVersionSupported(const LangOptions &LangOpts) const { return LangOpts.CPlusPlus; }

void CyclopsCheck::registerPPCallbacks(const SourceManager &, Preprocessor *P, Preprocessor *) { PP = P; }

void CyclopsCheck::registerMatchers(ast_matchers::MatchFinder *Finder) {
  Finder->addMatcher(ast_matchers::translationUnitDecl().bind("tu"), this);
}

void CyclopsCheck::onStartOfTranslationUnit() { Shared->startTranslationUnit(); }

void CyclopsCheck::storeOptions(clang::tidy::ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "CyclopsRulesFile", RulesFile);
  Options.store(Opts, "CyclopsFactsDir", FactsDir);
  Options.store(Opts, "CyclopsVerbose", Verbose ? "true" : "false");
}

// ClangTidyCheck offers no Sema, and without one the extraction cannot instantiate a class
// template the code names but never uses (a field `std::shared_ptr<Box<int>>`), which the CLI
// does: such a type's fields would be missing. clang-tidy runs the matchers from the
// HandleTranslationUnit call inside ParseAST, while ParseAST's Parser is alive, and a Parser is
// its Preprocessor's code completion handler from its constructor to its destructor (it is the
// only CodeCompletionHandler clang has). So during the match, the handler is the Parser whose
// Sema built this ASTContext. A host that matches after parsing (the Parser gone, the handler
// null) or one whose handler belongs to another ASTContext gets no Sema: such templates then
// stay unseen, as documented for extractFacts.
Sema *CyclopsCheck::currentSema(ASTContext &Ctx) const {
  CodeCompletionHandler *Handler = PP ? PP->getCodeCompletionHandler() : nullptr;
  if (!Handler) return nullptr;
  Sema &S = static_cast<Parser *>(Handler)->getActions();
  return &S.getASTContext() == &Ctx ? &S : nullptr;
}

void CyclopsCheck::check(const ast_matchers::MatchFinder::MatchResult &Result) {
  if (std::optional<std::string> Error = Shared->takeRulesError())
    configurationDiag("cyclops: cannot load CyclopsRulesFile: %0", DiagnosticIDs::Error) << *Error;
  if (!Shared->hasRules()) return;
  bool Ran = false;
  const CurrentTUResult &R = Shared->analyze(*Result.Context, currentSema(*Result.Context), &Ran);
  if (Ran && Verbose)
    configurationDiag("cyclops: analyzed the translation unit: %0 finding%s0, facts of %1 other translation "
                      "unit%s1",
                      DiagnosticIDs::Remark)
        << static_cast<unsigned>(R.Findings.size()) << R.OtherTranslationUnits;
  if (Shared->claimRemarks())
    for (const std::string &Remark : R.Remarks) configurationDiag("cyclops: %0", DiagnosticIDs::Remark) << Remark;

  TidyReporter Reporter(*this);
  for (const Finding &F : R.Findings)
    if (F.Rule == Rule) emitFinding(*Result.SourceManager, F, Reporter);
}

}  // namespace cyclops::tidy
