// Protocol.cpp - URIs, positions, diagnostics and code actions.
#include "lsp/Protocol.h"

#include <map>

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/Error.h"

#include "output/SourceRoot.h"

namespace cyclops::lsp {

namespace {

// LSP's DiagnosticSeverity: 1 error, 2 warning, 3 information.
int lspSeverity(Severity S) {
  switch (S) {
    case Severity::Error: return 1;
    case Severity::Warning: return 2;
    case Severity::Note: return 3;
  }
  return 2;
}

// The column (1-based, in bytes) just past the identifier that starts at Column, or the next
// column when none starts there.
unsigned identifierEnd(llvm::StringRef Line, unsigned Column) {
  size_t I = Column == 0 ? 0 : Column - 1;
  size_t End = I;
  while (End < Line.size() && (llvm::isAlnum(Line[End]) || Line[End] == '_')) ++End;
  if (End == I) ++End;
  return static_cast<unsigned>(End + 1);
}

llvm::json::Object range(const DiagnosticContext &C, const std::string &File, unsigned Line, unsigned Begin,
                         unsigned End) {
  return llvm::json::Object{{"start", toPosition(C, File, Line, Begin)}, {"end", toPosition(C, File, Line, End)}};
}

llvm::json::Object location(const DiagnosticContext &C, const SourcePos &Pos) {
  std::string Text = C.Lines ? C.Lines(Pos.File, Pos.Line) : "";
  return llvm::json::Object{{"uri", fileUri(Pos.File)},
                            {"range", range(C, Pos.File, Pos.Line, Pos.Column, identifierEnd(Text, Pos.Column))}};
}

llvm::json::Array relatedInformation(const DiagnosticContext &C, const Finding &F) {
  llvm::json::Array Related;
  auto Add = [&](const SourcePos &Pos, const std::string &Note) {
    if (Pos.valid() && !Note.empty())
      Related.push_back(llvm::json::Object{{"location", location(C, Pos)}, {"message", Note}});
  };
  for (const PathStep &S : F.Path) {
    Add(S.Pos, S.Note);
    for (const StepNote &V : S.Via) Add(V.Pos, V.Note);
  }
  return Related;
}

}  // namespace

llvm::Expected<std::string> uriToPath(llvm::StringRef Uri) {
  if (!Uri.consume_front_insensitive("file://"))
    return llvm::createStringError("not a file URI: '" + Uri.str() + "'");
  if (!Uri.starts_with("/")) {  // file://host/path: only the local host
    size_t Slash = Uri.find('/');
    llvm::StringRef Host = Uri.substr(0, Slash);
    if (!Host.equals_insensitive("localhost") || Slash == llvm::StringRef::npos)
      return llvm::createStringError("not a local file URI: 'file://" + Uri.str() + "'");
    Uri = Uri.substr(Slash);
  }
  std::string Path;
  for (size_t I = 0; I < Uri.size(); ++I) {
    if (Uri[I] != '%') {
      Path += Uri[I];
      continue;
    }
    unsigned Hi, Lo;
    if (I + 2 >= Uri.size() || (Hi = llvm::hexDigitValue(Uri[I + 1])) == ~0U ||
        (Lo = llvm::hexDigitValue(Uri[I + 2])) == ~0U)
      return llvm::createStringError("a bad escape in the URI 'file://" + Uri.str() + "'");
    Path += static_cast<char>(Hi * 16 + Lo);
    I += 2;
  }
  if (Path.find('\0') != std::string::npos) return llvm::createStringError("a NUL byte in a file URI");
  return Path;
}

llvm::json::Object toPosition(const DiagnosticContext &C, const std::string &File, unsigned Line, unsigned Column) {
  unsigned Byte = Column == 0 ? 0 : Column - 1;
  unsigned Character = Byte;
  if (C.Encoding == PositionEncoding::Utf16 && C.Lines) {
    std::string Text = C.Lines(File, Line);
    llvm::StringRef Prefix = llvm::StringRef(Text).take_front(Byte);
    // UTF-16 code units: one per code point, two above U+FFFF (4-byte UTF-8 sequences);
    // invalid bytes count one each, as editors show them.
    Character = 0;
    for (size_t I = 0; I < Prefix.size();) {
      unsigned char B = static_cast<unsigned char>(Prefix[I]);
      unsigned Len = llvm::getNumBytesForUTF8(B);
      if (Len == 0 || I + Len > Prefix.size() ||
          !llvm::isLegalUTF8Sequence(reinterpret_cast<const llvm::UTF8 *>(Prefix.data() + I),
                                     reinterpret_cast<const llvm::UTF8 *>(Prefix.data() + I + Len)))
        Len = 1;
      Character += Len == 4 ? 2 : 1;
      I += Len;
    }
    Character += Byte > Text.size() ? Byte - static_cast<unsigned>(Text.size()) : 0;
  }
  return llvm::json::Object{{"line", Line == 0 ? 0 : Line - 1}, {"character", Character}};
}

llvm::json::Object toDiagnostic(const DiagnosticContext &C, const Finding &F) {
  std::string Text = C.Lines ? C.Lines(F.Pos.File, F.Pos.Line) : "";
  llvm::json::Object D{{"range", range(C, F.Pos.File, F.Pos.Line, F.Pos.Column, identifierEnd(Text, F.Pos.Column))},
                       {"severity", lspSeverity(F.Level)},
                       {"code", F.Rule},
                       {"source", "cyclops"},
                       {"message", F.Message},
                       {"data", llvm::json::Object{{"id", F.Id}}}};
  if (std::string Href = C.DocHref ? C.DocHref(F.Rule) : ""; !Href.empty())
    D["codeDescription"] = llvm::json::Object{{"href", Href}};
  llvm::json::Array Related = relatedInformation(C, F);
  if (!Related.empty()) D["relatedInformation"] = std::move(Related);
  return D;
}

llvm::json::Object failureDiagnostic(const TUFailure &Failure) {
  llvm::json::Object Zero{{"line", 0}, {"character", 0}};
  return llvm::json::Object{
      {"range", llvm::json::Object{{"start", llvm::json::Object(Zero)}, {"end", std::move(Zero)}}},
      {"severity", 2},
      {"source", "cyclops"},
      {"message", "cyclops cannot analyze this file: it does not compile: " + Failure.Reason}};
}

std::optional<llvm::json::Object> toCodeAction(const DiagnosticContext &C, const Finding &F,
                                               llvm::json::Object Diagnostic) {
  if (F.Fixes.empty()) return std::nullopt;
  std::map<std::string, llvm::json::Array> Changes;
  for (const TextEdit &E : F.Fixes)
    Changes[fileUri(E.Pos.File)].push_back(llvm::json::Object{
        {"range", range(C, E.Pos.File, E.Pos.Line, E.Pos.Column, E.Pos.Column + E.Length)}, {"newText", E.Text}});
  llvm::json::Object ByUri;
  for (auto &[Uri, Edits] : Changes) ByUri[Uri] = std::move(Edits);
  std::string Title = F.Fixes.size() == 1 ? "cyclops: change to '" + F.Fixes.front().Text + "'"
                                          : "cyclops: apply " + std::to_string(F.Fixes.size()) + " fix-its";
  return llvm::json::Object{{"title", Title},
                            {"kind", "quickfix"},
                            {"isPreferred", true},
                            {"diagnostics", llvm::json::Array{std::move(Diagnostic)}},
                            {"edit", llvm::json::Object{{"changes", std::move(ByUri)}}}};
}

}  // namespace cyclops::lsp
