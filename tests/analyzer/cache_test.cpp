// The facts cache of `cyclops check`: what a second run takes from it, what an edit, a new
// command line, other rules or a damaged entry make it parse again, and that its findings are
// always those of a run without it. Runs on a copy of testdata/analyzer/multi_tu in a
// temporary directory, with a compile_commands.json of its own.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include "config/Rules.h"
#include "extract/CompilationDb.h"
#include "extract/ResourceDir.h"
#include "extract/Runner.h"
#include "facts/FactsCache.h"
#include "facts/FactsIO.h"
#include "output/Output.h"
#include "program/Analyzer.h"

#include "CliRunner.h"

namespace cyclops::test {
namespace {

std::string resourceDir() {
  static int Anchor;
  auto Dir = findResourceDir("", "cyclops_cache_test", &Anchor);
  if (!Dir) {
    ADD_FAILURE() << llvm::toString(Dir.takeError());
    return "";
  }
  return *Dir;
}

RuleSet defaults() {
  auto R = defaultRules();
  if (!R) {
    ADD_FAILURE() << llvm::toString(R.takeError());
    return {};
  }
  return *R;
}

std::vector<std::string> entries(llvm::StringRef Dir) {
  if (!llvm::sys::fs::is_directory(Dir)) return {};
  auto Files = listFactsFiles(Dir);
  if (!Files) {
    ADD_FAILURE() << llvm::toString(Files.takeError());
    return {};
  }
  return *Files;
}

// The cache entry of a translation unit: its name begins with the file's name.
std::string entryOf(llvm::StringRef Dir, llvm::StringRef FileName) {
  std::vector<std::string> Found;
  for (const std::string &E : entries(Dir))
    if (llvm::sys::path::filename(E).starts_with((FileName + "-").str())) Found.push_back(E);
  EXPECT_EQ(Found.size(), 1u) << "entries of " << FileName.str();
  return Found.empty() ? "" : Found[0];
}

// A copy of the multi-TU project (account.cpp, ledger.cpp, owner.cpp; each includes model.h
// and its own header) and its compilation database.
class Project {
 public:
  Project() {
    std::error_code EC = llvm::sys::fs::createUniqueDirectory("cyclops-cache-test", Root);
    EXPECT_FALSE(EC) << EC.message();
    std::string From = std::string(CYC_TESTDATA_DIR) + "/multi_tu";
    for (llvm::sys::fs::directory_iterator It(From, EC), End; It != End && !EC; It.increment(EC)) {
      llvm::StringRef Ext = llvm::sys::path::extension(It->path());
      if (Ext == ".h" || Ext == ".cpp") {
        EXPECT_FALSE(llvm::sys::fs::copy_file(It->path(), path(llvm::sys::path::filename(It->path()))));
      }
    }
    database();
  }
  ~Project() { llvm::sys::fs::remove_directories(Root); }

  std::string dir() const { return std::string(Root); }
  std::string path(llvm::StringRef Name) const {
    llvm::SmallString<256> P(Root);
    llvm::sys::path::append(P, Name);
    return std::string(P);
  }
  std::string cacheDir() const { return path("cache"); }

  // compile_commands.json for `Units` (default: the three), with extra arguments per file.
  void database(std::vector<std::string> Units = {"account.cpp", "ledger.cpp", "owner.cpp"},
                std::map<std::string, std::vector<std::string>> Extra = {}) {
    llvm::json::Array Commands;
    for (const std::string &U : Units) {
      llvm::json::Array Args{"c++", "-std=c++20", std::string("-I") + CYC_RUNTIME_INCLUDE_DIR};
      for (const std::string &A : Extra[U]) Args.push_back(A);
      for (const char *A : {"-c", U.c_str(), "-o", (U + ".o").c_str()}) Args.push_back(A);
      Commands.push_back(llvm::json::Object{{"directory", dir()}, {"file", U}, {"arguments", std::move(Args)}});
    }
    std::string Text;
    llvm::raw_string_ostream(Text) << llvm::json::Value(std::move(Commands));
    spit(path("compile_commands.json"), Text);
  }

  // Appends text to a file: another content hash, the same meaning.
  void touch(llvm::StringRef Name, llvm::StringRef Text = "// edited\n") {
    spit(path(Name), slurp(path(Name)) + Text.str());
  }

 private:
  llvm::SmallString<256> Root;
};

struct Pass {
  RunResult Result;
  std::string Findings;  // the findings as `--format=json` prints them
  std::vector<std::string> Facts;  // each translation unit's facts, serialized, by main file
  size_t FindingCount = 0;
};

// One `cyclops check` over the project, in process: Runner, then the rules.
Pass run(const Project &P, const RuleSet &Rules, llvm::StringRef CacheDir) {
  Pass Out;
  auto DB = loadCompilationDatabase(P.dir());
  if (!DB) {
    ADD_FAILURE() << llvm::toString(DB.takeError());
    return Out;
  }
  FileSelection All = selectFiles(**DB, {});
  Out.Result = runTranslationUnits(**DB, All.Files, Rules, RunOptions{2, resourceDir(), CacheDir.str()});
  for (const TUFailure &F : Out.Result.Failures) ADD_FAILURE() << F.File << ": " << F.Reason;
  for (const TUFacts &F : Out.Result.Facts) Out.Facts.push_back(serializeFacts(F, ""));
  std::sort(Out.Facts.begin(), Out.Facts.end());
  AnalysisResult A = analyzeFacts(Out.Result.Facts, Rules);
  Out.FindingCount = A.Findings.size();
  llvm::raw_string_ostream(Out.Findings) << toJson(A.Findings);
  return Out;
}

std::vector<std::string> names(const std::vector<std::string> &Paths) {
  std::vector<std::string> Out;
  for (const std::string &P : Paths) Out.push_back(llvm::sys::path::filename(P).str());
  std::sort(Out.begin(), Out.end());
  return Out;
}

using Names = std::vector<std::string>;

TEST(FactsCache, SecondRunTakesEveryTranslationUnitFromTheCache) {
  Project P;
  RuleSet Rules = defaults();
  Pass Cold = run(P, Rules, P.cacheDir());
  EXPECT_EQ(Cold.Result.Analyzed, 3u);
  EXPECT_EQ(Cold.Result.FromCache, 0u);
  EXPECT_TRUE(Cold.Result.Notes.empty());
  EXPECT_EQ(Cold.FindingCount, 1u) << Cold.Findings;
  EXPECT_EQ(entries(P.cacheDir()).size(), 3u);

  Pass Warm = run(P, Rules, P.cacheDir());
  EXPECT_EQ(Warm.Result.Analyzed, 0u);
  EXPECT_EQ(Warm.Result.FromCache, 3u);
  EXPECT_EQ(names(Warm.Result.CachedFiles), (Names{"account.cpp", "ledger.cpp", "owner.cpp"}));
  EXPECT_TRUE(Warm.Result.Notes.empty());
  EXPECT_EQ(Warm.Findings, Cold.Findings);
  EXPECT_EQ(Warm.Facts, Cold.Facts) << "the cached facts are the extracted ones";

  // Entries are ordinary facts files with the cache's key.
  for (const std::string &E : entries(P.cacheDir())) {
    auto F = readFactsFile(E);
    ASSERT_TRUE(static_cast<bool>(F)) << llvm::toString(F.takeError());
    EXPECT_TRUE(llvm::StringRef(F->Key).starts_with("cyclops ")) << F->Key;
    EXPECT_NE(F->Key.find("; rules "), std::string::npos) << F->Key;
    EXPECT_NE(F->Key.find("; command "), std::string::npos) << F->Key;
  }
}

TEST(FactsCache, EditingAHeaderReanalyzesExactlyTheTranslationUnitsThatIncludeIt) {
  Project P;
  RuleSet Rules = defaults();
  Pass Cold = run(P, Rules, P.cacheDir());

  P.touch("account.h");  // account.cpp only
  Pass One = run(P, Rules, P.cacheDir());
  EXPECT_EQ(One.Result.Analyzed, 1u);
  EXPECT_EQ(One.Result.FromCache, 2u);
  EXPECT_EQ(names(One.Result.CachedFiles), (Names{"ledger.cpp", "owner.cpp"}));
  EXPECT_EQ(One.Findings, Cold.Findings);

  P.touch("model.h");  // all three
  Pass All = run(P, Rules, P.cacheDir());
  EXPECT_EQ(All.Result.Analyzed, 3u);
  EXPECT_EQ(All.Result.FromCache, 0u);
  EXPECT_EQ(All.Findings, Cold.Findings);

  P.touch("owner.cpp");  // a main file
  Pass Main = run(P, Rules, P.cacheDir());
  EXPECT_EQ(Main.Result.Analyzed, 1u);
  EXPECT_EQ(names(Main.Result.CachedFiles), (Names{"account.cpp", "ledger.cpp"}));

  // An edit that changes the program: the cycle is broken in owner.h, and the run that
  // re-parses only owner.cpp finds what a run without the cache finds - nothing.
  std::string Owner = slurp(P.path("owner.h"));
  size_t At = Owner.find("cyc::Handle<Account> account;");
  ASSERT_NE(At, std::string::npos);
  Owner.replace(At, 11, "cyc::Weak");
  spit(P.path("owner.h"), Owner);
  Pass Fixed = run(P, Rules, P.cacheDir());
  EXPECT_EQ(Fixed.Result.Analyzed, 1u);
  EXPECT_EQ(names(Fixed.Result.CachedFiles), (Names{"account.cpp", "ledger.cpp"}));
  Pass Uncached = run(P, Rules, "");
  EXPECT_EQ(Uncached.Result.FromCache, 0u);
  EXPECT_EQ(Fixed.FindingCount, 0u) << Fixed.Findings;
  EXPECT_EQ(Fixed.Findings, Uncached.Findings);
  EXPECT_EQ(Fixed.Facts, Uncached.Facts);
}

TEST(FactsCache, DamagedEntriesAreDetectedAndRebuilt) {
  Project P;
  RuleSet Rules = defaults();
  Pass Cold = run(P, Rules, P.cacheDir());
  std::string Account = entryOf(P.cacheDir(), "account.cpp");
  std::string Ledger = entryOf(P.cacheDir(), "ledger.cpp");
  std::string Owner = entryOf(P.cacheDir(), "owner.cpp");

  std::string Text = slurp(Account);
  spit(Account, llvm::StringRef(Text).take_front(Text.size() / 2));  // truncated
  Text = slurp(Ledger);
  size_t Body = Text.find('\n') + 1;
  Text[Body + (Text.size() - Body) / 2] ^= 0x01;  // one bit flipped in the facts
  spit(Ledger, Text);

  Pass Repaired = run(P, Rules, P.cacheDir());
  EXPECT_EQ(Repaired.Result.Analyzed, 2u);
  EXPECT_EQ(names(Repaired.Result.CachedFiles), (Names{"owner.cpp"}));
  // One note for each, naming the entry and what is wrong with it.
  std::map<std::string, std::string> Notes;
  for (const std::string &N : Repaired.Result.Notes) Notes[N.substr(0, N.find(": "))] = N;
  ASSERT_EQ(Repaired.Result.Notes.size(), 2u);
  EXPECT_NE(Notes[Account].find(": not a valid cyclops facts file: "), std::string::npos) << Notes[Account];
  EXPECT_NE(Notes[Account].find("(truncated?)"), std::string::npos) << Notes[Account];
  EXPECT_NE(Notes[Ledger].find(": not a valid cyclops facts file: checksum mismatch"), std::string::npos)
      << Notes[Ledger];
  EXPECT_EQ(Repaired.Findings, Cold.Findings);
  EXPECT_EQ(Repaired.Facts, Cold.Facts);

  // Rebuilt: the next run takes all three again, silently.
  Pass Warm = run(P, Rules, P.cacheDir());
  EXPECT_EQ(Warm.Result.FromCache, 3u);
  EXPECT_TRUE(Warm.Result.Notes.empty());

  // A bit flipped in the header's key, or the file replaced by something else: never trusted.
  Text = slurp(Owner);
  Text[Text.find("\"key\":\"cyclops") + 8] ^= 0x20;
  spit(Owner, Text);
  spit(Account, "not facts at all\n");
  Pass Again = run(P, Rules, P.cacheDir());
  EXPECT_EQ(Again.Result.Analyzed, 2u);
  EXPECT_EQ(names(Again.Result.CachedFiles), (Names{"ledger.cpp"}));
  ASSERT_EQ(Again.Result.Notes.size(), 1u) << "a foreign key is stale, not damaged";
  EXPECT_EQ(Again.Result.Notes[0].rfind(Account + ": ", 0), 0u) << Again.Result.Notes[0];
  EXPECT_EQ(Again.Findings, Cold.Findings);
}

TEST(FactsCache, AChangedCommandLineReanalyzes) {
  Project P;
  RuleSet Rules = defaults();
  Pass Cold = run(P, Rules, P.cacheDir());
  std::string OldOwner = entryOf(P.cacheDir(), "owner.cpp");

  P.database({"account.cpp", "ledger.cpp", "owner.cpp"}, {{"owner.cpp", {"-DCYC_CACHE_TEST=1"}}});
  Pass Changed = run(P, Rules, P.cacheDir());
  EXPECT_EQ(Changed.Result.Analyzed, 1u);
  EXPECT_EQ(names(Changed.Result.CachedFiles), (Names{"account.cpp", "ledger.cpp"}));
  EXPECT_EQ(Changed.Findings, Cold.Findings);
  // One entry per compile command: the old command's entry is gone.
  EXPECT_EQ(entries(P.cacheDir()).size(), 3u);
  EXPECT_FALSE(llvm::sys::fs::exists(OldOwner));

  Pass Warm = run(P, Rules, P.cacheDir());
  EXPECT_EQ(Warm.Result.FromCache, 3u);
}

TEST(FactsCache, ChangedRulesReanalyze) {
  Project P;
  RuleSet Rules = defaults();
  Pass Cold = run(P, Rules, P.cacheDir());

  RuleSet Other = Rules;
  Other.BackPointerNames.push_back("ledger");
  EXPECT_NE(rulesFingerprint(Other), rulesFingerprint(Rules));
  Pass Changed = run(P, Other, P.cacheDir());
  EXPECT_EQ(Changed.Result.Analyzed, 3u);
  EXPECT_EQ(Changed.Result.FromCache, 0u);

  RuleSet Severity = Rules;
  for (RuleInfo &R : Severity.Rules) R.Level = Severity::Error;
  Pass Stricter = run(P, Severity, P.cacheDir());
  EXPECT_EQ(Stricter.Result.Analyzed, 3u);
  ASSERT_EQ(Stricter.FindingCount, 1u);
  EXPECT_NE(Stricter.Findings.find("\"severity\":\"error\""), std::string::npos) << Stricter.Findings;

  // The same rules, however obtained, share the entries.
  auto Same = parseRules("base: default\n# a comment changes nothing\n", "same.yaml", Rules);
  ASSERT_TRUE(static_cast<bool>(Same)) << llvm::toString(Same.takeError());
  EXPECT_EQ(rulesFingerprint(*Same), rulesFingerprint(Rules));
  run(P, Rules, P.cacheDir());
  Pass Warm = run(P, *Same, P.cacheDir());
  EXPECT_EQ(Warm.Result.FromCache, 3u);
  EXPECT_EQ(Warm.Findings, Cold.Findings);
}

TEST(FactsCache, TranslationUnitsThatDoNotCompileAreNotCached) {
  Project P;
  RuleSet Rules = defaults();
  run(P, Rules, P.cacheDir());
  std::string OldOwner = entryOf(P.cacheDir(), "owner.cpp");
  P.touch("owner.cpp", "this does not compile;\n");
  auto DB = loadCompilationDatabase(P.dir());
  ASSERT_TRUE(static_cast<bool>(DB)) << llvm::toString(DB.takeError());
  RunResult R =
      runTranslationUnits(**DB, selectFiles(**DB, {}).Files, Rules, RunOptions{2, resourceDir(), P.cacheDir()});
  ASSERT_EQ(R.Failures.size(), 1u);
  EXPECT_EQ(llvm::sys::path::filename(R.Failures[0].File), "owner.cpp");
  EXPECT_EQ(R.Analyzed, 1u);
  EXPECT_EQ(R.FromCache, 2u);
  EXPECT_FALSE(llvm::sys::fs::exists(OldOwner)) << "facts of code that is gone";
  std::vector<std::string> Left = names(entries(P.cacheDir()));
  ASSERT_EQ(Left.size(), 2u);
  EXPECT_TRUE(llvm::StringRef(Left[0]).starts_with("account.cpp-")) << Left[0];
  EXPECT_TRUE(llvm::StringRef(Left[1]).starts_with("ledger.cpp-")) << Left[1];
}

TEST(FactsCache, AWholeDatabaseRunDropsTheEntriesOfFilesItNoLongerLists) {
  Project P;
  RuleSet Rules = defaults();
  run(P, Rules, P.cacheDir());
  std::string Owner = entryOf(P.cacheDir(), "owner.cpp");
  spit(P.cacheDir() + "/notes.txt", "not an entry\n");
  std::string Foreign = P.cacheDir() + "/other.facts";
  ASSERT_FALSE(llvm::sys::fs::copy_file(Owner, Foreign));

  P.database({"account.cpp", "ledger.cpp"});
  Pass Two = run(P, Rules, P.cacheDir());
  EXPECT_EQ(Two.Result.FromCache, 2u);
  EXPECT_FALSE(llvm::sys::fs::exists(Owner));
  EXPECT_TRUE(llvm::sys::fs::exists(Foreign)) << "not named like an entry: not the cache's";
  EXPECT_TRUE(llvm::sys::fs::exists(P.cacheDir() + "/notes.txt"));

  // A run over some files of the database leaves the others' entries alone.
  P.database();
  run(P, Rules, P.cacheDir());
  auto DB = loadCompilationDatabase(P.dir());
  ASSERT_TRUE(static_cast<bool>(DB)) << llvm::toString(DB.takeError());
  RunResult R = runTranslationUnits(**DB, {P.path("account.cpp")}, Rules, RunOptions{1, resourceDir(), P.cacheDir()});
  EXPECT_EQ(R.FromCache, 1u);
  EXPECT_EQ(entries(P.cacheDir()).size(), 4u);  // three entries and other.facts
}

// A scratch file and a FactsCache over hand-made facts: the validity rules one by one.
TEST(FactsCache, AnEntryIsFreshOnlyWithItsKeyAndEveryInputUnchanged) {
  Project P;
  RuleSet Rules = defaults();
  std::string Header = P.path("input.h");
  spit(Header, "int x;\n");
  TUFacts Facts;
  Facts.MainFile = P.path("main.cpp");
  Facts.Inputs = {{Header, hashContent("int x;\n")}};
  std::vector<std::string> Args{"clang++", "-c", "main.cpp"};

  FactsCache::Entry E;
  {
    FactsCache Cache(P.cacheDir(), Rules);
    E = Cache.entry("main.cpp", P.dir(), Args);
    EXPECT_EQ(E.Path.rfind(P.cacheDir() + "/main.cpp-", 0), 0u) << E.Path;
    EXPECT_FALSE(Cache.lookup(E).Facts) << "nothing stored yet";
    EXPECT_TRUE(Cache.lookup(E).Note.empty());
    Cache.store(E, Facts);
    EXPECT_EQ(Cache.writeFailure(), "");
    ASSERT_TRUE(Cache.lookup(E).Facts);
    EXPECT_EQ(Cache.lookup(E).Facts->Inputs, Facts.Inputs);
    // The same file named relative to its directory or not: one entry.
    EXPECT_EQ(Cache.entry(P.path("main.cpp"), P.dir(), Args).Path, E.Path);
    EXPECT_NE(Cache.entry("main.cpp", P.dir(), {"clang++", "-DX", "-c", "main.cpp"}).Path, E.Path);
    EXPECT_NE(Cache.entry("main.cpp", P.path("sub"), Args).Key, E.Key);

    // Inputs are hashed once per FactsCache (per run): an edit during the run is not seen.
    spit(Header, "int y;\n");
    EXPECT_TRUE(Cache.lookup(E).Facts);
  }
  {
    FactsCache Next(P.cacheDir(), Rules);
    EXPECT_FALSE(Next.lookup(E).Facts) << "the input changed";
    EXPECT_TRUE(Next.lookup(E).Note.empty()) << "stale is not damaged";
  }
  spit(Header, "int x;\n");
  EXPECT_TRUE(FactsCache(P.cacheDir(), Rules).lookup(E).Facts) << "the content is what counts";
  llvm::sys::fs::remove(Header);
  EXPECT_FALSE(FactsCache(P.cacheDir(), Rules).lookup(E).Facts) << "a missing input is stale";
  spit(Header, "int x;\n");

  RuleSet Other = Rules;
  Other.CycleType.MaxLength += 1;
  FactsCache OtherRules(P.cacheDir(), Other);
  EXPECT_FALSE(OtherRules.lookup(OtherRules.entry("main.cpp", P.dir(), Args)).Facts);

  // Facts without inputs cannot be checked: never fresh.
  FactsCache Cache(P.cacheDir(), Rules);
  Facts.Inputs.clear();
  Cache.store(E, Facts);
  EXPECT_FALSE(Cache.lookup(E).Facts);

  // A facts file of another format version is stale, silently; garbage is damaged.
  std::string Text = serializeFacts(Facts, E.Key);
  Text.replace(Text.find("\"version\":3"), 11, "\"version\":9");
  spit(E.Path, Text);
  EXPECT_FALSE(Cache.lookup(E).Facts);
  EXPECT_EQ(Cache.lookup(E).Note, "");
  spit(E.Path, "");
  EXPECT_EQ(Cache.lookup(E).Note.rfind(E.Path + ": not a valid cyclops facts file", 0), 0u) << Cache.lookup(E).Note;
}

TEST(FactsCache, AFailedStoreIsOneNote) {
  Project P;
  spit(P.path("cache"), "a file where the cache directory should be\n");
  Pass R = run(P, defaults(), P.cacheDir());
  EXPECT_EQ(R.Result.Analyzed, 3u);
  EXPECT_EQ(R.FindingCount, 1u);
  ASSERT_EQ(R.Result.Notes.size(), 1u);
  EXPECT_EQ(R.Result.Notes[0].rfind("facts cache not updated: ", 0), 0u) << R.Result.Notes[0];
  EXPECT_NE(R.Result.Notes[0].find("(and 2 more entries not written)"), std::string::npos) << R.Result.Notes[0];
}

TEST(FactsCache, RulesFingerprintCoversEveryValue) {
  RuleSet Base = defaults();
  std::string F = rulesFingerprint(Base);
  auto differs = [&](auto Change) {
    RuleSet R = Base;
    Change(R);
    return rulesFingerprint(R) != F;
  };
  EXPECT_TRUE(differs([](RuleSet &R) { R.Families[0].Name += "x"; }));
  EXPECT_TRUE(differs([](RuleSet &R) { R.Families[0].Strong.push_back("a::B"); }));
  EXPECT_TRUE(differs([](RuleSet &R) { R.Families[0].Weak.push_back("a::W"); }));
  EXPECT_TRUE(differs([](RuleSet &R) { R.Families[0].Collector = !R.Families[0].Collector; }));
  EXPECT_TRUE(differs([](RuleSet &R) { R.Families[0].FixIt = !R.Families[0].FixIt; }));
  EXPECT_TRUE(differs([](RuleSet &R) { R.Owners.push_back("a::Box"); }));
  EXPECT_TRUE(differs([](RuleSet &R) { R.PointerOwners.push_back("a::Ptr"); }));
  EXPECT_TRUE(differs([](RuleSet &R) { R.BackPointerNames.push_back("up2"); }));
  EXPECT_TRUE(differs([](RuleSet &R) { R.CycleType.MaxLength++; }));
  EXPECT_TRUE(differs([](RuleSet &R) { R.CycleType.MaxCycles++; }));
  EXPECT_TRUE(differs([](RuleSet &R) { R.Rules[0].Enabled = !R.Rules[0].Enabled; }));
  EXPECT_TRUE(differs([](RuleSet &R) { R.Rules[0].Level = Severity::Note; }));
  EXPECT_TRUE(differs([](RuleSet &R) { R.Rules[0].Summary += "."; }));
  // Lists are delimited: moving a name from one list to the next is a change.
  EXPECT_TRUE(differs([](RuleSet &R) {
    R.PointerOwners.insert(R.PointerOwners.begin(), R.Owners.back());
    R.Owners.pop_back();
  }));
}

// ---- the command line ----------------------------------------------------------------------

TEST(FactsCacheCli, TheDefaultCacheIsInTheBuildDirectoryAndTheSummarySaysWhatCameFromIt) {
  Project P;
  CliResult Cold = cyclops({"check", "-p", P.dir(), "--format=json"});
  EXPECT_EQ(Cold.Exit, 1) << Cold.Err;
  EXPECT_EQ(Cold.Err, "cyclops: 1 finding in 3 translation units\n");
  EXPECT_EQ(entries(P.path(".cyclops-cache")).size(), 3u);

  CliResult Warm = cyclops({"check", "-p", P.dir(), "--format=json"});
  EXPECT_EQ(Warm.Exit, 1) << Warm.Err;
  EXPECT_EQ(Warm.Err, "cyclops: 1 finding in 3 translation units (3 from the cache)\n");
  EXPECT_EQ(Warm.Out, Cold.Out);

  P.touch("ledger.h");
  CliResult Edited = cyclops({"check", "-p", P.path("compile_commands.json"), "--format=json"});
  EXPECT_EQ(Edited.Err, "cyclops: 1 finding in 3 translation units (2 from the cache)\n");
  EXPECT_EQ(Edited.Out, Cold.Out);

  // A damaged entry: one note naming it, then the usual summary.
  std::string Entry = entryOf(P.path(".cyclops-cache"), "account.cpp");
  spit(Entry, slurp(Entry).substr(0, 100));
  CliResult Damaged = cyclops({"check", "-p", P.dir(), "--format=json"});
  EXPECT_EQ(Damaged.Exit, 1) << Damaged.Err;
  EXPECT_EQ(Damaged.Out, Cold.Out);
  EXPECT_EQ(Damaged.Err.rfind("cyclops: note: " + Entry + ": not a valid cyclops facts file: ", 0), 0u) << Damaged.Err;
  EXPECT_NE(Damaged.Err.find("\ncyclops: 1 finding in 3 translation units (2 from the cache)\n"), std::string::npos)
      << Damaged.Err;
}

// This test binary and the cyclops binary are two builds of the analyzer: same version, same
// commands, same rules, and still neither may use the other's facts.
TEST(FactsCacheCli, AnotherBuildOfTheAnalyzerDoesNotUseTheEntries) {
  Project P;
  Pass InProcess = run(P, defaults(), P.path(".cyclops-cache"));
  EXPECT_EQ(InProcess.Result.Analyzed, 3u);
  EXPECT_EQ(run(P, defaults(), P.path(".cyclops-cache")).Result.FromCache, 3u);
  CliResult Other = cyclops({"check", "-p", P.dir()});
  EXPECT_EQ(Other.Err, "cyclops: 1 finding in 3 translation units\n");
  Other = cyclops({"check", "-p", P.dir()});
  EXPECT_EQ(Other.Err, "cyclops: 1 finding in 3 translation units (3 from the cache)\n");
}

TEST(FactsCacheCli, CacheDirAndNoCache) {
  Project P;
  CliResult None = cyclops({"check", "-p", P.dir(), "--no-cache"});
  EXPECT_EQ(None.Exit, 1) << None.Err;
  EXPECT_FALSE(llvm::sys::fs::exists(P.path(".cyclops-cache")));
  None = cyclops({"check", "-p", P.dir(), "--no-cache", "--cache-dir=" + P.path("elsewhere")});
  EXPECT_EQ(None.Err, "cyclops: 1 finding in 3 translation units\n");
  EXPECT_FALSE(llvm::sys::fs::exists(P.path(".cyclops-cache")));
  EXPECT_FALSE(llvm::sys::fs::exists(P.path("elsewhere")));

  CliResult Mine = cyclops({"check", "-p", P.dir(), "--cache-dir=" + P.path("elsewhere")});
  EXPECT_EQ(entries(P.path("elsewhere")).size(), 3u);
  EXPECT_FALSE(llvm::sys::fs::exists(P.path(".cyclops-cache")));
  Mine = cyclops({"check", "-p", P.dir(), "--cache-dir=" + P.path("elsewhere")});
  EXPECT_EQ(Mine.Err, "cyclops: 1 finding in 3 translation units (3 from the cache)\n");

  // Other rules: every translation unit again (the file's content counts, not its name).
  std::string RulesFile = P.path("rules.yaml");
  spit(RulesFile, "base: default\nrules:\n  - id: cycle-type\n    severity: error\n");
  CliResult Strict = cyclops({"check", "-p", P.dir(), "--cache-dir=" + P.path("elsewhere"), "--rules=" + RulesFile});
  EXPECT_EQ(Strict.Err, "cyclops: 1 finding in 3 translation units\n");
  spit(RulesFile, "base: default\n");
  CliResult Defaults = cyclops({"check", "-p", P.dir(), "--cache-dir=" + P.path("elsewhere"), "--rules=" + RulesFile});
  EXPECT_EQ(Defaults.Err, "cyclops: 1 finding in 3 translation units\n");
  Defaults = cyclops({"check", "-p", P.dir(), "--cache-dir=" + P.path("elsewhere")});
  EXPECT_EQ(Defaults.Err, "cyclops: 1 finding in 3 translation units (3 from the cache)\n");

  // A cache that cannot be written: a note; the run is as good as one without a cache.
  spit(P.path("blocked"), "a file, not a directory\n");
  CliResult Blocked = cyclops({"check", "-p", P.dir(), "--format=json", "--cache-dir=" + P.path("blocked")});
  EXPECT_EQ(Blocked.Exit, 1) << Blocked.Err;
  EXPECT_EQ(Blocked.Err.rfind("cyclops: note: facts cache not updated: ", 0), 0u) << Blocked.Err;
  EXPECT_NE(Blocked.Err.find("\ncyclops: 1 finding in 3 translation units\n"), std::string::npos) << Blocked.Err;
}

}  // namespace
}  // namespace cyclops::test
