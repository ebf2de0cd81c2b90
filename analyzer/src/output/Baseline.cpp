// Baseline.cpp - reading, writing and applying baseline files, with llvm::json.
#include "output/Baseline.h"

#include <unordered_set>

#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include "io/InputLimits.h"
#include "io/JsonInteger.h"
#include "io/OutputFile.h"

namespace cyclops {

constexpr int64_t BaselineVersion = 1;

bool fromJSON(const llvm::json::Value &V, BaselineEntry &E, llvm::json::Path P) {
  llvm::json::ObjectMapper O(V, P);
  // Only the id matters to the comparison; the rest is for readers and may be edited away.
  return O && O.map("id", E.Id) && O.mapOptional("rule", E.Rule) && O.mapOptional("file", E.File) &&
         O.mapOptional("message", E.Message);
}

namespace {

llvm::Error malformed(llvm::StringRef Path, const llvm::Twine &Why) {
  return llvm::createStringError(std::make_error_code(std::errc::invalid_argument),
                                 "baseline '" + Path + "' is malformed: " + Why);
}

}  // namespace

llvm::Expected<Baseline> loadBaseline(llvm::StringRef Path) {
  auto Buffer = llvm::MemoryBuffer::getFile(Path, /*IsText=*/true);
  if (!Buffer)
    return llvm::createStringError(Buffer.getError(),
                                   "cannot read baseline '" + Path + "': " + Buffer.getError().message());
  llvm::Expected<llvm::json::Value> Json = parseJson((*Buffer)->getBuffer());
  if (!Json) return malformed(Path, llvm::toString(Json.takeError()));

  const llvm::json::Object *Root = Json->getAsObject();
  if (!Root) return malformed(Path, "expected an object with 'version' and 'findings'");
  std::optional<int64_t> Version = jsonInteger(*Root, "version");
  if (!Version) return malformed(Path, "no 'version'");
  if (*Version != BaselineVersion)
    return malformed(Path, "version " + llvm::Twine(*Version) + " is not supported (this cyclops reads version " +
                               llvm::Twine(BaselineVersion) + ")");
  Baseline B;
  B.Path = Path.str();
  llvm::json::Path::Root Where("baseline");
  const llvm::json::Value *Findings = Root->get("findings");
  if (!Findings) return malformed(Path, "no 'findings'");
  if (!fromJSON(*Findings, B.Entries, llvm::json::Path(Where).field("findings")))
    return malformed(Path, llvm::toString(Where.getError()));
  return B;
}

llvm::Error writeBaseline(llvm::StringRef Path, const std::vector<Finding> &Findings, const SourceRoot &Root) {
  // A state file: replaced whole by a rename or not at all (OutputFile.h).
  return writeOutputFile(
      Path, NonRegularFile::Refuse,
      [&](llvm::raw_ostream &OS) {
        llvm::json::OStream J(OS, /*IndentSize=*/2);
        J.object([&] {
          J.attribute("version", BaselineVersion);
          J.attributeArray("findings", [&] {
            for (const Finding &F : Findings)
              J.object([&] {
                J.attribute("id", F.Id);
                J.attribute("rule", F.Rule);
                J.attribute("file", Root.display(F.Pos.File));
                J.attribute("message", F.Message);
              });
          });
        });
        OS << "\n";
      },
      "baseline");
}

BaselineSplit splitByBaseline(std::vector<Finding> Findings, const Baseline &B,
                              const std::set<std::string> *Scope) {
  BaselineSplit S;
  S.Path = B.Path;
  std::unordered_set<std::string> Known, Seen;
  for (const BaselineEntry &E : B.Entries) Known.insert(E.Id);
  for (Finding &F : Findings) {
    Seen.insert(F.Id);
    (Known.count(F.Id) ? S.Unchanged : S.New).push_back(std::move(F));
  }
  for (const BaselineEntry &E : B.Entries)
    if (!Seen.count(E.Id) && (!Scope || Scope->count(E.File))) S.Absent.push_back(E);
  return S;
}

}  // namespace cyclops
