// Facts files (FactsIO.h): real translation units' facts survive a round trip field for field,
// and every kind of damage is rejected with a message that says what is wrong.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "config/Rules.h"
#include "extract/CompilationDb.h"
#include "extract/ResourceDir.h"
#include "extract/Runner.h"
#include "facts/FactsIO.h"

#include "CliRunner.h"

namespace cyclops::test {
namespace {

// The facts of every testdata/analyzer file, each its own translation unit, extracted by Clang.
const std::vector<TUFacts> &realFacts() {
  static const std::vector<TUFacts> Facts = [] {
    static int Anchor;
    auto Resource = findResourceDir("", "cyclops_facts_io_test", &Anchor);
    auto Rules = defaultRules();
    if (!Resource || !Rules) {
      ADD_FAILURE() << "no resource directory or rules";
      llvm::consumeError(Resource.takeError());
      llvm::consumeError(Rules.takeError());
      return std::vector<TUFacts>{};
    }
    std::vector<std::string> Files;
    std::error_code EC;
    for (llvm::sys::fs::directory_iterator It(CYC_TESTDATA_DIR, EC), End; It != End && !EC; It.increment(EC))
      if (llvm::sys::path::extension(It->path()) == ".cpp") Files.push_back(It->path());
    std::sort(Files.begin(), Files.end());
    auto DB = makeFixedDatabase(CYC_TESTDATA_DIR, {"-std=c++20", "-I" CYC_RUNTIME_INCLUDE_DIR});
    RunResult Run = runTranslationUnits(*DB, Files, *Rules, RunOptions{2, *Resource});
    for (const TUFailure &F : Run.Failures) ADD_FAILURE() << F.File << ": " << F.Reason;
    return std::move(Run.Facts);
  }();
  return Facts;
}

// Compares two facts member by member. The structured bindings name every member, so a member
// added to these structs does not compile here until it is compared (and serialized) too.
// Counts what it has seen, so that the test can tell that each kind of fact was exercised.
class Same {
 public:
  std::map<std::string, unsigned> Seen;

  void operator()(const TUFacts &A, const TUFacts &B, const std::string &W) {
    const auto &[MainFile, Inputs, Records, AdlHooks, Summaries, Captures, TypedStores, ParamPasses, StrongUses,
                 Findings] = A;
    const auto &[MainFile2, Inputs2, Records2, AdlHooks2, Summaries2, Captures2, TypedStores2, ParamPasses2,
                 StrongUses2, Findings2] = B;
    eq(MainFile, MainFile2, W + ".main_file");
    eq(Inputs == Inputs2, true, W + ".inputs");
    Seen["input"] += static_cast<unsigned>(Inputs.size());
    list(Records, Records2, W + ".records");
    list(AdlHooks, AdlHooks2, W + ".adl_hooks");
    list(Summaries, Summaries2, W + ".summaries");
    list(Captures, Captures2, W + ".captures");
    list(TypedStores, TypedStores2, W + ".typed_stores");
    list(ParamPasses, ParamPasses2, W + ".param_passes");
    list(StrongUses, StrongUses2, W + ".strong_uses");
    list(Findings, Findings2, W + ".findings");
  }

 private:
  template <typename T>
  void eq(const T &A, const T &B, const std::string &W) {
    EXPECT_TRUE(A == B) << W;
  }
  void eq(const SourcePos &A, const SourcePos &B, const std::string &W) {
    EXPECT_EQ(A.File, B.File) << W;
    EXPECT_EQ(A.Line, B.Line) << W;
    EXPECT_EQ(A.Column, B.Column) << W;
    if (A.valid()) ++Seen["position"];
  }
  template <typename T>
  void list(const std::vector<T> &A, const std::vector<T> &B, const std::string &W) {
    ASSERT_EQ(A.size(), B.size()) << W;
    for (size_t I = 0; I < A.size(); ++I) same(A[I], B[I], W + "[" + std::to_string(I) + "]");
  }
  template <typename T>
  void opt(const std::optional<T> &A, const std::optional<T> &B, const std::string &W, const char *Kind) {
    ASSERT_EQ(A.has_value(), B.has_value()) << W;
    if (!A) return;
    ++Seen[Kind];
    same(*A, *B, W);
  }
  void same(const SourcePos &A, const SourcePos &B, const std::string &W) { eq(A, B, W); }
  void same(const std::string &A, const std::string &B, const std::string &W) { eq(A, B, W); }
  void same(const TextEdit &A, const TextEdit &B, const std::string &W) {
    const auto &[Pos, Length, Text] = A;
    eq(Pos, B.Pos, W + ".pos");
    eq(Length, B.Length, W + ".length");
    eq(Text, B.Text, W + ".text");
  }
  void same(const FieldEdge &A, const FieldEdge &B, const std::string &W) {
    const auto &[Target, Kind, Family, Exact] = A;
    eq(Target, B.Target, W + ".target");
    eq(Kind, B.Kind, W + ".kind");
    eq(Family, B.Family, W + ".family");
    eq(Exact, B.Exact, W + ".exact");
    ++Seen[Kind == EdgeKind::Strong ? "strong edge" : "owns edge"];
    if (!Exact) ++Seen["inexact edge"];
  }
  void same(const FieldFact &A, const FieldFact &B, const std::string &W) {
    const auto &[Name, Pos, TypeSpelling, Edges, Erased, WeakFix] = A;
    eq(Name, B.Name, W + ".name");
    eq(Pos, B.Pos, W + ".pos");
    eq(TypeSpelling, B.TypeSpelling, W + ".type");
    list(Edges, B.Edges, W + ".edges");
    eq(Erased, B.Erased, W + ".erased");
    if (Erased) ++Seen["erased field"];
    opt(WeakFix, B.WeakFix, W + ".weak_fix", "weak fix");
  }
  void same(const TraceHookFact &A, const TraceHookFact &B, const std::string &W) {
    const auto &[Record, Kind, Pos, TracedFields, Opaque, MacroClose] = A;
    eq(Record, B.Record, W + ".record");
    eq(Kind, B.Kind, W + ".kind");
    eq(Pos, B.Pos, W + ".pos");
    eq(TracedFields, B.TracedFields, W + ".fields");
    eq(Opaque, B.Opaque, W + ".opaque");
    opt(MacroClose, B.MacroClose, W + ".macro_close", "macro close");
    ++Seen["hook kind " + std::to_string(static_cast<int>(Kind))];
    if (Opaque) ++Seen["opaque hook"];
  }
  void same(const HookInsertion &A, const HookInsertion &B, const std::string &W) {
    const auto &[Pos, OwnLine, Indent] = A;
    eq(Pos, B.Pos, W + ".pos");
    eq(OwnLine, B.OwnLine, W + ".own_line");
    eq(Indent, B.Indent, W + ".indent");
  }
  void same(const RecordFact &A, const RecordFact &B, const std::string &W) {
    const auto &[Name, Pos, Bases, Fields, Hook, InsertHookAt, Synthetic] = A;
    eq(Name, B.Name, W + ".name");
    eq(Pos, B.Pos, W + ".pos");
    eq(Bases, B.Bases, W + ".bases");
    list(Fields, B.Fields, W + ".fields");
    opt(Hook, B.Hook, W + ".hook", "member hook");
    opt(InsertHookAt, B.InsertHookAt, W + ".insert_hook", "hook insertion");
    eq(Synthetic, B.Synthetic, W + ".synthetic");
    if (!Bases.empty()) ++Seen["bases"];
    if (Synthetic) ++Seen["synthetic record"];
  }
  void same(const StepNote &A, const StepNote &B, const std::string &W) {
    const auto &[Pos, Note] = A;
    eq(Pos, B.Pos, W + ".pos");
    eq(Note, B.Note, W + ".note");
  }
  void same(const PathStep &A, const PathStep &B, const std::string &W) {
    const auto &[Type, Field, Pos, Note, Via] = A;
    eq(Type, B.Type, W + ".type");
    eq(Field, B.Field, W + ".field");
    eq(Pos, B.Pos, W + ".pos");
    eq(Note, B.Note, W + ".note");
    list(Via, B.Via, W + ".via");
    if (!Via.empty()) ++Seen["via"];
  }
  void same(const unsigned &A, const unsigned &B, const std::string &W) { eq(A, B, W); }
  void same(const FieldRef &A, const FieldRef &B, const std::string &W) {
    const auto &[Holder, Field, Pos, Spelling, Handle, Family, Callable, Strong] = A;
    eq(Holder, B.Holder, W + ".holder");
    eq(Field, B.Field, W + ".field");
    eq(Pos, B.Pos, W + ".pos");
    eq(Spelling, B.Spelling, W + ".type");
    eq(Handle, B.Handle, W + ".handle");
    eq(Family, B.Family, W + ".family");
    eq(Callable, B.Callable, W + ".callable");
    eq(Strong, B.Strong, W + ".strong");
  }
  void same(const ObjectStep &A, const ObjectStep &B, const std::string &W) {
    const auto &[K, Field, Callee, Virtual] = A;
    eq(K, B.K, W + ".kind");
    same(Field, B.Field, W + ".field");
    eq(Callee, B.Callee, W + ".callee");
    eq(Virtual, B.Virtual, W + ".virtual");
    ++Seen["step kind " + std::to_string(static_cast<int>(K))];
  }
  void same(const std::vector<ObjectStep> &A, const std::vector<ObjectStep> &B, const std::string &W) {
    list(A, B, W);
  }
  void same(const ParamStoreFact &A, const ParamStoreFact &B, const std::string &W) {
    const auto &[Param, Path, At] = A;
    eq(Param, B.Param, W + ".param");
    list(Path, B.Path, W + ".path");
    eq(At, B.At, W + ".at");
    ++Seen["param store"];
  }
  void same(const ParamForwardFact &A, const ParamForwardFact &B, const std::string &W) {
    const auto &[Param, Receiver, Callee, Virtual, Arg, At] = A;
    eq(Param, B.Param, W + ".param");
    list(Receiver, B.Receiver, W + ".receiver");
    eq(Callee, B.Callee, W + ".callee");
    eq(Virtual, B.Virtual, W + ".virtual");
    eq(Arg, B.Arg, W + ".arg");
    eq(At, B.At, W + ".at");
    ++Seen["param forward"];
  }
  void same(const WrapForwardFact &A, const WrapForwardFact &B, const std::string &W) {
    const auto &[Param, Callee, Arg] = A;
    eq(Param, B.Param, W + ".param");
    eq(Callee, B.Callee, W + ".callee");
    eq(Arg, B.Arg, W + ".arg");
  }
  void same(const FieldResetFact &A, const FieldResetFact &B, const std::string &W) {
    const auto &[Path, At] = A;
    list(Path, B.Path, W + ".path");
    eq(At, B.At, W + ".at");
    ++Seen["reset"];
  }
  void same(const MemberCallFact &A, const MemberCallFact &B, const std::string &W) {
    const auto &[Receiver, Callee, Virtual, At, OfThis, NullArgs] = A;
    list(Receiver, B.Receiver, W + ".receiver");
    eq(Callee, B.Callee, W + ".callee");
    eq(Virtual, B.Virtual, W + ".virtual");
    eq(At, B.At, W + ".at");
    eq(OfThis, B.OfThis, W + ".of_this");
    list(NullArgs, B.NullArgs, W + ".null_args");
    ++Seen["member call"];
  }
  void same(const FunctionSummary &A, const FunctionSummary &B, const std::string &W) {
    const auto &[Id, Name, Class, Overrides, Stores, Forwards, ReturnsSelf, ReturnsSelfOf, ReturnsPart, Wraps, WrapsOf,
                 Deletes, Resets, Calls] = A;
    eq(Id, B.Id, W + ".id");
    eq(Name, B.Name, W + ".name");
    eq(Class, B.Class, W + ".class");
    eq(Overrides, B.Overrides, W + ".overrides");
    list(Stores, B.Stores, W + ".stores");
    list(Forwards, B.Forwards, W + ".forwards");
    eq(ReturnsSelf, B.ReturnsSelf, W + ".returns_self");
    eq(ReturnsSelfOf, B.ReturnsSelfOf, W + ".returns_self_of");
    list(ReturnsPart, B.ReturnsPart, W + ".returns_part");
    list(Wraps, B.Wraps, W + ".wraps");
    list(WrapsOf, B.WrapsOf, W + ".wraps_of");
    eq(Deletes, B.Deletes, W + ".deletes");
    list(Resets, B.Resets, W + ".resets");
    list(Calls, B.Calls, W + ".calls");
    ++Seen["summary"];
    if (ReturnsSelf) ++Seen["returns self"];
  }
  void same(const CaptureFact &A, const CaptureFact &B, const std::string &W) {
    const auto &[At, Function, Closure, Text, Local, Root, RootType, Path, Setter, SetterName, SetterVirtual, Arg, Held, HeldPos,
                 HeldRoot, Handle, Family, WeakHandle, Traced, Implicit, Wrapped, Via, Requires] = A;
    eq(At, B.At, W + ".at");
    eq(Function, B.Function, W + ".function");
    eq(Closure, B.Closure, W + ".closure");
    eq(Text, B.Text, W + ".text");
    eq(Local, B.Local, W + ".local");
    if (Closure.empty()) ++Seen["handle store"];
    eq(Root, B.Root, W + ".root");
    eq(RootType, B.RootType, W + ".root_type");
    list(Path, B.Path, W + ".path");
    eq(Setter, B.Setter, W + ".setter");
    eq(SetterName, B.SetterName, W + ".setter_name");
    eq(SetterVirtual, B.SetterVirtual, W + ".setter_virtual");
    eq(Arg, B.Arg, W + ".arg");
    eq(Held, B.Held, W + ".held");
    eq(HeldPos, B.HeldPos, W + ".held_pos");
    eq(HeldRoot, B.HeldRoot, W + ".held_root");
    eq(Handle, B.Handle, W + ".handle");
    eq(Family, B.Family, W + ".family");
    eq(WeakHandle, B.WeakHandle, W + ".weak_handle");
    eq(Traced, B.Traced, W + ".traced");
    eq(Implicit, B.Implicit, W + ".implicit");
    eq(Wrapped, B.Wrapped, W + ".wrapped");
    eq(Via, B.Via, W + ".via");
    eq(Requires, B.Requires, W + ".requires");
    ++Seen["capture"];
    if (!Setter.empty()) ++Seen["capture through a setter"];
  }
  void same(const TypedStoreFact &A, const TypedStoreFact &B, const std::string &W) {
    const auto &[Holder, Field, Callee, Arg, Stored, Strong, Family, Fresh, At] = A;
    eq(Holder, B.Holder, W + ".holder");
    eq(Field, B.Field, W + ".field");
    eq(Callee, B.Callee, W + ".callee");
    eq(Arg, B.Arg, W + ".arg");
    eq(Stored, B.Stored, W + ".stored");
    eq(Strong, B.Strong, W + ".strong");
    eq(Family, B.Family, W + ".family");
    eq(Fresh, B.Fresh, W + ".fresh");
    eq(At, B.At, W + ".at");
    ++Seen[Callee.empty() ? "typed store" : "typed argument"];
    if (Fresh) ++Seen["fresh store"];
  }
  void same(const ParamPassFact &A, const ParamPassFact &B, const std::string &W) {
    const auto &[Function, Param, Callee, Arg, Holder, Field] = A;
    eq(Function, B.Function, W + ".function");
    eq(Param, B.Param, W + ".param");
    eq(Callee, B.Callee, W + ".callee");
    eq(Arg, B.Arg, W + ".arg");
    eq(Holder, B.Holder, W + ".holder");
    eq(Field, B.Field, W + ".field");
    ++Seen[Callee.empty() ? "param stored" : "param pass"];
  }
  void same(const StrongUseFact &A, const StrongUseFact &B, const std::string &W) {
    const auto &[Holder, Field, At] = A;
    eq(Holder, B.Holder, W + ".holder");
    eq(Field, B.Field, W + ".field");
    eq(At, B.At, W + ".at");
    ++Seen["strong use"];
  }
  void same(const Finding &A, const Finding &B, const std::string &W) {
    const auto &[Rule, Level, Message, Pos, Path, Fixes, Id] = A;
    eq(Rule, B.Rule, W + ".rule");
    eq(Level, B.Level, W + ".level");
    eq(Message, B.Message, W + ".message");
    eq(Pos, B.Pos, W + ".pos");
    list(Path, B.Path, W + ".path");
    list(Fixes, B.Fixes, W + ".fixes");
    eq(Id, B.Id, W + ".id");
    ++Seen["finding"];
    if (!Fixes.empty()) ++Seen["fix"];
  }
};

TEST(FactsIO, RealTranslationUnitsRoundTripFieldForField) {
  const std::vector<TUFacts> &All = realFacts();
  ASSERT_GE(All.size(), 8u);
  Same Compare;
  for (const TUFacts &F : All) {
    std::string Text = serializeFacts(F, "the key");
    llvm::Expected<FactsFile> Back = parseFacts(Text);
    ASSERT_TRUE(static_cast<bool>(Back)) << F.MainFile << ": " << llvm::toString(Back.takeError());
    EXPECT_EQ(Back->Key, "the key");
    Compare(F, Back->Facts, llvm::sys::path::filename(F.MainFile).str());
    EXPECT_EQ(serializeFacts(Back->Facts, "the key"), Text) << "stable: " << F.MainFile;
    // The main file is the first input; every input is a file that exists.
    ASSERT_FALSE(F.Inputs.empty()) << F.MainFile;
    EXPECT_EQ(F.Inputs[0].Path, F.MainFile);
    for (const InputFile &In : F.Inputs) EXPECT_TRUE(llvm::sys::fs::is_regular_file(In.Path)) << In.Path;
  }
  // The corpus exercises every kind of fact, so the comparison above compared something.
  for (const char *Kind : {"input", "position", "strong edge", "owns edge", "inexact edge", "weak fix", "macro close",
                           "member hook", "hook insertion", "bases", "finding", "via", "hook kind 1", "hook kind 2",
                           "hook kind 3", "summary", "param store", "param forward", "step kind 0",
                           "capture", "capture through a setter", "handle store", "reset", "member call",
                           "typed store", "typed argument", "fresh store", "strong use", "erased field", "param pass",
                           "param stored"})
    EXPECT_GT(Compare.Seen[Kind], 0u) << "no " << Kind << " in the testdata facts";
}

TEST(FactsIO, FilesAreWrittenAtomicallyAndListedRecursively) {
  llvm::SmallString<256> Made;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("cyclops-facts-io", Made));
  std::string Dir(Made);
  std::string Nested = Dir + "/a/b/one.facts";
  const TUFacts &F = realFacts().at(0);
  ASSERT_FALSE(static_cast<bool>(writeFactsFile(Nested, F, "k")));  // creates a/b/
  ASSERT_FALSE(static_cast<bool>(writeFactsFile(Dir + "/two.facts", F, "")));
  spit(Dir + "/notes.txt", "not facts");
  auto Listed = listFactsFiles(Dir);
  ASSERT_TRUE(static_cast<bool>(Listed)) << llvm::toString(Listed.takeError());
  EXPECT_EQ(*Listed, (std::vector<std::string>{Nested, Dir + "/two.facts"}));
  auto Read = readFactsFile(Nested);
  ASSERT_TRUE(static_cast<bool>(Read)) << llvm::toString(Read.takeError());
  EXPECT_EQ(Read->Key, "k");
  EXPECT_EQ(Read->Facts.Inputs, F.Inputs);
  // No temporary file is left behind.
  std::error_code EC;
  for (llvm::sys::fs::recursive_directory_iterator It(Dir, EC), End; It != End && !EC; It.increment(EC))
    EXPECT_EQ(llvm::StringRef(It->path()).find(".tmp-"), llvm::StringRef::npos) << It->path();

  // Errors name the path at fault.
  llvm::Error Bad = writeFactsFile(Dir + "/notes.txt/x.facts", F, "");
  ASSERT_TRUE(static_cast<bool>(Bad));
  EXPECT_EQ(llvm::toString(std::move(Bad)), "cannot write '" + Dir + "/notes.txt/x.facts': Not a directory");
  Bad = writeFactsFile(Dir + "/notes.txt/sub/x.facts", F, "");
  ASSERT_TRUE(static_cast<bool>(Bad));
  EXPECT_EQ(llvm::toString(std::move(Bad)), "cannot create directory '" + Dir + "/notes.txt/sub': Not a directory");
  auto NotDir = listFactsFiles(Dir + "/notes.txt");
  ASSERT_FALSE(static_cast<bool>(NotDir));
  EXPECT_EQ(llvm::toString(NotDir.takeError()), "'" + Dir + "/notes.txt" + "' is not a directory");
  llvm::sys::fs::remove_directories(Dir);
}

std::string hex(std::uint64_t V) { return llvm::utohexstr(V, /*LowerCase=*/true, 16); }

// A file around Body with a header whose size and checksum fit it.
std::string withHeader(llvm::StringRef Body, std::int64_t Version = FactsFormatVersion) {
  llvm::json::Object H{{"format", "cyclops-facts"},
                       {"version", Version},
                       {"key", "k"},
                       {"bytes", static_cast<std::int64_t>(Body.size())},
                       {"xxh3", hex(hashContent(Body))}};
  std::string Out;
  llvm::raw_string_ostream(Out) << llvm::json::Value(std::move(H)) << "\n" << Body << "\n";
  return Out;
}

std::string errorOf(llvm::StringRef Text) {
  llvm::Expected<FactsFile> F = parseFacts(Text);
  if (F) return "(parsed)";
  return llvm::toString(F.takeError());
}

TEST(FactsIO, EachKindOfDamageIsRejectedWithItsMessage) {
  const TUFacts &F = realFacts().at(0);
  std::string Good = serializeFacts(F, "k");
  ASSERT_TRUE(static_cast<bool>(parseFacts(Good)));
  size_t BodyAt = Good.find('\n') + 1;
  size_t BodyBytes = Good.size() - BodyAt - 1;
  const std::string Prefix = "not a valid cyclops facts file: ";

  EXPECT_EQ(errorOf(""), Prefix + "no header line");
  EXPECT_EQ(errorOf("#include <vector>\n"), Prefix + "no header line");
  EXPECT_EQ(errorOf("{\"format\":\"something-else\",\"version\":1}\n{}\n"), Prefix + "no header line");
  EXPECT_EQ(errorOf(withHeader("{}", 1)), Prefix + "format version 1, this cyclops reads version 3");
  EXPECT_EQ(errorOf("{\"format\":\"cyclops-facts\",\"version\":3,\"bytes\":2}\n{}\n"), Prefix + "incomplete header");

  // Truncated anywhere in the facts, or cut after the header.
  EXPECT_EQ(errorOf(llvm::StringRef(Good).take_front(Good.size() - 100)),
            Prefix + std::to_string(BodyBytes - 99) + " bytes of facts, the header says " + std::to_string(BodyBytes) +
                " (truncated?)");
  EXPECT_EQ(errorOf(llvm::StringRef(Good).take_front(BodyAt)),
            Prefix + "0 bytes of facts, the header says " + std::to_string(BodyBytes) + " (truncated?)");
  // One bit flipped: at the start, in the middle, at the end of the facts.
  for (size_t At : {BodyAt, BodyAt + BodyBytes / 2, BodyAt + BodyBytes - 1}) {
    std::string Flipped = Good;
    Flipped[At] ^= 0x04;
    EXPECT_EQ(errorOf(Flipped), Prefix + "checksum mismatch (damaged?)") << "byte " << At;
  }
  // A header that does not belong to the facts.
  std::string OtherHash = Good;
  size_t HashAt = OtherHash.find("\"xxh3\":\"") + 8;
  OtherHash[HashAt] = OtherHash[HashAt] == '0' ? '1' : '0';
  EXPECT_EQ(errorOf(OtherHash), Prefix + "checksum mismatch (damaged?)");

  // Facts that fit their header but are not facts: the JSON error, or where the shape is wrong.
  std::string E = errorOf(withHeader("{\"files\": [1,"));
  EXPECT_EQ(E.rfind(Prefix + "[1:", 0), 0u) << E;
  EXPECT_EQ(errorOf(withHeader("[]")), Prefix + "the facts are not an object");
  E = errorOf(withHeader(R"({"files":[],"main_file":"a.cpp","inputs":7,"records":[],"adl_hooks":[],"findings":[]})"));
  EXPECT_NE(E.find("expected an array"), std::string::npos) << E;
  EXPECT_NE(E.find("facts.inputs"), std::string::npos) << E;
  E = errorOf(withHeader(
      R"({"files":[],"main_file":"a.cpp","inputs":[["a.cpp","xyz"]],"records":[],"adl_hooks":[],"findings":[]})"));
  EXPECT_NE(E.find("expected [path, hash]"), std::string::npos) << E;
  EXPECT_NE(E.find("facts.inputs[0]"), std::string::npos) << E;
  E = errorOf(withHeader(R"({"files":[],"main_file":"a.cpp","inputs":[],"records":[{"name":"R","pos":[3,1,1],)"
                         R"("bases":[],"fields":[],"synthetic":false}],"adl_hooks":[],"findings":[]})"));
  EXPECT_NE(E.find("bad position"), std::string::npos) << E;
  EXPECT_NE(E.find("facts.records[0].pos"), std::string::npos) << E;
  E = errorOf(withHeader(R"({"files":[],"main_file":"a.cpp","inputs":[],"records":[],"adl_hooks":[],)"
                         R"("findings":[{"rule":"cycle-type","level":7,"message":"m","pos":null,"path":[],)"
                         R"("fixes":[],"id":"0"}]})"));
  EXPECT_NE(E.find("bad level"), std::string::npos) << E;

  // Reading a file: errors begin with its path.
  llvm::SmallString<256> Made;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("cyclops-facts-io", Made));
  std::string Dir(Made);
  std::string Path = Dir + "/damaged.facts";
  std::string Flipped = Good;
  Flipped[BodyAt + 10] ^= 0x01;
  spit(Path, Flipped);
  auto Read = readFactsFile(Path);
  ASSERT_FALSE(static_cast<bool>(Read));
  EXPECT_EQ(llvm::toString(Read.takeError()), Path + ": " + Prefix + "checksum mismatch (damaged?)");
  std::string Missing = Dir + "/missing.facts";
  Read = readFactsFile(Missing);
  ASSERT_FALSE(static_cast<bool>(Read));
  E = llvm::toString(Read.takeError());
  EXPECT_EQ(E.rfind("cannot read '" + Missing + "': ", 0), 0u) << E;
  llvm::sys::fs::remove_directories(Dir);
}

// An error two levels into an array (an edge of a field, a step of a finding's path, a note of
// a step) names its whole place: the reader keeps every level of the place alive until then.
TEST(FactsIO, ErrorsDeepInsideArraysNameTheirPlace) {
  const std::string Empty = R"("adl_hooks":[],"files":[],"inputs":[],"main_file":"a.h")";
  std::string E = errorOf(withHeader(
      "{" + Empty + R"(,"findings":[],"records":[{"bases":[],"name":"R","pos":null,"synthetic":false,)" +
      R"("fields":[{"name":"f","pos":null,"type":"T","edges":[{"family":"cyc","kind":"strong","target":"R"}]}]}]})"));
  EXPECT_NE(E.find("missing value at facts.records[0].fields[0].edges[0].exact"), std::string::npos) << E;

  const std::string Finding = R"("fixes":[],"id":"1","level":1,"message":"m","pos":null,"rule":"cycle-type")";
  E = errorOf(withHeader("{" + Empty + R"(,"records":[],"findings":[{)" + Finding +
                         R"(,"path":[{"field":"f","pos":null,"type":"R","via":[]}]}]})"));
  EXPECT_NE(E.find("missing value at facts.findings[0].path[0].note"), std::string::npos) << E;
  E = errorOf(withHeader("{" + Empty + R"(,"records":[],"findings":[{)" + Finding +
                         R"(,"path":[{"field":"f","note":"n","pos":null,"type":"R","via":[{"pos":null}]}]}]})"));
  EXPECT_NE(E.find("missing value at facts.findings[0].path[0].via[0].note"), std::string::npos) << E;
}

// Numbers are integers up to, not including, 2^63 (9223372036854775807.0 is the same double).
TEST(FactsIO, NumbersBeyondInt64AreRejected) {
  EXPECT_EQ(errorOf(R"({"format":"cyclops-facts","version":3,"key":"k","bytes":9223372036854775807.0,"xxh3":"0"})"
                    "\n{}\n"),
            "not a valid cyclops facts file: incomplete header");
  const std::string Empty = R"("findings":[],"inputs":[],"main_file":"a.h")";
  std::string E = errorOf(withHeader("{" + Empty + R"(,"files":[],"records":[],"adl_hooks":[{"fields":[],)" +
                                     R"("opaque":false,"pos":null,"record":"R","kind":9223372036854775808.0}]})"));
  EXPECT_NE(E.find("expected integer at facts.adl_hooks[0].kind"), std::string::npos) << E;
}

}  // namespace
}  // namespace cyclops::test
