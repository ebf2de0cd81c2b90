// TextOutput.cpp - findings through clang's DiagnosticsEngine and TextDiagnosticPrinter, so
// that they look exactly like compiler diagnostics (source line, caret, fix-it, colour).
#include <map>
#include <set>
#include <string>

#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/DiagnosticOptions.h"
#include "clang/Basic/FileManager.h"
#include "clang/Basic/LangOptions.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Frontend/TextDiagnosticPrinter.h"
#include "clang/Lex/Lexer.h"

#include "output/Abbreviate.h"
#include "output/EmitDiagnostic.h"
#include "output/Output.h"

namespace cyclops {

using namespace clang;

namespace {

// The length a diagnostic line should keep under; source excerpts may be longer.
constexpr size_t LineLimit = 200;

// Text abbreviated (Abbreviate.h) so that "FILE:LINE:COL: LEVEL: TEXT" at P stays within
// LineLimit where eliding template arguments can make it.
std::string fitted(llvm::StringRef Text, const SourcePos &P, llvm::StringRef Level) {
  size_t Prefix = Level.size() + 2;
  if (P.valid()) Prefix += P.File.size() + std::to_string(P.Line).size() + std::to_string(P.Column).size() + 4;
  return abbreviateTypes(Text, LineLimit > Prefix ? LineLimit - Prefix : 0);
}

class Printer : public FindingReporter {
 public:
  Printer(llvm::raw_ostream &OS, bool Color)
      : Opts(new DiagnosticOptions()), Client(OS, Opts.get()),
        Diags(new DiagnosticIDs(), Opts, &Client, /*ShouldOwnClient=*/false), Files(FileSystemOptions()),
        Sources(Diags, Files), Out(OS) {
    Lang.CPlusPlus = true;  // how token() measures the highlighted token
    Opts->ShowColors = Color;
    // raw_ostream emits escape codes only for a stream whose colours are on; `--color=always`
    // asks for them in a file or a pipe too.
    OS.enable_colors(Color);
    Diags.setSourceManager(&Sources);
    Client.BeginSourceFile(Lang, nullptr);
    Ids[Severity::Error] = Diags.getCustomDiagID(DiagnosticsEngine::Error, "%0");
    Ids[Severity::Warning] = Diags.getCustomDiagID(DiagnosticsEngine::Warning, "%0");
    Ids[Severity::Note] = Diags.getCustomDiagID(DiagnosticsEngine::Note, "%0");
    NoteId = Diags.getCustomDiagID(DiagnosticsEngine::Note, "%0");
  }
  ~Printer() { Client.EndSourceFile(); }

  void print(const Finding &F) {
    load(F);
    emitFinding(Sources, F, *this);
  }

  void reportFinding(const Finding &F, SourceLocation Loc, llvm::ArrayRef<FixItHint> Fixes) override {
    std::string Message = fitted(F.Message + " [cyclops-" + F.Rule + "]", F.Pos, severityName(F.Level));
    if (Loc.isInvalid()) {
      plain(F.Pos, severityName(F.Level), Message);
      return;
    }
    // A finding of level note is a diagnostic of its own: clang drops a note that follows
    // nothing (or an ignored diagnostic), which the first finding of a report would be.
    if (F.Level == Severity::Note) Diags.setLastDiagnosticIgnored(false);
    DiagnosticBuilder B = Diags.Report(Loc, Ids[F.Level]);
    B << Message << token(Loc);
    for (const FixItHint &Fix : Fixes) B << Fix;
  }

  void reportNote(const LocatedNote &N, SourceLocation) override {
    std::string Text = fitted(N.Text, N.Pos, "note");
    if (N.Loc.isInvalid()) plain(N.Pos, "note", Text);
    else Diags.Report(N.Loc, NoteId) << Text << token(N.Loc);
  }

 private:
  // Every file F names into the SourceManager: emitFinding locates only in files it has
  // loaded, and unlike a compiler's, this one starts empty. A file that cannot be found stays
  // out, and what lies in it is printed plain.
  void load(const Finding &F) {
    load(F.Pos);
    for (const TextEdit &E : F.Fixes) load(E.Pos);
    for (const PathStep &S : F.Path) {
      load(S.Pos);
      for (const StepNote &V : S.Via) load(V.Pos);
    }
  }

  void load(const SourcePos &P) {
    if (!P.valid() || !Loaded.insert(P.File).second) return;
    if (llvm::Expected<FileEntryRef> FE = Files.getFileRef(P.File))
      Sources.getOrCreateFileID(*FE, SrcMgr::C_User);
    else
      llvm::consumeError(FE.takeError());
  }

  // The token at `Loc`, underlined after the caret. With a range, clang prints the source
  // line of a note even where the diagnostic before it was at the same place (a cycle
  // closed by one statement), which it skips for a bare location.
  CharSourceRange token(SourceLocation Loc) {
    unsigned Length = Lexer::MeasureTokenLength(Loc, Sources, Lang);
    return CharSourceRange::getCharRange(Loc, Loc.getLocWithOffset(Length ? Length : 1));
  }

  // A file we cannot read (moved since the analysis): the same format, without source.
  void plain(const SourcePos &P, llvm::StringRef Level, llvm::StringRef Message) {
    if (P.valid()) Out << P.File << ":" << P.Line << ":" << P.Column << ": ";
    Out << Level << ": " << Message << "\n";
  }

  IntrusiveRefCntPtr<DiagnosticOptions> Opts;
  TextDiagnosticPrinter Client;
  DiagnosticsEngine Diags;
  FileManager Files;
  SourceManager Sources;
  llvm::raw_ostream &Out;
  LangOptions Lang;
  std::map<Severity, unsigned> Ids;
  unsigned NoteId = 0;
  std::set<std::string> Loaded;  // the files load() has tried, read or not
};

}  // namespace

void writeText(llvm::raw_ostream &OS, const std::vector<Finding> &Findings, bool Color) {
  Printer P(OS, Color);
  for (const Finding &F : Findings) P.print(F);
  OS.flush();
}

}  // namespace cyclops
