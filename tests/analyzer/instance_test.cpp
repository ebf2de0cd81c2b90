// The parts of a cycle-instance finding that the expectations in testdata/analyzer/ do not
// see: the path (one step per edge: type, field, place), the notes inside called functions,
// and ids that survive unrelated edits but not a change of the cycle.
#include <gtest/gtest.h>

#include <string>

#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "extract/CompilationDb.h"
#include "extract/ResourceDir.h"
#include "program/Analyzer.h"

namespace cyclops::test {
namespace {

// Analyzes one source text as its own translation unit; the cycle-instance findings.
std::vector<Finding> instanceFindings(const std::string &Source) {
  static int Anchor;
  auto Resource = findResourceDir("", "cyclops_testdata_test", &Anchor);
  if (!Resource) {
    ADD_FAILURE() << llvm::toString(Resource.takeError());
    return {};
  }
  auto Rules = defaultRules();
  if (!Rules) {
    ADD_FAILURE() << llvm::toString(Rules.takeError());
    return {};
  }
  llvm::SmallString<128> Path;
  if (llvm::sys::fs::createTemporaryFile("cyclops-instance", "cpp", Path)) {
    ADD_FAILURE() << "cannot create a temporary file";
    return {};
  }
  {
    std::error_code EC;
    llvm::raw_fd_ostream OS(Path, EC);
    OS << Source;
  }
  auto DB = makeFixedDatabase(llvm::sys::path::parent_path(Path), {"-std=c++20", "-I" CYC_RUNTIME_INCLUDE_DIR});
  AnalysisResult Result = analyze(*DB, {std::string(Path)}, *Rules, AnalysisOptions{1, *Resource});
  llvm::sys::fs::remove(Path);
  EXPECT_TRUE(Result.Failures.empty()) << (Result.Failures.empty() ? "" : Result.Failures[0].Reason);
  std::vector<Finding> Out;
  for (Finding &F : Result.Findings)
    if (F.Rule == "cycle-instance") Out.push_back(std::move(F));
  return Out;
}

const char *const Prelude = R"cpp(#include <cyc/cyc.h>
struct Node {
  cyc::Handle<Node> next;
  cyc::Handle<Node> other;
  CYC_TRACE(next, other)
};
using H = cyc::Handle<Node>;
)cpp";  // 7 lines

TEST(InstanceFinding, PathHasOneStepPerStore) {
  auto Findings = instanceFindings(std::string(Prelude) + R"cpp(void f() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  a->next = b;
  b->other = a;
}
)cpp");
  ASSERT_EQ(Findings.size(), 1u);
  const Finding &F = Findings[0];
  EXPECT_EQ(F.Pos.Line, 12u) << "reported at the store that closes the cycle";
  ASSERT_EQ(F.Path.size(), 2u);
  EXPECT_EQ(F.Path[0].Type, "Node");
  EXPECT_EQ(F.Path[0].Field, "next");
  EXPECT_EQ(F.Path[0].Pos.Line, 11u);
  EXPECT_EQ(F.Path[1].Field, "other");
  EXPECT_EQ(F.Path[1].Pos.Line, 12u);
  for (const PathStep &S : F.Path) {
    EXPECT_NE(S.Note.find("stores a strong reference"), std::string::npos) << S.Note;
    EXPECT_TRUE(S.Via.empty());
  }
  EXPECT_FALSE(F.Id.empty());
}

TEST(InstanceFinding, CallsHaveNotesAtTheStoresInsideTheCallee) {
  auto Findings = instanceFindings(std::string(Prelude) + R"cpp(void link(H x, H y) {
  x->next = y;
}
void relink(H p, H q) { link(q, p); }
void f() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  link(a, b);
  relink(a, b);
}
)cpp");
  ASSERT_EQ(Findings.size(), 1u);
  const Finding &F = Findings[0];
  EXPECT_EQ(F.Pos.Line, 16u);
  EXPECT_NE(F.Message.find("link(a, b); relink(a, b)"), std::string::npos) << F.Message;
  ASSERT_EQ(F.Path.size(), 2u);
  // The first edge: made by the call on line 15, through the store on line 9.
  EXPECT_EQ(F.Path[0].Pos.Line, 15u);
  EXPECT_EQ(F.Path[0].Field, "next");
  ASSERT_EQ(F.Path[0].Via.size(), 1u);
  EXPECT_EQ(F.Path[0].Via[0].Pos.Line, 9u);
  EXPECT_NE(F.Path[0].Via[0].Note.find("in 'link': 'x->next = y'"), std::string::npos) << F.Path[0].Via[0].Note;
  // The closing edge: relink calls link, which stores (noted once, on the first edge).
  EXPECT_EQ(F.Path[1].Pos.Line, 16u);
  ASSERT_EQ(F.Path[1].Via.size(), 1u);
  EXPECT_EQ(F.Path[1].Via[0].Pos.Line, 11u);
  EXPECT_NE(F.Path[1].Via[0].Note.find("in 'relink': 'link(q, p)' calls 'link'"), std::string::npos)
      << F.Path[1].Via[0].Note;
}

TEST(InstanceFinding, IdsSurviveUnrelatedEditsButNotAnotherCycle) {
  const std::string Body = R"cpp(void f() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  a->next = b;
  b->next = a;
}
)cpp";
  auto First = instanceFindings(std::string(Prelude) + Body);
  // Lines added above, whitespace changed inside the stores.
  std::string Moved = Body;
  Moved.replace(Moved.find("a->next = b;"), 12, "a->next   =   b;");
  auto Second = instanceFindings(std::string(Prelude) + "\n\nint unrelated() { return 1; }\n" + Moved);
  // Another field closes the cycle: another finding.
  std::string Other = Body;
  Other.replace(Other.find("b->next = a;"), 12, "b->other = a;");
  auto Third = instanceFindings(std::string(Prelude) + Other);
  ASSERT_EQ(First.size(), 1u);
  ASSERT_EQ(Second.size(), 1u);
  ASSERT_EQ(Third.size(), 1u);
  EXPECT_NE(First[0].Pos.Line, Second[0].Pos.Line);
  EXPECT_EQ(First[0].Id, Second[0].Id);
  EXPECT_NE(First[0].Id, Third[0].Id);
}

TEST(InstanceFinding, SharedPtrAndHandleMessagesDiffer) {
  auto Findings = instanceFindings(std::string(Prelude) + R"cpp(#include <memory>
struct S { std::shared_ptr<S> self; };
void f() {
  auto s = std::make_shared<S>();
  s->self = s;
  auto n = cyc::make<Node>();
  n->next = n;
}
)cpp");
  ASSERT_EQ(Findings.size(), 2u);
  EXPECT_NE(Findings[0].Message.find("never freed (std::shared_ptr has no cycle collector)"), std::string::npos)
      << Findings[0].Message;
  EXPECT_NE(Findings[1].Message.find("stay alive until cyc::gc::collect()"), std::string::npos) << Findings[1].Message;
  EXPECT_EQ(Findings[0].Path.size(), 1u);
  EXPECT_EQ(Findings[0].Path[0].Type, "S");
  EXPECT_EQ(Findings[0].Path[0].Field, "self");
}

}  // namespace
}  // namespace cyclops::test
