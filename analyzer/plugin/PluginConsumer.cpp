// PluginConsumer.cpp - analyzeCurrentTU's findings as compiler diagnostics.
#include "PluginConsumer.h"

#include <map>

#include "clang/AST/ASTContext.h"
#include "clang/Basic/Diagnostic.h"
#include "clang/Sema/SemaConsumer.h"

#include "output/DiagnosticLocations.h"

namespace cyclops::plugin {

using namespace clang;

namespace {

class FindingsConsumer : public SemaConsumer {
 public:
  FindingsConsumer(DiagnosticsEngine &D, PluginOptions O) : Diags(D), Options(std::move(O)) {
    // Custom IDs keep the level they are created with: -w, -Werror and -Wno-... do not reach
    // them (hence fail-on). A finding of severity `note` is a remark: a note on its own would
    // join the diagnostic before it.
    Ids[Severity::Error] = Diags.getCustomDiagID(DiagnosticsEngine::Error, "%0 [cyclops-%1]");
    Ids[Severity::Warning] = Diags.getCustomDiagID(DiagnosticsEngine::Warning, "%0 [cyclops-%1]");
    Ids[Severity::Note] = Diags.getCustomDiagID(DiagnosticsEngine::Remark, "%0 [cyclops-%1]");
    NoteId = Diags.getCustomDiagID(DiagnosticsEngine::Note, "%0");
    RemarkId = Diags.getCustomDiagID(DiagnosticsEngine::Remark, "cyclops: %0");
  }

  void InitializeSema(Sema &S) override { SemaRef = &S; }
  void ForgetSema() override { SemaRef = nullptr; }

  // Runs after the main action's consumer (AddAfterMainAction): with code generation, the
  // object has been emitted by then. Templates Sema instantiates here were never used by the
  // generated code (it would have instantiated them), so codegen has nothing of them to update.
  void HandleTranslationUnit(ASTContext &Ctx) override {
    // The rules are about C++ classes; a build may pass the plugin to its C files as well.
    if (!Ctx.getLangOpts().CPlusPlus) return;
    CurrentTUResult Result = analyzeCurrentTU(Ctx, SemaRef, Options.Rules, Options.Analysis);
    for (const std::string &Remark : Result.Remarks) Diags.Report(RemarkId) << Remark;
    SourceManager &SM = Ctx.getSourceManager();
    for (const Finding &F : Result.Findings) {
      Severity Level = F.Level;
      if (Options.FailOn && Level >= *Options.FailOn) Level = Severity::Error;
      {
        DiagnosticBuilder B = Diags.Report(toLocation(SM, F.Pos), Ids[Level]);
        B << F.Message << F.Rule;
        for (const FixItHint &Fix : toFixIts(SM, F)) B << Fix;
      }  // emitted here, before its notes
      for (const LocatedNote &N : toNotes(SM, F)) Diags.Report(N.Loc, NoteId) << N.Text;
    }
  }

 private:
  DiagnosticsEngine &Diags;
  PluginOptions Options;
  Sema *SemaRef = nullptr;
  std::map<Severity, unsigned> Ids;
  unsigned NoteId = 0;
  unsigned RemarkId = 0;
};

}  // namespace

std::unique_ptr<ASTConsumer> makePluginConsumer(DiagnosticsEngine &Diags, PluginOptions Options) {
  return std::make_unique<FindingsConsumer>(Diags, std::move(Options));
}

}  // namespace cyclops::plugin
