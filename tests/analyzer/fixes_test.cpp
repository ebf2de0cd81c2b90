// `cyclops check --fix` and `--export-fixes`. Every testdata case whose findings carry fix-its
// (each file of testdata/analyzer/ and each project of testdata/analyzer/projects/) is copied,
// fixed by the CLI, compiled with clang++ (the testdata flags), and analyzed again: the code must
// compile and each finding whose fix-it was applied must be gone. The export, applied by
// clang-apply-replacements, must give the same files. Then the rules of applying: duplicates
// once, conflicts left out with a note, a file that cannot be written, facts files.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "clang/Tooling/CompilationDatabase.h"
#include "clang/Tooling/DiagnosticsYaml.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/YAMLTraits.h"

#include "extract/CompilationDb.h"
#include "extract/ResourceDir.h"
#include "output/Fixes.h"
#include "program/Analyzer.h"

#include "CliRunner.h"

namespace cyclops::test {
namespace {

namespace fs = llvm::sys::fs;

std::string pathJoin(llvm::StringRef A, llvm::StringRef B) {
  llvm::SmallString<256> P(A);
  llvm::sys::path::append(P, B);
  return std::string(P);
}

bool contains(llvm::StringRef Text, llvm::StringRef Part) { return Text.contains(Part); }

// One testdata case: the files to copy from Dir, and which of them are translation units.
struct Case {
  std::string Name;  // a test name: letters, digits and '_'
  std::string Dir;
  std::vector<std::string> Files;    // names in Dir
  std::vector<std::string> Sources;  // the .cpp among them
};

void PrintTo(const Case &C, std::ostream *OS) { *OS << C.Name; }

// The names of the files in Dir with one of Exts, sorted.
std::vector<std::string> namesIn(const std::string &Dir, std::initializer_list<llvm::StringRef> Exts) {
  std::vector<std::string> Names;
  std::error_code EC;
  for (fs::directory_iterator It(Dir, EC), End; It != End && !EC; It.increment(EC))
    if (llvm::is_contained(Exts, llvm::sys::path::extension(It->path())) && !fs::is_directory(It->path()))
      Names.push_back(llvm::sys::path::filename(It->path()).str());
  std::sort(Names.begin(), Names.end());
  return Names;
}

// Each single-file case, then each project.
std::vector<Case> testdataCases() {
  std::vector<Case> Cases;
  for (const std::string &F : namesIn(CYC_TESTDATA_DIR, {".cpp"}))
    Cases.push_back({llvm::sys::path::stem(F).str(), CYC_TESTDATA_DIR, {F}, {F}});
  std::string Projects = CYC_TESTDATA_DIR "/projects";
  std::error_code EC;
  std::vector<std::string> Dirs;
  for (fs::directory_iterator It(Projects, EC), End; It != End && !EC; It.increment(EC))
    if (fs::is_directory(It->path())) Dirs.push_back(It->path());
  std::sort(Dirs.begin(), Dirs.end());
  for (const std::string &D : Dirs)
    Cases.push_back({"project_" + llvm::sys::path::filename(D).str(), D, namesIn(D, {".h", ".cpp"}),
                     namesIn(D, {".cpp"})});
  return Cases;
}

// A scratch directory, removed at the end of the test (made writable first).
class Scratch {
 public:
  Scratch() { EXPECT_FALSE(fs::createUniqueDirectory("cyclops-fixes", Root)); }
  ~Scratch() { fs::remove_directories(Root); }
  Scratch(const Scratch &) = delete;
  Scratch &operator=(const Scratch &) = delete;

  std::string dir() const { return std::string(Root); }
  std::string path(llvm::StringRef Name) const { return pathJoin(Root, Name); }

  // A copy of the case in the folder Sub, with a compile_commands.json for its sources.
  std::string copy(const Case &C, llvm::StringRef Sub) const {
    std::string To = path(Sub);
    EXPECT_FALSE(fs::create_directories(To));
    for (const std::string &F : C.Files) EXPECT_FALSE(fs::copy_file(pathJoin(C.Dir, F), pathJoin(To, F))) << F;
    database(To, C.Sources);
    return To;
  }

  static void database(const std::string &Dir, const std::vector<std::string> &Sources) {
    llvm::json::Array Commands;
    for (const std::string &S : Sources)
      Commands.push_back(llvm::json::Object{
          {"directory", Dir},
          {"file", S},
          {"arguments", llvm::json::Array{"c++", "-std=c++20", "-I" CYC_RUNTIME_INCLUDE_DIR, "-c", S}}});
    std::string Text;
    llvm::raw_string_ostream(Text) << llvm::json::Value(std::move(Commands));
    spit(pathJoin(Dir, "compile_commands.json"), Text);
  }

 private:
  llvm::SmallString<128> Root;
};

std::string resourceDir() {
  static int Anchor;
  llvm::Expected<std::string> Dir = findResourceDir("", "cyclops_fixes_test", &Anchor);
  if (!Dir) {
    ADD_FAILURE() << llvm::toString(Dir.takeError());
    return "";
  }
  return *Dir;
}

// The findings of the sources in Dir, analyzed together in-process as testdata_test does.
AnalysisResult analyzeDir(const std::string &Dir, const std::vector<std::string> &Sources) {
  llvm::Expected<RuleSet> Rules = defaultRules();
  if (!Rules) {
    ADD_FAILURE() << llvm::toString(Rules.takeError());
    return {};
  }
  std::vector<std::string> Paths;
  for (const std::string &S : Sources) Paths.push_back(pathJoin(Dir, S));
  auto DB = makeFixedDatabase(Dir, {"-std=c++20", "-I" CYC_RUNTIME_INCLUDE_DIR});
  return analyze(*DB, Paths, *Rules, AnalysisOptions{2, resourceDir()});
}

// Runs Program with Args; stderr (and stdout) in Output. Returns the exit status.
int runProgram(llvm::StringRef Program, std::vector<llvm::StringRef> Args, std::string &Output) {
  llvm::SmallString<128> Log;
  EXPECT_FALSE(fs::createTemporaryFile("cyclops-fixes", "log", Log));
  Args.insert(Args.begin(), Program);
  std::optional<llvm::StringRef> Redirects[] = {std::nullopt, llvm::StringRef(Log), llvm::StringRef(Log)};
  std::string Error;
  int Exit = llvm::sys::ExecuteAndWait(Program, Args, std::nullopt, Redirects, /*SecondsToWait=*/300, 0, &Error);
  Output = slurp(Log) + Error;
  fs::remove(Log);
  return Exit;
}

// The error lines clang++ -fsyntax-only prints for Source (with the testdata flags); "" when
// it compiles.
std::string compileErrors(const std::string &Source) {
  std::string Output;
  int Exit = runProgram(CYC_CLANGXX, {"-fsyntax-only", "-fno-color-diagnostics", "-std=c++20",
                                      "-I" CYC_RUNTIME_INCLUDE_DIR, Source}, Output);
  std::string Errors;
  for (const std::string &L : lines(Output))
    if (contains(L, "error:")) Errors += L + "\n";
  return Exit == 0 ? "" : (Errors.empty() ? Output : Errors);
}

// "cyclops: applied N fix-its in M files", as --fix says it.
std::string appliedLine(unsigned Edits, size_t Files) {
  return "cyclops: applied " + std::to_string(Edits) + " fix-it" + (Edits == 1 ? "" : "s") + " in " +
         std::to_string(Files) + " file" + (Files == 1 ? "" : "s");
}

// The files of the case in Dir, by name.
std::map<std::string, std::string> contentsOf(const Case &C, const std::string &Dir) {
  std::map<std::string, std::string> Contents;
  for (const std::string &F : C.Files) Contents[F] = slurp(pathJoin(Dir, F));
  return Contents;
}

class TestdataFixes : public ::testing::TestWithParam<Case> {};

// The copy fixed by --fix compiles, and every finding whose fix-it was applied is gone.
TEST_P(TestdataFixes, FixedCodeCompilesAndItsFindingsAreGone) {
  if (!*CYC_CLANGXX) GTEST_SKIP() << "clang++ is not installed: the fixed code cannot be compiled";
  const Case &C = GetParam();
  Scratch S;
  std::string Dir = S.copy(C, "case");
  AnalysisResult Before = analyzeDir(Dir, C.Sources);
  ASSERT_TRUE(Before.Failures.empty()) << C.Name << " does not compile before --fix";
  FixPlan Plan = planFixes(Before.Findings);
  if (Plan.Accepted.empty()) GTEST_SKIP() << C.Name << ": no finding has a fix-it";

  CliResult R = cyclops({"check", "-p", Dir, "--no-cache", "--fix"});
  ASSERT_TRUE(R.Exit == 0 || R.Exit == 1) << R.Err;
  EXPECT_TRUE(contains(R.Err, appliedLine(Plan.edits(), Plan.Files.size()))) << R.Err;
  for (const std::string &N : Plan.Notes) EXPECT_TRUE(contains(R.Err, N)) << R.Err;

  bool Compiles = true;
  for (const std::string &Src : C.Sources)
    if (std::string Errors = compileErrors(pathJoin(Dir, Src)); !Errors.empty()) {
      ADD_FAILURE() << C.Name << ": " << Src << " does not compile after --fix:\n" << Errors;
      Compiles = false;
    }
  if (!Compiles) return;  // the findings of a unit that does not compile say nothing
  AnalysisResult After = analyzeDir(Dir, C.Sources);
  std::set<std::string> Left;
  for (const Finding &F : After.Findings) Left.insert(F.Id);
  for (const AcceptedFix &A : Plan.Accepted)
    EXPECT_FALSE(Left.count(A.Of->Id)) << C.Name << ": still reported after its fix-it: [" << A.Of->Rule << "] "
                                       << A.Of->Id << " " << A.Of->Pos.File << ":" << A.Of->Pos.Line << ": "
                                       << A.Of->Message;
}

// clang-apply-replacements on --export-fixes gives the files --fix writes.
TEST_P(TestdataFixes, ExportedFixesApplyAsFixDoes) {
  if (!*CYC_APPLY_REPLACEMENTS) GTEST_SKIP() << "clang-apply-replacements is not installed (Debian: clang-tools-19)";
  const Case &C = GetParam();
  Scratch S;
  std::string Fixed = S.copy(C, "fixed"), Applied = S.copy(C, "applied");
  ASSERT_FALSE(fs::create_directories(S.path("yaml")));
  CliResult R = cyclops({"check", "-p", Fixed, "--no-cache", "--fix"});
  ASSERT_TRUE(R.Exit == 0 || R.Exit == 1) << R.Err;
  if (contains(R.Err, "applied 0 fix-its")) GTEST_SKIP() << C.Name << ": no finding has a fix-it";
  R = cyclops({"check", "-p", Applied, "--no-cache", "--export-fixes=" + S.path("yaml/fixes.yaml")});
  ASSERT_TRUE(R.Exit == 0 || R.Exit == 1) << R.Err;
  EXPECT_EQ(contentsOf(C, Applied), contentsOf(C, C.Dir)) << "--export-fixes changed files";
  std::string Output;
  ASSERT_EQ(runProgram(CYC_APPLY_REPLACEMENTS, {S.path("yaml")}, Output), 0) << Output;
  EXPECT_EQ(contentsOf(C, Applied), contentsOf(C, Fixed)) << slurp(S.path("yaml/fixes.yaml"));
  EXPECT_NE(contentsOf(C, Fixed), contentsOf(C, C.Dir));
}

// The compile check above must be able to fail: code that does not compile gives its error.
TEST(FixesHarness, CompileCheckSeesAnError) {
  if (!*CYC_CLANGXX) GTEST_SKIP() << "clang++ is not installed";
  Scratch S;
  std::string Source = S.path("broken.cpp");
  spit(Source, "#include <memory>\nstruct A { std::weak_ptr<A> a; int f() { return a->x; } int x; };\n");
  std::string Errors = compileErrors(Source);
  EXPECT_TRUE(contains(Errors, "broken.cpp:2:")) << Errors;
  EXPECT_TRUE(contains(Errors, "error:")) << Errors;
}

INSTANTIATE_TEST_SUITE_P(Testdata, TestdataFixes, ::testing::ValuesIn(testdataCases()),
                         [](const ::testing::TestParamInfo<Case> &I) { return I.param.Name; });

// A finding made by hand with the given edits, in File.
Finding findingWith(const std::string &File, const std::string &Id, std::vector<TextEdit> Edits) {
  Finding F;
  F.Rule = "cycle-type";
  F.Message = "a cycle";
  F.Pos = {File, 1, 1};
  F.Id = Id;
  F.Fixes = std::move(Edits);
  return F;
}

TextEdit edit(const std::string &File, unsigned Line, unsigned Column, unsigned Length, std::string Text) {
  return {{File, Line, Column}, Length, std::move(Text)};
}

// The same edit from two findings is made once; a finding one of whose edits conflicts with
// an accepted edit is left out whole, with a note, as is one whose place the file lacks.
TEST(Fixes, DuplicatesOnceConflictsLeftOutWhole) {
  Scratch S;
  std::string File = S.path("a.cpp");
  spit(File, "int alpha = 1;\nint beta = 2;\n");
  std::vector<Finding> Findings{
      findingWith(File, "first", {edit(File, 1, 5, 5, "first")}),
      findingWith(File, "again", {edit(File, 1, 5, 5, "first"), edit(File, 2, 1, 0, "const ")}),
      findingWith(File, "overlapping", {edit(File, 2, 5, 4, "gamma"), edit(File, 1, 7, 3, "PHA")}),
      findingWith(File, "inserting-too", {edit(File, 2, 1, 0, "static ")}),
      findingWith(File, "stale", {edit(File, 9, 1, 0, "x")}),
  };
  FixPlan Plan = planFixes(Findings);
  EXPECT_EQ(Plan.edits(), 2u);
  ASSERT_EQ(Plan.Accepted.size(), 2u);
  EXPECT_EQ(Plan.Accepted[0].Of->Id, "first");
  EXPECT_EQ(Plan.Accepted[1].Of->Id, "again");
  EXPECT_EQ(Plan.Accepted[1].Edits.size(), 1u) << "the edit 'first' made is not repeated";
  ASSERT_EQ(Plan.Notes.size(), 3u);
  EXPECT_EQ(Plan.Notes[0], File + ":1:1: fix-it of [cycle-type] overlapping not applied: it conflicts with an "
                                  "earlier fix-it at " + File + ":1:5");
  EXPECT_TRUE(contains(Plan.Notes[1], "fix-it of [cycle-type] inserting-too not applied: it conflicts"));
  EXPECT_TRUE(contains(Plan.Notes[2], "fix-it of [cycle-type] stale not applied: line 9, column 1 (+0 bytes) is "
                                          "not in '" + File + "'"));
  if (llvm::Error E = applyFixes(Plan)) FAIL() << llvm::toString(std::move(E));
  EXPECT_EQ(slurp(File), "int first = 1;\nconst int beta = 2;\n");
}

// The export holds each accepted edit once, so clang-apply-replacements makes the same text.
TEST(Fixes, ExportHoldsEachEditOnce) {
  Scratch S;
  std::string File = S.path("b.cpp");
  spit(File, "int alpha = 1;\n");
  std::vector<Finding> Findings{findingWith(File, "one", {edit(File, 1, 5, 5, "first")}),
                                findingWith(File, "two", {edit(File, 1, 5, 5, "first")})};
  std::string Yaml;
  llvm::raw_string_ostream OS(Yaml);
  writeFixesYaml(OS, planFixes(Findings), File);
  clang::tooling::TranslationUnitDiagnostics TU;
  llvm::yaml::Input In(Yaml);
  In >> TU;
  ASSERT_FALSE(In.error()) << Yaml;
  EXPECT_EQ(TU.MainSourceFile, File);
  ASSERT_EQ(TU.Diagnostics.size(), 2u) << Yaml;
  EXPECT_EQ(TU.Diagnostics[0].DiagnosticName, "cyclops-cycle-type");
  EXPECT_EQ(TU.Diagnostics[0].Message.Message, "a cycle");
  EXPECT_EQ(TU.Diagnostics[0].Message.FilePath, File);
  EXPECT_EQ(TU.Diagnostics[0].Message.FileOffset, 0u);
  ASSERT_EQ(TU.Diagnostics[0].Message.Fix.count(File), 1u) << Yaml;
  EXPECT_EQ(TU.Diagnostics[0].Message.Fix[File].size(), 1u);
  EXPECT_TRUE(TU.Diagnostics[1].Message.Fix.empty()) << Yaml;
  if (!*CYC_APPLY_REPLACEMENTS) GTEST_SKIP() << "clang-apply-replacements is not installed (Debian: clang-tools-19)";
  ASSERT_FALSE(fs::create_directories(S.path("yaml")));
  spit(S.path("yaml/fixes.yaml"), Yaml);
  std::string Output;
  ASSERT_EQ(runProgram(CYC_APPLY_REPLACEMENTS, {S.path("yaml")}, Output), 0) << Output;
  EXPECT_EQ(slurp(File), "int first = 1;\n");
}

// A scratch project of one file with three fix-its (tests/analyzer/frontends_fixable.cpp).
std::string fixableProject(const Scratch &S) {
  std::string Source = S.path("fixable.cpp");
  EXPECT_FALSE(fs::copy_file(CYC_FIXABLE_SOURCE, Source));
  Scratch::database(S.dir(), {"fixable.cpp"});
  return Source;
}

// A file --fix cannot write is one error line and exit 2, and no file is changed.
TEST(Fixes, ReadOnlyFileIsAnError) {
  Scratch S;
  std::string Source = fixableProject(S);
  std::string Before = slurp(Source);
  ASSERT_FALSE(fs::setPermissions(Source, fs::owner_read | fs::group_read | fs::others_read));
  CliResult R = cyclops({"check", "-p", S.dir(), "--no-cache", "--fix"});
  fs::setPermissions(Source, fs::owner_read | fs::owner_write);
  EXPECT_EQ(R.Exit, 2) << R.Err;
  std::vector<std::string> Errors = errorLines(R);
  ASSERT_EQ(Errors.size(), 1u) << R.Err;
  EXPECT_EQ(Errors[0], "cyclops: error: cannot write '" + Source + "': Permission denied");
  EXPECT_FALSE(contains(R.Err, "cyclops: applied")) << R.Err;
  EXPECT_EQ(slurp(Source), Before);
}

// --fix keeps the permissions of the files it rewrites.
TEST(Fixes, FixKeepsPermissions) {
  Scratch S;
  std::string Source = fixableProject(S);
  fs::perms Mode = fs::owner_read | fs::owner_write | fs::owner_exe | fs::group_read;
  ASSERT_FALSE(fs::setPermissions(Source, Mode));
  CliResult R = cyclops({"check", "-p", S.dir(), "--no-cache", "--fix"});
  EXPECT_EQ(R.Exit, 1) << R.Err;
  EXPECT_TRUE(contains(R.Err, appliedLine(3, 1))) << R.Err;
  llvm::ErrorOr<fs::perms> After = fs::getPermissions(Source);
  ASSERT_TRUE(static_cast<bool>(After));
  EXPECT_EQ(*After, Mode);
}

// With --facts the findings name files by absolute path: --fix rewrites them wherever cyclops
// runs, and the export names them so.
TEST(Fixes, FixAndExportWithFacts) {
  Scratch S;
  std::string Source = fixableProject(S);
  CliResult Facts = cyclops({"facts", "-p", S.dir(), Source, "-o", S.path("facts/fixable.facts")});
  ASSERT_EQ(Facts.Exit, 0) << Facts.Err;
  CliResult R = cyclops({"check", "--facts=" + S.path("facts"), "--fix", "--export-fixes=" + S.path("fixes.yaml")});
  EXPECT_EQ(R.Exit, 1) << R.Err;
  EXPECT_TRUE(contains(R.Err, appliedLine(3, 1))) << R.Err;
  EXPECT_TRUE(contains(slurp(Source), "cyc::Weak<TreeNode> parent")) << slurp(Source);
  if (*CYC_CLANGXX) {
    EXPECT_EQ(compileErrors(Source), "");
  }

  clang::tooling::TranslationUnitDiagnostics TU;
  std::string Yaml = slurp(S.path("fixes.yaml"));
  llvm::yaml::Input In(Yaml);
  In >> TU;
  ASSERT_FALSE(In.error()) << Yaml;
  EXPECT_EQ(TU.Diagnostics.size(), 3u) << Yaml;
  for (const clang::tooling::Diagnostic &D : TU.Diagnostics) {
    EXPECT_TRUE(llvm::sys::path::is_absolute(D.Message.FilePath)) << Yaml;
    for (const auto &Fix : D.Message.Fix) EXPECT_EQ(Fix.getKey(), Source) << Yaml;
  }
}

}  // namespace
}  // namespace cyclops::test
