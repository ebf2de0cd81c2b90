// CodeClimateOutput.cpp - the Code Climate issue list that GitLab reads as a Code Quality
// report, with llvm::json. The shape is documented in Output.h.
#include <map>
#include <string>

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MD5.h"

#include "output/Output.h"

namespace cyclops {
namespace {

// GitLab draws five severities; ours are three. Every rule defaults to warning, a leak that
// goes unnoticed until memory runs short, which is a major issue rather than a style nit;
// a rule raised to error is meant to block, one lowered to note only to inform. "minor" and
// "blocker" are left for other tools in the same pipeline.
const char *codeClimateSeverity(Severity S) {
  switch (S) {
    case Severity::Note: return "info";
    case Severity::Warning: return "major";
    case Severity::Error: return "critical";
  }
  return "major";
}

// The reported place; a finding without one (none is made today) falls back on its path.
const SourcePos *primary(const Finding &F) {
  if (F.Pos.valid()) return &F.Pos;
  for (const PathStep &S : F.Path)
    if (S.Pos.valid()) return &S.Pos;
  return nullptr;
}

llvm::json::Object location(const SourcePos &P, const SourceRoot &Root) {
  auto Line = static_cast<int64_t>(P.Line);
  return llvm::json::Object{{"path", Root.display(P.File)},
                            {"lines", llvm::json::Object{{"begin", Line}, {"end", Line}}}};
}

std::string stepText(const PathStep &S) {
  if (!S.Note.empty()) return S.Note;
  return S.Field.empty() ? S.Type : S.Type + "." + S.Field;
}

// The issue's Markdown body: each edge of the cycle where it is, then where the rule's
// documentation is.
std::string body(const Finding &F, const SourceRoot &Root) {
  std::string Text;
  if (!F.Path.empty()) {
    Text += "The cycle:\n\n";
    for (const PathStep &S : F.Path) {
      Text += "- " + stepText(S);
      if (S.Pos.valid()) Text += " (`" + Root.display(S.Pos.File) + ":" + std::to_string(S.Pos.Line) + "`)";
      Text += "\n";
    }
    Text += "\n";
  }
  Text += "Run `cyclops rules --explain=" + F.Rule + "` for what the rule finds, the fix and how to suppress it.\n";
  return Text;
}

}  // namespace

llvm::json::Value toCodeClimate(const std::vector<Finding> &Findings, const SourceRoot &Root) {
  // Ids leave files and lines out, so one id may be reported in several files (and, rarely,
  // at several places in one): the fingerprint adds the file, and an ordinal among the
  // places in that file, which keeps it stable when unrelated edits move lines.
  std::map<std::pair<std::string, std::string>, unsigned> Seen;
  llvm::json::Array Issues;
  for (const Finding &F : Findings) {
    const SourcePos *At = primary(F);
    if (!At) continue;  // GitLab requires a location
    std::string Path = Root.display(At->File);
    unsigned Ordinal = Seen[{F.Id, Path}]++;
    llvm::MD5 Hash;
    Hash.update(F.Id);
    Hash.update(llvm::ArrayRef<uint8_t>{0});
    Hash.update(Path);
    if (Ordinal) {
      Hash.update(llvm::ArrayRef<uint8_t>{0});
      Hash.update(std::to_string(Ordinal));
    }
    llvm::MD5::MD5Result Digest;
    Hash.final(Digest);

    llvm::json::Array Others;
    for (const PathStep &S : F.Path)
      if (S.Pos.valid() && !(S.Pos.File == At->File && S.Pos.Line == At->Line))
        Others.push_back(location(S.Pos, Root));

    llvm::json::Object Issue{
        {"type", "issue"},
        {"check_name", "cyclops-" + F.Rule},
        {"description", F.Message},
        {"categories", llvm::json::Array{"Bug Risk"}},
        {"severity", codeClimateSeverity(F.Level)},
        {"fingerprint", std::string(Digest.digest())},
        {"location", location(*At, Root)},
        {"content", llvm::json::Object{{"body", body(F, Root)}}},
    };
    if (!Others.empty()) Issue["other_locations"] = std::move(Others);
    Issues.push_back(std::move(Issue));
  }
  return Issues;
}

void writeCodeClimate(llvm::raw_ostream &OS, const std::vector<Finding> &Findings, const SourceRoot &Root) {
  OS << llvm::formatv("{0:2}", toCodeClimate(Findings, Root)) << "\n";
}

}  // namespace cyclops
