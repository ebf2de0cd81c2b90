// PluginConsumer.cpp - analyzeCurrentTU's findings as compiler diagnostics.
#include "PluginConsumer.h"

#include <map>

#include "clang/AST/ASTContext.h"
#include "clang/Basic/Diagnostic.h"
#include "clang/Sema/SemaConsumer.h"

#include "output/EmitDiagnostic.h"

namespace cyclops::plugin {

using namespace clang;

namespace {

class FindingsConsumer : public SemaConsumer, private FindingReporter {
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
    for (const Finding &F : Result.Findings) emitFinding(Ctx.getSourceManager(), F, *this);
  }

 private:
  void reportFinding(const Finding &F, SourceLocation Loc, llvm::ArrayRef<FixItHint> Fixes) override {
    Severity Level = F.Level;
    if (Options.FailOn && Level >= *Options.FailOn) Level = Severity::Error;
    DiagnosticBuilder B = Diags.Report(Loc, Ids[Level]);
    B << F.Message << F.Rule;
    for (const FixItHint &Fix : Fixes) B << Fix;
  }

  // A note in a file this translation unit does not read has no location: its text says where.
  void reportNote(const LocatedNote &N, SourceLocation) override {
    Diags.Report(N.Loc, NoteId) << N.textWithPlace();
  }

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
