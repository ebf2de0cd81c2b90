// `cyclops facts` and `cyclops check --facts=DIR` as a build runs them: one facts file per
// translation unit, a depfile naming what it read, and a merge that finds what
// `cyclops check -p` finds; every bad input is exit 2 with one line naming it.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <set>

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include "cli/FactsCommand.h"
#include "facts/FactsIO.h"

#include "CliRunner.h"

namespace cyclops::test {
namespace {

// The one error line a failing command must print, or a test failure.
std::string onlyError(const CliResult &R) {
  std::vector<std::string> E = errorLines(R);
  EXPECT_EQ(E.size(), 1u) << R.Err;
  return E.empty() ? std::string() : E.front();
}

bool contains(const std::string &Text, const std::string &Part) { return Text.find(Part) != std::string::npos; }

std::string pathJoin(llvm::StringRef A, llvm::StringRef B) {
  llvm::SmallString<256> P(A);
  llvm::sys::path::append(P, B);
  return std::string(P);
}

// A scratch directory, removed at the end of the test.
class Scratch {
 public:
  Scratch() { EXPECT_FALSE(llvm::sys::fs::createUniqueDirectory("cyclops-facts", Root)); }
  ~Scratch() { llvm::sys::fs::remove_directories(Root); }
  Scratch(const Scratch &) = delete;
  Scratch &operator=(const Scratch &) = delete;
  std::string path(llvm::StringRef Name) const { return pathJoin(Root, Name); }
  std::string write(llvm::StringRef Name, llvm::StringRef Text) const {
    std::string P = path(Name);
    llvm::sys::fs::create_directories(llvm::sys::path::parent_path(P));
    spit(P, Text);
    return P;
  }
  // compile_commands.json: one entry per (file, extra arguments).
  void database(const std::vector<std::pair<std::string, std::vector<std::string>>> &Entries) const {
    llvm::json::Array Commands;
    for (const auto &[File, Extra] : Entries) {
      llvm::json::Array Args{"c++", "-std=c++20", "-I" CYC_RUNTIME_INCLUDE_DIR};
      for (const std::string &E : Extra) Args.push_back(E);
      for (const char *A : {"-c", File.c_str(), "-o", "out.o"}) Args.push_back(A);
      Commands.push_back(llvm::json::Object{{"directory", std::string(Root)}, {"file", File}, {"arguments", std::move(Args)}});
    }
    std::string Text;
    llvm::raw_string_ostream(Text) << llvm::json::Value(std::move(Commands));
    write("compile_commands.json", Text);
  }
  std::string dir() const { return std::string(Root); }

 private:
  llvm::SmallString<128> Root;
};

const std::vector<std::string> MultiTuFiles = {"account.cpp", "ledger.cpp", "owner.cpp"};

std::string multiTu(llvm::StringRef Name) { return pathJoin(CYC_TESTDATA_DIR, ("multi_tu/" + Name).str()); }

// `cyclops facts` for each file of the multi-TU project into Dir/<file>.facts (+ .d).
void factsOfMultiTu(const std::string &Dir) {
  for (const std::string &F : MultiTuFiles) {
    std::string Out = pathJoin(Dir, F + ".facts");
    CliResult R = cyclops({"facts", "-p", CYC_MULTI_TU_BUILD_DIR, multiTu(F), "-o", Out, "--depfile", Out + ".d"});
    ASSERT_EQ(R.Exit, 0) << F << ": " << R.Err;
    EXPECT_EQ(R.Err, "") << "a facts step is quiet when it succeeds";
  }
}

// The paths of a Make-syntax depfile, unescaped: "target: dep dep \\\n dep".
std::pair<std::string, std::vector<std::string>> parseDepfile(llvm::StringRef Text) {
  std::vector<std::string> Words;
  std::string Word;
  for (size_t I = 0; I < Text.size(); ++I) {
    char C = Text[I];
    if (C == '\\' && I + 1 < Text.size() && (Text[I + 1] == ' ' || Text[I + 1] == '#')) {
      Word += Text[++I];
    } else if (C == '\\' && I + 1 < Text.size() && Text[I + 1] == '\n') {
      ++I;
    } else if (C == '$' && I + 1 < Text.size() && Text[I + 1] == '$') {
      Word += Text[++I];
    } else if (C == ' ' || C == '\n') {
      if (!Word.empty()) Words.push_back(std::move(Word));
      Word.clear();
    } else {
      Word += C;
    }
  }
  if (!Word.empty()) Words.push_back(Word);
  std::pair<std::string, std::vector<std::string>> Out;
  if (Words.empty() || !llvm::StringRef(Words[0]).ends_with(":")) return Out;
  Out.first = Words[0].substr(0, Words[0].size() - 1);
  Out.second.assign(Words.begin() + 1, Words.end());
  return Out;
}

TEST(Facts, MergedFactsFindWhatCheckFinds) {
  Scratch S;
  std::string Dir = S.path("facts");
  factsOfMultiTu(Dir);
  for (const char *Format : {"--format=json", "--format=text", "--format=sarif"}) {
    CliResult Parsed = cyclops({"check", "-p", CYC_MULTI_TU_BUILD_DIR, Format, "--color=never"});
    CliResult Merged = cyclops({"check", "--facts=" + Dir, Format, "--color=never"});
    EXPECT_EQ(Parsed.Exit, 1) << Parsed.Err;
    EXPECT_EQ(Merged.Exit, 1) << Merged.Err;
    EXPECT_EQ(Merged.Out, Parsed.Out) << Format;
    EXPECT_TRUE(contains(Merged.Err, "1 finding in 3 translation units")) << Merged.Err;
  }
  // The cycle spans the three files: no one facts file has it, and each one alone finds nothing.
  CliResult Json = cyclops({"check", "--facts=" + Dir, "--format=json"});
  auto V = llvm::json::parse(Json.Out);
  ASSERT_TRUE(static_cast<bool>(V)) << llvm::toString(V.takeError());
  const llvm::json::Array &Findings = *V->getAsObject()->getArray("findings");
  ASSERT_EQ(Findings.size(), 1u);
  EXPECT_EQ(*Findings[0].getAsObject()->getString("rule"), "cycle-type");
  Scratch One;
  ASSERT_FALSE(llvm::sys::fs::copy_file(pathJoin(Dir, "owner.cpp.facts"), One.path("owner.cpp.facts")));
  EXPECT_EQ(cyclops({"check", "--facts=" + One.dir()}).Exit, 0);

  // -j and the facts' layout in the directory change nothing.
  CliResult J1 = cyclops({"check", "--facts=" + Dir, "--format=json", "-j1"});
  EXPECT_EQ(J1.Out, Json.Out);
  Scratch Nested;
  for (const std::string &F : MultiTuFiles)
    ASSERT_FALSE(llvm::sys::fs::copy_file(pathJoin(Dir, F + ".facts"), Nested.write("z/" + F + "/x.facts", "")));
  EXPECT_EQ(cyclops({"check", "--facts=" + Nested.dir(), "--format=json"}).Out, Json.Out);
}

TEST(Facts, FilesPickTranslationUnitsAsWithABuildDirectory) {
  Scratch S;
  std::string Dir = S.path("facts");
  factsOfMultiTu(Dir);
  // Two of three translation units: the cycle is not whole, as with -p and the same files.
  for (std::vector<std::string> Picked : {std::vector<std::string>{"account.cpp", "ledger.cpp"},
                                          std::vector<std::string>{"account.cpp", "ledger.cpp", "owner.cpp"}}) {
    std::vector<std::string> P{"check", "-p", CYC_MULTI_TU_BUILD_DIR, "--format=json"};
    std::vector<std::string> F{"check", "--facts=" + Dir, "--format=json"};
    for (const std::string &File : Picked) {
      P.push_back(multiTu(File));
      F.push_back(multiTu(File));
    }
    CliResult Parsed = cyclops(P), Merged = cyclops(F);
    EXPECT_EQ(Merged.Exit, Parsed.Exit) << Merged.Err;
    EXPECT_EQ(Merged.Out, Parsed.Out);
    EXPECT_TRUE(contains(Merged.Err, "in " + std::to_string(Picked.size()) + " translation units")) << Merged.Err;
  }
  CliResult R = cyclops({"check", "--facts=" + Dir, multiTu("account.cpp"), multiTu("model.h")});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_TRUE(contains(onlyError(R), "model.h' has no facts under '" + Dir + "'")) << R.Err;
}

TEST(Facts, DepfileNamesEveryFileTheTranslationUnitRead) {
  Scratch S;
  std::string Dir = S.path("facts");
  factsOfMultiTu(Dir);
  for (const std::string &F : MultiTuFiles) {
    std::string Out = pathJoin(Dir, F + ".facts");
    auto [Target, Deps] = parseDepfile(slurp(Out + ".d"));
    EXPECT_EQ(Target, Out);
    llvm::Expected<FactsFile> Facts = readFactsFile(Out);
    ASSERT_TRUE(static_cast<bool>(Facts)) << llvm::toString(Facts.takeError());
    std::vector<std::string> Inputs;
    for (const InputFile &In : Facts->Facts.Inputs) Inputs.push_back(In.Path);
    EXPECT_EQ(Deps, Inputs);
    ASSERT_FALSE(Deps.empty());
    EXPECT_EQ(Deps.front(), multiTu(F));
    std::set<std::string> Set(Deps.begin(), Deps.end());
    EXPECT_TRUE(Set.count(multiTu("model.h")));
    EXPECT_TRUE(Set.count(pathJoin(CYC_RUNTIME_INCLUDE_DIR, "cyc/handle.h")));
    // The build system stats each of them: a path that does not exist would make the step
    // run every time.
    for (const std::string &D : Deps) EXPECT_TRUE(llvm::sys::fs::exists(D)) << D;
  }
  // Each translation unit's own header, and only its own.
  auto depsOf = [&](const std::string &F) { return parseDepfile(slurp(pathJoin(Dir, F + ".facts.d"))).second; };
  auto has = [](const std::vector<std::string> &V, const std::string &X) {
    return std::find(V.begin(), V.end(), X) != V.end();
  };
  EXPECT_TRUE(has(depsOf("owner.cpp"), multiTu("owner.h")));
  EXPECT_FALSE(has(depsOf("owner.cpp"), multiTu("ledger.h")));
  EXPECT_FALSE(has(depsOf("account.cpp"), multiTu("owner.h")));
}

TEST(Facts, DepfileEscapesWhatMakeAndNinjaWouldMisread) {
  EXPECT_EQ(makeDepfile("out dir/a#1.facts", {"/src/my file.cpp", "/src/$x/h#.h"}),
            "out\\ dir/a\\#1.facts: \\\n  /src/my\\ file.cpp \\\n  /src/$$x/h\\#.h\n");
  Scratch S;
  std::string Src = S.write("my sources/a #1.cpp", "#include \"dollar$dir/h.h\"\nstruct A { int x; };\n");
  S.write("my sources/dollar$dir/h.h", "struct H {};\n");
  S.database({{Src, {}}});
  std::string Out = S.path("out #/a b.facts");
  CliResult R = cyclops({"facts", "-p", S.dir(), Src, "-o", Out, "--depfile=" + Out + ".d"});
  ASSERT_EQ(R.Exit, 0) << R.Err;
  std::string Text = slurp(Out + ".d");
  EXPECT_TRUE(contains(Text, "out\\ \\#/a\\ b.facts: \\\n")) << Text;
  EXPECT_TRUE(contains(Text, "my\\ sources/a\\ \\#1.cpp \\\n")) << Text;
  EXPECT_TRUE(contains(Text, "my\\ sources/dollar$$dir/h.h")) << Text;
  auto [Target, Deps] = parseDepfile(Text);
  EXPECT_EQ(Target, Out);
  ASSERT_EQ(Deps.size(), 2u) << Text;
  EXPECT_EQ(Deps[0], Src);
  EXPECT_EQ(Deps[1], S.path("my sources/dollar$dir/h.h"));
}

TEST(Facts, RulesFileIsAnInputAndMustMatchTheChecks) {
  Scratch S;
  std::string Rules = S.write("rules.yaml", "base: default\nrules:\n  - id: cycle-type\n    severity: error\n");
  std::string Out = S.path("facts/owner.cpp.facts");
  CliResult R = cyclops({"facts", "-p", CYC_MULTI_TU_BUILD_DIR, multiTu("owner.cpp"), "-o", Out, "--depfile",
                      Out + ".d", "--rules=" + Rules});
  ASSERT_EQ(R.Exit, 0) << R.Err;
  auto Deps = parseDepfile(slurp(Out + ".d")).second;
  ASSERT_FALSE(Deps.empty());
  EXPECT_EQ(Deps.back(), Rules);
  // Merged under other rules, the edges it holds would mean something else.
  R = cyclops({"check", "--facts=" + S.path("facts")});
  EXPECT_EQ(R.Exit, 2);
  std::string E = onlyError(R);
  EXPECT_TRUE(contains(E, Out + ": written with other rules")) << E;
  R = cyclops({"check", "--facts=" + S.path("facts"), "--rules=" + Rules});
  EXPECT_EQ(R.Exit, 0) << R.Err;
}

TEST(Facts, DamagedOrForeignFactsFileIsNamed) {
  Scratch S;
  std::string Dir = S.path("facts");
  factsOfMultiTu(Dir);
  std::string Victim = pathJoin(Dir, "ledger.cpp.facts");
  std::string Good = slurp(Victim);
  ASSERT_FALSE(Good.empty());
  auto expectNamed = [&](const std::string &Text, const std::string &Why) {
    spit(Victim, Text);
    CliResult R = cyclops({"check", "--facts=" + Dir});
    EXPECT_EQ(R.Exit, 2) << Why;
    std::string E = onlyError(R);
    EXPECT_TRUE(contains(E, Victim + ": ")) << E;
    EXPECT_TRUE(contains(E, Why)) << E;
    EXPECT_EQ(R.Out, "") << "nothing is reported from part of the program";
  };
  std::string Flipped = Good;
  Flipped[Flipped.size() / 2] ^= 1;
  expectNamed(Flipped, "checksum mismatch");
  expectNamed(Good.substr(0, Good.size() - 100), "truncated");
  std::string Other = Good;
  Other.replace(Other.find("\"version\":3"), 11, "\"version\":99");
  expectNamed(Other, "version 99");
  expectNamed("", "no header line");
  expectNamed("{\"findings\": []}\n", "no header line");
}

TEST(Facts, TwoFilesForOneTranslationUnit) {
  Scratch S;
  std::string Dir = S.path("facts");
  factsOfMultiTu(Dir);
  CliResult Before = cyclops({"check", "--facts=" + Dir, "--format=json"});
  // One source in two targets: the same facts twice are one translation unit.
  llvm::sys::fs::create_directories(pathJoin(Dir, "other-target"));
  ASSERT_FALSE(llvm::sys::fs::copy_file(pathJoin(Dir, "owner.cpp.facts"), pathJoin(Dir, "other-target/owner.cpp.facts")));
  CliResult Same = cyclops({"check", "--facts=" + Dir, "--format=json"});
  EXPECT_EQ(Same.Exit, 1) << Same.Err;
  EXPECT_EQ(Same.Out, Before.Out);
  EXPECT_TRUE(contains(Same.Err, "in 3 translation units")) << Same.Err;
  // Different facts for one main file: a stale file or two builds; which one is right is not
  // for the merge to guess.
  llvm::Expected<FactsFile> F = readFactsFile(pathJoin(Dir, "owner.cpp.facts"));
  ASSERT_TRUE(static_cast<bool>(F)) << llvm::toString(F.takeError());
  F->Facts.Records.pop_back();
  ASSERT_FALSE(static_cast<bool>(writeFactsFile(pathJoin(Dir, "other-target/owner.cpp.facts"), F->Facts, F->Key)));
  CliResult R = cyclops({"check", "--facts=" + Dir});
  EXPECT_EQ(R.Exit, 2);
  std::string E = onlyError(R);
  EXPECT_TRUE(contains(E, "'" + pathJoin(Dir, "other-target/owner.cpp.facts") + "'")) << E;
  EXPECT_TRUE(contains(E, "'" + pathJoin(Dir, "owner.cpp.facts") + "'")) << E;
  EXPECT_TRUE(contains(E, "hold different facts for '" + multiTu("owner.cpp") + "'")) << E;
}

TEST(Facts, CheckUsageErrors) {
  Scratch S;
  std::string Dir = S.path("facts");
  factsOfMultiTu(Dir);
  CliResult R = cyclops({"check", "-p", CYC_MULTI_TU_BUILD_DIR, "--facts=" + Dir});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_TRUE(contains(onlyError(R), "-p BUILD_DIR and --facts=DIR exclude each other")) << R.Err;
  EXPECT_EQ(R.Out, "");

  R = cyclops({"check", "--facts=" + S.path("no-such-dir")});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_TRUE(contains(onlyError(R), "--facts: '" + S.path("no-such-dir") + "' is not a directory")) << R.Err;

  llvm::sys::fs::create_directories(S.path("empty"));
  R = cyclops({"check", "--facts=" + S.path("empty")});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_TRUE(contains(onlyError(R), "no facts files (*.facts) under '" + S.path("empty") + "'")) << R.Err;

  // Baselines work as with -p.
  std::string Base = S.path("baseline.json");
  R = cyclops({"check", "--facts=" + Dir, "--write-baseline=" + Base});
  EXPECT_EQ(R.Exit, 0) << R.Err;
  R = cyclops({"check", "--facts=" + Dir, "--baseline=" + Base});
  EXPECT_EQ(R.Exit, 0) << R.Err;
  EXPECT_TRUE(contains(R.Err, "0 new findings, 1 in the baseline")) << R.Err;
}

TEST(Facts, FactsCommandErrors) {
  Scratch S;
  std::string Good = S.write("good.cpp", "#include <cyc/cyc.h>\nstruct G { cyc::Handle<G> next; CYC_TRACE(next) };\n");
  std::string Bad = S.write("bad.cpp", "struct S { UnknownType member; };\n");
  std::string Unlisted = S.write("unlisted.cpp", "int x;\n");
  S.database({{Good, {}}, {Bad, {}}});
  std::string Out = S.path("out/x.facts");

  // A file the database does not list is parsed with the command of the nearest listed one.
  CliResult R = cyclops({"facts", "-p", S.dir(), Unlisted, "-o", Out});
  EXPECT_EQ(R.Exit, 0) << R.Err;
  EXPECT_TRUE(contains(R.Err, "'" + Unlisted + "' is not in the compilation database: parsed with the command of '"))
      << R.Err;
  EXPECT_TRUE(llvm::sys::fs::exists(Out));
  llvm::sys::fs::remove(Out);
  R = cyclops({"facts", "-p", S.dir(), S.path("missing.cpp"), "-o", Out});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_TRUE(contains(onlyError(R), "no such file")) << R.Err;

  R = cyclops({"facts", "-p", S.dir(), Bad, "-o", Out, "--depfile", Out + ".d"});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_TRUE(contains(onlyError(R), Bad + ": does not compile: " + Bad + ":1:12: error: unknown type name")) << R.Err;
  EXPECT_FALSE(llvm::sys::fs::exists(Out)) << "no facts from a translation unit that does not compile";
  EXPECT_FALSE(llvm::sys::fs::exists(Out + ".d"));

  R = cyclops({"facts", "-p", S.path("nowhere"), Good, "-o", Out});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_TRUE(contains(onlyError(R), "does not exist")) << R.Err;

  // A regular file where a directory must be.
  std::string Blocker = S.write("blocker", "");
  R = cyclops({"facts", "-p", S.dir(), Good, "-o", pathJoin(Blocker, "x.facts")});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_TRUE(contains(onlyError(R), "blocker")) << R.Err;
  R = cyclops({"facts", "-p", S.dir(), Good, "-o", Out, "--depfile", pathJoin(Blocker, "x.d")});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_TRUE(contains(onlyError(R), "blocker")) << R.Err;

  R = cyclops({"facts", "-p", S.dir(), Good});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_TRUE(contains(onlyError(R), "-o OUT.facts")) << R.Err;
  R = cyclops({"facts", "-p", S.dir(), "-o", Out});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_TRUE(contains(onlyError(R), "no file")) << R.Err;
  R = cyclops({"facts", Good, "-o", Out});
  EXPECT_EQ(R.Exit, 2);
  EXPECT_TRUE(contains(onlyError(R), "-p BUILD_DIR")) << R.Err;
  EXPECT_EQ(cyclops({"facts", "-p", S.dir(), Good, Bad, "-o", Out}).Exit, 2);

  R = cyclops({"facts", "-p", S.dir(), Good, "-o", Out});
  EXPECT_EQ(R.Exit, 0) << R.Err;
  EXPECT_TRUE(static_cast<bool>(readFactsFile(Out)));
}

TEST(Facts, SeveralCompileCommandsUseTheFirst) {
  Scratch S;
  // Under -DSTRONG a tree with strong parent pointers (a cycle-type finding); without, none.
  std::string Src = S.write("two.cpp",
                            "#include <memory>\n"
                            "#include <vector>\n"
                            "struct Node {\n"
                            "#ifdef STRONG\n"
                            "  std::vector<std::shared_ptr<Node>> kids;\n"
                            "  std::shared_ptr<Node> parent;\n"
                            "#else\n"
                            "  int parent;\n"
                            "#endif\n"
                            "};\n");
  for (bool StrongFirst : {true, false}) {
    std::vector<std::string> A{"-DSTRONG"}, B{};
    S.database({{Src, StrongFirst ? A : B}, {Src, StrongFirst ? B : A}});
    std::string Out = S.path("facts/two.cpp.facts");
    CliResult R = cyclops({"facts", "-p", S.dir(), Src, "-o", Out});
    ASSERT_EQ(R.Exit, 0) << R.Err;
    EXPECT_TRUE(contains(R.Err, "cyclops: note: '" + Src + "' has 2 compile commands; its facts are from the first"))
        << R.Err;
    R = cyclops({"check", "--facts=" + S.path("facts"), "--format=json"});
    EXPECT_EQ(R.Exit, StrongFirst ? 1 : 0) << R.Err << R.Out;
  }
}

}  // namespace
}  // namespace cyclops::test
