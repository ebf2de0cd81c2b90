// confirm_test.cpp - `cyclops confirm`: type-name normalisation, path matching (rotations,
// base classes, embedded values, type-level rounds), the readers' errors, and the command
// line run on a fake program (testdata/confirm/fake/) that writes a known collector report.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <regex>

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include "confirm/ConfirmOutput.h"
#include "confirm/Findings.h"
#include "confirm/Matcher.h"
#include "confirm/Observations.h"
#include "confirm/TypeName.h"

extern char **environ;

namespace cyclops::confirm::test {
namespace {

// --- normalizeTypeName -------------------------------------------------------------------

TEST(ConfirmTypeName, ClangAndDemanglerSpellingsOfAContainerAgree) {
  const char *Clang = "std::vector<cyc::Handle<void>, std::allocator<cyc::Handle<void>>>";
  const char *Demangled = "std::vector<cyc::Handle<void>, std::allocator<cyc::Handle<void> > >";
  const char *Tidied = "std::vector<cyc::Handle<>>";
  EXPECT_EQ(normalizeTypeName(Clang), "std::vector<cyc::Handle<>>");
  EXPECT_EQ(normalizeTypeName(Demangled), "std::vector<cyc::Handle<>>");
  EXPECT_EQ(normalizeTypeName(Tidied), "std::vector<cyc::Handle<>>");
}

TEST(ConfirmTypeName, StringsMapsAndInlineNamespaces) {
  const char *Clang =
      "std::map<std::basic_string<char, std::char_traits<char>, std::allocator<char>>, cyc::Handle<void>, "
      "std::less<std::basic_string<char, std::char_traits<char>, std::allocator<char>>>, "
      "std::allocator<std::pair<const std::basic_string<char, std::char_traits<char>, std::allocator<char>>, "
      "cyc::Handle<void>>>>";
  const char *Demangled =
      "std::map<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >, cyc::Handle<void>, "
      "std::less<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > >, "
      "std::allocator<std::pair<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > "
      "const, cyc::Handle<void> > > >";
  EXPECT_EQ(normalizeTypeName(Clang), "std::map<std::string,cyc::Handle<>>");
  EXPECT_EQ(normalizeTypeName(Demangled), "std::map<std::string,cyc::Handle<>>");
  EXPECT_EQ(normalizeTypeName("std::map<std::string, cyc::Handle<>>"), "std::map<std::string,cyc::Handle<>>");
  EXPECT_EQ(normalizeTypeName("std::__1::vector<int, std::__1::allocator<int>>"), "std::vector<int>");
  EXPECT_EQ(normalizeTypeName("std::unique_ptr<app::Node, std::default_delete<app::Node>>"),
            "std::unique_ptr<app::Node>");
  EXPECT_EQ(normalizeTypeName("std::unordered_map<int, cyc::Weak<void>, std::hash<int>, std::equal_to<int>, "
                              "std::allocator<std::pair<const int, cyc::Weak<void>>>>"),
            "std::unordered_map<int,cyc::Weak<>>");
  EXPECT_EQ(normalizeTypeName("tmpl::Box<std::basic_string<char, std::char_traits<char>, std::allocator<char>>>"),
            normalizeTypeName("tmpl::Box<std::string>"));
}

TEST(ConfirmTypeName, WhitespaceScopesAndLiterals) {
  EXPECT_EQ(normalizeTypeName("  ::app::Node "), "app::Node");
  EXPECT_EQ(normalizeTypeName("Box< unsigned  long , int * >"), "Box<unsigned long,int*>");
  EXPECT_EQ(normalizeTypeName("std::array<cyc::Handle<void>, 4ul>"), normalizeTypeName("std::array<cyc::Handle<>, 4>"));
  EXPECT_EQ(normalizeTypeName("Shift<-3l>"), "Shift<-3>");
  // A local class: the demangler names its function, clang does not.
  EXPECT_EQ(normalizeTypeName("run()::Local"), "Local");
  EXPECT_EQ(normalizeTypeName("app::Job::start(int) const::Step"), "Step");
  EXPECT_EQ(normalizeTypeName("Box<f()::Local>"), "Box<Local>");
  // ... but an anonymous namespace is no function.
  EXPECT_EQ(normalizeTypeName("(anonymous namespace)::Anon"), "(anonymous namespace)::Anon");
  EXPECT_EQ(normalizeTypeName("{anonymous}::Anon"), "(anonymous namespace)::Anon");
}

TEST(ConfirmTypeName, KeepsWhatTellsTypesApart) {
  EXPECT_NE(normalizeTypeName("app::A"), normalizeTypeName("app::B"));
  EXPECT_NE(normalizeTypeName("Box<int>"), normalizeTypeName("Box<long>"));
  EXPECT_NE(normalizeTypeName("Box<int>"), normalizeTypeName("Box"));
  // Only the standard defaults go: a custom allocator stays, and so does a first argument.
  EXPECT_EQ(normalizeTypeName("std::vector<int, Pool<int>>"), "std::vector<int,Pool<int>>");
  EXPECT_EQ(normalizeTypeName("Wrap<std::allocator<int>>"), "Wrap<std::allocator<int>>");
}

TEST(ConfirmTypeName, IsIdempotent) {
  for (const char *Name :
       {"std::vector<cyc::Handle<void>, std::allocator<cyc::Handle<void>>>", "f()::Local",
        "std::map<std::__cxx11::basic_string<char>, int>", "Box< unsigned  long >", "(anonymous namespace)::Anon"}) {
    std::string Once = normalizeTypeName(Name);
    EXPECT_EQ(normalizeTypeName(Once), Once) << Name;
  }
}

// --- alignPaths --------------------------------------------------------------------------

std::vector<FindingStep> finding(std::initializer_list<std::pair<const char *, const char *>> Steps) {
  std::vector<FindingStep> Path;
  for (auto [Type, Field] : Steps) Path.push_back(FindingStep{Type, Field, "", 0});
  return Path;
}

// Steps {type, field, owner}; owner "" when the record has none.
std::vector<ObservedStep> observed(std::initializer_list<std::array<const char *, 3>> Steps) {
  std::vector<ObservedStep> Path;
  for (const auto &S : Steps) Path.push_back(ObservedStep{S[0], S[1], S[2]});
  return Path;
}

TEST(ConfirmAlign, AnyRotationMatches) {
  auto F = finding({{"a::A", "x"}, {"a::B", "y"}, {"a::C", "z"}});
  auto O0 = observed({{"a::A", "x", "a::A"}, {"a::B", "y", "a::B"}, {"a::C", "z", "a::C"}});
  auto O1 = observed({{"a::B", "y", "a::B"}, {"a::C", "z", "a::C"}, {"a::A", "x", "a::A"}});
  auto O2 = observed({{"a::C", "z", "a::C"}, {"a::A", "x", "a::A"}, {"a::B", "y", "a::B"}});
  for (const auto &O : {O0, O1, O2}) {
    std::optional<Alignment> A = alignPaths(F, O, /*TypeLevel=*/false);
    ASSERT_TRUE(A);
    // Each observed step stands for the finding step of its own type.
    for (size_t I = 0; I < O.size(); ++I) {
      EXPECT_EQ(A->RunStart[I], A->RunEnd[I]);
      EXPECT_EQ(F[A->RunStart[I]].Type, O[I].Type);
    }
  }
  EXPECT_EQ(alignPaths(F, O1, false)->RunStart, (std::vector<size_t>{1, 2, 0}));
}

TEST(ConfirmAlign, OrderAndFieldsMatter) {
  auto F = finding({{"a::A", "x"}, {"a::B", "y"}, {"a::C", "z"}});
  // The same steps walked the other way round are another cycle.
  EXPECT_FALSE(alignPaths(F, observed({{"a::A", "x", ""}, {"a::C", "z", ""}, {"a::B", "y", ""}}), false));
  EXPECT_FALSE(alignPaths(F, observed({{"a::A", "x", ""}, {"a::B", "w", ""}, {"a::C", "z", ""}}), false));
  EXPECT_FALSE(alignPaths(finding({{"a::A", "x"}}), observed({{"a::A", "y", "a::A"}}), false));
  EXPECT_FALSE(alignPaths(finding({{"a::A", ""}}), observed({{"a::A", "x", "a::A"}}), false));
  EXPECT_FALSE(alignPaths(finding({{"a::A", "x"}}), observed({{"a::B", "x", "a::B"}}), false));
}

TEST(ConfirmAlign, BaseClassFieldMatchesADerivedObject) {
  // The finding names the class that declares the field; the object is a derived one.
  auto Base = finding({{"app::Observer", "subject"}, {"app::Subject", "observers"}});
  auto O = observed({{"app::Logger", "subject", "app::Observer"}, {"app::Subject", "observers", "app::Subject"}});
  EXPECT_TRUE(alignPaths(Base, O, true));
  EXPECT_TRUE(alignPaths(Base, O, false));
  // The finding names the derived class (an inherited field): the dynamic type matches.
  EXPECT_TRUE(alignPaths(finding({{"app::Logger", "subject"}, {"app::Subject", "observers"}}), O, false));
  // Without an owner, a base class cannot be told.
  auto NoOwner = observed({{"app::Logger", "subject", ""}, {"app::Subject", "observers", ""}});
  EXPECT_FALSE(alignPaths(Base, NoOwner, false));
}

TEST(ConfirmAlign, AFieldPathThroughOwnersMatchesItsInnermostField) {
  // cycle-instance names the store's path from the object (unique_ptr, then a by-value
  // member); the runtime names the innermost field and the struct that declares it.
  auto F = finding({{"app::Engine", "impl.wiring.engine"}});
  EXPECT_TRUE(alignPaths(F, observed({{"app::Engine", "engine", "app::Wiring"}}), false));
  EXPECT_FALSE(alignPaths(F, observed({{"app::Engine", "wiring", "app::Impl"}}), false));
  EXPECT_FALSE(alignPaths(F, observed({{"app::Engine", "gine", "app::Wiring"}}), false));
}

TEST(ConfirmAlign, TypeLevelFindingsMatchWholeRounds) {
  auto Ring = finding({{"app::Node", "next"}});
  auto Three = observed(
      {{"app::Node", "next", "app::Node"}, {"app::Node", "next", "app::Node"}, {"app::Node", "next", "app::Node"}});
  EXPECT_TRUE(alignPaths(Ring, Three, /*TypeLevel=*/true));
  EXPECT_FALSE(alignPaths(Ring, Three, /*TypeLevel=*/false));

  auto Pair = finding({{"app::Canvas", "shapes"}, {"app::Circle", "canvas"}});
  auto TwoRounds = observed({{"app::Circle", "canvas", "app::Circle"},
                             {"app::Canvas", "shapes", "app::Canvas"},
                             {"app::Circle", "canvas", "app::Circle"},
                             {"app::Canvas", "shapes", "app::Canvas"}});
  EXPECT_TRUE(alignPaths(Pair, TwoRounds, true));
  EXPECT_FALSE(alignPaths(Pair, TwoRounds, false));
  auto RoundAndAHalf = observed({{"app::Circle", "canvas", "app::Circle"},
                                 {"app::Canvas", "shapes", "app::Canvas"},
                                 {"app::Circle", "canvas", "app::Circle"}});
  EXPECT_FALSE(alignPaths(Pair, RoundAndAHalf, true));
}

TEST(ConfirmAlign, AnInstanceFindingMatchesItsOwnLengthOnly) {
  auto Mutual = finding({{"app::Node", "next"}, {"app::Node", "next"}});
  EXPECT_TRUE(
      alignPaths(Mutual, observed({{"app::Node", "next", "app::Node"}, {"app::Node", "next", "app::Node"}}), false));
  EXPECT_FALSE(alignPaths(Mutual, observed({{"app::Node", "next", "app::Node"}}), false));
}

TEST(ConfirmAlign, EmbeddedValuesCollapseIntoTheirObject) {
  // own::A holds an std::optional<own::B> whose trace hook visits c: the collector sees one
  // own::A object with a field c declared by own::B.
  auto F = finding({{"own::A", "b"}, {"own::B", "c"}, {"own::C", "a"}});
  std::optional<Alignment> A =
      alignPaths(F, observed({{"own::C", "a", "own::C"}, {"own::A", "c", "own::B"}}), /*TypeLevel=*/true);
  ASSERT_TRUE(A);
  EXPECT_EQ(A->RunStart, (std::vector<size_t>{2, 0}));
  EXPECT_EQ(A->RunEnd, (std::vector<size_t>{2, 1}));
  // The field must come from another class's hook for a run to collapse.
  EXPECT_FALSE(alignPaths(F, observed({{"own::A", "c", "own::A"}, {"own::C", "a", "own::C"}}), true));
}

TEST(ConfirmAlign, SpellingsDifferBetweenAnalyzerAndRuntime) {
  auto F = finding({{"std::vector<cyc::Handle<void>, std::allocator<cyc::Handle<void>>>", ""}});
  EXPECT_TRUE(alignPaths(F, observed({{"std::vector<cyc::Handle<>>", "", "std::vector<cyc::Handle<>>"}}), false));
}

// --- match -------------------------------------------------------------------------------

StaticFinding makeFinding(const char *Id, const char *Rule, std::vector<FindingStep> Path) {
  StaticFinding F;
  F.Id = Id;
  F.Rule = Rule;
  F.Path = std::move(Path);
  return F;
}

ObservedCycle makeCycle(std::vector<ObservedStep> Path, uint64_t Host, uint64_t Device, int64_t Pid = 1,
                        const char *Reason = "explicit") {
  ObservedCycle C;
  C.Pid = Pid;
  C.Reason = Reason;
  C.Path = std::move(Path);
  C.Objects = C.Path.size();
  C.HostBytes = Host;
  C.DeviceBytes = Device;
  C.WaitedNs = Host * 10;
  C.WaitedCollections = Device ? 2 : 0;
  return C;
}

TEST(ConfirmMatch, SumsOccurrencesAndDrawsTheClosingStepLast) {
  std::vector<StaticFinding> Findings{makeFinding("f1", "cycle-type", finding({{"a::A", "x"}, {"a::B", "y"}}))};
  Observations O;
  O.Cycles.push_back(makeCycle(observed({{"a::A", "x", "a::A"}, {"a::B", "y", "a::B"}}), 100, 0));
  O.Cycles.push_back(makeCycle(observed({{"a::B", "y", "a::B"}, {"a::A", "x", "a::A"}}), 50, 4096, 2, "automatic"));
  ConfirmResult R = match(Findings, O);
  ASSERT_EQ(R.Confirmed.size(), 1u);
  const ConfirmedFinding &C = R.Confirmed[0];
  EXPECT_EQ(C.Seen.Count, 2u);
  EXPECT_EQ(C.Seen.HostTotal, 150u);
  EXPECT_EQ(C.Seen.HostMax, 100u);
  EXPECT_EQ(C.Seen.DeviceTotal, 4096u);
  EXPECT_EQ(C.Seen.DeviceMax, 4096u);
  EXPECT_EQ(C.Seen.WaitedNsMax, 1000u);
  EXPECT_EQ(C.Seen.WaitedCollectionsMax, 2u);
  EXPECT_EQ(C.Seen.Largest, 1u);  // the one that held device memory
  EXPECT_EQ(C.Seen.Reasons, (std::map<std::string, uint64_t>{{"automatic", 1}, {"explicit", 1}}));
  // The largest occurrence walked B.y first; drawn, the finding's last step (B.y) closes it.
  ASSERT_EQ(C.Drawn.size(), 2u);
  EXPECT_EQ(C.Drawn[0].Type, "a::A");
  EXPECT_EQ(C.Drawn[1].Type, "a::B");
  EXPECT_EQ(R.Processes, 2u);
  EXPECT_TRUE(R.NotExercised.empty());
  EXPECT_TRUE(R.Missed.empty());
}

TEST(ConfirmMatch, SortsFindingsIntoConfirmedNotExercisedAndMissed) {
  std::vector<StaticFinding> Findings{
      makeFinding("self1", "cycle-instance", finding({{"std::vector<cyc::Handle<void>>", ""}})),
      makeFinding("self2", "cycle-instance", finding({{"std::vector<cyc::Handle<void>>", ""}})),
      makeFinding("never", "cycle-type", finding({{"a::Req", "resp"}, {"a::Resp", "req"}})),
      makeFinding("field", "untraced-field", finding({{"a::Session", "peer"}})),
      makeFinding("job", "capture-cycle", finding({{"a::Job", "on_done"}, {"cyc::closure", "job"}})),
  };
  Observations O;
  O.Cycles.push_back(makeCycle(observed({{"std::vector<cyc::Handle<>>", "", ""}}), 96, 4 << 20));
  O.Cycles.push_back(
      makeCycle(observed({{"a::Cache", "entries", "a::Cache"}, {"a::Entry", "cache", "a::Entry"}}), 10, 0));
  O.Cycles.push_back(
      makeCycle(observed({{"a::Entry", "cache", "a::Entry"}, {"a::Cache", "entries", "a::Cache"}}), 20, 0));
  O.Cycles.push_back(makeCycle(observed({{"a::Big", "self", "a::Big"}}), 5, 1 << 20));
  O.Cycles.push_back(makeCycle(observed({{"a::Session", "peer", "a::Session"}}), 7, 0));
  O.Cycles.push_back(makeCycle(observed({{"a::Job", "on_done", "a::Job"}}), 64, 0));
  O.Alive.push_back(AliveRecord{1, "a::Session", 2, 128, 0});
  O.Alive.push_back(AliveRecord{2, "a::Session", 1, 64, 0});
  O.Alive.push_back(AliveRecord{1, "cyc::device::Buffer", 1, 48, 1 << 20});
  ConfirmResult R = match(Findings, O);

  ASSERT_EQ(R.Confirmed.size(), 3u);
  EXPECT_EQ(Findings[R.Confirmed[0].Finding].Id, "self1");
  EXPECT_EQ(R.Confirmed[0].AlsoMatches, (std::vector<size_t>{1}));
  EXPECT_EQ(Findings[R.Confirmed[1].Finding].Id, "self2");
  EXPECT_EQ(R.Confirmed[1].AlsoMatches, (std::vector<size_t>{0}));
  EXPECT_EQ(Findings[R.Confirmed[2].Finding].Id, "job");  // the closure step is not an object
  EXPECT_EQ(R.NotExercised, (std::vector<size_t>{2}));    // not "field": untraced-field is no cycle
  EXPECT_EQ(R.CycleFindings, 4u);

  // Two rotations of one cycle are one missed cycle; most device bytes first.
  ASSERT_EQ(R.Missed.size(), 3u);
  EXPECT_EQ(R.Missed[0].Path[0].Type, "a::Big");
  EXPECT_EQ(R.Missed[1].Seen.Count, 2u);
  EXPECT_EQ(R.Missed[1].Seen.HostTotal, 30u);
  EXPECT_EQ(R.Missed[1].Path[0].Type, "a::Entry");  // as its largest occurrence walked it
  EXPECT_EQ(R.Missed[2].Path[0].Type, "a::Session");

  ASSERT_EQ(R.Alive.size(), 2u);
  EXPECT_EQ(R.Alive[0].Type, "cyc::device::Buffer");
  EXPECT_EQ(R.Alive[1].Type, "a::Session");
  EXPECT_EQ(R.Alive[1].Objects, 3u);
  EXPECT_EQ(R.Alive[1].HostBytes, 192u);
  EXPECT_EQ(R.Alive[1].Processes, 2u);
  EXPECT_EQ(R.Alive[1].RelatedFindings, (std::vector<size_t>{3}));
}

TEST(ConfirmMatch, NothingObservedLeavesEveryCycleFindingNotExercised) {
  std::vector<StaticFinding> Findings{makeFinding("a", "cycle-type", finding({{"a::A", "x"}, {"a::B", "y"}})),
                                      makeFinding("b", "missing-trace", finding({{"a::A", "x"}}))};
  ConfirmResult R = match(Findings, Observations{});
  EXPECT_TRUE(R.Confirmed.empty());
  EXPECT_EQ(R.NotExercised, (std::vector<size_t>{0}));
  EXPECT_EQ(R.Processes, 0u);
}

// Steps named by letters: "aab" is a.f -> a.f -> b.f.
std::vector<ObservedStep> lettered(llvm::StringRef Letters) {
  std::vector<ObservedStep> Path;
  for (char C : Letters) Path.push_back(ObservedStep{std::string(1, C), "f", std::string(1, C)});
  return Path;
}

// Every rotation of a cycle is one shape, however its steps repeat; other cycles are not.
TEST(ConfirmMatch, EveryRotationOfACycleIsOneShape) {
  for (llvm::StringRef Cycle : {"a", "ab", "aab", "abab", "aabaab", "abaabaab", "babbab", "aaaaaab", "abcabd"}) {
    Observations O;
    for (size_t R = 0; R < Cycle.size(); ++R)
      O.Cycles.push_back(makeCycle(lettered((Cycle.substr(R) + Cycle.take_front(R)).str()), 1, 0));
    O.Cycles.push_back(makeCycle(lettered((Cycle + "c").str()), 1, 0));
    ConfirmResult R = match({}, O);
    ASSERT_EQ(R.Missed.size(), 2u) << Cycle.str();
    EXPECT_EQ(R.Missed[0].Seen.Count + R.Missed[1].Seen.Count, Cycle.size() + 1) << Cycle.str();
    EXPECT_TRUE(R.Missed[0].Seen.Count == Cycle.size() || R.Missed[1].Seen.Count == Cycle.size()) << Cycle.str();
  }
}

TEST(ConfirmRender, PathsSizesAndTimes) {
  EXPECT_EQ(renderPath(observed({{"A", "f", ""}, {"B", "g", ""}})), "A.f -> B.g -> (A)");
  EXPECT_EQ(renderPath(observed({{"std::vector<cyc::Handle<>>", "", ""}})),
            "std::vector<cyc::Handle<>>[] -> (std::vector<cyc::Handle<>>)");
  std::vector<ObservedStep> Ring(8, ObservedStep{"N", "next", "N"});
  EXPECT_EQ(renderPath(Ring), "N.next -> (N) (8 rounds)");
  std::vector<ObservedStep> Long;
  for (int I = 0; I < 9; ++I) Long.push_back(ObservedStep{"T" + std::to_string(I), "f", ""});
  EXPECT_EQ(renderPath(Long), "T0.f -> T1.f -> T2.f -> T3.f -> T4.f -> ... 4 more steps -> (T0)");
  EXPECT_EQ(formatBytes(96), "96 B");
  EXPECT_EQ(formatBytes(1536), "1.5 KiB");
  EXPECT_EQ(formatBytes(4 << 20), "4.0 MiB");
  EXPECT_EQ(formatDuration(850), "850 ns");
  EXPECT_EQ(formatDuration(1500000), "1.50 ms");
  EXPECT_EQ(commandLine({"sh", "-c", "echo 'hi'"}), "sh -c 'echo '\\''hi'\\'''");
}

// --- readers -----------------------------------------------------------------------------

std::string error(llvm::Error E) { return llvm::toString(std::move(E)); }

TEST(ConfirmFindingsReader, ReadsWhatCheckWrites) {
  auto F = parseFindings(R"({"findings":[{"rule":"cycle-type","severity":"warning","message":"m","file":"a.h",
      "line":3,"column":5,"id":"abc","path":[{"type":"A","field":"x","file":"a.h","line":2}],"new":true}]})",
                         "f.json");
  ASSERT_TRUE(bool(F)) << error(F.takeError());
  ASSERT_EQ(F->size(), 1u);
  EXPECT_EQ((*F)[0].Id, "abc");
  EXPECT_EQ((*F)[0].Line, 3);
  EXPECT_EQ((*F)[0].Path[0].Field, "x");
  EXPECT_EQ((*F)[0].Path[0].Line, 2);
}

TEST(ConfirmFindingsReader, ErrorsNameTheFileAndWhere) {
  auto Syntax = parseFindings("{\n  \"findings\": [\n    {,\n", "f.json");
  ASSERT_FALSE(bool(Syntax));
  EXPECT_EQ(error(Syntax.takeError()), "f.json:3:7: invalid JSON: Expected object key");

  auto NotFindings = parseFindings("[]", "f.json");
  ASSERT_FALSE(bool(NotFindings));
  EXPECT_EQ(error(NotFindings.takeError()),
            "f.json: not a findings file: expected {\"findings\": [...]} as written by cyclops check --format=json");

  auto NoId = parseFindings(R"({"findings":[{"rule":"cycle-type","id":"a","path":[{"type":"A","field":""}]},
                                            {"rule":"cycle-type","path":[]}]})",
                            "f.json");
  ASSERT_FALSE(bool(NoId));
  EXPECT_EQ(error(NoId.takeError()), "f.json: finding 2: no \"id\"");

  auto BadStep = parseFindings(R"({"findings":[{"rule":"cycle-type","id":"a","path":[{"type":"A"}]}]})", "f.json");
  ASSERT_FALSE(bool(BadStep));
  EXPECT_EQ(error(BadStep.takeError()), "f.json: finding 1: path step 1: needs \"type\" and \"field\" strings");

  auto Empty = parseFindings(R"({"findings":[{"rule":"cycle-instance","id":"a","path":[]}]})", "f.json");
  ASSERT_FALSE(bool(Empty));
  EXPECT_EQ(error(Empty.takeError()), "f.json: finding 1: a cycle-instance finding with an empty path");

  auto Missing = readFindings("no/such/findings.json");
  ASSERT_FALSE(bool(Missing));
  EXPECT_EQ(error(Missing.takeError()), "cannot read findings file 'no/such/findings.json': " +
                                            std::make_error_code(std::errc::no_such_file_or_directory).message());
}

// Whole numbers written as doubles read as integers, up to but not including 2^63, which no
// int64_t holds (9223372036854775807.0 is the same double as 2^63).
TEST(ConfirmFindingsReader, WholeDoublesBelowTwoToTheSixtyThreeAreIntegers) {
  auto Read = [](const std::string &Line) {
    return parseFindings(R"({"findings":[{"rule":"cycle-type","id":"a","path":[{"type":"A","field":"x"}],"line":)" +
                             Line + "}]}",
                         "f.json");
  };
  auto Whole = Read("12.0");
  ASSERT_TRUE(bool(Whole)) << error(Whole.takeError());
  EXPECT_EQ((*Whole)[0].Line, 12);
  auto Lowest = Read("-9223372036854775808.0");
  ASSERT_TRUE(bool(Lowest)) << error(Lowest.takeError());
  EXPECT_EQ((*Lowest)[0].Line, INT64_MIN);
  for (const char *TooBig : {"9223372036854775808.0", "9223372036854775807.0", "1e300"}) {
    auto F = Read(TooBig);
    ASSERT_FALSE(bool(F)) << TooBig;
    EXPECT_EQ(error(F.takeError()), "f.json: finding 1: \"line\" is not an integer");
  }
}

TEST(ConfirmReportReader, ReadsCyclesAndAliveRecordsAndIgnoresTheRest) {
  auto R = parseReport(
      "{\"record\":\"cycle\",\"pid\":9,\"collection\":3,\"reason\":\"exit\",\"generation\":2,\"path\":[{\"type\":\"A\","
      "\"field\":\"x\",\"owner\":\"Base\"}],\"objects\":2,\"host_bytes\":96,\"device_bytes\":4194304,\"waited_ns\":"
      "1234567,\"waited_collections\":1,\"future\":[1,2]}\n"
      "\n"
      "{\"record\":\"histogram\",\"buckets\":[]}\n"
      "{\"record\":\"alive\",\"pid\":9,\"type\":\"app::Session\",\"objects\":2,\"host_bytes\":128,\"device_bytes\":0}"
      "\r\n",
      "r.jsonl");
  ASSERT_TRUE(bool(R)) << error(R.takeError());
  ASSERT_EQ(R->Cycles.size(), 1u);
  const ObservedCycle &C = R->Cycles[0];
  EXPECT_EQ(C.Pid, 9);
  EXPECT_EQ(C.Collection, 3);
  EXPECT_EQ(C.Reason, "exit");
  EXPECT_EQ(C.Generation, 2);
  EXPECT_EQ(C.Path[0].Owner, "Base");
  EXPECT_EQ(C.DeviceBytes, 4194304u);
  EXPECT_EQ(C.WaitedNs, 1234567u);
  EXPECT_EQ(C.WaitedCollections, 1u);
  EXPECT_EQ(C.Line, 1u);
  ASSERT_EQ(R->Alive.size(), 1u);
  EXPECT_EQ(R->Alive[0].Type, "app::Session");
  EXPECT_EQ(R->Alive[0].HostBytes, 128u);
}

TEST(ConfirmReportReader, ErrorsNameFileAndLine) {
  const std::string Good = "{\"record\":\"alive\",\"type\":\"A\",\"objects\":1}\n";
  auto Expect = [&](const std::string &Text, const std::string &Message) {
    auto R = parseReport(Text, "r.jsonl");
    ASSERT_FALSE(bool(R)) << Text;
    EXPECT_EQ(error(R.takeError()), Message);
  };
  Expect(Good + "\n" + Good + "{\"record\":\"cycle\",\n", "r.jsonl:4:19: invalid JSON: Expected object key");
  Expect(Good + "[1,2]\n", "r.jsonl:2: a report line must be a JSON object");
  Expect("{\"pid\":1}\n", "r.jsonl:1: no \"record\" string");
  Expect(Good + "{\"record\":\"cycle\",\"objects\":1}\n",
         "r.jsonl:2: cycle record: a cycle record needs a non-empty \"path\" array");
  Expect("{\"record\":\"cycle\",\"path\":[{\"type\":\"A\",\"field\":\"x\"}],\"host_bytes\":-5}\n",
         "r.jsonl:1: cycle record: \"host_bytes\" is not a non-negative integer");
  Expect("{\"record\":\"cycle\",\"path\":[{\"type\":\"A\",\"field\":\"x\",\"owner\":3}]}\n",
         "r.jsonl:1: cycle record: path step 1: \"owner\" is not a string");
  Expect("{\"record\":\"alive\",\"objects\":1}\n", "r.jsonl:1: alive record: no \"type\"");
  Expect("{\"record\":\"alive\",\"type\":\"A\",\"pid\":9223372036854775808.0}\n",
         "r.jsonl:1: alive record: \"pid\" is not an integer");
}

// LLVM's JSON parser recurses once per level: deeper input is a syntax error like any other.
TEST(ConfirmReaders, NestingTooDeepIsAnErrorWithFileLineAndColumn) {
  auto Findings = parseFindings("{\"findings\": " + std::string(1000000, '['), "f.json");
  ASSERT_FALSE(bool(Findings));
  EXPECT_EQ(error(Findings.takeError()), "f.json:1:113: invalid JSON: nested deeper than 100 levels");
  auto Report = parseReport("{\"record\":\"alive\",\"type\":\"A\"}\n{\"path\": " + std::string(1000000, '[') + "\n",
                            "r.jsonl");
  ASSERT_FALSE(bool(Report));
  EXPECT_EQ(error(Report.takeError()), "r.jsonl:2:109: invalid JSON: nested deeper than 100 levels");
}

TEST(ConfirmReportReader, AMissingReportIsNoObservations) {
  auto R = readReport("no/such/report.jsonl");
  ASSERT_TRUE(bool(R)) << error(R.takeError());
  EXPECT_FALSE(R->has_value());
}

// --- the command line --------------------------------------------------------------------

const std::string FakeDir = CYC_CONFIRM_TESTDATA_DIR "/fake";
const std::string FakeProgram = FakeDir + "/fake_program.sh";

std::string slurp(llvm::StringRef Path) {
  auto B = llvm::MemoryBuffer::getFile(Path, /*IsText=*/true);
  return B ? (*B)->getBuffer().str() : std::string();
}

// A golden file with this checkout's fixture directory put in for @FAKE_DIR@.
std::string golden(llvm::StringRef Name) {
  std::string Text = slurp(FakeDir + "/" + Name.str());
  EXPECT_FALSE(Text.empty()) << Name.str();
  for (size_t At = Text.find("@FAKE_DIR@"); At != std::string::npos; At = Text.find("@FAKE_DIR@", At))
    Text.replace(At, 10, FakeDir);
  return Text;
}

struct Outcome {
  int Exit = -1;
  std::string Out, Err;
};

class ConfirmCli : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("cyclops-confirm-test", Dir)); }
  void TearDown() override { llvm::sys::fs::remove_directories(Dir); }

  std::string path(llvm::StringRef Name) const {
    llvm::SmallString<256> P(Dir);
    llvm::sys::path::append(P, Name);
    return std::string(P);
  }

  // Runs cyclops with `Args`; `Env` entries (NAME=VALUE) are added to the environment.
  Outcome cyclops(const std::vector<std::string> &Args, const std::vector<std::string> &Env = {}) {
    std::string OutFile = path("stdout.txt"), ErrFile = path("stderr.txt");
    std::vector<llvm::StringRef> Argv{CYCLOPS_BINARY};
    for (const std::string &A : Args) Argv.push_back(A);
    std::vector<std::string> EnvStrings;
    for (char **E = environ; *E; ++E) EnvStrings.push_back(*E);
    EnvStrings.insert(EnvStrings.end(), Env.begin(), Env.end());
    std::vector<llvm::StringRef> EnvRefs(EnvStrings.begin(), EnvStrings.end());
    std::optional<llvm::StringRef> Redirects[] = {llvm::StringRef(""), llvm::StringRef(OutFile),
                                                  llvm::StringRef(ErrFile)};
    std::string Error;
    Outcome R;
    R.Exit = llvm::sys::ExecuteAndWait(CYCLOPS_BINARY, Argv, llvm::ArrayRef<llvm::StringRef>(EnvRefs), Redirects,
                                       /*SecondsToWait=*/120, 0, &Error);
    EXPECT_TRUE(Error.empty()) << Error;
    R.Out = slurp(OutFile);
    R.Err = slurp(ErrFile);
    return R;
  }

  // `cyclops confirm --findings=FINDINGS EXTRA... -- sh fake_program.sh REPORT STATUS`.
  Outcome confirm(const std::string &Report, const std::string &Status = "0", std::vector<std::string> Extra = {},
                  const std::string &Findings = FakeDir + "/findings.json", const std::vector<std::string> &Env = {}) {
    std::vector<std::string> Args{"confirm", "--findings=" + Findings};
    Args.insert(Args.end(), Extra.begin(), Extra.end());
    for (const std::string &A : {std::string("--"), std::string("sh"), FakeProgram, Report, Status}) Args.push_back(A);
    return cyclops(Args, Env);
  }

  llvm::SmallString<128> Dir;
};

std::vector<std::string> errorLines(const Outcome &R) {
  std::vector<std::string> E;
  llvm::SmallVector<llvm::StringRef> Lines;
  llvm::StringRef(R.Err).split(Lines, '\n', -1, false);
  for (llvm::StringRef L : Lines)
    if (L.starts_with("cyclops: error: ")) E.push_back(L.str());
  return E;
}

size_t count(llvm::StringRef Text, llvm::StringRef What) { return Text.count(What); }

TEST_F(ConfirmCli, TableJsonReportAndExitStatusForAKnownRun) {
  Outcome R = confirm(FakeDir + "/observed.jsonl", "0", {"--report=" + path("out.json"), "--html=" + path("out.html")});
  // MISSED cycles exist: a gap in the analyzer is what makes confirm fail.
  EXPECT_EQ(R.Exit, 1) << R.Err;
  EXPECT_TRUE(errorLines(R).empty()) << R.Err;
  EXPECT_EQ(R.Out, golden("expected_table.txt"));
  EXPECT_EQ(slurp(path("out.json")), golden("expected_report.json"));
  EXPECT_NE(R.Err.find("cyclops: 6 confirmed, 1 not exercised, 2 missed; 2 types alive at exit"), std::string::npos)
      << R.Err;
}

// The page: one <svg> per confirmed or missed cycle, every name escaped, nothing fetched,
// and tags that nest.
TEST_F(ConfirmCli, HtmlIsSelfContainedAndWellFormed) {
  Outcome R = confirm(FakeDir + "/observed.jsonl", "0", {"--html=" + path("out.html")});
  ASSERT_EQ(R.Exit, 1) << R.Err;
  std::string Html = slurp(path("out.html"));
  EXPECT_TRUE(llvm::StringRef(Html).starts_with("<!DOCTYPE html>\n")) << Html.substr(0, 100);
  EXPECT_TRUE(llvm::StringRef(Html).ends_with("</html>\n"));
  EXPECT_EQ(count(Html, "<svg "), 8u);  // 6 confirmed + 2 missed
  EXPECT_EQ(count(Html, "</svg>"), 8u);
  EXPECT_EQ(count(Html, "<g class=\"edge back\">"), 8u);  // one closing edge in each
  for (const char *Fetch : {"<script", "http:", "https:", "src=", "href=", "@import", "url(http"})
    EXPECT_EQ(count(Html, Fetch), 0u) << Fetch;
  // Names with angle brackets come out escaped, never raw.
  EXPECT_NE(Html.find("std::map&lt;std::string, cyc::Handle&lt;&gt;&gt;"), std::string::npos);
  EXPECT_NE(Html.find("std::vector&lt;cyc::Handle&lt;&gt;&gt;"), std::string::npos);
  EXPECT_EQ(Html.find("std::map<"), std::string::npos);
  EXPECT_EQ(Html.find("std::vector<"), std::string::npos);
  EXPECT_NE(Html.find("li-&gt;push_back(li)"), std::string::npos);

  // Tags nest, and text between tags has no stray '<', '>' or unescaped '&'.
  std::regex Tag(R"(<(/?)([a-zA-Z][a-zA-Z0-9]*)([^<>]*)>)");
  std::vector<std::string> Open;
  std::string Text;
  const size_t Start = Html.find('\n') + 1;  // past <!DOCTYPE html>
  size_t Last = Start;
  for (auto It = std::sregex_iterator(Html.begin() + static_cast<long>(Start), Html.end(), Tag);
       It != std::sregex_iterator(); ++It) {
    const std::smatch &M = *It;
    size_t At = Start + static_cast<size_t>(M.position(0));
    Text += Html.substr(Last, At - Last);
    Last = At + static_cast<size_t>(M.length(0));
    std::string Name = M[2];
    if (M[1] == "/") {
      ASSERT_FALSE(Open.empty()) << "</" << Name << "> closes nothing";
      ASSERT_EQ(Open.back(), Name) << "</" << Name << "> closes <" << Open.back() << ">";
      Open.pop_back();
    } else if (Name != "meta" && !llvm::StringRef(M[3].str()).ends_with("/")) {
      Open.push_back(Name);
    }
  }
  Text += Html.substr(Last);
  EXPECT_EQ(Text.find_first_of("<>"), std::string::npos) << Text;
  EXPECT_FALSE(std::regex_search(Text, std::regex("&(?!amp;|lt;|gt;|quot;|#39;)"))) << Text;
  EXPECT_TRUE(Open.empty()) << Open.size() << " tags left open, the last <" << (Open.empty() ? "" : Open.back()) << ">";
}

TEST_F(ConfirmCli, TheCommandsFailureIsConfirmsExitStatus) {
  Outcome R = confirm(FakeDir + "/observed.jsonl", "3", {"--report=" + path("out.json")});
  EXPECT_EQ(R.Exit, 3) << R.Err;
  EXPECT_NE(R.Err.find("exited with status 3; confirm exits with it"), std::string::npos) << R.Err;
  // What was observed is still reported.
  EXPECT_NE(R.Out.find("CONFIRMED (6)"), std::string::npos) << R.Out;
  EXPECT_NE(slurp(path("out.json")).find("\"exit_status\": 3,"), std::string::npos);

  Outcome Killed = confirm("none", "term");
  EXPECT_EQ(Killed.Exit, 128 + 15) << Killed.Err;
  EXPECT_NE(Killed.Err.find("was killed by a signal"), std::string::npos) << Killed.Err;
}

TEST_F(ConfirmCli, NoReportMeansNothingObserved) {
  Outcome R = confirm("none", "0", {"--report=" + path("out.json")});
  EXPECT_EQ(R.Exit, 0) << R.Err;  // nothing missed
  EXPECT_NE(R.Err.find("wrote no collector report (CYC_REPORT): it never loaded libcyc or never ran a collection"),
            std::string::npos)
      << R.Err;
  EXPECT_NE(R.Out.find("no collector report"), std::string::npos) << R.Out;
  EXPECT_NE(R.Out.find("CONFIRMED (0)"), std::string::npos) << R.Out;
  EXPECT_NE(R.Out.find("NOT EXERCISED (7)"), std::string::npos) << R.Out;
  EXPECT_NE(slurp(path("out.json")).find("\"report_written\": false"), std::string::npos);
}

TEST_F(ConfirmCli, ReplacesAnInheritedCycReport) {
  // fake_program.sh exits 98 unless CYC_REPORT names a file that does not exist yet.
  std::string Stale = path("stale.jsonl");
  {
    std::error_code EC;
    llvm::raw_fd_ostream(Stale, EC) << "old\n";
  }
  Outcome R = confirm(FakeDir + "/observed.jsonl", "0", {}, FakeDir + "/findings.json", {"CYC_REPORT=" + Stale});
  EXPECT_EQ(R.Exit, 1) << R.Err;
  EXPECT_EQ(slurp(Stale), "old\n");
}

TEST_F(ConfirmCli, InputErrorsExitTwoWithOneLine) {
  // A missing findings file: the command does not run.
  std::string Marker = path("ran");
  Outcome Missing = cyclops({"confirm", "--findings=" + path("none.json"), "--", "sh", "-c", "touch " + Marker});
  EXPECT_EQ(Missing.Exit, 2);
  ASSERT_EQ(errorLines(Missing).size(), 1u) << Missing.Err;
  EXPECT_NE(errorLines(Missing)[0].find("cannot read findings file '" + path("none.json") + "'"), std::string::npos);
  EXPECT_FALSE(llvm::sys::fs::exists(Marker));

  // A findings file that is not JSON: file, line and column.
  Outcome Malformed = confirm("none", "0", {}, FakeDir + "/observed.jsonl");
  EXPECT_EQ(Malformed.Exit, 2);
  ASSERT_EQ(errorLines(Malformed).size(), 1u) << Malformed.Err;
  EXPECT_EQ(errorLines(Malformed)[0],
            "cyclops: error: " + FakeDir + "/observed.jsonl:2:1: invalid JSON: Text after end of document");

  Outcome NotFound = cyclops({"confirm", "--findings=" + FakeDir + "/findings.json", "--", "cyclops-no-such-command"});
  EXPECT_EQ(NotFound.Exit, 2);
  ASSERT_EQ(errorLines(NotFound).size(), 1u) << NotFound.Err;
  EXPECT_EQ(errorLines(NotFound)[0], "cyclops: error: cannot run 'cyclops-no-such-command': not found on PATH");

  Outcome NotExecutable =
      cyclops({"confirm", "--findings=" + FakeDir + "/findings.json", "--", FakeDir + "/findings.json"});
  EXPECT_EQ(NotExecutable.Exit, 2);
  ASSERT_EQ(errorLines(NotExecutable).size(), 1u) << NotExecutable.Err;
  EXPECT_NE(errorLines(NotExecutable)[0].find("not executable"), std::string::npos);

  Outcome NoCommand = cyclops({"confirm", "--findings=" + FakeDir + "/findings.json"});
  EXPECT_EQ(NoCommand.Exit, 2);
  ASSERT_EQ(errorLines(NoCommand).size(), 1u) << NoCommand.Err;
  EXPECT_NE(errorLines(NoCommand)[0].find("no command to run"), std::string::npos);

  Outcome NoFindings = cyclops({"confirm", "--", "true"});
  EXPECT_EQ(NoFindings.Exit, 2);
  ASSERT_EQ(errorLines(NoFindings).size(), 1u) << NoFindings.Err;
  EXPECT_NE(errorLines(NoFindings)[0].find("no findings file"), std::string::npos);

  Outcome BadOutput = confirm("none", "0", {"--report=" + path("no/such/dir/out.json")});
  EXPECT_EQ(BadOutput.Exit, 2);
  ASSERT_EQ(errorLines(BadOutput).size(), 1u) << BadOutput.Err;
  EXPECT_NE(errorLines(BadOutput)[0].find("cannot write '" + path("no/such/dir/out.json") + "'"), std::string::npos);
}

TEST_F(ConfirmCli, AMalformedReportLineIsNamedAndKept) {
  Outcome R = confirm(FakeDir + "/malformed.jsonl", "0", {"--report=" + path("out.json")});
  EXPECT_EQ(R.Exit, 2);
  ASSERT_EQ(errorLines(R).size(), 1u) << R.Err;
  std::smatch M;
  std::string Line = errorLines(R)[0];
  ASSERT_TRUE(std::regex_match(
      Line, M,
      std::regex(
          R"(cyclops: error: (.*\.jsonl):3:99: invalid JSON: Expected object key \(the report is kept for inspection\))")))
      << Line;
  std::string Kept = M[1];
  EXPECT_EQ(slurp(Kept), slurp(FakeDir + "/malformed.jsonl"));
  llvm::sys::fs::remove(Kept);
  EXPECT_FALSE(llvm::sys::fs::exists(path("out.json")));  // nothing half-written
}

// --report and --html are reports: a device or FIFO is written straight into, and a write
// that fails is exit 2 with one line naming the file, whatever else the run found.
TEST_F(ConfirmCli, AFailedWriteOfAReportIsExitTwoWithOneLine) {
  Outcome R = confirm(FakeDir + "/observed.jsonl", "0", {"--report=/dev/full", "--html=" + path("out.html")});
  EXPECT_EQ(R.Exit, 2) << R.Err;
  EXPECT_EQ(errorLines(R), std::vector<std::string>{"cyclops: error: cannot write '/dev/full': No space left on device"});
  EXPECT_NE(R.Err.find("cyclops: 6 confirmed"), std::string::npos) << R.Err;
  EXPECT_TRUE(llvm::StringRef(slurp(path("out.html"))).ends_with("</html>\n"));

  R = confirm(FakeDir + "/observed.jsonl", "0", {"--report=/dev/null"});
  EXPECT_EQ(R.Exit, 1) << R.Err;
  EXPECT_TRUE(errorLines(R).empty()) << R.Err;
  llvm::sys::fs::file_status Null;
  EXPECT_FALSE(llvm::sys::fs::status("/dev/null", Null));
  EXPECT_EQ(Null.type(), llvm::sys::fs::file_type::character_file);
}

// The collector's writer cuts paths at 1024 steps, but confirm reads any report: a ring of
// 200,000 objects (and a cycle of 20,000 distinct types) is read, grouped, matched, drawn and
// written in time linear in its length (ctest gives this test a deadline).
TEST_F(ConfirmCli, APathOfTwoHundredThousandStepsIsMatched) {
  constexpr size_t Steps = 200000, DistinctSteps = 20000;
  std::string Ring, Distinct;
  for (size_t I = 0; I < Steps; ++I)
    Ring += std::string(I ? "," : "") + R"({"type":"app::Node","field":"next","owner":"app::Node"})";
  for (size_t I = 0; I < DistinctSteps; ++I) {
    std::string T = "app::T" + std::to_string(I);
    Distinct += std::string(I ? "," : "") + R"({"type":")" + T + R"(","field":"next","owner":")" + T + "\"}";
  }
  auto Record = [](const std::string &Path) {
    return R"({"record":"cycle","pid":7,"collection":1,"reason":"explicit","path":[)" + Path +
           R"(],"objects":1,"host_bytes":64,"device_bytes":0,"waited_ns":5,"waited_collections":0})" "\n";
  };
  std::string Report = path("long.jsonl"), Findings = path("findings.json");
  {
    std::error_code EC;
    llvm::raw_fd_ostream(Report, EC) << Record(Ring) << Record(Distinct);
    llvm::raw_fd_ostream(Findings, EC)
        << R"({"findings":[{"id":"ring","rule":"cycle-type","file":"node.h","line":3,"column":1,"message":"m",)"
        << R"("path":[{"type":"app::Node","field":"next"}]}]})";
  }
  Outcome R = confirm(Report, "0", {"--report=" + path("out.json"), "--html=" + path("out.html")}, Findings);
  EXPECT_EQ(R.Exit, 1) << R.Err;  // the distinct cycle is MISSED
  EXPECT_TRUE(errorLines(R).empty()) << R.Err;
  EXPECT_NE(R.Err.find("cyclops: 1 confirmed, 0 not exercised, 1 missed;"), std::string::npos) << R.Err;
  EXPECT_NE(R.Out.find("app::T0.next -> app::T1.next -> app::T2.next -> app::T3.next -> app::T4.next -> ... "
                       "19995 more steps -> (app::T0)"),
            std::string::npos)
      << R.Out.substr(0, 2000);

  auto Json = llvm::json::parse(slurp(path("out.json")));
  ASSERT_TRUE(bool(Json)) << error(Json.takeError());
  const llvm::json::Array *Confirmed = Json->getAsObject()->getArray("confirmed");
  ASSERT_TRUE(Confirmed && Confirmed->size() == 1);
  const llvm::json::Object &Ring0 = *(*Confirmed)[0].getAsObject();
  EXPECT_EQ(Ring0.getString("id"), "ring");
  EXPECT_EQ(Ring0.getArray("observed_path")->size(), Steps);
  const llvm::json::Array *Missed = Json->getAsObject()->getArray("missed");
  ASSERT_TRUE(Missed && Missed->size() == 1);
  EXPECT_EQ((*Missed)[0].getAsObject()->getArray("path")->size(), DistinctSteps);

  std::string Html = slurp(path("out.html"));
  EXPECT_NE(Html.find("200000 objects in the cycle: it goes round the 1 step drawn 200000 times"), std::string::npos);
  EXPECT_NE(Html.find("19989 objects of the cycle not drawn"), std::string::npos);
}

}  // namespace
}  // namespace cyclops::confirm::test
