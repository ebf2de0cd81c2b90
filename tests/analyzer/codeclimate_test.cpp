// The Code Climate report (GitLab Code Quality) on findings made by hand: its shape, the
// severity mapping, paths relative to the source root, and fingerprints that are unique
// within a report and do not move with lines.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include "output/Output.h"

namespace cyclops {
namespace {

// A real directory to be the source root (SourceRoot::open checks that it is one).
class TempRoot {
 public:
  TempRoot() { EXPECT_FALSE(llvm::sys::fs::createUniqueDirectory("cyclops-codeclimate", Dir)); }
  ~TempRoot() { llvm::sys::fs::remove_directories(Dir); }
  TempRoot(const TempRoot &) = delete;
  TempRoot &operator=(const TempRoot &) = delete;

  std::string path(llvm::StringRef Rel) const {
    llvm::SmallString<256> P(Dir);
    llvm::sys::path::append(P, Rel);
    return std::string(P);
  }
  SourceRoot root() const {
    llvm::Expected<SourceRoot> R = SourceRoot::open(Dir);
    EXPECT_TRUE(static_cast<bool>(R)) << llvm::toString(R.takeError());
    return R ? std::move(*R) : SourceRoot();
  }

 private:
  llvm::SmallString<128> Dir;
};

Finding finding(std::string Rule, Severity Level, SourcePos Pos, std::string Id, std::vector<PathStep> Path = {}) {
  Finding F;
  F.Rule = std::move(Rule);
  F.Level = Level;
  F.Message = "message of " + Id;
  F.Pos = std::move(Pos);
  F.Path = std::move(Path);
  F.Id = std::move(Id);
  return F;
}

const llvm::json::Array &issues(const llvm::json::Value &V) {
  static const llvm::json::Array None;
  const llvm::json::Array *A = V.getAsArray();
  EXPECT_TRUE(A) << "the report is a JSON array";
  return A ? *A : None;
}

std::string str(const llvm::json::Object &O, llvm::StringRef Key) {
  return O.getString(Key).value_or("(missing)").str();
}

TEST(CodeClimate, NothingFoundIsAnEmptyArray) {
  TempRoot T;
  llvm::json::Value V = toCodeClimate({}, T.root());
  EXPECT_TRUE(issues(V).empty());
  std::string Text;
  llvm::raw_string_ostream OS(Text);
  writeCodeClimate(OS, {}, T.root());
  EXPECT_EQ(Text, "[]\n");
}

TEST(CodeClimate, IssueShapeAndRelativePaths) {
  TempRoot T;
  std::vector<PathStep> Path{
      {"Node", "kids", {T.path("src/node.h"), 4, 38}, "'Node::kids' holds a strong reference to 'Node'"},
      {"Node", "parent", {T.path("src/node.h"), 5, 25}, ""},
      {"Edge", "to", {"/elsewhere/edge.h", 9, 3}, ""},
  };
  llvm::json::Value V =
      toCodeClimate({finding("cycle-type", Severity::Warning, {T.path("src/node.h"), 5, 25}, "00aa", Path)}, T.root());
  ASSERT_EQ(issues(V).size(), 1u);
  const llvm::json::Object &I = *issues(V)[0].getAsObject();
  std::set<std::string> Keys;
  for (const auto &KV : I) Keys.insert(KV.first.str());
  EXPECT_EQ(Keys, (std::set<std::string>{"type", "check_name", "description", "categories", "severity", "fingerprint",
                                         "location", "other_locations", "content"}));
  EXPECT_EQ(str(I, "type"), "issue");
  EXPECT_EQ(str(I, "check_name"), "cyclops-cycle-type");
  EXPECT_EQ(str(I, "description"), "message of 00aa");
  EXPECT_EQ(str(I, "severity"), "major");
  EXPECT_EQ(*I.getArray("categories"), (llvm::json::Array{"Bug Risk"}));
  EXPECT_TRUE(std::regex_match(str(I, "fingerprint"), std::regex("[0-9a-f]{32}"))) << str(I, "fingerprint");

  const llvm::json::Object &L = *I.getObject("location");
  EXPECT_EQ(str(L, "path"), "src/node.h") << "relative to the source root";
  EXPECT_EQ(L.getObject("lines")->getInteger("begin"), 5);
  EXPECT_EQ(L.getObject("lines")->getInteger("end"), 5);

  // The other edges of the cycle; the one at the reported place is not repeated. A file
  // outside the root keeps its absolute path.
  const llvm::json::Array &Others = *I.getArray("other_locations");
  ASSERT_EQ(Others.size(), 2u);
  EXPECT_EQ(str(*Others[0].getAsObject(), "path"), "src/node.h");
  EXPECT_EQ(Others[0].getAsObject()->getObject("lines")->getInteger("begin"), 4);
  EXPECT_EQ(str(*Others[1].getAsObject(), "path"), "/elsewhere/edge.h");

  std::string Body = str(*I.getObject("content"), "body");
  EXPECT_NE(Body.find("- 'Node::kids' holds a strong reference to 'Node' (`src/node.h:4`)"), std::string::npos)
      << Body;
  EXPECT_NE(Body.find("- Node.parent (`src/node.h:5`)"), std::string::npos) << Body;
  EXPECT_NE(Body.find("cyclops rules --explain=cycle-type"), std::string::npos) << Body;
}

TEST(CodeClimate, SeveritiesMapToGitLabs) {
  TempRoot T;
  SourcePos At{T.path("a.cpp"), 1, 1};
  llvm::json::Value V = toCodeClimate({finding("missing-trace", Severity::Note, At, "01"),
                                       finding("cycle-type", Severity::Warning, At, "02"),
                                       finding("cycle-instance", Severity::Error, At, "03")},
                                      T.root());
  std::vector<std::string> Got;
  for (const llvm::json::Value &I : issues(V)) Got.push_back(str(*I.getAsObject(), "severity"));
  EXPECT_EQ(Got, (std::vector<std::string>{"info", "major", "critical"}));
}

TEST(CodeClimate, FingerprintsAreUniqueAndIgnoreLines) {
  TempRoot T;
  auto Fingerprints = [&](unsigned Shift) {
    std::vector<Finding> F{
        finding("cycle-instance", Severity::Warning, {T.path("first.cpp"), 6 + Shift, 3}, "abcd"),
        // The same id in another file (the same local function in two files).
        finding("cycle-instance", Severity::Warning, {T.path("second.cpp"), 6 + Shift, 3}, "abcd"),
        // ... and twice in one file.
        finding("cycle-instance", Severity::Warning, {T.path("second.cpp"), 20 + Shift, 3}, "abcd"),
        finding("cycle-type", Severity::Warning, {T.path("first.cpp"), 2 + Shift, 3}, "ef01"),
    };
    std::vector<std::string> Out;
    llvm::json::Value Report = toCodeClimate(F, T.root());
    for (const llvm::json::Value &I : issues(Report))
      Out.push_back(str(*I.getAsObject(), "fingerprint"));
    return Out;
  };
  std::vector<std::string> First = Fingerprints(0);
  ASSERT_EQ(First.size(), 4u);
  EXPECT_EQ(std::set<std::string>(First.begin(), First.end()).size(), 4u) << "unique within a report";
  EXPECT_EQ(Fingerprints(0), First) << "the same on every run";
  EXPECT_EQ(Fingerprints(40), First) << "lines moved by unrelated edits leave them alone";
}

TEST(CodeClimate, FindingWithoutAPlaceUsesItsPath) {
  TempRoot T;
  std::vector<PathStep> Path{{"Node", "next", {T.path("node.h"), 7, 3}, ""}};
  llvm::json::Value V = toCodeClimate({finding("cycle-type", Severity::Warning, {}, "0f", Path)}, T.root());
  ASSERT_EQ(issues(V).size(), 1u);
  const llvm::json::Object &L = *issues(V)[0].getAsObject()->getObject("location");
  EXPECT_EQ(str(L, "path"), "node.h");
  EXPECT_EQ(L.getObject("lines")->getInteger("begin"), 7);
}

}  // namespace
}  // namespace cyclops
