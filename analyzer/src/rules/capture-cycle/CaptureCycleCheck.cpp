// CaptureCycleCheck.cpp - capture-cycle on the merged program: the closure stores of each
// function that close a ring (program/StoreRings.h), worded by CaptureMessages.
#include "rules/capture-cycle/CaptureCycleCheck.h"

#include <algorithm>
#include <set>

#include "program/StoreRings.h"
#include "rules/RuleIds.h"
#include "rules/capture-cycle/CaptureMessages.h"

namespace cyclops {

namespace {

// Does the trace hook of the stored field's record visit it? "" when it does, otherwise why not.
std::string untracedReason(const TypeGraph &Graph, const FieldRef &F) {
  const TraceHookFact *Hook = nullptr;
  if (std::optional<unsigned> I = Graph.find(F.Holder))
    if (std::optional<EffectiveHook> E = Graph.hook(*I)) Hook = E->Hook;
  std::string Name = displayName(F.Holder);
  if (!Hook) return "'" + Name + "' has no trace hook, so its '" + F.Field + "' is not traced";
  if (Hook->Opaque) return "";
  for (const std::string &Traced : Hook->TracedFields)
    if (Traced == F.Field) return "";
  return "the trace hook of '" + Name + "' does not visit '" + F.Field + "'";
}

ResolvedCapture captureOf(const TypeGraph &Graph, const ResolvedStore &S) {
  return ResolvedCapture{S, untracedReason(Graph, S.Path.back().Field)};
}

void addKey(std::vector<std::string> &Key, const ResolvedCapture &C) {
  for (const ObjectStep &S : C.Store.Path) Key.push_back(S.Field.Holder + "." + S.Field.Field);
}

// Where the program lets go of a field of the ring: each function once, direct resets first.
std::vector<BreakSite> breakSites(const ProgramSummaries &Summaries, const std::vector<ResolvedCapture> &Ring) {
  std::vector<BreakSite> Out;
  std::set<std::string> Seen;
  for (const ResolvedCapture &C : Ring)
    for (const BreakSite &R : Summaries.resetsAlong(C.Store.Path))
      if (Seen.insert(R.Function).second) Out.push_back(R);
  std::stable_sort(Out.begin(), Out.end(), [](const BreakSite &A, const BreakSite &B) { return A.Direct > B.Direct; });
  return Out;
}

Finding ringFinding(const RuleSet &Rules, const ProgramSummaries &Summaries, const std::string &Function,
                    const std::vector<ResolvedCapture> &Ring) {
  Finding F;
  F.Rule = ruleid::CaptureCycle;
  if (const RuleInfo *R = Rules.rule(F.Rule)) F.Level = R->Level;
  F.Pos = Ring.front().Store.Fact->At;
  std::vector<BreakSite> Broken = breakSites(Summaries, Ring);
  if (!Broken.empty()) F.Level = Severity::Note;  // broken by hand: a possibility, not a leak
  F.Message = Ring.size() == 1 ? captureMessage(Rules, Ring.front(), Broken) : captureRingMessage(Rules, Ring, Broken);
  std::vector<std::string> Key{Function};
  for (size_t I = 0; I < Ring.size(); ++I) {
    // Each closure holds the object that stores the next one (the first, for the last).
    const std::string &Held = Ring[(I + 1) % Ring.size()].Store.RootType;
    for (PathStep &S : captureSteps(Ring[I], Held)) F.Path.push_back(std::move(S));
    addKey(Key, Ring[I]);
  }
  addBreakNotes(F, Broken);
  F.Id = makeFindingId(F.Rule, Key);
  return F;
}

}  // namespace

void checkCaptureCycles(const TypeGraph &Graph, const ProgramSummaries &Summaries, const RuleSet &Rules,
                        CheckOutput &Out) {
  StoreRings Rings(Graph, Summaries, [](const CaptureFact &F) { return !F.Closure.empty(); });
  Rings.forEachRing([&](const std::string &Function, const std::vector<const ResolvedStore *> &Stores) {
    std::vector<ResolvedCapture> Ring;
    for (const ResolvedStore *S : Stores) Ring.push_back(captureOf(Graph, *S));
    Out.Findings.push_back(ringFinding(Rules, Summaries, Function, Ring));
  });
}

}  // namespace cyclops
