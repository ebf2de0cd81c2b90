// Runs the analyzer over every file of testdata/analyzer/, and over every project of
// testdata/analyzer/projects/ (all its translation units together), and compares its findings
// with the expectations written in the files: any missing or extra finding fails. Prints
// precision and recall over each set.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "Expectations.h"
#include "extract/CompilationDb.h"
#include "extract/ResourceDir.h"
#include "program/Analyzer.h"

namespace cyclops::test {
namespace {

std::vector<std::string> filesIn(const std::string &Dir, llvm::StringRef Ext) {
  std::vector<std::string> Files;
  std::error_code EC;
  for (llvm::sys::fs::directory_iterator It(Dir, EC), End; It != End && !EC; It.increment(EC))
    if (llvm::sys::path::extension(It->path()) == Ext) Files.push_back(It->path());
  std::sort(Files.begin(), Files.end());
  return Files;
}

// The folders directly under `Dir`, sorted.
std::vector<std::string> foldersIn(const std::string &Dir) {
  std::vector<std::string> Folders;
  std::error_code EC;
  for (llvm::sys::fs::directory_iterator It(Dir, EC), End; It != End && !EC; It.increment(EC))
    if (llvm::sys::fs::is_directory(It->path())) Folders.push_back(It->path());
  EXPECT_FALSE(EC) << Dir << ": " << EC.message();
  std::sort(Folders.begin(), Folders.end());
  return Folders;
}

// The expectations written in a project's headers and sources.
Expectations projectExpectations(const std::string &Dir) {
  Expectations Expect;
  for (llvm::StringRef Ext : {".h", ".cpp"})
    for (const std::string &F : filesIn(Dir, Ext)) parseExpectations(F, Expect);
  return Expect;
}

std::string resourceDir() {
  static int Anchor;
  auto Dir = findResourceDir("", "cyclops_testdata_test", &Anchor);
  if (!Dir) {
    ADD_FAILURE() << llvm::toString(Dir.takeError());
    return "";
  }
  return *Dir;
}

RuleSet rules() {
  auto R = defaultRules();
  if (!R) {
    ADD_FAILURE() << llvm::toString(R.takeError());
    return {};
  }
  return *R;
}

struct Totals {
  unsigned Matched = 0, Missing = 0, Extra = 0;
};

// Checks one analysis against the expectations; reports every difference.
void compare(const std::string &What, const Expectations &Expect, const AnalysisResult &Result, Totals &T) {
  for (const std::string &E : Expect.Errors) ADD_FAILURE() << E;
  for (const TUFailure &F : Result.Failures) ADD_FAILURE() << What << ": " << F.File << " did not compile: " << F.Reason;
  if (Expect.Items.empty() && Expect.FilesWithoutDiagnostics.empty())
    ADD_FAILURE() << What << ": no expectations and no 'expected-no-diagnostics'";
  MatchResult M = matchFindings(Expect, Result.Findings);
  for (const Expected &E : M.Missing) ADD_FAILURE() << What << ": missing finding: " << describe(E);
  for (const Finding &F : M.Extra) ADD_FAILURE() << What << ": unexpected finding: " << describe(F);
  T.Matched += M.Matched;
  T.Missing += static_cast<unsigned>(M.Missing.size());
  T.Extra += static_cast<unsigned>(M.Extra.size());
  std::printf("  %-28s expected %2zu  found %2zu  matched %2u  missing %2zu  extra %2zu\n", What.c_str(),
              Expect.Items.size(), Result.Findings.size(), M.Matched, M.Missing.size(), M.Extra.size());
}

// Analyzes `Sources` together as one program (compiled in `Dir` with the testdata flags),
// checks that each compiled, and compares the findings with `Expect`.
void checkProgram(const std::string &What, const std::string &Dir, const std::vector<std::string> &Sources,
                  const Expectations &Expect, const AnalysisOptions &Options, const RuleSet &Rules, Totals &T) {
  auto DB = makeFixedDatabase(Dir, {"-std=c++20", "-I" CYC_RUNTIME_INCLUDE_DIR});
  AnalysisResult Result = analyze(*DB, Sources, Rules, Options);
  EXPECT_EQ(Result.TranslationUnits, Sources.size()) << What;
  compare(What, Expect, Result, T);
}

void printScores(const Totals &T) {
  double Precision = T.Matched + T.Extra ? double(T.Matched) / (T.Matched + T.Extra) : 1.0;
  double Recall = T.Matched + T.Missing ? double(T.Matched) / (T.Matched + T.Missing) : 1.0;
  std::printf("  precision %.3f (%u of %u findings expected)  recall %.3f (%u of %u expected found)\n", Precision,
              T.Matched, T.Matched + T.Extra, Recall, T.Matched, T.Matched + T.Missing);
}

TEST(Testdata, EveryFileMatchesItsExpectations) {
  RuleSet Rules = rules();
  std::string ResourceDir = resourceDir();
  auto Files = filesIn(CYC_TESTDATA_DIR, ".cpp");
  ASSERT_GE(Files.size(), 8u) << "testdata/analyzer has too few inputs";
  Totals T;
  for (const std::string &File : Files) {
    // Each file is its own program: the same type names recur across files.
    Expectations Expect;
    parseExpectations(File, Expect);
    checkProgram(llvm::sys::path::filename(File).str(), CYC_TESTDATA_DIR, {File}, Expect,
                 AnalysisOptions{1, ResourceDir}, Rules, T);
  }
  printScores(T);
  EXPECT_EQ(T.Missing, 0u);
  EXPECT_EQ(T.Extra, 0u);
}

// Each folder of projects/ is one program of several translation units, analyzed together:
// its findings need what the other translation units define (a setter, an accessor, a
// constructor), and its expectations may be written in any of its headers and sources.
TEST(Testdata, EveryProjectMatchesItsExpectations) {
  RuleSet Rules = rules();
  std::string ResourceDir = resourceDir();
  auto Projects = foldersIn(CYC_TESTDATA_DIR "/projects");
  ASSERT_GE(Projects.size(), 11u) << "testdata/analyzer/projects has too few projects";
  Totals T;
  for (const std::string &Dir : Projects) {
    std::string Name = llvm::sys::path::filename(Dir).str();
    auto Sources = filesIn(Dir, ".cpp");
    if (Sources.empty()) {
      ADD_FAILURE() << Name << ": no .cpp file";
      continue;
    }
    checkProgram(Name + " (" + std::to_string(Sources.size()) + " TUs)", Dir, Sources, projectExpectations(Dir),
                 AnalysisOptions{2, ResourceDir}, Rules, T);
  }
  printScores(T);
  EXPECT_EQ(T.Missing, 0u);
  EXPECT_EQ(T.Extra, 0u);
}

// The multi-TU project: each translation unit sees one edge; the cycle needs all three.
TEST(Testdata, MultiTranslationUnitProject) {
  RuleSet Rules = rules();
  auto DB = loadCompilationDatabase(CYC_MULTI_TU_BUILD_DIR);
  ASSERT_TRUE(static_cast<bool>(DB)) << llvm::toString(DB.takeError());
  FileSelection All = selectFiles(**DB, {});
  ASSERT_EQ(All.Files.size(), 3u);
  AnalysisResult Result = analyze(**DB, All.Files, Rules, AnalysisOptions{2, resourceDir()});
  EXPECT_EQ(Result.TranslationUnits, 3u);
  Expectations Expect = projectExpectations(CYC_TESTDATA_DIR "/multi_tu");
  ASSERT_EQ(Expect.Items.size(), 1u);
  Totals T;
  compare("multi_tu (3 TUs)", Expect, Result, T);
  ASSERT_EQ(Result.Findings.size(), 1u);
  const Finding &F = Result.Findings.front();
  ASSERT_EQ(F.Path.size(), 3u);
  std::vector<std::string> Files;
  for (const PathStep &S : F.Path) Files.push_back(llvm::sys::path::filename(S.Pos.File).str());
  EXPECT_EQ(Files, (std::vector<std::string>{"account.h", "ledger.h", "owner.h"}));

  // Any two of the three translation units see no cycle.
  for (size_t Skip = 0; Skip < 3; ++Skip) {
    std::vector<std::string> Two;
    for (size_t I = 0; I < 3; ++I)
      if (I != Skip) Two.push_back(All.Files[I]);
    AnalysisResult Partial = analyze(**DB, Two, Rules, AnalysisOptions{2, resourceDir()});
    EXPECT_TRUE(Partial.Findings.empty()) << "without " << All.Files[Skip] << ": "
                                          << (Partial.Findings.empty() ? "" : describe(Partial.Findings[0]));
  }
}

// The harness itself must be able to fail: a wrong expectation is both missing and extra.
TEST(Harness, ReportsMissingAndExtraFindings) {
  llvm::SmallString<128> Path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("cyclops-harness", "cpp", Path));
  {
    std::error_code EC;
    llvm::raw_fd_ostream OS(Path, EC);
    OS << "#include <memory>\n"
          "struct B;\n"
          "struct A { std::shared_ptr<B> b; };\n"
          "struct B { std::shared_ptr<A> a; };  // expected-warning {{cycle-type: this text is not in the message}}\n"
          "// expected-warning@+1 {{missing-trace: nothing is reported here}}\n"
          "struct C { int x; };\n";
  }
  auto DB = makeFixedDatabase(llvm::sys::path::parent_path(Path), {"-std=c++20"});
  AnalysisResult Result = analyze(*DB, {std::string(Path)}, rules(), AnalysisOptions{1, resourceDir()});
  Expectations Expect;
  parseExpectations(std::string(Path), Expect);
  ASSERT_EQ(Expect.Items.size(), 2u);
  EXPECT_EQ(Expect.Items[1].Line, 6u);
  MatchResult M = matchFindings(Expect, Result.Findings);
  EXPECT_EQ(M.Matched, 0u);
  EXPECT_EQ(M.Missing.size(), 2u);
  ASSERT_EQ(M.Extra.size(), 1u);
  EXPECT_EQ(M.Extra[0].Rule, "cycle-type");
  EXPECT_EQ(M.Extra[0].Pos.Line, 4u);
  llvm::sys::fs::remove(Path);
}

}  // namespace
}  // namespace cyclops::test
