// SarifOutput.cpp - the SARIF 2.1.0 log, for GitHub code scanning and SARIF viewers, with
// llvm::json. The shape is documented in Output.h.
#include <map>
#include <memory>
#include <optional>

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

#include "config/RuleDocs.h"
#include "output/Output.h"

namespace cyclops {
namespace {

constexpr const char *SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";
constexpr const char *RootBaseId = "%SRCROOT%";
// Versioned so that a change to how ids are computed can say so.
constexpr const char *FingerprintKey = "cyclops/v1";

// The first paragraph of prose after the title and the bold one-line summary, unwrapped;
// `Fallback` when the document has none.
std::string fullDescription(llvm::StringRef Markdown, llvm::StringRef Fallback) {
  llvm::SmallVector<llvm::StringRef> Lines;
  Markdown.split(Lines, '\n');
  std::string Paragraph;
  bool InFence = false;
  for (llvm::StringRef Line : Lines) {
    Line = Line.rtrim();
    if (Line.starts_with("```")) {
      InFence = !InFence;
      if (!Paragraph.empty()) break;
      continue;
    }
    if (InFence) continue;
    if (Line.empty()) {
      if (!Paragraph.empty()) break;
      continue;
    }
    if (Paragraph.empty() && (Line.starts_with("#") || Line.starts_with("**") || Line.starts_with("* ") ||
                              Line.starts_with("- ") || Line.starts_with("|")))
      continue;
    if (!Paragraph.empty()) Paragraph += ' ';
    Paragraph += Line.trim().str();
  }
  return Paragraph.empty() ? Fallback.str() : Paragraph;
}

// "cycle-instance" -> "CycleInstance": SARIF's rule name is an identifier for people.
std::string ruleName(llvm::StringRef Id) {
  std::string Name;
  bool Upper = true;
  for (char C : Id) {
    if (C == '-' || C == '_') {
      Upper = true;
      continue;
    }
    Name += Upper ? llvm::toUpper(C) : C;
    Upper = false;
  }
  return Name;
}

std::string level(Severity S) { return std::string(severityName(S)); }

// Source lines, read once per file: SARIF counts columns in code points where clang counts
// bytes, and a fix's description quotes the text it replaces.
class SourceText {
 public:
  std::optional<llvm::StringRef> line(const std::string &File, unsigned Line) {
    auto It = Files.find(File);
    if (It == Files.end()) {
      Loaded L;
      if (auto B = llvm::MemoryBuffer::getFile(File, /*IsText=*/true)) {
        L.Buffer = std::move(*B);
        L.Buffer->getBuffer().split(L.Lines, '\n');
      }
      It = Files.emplace(File, std::move(L)).first;
    }
    if (Line == 0 || Line > It->second.Lines.size()) return std::nullopt;
    return It->second.Lines[Line - 1].rtrim('\r');
  }

  // A 1-based byte column as a 1-based code point column (unchanged when unreadable).
  unsigned column(const std::string &File, unsigned Line, unsigned ByteColumn) {
    std::optional<llvm::StringRef> Text = line(File, Line);
    if (!Text || ByteColumn == 0 || ByteColumn - 1 > Text->size()) return ByteColumn;
    unsigned Column = 1;
    for (char C : Text->take_front(ByteColumn - 1))
      if ((static_cast<unsigned char>(C) & 0xC0) != 0x80) ++Column;  // not a continuation byte
    return Column;
  }

 private:
  struct Loaded {
    std::unique_ptr<llvm::MemoryBuffer> Buffer;
    llvm::SmallVector<llvm::StringRef> Lines;
  };
  std::map<std::string, Loaded> Files;
};

class SarifWriter {
 public:
  SarifWriter(const RuleSet &RuleConfig, const SourceRoot &SourceDir) : Rules(RuleConfig), Root(SourceDir) {
    for (size_t I = 0; I < Rules.Rules.size(); ++I) RuleIndex.emplace(Rules.Rules[I].Id, I);
  }

  llvm::json::Value log(const std::vector<Finding> &Findings, const BaselineSplit *Baseline,
                        const std::vector<InputError> &Errors, const std::vector<Truncation> &Truncated) {
    llvm::json::Array Results;
    const char *State = Baseline ? "new" : nullptr;
    for (const Finding &F : Findings) Results.push_back(result(F, State));
    if (Baseline) {
      for (const Finding &F : Baseline->Unchanged) Results.push_back(result(F, "unchanged"));
      for (const BaselineEntry &E : Baseline->Absent) Results.push_back(absent(E));
    }
    llvm::json::Object Run{
        {"tool", llvm::json::Object{{"driver", driver()}}},
        {"originalUriBaseIds",
         llvm::json::Object{{RootBaseId, llvm::json::Object{{"uri", fileUri(Root.path(), /*Directory=*/true)}}}}},
        {"columnKind", "unicodeCodePoints"},
        {"invocations", llvm::json::Array{invocation(Errors, Truncated)}},
        {"results", std::move(Results)},
    };
    return llvm::json::Object{
        {"$schema", SchemaUri}, {"version", "2.1.0"}, {"runs", llvm::json::Array{std::move(Run)}}};
  }

 private:
  // The run's one invocation: whether every translation unit was analyzed, and why not; and
  // the limits that cut an analysis short.
  llvm::json::Object invocation(const std::vector<InputError> &Errors, const std::vector<Truncation> &Truncated) {
    llvm::json::Object Invocation{{"executionSuccessful", Errors.empty()}};
    if (Errors.empty() && Truncated.empty()) return Invocation;
    llvm::json::Array Notifications;
    for (const InputError &E : Errors)
      Notifications.push_back(llvm::json::Object{
          {"level", "error"},
          {"message", llvm::json::Object{{"text", E.Message}}},
          {"locations",
           llvm::json::Array{llvm::json::Object{
               {"physicalLocation", llvm::json::Object{{"artifactLocation", artifact(E.File)}}}}}},
      });
    for (const Truncation &T : Truncated) {
      Notifications.push_back(llvm::json::Object{
          {"level", "warning"},
          {"message", llvm::json::Object{{"text", T.Message}}},
          {"associatedRule", llvm::json::Object{{"id", T.Rule}}},
      });
    }
    Invocation["toolExecutionNotifications"] = std::move(Notifications);
    return Invocation;
  }

  llvm::json::Object driver() {
    llvm::json::Array List;
    for (const RuleInfo &R : Rules.Rules) {
      llvm::StringRef Doc = ruleDoc(R.Id);
      llvm::json::Object Rule{
          {"id", R.Id},
          {"name", ruleName(R.Id)},
          {"shortDescription", llvm::json::Object{{"text", R.Summary}}},
          {"fullDescription", llvm::json::Object{{"text", fullDescription(Doc, R.Summary)}}},
          {"defaultConfiguration", llvm::json::Object{{"level", level(R.Level)}, {"enabled", R.Enabled}}},
      };
      if (!Doc.empty()) Rule["help"] = llvm::json::Object{{"text", Doc}, {"markdown", Doc}};
      List.push_back(std::move(Rule));
    }
    return llvm::json::Object{
        {"name", "cyclops"}, {"version", CYCLOPS_VERSION}, {"semanticVersion", CYCLOPS_VERSION}, {"rules", std::move(List)}};
  }

  llvm::json::Object artifact(llvm::StringRef File) {
    if (std::optional<std::string> Rel = Root.relative(File))
      return llvm::json::Object{{"uri", relativeUri(*Rel)}, {"uriBaseId", RootBaseId}};
    return llvm::json::Object{{"uri", fileUri(File)}};
  }

  llvm::json::Object physical(const SourcePos &P) {
    llvm::json::Object Region{{"startLine", static_cast<int64_t>(P.Line)}};
    if (P.Column) Region["startColumn"] = static_cast<int64_t>(Sources.column(P.File, P.Line, P.Column));
    return llvm::json::Object{{"artifactLocation", artifact(P.File)}, {"region", std::move(Region)}};
  }

  llvm::json::Object location(const SourcePos &P, std::optional<std::string> Message = std::nullopt) {
    llvm::json::Object L{{"physicalLocation", physical(P)}};
    if (Message) L["message"] = llvm::json::Object{{"text", std::move(*Message)}};
    return L;
  }

  static std::string stepText(const PathStep &S) {
    if (!S.Note.empty()) return S.Note;
    return S.Field.empty() ? S.Type : S.Type + "." + S.Field;
  }

  void setRule(llvm::json::Object &Result, llvm::StringRef Id) {
    if (Id.empty()) return;
    Result["ruleId"] = Id;
    if (auto It = RuleIndex.find(Id.str()); It != RuleIndex.end())
      Result["ruleIndex"] = static_cast<int64_t>(It->second);
  }

  llvm::json::Object result(const Finding &F, const char *State) {
    llvm::json::Object R{{"level", level(F.Level)},
                         {"message", llvm::json::Object{{"text", F.Message}}},
                         {"partialFingerprints", llvm::json::Object{{FingerprintKey, F.Id}}}};
    setRule(R, F.Rule);
    if (State) R["baselineState"] = State;

    // The reported place; a finding without one (none is made today) falls back on its path.
    const SourcePos *At = F.Pos.valid() ? &F.Pos : nullptr;
    for (const PathStep &S : F.Path)
      if (!At && S.Pos.valid()) At = &S.Pos;
    if (At) R["locations"] = llvm::json::Array{location(*At)};

    // Each edge of the cycle: a related location, and a step of the one thread flow that
    // walks the cycle in order. Where a call makes the edge, the stores inside the callees
    // follow it, one nesting level deeper per call.
    llvm::json::Array Related, Steps;
    auto Add = [&](const SourcePos &Pos, const std::string &Text, int64_t Depth) {
      llvm::json::Object L = location(Pos, Text);
      L["id"] = static_cast<int64_t>(Related.size() + 1);
      Related.push_back(std::move(L));
      Steps.push_back(llvm::json::Object{{"location", location(Pos, Text)}, {"nestingLevel", Depth}});
    };
    for (const PathStep &S : F.Path) {
      if (S.Pos.valid()) Add(S.Pos, stepText(S), 0);
      int64_t Depth = 0;
      for (const StepNote &V : S.Via)
        if (V.Pos.valid()) Add(V.Pos, V.Note.empty() ? stepText(S) : V.Note, ++Depth);
    }
    if (!Related.empty()) R["relatedLocations"] = std::move(Related);
    if (!Steps.empty())
      R["codeFlows"] = llvm::json::Array{llvm::json::Object{
          {"threadFlows", llvm::json::Array{llvm::json::Object{{"locations", std::move(Steps)}}}}}};

    if (std::optional<llvm::json::Object> Fix = fix(F)) R["fixes"] = llvm::json::Array{std::move(*Fix)};
    return R;
  }

  // All fix-its of a finding make one fix: together they resolve it.
  std::optional<llvm::json::Object> fix(const Finding &F) {
    std::map<std::string, llvm::json::Array> ByFile;
    std::vector<std::string> Descriptions;
    for (const TextEdit &E : F.Fixes) {
      if (!E.Pos.valid()) continue;
      unsigned Start = Sources.column(E.Pos.File, E.Pos.Line, E.Pos.Column ? E.Pos.Column : 1);
      unsigned End = Sources.column(E.Pos.File, E.Pos.Line, (E.Pos.Column ? E.Pos.Column : 1) + E.Length);
      ByFile[E.Pos.File].push_back(llvm::json::Object{
          {"deletedRegion", llvm::json::Object{{"startLine", static_cast<int64_t>(E.Pos.Line)},
                                               {"startColumn", static_cast<int64_t>(Start)},
                                               {"endColumn", static_cast<int64_t>(End)}}},
          {"insertedContent", llvm::json::Object{{"text", E.Text}}}});
      Descriptions.push_back(describe(E));
    }
    if (ByFile.empty()) return std::nullopt;
    llvm::json::Array Changes;
    for (auto &[File, Replacements] : ByFile)
      Changes.push_back(llvm::json::Object{{"artifactLocation", artifact(File)}, {"replacements", std::move(Replacements)}});
    return llvm::json::Object{{"description", llvm::json::Object{{"text", llvm::join(Descriptions, "; ")}}},
                              {"artifactChanges", std::move(Changes)}};
  }

  std::string describe(const TextEdit &E) {
    if (E.Length == 0) return "insert '" + E.Text + "'";
    std::optional<llvm::StringRef> Line = Sources.line(E.Pos.File, E.Pos.Line);
    if (Line && E.Pos.Column && E.Pos.Column - 1 + E.Length <= Line->size())
      return "replace '" + Line->substr(E.Pos.Column - 1, E.Length).str() + "' with '" + E.Text + "'";
    return "replace with '" + E.Text + "'";
  }

  // A baselined finding that is gone: the baseline kept its file, not its line.
  llvm::json::Object absent(const BaselineEntry &E) {
    const RuleInfo *Rule = Rules.rule(E.Rule);
    llvm::json::Object R{
        {"level", level(Rule ? Rule->Level : Severity::Warning)},
        {"message", llvm::json::Object{{"text", E.Message.empty() ? "finding " + E.Id : E.Message}}},
        {"partialFingerprints", llvm::json::Object{{FingerprintKey, E.Id}}},
        {"baselineState", "absent"}};
    setRule(R, E.Rule);
    if (!E.File.empty()) {
      llvm::json::Object Artifact = llvm::StringRef(E.File).starts_with("/")
                                        ? artifact(E.File)
                                        : llvm::json::Object{{"uri", relativeUri(E.File)}, {"uriBaseId", RootBaseId}};
      R["locations"] = llvm::json::Array{
          llvm::json::Object{{"physicalLocation", llvm::json::Object{{"artifactLocation", std::move(Artifact)}}}}};
    }
    return R;
  }

  const RuleSet &Rules;
  const SourceRoot &Root;
  std::map<std::string, size_t> RuleIndex;
  SourceText Sources;
};

}  // namespace

llvm::json::Value toSarif(const std::vector<Finding> &Findings, const RuleSet &Rules, const SourceRoot &Root,
                          const BaselineSplit *Baseline, const std::vector<InputError> &Errors,
                          const std::vector<Truncation> &Truncated) {
  return SarifWriter(Rules, Root).log(Findings, Baseline, Errors, Truncated);
}

void writeSarif(llvm::raw_ostream &OS, const std::vector<Finding> &Findings, const RuleSet &Rules,
                const SourceRoot &Root, const BaselineSplit *Baseline, const std::vector<InputError> &Errors,
                const std::vector<Truncation> &Truncated) {
  OS << llvm::formatv("{0:2}", toSarif(Findings, Rules, Root, Baseline, Errors, Truncated)) << "\n";
}

}  // namespace cyclops
