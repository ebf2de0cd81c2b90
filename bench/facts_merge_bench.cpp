// facts_merge_bench.cpp - what `cyclops check --facts=DIR` costs on a project of 1,000
// translation units (reading, merging, running the rules), against parsing one real one.
//
// The facts files are synthetic but shaped like real ones (the real file this run extracts
// is printed beside them): ~290 inputs, most of them system headers every file shares; ~30
// records of a library header that every file repeats; five records of the file's own, which
// point at records of other files, so that the merged graph has cross-file cycles (and one
// cycle through all files, longer than cycle-type enumerates); a cycle-instance finding in
// every fifth file.
#include <unistd.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Threading.h"

#include "cli/FactsCommand.h"
#include "extract/CompilationDb.h"
#include "extract/ResourceDir.h"
#include "extract/Runner.h"
#include "facts/FactsIO.h"
#include "output/Suppressions.h"
#include "program/Analyzer.h"
#include "program/TypeGraph.h"
#include "rules/Registry.h"

namespace {

using namespace cyclops;

constexpr unsigned Files = 1000;

SourcePos at(const std::string &File, unsigned Line, unsigned Column = 3) { return SourcePos{File, Line, Column}; }

FieldFact field(const std::string &Name, const std::string &File, unsigned Line, const std::string &Type,
                std::vector<FieldEdge> Edges = {}) {
  FieldFact F;
  F.Name = Name;
  F.Pos = at(File, Line);
  F.TypeSpelling = Type;
  F.Edges = std::move(Edges);
  return F;
}

FieldEdge strong(const std::string &Target, const std::string &Family) { return {Target, EdgeKind::Strong, Family, true}; }
FieldEdge owns(const std::string &Target) { return {Target, EdgeKind::Owns, "", true}; }

std::string mod(unsigned I) { return "app::m" + std::to_string(I % Files); }
std::string header(unsigned I) { return "/synthetic/include/app/m" + std::to_string(I % Files) + ".h"; }

// The five records file I defines in its header (and file I-1 sees through its include).
std::vector<RecordFact> ownRecords(unsigned I) {
  const std::string H = header(I), M = mod(I);
  std::vector<RecordFact> Out(5);
  Out[0].Name = M + "::Node";
  Out[0].Fields = {field("next", H, 10, "std::shared_ptr<" + mod(I + 1) + "::Node>", {strong(mod(I + 1) + "::Node", "std")}),
                   field("parts", H, 11, "std::vector<Part>", {owns(M + "::Part")}),
                   field("name", H, 12, "std::string"), field("size", H, 13, "int")};
  Out[0].Hook = TraceHookFact{M + "::Node", HookKind::Macro, at(H, 14), {"parts"}, false, at(H, 14, 19)};
  Out[1].Name = M + "::Part";
  Out[1].Fields = {field("peer", H, 20, "cyc::Handle<" + mod(I + 7) + "::Peer>", {strong(mod(I + 7) + "::Peer", "cyc")}),
                   field("weight", H, 21, "double")};
  Out[1].Hook = TraceHookFact{M + "::Part", HookKind::Macro, at(H, 22), {"peer"}, false, at(H, 22, 18)};
  Out[2].Name = M + "::Peer";
  Out[2].Fields = {field("label", H, 30, "std::string")};
  // Every 20th file closes a two-record cycle with the file seven before it.
  if (I % 20 == 0)
    Out[2].Fields.push_back(field("back", H, 31, "std::shared_ptr<" + mod(I + Files - 7) + "::Part>",
                                  {strong(mod(I + Files - 7) + "::Part", "std")}));
  Out[3].Name = M + "::Cache";
  Out[3].Fields = {field("entries", H, 40, "std::vector<cyc::Handle<lib::Blob>>", {strong("lib::Blob", "cyc")}),
                   field("hits", H, 41, "std::size_t")};
  // A collectable type without a trace hook in every 50th file (missing-trace).
  if (I % 50 != 0) Out[3].Hook = TraceHookFact{M + "::Cache", HookKind::Macro, at(H, 42), {"entries"}, false, at(H, 42, 20)};
  Out[4].Name = M + "::Registry";
  Out[4].Bases = {"lib::Base3"};
  Out[4].Fields = {field("caches", H, 50, "std::vector<Cache>", {owns(M + "::Cache")})};
  Out[4].Hook = TraceHookFact{M + "::Registry", HookKind::Macro, at(H, 51), {"caches"}, false, at(H, 51, 20)};
  for (unsigned R = 0; R < 5; ++R) {
    Out[R].Pos = at(H, 10 * R + 9, 8);
    Out[R].InsertHookAt = HookInsertion{at(H, 10 * R + 15, 1), true, "  "};
  }
  return Out;
}

// A library header every file includes: records without cycles, mostly plain fields.
std::vector<RecordFact> libraryRecords() {
  const std::string H = "/synthetic/include/lib/lib.h";
  std::vector<RecordFact> Out;
  for (unsigned K = 0; K < 30; ++K) {
    RecordFact R;
    R.Name = K == 29 ? "lib::Blob" : "lib::Base" + std::to_string(K);
    R.Pos = at(H, 100 * K + 1, 8);
    for (unsigned F = 0; F < 4; ++F) R.Fields.push_back(field("f" + std::to_string(F), H, 100 * K + 2 + F, "std::uint64_t"));
    if (K + 1 < 29) R.Fields.push_back(field("next", H, 100 * K + 9, "std::unique_ptr<lib::Base>",
                                             {owns("lib::Base" + std::to_string(K + 1))}));
    Out.push_back(std::move(R));
  }
  return Out;
}

TUFacts syntheticFacts(unsigned I) {
  TUFacts T;
  T.MainFile = "/synthetic/src/m" + std::to_string(I) + ".cpp";
  T.Inputs.push_back({T.MainFile, 0x9e3779b97f4a7c15ULL * (I + 1)});
  for (unsigned K = 0; K < 280; ++K)
    T.Inputs.push_back({"/usr/include/c++/12/bits/synthetic_header_" + std::to_string(K) + ".h", 0x51ed27ULL * (K + 1)});
  for (unsigned D : {0u, 1u, 7u, Files - 7}) T.Inputs.push_back({header(I + D), 0xabcdefULL * ((I + D) % Files + 1)});
  T.Inputs.push_back({"/synthetic/include/lib/lib.h", 42});
  T.Records = libraryRecords();
  for (RecordFact &R : ownRecords(I)) T.Records.push_back(std::move(R));
  // The next file's Node, which this file's Node holds (its header is included).
  T.Records.push_back(ownRecords(I + 1)[0]);
  if (I % 5 == 0) {
    Finding F;
    F.Rule = "cycle-instance";
    F.Message = "this store links the object to itself through 'next'";
    F.Pos = at(T.MainFile, 40, 5);
    F.Path = {{mod(I) + "::Node", "next", at(T.MainFile, 40, 5), "stored here"},
              {mod(I + 1) + "::Node", "next", at(T.MainFile, 41, 5), "and back here"}};
    F.Id = "synthetic-" + std::to_string(I);
    T.Findings.push_back(std::move(F));
  }
  return T;
}

struct Fixture {
  std::string Dir;
  RuleSet Rules;
  std::vector<TUFacts> Facts;  // as read back
  std::uint64_t Bytes = 0;
  std::string RealFile;
  std::uint64_t RealBytes = 0;
  std::string ResourceDir;
};
Fixture *Fx = nullptr;

std::vector<TUFacts> readAll(const std::vector<std::string> &Paths) {
  std::vector<TUFacts> Out;
  for (const std::string &P : Paths) {
    llvm::Expected<FactsFile> F = readFactsFile(P);
    if (!F) {
      std::fprintf(stderr, "facts_merge_bench: %s\n", llvm::toString(F.takeError()).c_str());
      std::exit(2);
    }
    Out.push_back(std::move(F->Facts));
  }
  return Out;
}

// ---- the phases of `cyclops check --facts=DIR` ----------------------------------------------

void ReadSequential(benchmark::State &St) {
  for (auto _ : St) {
    llvm::Expected<std::vector<std::string>> Paths = listFactsFiles(Fx->Dir);
    std::vector<TUFacts> F = readAll(*Paths);
    benchmark::DoNotOptimize(F.data());
  }
  St.counters["files"] = Files;
  St.counters["MB/s"] = benchmark::Counter(static_cast<double>(Fx->Bytes) / 1e6, benchmark::Counter::kIsIterationInvariantRate);
}

void LoadParallel(benchmark::State &St) {
  for (auto _ : St) {
    llvm::Expected<LoadedFacts> L = loadFactsDir(Fx->Dir, {}, Fx->Rules, 0);
    if (!L) St.SkipWithError(llvm::toString(L.takeError()).c_str());
    else benchmark::DoNotOptimize(L->Facts.data());
  }
  St.counters["threads"] = llvm::hardware_concurrency().compute_thread_count();
}

void Graph(benchmark::State &St) {
  for (auto _ : St) {
    St.PauseTiming();
    std::vector<TUFacts> Copy = Fx->Facts;
    St.ResumeTiming();
    auto G = std::make_unique<TypeGraph>(std::move(Copy), Fx->Rules);
    benchmark::DoNotOptimize(G->size());
    St.PauseTiming();
    G.reset();  // freed outside the timing
    St.ResumeTiming();
  }
}

void Rules(benchmark::State &St) {
  TypeGraph G(Fx->Facts, Fx->Rules);
  size_t Findings = 0;
  for (auto _ : St) {
    CheckOutput Out;
    for (const auto &Check : makeGraphChecks())
      if (Fx->Rules.enabled(Check->ruleId())) Check->check(G, Fx->Rules, Out);
    for (const Finding &F : G.astFindings()) Out.Findings.push_back(F);
    sortAndDedupe(Out.Findings);
    applySuppressions(Out.Findings);
    Findings = Out.Findings.size();
  }
  St.counters["records"] = G.size();
  St.counters["findings"] = static_cast<double>(Findings);
}

// What `cyclops check --facts=DIR` does before it prints.
void CheckFacts(benchmark::State &St) {
  for (auto _ : St) {
    llvm::Expected<LoadedFacts> L = loadFactsDir(Fx->Dir, {}, Fx->Rules, 0);
    if (!L) {
      St.SkipWithError(llvm::toString(L.takeError()).c_str());
      break;
    }
    AnalysisResult R = analyzeFacts(std::move(L->Facts), Fx->Rules);
    benchmark::DoNotOptimize(R.Findings.data());
  }
}

// ---- one real translation unit, parsed and extracted -----------------------------------------

void OneRealTU(benchmark::State &St) {
  auto DB = makeFixedDatabase(llvm::sys::path::parent_path(Fx->RealFile), {"-std=c++20", "-I" CYC_RUNTIME_INCLUDE_DIR});
  RunOptions Options;
  Options.Jobs = 1;
  Options.ResourceDir = Fx->ResourceDir;
  for (auto _ : St) {
    RunResult R = runTranslationUnits(*DB, {Fx->RealFile}, Fx->Rules, Options);
    if (R.Facts.size() != 1) {
      St.SkipWithError(("cannot analyze " + Fx->RealFile).c_str());
      break;
    }
  }
}

// The console table, then each phase against one real translation unit. Wall-clock times:
// the work runs on thread pools, where the main thread's CPU time says nothing.
class Summary : public benchmark::ConsoleReporter {
 public:
  explicit Summary(bool Color) : ConsoleReporter(Color ? OO_ColorTabular : OO_Tabular) {}

  void ReportRuns(const std::vector<Run> &Runs) override {
    ConsoleReporter::ReportRuns(Runs);
    for (const Run &R : Runs) {
      if (R.error_occurred) Failed = true;
      else if (R.run_type == Run::RT_Iteration || R.aggregate_name == "median")
        Ms[llvm::StringRef(R.run_name.str()).split("/real_time").first.str()] =
            R.GetAdjustedRealTime();  // every benchmark here is in ms
    }
  }

  bool print() const {
    auto T = [&](const char *Name) {
      auto It = Ms.find(Name);
      return It == Ms.end() ? -1.0 : It->second;
    };
    double One = T("one_real_tu/parse_and_extract"), Check = T("facts_merge/check_facts_end_to_end");
    std::printf("\n%u synthetic facts files, %.1f KiB each on average (%.1f MiB in all); the real one "
                "(%s) is %.1f KiB\n",
                Files, static_cast<double>(Fx->Bytes) / Files / 1024, static_cast<double>(Fx->Bytes) / (1 << 20),
                llvm::sys::path::filename(Fx->RealFile).str().c_str(), static_cast<double>(Fx->RealBytes) / 1024);
    const char *Phases[] = {"facts_merge/read_1_thread", "facts_merge/load_all_threads", "facts_merge/graph",
                            "facts_merge/rules", "facts_merge/check_facts_end_to_end"};
    for (const char *P : Phases)
      if (T(P) >= 0 && One > 0)
        std::printf("  %-38s %10.1f ms  = %6.2f x one real TU\n", P, T(P), T(P) / One);
    if (One > 0) std::printf("  %-38s %10.1f ms\n", "one_real_tu/parse_and_extract", One);
    if (Check > 0 && One > 0)
      std::printf("check --facts over %u files costs as much as parsing %.1f translation units: %.0f x less "
                  "than parsing them all\n",
                  Files, Check / One, Files * One / Check);
    return !Failed;
  }

 private:
  std::map<std::string, double> Ms;
  bool Failed = false;
};

}  // namespace

int main(int argc, char **argv) {
  Fixture F;
  Fx = &F;
  llvm::Expected<RuleSet> R = defaultRules();
  llvm::Expected<std::string> Res = findResourceDir("", argv[0], reinterpret_cast<void *>(&readAll));
  if (!R || !Res) {
    std::fprintf(stderr, "facts_merge_bench: %s\n",
                 (!R ? llvm::toString(R.takeError()) : llvm::toString(Res.takeError())).c_str());
    return 2;
  }
  F.Rules = std::move(*R);
  F.ResourceDir = std::move(*Res);
  F.RealFile = CYC_TESTDATA_DIR "/multi_tu/ledger.cpp";

  // --keep-facts=DIR: the synthetic files go to DIR and stay, for timing `cyclops check
  // --facts=DIR` itself; otherwise to a temporary directory.
  std::string Keep;
  for (int I = 1; I < argc; ++I)
    if (llvm::StringRef(argv[I]).starts_with("--keep-facts=")) {
      Keep = llvm::StringRef(argv[I]).drop_front(13).str();
      for (int J = I; J + 1 < argc; ++J) argv[J] = argv[J + 1];
      --argc;
      break;
    }
  llvm::SmallString<128> Dir(Keep);
  if (Keep.empty() && llvm::sys::fs::createUniqueDirectory("cyclops-facts-bench", Dir)) return 2;
  F.Dir = std::string(Dir);
  const std::string Key = rulesKey(F.Rules);
  for (unsigned I = 0; I < Files; ++I) {
    std::string Path = F.Dir + "/m" + std::to_string(I / 100) + "/m" + std::to_string(I) + ".cpp.facts";
    TUFacts T = syntheticFacts(I);
    F.Bytes += serializeFacts(T, Key).size();
    if (llvm::Error E = writeFactsFile(Path, T, Key)) {
      std::fprintf(stderr, "facts_merge_bench: %s\n", llvm::toString(std::move(E)).c_str());
      return 2;
    }
  }
  F.Facts = readAll(*listFactsFiles(F.Dir));
  {
    auto DB = makeFixedDatabase(llvm::sys::path::parent_path(F.RealFile), {"-std=c++20", "-I" CYC_RUNTIME_INCLUDE_DIR});
    RunOptions Options;
    Options.Jobs = 1;
    Options.ResourceDir = F.ResourceDir;
    RunResult Real = runTranslationUnits(*DB, {F.RealFile}, F.Rules, Options);
    if (Real.Facts.size() == 1) F.RealBytes = serializeFacts(Real.Facts[0], Key).size();
  }

  const std::pair<const char *, void (*)(benchmark::State &)> Benchmarks[] = {
      {"facts_merge/read_1_thread", ReadSequential}, {"facts_merge/load_all_threads", LoadParallel},
      {"facts_merge/graph", Graph},                  {"facts_merge/rules", Rules},
      {"facts_merge/check_facts_end_to_end", CheckFacts}, {"one_real_tu/parse_and_extract", OneRealTU}};
  for (const auto &[Name, Fn] : Benchmarks)
    benchmark::RegisterBenchmark(Name, Fn)->Unit(benchmark::kMillisecond)->UseRealTime();

  bool Console = true;
  for (int I = 1; I < argc; ++I)
    if (llvm::StringRef(argv[I]).starts_with("--benchmark_format=") &&
        llvm::StringRef(argv[I]) != "--benchmark_format=console")
      Console = false;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  bool Ok = true;
  if (Console) {
    Summary Reporter(isatty(STDOUT_FILENO) != 0);
    benchmark::RunSpecifiedBenchmarks(&Reporter);
    Ok = Reporter.print();
  } else {
    benchmark::RunSpecifiedBenchmarks();
  }
  benchmark::Shutdown();
  if (Keep.empty()) llvm::sys::fs::remove_directories(F.Dir);
  return Ok ? 0 : 1;
}
