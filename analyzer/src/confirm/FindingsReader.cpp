// FindingsReader.cpp - reads the findings JSON of `cyclops check` for `cyclops confirm`.
#include "confirm/Findings.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include "io/InputLimits.h"
#include "io/JsonInteger.h"

namespace cyclops::confirm {

bool isCycleRule(llvm::StringRef Rule) {
  return Rule == "cycle-type" || Rule == "cycle-instance" || Rule == "capture-cycle";
}

bool isTypeLevelRule(llvm::StringRef Rule) { return Rule == "cycle-type"; }

std::vector<FindingStep> runtimePath(const StaticFinding &F) {
  if (F.Rule == "capture-cycle" && F.Path.size() > 1) return {F.Path.begin(), F.Path.end() - 1};
  return F.Path;
}

std::string describeJsonError(llvm::Error E, llvm::StringRef Name, unsigned LineOffset) {
  std::string Text = llvm::toString(std::move(E));
  // llvm::json::ParseError logs "[LINE:COLUMN, byte=OFFSET]: MESSAGE"; its fields are private.
  llvm::StringRef Rest(Text);
  unsigned Line = 0, Column = 0;
  if (Rest.consume_front("[") && !Rest.consumeInteger(10, Line) && Rest.consume_front(":") &&
      !Rest.consumeInteger(10, Column)) {
    size_t Close = Rest.find("]: ");
    if (Close != llvm::StringRef::npos)
      // The column (from 1) where the parser stopped; llvm counts from 0.
      return (Name + ":" + llvm::Twine(Line + LineOffset) + ":" + llvm::Twine(Column + 1) +
              ": invalid JSON: " + Rest.substr(Close + 3))
          .str();
  }
  return (Name + ": invalid JSON: " + Text).str();
}

namespace {

llvm::Error fail(const llvm::Twine &Message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), Message);
}

// An optional string key: absent is "", any other type an error.
bool optionalString(const llvm::json::Object &O, llvm::StringRef Key, std::string &Out) {
  const llvm::json::Value *V = O.get(Key);
  if (!V) return true;
  std::optional<llvm::StringRef> S = V->getAsString();
  if (!S) return false;
  Out = S->str();
  return true;
}

bool optionalInt(const llvm::json::Object &O, llvm::StringRef Key, int64_t &Out) {
  const llvm::json::Value *V = O.get(Key);
  if (!V) return true;
  std::optional<int64_t> I = jsonInteger(*V);
  if (!I) return false;
  Out = *I;
  return true;
}

}  // namespace

llvm::Expected<std::vector<StaticFinding>> parseFindings(llvm::StringRef Text, llvm::StringRef Name) {
  llvm::Expected<llvm::json::Value> Root = parseJson(Text);
  if (!Root) return fail(describeJsonError(Root.takeError(), Name));
  const llvm::json::Object *Top = Root->getAsObject();
  const llvm::json::Array *List = Top ? Top->getArray("findings") : nullptr;
  if (!List)
    return fail(Name +
                ": not a findings file: expected {\"findings\": [...]} as written by "
                "cyclops check --format=json");

  std::vector<StaticFinding> Findings;
  for (size_t I = 0; I < List->size(); ++I) {
    auto Bad = [&](const llvm::Twine &What) { return fail(Name + ": finding " + llvm::Twine(I + 1) + ": " + What); };
    const llvm::json::Object *O = (*List)[I].getAsObject();
    if (!O) return Bad("not an object");
    StaticFinding F;
    std::optional<llvm::StringRef> Rule = O->getString("rule"), Id = O->getString("id");
    if (!Rule || Rule->empty()) return Bad("no \"rule\"");
    if (!Id || Id->empty()) return Bad("no \"id\"");
    F.Rule = Rule->str();
    F.Id = Id->str();
    if (!optionalString(*O, "severity", F.Severity)) return Bad("\"severity\" is not a string");
    if (!optionalString(*O, "message", F.Message)) return Bad("\"message\" is not a string");
    if (!optionalString(*O, "file", F.File)) return Bad("\"file\" is not a string");
    if (!optionalInt(*O, "line", F.Line)) return Bad("\"line\" is not an integer");
    if (!optionalInt(*O, "column", F.Column)) return Bad("\"column\" is not an integer");
    const llvm::json::Array *Path = O->getArray("path");
    if (!Path) return Bad("no \"path\" array");
    for (size_t J = 0; J < Path->size(); ++J) {
      const llvm::json::Object *S = (*Path)[J].getAsObject();
      std::optional<llvm::StringRef> Type = S ? S->getString("type") : std::nullopt;
      std::optional<llvm::StringRef> Field = S ? S->getString("field") : std::nullopt;
      if (!Type || !Field) return Bad("path step " + llvm::Twine(J + 1) + ": needs \"type\" and \"field\" strings");
      FindingStep Step{Type->str(), Field->str(), "", 0};
      if (!optionalString(*S, "file", Step.File) || !optionalInt(*S, "line", Step.Line))
        return Bad("path step " + llvm::Twine(J + 1) + ": \"file\" or \"line\" has the wrong type");
      F.Path.push_back(std::move(Step));
    }
    if (isCycleRule(F.Rule) && F.Path.empty()) return Bad("a " + F.Rule + " finding with an empty path");
    Findings.push_back(std::move(F));
  }
  return Findings;
}

llvm::Expected<std::vector<StaticFinding>> readFindings(llvm::StringRef Path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> Buffer = llvm::MemoryBuffer::getFile(Path, /*IsText=*/true);
  if (!Buffer) return fail("cannot read findings file '" + Path + "': " + Buffer.getError().message());
  return parseFindings((*Buffer)->getBuffer(), Path);
}

}  // namespace cyclops::confirm
