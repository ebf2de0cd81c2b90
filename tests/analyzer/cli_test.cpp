// The `cyclops` binary as users and CI run it: exit codes, output formats, and a clear
// one-line error for every kind of bad input.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pty.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <future>
#include <map>
#include <optional>
#include <random>
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

#include "CliRunner.h"
#include "io/OutputFile.h"

extern char **environ;

namespace cyclops::test {
namespace {

// Runs cyclops with its stdout on a pseudo-terminal (TERM=xterm): what a user at a terminal
// sees. Returns what it printed there, or nullopt when no terminal could be opened.
std::optional<std::string> cyclopsOnTerminal(const std::vector<std::string> &Args) {
  int Master = -1, Slave = -1;
  if (openpty(&Master, &Slave, nullptr, nullptr, nullptr) != 0) return std::nullopt;
  posix_spawn_file_actions_t Actions;
  posix_spawn_file_actions_init(&Actions);
  posix_spawn_file_actions_adddup2(&Actions, Slave, STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&Actions, Master);
  posix_spawn_file_actions_addopen(&Actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  std::vector<std::string> Strings{CYCLOPS_BINARY};
  Strings.insert(Strings.end(), Args.begin(), Args.end());
  std::vector<char *> Argv;
  for (std::string &A : Strings) Argv.push_back(A.data());
  Argv.push_back(nullptr);
  std::vector<std::string> EnvStrings{"TERM=xterm"};
  for (char **E = environ; *E; ++E)
    if (!llvm::StringRef(*E).starts_with("TERM=")) EnvStrings.push_back(*E);
  std::vector<char *> Envp;
  for (std::string &E : EnvStrings) Envp.push_back(E.data());
  Envp.push_back(nullptr);
  pid_t Pid = 0;
  int Spawned = posix_spawn(&Pid, CYCLOPS_BINARY, &Actions, nullptr, Argv.data(), Envp.data());
  posix_spawn_file_actions_destroy(&Actions);
  close(Slave);
  std::string Out;
  if (Spawned == 0) {
    // Read until the terminal's last writer is gone (EIO), then reap the child.
    char Buffer[4096];
    for (;;) {
      ssize_t N = read(Master, Buffer, sizeof Buffer);
      if (N > 0) Out.append(Buffer, static_cast<size_t>(N));
      else if (N < 0 && errno == EINTR) continue;
      else break;
    }
    int Status = 0;
    waitpid(Pid, &Status, 0);
  }
  close(Master);
  if (Spawned != 0) return std::nullopt;
  return Out;
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
  CliResult R = cyclops({});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_EQ(errorLines(R).size(), 1u) << R.Err;
  EXPECT_EQ(cyclops({"check", "--no-such-option"}).Exit, 2);
}

TEST(Cli, CheckNeedsABuildDirectory) {
  CliResult R = cyclops({"check"});
  EXPECT_EQ(R.Exit, 2);
  ASSERT_EQ(errorLines(R).size(), 1u) << R.Err;
  EXPECT_NE(R.Err.find("-p BUILD_DIR"), std::string::npos);
}

TEST(Cli, MissingCompilationDatabase) {
  Project P;
  CliResult R = cyclops({"check", "-p", P.dir()});
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
  CliResult R = cyclops({"check", "-p", P.dir()});
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
  EXPECT_EQ(errorLines(R).size(), 1u) << R.Err;
  EXPECT_NE(R.Err.find("malformed"), std::string::npos) << R.Err;

  P.write("compile_commands.json", "[]");
  R = cyclops({"check", "-p", P.dir()});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_NE(R.Err.find("lists no translation units"), std::string::npos) << R.Err;
}

// The notes ("cyclops: note: ...") of a run's stderr.
std::vector<std::string> noteLines(const CliResult &R) {
  std::vector<std::string> Notes;
  for (const std::string &L : lines(R.Err))
    if (llvm::StringRef(L).starts_with("cyclops: note: ")) Notes.push_back(L);
  return Notes;
}

// A header or a test the database does not list gets the command of the nearest file it
// lists (clang's inference, as clangd's): its flags, here a define and an include directory.
TEST(Cli, FileNotInTheDatabaseGetsTheCommandOfTheNearestListedFile) {
  Project P;
  llvm::sys::fs::create_directories(P.path("src"));
  llvm::sys::fs::create_directories(P.path("include/proj"));
  llvm::sys::fs::create_directories(P.path("test"));
  std::string Listed = P.write("src/listed.cpp", "#include <proj/node.h>\n");
  std::string Header = P.write("include/proj/node.h", std::string("#pragma once\n#ifndef PROJECT_FLAG\n"
                                                                  "#error not parsed with the project's command\n"
                                                                  "#endif\n") + CycleSource);
  std::string TestFile = P.write("test/node_test.cpp", "#include <proj/node.h>\nint main() { Node n; }\n");
  P.database({Listed}, {"-DPROJECT_FLAG", "-I" + P.path("include")});

  CliResult R = cyclops({"check", "-p", P.dir(), "--no-cache", Header, TestFile, P.path("missing.cpp")});
  EXPECT_EQ(R.Exit, 2) << "missing.cpp is an error";
  auto E = errorLines(R);
  ASSERT_EQ(E.size(), 1u) << R.Err;
  EXPECT_NE(E[0].find("missing.cpp': no such file"), std::string::npos) << E[0];
  auto N = noteLines(R);
  ASSERT_EQ(N.size(), 2u) << R.Err;
  EXPECT_EQ(N[0], "cyclops: note: '" + Header + "' is not in the compilation database: parsed with the command of '" +
                      Listed + "'");
  EXPECT_NE(N[1].find("'" + TestFile + "' is not in the compilation database: parsed with the command of '"),
            std::string::npos)
      << N[1];
  EXPECT_NE(R.Err.find("in 2 translation units"), std::string::npos) << R.Err;
  EXPECT_EQ(R.Err.find("did not compile"), std::string::npos) << R.Err;
  EXPECT_NE(R.Out.find(Header + ":9:25: warning:"), std::string::npos) << "the header was analyzed:\n" << R.Out;
  // The JSON report names the missing file among its errors, as requested.
  std::string Missing = P.path("missing.cpp");
  R = cyclops({"check", "-p", P.dir(), "--format=json", Header, Missing});
  EXPECT_EQ(R.Exit, 2) << R.Err;
  auto Json = llvm::json::parse(R.Out);
  ASSERT_TRUE(static_cast<bool>(Json)) << llvm::toString(Json.takeError());
  const llvm::json::Array *Errors = Json->getAsObject()->getArray("errors");
  ASSERT_TRUE(Errors && Errors->size() == 1u) << R.Out;
  EXPECT_EQ((*Errors)[0].getAsObject()->getString("file"), Missing) << R.Out;
  EXPECT_EQ((*Errors)[0].getAsObject()->getString("message"), "'" + Missing + "': no such file") << R.Out;

  // Alone, the header is one translation unit with a finding; the whole database stays as listed.
  R = cyclops({"check", "-p", P.dir(), "--no-cache", Header});
  EXPECT_EQ(R.Exit, 1) << R.Err;
  EXPECT_NE(R.Err.find("cyclops: 1 finding in 1 translation unit"), std::string::npos) << R.Err;
  R = cyclops({"check", "-p", P.dir(), "--no-cache"});
  EXPECT_EQ(R.Exit, 1) << R.Err;
  EXPECT_TRUE(noteLines(R).empty()) << R.Err;
  EXPECT_NE(R.Err.find("in 1 translation unit"), std::string::npos) << R.Err;
}

// A project built with GCC: flags clang does not know are dropped, named once.
TEST(Cli, ArgumentsClangDoesNotKnowAreDroppedWithOneNote) {
  Project P;
  std::string A = P.write("a.cpp", CycleSource);
  std::string B = P.write("b.cpp", CleanSource);
  P.database({A, B}, {"-fconcepts-diagnostics-depth=3", "-fno-lifetime-dse", "-Wall", "-mno-direct-extern-access"});
  CliResult R = cyclops({"check", "-p", P.dir(), "--no-cache"});
  EXPECT_EQ(R.Exit, 1) << R.Err;
  EXPECT_TRUE(errorLines(R).empty()) << R.Err;
  EXPECT_EQ(noteLines(R), std::vector<std::string>{"cyclops: note: ignored arguments clang does not know: "
                                                   "-fconcepts-diagnostics-depth=3, -fno-lifetime-dse, "
                                                   "-mno-direct-extern-access (from 2 commands)"})
      << R.Err;
  EXPECT_NE(R.Err.find("1 finding in 2 translation units"), std::string::npos) << R.Err;

  // cyclops facts too.
  R = cyclops({"facts", "-p", P.dir(), A, "-o", P.path("facts/a.facts")});
  EXPECT_EQ(R.Exit, 0) << R.Err;
  EXPECT_NE(R.Err.find("cyclops: note: ignored arguments clang does not know: -fconcepts-diagnostics-depth=3, "
                       "-fno-lifetime-dse, -mno-direct-extern-access (from 1 command)"),
            std::string::npos)
      << R.Err;
}

// --extra-arg goes at the end of every command, --extra-arg-before right after the
// compiler: of two definitions the later wins. The cache is keyed by the command clang gets,
// so a cached run without them does not answer a run with them.
TEST(Cli, ExtraArgumentsReachEveryCompileCommand) {
  Project P;
  std::string Src = P.write("cond.cpp", std::string("#if WITH_CYCLE\n") + CycleSource + "#endif\n");
  P.database({Src}, {"-DWITH_CYCLE=0"});
  CliResult R = cyclops({"check", "-p", P.dir()});
  EXPECT_EQ(R.Exit, 0) << R.Err;
  EXPECT_NE(R.Err.find("cyclops: 0 findings in 1 translation unit"), std::string::npos) << R.Err;
  R = cyclops({"check", "-p", P.dir(), "--extra-arg=-DWITH_CYCLE=1"});
  EXPECT_EQ(R.Exit, 1) << R.Err;
  EXPECT_NE(R.Err.find("cyclops: 1 finding in 1 translation unit\n"), std::string::npos) << "not from the cache: " << R.Err;
  R = cyclops({"check", "-p", P.dir(), "--extra-arg-before=-DWITH_CYCLE=1"});
  EXPECT_EQ(R.Exit, 0) << "the database's -DWITH_CYCLE=0 comes later: " << R.Err;
  R = cyclops({"check", "-p", P.dir(), "--no-cache", "--extra-arg-before=-UNOTHING", "--extra-arg=-UWITH_CYCLE",
               "--extra-arg=-DWITH_CYCLE=1"});
  EXPECT_EQ(R.Exit, 1) << "repeatable, in order: " << R.Err;

  P.database({Src});  // #if of an undefined name: false
  R = cyclops({"check", "-p", P.dir(), "--no-cache", "--extra-arg-before=-DWITH_CYCLE"});
  EXPECT_EQ(R.Exit, 1) << R.Err;

  // cyclops facts takes them too; check --facts does not (nothing is compiled).
  std::string Facts = P.path("facts/cond.facts");
  R = cyclops({"facts", "-p", P.dir(), Src, "-o", Facts, "--extra-arg=-DWITH_CYCLE"});
  EXPECT_EQ(R.Exit, 0) << R.Err;
  R = cyclops({"check", "--facts=" + P.path("facts")});
  EXPECT_EQ(R.Exit, 1) << R.Err;
  R = cyclops({"check", "--facts=" + P.path("facts"), "--extra-arg=-DX"});
  EXPECT_EQ(R.Exit, 2);
  ASSERT_EQ(errorLines(R).size(), 1u) << R.Err;
  EXPECT_NE(R.Err.find("--extra-arg"), std::string::npos) << R.Err;
}

const llvm::json::Object *object(const llvm::json::Value *V);
const llvm::json::Object *sarifRun(std::optional<llvm::json::Value> &Doc, const std::string &Text);

// A limit that cuts the search is in every report: the summary note, JSON's "truncated", and a
// SARIF notification, which leaves the invocation successful.
TEST(Cli, ACutSearchIsInEveryFormat) {
  Project P;
  std::string Dense = P.write("dense.cpp",
                              "#include <memory>\n"
                              "struct B; struct C;\n"
                              "struct A { std::shared_ptr<B> b; std::shared_ptr<C> c; };\n"
                              "struct B { std::shared_ptr<A> a; std::shared_ptr<C> c; };\n"
                              "struct C { std::shared_ptr<A> a; std::shared_ptr<B> b; };\n");
  P.database({Dense});
  std::string Rules = P.write("r.yaml", "base: default\ncycle_type:\n  max_cycles: 1\n");
  CliResult R = cyclops({"check", "-p", P.dir(), "--format=json", "--rules=" + Rules});
  EXPECT_EQ(R.Exit, 1) << R.Err;
  EXPECT_NE(R.Err.find("cyclops: note: cycle-type: stopped after 1 cycles"), std::string::npos) << R.Err;
  auto Json = llvm::json::parse(R.Out);
  ASSERT_TRUE(static_cast<bool>(Json)) << llvm::toString(Json.takeError());
  const llvm::json::Array *Truncated = Json->getAsObject()->getArray("truncated");
  ASSERT_TRUE(Truncated) << R.Out;
  ASSERT_EQ(Truncated->size(), 1u) << R.Out;
  const llvm::json::Object &T = *(*Truncated)[0].getAsObject();
  EXPECT_EQ(T.getString("rule"), "cycle-type");
  EXPECT_EQ(T.getString("setting"), "cycle_type.max_cycles");
  EXPECT_NE(T.getString("message")->find("stopped after 1 cycles"), llvm::StringRef::npos) << R.Out;

  R = cyclops({"check", "-p", P.dir(), "--format=sarif", "--rules=" + Rules});
  std::optional<llvm::json::Value> Doc;
  const llvm::json::Object *Run = sarifRun(Doc, R.Out);
  ASSERT_TRUE(Run);
  const llvm::json::Object &Invocation = *(*Run->getArray("invocations"))[0].getAsObject();
  EXPECT_EQ(Invocation.getBoolean("executionSuccessful"), true) << R.Out;
  const llvm::json::Array *Notifications = Invocation.getArray("toolExecutionNotifications");
  ASSERT_TRUE(Notifications) << R.Out;
  ASSERT_EQ(Notifications->size(), 1u) << R.Out;
  const llvm::json::Object &N = *(*Notifications)[0].getAsObject();
  EXPECT_EQ(N.getString("level"), "warning");
  EXPECT_EQ(object(N.get("associatedRule"))->getString("id"), "cycle-type");
  EXPECT_NE(object(N.get("message"))->getString("text")->find("cycle_type.max_cycles"), llvm::StringRef::npos);

  // Without the cut, neither report has it.
  R = cyclops({"check", "-p", P.dir(), "--format=json"});
  Json = llvm::json::parse(R.Out);
  ASSERT_TRUE(static_cast<bool>(Json)) << llvm::toString(Json.takeError());
  EXPECT_FALSE(Json->getAsObject()->get("truncated")) << R.Out;
}

TEST(Cli, TranslationUnitThatDoesNotCompileIsNamedAndTheRestAnalyzed) {
  Project P;
  std::string Good = P.write("good.cpp", CycleSource);
  std::string Bad = P.write("bad.cpp", "#include <memory>\nstruct S { UnknownType member; };\n");
  std::string Missing = P.write("missing_header.cpp", "#include \"no_such_header.h\"\n");
  P.database({Good, Bad, Missing});
  CliResult R = cyclops({"check", "-p", P.dir(), "--format=json"});
  EXPECT_EQ(R.Exit, 2);
  auto E = errorLines(R);
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
  // The report says so too: a CI that reads only it does not take the run for a clean one.
  const llvm::json::Array *Errors = Json->getAsObject()->getArray("errors");
  ASSERT_TRUE(Errors) << R.Out;
  ASSERT_EQ(Errors->size(), 2u) << R.Out;
  std::map<std::string, std::string> MessageOf;
  for (const llvm::json::Value &V : *Errors) {
    const llvm::json::Object &Error = *V.getAsObject();
    EXPECT_EQ(Error.size(), 2u) << R.Out;
    MessageOf[Error.getString("file")->str()] = Error.getString("message")->str();
  }
  EXPECT_EQ(MessageOf[Bad], Bad + ":2:12: error: unknown type name 'UnknownType'") << R.Out;
  EXPECT_NE(MessageOf[Missing].find("missing_header.cpp:1:10: fatal error: 'no_such_header.h' file not found"),
            std::string::npos)
      << R.Out;
  for (const auto &[File, Message] : MessageOf) EXPECT_EQ(Message.find('\n'), std::string::npos) << Message;

  // SARIF: the invocation failed, with one notification per translation unit.
  R = cyclops({"check", "-p", P.dir(), "--format=sarif"});
  EXPECT_EQ(R.Exit, 2);
  std::optional<llvm::json::Value> Doc;
  const llvm::json::Object *Run = sarifRun(Doc, R.Out);
  ASSERT_TRUE(Run);
  EXPECT_EQ(Run->getArray("results")->size(), 1u) << R.Out;
  ASSERT_TRUE(Run->getArray("invocations")) << R.Out;
  ASSERT_EQ(Run->getArray("invocations")->size(), 1u) << R.Out;
  const llvm::json::Object &Invocation = *(*Run->getArray("invocations"))[0].getAsObject();
  EXPECT_EQ(Invocation.getBoolean("executionSuccessful"), false) << R.Out;
  const llvm::json::Array *Notifications = Invocation.getArray("toolExecutionNotifications");
  ASSERT_TRUE(Notifications) << R.Out;
  ASSERT_EQ(Notifications->size(), 2u) << R.Out;
  std::set<std::string> Named;
  for (const llvm::json::Value &V : *Notifications) {
    const llvm::json::Object &N = *V.getAsObject();
    EXPECT_EQ(N.getString("level"), "error");
    const llvm::json::Object *Physical =
        object((*N.getArray("locations"))[0].getAsObject()->get("physicalLocation"));
    ASSERT_TRUE(Physical) << R.Out;
    std::string Uri = object(Physical->get("artifactLocation"))->getString("uri")->str();
    std::string Text = object(N.get("message"))->getString("text")->str();
    EXPECT_NE(Text.find(" error: "), std::string::npos) << Text;
    Named.insert(llvm::sys::path::filename(Uri).str());
  }
  EXPECT_EQ(Named, (std::set<std::string>{"bad.cpp", "missing_header.cpp"}));
}

TEST(Cli, BadRulesFiles) {
  Project P;
  std::string Src = P.write("a.cpp", CleanSource);
  P.database({Src});
  std::string Unknown = P.write("unknown.yaml", "base: default\nhandles:\n  - family: x\n    strong: [x::R]\n    colour: red\n");
  CliResult R = cyclops({"check", "-p", P.dir(), "--rules=" + Unknown});
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

// Whatever a rules file holds, a file that is not rules is one line naming the file, line and
// column, and exit 2 (LLVM's YAML reader crashed on some: a closing brace, an alias).
TEST(Cli, MalformedRulesFilesAreOneLineAndExitTwo) {
  Project P;
  std::mt19937 Random(7);
  std::string Bytes(512, '\0');
  for (char &C : Bytes) C = static_cast<char>(Random() % 256);
  const std::vector<std::pair<std::string, std::string>> Files = {
      {"brace.yaml", "}"},
      {"quote.yaml", "\"abc"},
      {"alias.yaml", "*a"},
      {"at.yaml", "@"},
      {"random.yaml", Bytes},
      {"empty.yaml", ""},
      {"tabs.yaml", "handles:\n\t- family: x\n\t  strong: [x::R]\n"},
      {"deep.yaml", "handles: " + std::string(100000, '[') + std::string(100000, ']') + "\n"},
      {"two-documents.yaml", "base: default\n---\nbase: none\n"},
  };
  for (const auto &[Name, Text] : Files) {
    std::string Path = P.write(Name, Text);
    CliResult R = cyclops({"rules", "--rules=" + Path});
    EXPECT_EQ(R.Exit, 2) << Name << ": " << R.Err;
    ASSERT_EQ(lines(R.Err).size(), 1u) << Name << ": " << R.Err;
    const std::string Prefix = "cyclops: error: " + Path + ":";
    ASSERT_TRUE(llvm::StringRef(R.Err).starts_with(Prefix)) << Name << ": " << R.Err;
    EXPECT_TRUE(std::regex_match(R.Err.substr(Prefix.size()), std::regex("[0-9]+:[0-9]+: [^\n]+\n")))
        << Name << ": " << R.Err;
  }
  std::string Src = P.write("a.cpp", CleanSource);
  P.database({Src});
  CliResult R = cyclops({"check", "-p", P.dir(), "--rules=" + P.path("brace.yaml")});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_EQ(R.Err, "cyclops: error: " + P.path("brace.yaml") + ":1:1: Unexpected token\n");
}

// LLVM's JSON parser recurses once per level: input nested too deeply for it is an error, the
// same as any malformed input.
TEST(Cli, DeeplyNestedJsonInputsAreOneLineErrors) {
  Project P;
  const std::string Deep = std::string(1000000, '[') + std::string(1000000, ']');
  std::string Base = P.write("baseline.json", "{\"version\": 1, \"findings\": " + Deep + "}");
  std::string Src = P.write("a.cpp", CleanSource);
  P.database({Src});
  CliResult R = cyclops({"check", "-p", P.dir(), "--baseline=" + Base});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_EQ(R.Err, "cyclops: error: baseline '" + Base +
                       "' is malformed: [1:126, byte=126]: nested deeper than 100 levels\n");
  P.write("compile_commands.json", Deep);
  R = cyclops({"check", "-p", P.dir()});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_EQ(R.Err, "cyclops: error: '" + P.path("compile_commands.json") +
                       "' is malformed: [1:100, byte=100]: nested deeper than 100 levels\n");
}

TEST(Cli, RulesListsEveryRule) {
  CliResult R = cyclops({"rules"});
  EXPECT_EQ(R.Exit, 0) << R.Err;
  for (const char *Id : {"cycle-instance", "capture-cycle", "cycle-type", "untraced-field", "missing-trace"}) {
    EXPECT_NE(R.Out.find(std::string(Id) + " "), std::string::npos) << Id << "\n" << R.Out;
    EXPECT_NE(R.Out.find(std::string("cyclops rules --explain=") + Id), std::string::npos) << Id;
    // --explain prints rules/docs/<id>.md, as compiled in.
    std::string Doc = std::string(CYC_TESTDATA_DIR) + "/../../rules/docs/" + Id + ".md";
    auto Text = llvm::MemoryBuffer::getFile(Doc);
    ASSERT_TRUE(bool(Text)) << Doc;
    CliResult E = cyclops({"rules", std::string("--explain=") + Id});
    EXPECT_EQ(E.Exit, 0) << E.Err;
    EXPECT_EQ(E.Out, (*Text)->getBuffer().str()) << Id;
  }
  CliResult Unknown = cyclops({"rules", "--explain=no-such-rule"});
  EXPECT_EQ(Unknown.Exit, 2);
  EXPECT_NE(Unknown.Err.find("--explain: unknown rule 'no-such-rule'"), std::string::npos) << Unknown.Err;
  EXPECT_EQ(R.Out.find("not checked by this version"), std::string::npos) << R.Out;
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
  CliResult R = cyclops({"check", "-p", P.dir(), "--fail-on=error", "--rules=" + Strict});
  EXPECT_EQ(R.Exit, 1);
  EXPECT_NE(R.Out.find(": error: strong fields form a reference cycle"), std::string::npos) << R.Out;
}

// A function local to its file (anonymous namespace) that inserts a list into itself.
constexpr const char LocalSelfInsertion[] = "#include <vector>\n"
                                            "#include <cyc/cyc.h>\n"
                                            "namespace {\n"
                                            "void fb() {\n"
                                            "  auto li = cyc::make<std::vector<cyc::Handle<>>>();\n"
                                            "  li->push_back(li);\n"
                                            "}\n"
                                            "}  // namespace\n"
                                            "int use() { fb(); return 0; }\n";

// Two files with the same local function forming the same cycle: two findings, one per file
// (findings that agree in id are merged only when they are at the same place, as a finding
// in a header seen from several translation units is).
TEST(Cli, SameCycleInTwoFilesIsReportedInBoth) {
  Project P;
  std::string A = P.write("first.cpp", LocalSelfInsertion);
  std::string B = P.write("second.cpp", LocalSelfInsertion);
  P.database({A, B});
  CliResult R = cyclops({"check", "-p", P.dir(), "--format=json"});
  EXPECT_EQ(R.Exit, 1) << R.Err;
  EXPECT_NE(R.Out.find("first.cpp"), std::string::npos) << R.Out;
  EXPECT_NE(R.Out.find("second.cpp"), std::string::npos) << R.Out;
}

TEST(Cli, TextOutputIsClangsDiagnosticFormat) {
  Project P;
  std::string Src = P.write("node.cpp", CycleSource);
  P.database({Src});
  CliResult R = cyclops({"check", "-p", P.dir()});
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
  CliResult R = cyclops({"check", "-p", P.dir(), "--format=json", "-o", Report});
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

// A cycle-type finding with a fix-it, and a cycle-instance finding whose note is at the
// place of the finding itself (clang skips the source line of such a note unless told).
const char *TwoRulesSource = "#include <memory>\n"
                             "#include <vector>\n"
                             "#include <cyc/cyc.h>\n"
                             "struct Node {\n"
                             "  std::vector<std::shared_ptr<Node>> kids;\n"
                             "  std::shared_ptr<Node> parent;\n"
                             "};\n"
                             "void fb() {\n"
                             "  auto li = cyc::make<std::vector<cyc::Handle<>>>();\n"
                             "  li->push_back(li);\n"
                             "}\n";

TEST(Cli, TextOutputShowsTheSourceLineAndACaretForEveryDiagnostic) {
  Project P;
  std::string Src = P.write("two.cpp", TwoRulesSource);
  P.database({Src});
  CliResult R = cyclops({"check", "-p", P.dir()});
  EXPECT_EQ(R.Exit, 1) << R.Err;
  std::vector<std::string> L = lines(R.Out);
  std::vector<std::string> Source = lines(TwoRulesSource);
  const std::regex Diagnostic("^(.*):([0-9]+):([0-9]+): (warning|error|note): .*");
  std::set<std::string> Kinds;
  unsigned Diagnostics = 0;
  for (size_t I = 0; I < L.size(); ++I) {
    std::smatch M;
    if (!std::regex_match(L[I], M, Diagnostic)) continue;
    ++Diagnostics;
    Kinds.insert(M[4]);
    EXPECT_EQ(M[1], Src);
    unsigned Line = std::stoul(M[2]), Column = std::stoul(M[3]);
    ASSERT_LT(I + 2, L.size()) << "no source line after: " << L[I];
    ASSERT_GE(Line, 1u);
    ASSERT_LE(Line, Source.size());
    // "    6 |   std::shared_ptr<Node> parent;" then "      |   ~~~~~~~~~~~~~~~      ^~~~~~"
    std::string Expected = std::to_string(Line) + " | " + Source[Line - 1];
    EXPECT_TRUE(llvm::StringRef(L[I + 1]).ends_with(Expected)) << L[I] << "\n" << L[I + 1];
    size_t Bar = L[I + 1].find(" | ");
    ASSERT_NE(Bar, std::string::npos) << L[I + 1];
    ASSERT_GT(L[I + 2].size(), Bar + 2 + Column) << "no caret under: " << L[I];
    EXPECT_EQ(L[I + 2].substr(Bar, 3), " | ") << L[I + 2];
    EXPECT_EQ(L[I + 2][Bar + 2 + Column], '^') << L[I] << "\n" << L[I + 1] << "\n" << L[I + 2];
  }
  EXPECT_EQ(Kinds, (std::set<std::string>{"warning", "note"})) << R.Out;
  EXPECT_GE(Diagnostics, 5u) << "two findings, each with its notes:\n" << R.Out;
  EXPECT_NE(R.Out.find("[cyclops-cycle-instance]"), std::string::npos) << R.Out;
  EXPECT_NE(R.Out.find("[cyclops-cycle-type]"), std::string::npos) << R.Out;
}

bool hasEscapes(const std::string &Text) { return Text.find("\x1b[") != std::string::npos; }

std::string withoutEscapes(const std::string &Text) { return std::regex_replace(Text, std::regex("\x1b\\[[0-9;]*m"), ""); }

TEST(Cli, ColorOnlyWhenAskedForOutsideATerminal) {
  Project P;
  std::string Src = P.write("node.cpp", CycleSource);
  P.database({Src});
  CliResult Never = cyclops({"check", "-p", P.dir(), "--color=never"});
  EXPECT_EQ(Never.Exit, 1);
  EXPECT_FALSE(hasEscapes(Never.Out)) << Never.Out;
  EXPECT_FALSE(hasEscapes(Never.Err)) << Never.Err;

  // auto (the default) into a pipe or a file: plain.
  CliResult Auto = cyclops({"check", "-p", P.dir()}, {"TERM=xterm"});
  EXPECT_EQ(Auto.Out, Never.Out);
  std::string Report = P.path("report.txt");
  EXPECT_EQ(cyclops({"check", "-p", P.dir(), "--color=auto", "-o", Report}, {"TERM=xterm"}).Exit, 1);
  EXPECT_EQ(slurp(Report), Never.Out);

  // always: colours, into a file too, around the same text.
  CliResult Always = cyclops({"check", "-p", P.dir(), "--color=always"});
  EXPECT_EQ(Always.Exit, 1);
  EXPECT_TRUE(hasEscapes(Always.Out)) << Always.Out;
  EXPECT_EQ(withoutEscapes(Always.Out), Never.Out);
  EXPECT_EQ(cyclops({"check", "-p", P.dir(), "--color=always", "-o", Report}).Exit, 1);
  EXPECT_TRUE(hasEscapes(slurp(Report)));
  EXPECT_EQ(withoutEscapes(slurp(Report)), Never.Out);

  CliResult Bad = cyclops({"check", "-p", P.dir(), "--color=sometimes"});
  EXPECT_EQ(Bad.Exit, 2);
  EXPECT_NE(Bad.Err.find("sometimes"), std::string::npos) << Bad.Err;
}

TEST(Cli, ColorAutoOnATerminal) {
  Project P;
  std::string Src = P.write("node.cpp", CycleSource);
  P.database({Src});
  std::optional<std::string> Terminal = cyclopsOnTerminal({"check", "-p", P.dir()});
  if (!Terminal) GTEST_SKIP() << "this machine gives no pseudo-terminal";
  EXPECT_TRUE(hasEscapes(*Terminal)) << *Terminal;
  EXPECT_NE(withoutEscapes(*Terminal).find("strong fields form a reference cycle"), std::string::npos) << *Terminal;
  Terminal = cyclopsOnTerminal({"check", "-p", P.dir(), "--color=never"});
  ASSERT_TRUE(Terminal);
  EXPECT_FALSE(hasEscapes(*Terminal)) << *Terminal;
  EXPECT_NE(Terminal->find("strong fields form a reference cycle"), std::string::npos) << *Terminal;
}

const llvm::json::Object *object(const llvm::json::Value *V) { return V ? V->getAsObject() : nullptr; }

// Parses a SARIF log and returns its only run.
const llvm::json::Object *sarifRun(std::optional<llvm::json::Value> &Doc, const std::string &Text) {
  auto Parsed = llvm::json::parse(Text);
  if (!Parsed) {
    ADD_FAILURE() << llvm::toString(Parsed.takeError()) << "\n" << Text;
    return nullptr;
  }
  Doc = std::move(*Parsed);
  const llvm::json::Object *Root = Doc->getAsObject();
  if (!Root || !Root->getArray("runs") || Root->getArray("runs")->size() != 1) {
    ADD_FAILURE() << "not one run:\n" << Text;
    return nullptr;
  }
  return (*Root->getArray("runs"))[0].getAsObject();
}

TEST(Cli, SarifOutputForCodeScanning) {
  Project P;
  std::string Text = CycleSource;
  // A non-ASCII comment before the reported field: SARIF counts columns in code points.
  Text.replace(Text.find("  std::shared_ptr<Node> parent;"), 2, "/*\xc3\xa9*/");
  std::string Src = P.write("node.cpp", Text);
  P.database({Src});
  CliResult R = cyclops({"check", "-p", P.dir(), "--format=sarif", "--source-root=" + P.dir()});
  EXPECT_EQ(R.Exit, 1) << R.Err;
  std::optional<llvm::json::Value> Doc;
  const llvm::json::Object *Run = sarifRun(Doc, R.Out);
  ASSERT_TRUE(Run);
  EXPECT_EQ(Doc->getAsObject()->getString("version"), "2.1.0");
  EXPECT_TRUE(Doc->getAsObject()->getString("$schema"));
  // Every translation unit compiled: the invocation succeeded, with nothing to notify.
  ASSERT_TRUE(Run->getArray("invocations"));
  ASSERT_EQ(Run->getArray("invocations")->size(), 1u);
  const llvm::json::Object &Invocation = *(*Run->getArray("invocations"))[0].getAsObject();
  EXPECT_EQ(Invocation.getBoolean("executionSuccessful"), true);
  EXPECT_FALSE(Invocation.get("toolExecutionNotifications"));

  // Every rule, documented.
  const llvm::json::Object *Driver = object(object(Run->get("tool"))->get("driver"));
  ASSERT_TRUE(Driver);
  EXPECT_EQ(Driver->getString("name"), "cyclops");
  EXPECT_TRUE(Driver->getString("version"));
  const llvm::json::Array &Rules = *Driver->getArray("rules");
  std::set<std::string> Ids;
  for (const llvm::json::Value &V : Rules) {
    const llvm::json::Object &Rule = *V.getAsObject();
    std::string Id = Rule.getString("id")->str();
    Ids.insert(Id);
    EXPECT_TRUE(Rule.getString("name")) << Id;
    EXPECT_FALSE(object(Rule.get("shortDescription"))->getString("text")->empty()) << Id;
    EXPECT_FALSE(object(Rule.get("fullDescription"))->getString("text")->empty()) << Id;
    const llvm::json::Object *Help = object(Rule.get("help"));
    ASSERT_TRUE(Help) << Id;
    EXPECT_TRUE(Help->getString("markdown")->starts_with("# " + Id + "\n")) << Id;
    EXPECT_EQ(object(Rule.get("defaultConfiguration"))->getString("level"), "warning") << Id;
  }
  EXPECT_EQ(Ids, (std::set<std::string>{"cycle-instance", "capture-cycle", "cycle-type", "untraced-field",
                                        "missing-trace"}));
  EXPECT_EQ(object(object(Run->get("originalUriBaseIds"))->get("%SRCROOT%"))->getString("uri"),
            "file://" + P.dir() + "/");

  const llvm::json::Array &Results = *Run->getArray("results");
  ASSERT_EQ(Results.size(), 1u) << R.Out;
  const llvm::json::Object &F = *Results[0].getAsObject();
  EXPECT_EQ(F.getString("ruleId"), "cycle-type");
  EXPECT_EQ(Rules[*F.getInteger("ruleIndex")].getAsObject()->getString("id"), "cycle-type");
  EXPECT_EQ(F.getString("level"), "warning");
  EXPECT_TRUE(object(F.get("message"))->getString("text")->starts_with("strong fields form a reference cycle"));
  EXPECT_FALSE(F.get("baselineState")) << "no baseline, no baseline state";

  auto Where = [](const llvm::json::Value &Location) {
    const llvm::json::Object *Physical = object(Location.getAsObject()->get("physicalLocation"));
    const llvm::json::Object *Artifact = object(Physical->get("artifactLocation"));
    const llvm::json::Object *Region = object(Physical->get("region"));
    return std::string(Artifact->getString("uriBaseId").value_or("-")) + " " + Artifact->getString("uri")->str() +
           ":" + std::to_string(Region->getInteger("startLine").value_or(0)) + ":" +
           std::to_string(Region->getInteger("startColumn").value_or(0));
  };
  // Byte column 29: "/*é*/" is 6 bytes, 5 code points.
  EXPECT_EQ(Where((*F.getArray("locations"))[0]), "%SRCROOT% node.cpp:5:28");

  // The cycle: a related location per edge, and a thread flow walking them in order.
  const llvm::json::Array &Related = *F.getArray("relatedLocations");
  ASSERT_EQ(Related.size(), 2u);
  EXPECT_EQ(Where(Related[0]), "%SRCROOT% node.cpp:4:38");
  EXPECT_EQ(Where(Related[1]), "%SRCROOT% node.cpp:5:28");
  EXPECT_TRUE(object(Related[0].getAsObject()->get("message"))
                  ->getString("text")
                  ->starts_with("'Node::kids' holds a strong reference to 'Node'"));
  EXPECT_EQ(Related[0].getAsObject()->getInteger("id"), 1);
  const llvm::json::Object &Flow = *(*F.getArray("codeFlows"))[0].getAsObject();
  const llvm::json::Array &Steps = *(*Flow.getArray("threadFlows"))[0].getAsObject()->getArray("locations");
  ASSERT_EQ(Steps.size(), 2u);
  EXPECT_EQ(Where(*Steps[0].getAsObject()->get("location")), "%SRCROOT% node.cpp:4:38");
  EXPECT_EQ(Where(*Steps[1].getAsObject()->get("location")), "%SRCROOT% node.cpp:5:28");

  // The stable id, and the fix-it.
  CliResult Json = cyclops({"check", "-p", P.dir(), "--format=json"});
  auto JsonDoc = llvm::json::parse(Json.Out);
  ASSERT_TRUE(static_cast<bool>(JsonDoc)) << llvm::toString(JsonDoc.takeError());
  const llvm::json::Object &JsonFinding = *(*JsonDoc->getAsObject()->getArray("findings"))[0].getAsObject();
  EXPECT_EQ(object(F.get("partialFingerprints"))->getString("cyclops/v1"), JsonFinding.getString("id"));
  EXPECT_EQ(JsonFinding.getInteger("column"), 29);
  const llvm::json::Array *Fixes = F.getArray("fixes");
  ASSERT_TRUE(Fixes && Fixes->size() == 1) << R.Out;
  const llvm::json::Object &Fix = *(*Fixes)[0].getAsObject();
  EXPECT_EQ(object(Fix.get("description"))->getString("text"), "replace 'std::shared_ptr' with 'std::weak_ptr'");
  const llvm::json::Object &Change = *(*Fix.getArray("artifactChanges"))[0].getAsObject();
  EXPECT_EQ(object(Change.get("artifactLocation"))->getString("uri"), "node.cpp");
  const llvm::json::Object &Replacement = *(*Change.getArray("replacements"))[0].getAsObject();
  const llvm::json::Object &Deleted = *object(Replacement.get("deletedRegion"));
  EXPECT_EQ(Deleted.getInteger("startLine"), 5);
  EXPECT_EQ(Deleted.getInteger("startColumn"), 6);
  EXPECT_EQ(Deleted.getInteger("endColumn"), 6 + 15);
  EXPECT_EQ(object(Replacement.get("insertedContent"))->getString("text"), "std::weak_ptr");

  // Outside the source root (here the current directory): absolute file: URIs.
  R = cyclops({"check", "-p", P.dir(), "--format=sarif"});
  Run = sarifRun(Doc, R.Out);
  ASSERT_TRUE(Run);
  const llvm::json::Object &G = *(*Run->getArray("results"))[0].getAsObject();
  EXPECT_EQ(Where((*G.getArray("locations"))[0]), "- file://" + Src + ":5:28");

  R = cyclops({"check", "-p", P.dir(), "--format=sarif", "--source-root=" + P.path("nowhere")});
  EXPECT_EQ(R.Exit, 2);
  ASSERT_EQ(lines(R.Err).size(), 1u) << R.Err;
  EXPECT_NE(R.Err.find("--source-root: '" + P.path("nowhere") + "' is not a directory"), std::string::npos) << R.Err;
}

const char *RequestSource = "#include <memory>\n"
                            "struct Response;\n"
                            "struct Request { std::shared_ptr<Response> response; };\n"
                            "struct Response { std::shared_ptr<Request> request; };\n";

TEST(Cli, BaselineReportsOnlyNewFindingsAndWhatIsGone) {
  Project P;
  std::string Node = P.write("node.cpp", CycleSource);
  P.database({Node});
  std::string Base = P.path("baseline.json");
  std::string Root = "--source-root=" + P.dir();

  // Recording: the findings are still shown; the exit status says the run was recorded.
  CliResult R = cyclops({"check", "-p", P.dir(), Root, "--write-baseline=" + Base});
  EXPECT_EQ(R.Exit, 0) << R.Err;
  EXPECT_NE(R.Out.find("[cyclops-cycle-type]"), std::string::npos) << R.Out;
  EXPECT_NE(R.Err.find("cyclops: recorded 1 finding in '" + Base + "'"), std::string::npos) << R.Err;
  auto Recorded = llvm::json::parse(slurp(Base));
  ASSERT_TRUE(static_cast<bool>(Recorded)) << llvm::toString(Recorded.takeError());
  EXPECT_EQ(Recorded->getAsObject()->getInteger("version"), 1);
  const llvm::json::Array &Entries = *Recorded->getAsObject()->getArray("findings");
  ASSERT_EQ(Entries.size(), 1u);
  const llvm::json::Object &E = *Entries[0].getAsObject();
  std::set<std::string> Keys;
  for (const auto &KV : E) Keys.insert(KV.first.str());
  EXPECT_EQ(Keys, (std::set<std::string>{"id", "rule", "file", "message"}));
  std::string NodeId = E.getString("id")->str();
  EXPECT_TRUE(std::regex_match(NodeId, std::regex("[0-9a-f]{16}"))) << NodeId;
  EXPECT_EQ(E.getString("rule"), "cycle-type");
  EXPECT_EQ(E.getString("file"), "node.cpp") << "relative to the source root";
  EXPECT_TRUE(E.getString("message")->starts_with("strong fields form a reference cycle"));

  // Nothing new: nothing reported, exit 0 (node.cpp's facts are in the cache since the run above).
  R = cyclops({"check", "-p", P.dir(), Root, "--baseline=" + Base});
  EXPECT_EQ(R.Exit, 0) << R.Err;
  EXPECT_EQ(R.Out, "");
  EXPECT_EQ(R.Err,
            "cyclops: 0 new findings, 1 in the baseline, 0 gone from it in 1 translation unit (1 from the cache)\n");

  // A new finding: only it is reported, and it fails the run.
  std::string Request = P.write("request.cpp", RequestSource);
  P.database({Node, Request});
  R = cyclops({"check", "-p", P.dir(), Root, "--baseline=" + Base});
  EXPECT_EQ(R.Exit, 1) << R.Err;
  EXPECT_NE(R.Out.find(Request + ":4:"), std::string::npos) << R.Out;
  EXPECT_EQ(R.Out.find(Node), std::string::npos) << "the baselined finding is not shown:\n" << R.Out;
  EXPECT_NE(R.Err.find("cyclops: 1 new finding, 1 in the baseline, 0 gone from it"), std::string::npos) << R.Err;
  R = cyclops({"check", "-p", P.dir(), Root, "--baseline=" + Base, "--format=json"});
  EXPECT_EQ(R.Exit, 1);
  auto Json = llvm::json::parse(R.Out);
  ASSERT_TRUE(static_cast<bool>(Json)) << llvm::toString(Json.takeError());
  const llvm::json::Object &Report = *Json->getAsObject();
  ASSERT_EQ(Report.getArray("findings")->size(), 1u);
  const llvm::json::Object &New = *(*Report.getArray("findings"))[0].getAsObject();
  EXPECT_TRUE(New.getString("file")->ends_with("request.cpp"));
  std::string RequestId = New.getString("id")->str();
  const llvm::json::Object &Against = *object(Report.get("baseline"));
  EXPECT_EQ(Against.getString("file"), Base);
  ASSERT_EQ(Against.getArray("unchanged")->size(), 1u);
  EXPECT_EQ((*Against.getArray("unchanged"))[0].getAsString(), NodeId);
  EXPECT_TRUE(Against.getArray("absent")->empty());

  // The baselined cycle is fixed: it is named as gone, in every format.
  P.write("node.cpp", CleanSource);
  R = cyclops({"check", "-p", P.dir(), Root, "--baseline=" + Base});
  EXPECT_EQ(R.Exit, 1);
  EXPECT_NE(R.Err.find("cyclops: 1 new finding, 0 in the baseline, 1 gone from it"), std::string::npos) << R.Err;
  EXPECT_NE(R.Err.find("cyclops: gone from the baseline: " + NodeId + " [cycle-type] node.cpp: strong fields"),
            std::string::npos)
      << R.Err;
  R = cyclops({"check", "-p", P.dir(), Root, "--baseline=" + Base, "--format=json"});
  Json = llvm::json::parse(R.Out);
  ASSERT_TRUE(static_cast<bool>(Json)) << llvm::toString(Json.takeError());
  const llvm::json::Array &Absent = *object(Json->getAsObject()->get("baseline"))->getArray("absent");
  ASSERT_EQ(Absent.size(), 1u);
  EXPECT_EQ(Absent[0].getAsObject()->getString("id"), NodeId);
  EXPECT_EQ(Absent[0].getAsObject()->getString("file"), "node.cpp");

  R = cyclops({"check", "-p", P.dir(), Root, "--baseline=" + Base, "--format=sarif"});
  EXPECT_EQ(R.Exit, 1);
  std::optional<llvm::json::Value> Doc;
  const llvm::json::Object *Run = sarifRun(Doc, R.Out);
  ASSERT_TRUE(Run);
  std::map<std::string, std::string> States;  // fingerprint -> baselineState
  for (const llvm::json::Value &V : *Run->getArray("results")) {
    const llvm::json::Object &Res = *V.getAsObject();
    States[object(Res.get("partialFingerprints"))->getString("cyclops/v1")->str()] =
        Res.getString("baselineState").value_or("(none)").str();
    if (Res.getString("baselineState") == "absent") {
      const llvm::json::Object *Physical =
          object((*Res.getArray("locations"))[0].getAsObject()->get("physicalLocation"));
      EXPECT_EQ(object(Physical->get("artifactLocation"))->getString("uri"), "node.cpp");
      EXPECT_EQ(Res.getString("ruleId"), "cycle-type");
    }
  }
  EXPECT_EQ(States, (std::map<std::string, std::string>{{NodeId, "absent"}, {RequestId, "new"}}));

  // Both again, and the new one recorded as well: unchanged ones are in SARIF, marked so.
  P.write("node.cpp", CycleSource);
  R = cyclops({"check", "-p", P.dir(), Root, "--baseline=" + Base, "--write-baseline=" + Base});
  EXPECT_EQ(R.Exit, 0) << R.Err;
  R = cyclops({"check", "-p", P.dir(), Root, "--baseline=" + Base, "--format=sarif"});
  EXPECT_EQ(R.Exit, 0) << R.Err;
  Run = sarifRun(Doc, R.Out);
  ASSERT_TRUE(Run);
  ASSERT_EQ(Run->getArray("results")->size(), 2u);
  for (const llvm::json::Value &V : *Run->getArray("results"))
    EXPECT_EQ(V.getAsObject()->getString("baselineState"), "unchanged");

  // A run over some files cannot tell that a finding elsewhere is gone.
  P.write("node.cpp", CleanSource);
  R = cyclops({"check", "-p", P.dir(), Root, "--baseline=" + Base, Request});
  EXPECT_EQ(R.Exit, 0) << R.Err;
  EXPECT_NE(R.Err.find("0 new findings, 1 in the baseline, 0 gone from it"), std::string::npos) << R.Err;
  R = cyclops({"check", "-p", P.dir(), Root, "--baseline=" + Base, Node});
  EXPECT_NE(R.Err.find("0 new findings, 0 in the baseline, 1 gone from it"), std::string::npos) << R.Err;
}

TEST(Cli, BadBaselineFiles) {
  Project P;
  std::string Src = P.write("node.cpp", CycleSource);
  P.database({Src});
  auto OneError = [&](const std::string &Base, const std::string &Expected) {
    CliResult R = cyclops({"check", "-p", P.dir(), "--baseline=" + Base});
    EXPECT_EQ(R.Exit, 2) << Base;
    EXPECT_EQ(lines(R.Err).size(), 1u) << R.Err;
    EXPECT_NE(R.Err.find("cyclops: error: "), std::string::npos) << R.Err;
    EXPECT_NE(R.Err.find(Expected), std::string::npos) << "expected '" << Expected << "' in: " << R.Err;
  };
  std::string Missing = P.path("missing.json");
  OneError(Missing, "cannot read baseline '" + Missing + "': ");
  std::string Broken = P.write("broken.json", "{\"version\": 1,\n \"findings\": [\n");
  OneError(Broken, "baseline '" + Broken + "' is malformed: [3:");
  std::string Array = P.write("array.json", "[]");
  OneError(Array, "baseline '" + Array + "' is malformed: expected an object with 'version' and 'findings'");
  std::string Version = P.write("version.json", "{\"version\": 2, \"findings\": []}");
  OneError(Version, "baseline '" + Version + "' is malformed: version 2 is not supported");
  std::string NoId = P.write("noid.json", "{\"version\": 1, \"findings\": [{\"id\": \"ab\"}, {\"rule\": \"cycle-type\"}]}");
  OneError(NoId, "baseline '" + NoId + "' is malformed: missing value at baseline.findings[1].id");
  std::string NoFindings = P.write("nofindings.json", "{\"version\": 1}");
  OneError(NoFindings, "baseline '" + NoFindings + "' is malformed: no 'findings'");

  // Writing where no file can be: one line, exit 2.
  std::string Unwritable = P.path("no-such-dir/baseline.json");
  CliResult R = cyclops({"check", "-p", P.dir(), "--write-baseline=" + Unwritable});
  EXPECT_EQ(R.Exit, 2);
  auto E = errorLines(R);
  ASSERT_EQ(E.size(), 1u) << R.Err;
  EXPECT_NE(E[0].find("cannot write baseline '" + Unwritable + "'"), std::string::npos) << E[0];

  // A run that saw only part of the program records nothing.
  std::string Bad = P.write("bad.cpp", "struct S { UnknownType member; };\n");
  P.database({Src, Bad});
  std::string Partial = P.path("partial.json");
  R = cyclops({"check", "-p", P.dir(), "--write-baseline=" + Partial});
  EXPECT_EQ(R.Exit, 2);
  E = errorLines(R);
  ASSERT_EQ(E.size(), 2u) << R.Err;
  EXPECT_NE(E[1].find("not writing baseline '" + Partial + "': the input has errors"), std::string::npos) << E[1];
  EXPECT_FALSE(llvm::sys::fs::exists(Partial));
}

bool isA(llvm::StringRef Path, llvm::sys::fs::file_type Type) {
  llvm::sys::fs::file_status Status;
  return !llvm::sys::fs::status(Path, Status) && Status.type() == Type;
}

// Files named like the temporary files outputs are written to, left in Dir.
std::vector<std::string> temporaryFiles(llvm::StringRef Dir) {
  std::vector<std::string> Found;
  std::error_code EC;
  for (llvm::sys::fs::directory_iterator It(Dir, EC), End; It != End && !EC; It.increment(EC))
    if (llvm::StringRef(It->path()).contains(".tmp-")) Found.push_back(It->path());
  return Found;
}

// Reads a FIFO on a thread of its own, until the writer closes it; the reader is unblocked
// when nothing ever opened the FIFO for writing.
class FifoReader {
 public:
  explicit FifoReader(std::string Path) : Fifo(std::move(Path)) {
    EXPECT_EQ(mkfifo(Fifo.c_str(), 0600), 0) << Fifo;
    Text = std::async(std::launch::async, [this] { return slurp(Fifo); });
  }
  std::string text() {
    while (Text.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
      int FD = open(Fifo.c_str(), O_WRONLY | O_NONBLOCK);  // lets a reader still waiting see EOF
      if (FD >= 0) close(FD);
    }
    return Text.get();
  }

 private:
  std::string Fifo;
  std::future<std::string> Text;
};

// -o is a report: a device or a FIFO (-o /dev/stdout) is written straight into, a regular file
// replaced whole by a rename; a write that fails is exit 2 and one line naming the file.
TEST(Cli, TheReportIsWrittenWholeOrTheRunFails) {
  Project P;
  std::string Src = P.write("node.cpp", CycleSource);
  P.database({Src});
  CliResult R = cyclops({"check", "-p", P.dir(), "--format=json", "-o", "/dev/full"});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_EQ(R.Err, "cyclops: error: cannot write '/dev/full': No space left on device\n");
  R = cyclops({"check", "-p", P.dir(), "-o", "/dev/null"});
  EXPECT_EQ(R.Exit, 1) << R.Err;
  EXPECT_TRUE(errorLines(R).empty()) << R.Err;
  EXPECT_TRUE(isA("/dev/null", llvm::sys::fs::file_type::character_file));

  std::string Report = P.write("report.json", "old");
  R = cyclops({"check", "-p", P.dir(), "--format=json", "-o", Report});
  EXPECT_EQ(R.Exit, 1) << R.Err;
  EXPECT_TRUE(static_cast<bool>(llvm::json::parse(slurp(Report)))) << slurp(Report);
  EXPECT_EQ(temporaryFiles(P.dir()), std::vector<std::string>{});
  // Through a link, the file it names is replaced and the link stays.
  std::string Link = P.path("link.json");
  ASSERT_FALSE(llvm::sys::fs::create_link("report.json", Link));
  spit(Report, "old");
  R = cyclops({"check", "-p", P.dir(), "--format=json", "-o", Link});
  EXPECT_EQ(R.Exit, 1) << R.Err;
  EXPECT_TRUE(llvm::sys::fs::is_symlink_file(Link));
  EXPECT_TRUE(static_cast<bool>(llvm::json::parse(slurp(Report)))) << slurp(Report);

  std::string Nowhere = P.path("no-such-dir/report.json");
  R = cyclops({"check", "-p", P.dir(), "-o", Nowhere});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_EQ(R.Err, "cyclops: error: cannot write '" + Nowhere + "': No such file or directory\n");

  FifoReader Fifo(P.path("fifo"));
  R = cyclops({"check", "-p", P.dir(), "--format=json", "-o", P.path("fifo")});
  EXPECT_EQ(R.Exit, 1) << R.Err;
  std::string Read = Fifo.text();
  EXPECT_TRUE(static_cast<bool>(llvm::json::parse(Read))) << Read;
  EXPECT_TRUE(isA(P.path("fifo"), llvm::sys::fs::file_type::fifo_file));
}

// A baseline is state: replaced whole by a rename, so never written to a path that is not a
// regular file (which the rename would replace with one).
TEST(Cli, ABaselineIsOnlyWrittenToARegularFile) {
  Project P;
  std::string Src = P.write("node.cpp", CycleSource);
  P.database({Src});
  const std::vector<std::pair<std::string, std::string>> Refused = {
      {"/dev/null", "a character device"}, {"/dev/full", "a character device"}, {P.dir(), "a directory"}};
  for (const auto &[Path, What] : Refused) {
    CliResult R = cyclops({"check", "-p", P.dir(), "--write-baseline=" + Path});
    EXPECT_EQ(R.Exit, 2) << Path;
    EXPECT_EQ(errorLines(R),
              std::vector<std::string>{"cyclops: error: cannot write baseline '" + Path + "': it is " + What +
                                       ", not a regular file"});
  }
  EXPECT_TRUE(isA("/dev/null", llvm::sys::fs::file_type::character_file));
  EXPECT_TRUE(isA("/dev/full", llvm::sys::fs::file_type::character_file));

  std::string Fifo = P.path("fifo");
  ASSERT_EQ(mkfifo(Fifo.c_str(), 0600), 0);
  CliResult R = cyclops({"check", "-p", P.dir(), "--write-baseline=" + Fifo});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_EQ(errorLines(R), std::vector<std::string>{"cyclops: error: cannot write baseline '" + Fifo +
                                                    "': it is a FIFO, not a regular file"});
  EXPECT_TRUE(isA(Fifo, llvm::sys::fs::file_type::fifo_file));

  std::string Base = P.write("baseline.json", "old");
  std::string Link = P.path("link.json");
  ASSERT_FALSE(llvm::sys::fs::create_link("baseline.json", Link));
  R = cyclops({"check", "-p", P.dir(), "--write-baseline=" + Link});
  EXPECT_EQ(R.Exit, 0) << R.Err;
  EXPECT_TRUE(llvm::sys::fs::is_symlink_file(Link));
  EXPECT_NE(slurp(Base).find("\"version\": 1"), std::string::npos) << slurp(Base);
  EXPECT_EQ(temporaryFiles(P.dir()), std::vector<std::string>{});
}

// `cyclops facts` writes build state: the facts file and the depfile refuse non-regular paths.
TEST(Cli, FactsAndDepfilesAreOnlyWrittenToRegularFiles) {
  Project P;
  std::string Src = P.write("node.cpp", CleanSource);
  P.database({Src});
  CliResult R = cyclops({"facts", "-p", P.dir(), Src, "-o", "/dev/null"});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_EQ(errorLines(R), std::vector<std::string>{
                               "cyclops: error: cannot write '/dev/null': it is a character device, not a regular file"});
  std::string Fifo = P.path("node.d");
  ASSERT_EQ(mkfifo(Fifo.c_str(), 0600), 0);
  R = cyclops({"facts", "-p", P.dir(), Src, "-o", P.path("node.facts"), "--depfile=" + Fifo});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_EQ(errorLines(R), std::vector<std::string>{"cyclops: error: cannot write '" + Fifo +
                                                    "': it is a FIFO, not a regular file"});
  EXPECT_TRUE(isA(Fifo, llvm::sys::fs::file_type::fifo_file));
}

// The mechanism under every output: nothing at the path until the file is complete.
TEST(OutputFile, ThePathChangesOnlyOnCommit) {
  Project P;
  std::string Path = P.path("out.txt");
  {
    llvm::Expected<OutputFile> F = OutputFile::open(Path, NonRegularFile::Refuse);
    ASSERT_TRUE(static_cast<bool>(F)) << llvm::toString(F.takeError());
    F->os() << "complete";
    EXPECT_FALSE(llvm::sys::fs::exists(Path));
    EXPECT_EQ(temporaryFiles(P.dir()).size(), 1u);
    EXPECT_FALSE(static_cast<bool>(F->commit()));
  }
  EXPECT_EQ(slurp(Path), "complete");
  for (bool Explicitly : {true, false}) {
    llvm::Expected<OutputFile> F = OutputFile::open(Path, NonRegularFile::Refuse);
    ASSERT_TRUE(static_cast<bool>(F)) << llvm::toString(F.takeError());
    F->os() << "half";
    if (Explicitly) F->discard();
    // otherwise the destructor discards it
  }
  EXPECT_EQ(slurp(Path), "complete");
  EXPECT_EQ(temporaryFiles(P.dir()), std::vector<std::string>{});
}

TEST(Cli, SuppressionComment) {
  Project P;
  std::string Text = CycleSource;
  Text.replace(Text.find("parent;"), 7, "parent;  // cyclops: ignore(cycle-type)");
  std::string Src = P.write("node.cpp", Text);
  P.database({Src});
  CliResult R = cyclops({"check", "-p", P.dir()});
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
  CliResult R = cyclops({"check", "-p", P.dir()});
  EXPECT_EQ(R.Exit, 1) << R.Err;
  EXPECT_TRUE(errorLines(R).empty()) << R.Err;

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
  CliResult R = cyclops({"check", "-p", P.dir()});
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
  CliResult One = cyclops({"check", "-p", CYC_MULTI_TU_BUILD_DIR, "--format=json", "-j1"});
  CliResult Two = cyclops({"check", "-p", CYC_MULTI_TU_BUILD_DIR, "--format=json", "-j", "2"});
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

// The issues of a --format=codeclimate report (GitLab Code Quality): a JSON array.
std::vector<llvm::json::Object> codeClimateIssues(const std::string &Text) {
  std::vector<llvm::json::Object> Issues;
  auto Doc = llvm::json::parse(Text);
  if (!Doc) {
    ADD_FAILURE() << llvm::toString(Doc.takeError()) << "\n" << Text;
    return Issues;
  }
  const llvm::json::Array *List = Doc->getAsArray();
  if (!List) {
    ADD_FAILURE() << "not a JSON array:\n" << Text;
    return Issues;
  }
  for (const llvm::json::Value &V : *List) {
    EXPECT_TRUE(V.getAsObject()) << Text;
    if (V.getAsObject()) Issues.push_back(*V.getAsObject());
  }
  return Issues;
}

TEST(Cli, CodeClimateOutputForGitLabCodeQuality) {
  Project P;
  ASSERT_FALSE(llvm::sys::fs::create_directories(P.path("src")));
  std::string Node = P.write("src/node.cpp", CycleSource);
  std::string Clean = P.write("src/clean.cpp", CleanSource);
  P.database({Node, Clean});
  std::string Root = "--source-root=" + P.dir();
  std::string Report = P.path("gl-code-quality-report.json");
  CliResult R = cyclops({"check", "-p", P.dir(), Root, "--format=codeclimate", "-o", Report});
  EXPECT_EQ(R.Exit, 1) << R.Err;
  EXPECT_TRUE(R.Out.empty()) << "-o writes the file, not stdout";
  std::string First = slurp(Report);
  std::vector<llvm::json::Object> Issues = codeClimateIssues(First);
  ASSERT_EQ(Issues.size(), 1u) << First;
  const llvm::json::Object &I = Issues[0];
  EXPECT_EQ(I.getString("type"), "issue");
  EXPECT_EQ(I.getString("check_name"), "cyclops-cycle-type");
  EXPECT_EQ(I.getString("severity"), "major");
  EXPECT_TRUE(I.getString("description")->starts_with("strong fields form a reference cycle: Node.kids")) << First;
  EXPECT_EQ(I.getObject("location")->getString("path"), "src/node.cpp") << "relative to the source root";
  EXPECT_EQ(I.getObject("location")->getObject("lines")->getInteger("begin"), 5);
  std::string Fingerprint = I.getString("fingerprint")->str();
  EXPECT_TRUE(std::regex_match(Fingerprint, std::regex("[0-9a-f]{32}"))) << Fingerprint;

  // A second run gives the same report; an unrelated edit moves the line, not the fingerprint.
  R = cyclops({"check", "-p", P.dir(), Root, "--format=codeclimate"});
  EXPECT_EQ(R.Out, First);
  P.write("src/node.cpp", std::string("// a comment\n\n") + CycleSource);
  R = cyclops({"check", "-p", P.dir(), Root, "--format=codeclimate"});
  Issues = codeClimateIssues(R.Out);
  ASSERT_EQ(Issues.size(), 1u) << R.Out;
  EXPECT_EQ(Issues[0].getObject("location")->getObject("lines")->getInteger("begin"), 7);
  EXPECT_EQ(Issues[0].getString("fingerprint"), Fingerprint);

  // GitLab's severity follows the rule's.
  auto SeverityWith = [&](const std::string &Level, int Exit) {
    std::string Rules = P.write("r.yaml", "base: default\nrules:\n  - id: cycle-type\n    severity: " + Level + "\n");
    CliResult S = cyclops({"check", "-p", P.dir(), Root, "--format=codeclimate", "--rules=" + Rules});
    EXPECT_EQ(S.Exit, Exit) << Level << ": " << S.Err;
    std::vector<llvm::json::Object> L = codeClimateIssues(S.Out);
    return L.size() == 1 ? L[0].getString("severity").value_or("(none)").str() : "(" + S.Out + ")";
  };
  EXPECT_EQ(SeverityWith("note", 0), "info");
  EXPECT_EQ(SeverityWith("error", 1), "critical");

  // Nothing found: an empty array, exit 0.
  R = cyclops({"check", "-p", P.dir(), Root, "--format=codeclimate", Clean});
  EXPECT_EQ(R.Exit, 0) << R.Err;
  EXPECT_EQ(R.Out, "[]\n");

  // With a baseline, only what is new.
  std::string Base = P.path("baseline.json");
  EXPECT_EQ(cyclops({"check", "-p", P.dir(), Root, "--write-baseline=" + Base}).Exit, 0);
  R = cyclops({"check", "-p", P.dir(), Root, "--format=codeclimate", "--baseline=" + Base});
  EXPECT_EQ(R.Exit, 0) << R.Err;
  EXPECT_EQ(R.Out, "[]\n");
  std::string Request = P.write("src/request.cpp", RequestSource);
  P.database({Node, Clean, Request});
  R = cyclops({"check", "-p", P.dir(), Root, "--format=codeclimate", "--baseline=" + Base});
  EXPECT_EQ(R.Exit, 1) << R.Err;
  Issues = codeClimateIssues(R.Out);
  ASSERT_EQ(Issues.size(), 1u) << R.Out;
  EXPECT_EQ(Issues[0].getObject("location")->getString("path"), "src/request.cpp");
}

// GitLab keeps one issue per fingerprint: the same cycle in two files is two issues.
TEST(Cli, CodeClimateFingerprintsAreUniquePerPlace) {
  Project P;
  std::string A = P.write("first.cpp", LocalSelfInsertion);
  std::string B = P.write("second.cpp", LocalSelfInsertion);
  P.database({A, B});
  CliResult R = cyclops({"check", "-p", P.dir(), "--source-root=" + P.dir(), "--format=codeclimate"});
  EXPECT_EQ(R.Exit, 1) << R.Err;
  std::vector<llvm::json::Object> Issues = codeClimateIssues(R.Out);
  ASSERT_EQ(Issues.size(), 2u) << R.Out;
  EXPECT_EQ(Issues[0].getObject("location")->getString("path"), "first.cpp");
  EXPECT_EQ(Issues[1].getObject("location")->getString("path"), "second.cpp");
  EXPECT_NE(Issues[0].getString("fingerprint"), Issues[1].getString("fingerprint"));
}

}  // namespace
}  // namespace cyclops::test
