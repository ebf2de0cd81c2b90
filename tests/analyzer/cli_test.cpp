// The `cyclops` binary as users and CI run it: exit codes, output formats, and a clear
// one-line error for every kind of bad input.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <regex>
#include <set>

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

extern char **environ;

namespace cyclops::test {
namespace {

struct Result {
  int Exit = -1;
  std::string Out, Err;
};

std::string slurp(llvm::StringRef Path) {
  auto B = llvm::MemoryBuffer::getFile(Path, /*IsText=*/true);
  return B ? (*B)->getBuffer().str() : std::string();
}

// Runs cyclops with `Args`; `Env` entries (NAME=VALUE) are added to the environment.
Result cyclops(const std::vector<std::string> &Args, const std::vector<std::string> &Env = {}) {
  llvm::SmallString<128> OutFile, ErrFile;
  EXPECT_FALSE(llvm::sys::fs::createTemporaryFile("cyclops-out", "txt", OutFile));
  EXPECT_FALSE(llvm::sys::fs::createTemporaryFile("cyclops-err", "txt", ErrFile));
  std::vector<llvm::StringRef> Argv{CYCLOPS_BINARY};
  for (const std::string &A : Args) Argv.push_back(A);
  std::vector<std::string> EnvStrings;
  std::vector<llvm::StringRef> EnvRefs;
  std::optional<llvm::ArrayRef<llvm::StringRef>> EnvArg;
  if (!Env.empty()) {
    for (char **E = environ; *E; ++E) EnvStrings.push_back(*E);
    EnvStrings.insert(EnvStrings.end(), Env.begin(), Env.end());
    for (const std::string &S : EnvStrings) EnvRefs.push_back(S);
    EnvArg = EnvRefs;
  }
  std::optional<llvm::StringRef> Redirects[] = {std::nullopt, llvm::StringRef(OutFile), llvm::StringRef(ErrFile)};
  std::string Error;
  Result R;
  R.Exit = llvm::sys::ExecuteAndWait(CYCLOPS_BINARY, Argv, EnvArg, Redirects, /*SecondsToWait=*/300, 0, &Error);
  EXPECT_TRUE(Error.empty()) << Error;
  R.Out = slurp(OutFile);
  R.Err = slurp(ErrFile);
  llvm::sys::fs::remove(OutFile);
  llvm::sys::fs::remove(ErrFile);
  return R;
}

std::vector<std::string> lines(const std::string &Text) {
  llvm::SmallVector<llvm::StringRef> Parts;
  llvm::StringRef(Text).split(Parts, '\n', -1, /*KeepEmpty=*/false);
  return {Parts.begin(), Parts.end()};
}

// The error lines of stderr ("cyclops: error: ...").
std::vector<std::string> errors(const Result &R) {
  std::vector<std::string> E;
  for (const std::string &L : lines(R.Err))
    if (llvm::StringRef(L).starts_with("cyclops: error: ")) E.push_back(L);
  return E;
}

// A throwaway project: sources and a compile_commands.json with this machine's paths.
class Project {
 public:
  Project() { EXPECT_FALSE(llvm::sys::fs::createUniqueDirectory("cyclops-cli", Root)); }
  ~Project() { llvm::sys::fs::remove_directories(Root); }
  Project(const Project &) = delete;
  Project &operator=(const Project &) = delete;

  std::string dir() const { return std::string(Root); }
  std::string path(llvm::StringRef Name) const {
    llvm::SmallString<256> P(Root);
    llvm::sys::path::append(P, Name);
    return std::string(P);
  }
  std::string write(llvm::StringRef Name, llvm::StringRef Text) const {
    std::string P = path(Name);
    std::error_code EC;
    llvm::raw_fd_ostream OS(P, EC);
    EXPECT_FALSE(EC) << EC.message();
    OS << Text;
    return P;
  }
  void database(const std::vector<std::string> &Files, const std::vector<std::string> &Extra = {}) const {
    llvm::json::Array Commands;
    for (const std::string &F : Files) {
      llvm::json::Array Args{"c++", "-std=c++20", "-I" CYC_RUNTIME_INCLUDE_DIR};
      for (const std::string &E : Extra) Args.push_back(E);
      for (const char *A : {"-c", F.c_str(), "-o", "out.o"}) Args.push_back(A);
      Commands.push_back(llvm::json::Object{{"directory", dir()}, {"file", F}, {"arguments", std::move(Args)}});
    }
    std::string Text;
    llvm::raw_string_ostream(Text) << llvm::json::Value(std::move(Commands));
    write("compile_commands.json", Text);
  }

 private:
  llvm::SmallString<128> Root;
};

const char *CycleSource = "#include <memory>\n"
                          "#include <vector>\n"
                          "struct Node {\n"
                          "  std::vector<std::shared_ptr<Node>> kids;\n"
                          "  std::shared_ptr<Node> parent;\n"
                          "};\n";
const char *CleanSource = "#include <memory>\n"
                          "struct List { std::shared_ptr<List> next; };\n";

TEST(Cli, NoSubcommandIsAUsageError) {
  Result R = cyclops({});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_EQ(errors(R).size(), 1u) << R.Err;
  EXPECT_EQ(cyclops({"check", "--no-such-option"}).Exit, 2);
}

TEST(Cli, CheckNeedsABuildDirectory) {
  Result R = cyclops({"check"});
  EXPECT_EQ(R.Exit, 2);
  ASSERT_EQ(errors(R).size(), 1u) << R.Err;
  EXPECT_NE(R.Err.find("-p BUILD_DIR"), std::string::npos);
}

TEST(Cli, MissingCompilationDatabase) {
  Project P;
  Result R = cyclops({"check", "-p", P.dir()});
  EXPECT_EQ(R.Exit, 2);
  ASSERT_EQ(lines(R.Err).size(), 1u) << R.Err;
  EXPECT_NE(R.Err.find("no compile_commands.json in '" + P.dir() + "'"), std::string::npos) << R.Err;
  R = cyclops({"check", "-p", P.path("no-such-dir")});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_NE(R.Err.find("does not exist"), std::string::npos) << R.Err;
}

TEST(Cli, MalformedCompilationDatabase) {
  Project P;
  P.write("compile_commands.json", "[\n  {\"directory\": \"/tmp\",\n  \"file\": \"a.cpp\"\n");
  Result R = cyclops({"check", "-p", P.dir()});
  EXPECT_EQ(R.Exit, 2);
  ASSERT_EQ(lines(R.Err).size(), 1u) << R.Err;
  EXPECT_NE(R.Err.find("compile_commands.json' is malformed"), std::string::npos) << R.Err;
  EXPECT_TRUE(std::regex_search(R.Err, std::regex(R"(\[\d+:\d+, byte=\d+\])"))) << "says where: " << R.Err;

  P.write("compile_commands.json", "{\"file\": \"a.cpp\"}");
  R = cyclops({"check", "-p", P.dir()});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_NE(R.Err.find("expected an array"), std::string::npos) << R.Err;

  P.write("compile_commands.json", "[{\"directory\": \"/tmp\"}]");
  R = cyclops({"check", "-p", P.dir()});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_EQ(errors(R).size(), 1u) << R.Err;
  EXPECT_NE(R.Err.find("malformed"), std::string::npos) << R.Err;

  P.write("compile_commands.json", "[]");
  R = cyclops({"check", "-p", P.dir()});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_NE(R.Err.find("lists no translation units"), std::string::npos) << R.Err;
}

TEST(Cli, FileNotInTheDatabaseIsReportedAndTheRestAnalyzed) {
  Project P;
  std::string Listed = P.write("listed.cpp", CycleSource);
  std::string Unlisted = P.write("unlisted.cpp", CleanSource);
  P.database({Listed});
  Result R = cyclops({"check", "-p", P.dir(), Listed, Unlisted, P.path("missing.cpp")});
  EXPECT_EQ(R.Exit, 2);
  auto E = errors(R);
  ASSERT_EQ(E.size(), 2u) << R.Err;
  EXPECT_NE(E[0].find("unlisted.cpp' is not in the compilation database"), std::string::npos) << E[0];
  EXPECT_NE(E[1].find("missing.cpp': no such file"), std::string::npos) << E[1];
  EXPECT_NE(R.Out.find("[cyclops-cycle-type]"), std::string::npos) << "listed.cpp was analyzed:\n" << R.Out;
}

TEST(Cli, TranslationUnitThatDoesNotCompileIsNamedAndTheRestAnalyzed) {
  Project P;
  std::string Good = P.write("good.cpp", CycleSource);
  std::string Bad = P.write("bad.cpp", "#include <memory>\nstruct S { UnknownType member; };\n");
  std::string Missing = P.write("missing_header.cpp", "#include \"no_such_header.h\"\n");
  P.database({Good, Bad, Missing});
  Result R = cyclops({"check", "-p", P.dir(), "--format=json"});
  EXPECT_EQ(R.Exit, 2);
  auto E = errors(R);
  ASSERT_EQ(E.size(), 2u) << R.Err;
  EXPECT_NE(E[0].find(Bad + ": does not compile: " + Bad + ":2:12: error: unknown type name 'UnknownType'"),
            std::string::npos)
      << E[0];
  EXPECT_NE(E[1].find("missing_header.cpp:1:10: fatal error: 'no_such_header.h' file not found"), std::string::npos)
      << E[1];
  EXPECT_NE(R.Err.find("in 1 translation unit; 2 did not compile"), std::string::npos) << R.Err;
  auto Json = llvm::json::parse(R.Out);
  ASSERT_TRUE(static_cast<bool>(Json)) << llvm::toString(Json.takeError());
  EXPECT_EQ(Json->getAsObject()->getArray("findings")->size(), 1u) << R.Out;
}

TEST(Cli, BadRulesFiles) {
  Project P;
  std::string Src = P.write("a.cpp", CleanSource);
  P.database({Src});
  std::string Unknown = P.write("unknown.yaml", "base: default\nhandles:\n  - family: x\n    strong: [x::R]\n    colour: red\n");
  Result R = cyclops({"check", "-p", P.dir(), "--rules=" + Unknown});
  EXPECT_EQ(R.Exit, 2);
  ASSERT_EQ(lines(R.Err).size(), 1u) << R.Err;
  EXPECT_NE(R.Err.find(Unknown + ":5:5: unknown key 'colour'"), std::string::npos) << R.Err;

  std::string BadValue = P.write("bad.yaml", "rules:\n  - id: cycle-type\n    severity: loud\n");
  R = cyclops({"rules", "--rules=" + BadValue});
  EXPECT_EQ(R.Exit, 2);
  ASSERT_EQ(lines(R.Err).size(), 1u) << R.Err;
  EXPECT_NE(R.Err.find(BadValue + ":3:15: unknown enumerated scalar"), std::string::npos) << R.Err;

  R = cyclops({"check", "-p", P.dir(), "--rules=" + P.path("none.yaml")});
  EXPECT_EQ(R.Exit, 2);
  ASSERT_EQ(lines(R.Err).size(), 1u) << R.Err;
  EXPECT_NE(R.Err.find("cannot read rules file"), std::string::npos) << R.Err;
}

TEST(Cli, RulesListsEveryRule) {
  Result R = cyclops({"rules"});
  EXPECT_EQ(R.Exit, 0) << R.Err;
  for (const char *Id : {"cycle-instance", "capture-cycle", "cycle-type", "untraced-field", "missing-trace"}) {
    EXPECT_NE(R.Out.find(std::string(Id) + " "), std::string::npos) << Id << "\n" << R.Out;
    EXPECT_NE(R.Out.find(std::string("rules/docs/") + Id + ".md"), std::string::npos) << Id;
    std::string Doc = std::string(CYC_TESTDATA_DIR) + "/../../rules/docs/" + Id + ".md";
    EXPECT_TRUE(llvm::sys::fs::exists(Doc)) << Doc;
  }
  EXPECT_TRUE(std::regex_search(R.Out, std::regex("capture-cycle +warning .*not checked by this version"))) << R.Out;
  std::string Rules = "base: default\nrules:\n  - id: missing-trace\n    severity: error\n    enabled: false\n";
  Project P;
  R = cyclops({"rules", "--rules=" + P.write("r.yaml", Rules)});
  EXPECT_EQ(R.Exit, 0) << R.Err;
  EXPECT_TRUE(std::regex_search(R.Out, std::regex("missing-trace +error .*\\(disabled\\)"))) << R.Out;
}

TEST(Cli, ExitCodesFollowFailOn) {
  Project P;
  std::string Clean = P.write("clean.cpp", CleanSource);
  std::string Cycle = P.write("cycle.cpp", CycleSource);
  P.database({Clean, Cycle});
  EXPECT_EQ(cyclops({"check", "-p", P.dir(), Clean}).Exit, 0);
  EXPECT_EQ(cyclops({"check", "-p", P.dir(), Cycle}).Exit, 1);
  EXPECT_EQ(cyclops({"check", "-p", P.dir(), "--fail-on=error"}).Exit, 0);
  EXPECT_EQ(cyclops({"check", "-p", P.dir(), "--fail-on=note"}).Exit, 1);
  std::string Strict = P.write("strict.yaml", "base: default\nrules:\n  - id: cycle-type\n    severity: error\n");
  Result R = cyclops({"check", "-p", P.dir(), "--fail-on=error", "--rules=" + Strict});
  EXPECT_EQ(R.Exit, 1);
  EXPECT_NE(R.Out.find(": error: strong fields form a reference cycle"), std::string::npos) << R.Out;
}

// Two files with the same local function forming the same cycle: two findings, one per file
// (findings that agree in id are merged only when they are at the same place, as a finding
// in a header seen from several translation units is).
TEST(Cli, SameCycleInTwoFilesIsReportedInBoth) {
  Project P;
  const char *Source = "#include <vector>\n"
                       "#include <cyc/cyc.h>\n"
                       "namespace {\n"
                       "void fb() {\n"
                       "  auto li = cyc::make<std::vector<cyc::Handle<>>>();\n"
                       "  li->push_back(li);\n"
                       "}\n"
                       "}  // namespace\n"
                       "int use() { fb(); return 0; }\n";
  std::string A = P.write("first.cpp", Source);
  std::string B = P.write("second.cpp", Source);
  P.database({A, B});
  Result R = cyclops({"check", "-p", P.dir(), "--format=json"});
  EXPECT_EQ(R.Exit, 1) << R.Err;
  EXPECT_NE(R.Out.find("first.cpp"), std::string::npos) << R.Out;
  EXPECT_NE(R.Out.find("second.cpp"), std::string::npos) << R.Out;
}

TEST(Cli, TextOutputIsClangsDiagnosticFormat) {
  Project P;
  std::string Src = P.write("node.cpp", CycleSource);
  P.database({Src});
  Result R = cyclops({"check", "-p", P.dir()});
  EXPECT_EQ(R.Exit, 1);
  auto L = lines(R.Out);
  ASSERT_GE(L.size(), 5u) << R.Out;
  EXPECT_EQ(L[0], Src + ":5:25: warning: strong fields form a reference cycle: Node.kids -> Node.parent -> (Node) "
                        "[cyclops-cycle-type]");
  EXPECT_EQ(L[1], "    5 |   std::shared_ptr<Node> parent;");
  EXPECT_NE(R.Out.find("std::weak_ptr"), std::string::npos) << "the fix-it:\n" << R.Out;
  EXPECT_NE(R.Out.find(Src + ":4:38: note: 'Node::kids' holds a strong reference to 'Node'"), std::string::npos)
      << R.Out;
  EXPECT_NE(R.Out.find(Src + ":5:25: note: 'Node::parent' holds a strong reference to 'Node'; it closes the cycle"),
            std::string::npos)
      << R.Out;
  EXPECT_EQ(R.Err, "cyclops: 1 finding in 1 translation unit\n");
}

TEST(Cli, JsonOutputHasTheDesignedShapeAndStableIds) {
  Project P;
  std::string Src = P.write("node.cpp", CycleSource);
  P.database({Src});
  std::string Report = P.path("report.json");
  Result R = cyclops({"check", "-p", P.dir(), "--format=json", "-o", Report});
  EXPECT_EQ(R.Exit, 1);
  EXPECT_TRUE(R.Out.empty()) << "-o writes the file, not stdout";
  auto Json = llvm::json::parse(slurp(Report));
  ASSERT_TRUE(static_cast<bool>(Json)) << llvm::toString(Json.takeError());
  const llvm::json::Object *Root = Json->getAsObject();
  ASSERT_TRUE(Root);
  EXPECT_EQ(Root->size(), 1u);
  const llvm::json::Array *Findings = Root->getArray("findings");
  ASSERT_TRUE(Findings);
  ASSERT_EQ(Findings->size(), 1u);
  const llvm::json::Object &F = *(*Findings)[0].getAsObject();
  std::set<std::string> Keys;
  for (const auto &KV : F) Keys.insert(KV.first.str());
  EXPECT_EQ(Keys, (std::set<std::string>{"rule", "severity", "message", "file", "line", "column", "id", "path"}));
  EXPECT_EQ(F.getString("rule"), "cycle-type");
  EXPECT_EQ(F.getString("severity"), "warning");
  EXPECT_EQ(F.getString("file"), Src);
  EXPECT_EQ(F.getInteger("line"), 5);
  EXPECT_EQ(F.getInteger("column"), 25);
  std::string Id = F.getString("id")->str();
  EXPECT_TRUE(std::regex_match(Id, std::regex("[0-9a-f]{16}"))) << Id;
  const llvm::json::Array *Path = F.getArray("path");
  ASSERT_TRUE(Path);
  ASSERT_EQ(Path->size(), 2u);
  for (const llvm::json::Value &Step : *Path) {
    const llvm::json::Object &S = *Step.getAsObject();
    std::set<std::string> StepKeys;
    for (const auto &KV : S) StepKeys.insert(KV.first.str());
    EXPECT_EQ(StepKeys, (std::set<std::string>{"type", "field", "file", "line"}));
    EXPECT_EQ(S.getString("type"), "Node");
  }
  EXPECT_EQ((*Path)[0].getAsObject()->getString("field"), "kids");
  EXPECT_EQ((*Path)[1].getAsObject()->getString("field"), "parent");

  // An unrelated edit that moves every line leaves the id alone.
  P.write("node.cpp", std::string("// a comment\n\n#include <string>\nstd::string unrelated;\n") + CycleSource);
  R = cyclops({"check", "-p", P.dir(), "--format=json"});
  auto Again = llvm::json::parse(R.Out);
  ASSERT_TRUE(static_cast<bool>(Again)) << llvm::toString(Again.takeError());
  const llvm::json::Object &G = *(*Again->getAsObject()->getArray("findings"))[0].getAsObject();
  EXPECT_EQ(G.getInteger("line"), 9);
  EXPECT_EQ(G.getString("id")->str(), Id);
}

TEST(Cli, SuppressionComment) {
  Project P;
  std::string Text = CycleSource;
  Text.replace(Text.find("parent;"), 7, "parent;  // cyclops: ignore(cycle-type)");
  std::string Src = P.write("node.cpp", Text);
  P.database({Src});
  Result R = cyclops({"check", "-p", P.dir()});
  EXPECT_EQ(R.Exit, 0) << R.Out;
  EXPECT_EQ(R.Err, "cyclops: 0 findings (1 suppressed) in 1 translation unit\n");
}

// clang's builtin headers (stddef.h, stdarg.h, ...) come from the resource directory of
// the Clang cyclops links, which a tool built outside LLVM's tree must find by itself and
// pass to every compile command that does not name one.
TEST(Cli, FindsClangsBuiltinHeaders) {
  Project P;
  std::string Src = P.write("builtins.cpp", std::string("#include <stdarg.h>\n#include <stddef.h>\n#include <stdint.h>\n"
                                                        "#include <cstddef>\n#include <atomic>\n"
                                                        "inline int sum(int n, ...) { va_list a; va_start(a, n);"
                                                        " int s = va_arg(a, int); va_end(a); return s; }\n"
                                                        "static_assert(alignof(max_align_t) >= 8);\n") +
                                                CycleSource);
  P.database({Src});
  Result R = cyclops({"check", "-p", P.dir()});
  EXPECT_EQ(R.Exit, 1) << R.Err;
  EXPECT_TRUE(errors(R).empty()) << R.Err;

  // An explicit directory that is not one is an error, said once.
  R = cyclops({"check", "-p", P.dir()}, {"CYCLOPS_RESOURCE_DIR=" + P.dir()});
  EXPECT_EQ(R.Exit, 2);
  ASSERT_EQ(lines(R.Err).size(), 1u) << R.Err;
  EXPECT_NE(R.Err.find("CYCLOPS_RESOURCE_DIR '" + P.dir() + "' is not a clang resource directory"), std::string::npos)
      << R.Err;
  R = cyclops({"check", "-p", P.dir(), "--resource-dir=" + P.dir()});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_NE(R.Err.find("--resource-dir '"), std::string::npos) << R.Err;
}

// The directory chosen really reaches the parser: a stand-in resource directory whose
// stddef.h defines a marker is used when given, by the environment or by the command.
TEST(Cli, PassesTheResourceDirectoryToEveryCompileCommand) {
  Project P;
  llvm::sys::fs::create_directories(P.path("fake-resource/include"));
  P.write("fake-resource/include/stddef.h", "#define CYCLOPS_FAKE_RESOURCE_DIR 1\ntypedef __SIZE_TYPE__ size_t;\n");
  std::string Fake = P.path("fake-resource");
  std::string Src = P.write("marker.cpp", "#include <stddef.h>\n"
                                          "#ifndef CYCLOPS_FAKE_RESOURCE_DIR\n"
                                          "#error the stand-in resource directory was not used\n"
                                          "#endif\n"
                                          "size_t n;\n");
  P.database({Src});
  Result R = cyclops({"check", "-p", P.dir()});
  EXPECT_EQ(R.Exit, 2) << "by default cyclops uses clang's own directory, without the marker";
  EXPECT_NE(R.Err.find("error: the stand-in resource directory was not used"), std::string::npos) << R.Err;
  R = cyclops({"check", "-p", P.dir()}, {"CYCLOPS_RESOURCE_DIR=" + Fake});
  EXPECT_EQ(R.Exit, 0) << R.Err;
  R = cyclops({"check", "-p", P.dir(), "--resource-dir=" + Fake});
  EXPECT_EQ(R.Exit, 0) << R.Err;
  // A compile command that names its own -resource-dir keeps it.
  P.database({Src}, {"-resource-dir=" + Fake});
  R = cyclops({"check", "-p", P.dir()});
  EXPECT_EQ(R.Exit, 0) << R.Err;
}

TEST(Cli, MultiTranslationUnitProjectInParallel) {
  Result One = cyclops({"check", "-p", CYC_MULTI_TU_BUILD_DIR, "--format=json", "-j1"});
  Result Two = cyclops({"check", "-p", CYC_MULTI_TU_BUILD_DIR, "--format=json", "-j", "2"});
  EXPECT_EQ(One.Exit, 1) << One.Err;
  EXPECT_EQ(Two.Exit, 1) << Two.Err;
  EXPECT_EQ(One.Out, Two.Out);
  auto Json = llvm::json::parse(One.Out);
  ASSERT_TRUE(static_cast<bool>(Json)) << llvm::toString(Json.takeError());
  const llvm::json::Array &Findings = *Json->getAsObject()->getArray("findings");
  ASSERT_EQ(Findings.size(), 1u) << One.Out;
  const llvm::json::Array &Path = *Findings[0].getAsObject()->getArray("path");
  ASSERT_EQ(Path.size(), 3u);
  std::vector<std::string> Types;
  for (const auto &S : Path) Types.push_back(S.getAsObject()->getString("type")->str());
  EXPECT_EQ(Types, (std::vector<std::string>{"mtu::Account", "mtu::Ledger", "mtu::Owner"}));
  EXPECT_NE(One.Err.find("in 3 translation units"), std::string::npos) << One.Err;
}

}  // namespace
}  // namespace cyclops::test
