// Fixes.cpp - fix-its to byte offsets (llvm::SourceMgr), conflicts and duplicates
// (clang::tooling::Replacements), files rewritten (applyAllReplacements, io/OutputFile.h) and
// the clang-apply-replacements export (clang/Tooling/DiagnosticsYaml.h).
#include "output/Fixes.h"

#include <optional>

#include "clang/Tooling/DiagnosticsYaml.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/YAMLTraits.h"

#include "io/OutputFile.h"

namespace cyclops {

using clang::tooling::Replacement;
using clang::tooling::Replacements;

namespace {

namespace fs = llvm::sys::fs;

std::string absolute(llvm::StringRef Path) {
  llvm::SmallString<256> P(Path);
  fs::make_absolute(P);
  return std::string(P);
}

// The files the edits name, each read once, and positions in them as byte offsets.
class SourceTexts {
 public:
  // The text of Path, or an error saying why it cannot be read.
  llvm::Expected<unsigned> buffer(const std::string &Path) {
    if (auto It = Ids.find(Path); It != Ids.end()) return It->second;
    if (auto It = Failed.find(Path); It != Failed.end())
      return llvm::createStringError(llvm::inconvertibleErrorCode(), It->second);
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> Buffer = llvm::MemoryBuffer::getFile(Path);
    if (!Buffer) {
      std::string Why = "cannot read '" + Path + "': " + Buffer.getError().message();
      Failed.emplace(Path, Why);
      return llvm::createStringError(llvm::inconvertibleErrorCode(), Why);
    }
    unsigned Id = Mgr.AddNewSourceBuffer(std::move(*Buffer), llvm::SMLoc());
    Ids.emplace(Path, Id);
    return Id;
  }

  llvm::StringRef code(unsigned Id) const { return Mgr.getMemoryBuffer(Id)->getBuffer(); }
  // The text of a file buffer() has read.
  llvm::StringRef code(const std::string &Path) const { return code(Ids.at(Path)); }

  // Where R starts, as FILE:LINE:COL; R's file was read.
  std::string where(const Replacement &R) const {
    unsigned Id = Ids.at(R.getFilePath().str());
    auto [Line, Column] = Mgr.getLineAndColumn(llvm::SMLoc::getFromPointer(code(Id).data() + R.getOffset()), Id);
    return R.getFilePath().str() + ":" + std::to_string(Line) + ":" + std::to_string(Column);
  }

  // The offset of Line:Column (1-based; column 0 is 1) in the buffer, when the line has it.
  std::optional<unsigned> offset(unsigned Id, unsigned Line, unsigned Column) {
    llvm::SMLoc Loc = Mgr.FindLocForLineAndColumn(Id, Line, Column == 0 ? 1 : Column);
    if (!Loc.isValid()) return std::nullopt;
    return static_cast<unsigned>(Loc.getPointer() - code(Id).data());
  }

 private:
  llvm::SourceMgr Mgr;
  std::map<std::string, unsigned> Ids;
  std::map<std::string, std::string> Failed;  // the reason, said once per file
};

llvm::Error notApplicable(const llvm::Twine &Why) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), Why);
}

// One edit as a replacement at a byte offset, or why it cannot be.
llvm::Expected<Replacement> toReplacement(SourceTexts &Texts, const TextEdit &E) {
  std::string Path = absolute(E.Pos.File);
  llvm::Expected<unsigned> Id = Texts.buffer(Path);
  if (!Id) return Id.takeError();
  std::optional<unsigned> Offset = Texts.offset(*Id, E.Pos.Line, E.Pos.Column);
  llvm::StringRef Code = Texts.code(*Id);
  if (!Offset || *Offset + E.Length > Code.size() ||
      Code.substr(*Offset, E.Length).find_first_of("\r\n") != llvm::StringRef::npos)
    return notApplicable("line " + llvm::Twine(E.Pos.Line) + ", column " + llvm::Twine(E.Pos.Column) + " (+" +
                         llvm::Twine(E.Length) + " bytes) is not in '" + Path + "' (changed since the analysis?)");
  return Replacement(Path, *Offset, E.Length, E.Text);
}

// Replacements::add's error, on one line: where the edit accepted before is.
llvm::Error conflict(const SourceTexts &Texts, llvm::Error E) {
  std::string Why = "it conflicts with an earlier fix-it";
  llvm::handleAllErrors(
      std::move(E),
      [&](const clang::tooling::ReplacementError &RE) {
        if (RE.getExistingReplacement()) Why += " at " + Texts.where(*RE.getExistingReplacement());
      },
      [](const llvm::ErrorInfoBase &) {});
  return notApplicable(Why);
}

// Adds the edits of one finding to the plan's files, all or none; returns those not there yet.
llvm::Expected<std::vector<Replacement>> addAll(FixPlan &Plan, SourceTexts &Texts,
                                                const std::vector<Replacement> &Edits) {
  std::map<std::string, Replacements> Trial;  // the files these edits touch, with them added
  std::vector<Replacement> New;
  for (const Replacement &R : Edits) {
    std::string Path = R.getFilePath().str();
    auto It = Trial.find(Path);
    if (It == Trial.end()) {
      auto Planned = Plan.Files.find(Path);
      It = Trial.emplace(Path, Planned == Plan.Files.end() ? Replacements() : Planned->second.Edits).first;
    }
    bool Seen = llvm::is_contained(It->second, R);
    if (llvm::Error E = It->second.add(R)) return conflict(Texts, std::move(E));
    if (!Seen && !llvm::is_contained(New, R)) New.push_back(R);
  }
  for (auto &[Path, Rs] : Trial) {
    FileFix &File = Plan.Files[Path];
    if (File.Edits.empty()) File.Code = Texts.code(Path).str();
    File.Edits = std::move(Rs);
  }
  return New;
}

// F's edits as replacements, or why one of them cannot be made.
llvm::Expected<std::vector<Replacement>> toReplacements(SourceTexts &Texts, const Finding &F) {
  std::vector<Replacement> Edits;
  for (const TextEdit &E : F.Fixes) {
    llvm::Expected<Replacement> R = toReplacement(Texts, E);
    if (!R) return R.takeError();
    Edits.push_back(std::move(*R));
  }
  return Edits;
}

// The byte offset of F's position, for the export; 0 when its file cannot be read.
unsigned findingOffset(SourceTexts &Texts, const Finding &F) {
  llvm::Expected<unsigned> Id = Texts.buffer(absolute(F.Pos.File));
  if (!Id) {
    llvm::consumeError(Id.takeError());
    return 0;
  }
  return Texts.offset(*Id, F.Pos.Line, F.Pos.Column).value_or(0);
}

// The line that says why F's fix-it is left out.
std::string leftOut(const Finding &F, llvm::Error Why) {
  return F.Pos.File + ":" + std::to_string(F.Pos.Line) + ":" + std::to_string(F.Pos.Column) + ": fix-it of [" +
         F.Rule + "] " + F.Id + " not applied: " + llvm::toString(std::move(Why));
}

// F's fix-it into the plan, or a note on why it is left out.
void planFinding(FixPlan &Plan, SourceTexts &Texts, const Finding &F) {
  llvm::Expected<std::vector<Replacement>> Edits = toReplacements(Texts, F);
  if (!Edits) {
    Plan.Notes.push_back(leftOut(F, Edits.takeError()));
    return;
  }
  llvm::Expected<std::vector<Replacement>> New = addAll(Plan, Texts, *Edits);
  if (!New) {
    Plan.Notes.push_back(leftOut(F, New.takeError()));
    return;
  }
  Plan.Accepted.push_back({&F, findingOffset(Texts, F), std::move(*New)});
}

// The files of the plan that cannot be written: a missing write permission is not overridden.
llvm::Error checkWritable(const FixPlan &Plan) {
  for (const auto &[Path, File] : Plan.Files) {
    fs::file_status Status;
    std::error_code EC = fs::status(Path, Status);
    if (!EC && (Status.permissions() & fs::all_write) == 0) EC = std::make_error_code(std::errc::permission_denied);
    if (!EC) EC = fs::access(Path, fs::AccessMode::Write);
    if (EC) return notApplicable("cannot write '" + Path + "': " + EC.message());
  }
  return llvm::Error::success();
}

// One file with its edits applied, replaced whole, its permissions kept.
llvm::Error rewrite(const std::string &Path, const FileFix &File) {
  llvm::Expected<std::string> Fixed = clang::tooling::applyAllReplacements(File.Code, File.Edits);
  if (!Fixed) return notApplicable("cannot write '" + Path + "': " + llvm::toString(Fixed.takeError()));
  llvm::ErrorOr<fs::perms> Perms = fs::getPermissions(Path);
  if (llvm::Error E = writeOutputFile(Path, NonRegularFile::Refuse, [&](llvm::raw_ostream &OS) { OS << *Fixed; }))
    return E;
  if (std::error_code EC = Perms ? fs::setPermissions(Path, *Perms) : Perms.getError())
    return notApplicable("cannot write '" + Path + "': " + EC.message());
  return llvm::Error::success();
}

clang::tooling::Diagnostic::Level levelOf(Severity S) {
  switch (S) {
    case Severity::Error: return clang::tooling::Diagnostic::Error;
    case Severity::Warning: return clang::tooling::Diagnostic::Warning;
    case Severity::Note: break;
  }
  return clang::tooling::Diagnostic::Remark;
}

clang::tooling::Diagnostic toDiagnostic(const AcceptedFix &A, llvm::StringRef BuildDir) {
  const Finding &F = *A.Of;
  clang::tooling::DiagnosticMessage Message(F.Message);
  Message.FilePath = absolute(F.Pos.File);
  Message.FileOffset = A.Offset;
  for (const Replacement &R : A.Edits)
    llvm::consumeError(Message.Fix[R.getFilePath()].add(R));  // no conflicts: the plan has them all
  return clang::tooling::Diagnostic("cyclops-" + F.Rule, Message, {}, levelOf(F.Level), BuildDir);
}

}  // namespace

unsigned FixPlan::edits() const {
  unsigned N = 0;
  for (const AcceptedFix &A : Accepted) N += static_cast<unsigned>(A.Edits.size());
  return N;
}

FixPlan planFixes(const std::vector<Finding> &Findings) {
  FixPlan Plan;
  SourceTexts Texts;
  for (const Finding &F : Findings)
    if (!F.Fixes.empty()) planFinding(Plan, Texts, F);
  return Plan;
}

llvm::Error applyFixes(const FixPlan &Plan) {
  if (llvm::Error E = checkWritable(Plan)) return E;
  for (const auto &[Path, File] : Plan.Files)
    if (llvm::Error E = rewrite(Path, File)) return E;
  return llvm::Error::success();
}

void writeFixesYaml(llvm::raw_ostream &OS, const FixPlan &Plan, llvm::StringRef MainSourceFile) {
  llvm::SmallString<256> BuildDir;
  if (fs::current_path(BuildDir)) BuildDir.clear();
  clang::tooling::TranslationUnitDiagnostics TU;
  TU.MainSourceFile = MainSourceFile.empty() ? "" : absolute(MainSourceFile);
  for (const AcceptedFix &A : Plan.Accepted) TU.Diagnostics.push_back(toDiagnostic(A, BuildDir));
  llvm::yaml::Output YAML(OS);
  YAML << TU;
}

}  // namespace cyclops
