// The whole-program graph and the graph rules on facts written by hand: merging across
// translation units, inheritance, what is and is not a cycle, stable ids, cut-offs.
#include <gtest/gtest.h>

#include "config/Rules.h"
#include "program/TypeGraph.h"
#include "rules/cycle-type/CycleTypeCheck.h"
#include "rules/missing-trace/MissingTraceCheck.h"
#include "rules/untraced-field/UntracedFieldCheck.h"

namespace cyclops {
namespace {

RuleSet defaults() {
  auto R = defaultRules();
  return R ? *R : RuleSet{};
}

FieldFact field(std::string Name, std::string Target, unsigned Line, EdgeKind Kind = EdgeKind::Strong,
                std::string Family = "std") {
  FieldFact F;
  F.Name = std::move(Name);
  F.Pos = {"/src/model.h", Line, 3};
  F.TypeSpelling = "std::shared_ptr<" + Target + ">";
  F.Edges.push_back(FieldEdge{std::move(Target), Kind, Kind == EdgeKind::Strong ? std::move(Family) : "",
                              Kind != EdgeKind::Strong});
  return F;
}

RecordFact record(std::string Name, std::vector<FieldFact> Fields, std::vector<std::string> Bases = {}) {
  RecordFact R;
  R.Name = std::move(Name);
  R.Pos = {"/src/model.h", 1, 8};
  R.Fields = std::move(Fields);
  R.Bases = std::move(Bases);
  return R;
}

TUFacts tu(std::vector<RecordFact> Records) {
  TUFacts T;
  T.Records = std::move(Records);
  return T;
}

CheckOutput runCycles(std::vector<TUFacts> Facts, const RuleSet &Rules = defaults()) {
  TypeGraph G(std::move(Facts), Rules);
  CheckOutput Out;
  CycleTypeCheck().check(G, Rules, Out);
  return Out;
}

TEST(TypeGraph, MergesRecordsByNameAcrossTranslationUnits) {
  // The same header seen by two TUs, plus a TU of its own: one node per name.
  RecordFact A = record("A", {field("b", "B", 2)});
  TypeGraph G({tu({A, record("B", {})}), tu({A}), tu({record("C", {field("a", "A", 9)})})}, defaults());
  EXPECT_EQ(G.size(), 3u);
  ASSERT_TRUE(G.find("A").has_value());
  EXPECT_EQ(G.out(*G.find("A")).size(), 1u);
  EXPECT_FALSE(G.find("D").has_value());
}

TEST(TypeGraph, EdgesReachDerivedClassesAndDerivedClassesInheritFields) {
  TypeGraph G({tu({record("Base", {field("peer", "Base", 2)}), record("Derived", {}, {"Base"}),
                   record("Holder", {field("part", "Base", 5, EdgeKind::Owns)})})},
              defaults());
  unsigned Base = *G.find("Base"), Derived = *G.find("Derived"), Holder = *G.find("Holder");
  // Base.peer may refer to a Base or a Derived; Derived has Base's field.
  ASSERT_EQ(G.out(Base).size(), 2u);
  EXPECT_EQ(G.out(Derived).size(), 2u);
  EXPECT_EQ(G.out(Derived)[0].Holder, Base);
  // A member held by value is exactly its type.
  ASSERT_EQ(G.out(Holder).size(), 1u);
  EXPECT_EQ(G.out(Holder)[0].To, Base);
}

TEST(CycleType, ListsTreesAndBinaryTreesAreNotCycles) {
  auto Out = runCycles({tu({record("List", {field("next", "List", 2)}),
                            record("Tree", {field("kids", "Tree", 3), field("up", "Tree", 4, EdgeKind::Strong)}),
                            record("Bin", {field("left", "Bin", 5), field("right", "Bin", 6)})})});
  // Tree.up is a back-pointer: Tree alone is reported.
  ASSERT_EQ(Out.Findings.size(), 1u);
  EXPECT_NE(Out.Findings[0].Message.find("Tree.kids -> Tree.up -> (Tree)"), std::string::npos);
  EXPECT_EQ(Out.Findings[0].Pos.Line, 4u);
}

TEST(CycleType, ACycleSplitAcrossThreeTranslationUnitsIsFoundOnce) {
  auto Out = runCycles({tu({record("A", {field("b", "B", 2)})}), tu({record("B", {field("c", "C", 3)})}),
                        tu({record("C", {field("a", "A", 4)})})});
  ASSERT_EQ(Out.Findings.size(), 1u);
  const Finding &F = Out.Findings[0];
  EXPECT_EQ(F.Rule, "cycle-type");
  ASSERT_EQ(F.Path.size(), 3u);
  EXPECT_EQ(F.Path[0].Type, "A");
  EXPECT_EQ(F.Path[2].Field, "a");
  EXPECT_EQ(F.Pos.Line, 4u) << "reported at the field declared last";
}

TEST(CycleType, IdsDependOnTypesAndFieldsNotOnLinesOrOrder) {
  auto One = runCycles({tu({record("A", {field("b", "B", 2)}), record("B", {field("a", "A", 3)})})});
  auto Moved = runCycles({tu({record("B", {field("a", "A", 30)})}), tu({record("A", {field("b", "B", 70)})})});
  ASSERT_EQ(One.Findings.size(), 1u);
  ASSERT_EQ(Moved.Findings.size(), 1u);
  EXPECT_EQ(One.Findings[0].Id, Moved.Findings[0].Id);
  EXPECT_EQ(One.Findings[0].Id.size(), 16u);
  auto Renamed = runCycles({tu({record("A", {field("b2", "B", 2)}), record("B", {field("a", "A", 3)})})});
  EXPECT_NE(One.Findings[0].Id, Renamed.Findings[0].Id);
}

TEST(CycleType, OneStrongFieldThroughOwnershipNeedsABackPointerName) {
  // Car owns an Engine whose `owner` holds the Car: a cycle. A Hitch whose `towed` holds a
  // Trailer is a chain of trailers.
  auto Out = runCycles({tu({record("Car", {field("engine", "Engine", 2, EdgeKind::Owns)}),
                            record("Engine", {field("owner", "Car", 3)}),
                            record("Trailer", {field("hitch", "Hitch", 4, EdgeKind::Owns)}),
                            record("Hitch", {field("towed", "Trailer", 5)})})});
  ASSERT_EQ(Out.Findings.size(), 1u);
  EXPECT_NE(Out.Findings[0].Message.find("Car.engine -> Engine.owner -> (Car)"), std::string::npos);
}

TEST(CycleType, InheritedFieldsAndDerivedTargetsCloseCycles) {
  auto Out = runCycles({tu({record("Shape", {}), record("Circle", {field("canvas", "Canvas", 9)}, {"Shape"}),
                            record("Canvas", {field("shapes", "Shape", 3)})})});
  ASSERT_EQ(Out.Findings.size(), 1u);
  EXPECT_NE(Out.Findings[0].Message.find("Canvas.shapes -> Circle.canvas -> (Canvas)"), std::string::npos);
  EXPECT_NE(Out.Findings[0].Path[0].Note.find("(here a 'Circle')"), std::string::npos);
}

TEST(CycleType, CutOffsComeFromTheRules) {
  RuleSet Rules = defaults();
  Rules.CycleType.MaxLength = 2;
  auto Ring = [] {
    return std::vector<TUFacts>{tu({record("A", {field("b", "B", 2)}), record("B", {field("c", "C", 3)}),
                                    record("C", {field("a", "A", 4)})})};
  };
  EXPECT_TRUE(runCycles(Ring(), Rules).Findings.empty()) << "a 3-cycle is longer than max_length 2";
  Rules.CycleType.MaxLength = 8;
  Rules.CycleType.MaxCycles = 1;
  // A complete graph of 4 types has many cycles: enumeration stops and says so.
  std::vector<RecordFact> K4;
  for (std::string N : {"P", "Q", "R", "S"}) {
    std::vector<FieldFact> Fs;
    for (std::string M : {"P", "Q", "R", "S"})
      if (M != N) Fs.push_back(field("to" + M, M, 1));
    K4.push_back(record(N, Fs));
  }
  auto Out = runCycles({tu(K4)}, Rules);
  EXPECT_LE(Out.Findings.size(), 1u);
  ASSERT_EQ(Out.Truncated.size(), 1u);
  EXPECT_EQ(Out.Truncated[0].Rule, "cycle-type");
  EXPECT_EQ(Out.Truncated[0].Setting, "cycle_type.max_cycles");
  EXPECT_NE(Out.Truncated[0].Message.find("max_cycles"), std::string::npos);
}

// Limits apply per group of types that hold each other: a dense group elsewhere in the program
// (another library's types, with many cycles) never hides a finding.
TEST(CycleType, MoreCodeNeverHidesAFinding) {
  RuleSet Rules = defaults();
  Rules.CycleType.MaxCycles = 5;
  std::vector<RecordFact> Pair{record("A", {field("b", "B", 2)}), record("B", {field("a", "A", 3)})};
  auto Alone = runCycles({tu(Pair)}, Rules);
  ASSERT_EQ(Alone.Findings.size(), 1u);
  std::vector<RecordFact> Dense;
  for (std::string N : {"K1", "K2", "K3", "K4", "K5", "K6"}) {
    std::vector<FieldFact> Fs;
    for (std::string M : {"K1", "K2", "K3", "K4", "K5", "K6"})
      if (M != N) Fs.push_back(field("to" + M, M, 1));
    Dense.push_back(record(N, Fs));
  }
  // The dense group comes first in the program, and its cycles far exceed max_cycles.
  auto Both = runCycles({tu(Dense), tu(Pair)}, Rules);
  bool Kept = false;
  for (const Finding &F : Both.Findings) Kept = Kept || F.Id == Alone.Findings[0].Id;
  EXPECT_TRUE(Kept) << "the A <-> B cycle is lost among the dense group's";
  ASSERT_EQ(Both.Truncated.size(), 1u);
  EXPECT_NE(Both.Truncated[0].Message.find("1 group of types"), std::string::npos) << Both.Truncated[0].Message;
  EXPECT_NE(Both.Truncated[0].Message.find("cycle_type.max_cycles"), std::string::npos) << Both.Truncated[0].Message;
  // Shortest first: the dense group's 2-cycles are among those reported.
  unsigned Pairs = 0;
  for (const Finding &F : Both.Findings) Pairs += F.Path.size() == 2;
  EXPECT_GE(Pairs, 5u);
}

TEST(CycleType, ARingLongerThanMaxLengthIsNamedInARemark) {
  std::vector<RecordFact> Ring;
  for (int I = 0; I < 10; ++I)
    Ring.push_back(record("R" + std::to_string(I), {field("next", "R" + std::to_string((I + 1) % 10), I + 1)}));
  auto Out = runCycles({tu(Ring)});
  EXPECT_TRUE(Out.Findings.empty());
  ASSERT_EQ(Out.Truncated.size(), 1u);
  EXPECT_EQ(Out.Truncated[0].Setting, "cycle_type.max_length");
  EXPECT_NE(Out.Truncated[0].Message.find("longer than 8 fields"), std::string::npos) << Out.Truncated[0].Message;
  EXPECT_NE(Out.Truncated[0].Message.find("cycle_type.max_length"), std::string::npos) << Out.Truncated[0].Message;
  RuleSet Rules = defaults();
  Rules.CycleType.MaxLength = 10;
  auto Raised = runCycles({tu(Ring)}, Rules);
  EXPECT_EQ(Raised.Findings.size(), 1u);
  EXPECT_TRUE(Raised.Truncated.empty());
}

TEST(CycleType, WeakHandlesAreNotEdges) {
  // The extractor emits no edge for a weak field: only A.b remains.
  auto Out = runCycles({tu({record("A", {field("b", "B", 2)}), record("B", {})})});
  EXPECT_TRUE(Out.Findings.empty());
}

TEST(TraceRules, MissingAndUntracedAcrossTranslationUnits) {
  RuleSet Rules = defaults();
  RecordFact Traced = record("Traced", {field("a", "Traced", 2, EdgeKind::Strong, "cyc"),
                                        field("b", "Traced", 3, EdgeKind::Strong, "cyc")});
  TraceHookFact Hook;
  Hook.Record = "Traced";
  Hook.Kind = HookKind::Macro;
  Hook.TracedFields = {"a"};
  Hook.MacroClose = SourcePos{"/src/model.h", 4, 14};
  Traced.Hook = Hook;
  RecordFact Bare = record("Bare", {field("h", "Bare", 6, EdgeKind::Strong, "cyc")});
  RecordFact Std = record("Std", {field("s", "Std", 7)});
  RecordFact AdlOnly = record("AdlOnly", {field("x", "AdlOnly", 8, EdgeKind::Strong, "cyc")});
  TUFacts Other;  // the ADL hook lives in another translation unit
  TraceHookFact Adl;
  Adl.Record = "AdlOnly";
  Adl.Kind = HookKind::Adl;
  Adl.TracedFields = {"x"};
  Other.AdlHooks.push_back(Adl);
  TypeGraph G({tu({Traced, Bare, Std, AdlOnly}), Other}, Rules);
  CheckOutput Out;
  MissingTraceCheck().check(G, Rules, Out);
  UntracedFieldCheck().check(G, Rules, Out);
  ASSERT_EQ(Out.Findings.size(), 2u);
  EXPECT_EQ(Out.Findings[0].Rule, "missing-trace");
  EXPECT_NE(Out.Findings[0].Message.find("'Bare' holds cyc handles (h)"), std::string::npos);
  EXPECT_EQ(Out.Findings[1].Rule, "untraced-field");
  EXPECT_NE(Out.Findings[1].Message.find("'Traced::b'"), std::string::npos);
  ASSERT_EQ(Out.Findings[1].Fixes.size(), 1u);
  EXPECT_EQ(Out.Findings[1].Fixes[0].Text, ", b");
  EXPECT_EQ(Out.Findings[1].Fixes[0].Pos.Line, 4u);
}

}  // namespace
}  // namespace cyclops
