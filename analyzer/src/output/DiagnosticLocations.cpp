// DiagnosticLocations.cpp - SourcePos and TextEdit to SourceLocation and FixItHint.
#include "output/DiagnosticLocations.h"

#include "clang/Basic/FileManager.h"
#include "clang/Basic/SourceManager.h"

namespace cyclops {

using namespace clang;

SourceLocation toLocation(SourceManager &SM, const SourcePos &Pos) {
  if (!Pos.valid()) return {};
  // Only files already loaded: a location in a file this translation unit never read would
  // make the SourceManager read it, and a diagnostic there would not be ours to give.
  llvm::Expected<FileEntryRef> File = SM.getFileManager().getFileRef(Pos.File, /*OpenFile=*/false);
  if (!File) {
    llvm::consumeError(File.takeError());
    return {};
  }
  FileID FID = SM.translateFile(*File);
  if (FID.isInvalid()) return {};
  return SM.translateLineCol(FID, Pos.Line, Pos.Column == 0 ? 1 : Pos.Column);
}

std::optional<FixItHint> toFixIt(SourceManager &SM, const TextEdit &Edit) {
  SourceLocation Begin = toLocation(SM, Edit.Pos);
  if (Begin.isInvalid()) return std::nullopt;
  if (Edit.Length == 0) return FixItHint::CreateInsertion(Begin, Edit.Text);
  return FixItHint::CreateReplacement(CharSourceRange::getCharRange(Begin, Begin.getLocWithOffset(Edit.Length)),
                                      Edit.Text);
}

std::string LocatedNote::textWithPlace() const {
  // A note elsewhere still says where, so the cycle can be followed from the diagnostic alone.
  if (Loc.isValid() || !Pos.valid()) return Text;
  return Text + " (" + Pos.File + ":" + std::to_string(Pos.Line) + ")";
}

std::vector<LocatedNote> toNotes(SourceManager &SM, const Finding &F) {
  std::vector<LocatedNote> Notes;
  for (const PathStep &S : F.Path) {
    if (S.Note.empty()) continue;
    Notes.push_back({S.Pos, toLocation(SM, S.Pos), S.Note});
    for (const StepNote &V : S.Via) Notes.push_back({V.Pos, toLocation(SM, V.Pos), V.Note});
  }
  return Notes;
}

std::vector<FixItHint> toFixIts(SourceManager &SM, const Finding &F) {
  std::vector<FixItHint> Hints;
  for (const TextEdit &E : F.Fixes)
    if (std::optional<FixItHint> H = toFixIt(SM, E)) Hints.push_back(std::move(*H));
  return Hints;
}

}  // namespace cyclops
