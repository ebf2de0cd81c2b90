// facts_merge_bench.cpp - what `cyclops check --facts=DIR` costs on a project of 1,000
// translation units (reading, merging, running the rules), against parsing one real one.
//
// The facts files are synthetic but shaped like real ones (the real file this run extracts
// is printed beside them): ~290 inputs, most of them system headers every file shares; ~30
// records of a library header that every file repeats; five records of the file's own, which
// point at records of other files, so that the merged graph has cross-file cycles (and one
// cycle through all files, longer than cycle-type enumerates); a cycle-instance finding in
// every fifth file.
//
// Each file also carries the function summaries and capture facts of its bodies (CodeFacts.h),
// 62 and 11 of them, wired across files the way real code is: ten setters that store their
// argument into a callback field; forwarders that pass it on to the setters of the NEXT file's
// socket (a member by value), relays that pass it to a forwarder three files on (so a store is
// known only after the fixpoint has gone through two other files), a get_shared() and a
// function returning it, accessors (one through another file's accessor), a virtual setter with
// an override, a callable wrapper around another file's, a destructor that owns a raw pointer,
// two inline functions of the next file's header (repeated, as in real facts), and functions
// that store nothing or only call into a library. The capture facts use each of these once
// (a setter of the next file, a forwarder, a relay, an accessor, get_shared(), a virtual setter,
// a wrapper, a raw pointer, two closures of one function, and one that resolves to nothing);
// all but the last resolve, and in every tenth file the forwarder's closure holds the object
// that stores it (a cycle found only through the next file's setter), in another tenth one of
// the other kinds does: 200 capture-cycle findings, which the setup checks.
#include <unistd.h>

#include <algorithm>
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
#include "program/Summaries.h"
#include "program/TypeGraph.h"
#include "rules/Registry.h"
#include "rules/RuleIds.h"
#include "rules/capture-cycle/CaptureCycleCheck.h"

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

// ---- function summaries and capture facts ------------------------------------------------------

// The capture-cycle findings the files below make: in every tenth file the forwarder's closure
// is a cycle, in another tenth one of the other eight kinds.
constexpr unsigned ExpectedCaptureCycles = Files / 10 * 2;

std::string ns(unsigned I) { return "app@N@m" + std::to_string(I % Files); }
std::string conn(unsigned I) { return mod(I) + "::Conn"; }
std::string sock(unsigned I) { return mod(I) + "::Socket"; }
std::string base(unsigned I) { return mod(I) + "::Base"; }
std::string impl(unsigned I) { return mod(I) + "::Impl"; }
// USRs as clang spells them: one taking a std::function, one taking nothing.
constexpr const char *CallbackSig = "#$@N@std@S@function>#Fv()#";
std::string usr(unsigned I, const std::string &Class, const std::string &Fn, const char *Sig = CallbackSig) {
  return "c:@N@" + ns(I) + (Class.empty() ? "" : "@S@" + Class) + "@F@" + Fn + Sig;
}

FieldRef ref(const std::string &Holder, const std::string &Field, unsigned I, unsigned Line, const std::string &Spelling,
             const std::string &Callable = "") {
  return FieldRef{Holder, Field, at(header(I), Line), Spelling, "", "", Callable};
}
ObjectStep member(FieldRef F) { return ObjectStep{ObjectStep::Member, std::move(F), "", false}; }
ObjectStep rawPointer(FieldRef F) { return ObjectStep{ObjectStep::RawPointer, std::move(F), "", false}; }
ObjectStep accessor(const std::string &Callee) { return ObjectStep{ObjectStep::Accessor, {}, Callee, false}; }

ObjectStep sockCb(unsigned I, unsigned K) {
  return member(ref(sock(I), "cb" + std::to_string(K) + "_", I, 60 + K, "std::function<void ()>", "std::function"));
}
ObjectStep connPeer(unsigned I) { return member(ref(conn(I), "peer_", I, 80, sock(I + 1))); }  // by value
ObjectStep connLink(unsigned I) {
  FieldRef F = ref(conn(I), "link_", I, 81, "std::shared_ptr<" + conn(I + 3) + ">");
  F.Handle = "std::shared_ptr";
  F.Family = "std";
  return member(std::move(F));
}
ObjectStep connCallback(unsigned I, const std::string &Field, unsigned Line) {
  return member(ref(conn(I), Field, I, Line, "std::function<void ()>", "std::function"));
}

FunctionSummary summary(unsigned I, const std::string &Class, const std::string &Fn, const char *Sig = CallbackSig) {
  FunctionSummary S;
  S.Id = usr(I, Class, Fn, Sig);
  S.Name = mod(I) + "::" + (Class.empty() ? "" : Class + "::") + Fn;
  if (!Class.empty()) S.Class = mod(I) + "::" + Class;
  return S;
}
ParamForwardFact forward(std::vector<ObjectStep> Receiver, std::string Callee, const SourcePos &At) {
  return ParamForwardFact{0, std::move(Receiver), std::move(Callee), false, 0, At};
}

// The inline functions of file I's header: every file that includes it repeats them.
std::vector<FunctionSummary> headerSummaries(unsigned I) {
  std::vector<FunctionSummary> Out;
  FunctionSummary Shared = summary(I, "Conn", "get_shared", "#");
  Shared.ReturnsSelf = true;
  Out.push_back(std::move(Shared));
  FunctionSummary Socket = summary(I, "Conn", "socket", "#");
  Socket.ReturnsPart = {{connPeer(I)}};
  Out.push_back(std::move(Socket));
  return Out;
}

std::vector<FunctionSummary> summaries(unsigned I) {
  const std::string Src = "/synthetic/src/m" + std::to_string(I) + ".cpp";
  std::vector<FunctionSummary> Out = headerSummaries(I);
  for (FunctionSummary &S : headerSummaries(I + 1)) Out.push_back(std::move(S));
  for (unsigned K = 0; K < 10; ++K) {  // setters: cb_k = std::move(f)
    FunctionSummary S = summary(I, "Socket", "set_cb" + std::to_string(K));
    S.Stores = {ParamStoreFact{0, {sockCb(I, K)}, at(Src, 10 + K, 50)}};
    Out.push_back(std::move(S));
  }
  for (unsigned K = 0; K < 10; ++K) {  // forwarders: peer_.set_cbK(std::move(f)), defined in file I+1
    FunctionSummary S = summary(I, "Conn", "forward" + std::to_string(K));
    S.Forwards = {forward({connPeer(I)}, usr(I + 1, "Socket", "set_cb" + std::to_string(K)), at(Src, 30 + K, 5))};
    Out.push_back(std::move(S));
  }
  for (unsigned K = 0; K < 5; ++K) {  // relays: link_->forwardK(std::move(f)), three files on
    FunctionSummary S = summary(I, "Conn", "relay" + std::to_string(K));
    S.Forwards = {forward({connLink(I)}, usr(I + 3, "Conn", "forward" + std::to_string(K)), at(Src, 50 + K, 5))};
    Out.push_back(std::move(S));
  }
  FunctionSummary Self = summary(I, "Conn", "self", "#");  // return get_shared();
  Self.ReturnsSelfOf = {usr(I, "Conn", "get_shared", "#")};
  Out.push_back(std::move(Self));
  for (unsigned K = 0; K < 3; ++K) {  // return link_->socket(): another file's accessor
    FunctionSummary S = summary(I, "Conn", "remote_socket" + std::to_string(K), "#");
    S.ReturnsPart = {{connLink(I), accessor(usr(I + 3, "Conn", "socket", "#"))}};
    Out.push_back(std::move(S));
  }
  for (unsigned K = 0; K < 3; ++K) {  // virtual void Base::onK(f) { hK_ = f; } and Conn's override
    FunctionSummary B = summary(I, "Base", "on" + std::to_string(K));
    B.Stores = {ParamStoreFact{0, {member(ref(base(I), "h" + std::to_string(K) + "_", I, 90 + K,
                                              "std::function<void ()>", "std::function"))},
                               at(Src, 60 + K, 50)}};
    FunctionSummary O = summary(I, "Conn", "on" + std::to_string(K));
    O.Overrides = {B.Id};
    O.Stores = {ParamStoreFact{0, {connCallback(I, "on" + std::to_string(K) + "_", 84 + K)}, at(Src, 65 + K, 50)}};
    Out.push_back(std::move(B));
    Out.push_back(std::move(O));
  }
  FunctionSummary Make = summary(I, "", "make_handler");  // return Handler{std::move(f)};
  Make.Wraps = {0};
  Out.push_back(std::move(Make));
  FunctionSummary Wrap = summary(I, "Conn", "wrap");  // return m<I+1>::make_handler(f);
  Wrap.WrapsOf = {WrapForwardFact{0, usr(I + 1, "", "make_handler"), 0}};
  Out.push_back(std::move(Wrap));
  FunctionSummary Dtor = summary(I, "Conn", "~Conn", "#");
  Dtor.Deletes = {"raw_"};
  Out.push_back(std::move(Dtor));
  FunctionSummary Raw = summary(I, "Conn", "store_raw");  // raw_->cb_ = f;
  Raw.Stores = {ParamStoreFact{0,
                               {rawPointer(ref(conn(I), "raw_", I, 88, impl(I) + " *")),
                                member(ref(impl(I), "cb_", I, 95, "std::function<void ()>", "std::function"))},
                               at(Src, 70, 50)}};
  Out.push_back(std::move(Raw));
  for (unsigned K = 0; K < 5; ++K) {  // log_(f): a library call, no summary anywhere
    FunctionSummary S = summary(I, "Conn", "log" + std::to_string(K));
    S.Forwards = {forward({}, "c:@N@lib@S@Logger@F@write#$@N@std@S@function>#Fv()#", at(Src, 75 + K, 5))};
    Out.push_back(std::move(S));
  }
  for (unsigned K = 0; K < 14; ++K)  // everything else: nothing a caller needs
    Out.push_back(summary(I, "Conn", "read" + std::to_string(K), "#I#"));
  return Out;
}

// The closures of file I. Kinds 1..8 (and 0 in every tenth file) hold the object they end up
// in, so they are cycles, in the files that choose them.
std::vector<CaptureFact> captures(unsigned I) {
  const std::string Src = "/synthetic/src/m" + std::to_string(I) + ".cpp";
  const unsigned Cycle = I % 10 == 5 ? 1 + (I / 10) % 8 : I % 10 == 0 ? 0 : ~0u;
  unsigned Line = 100;
  std::vector<CaptureFact> Out;
  auto add = [&](unsigned Kind, const std::string &Fn, const std::string &Root, const std::string &RootType,
                 std::vector<ObjectStep> Path, const std::string &Setter, std::vector<std::string> Requires = {}) {
    CaptureFact F;
    F.At = at(Src, Line, 5);
    F.Function = conn(I) + "::" + Fn;
    F.Closure = "lambda";
    F.Root = Root;
    F.RootType = RootType;
    F.Path = std::move(Path);
    F.Setter = Setter;
    if (!Setter.empty()) F.SetterName = Setter.substr(Setter.rfind("@F@") + 3, Setter.find('#') - Setter.rfind("@F@") - 3);
    F.Held = Root == "this" ? "self = shared_from_this()" : Root.substr(0, Root.find('@'));
    F.HeldPos = at(Src, Line, 30);
    F.HeldRoot = Kind == Cycle ? Root : "peer@" + std::to_string(Line - 2) + ":8";
    F.Handle = "std::shared_ptr";
    F.Family = "std";
    F.WeakHandle = "std::weak_ptr<" + RootType + ">";
    F.Requires = std::move(Requires);
    Line += 4;
    Out.push_back(std::move(F));
    return &Out.back();
  };
  const std::string K = std::to_string(I % 10);
  add(0, "start_forward", "this", conn(I), {}, usr(I, "Conn", "forward" + K));
  add(1, "start_socket", "ws@12:8", sock(I + 1), {}, usr(I + 1, "Socket", "set_cb" + K));
  add(2, "start_accessor", "state@20:8", conn(I), {accessor(usr(I, "Conn", "socket", "#"))},
      usr(I + 1, "Socket", "set_cb" + K));
  add(3, "start_self", "this", conn(I), {connCallback(I, "handler_", 82)}, "",
      {"self:" + usr(I, "Conn", "self", "#")})->Held = "self()";
  add(4, "start_virtual", "this", conn(I), {}, usr(I, "Base", "on" + std::to_string(I % 3)))->SetterVirtual = true;
  CaptureFact *Wrapped = add(5, "start_wrapped", "this", conn(I), {connCallback(I, "on_close_", 83)}, "",
                             {"wraps:" + usr(I, "Conn", "wrap") + ":0"});
  Wrapped->Closure = "std::bind";
  Wrapped->Wrapped = true;
  add(6, "start_relay", "this", conn(I), {}, usr(I, "Conn", "relay" + std::to_string(I % 5)));
  add(7, "start_raw", "this", conn(I), {}, usr(I, "Conn", "store_raw"));
  // Two closures of one function that hold each other's storing objects: a ring (kind 8).
  add(~0u, "start_pair", "a@30:8", conn(I), {}, usr(I, "Conn", "forward1"))->HeldRoot = "b@31:8";
  add(~0u, "start_pair", "b@31:8", conn(I), {}, usr(I, "Conn", "forward2"))->HeldRoot =
      Cycle == 8 ? "a@30:8" : "c@32:8";
  add(~0u, "start_log", "this", conn(I), {}, usr(I, "Conn", "log0"))->HeldRoot = "this";  // stores nothing
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
  T.Summaries = summaries(I);
  T.Captures = captures(I);
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

size_t captureCycles(const std::vector<Finding> &Findings) {
  return std::count_if(Findings.begin(), Findings.end(),
                       [](const Finding &F) { return F.Rule == ruleid::CaptureCycle; });
}

// The whole-program part of capture-cycle: the summaries merged and closed over calls (the
// fixpoint), then every capture fact resolved through them.
void SummariesAndCaptures(benchmark::State &St) {
  TypeGraph G(Fx->Facts, Fx->Rules);
  size_t Found = 0, Functions = 0, Captures = 0;
  for (const TUFacts &U : G.units()) {
    Functions += U.Summaries.size();
    Captures += U.Captures.size();
  }
  for (auto _ : St) {
    ProgramSummaries S(G.units());
    CheckOutput Out;
    checkCaptureCycles(G, S, Fx->Rules, Out);
    Found = captureCycles(Out.Findings);
    if (Found != ExpectedCaptureCycles || !Out.Remarks.empty()) {
      St.SkipWithError(("capture-cycle found " + std::to_string(Found) + ", expected " +
                        std::to_string(ExpectedCaptureCycles) + (Out.Remarks.empty() ? "" : "; " + Out.Remarks[0]))
                           .c_str());
      break;
    }
  }
  St.counters["summaries"] = static_cast<double>(Functions);
  St.counters["captures"] = static_cast<double>(Captures);
  St.counters["findings"] = static_cast<double>(Found);
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
    if (size_t N = captureCycles(R.Findings); N != ExpectedCaptureCycles) {
      St.SkipWithError(("capture-cycle found " + std::to_string(N) + ", expected " +
                        std::to_string(ExpectedCaptureCycles))
                           .c_str());
      break;
    }
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
                            "facts_merge/rules", "facts_merge/summaries", "facts_merge/check_facts_end_to_end"};
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
  // The summaries must make the findings they were built for, or the benchmarks below measure
  // nothing: a changed resolution shows here, before any timing.
  {
    AnalysisResult Check = analyzeFacts(F.Facts, F.Rules);
    size_t Found = captureCycles(Check.Findings);
    std::printf("capture-cycle findings on the merged program: %zu (expected %u)\n", Found, ExpectedCaptureCycles);
    if (Found != ExpectedCaptureCycles) {
      for (const std::string &Remark : Check.Remarks) std::fprintf(stderr, "  remark: %s\n", Remark.c_str());
      if (Keep.empty()) llvm::sys::fs::remove_directories(F.Dir);
      return 2;
    }
  }
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
      {"facts_merge/summaries", SummariesAndCaptures}, {"facts_merge/check_facts_end_to_end", CheckFacts},
      {"one_real_tu/parse_and_extract", OneRealTU}};
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
