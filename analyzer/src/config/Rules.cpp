// Rules.cpp - reading rules files with LLVM's YAMLTraits.
#include "config/Rules.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/YAMLParser.h"
#include "llvm/Support/YAMLTraits.h"
#include "llvm/Support/raw_ostream.h"

#include "io/InputLimits.h"
#include "rules/RuleIds.h"

namespace cyclops {
namespace {

// The file as written; optional fields stay unset so that `base: default` can tell
// "not given" from "given".
struct RawFamily {
  std::string Family;
  std::vector<std::string> Strong;
  std::vector<std::string> Weak;
  bool Collector = false;
  bool FixIt = true;
};

struct RawRule {
  std::string Id;
  std::optional<Severity> Level;
  std::optional<std::string> Summary;
  std::optional<bool> Enabled;
};

struct RawCycleType {
  std::optional<unsigned> MaxLength;
  std::optional<unsigned> MaxCycles;
};

struct RawWrapper {
  std::string Function;
  unsigned Arg = 0;
};

struct RawRules {
  std::optional<unsigned> Version;
  std::optional<std::string> Base;
  std::vector<RawFamily> Handles;
  std::vector<std::string> Owners;
  std::vector<std::string> PointerOwners;
  std::vector<std::string> Erased;
  std::vector<std::string> BackPointerNames;
  std::vector<RawWrapper> Wrappers;
  std::optional<RawCycleType> CycleType;
  std::vector<RawRule> Rules;
};

bool isQualifiedName(llvm::StringRef Name) {
  static const llvm::Regex Re("^(::)?[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*$");
  return Re.match(Name);
}

std::string checkNames(const std::vector<std::string> &Names, llvm::StringRef What) {
  for (const std::string &N : Names)
    if (!isQualifiedName(N))
      return (llvm::Twine("'") + N + "' in '" + What + "' is not a qualified C++ name").str();
  return "";
}

}  // namespace
}  // namespace cyclops

LLVM_YAML_IS_SEQUENCE_VECTOR(cyclops::RawFamily)
LLVM_YAML_IS_SEQUENCE_VECTOR(cyclops::RawRule)
LLVM_YAML_IS_SEQUENCE_VECTOR(cyclops::RawWrapper)

namespace llvm::yaml {

template <> struct ScalarEnumerationTraits<cyclops::Severity> {
  static void enumeration(IO &Io, cyclops::Severity &S) {
    Io.enumCase(S, "note", cyclops::Severity::Note);
    Io.enumCase(S, "warning", cyclops::Severity::Warning);
    Io.enumCase(S, "error", cyclops::Severity::Error);
  }
};

template <> struct MappingTraits<cyclops::RawFamily> {
  static void mapping(IO &Io, cyclops::RawFamily &F) {
    Io.mapRequired("family", F.Family);
    Io.mapRequired("strong", F.Strong);
    Io.mapOptional("weak", F.Weak);
    Io.mapOptional("collector", F.Collector, false);
    Io.mapOptional("fixit", F.FixIt, true);
  }
  static std::string validate(IO &, cyclops::RawFamily &F) {
    if (F.Family.empty()) return "a handle family needs a name";
    if (F.Strong.empty()) return "handle family '" + F.Family + "' lists no strong handle";
    if (std::string E = cyclops::checkNames(F.Strong, "strong"); !E.empty()) return E;
    return cyclops::checkNames(F.Weak, "weak");
  }
};

template <> struct MappingTraits<cyclops::RawRule> {
  static void mapping(IO &Io, cyclops::RawRule &R) {
    Io.mapRequired("id", R.Id);
    Io.mapOptional("severity", R.Level);
    Io.mapOptional("summary", R.Summary);
    Io.mapOptional("enabled", R.Enabled);
  }
  static std::string validate(IO &, cyclops::RawRule &R) {
    const auto &Known = cyclops::knownRuleIds();
    if (std::find(Known.begin(), Known.end(), R.Id) == Known.end())
      return "unknown rule id '" + R.Id + "' (known: " + llvm::join(Known, ", ") + ")";
    return "";
  }
};

template <> struct MappingTraits<cyclops::RawWrapper> {
  static void mapping(IO &Io, cyclops::RawWrapper &W) {
    Io.mapRequired("function", W.Function);
    Io.mapOptional("arg", W.Arg, 0u);
  }
  static std::string validate(IO &, cyclops::RawWrapper &W) {
    if (W.Arg > 16) return "a wrapper's 'arg' must be at most 16";
    return cyclops::checkNames({W.Function}, "wrappers");
  }
};

template <> struct MappingTraits<cyclops::RawCycleType> {
  static void mapping(IO &Io, cyclops::RawCycleType &C) {
    Io.mapOptional("max_length", C.MaxLength);
    Io.mapOptional("max_cycles", C.MaxCycles);
  }
  static std::string validate(IO &, cyclops::RawCycleType &C) {
    if (C.MaxLength && (*C.MaxLength < 2 || *C.MaxLength > 64))
      return "max_length must be between 2 and 64";
    if (C.MaxCycles && *C.MaxCycles == 0) return "max_cycles must be at least 1";
    return "";
  }
};

template <> struct MappingTraits<cyclops::RawRules> {
  static void mapping(IO &Io, cyclops::RawRules &R) {
    Io.mapOptional("version", R.Version);
    Io.mapOptional("base", R.Base);
    Io.mapOptional("handles", R.Handles);
    Io.mapOptional("owners", R.Owners);
    Io.mapOptional("pointer_owners", R.PointerOwners);
    Io.mapOptional("erased", R.Erased);
    Io.mapOptional("back_pointer_names", R.BackPointerNames);
    Io.mapOptional("wrappers", R.Wrappers);
    Io.mapOptional("cycle_type", R.CycleType);
    Io.mapOptional("rules", R.Rules);
  }
  static std::string validate(IO &, cyclops::RawRules &R) {
    if (R.Version && *R.Version != 1)
      return "unsupported rules version " + std::to_string(*R.Version) + " (expected 1)";
    if (R.Base && *R.Base != "default" && *R.Base != "none")
      return "'base' must be 'default' or 'none', not '" + *R.Base + "'";
    if (std::string E = cyclops::checkNames(R.Owners, "owners"); !E.empty()) return E;
    if (std::string E = cyclops::checkNames(R.PointerOwners, "pointer_owners"); !E.empty())
      return E;
    if (std::string E = cyclops::checkNames(R.Erased, "erased"); !E.empty()) return E;
    std::set<std::string> Ids;
    for (const cyclops::RawRule &Rule : R.Rules)
      if (!Ids.insert(Rule.Id).second) return "rule '" + Rule.Id + "' is listed twice";
    return "";
  }
};

}  // namespace llvm::yaml

namespace cyclops {

const std::vector<std::string> &knownRuleIds() {
  static const std::vector<std::string> Ids(std::begin(ruleid::All), std::end(ruleid::All));
  return Ids;
}

namespace {

bool contains(const std::vector<std::string> &V, llvm::StringRef S) {
  return std::find(V.begin(), V.end(), S) != V.end();
}

void appendUnique(std::vector<std::string> &To, const std::vector<std::string> &From) {
  for (const std::string &S : From)
    if (!contains(To, S)) To.push_back(S);
}

// Rule and family names are compared without a leading "::".
std::string stripGlobal(llvm::StringRef Name) {
  Name.consume_front("::");
  return Name.str();
}

void normalize(std::vector<std::string> &Names) {
  for (std::string &N : Names) N = stripGlobal(N);
}

}  // namespace

const HandleFamily *RuleSet::strongFamily(llvm::StringRef TemplateName) const {
  for (const HandleFamily &F : Families)
    if (contains(F.Strong, TemplateName)) return &F;
  return nullptr;
}

const HandleFamily *RuleSet::weakFamily(llvm::StringRef TemplateName) const {
  for (const HandleFamily &F : Families)
    if (contains(F.Weak, TemplateName)) return &F;
  return nullptr;
}

bool RuleSet::isOwner(llvm::StringRef TemplateName) const {
  return contains(Owners, TemplateName);
}

bool RuleSet::isPointerOwner(llvm::StringRef TemplateName) const {
  return contains(PointerOwners, TemplateName);
}

bool RuleSet::isErased(llvm::StringRef RecordName) const { return contains(Erased, RecordName); }

const HandleFamily *RuleSet::family(llvm::StringRef Name) const {
  for (const HandleFamily &F : Families)
    if (F.Name == Name) return &F;
  return nullptr;
}

const WrapperInfo *RuleSet::wrapper(llvm::StringRef FunctionName) const {
  for (const WrapperInfo &W : Wrappers)
    if (W.Name == FunctionName) return &W;
  return nullptr;
}

bool RuleSet::isBackPointerName(llvm::StringRef FieldName) const {
  // Split "m_parentNode" into m, parent, node.
  std::vector<std::string> Words;
  std::string Cur;
  for (size_t I = 0; I < FieldName.size(); ++I) {
    char C = FieldName[I];
    if (!std::isalnum(static_cast<unsigned char>(C))) {
      if (!Cur.empty()) Words.push_back(Cur);
      Cur.clear();
      continue;
    }
    if (std::isupper(static_cast<unsigned char>(C)) && !Cur.empty() &&
        std::islower(static_cast<unsigned char>(Cur.back()))) {
      Words.push_back(Cur);
      Cur.clear();
    }
    Cur.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(C))));
  }
  if (!Cur.empty()) Words.push_back(Cur);
  for (const std::string &W : Words)
    if (contains(BackPointerNames, W)) return true;
  return false;
}

const RuleInfo *RuleSet::rule(llvm::StringRef Id) const {
  for (const RuleInfo &R : Rules)
    if (R.Id == Id) return &R;
  return nullptr;
}

bool RuleSet::enabled(llvm::StringRef Id) const {
  const RuleInfo *R = rule(Id);
  return R && R->Enabled;
}

namespace {

llvm::Error fail(const std::string &Message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), Message);
}

// "NAME:LINE:COLUMN: MESSAGE", the form of every error in a rules file (COLUMN from 1).
std::string located(llvm::StringRef Name, unsigned Line, unsigned Column, const llvm::Twine &Message) {
  return (Name + ":" + llvm::Twine(Line) + ":" + llvm::Twine(Column) + ": " + Message).str();
}

// A SourceMgr diagnostic handler that keeps the first error in the std::string at Ctx.
void keepFirst(const llvm::SMDiagnostic &D, void *Ctx) {
  auto *Out = static_cast<std::string *>(Ctx);
  if (Out->empty()) *Out = located(D.getFilename(), D.getLineNo(), D.getColumnNo() + 1, D.getMessage());
}

// The first sequence or mapping under N (N included) that is more than Levels deep, or null.
// The recursion stops at that depth: it is bounded where yaml::Input's is not.
llvm::yaml::Node *tooDeep(llvm::yaml::Node *N, unsigned Levels) {
  auto *Seq = llvm::dyn_cast_or_null<llvm::yaml::SequenceNode>(N);
  auto *Map = llvm::dyn_cast_or_null<llvm::yaml::MappingNode>(N);
  if (!Seq && !Map) return nullptr;
  if (Levels == 0) return N;
  if (Seq)
    for (llvm::yaml::Node &Item : *Seq)
      if (llvm::yaml::Node *Deep = tooDeep(&Item, Levels - 1)) return Deep;
  if (Map)
    for (llvm::yaml::KeyValueNode &Entry : *Map) {
      if (llvm::yaml::Node *Deep = tooDeep(Entry.getKey(), Levels - 1)) return Deep;
      if (llvm::yaml::Node *Deep = tooDeep(Entry.getValue(), Levels - 1)) return Deep;
    }
  return nullptr;
}

// yaml::Input builds each document's tree recursively, without a limit: the error for a
// document nesting deeper than MaxNesting, found before Input reads it, or "" when none does.
// A syntax error ends the search; reporting it is Input's job. The scanner recurses on runs of
// empty entries too (`[a,,,,]`), even while walking the tree: those are refused first.
std::string nestingError(llvm::StringRef Text, llvm::StringRef Name) {
  llvm::SourceMgr SM;
  SM.setDiagHandler([](const llvm::SMDiagnostic &, void *) {});
  SM.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBuffer(Text, Name, /*RequiresNullTerminator=*/false),
                        llvm::SMLoc());
  if (std::optional<size_t> Run = tooManyEmptyYamlEntries(Text)) {
    auto [Line, Column] = SM.getLineAndColumn(llvm::SMLoc::getFromPointer(Text.data() + *Run));
    return located(Name, Line, Column, emptyEntriesMessage());
  }
  llvm::yaml::Stream S(llvm::MemoryBufferRef(Text, Name), SM);
  for (llvm::yaml::Document &Doc : S)
    if (llvm::yaml::Node *Deep = tooDeep(Doc.getRoot(), MaxNesting)) {
      // A node the scanner made after a syntax error (a NUL byte, say) may point nowhere:
      // SourceMgr would read out of bounds for it. The document's start then stands in.
      llvm::SMLoc At = Deep->getSourceRange().Start;
      if (!At.isValid() || SM.FindBufferContainingLoc(At) == 0) At = llvm::SMLoc::getFromPointer(Text.begin());
      auto [Line, Column] = SM.getLineAndColumn(At);
      return located(Name, Line, Column, nestingMessage());
    }
  return "";
}

// Maps the first document of In onto Raw; false when there is none or it did not parse. In's
// `>>` would map and validate anyway, and with no document (or a root it could not build, such
// as an alias) it has no current node, which the first validation error dereferences.
bool readDocument(llvm::yaml::Input &In, RawRules &Raw) {
  if (!In.setCurrentDocument() || In.error() || !In.getCurrentNode()) return false;
  llvm::yaml::EmptyContext Ctx;
  llvm::yaml::yamlize(In, Raw, /*Required=*/true, Ctx);
  return !In.error();
}

// After the one document of a rules file read by readDocument: reports a further one on In.
void rejectFurtherDocument(llvm::yaml::Input &In) {
  if (!In.nextDocument() || !In.setCurrentDocument() || In.error() || !In.getCurrentNode()) return;
  static_cast<llvm::yaml::IO &>(In).setError("a rules file holds one YAML document");  // at its root
}

}  // namespace

llvm::Expected<RuleSet> parseRules(llvm::StringRef Text, llvm::StringRef Name,
                                   const RuleSet &Defaults) {
  if (std::string E = nestingError(Text, Name); !E.empty()) return fail(E);
  std::string FirstError;
  RawRules Raw;
  {
    llvm::yaml::Input In(llvm::MemoryBufferRef(Text, Name), nullptr, keepFirst, &FirstError);
    const bool Read = readDocument(In, Raw);
    if (Read) rejectFurtherDocument(In);
    if (!FirstError.empty()) return fail(FirstError);
    if (!Read)
      return fail(located(Name, 1, 1,
                          In.error() ? "not a valid YAML document"
                                     : "no rules: the file holds no YAML document (see rules/default.yaml)"));
  }

  RuleSet Out;
  if (Raw.Base.value_or("none") == "default") Out = Defaults;

  for (RawFamily &F : Raw.Handles) {
    normalize(F.Strong);
    normalize(F.Weak);
    auto Same = std::find_if(Out.Families.begin(), Out.Families.end(),
                             [&](const HandleFamily &H) { return H.Name == F.Family; });
    if (Same == Out.Families.end()) {
      Out.Families.push_back({F.Family, F.Strong, F.Weak, F.Collector, F.FixIt});
    } else {
      appendUnique(Same->Strong, F.Strong);
      appendUnique(Same->Weak, F.Weak);
      Same->Collector = Same->Collector || F.Collector;
      Same->FixIt = Same->FixIt && F.FixIt;
    }
  }
  normalize(Raw.Owners);
  normalize(Raw.PointerOwners);
  normalize(Raw.Erased);
  appendUnique(Out.Owners, Raw.Owners);
  appendUnique(Out.PointerOwners, Raw.PointerOwners);
  appendUnique(Out.Erased, Raw.Erased);
  for (std::string &N : Raw.BackPointerNames) N = llvm::StringRef(N).lower();
  appendUnique(Out.BackPointerNames, Raw.BackPointerNames);
  for (RawWrapper &W : Raw.Wrappers) {
    W.Function = stripGlobal(W.Function);
    if (!Out.wrapper(W.Function)) Out.Wrappers.push_back({W.Function, W.Arg});
  }
  if (Raw.CycleType) {
    if (Raw.CycleType->MaxLength) Out.CycleType.MaxLength = *Raw.CycleType->MaxLength;
    if (Raw.CycleType->MaxCycles) Out.CycleType.MaxCycles = *Raw.CycleType->MaxCycles;
  }
  for (const RawRule &R : Raw.Rules) {
    RuleInfo *Info = nullptr;
    for (RuleInfo &Existing : Out.Rules)
      if (Existing.Id == R.Id) Info = &Existing;
    if (!Info) {
      Out.Rules.push_back({R.Id, Severity::Warning, "", true});
      Info = &Out.Rules.back();
    }
    if (R.Level) Info->Level = *R.Level;
    if (R.Summary) Info->Summary = *R.Summary;
    if (R.Enabled) Info->Enabled = *R.Enabled;
  }
  // Keep the documented order.
  const auto &Known = knownRuleIds();
  std::stable_sort(Out.Rules.begin(), Out.Rules.end(), [&](const RuleInfo &A, const RuleInfo &B) {
    return std::find(Known.begin(), Known.end(), A.Id) < std::find(Known.begin(), Known.end(), B.Id);
  });
  return Out;
}

namespace {
const char DefaultRulesText[] =
#include "DefaultRules.inc"
    ;
}  // namespace

llvm::Expected<RuleSet> defaultRules() {
  return parseRules(DefaultRulesText, "rules/default.yaml", RuleSet{});
}

llvm::Expected<RuleSet> loadRulesFile(llvm::StringRef Path) {
  auto Buffer = llvm::MemoryBuffer::getFile(Path, /*IsText=*/true);
  if (!Buffer)
    return llvm::createStringError(Buffer.getError(), "cannot read rules file '%s': %s",
                                   Path.str().c_str(), Buffer.getError().message().c_str());
  llvm::Expected<RuleSet> Defaults = defaultRules();
  if (!Defaults) return Defaults.takeError();
  return parseRules((*Buffer)->getBuffer(), Path, *Defaults);
}

std::string rulesFingerprint(const RuleSet &Rules) {
  // Structured bindings name every member: a member added to these structs stops this from
  // compiling until it is added to the fingerprint too.
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  auto list = [&](llvm::StringRef Name, const std::vector<std::string> &V) {
    OS << Name << "[";
    for (const std::string &S : V) OS << S.size() << ":" << S << ",";
    OS << "]\n";
  };
  const auto &[Families, Owners, PointerOwners, Erased, BackPointerNames, Wrappers, CycleType, RuleList] = Rules;
  for (const HandleFamily &F : Families) {
    const auto &[Name, Strong, Weak, Collector, FixIt] = F;
    OS << "family " << Name.size() << ":" << Name << " collector=" << Collector << " fixit=" << FixIt << "\n";
    list("strong", Strong);
    list("weak", Weak);
  }
  list("owners", Owners);
  list("pointer-owners", PointerOwners);
  list("erased", Erased);
  list("back-pointer-names", BackPointerNames);
  for (const WrapperInfo &W : Wrappers) {
    const auto &[Function, Arg] = W;
    OS << "wrapper " << Function.size() << ":" << Function << " arg=" << Arg << "\n";
  }
  const auto &[MaxLength, MaxCycles] = CycleType;
  OS << "cycle-type " << MaxLength << " " << MaxCycles << "\n";
  for (const RuleInfo &R : RuleList) {
    const auto &[Id, Level, Summary, Enabled] = R;
    OS << "rule " << Id.size() << ":" << Id << " level=" << static_cast<int>(Level) << " enabled=" << Enabled
       << " summary=" << Summary.size() << ":" << Summary << "\n";
  }
  return Out;
}

}  // namespace cyclops
