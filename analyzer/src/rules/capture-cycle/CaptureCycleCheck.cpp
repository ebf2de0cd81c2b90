// CaptureCycleCheck.cpp - capture-cycle on the merged program: resolve each capture fact
// through the summaries, then find the closures that close a cycle.
#include "rules/capture-cycle/CaptureCycleCheck.h"

#include <map>
#include <set>

#include "rules/RuleIds.h"
#include "rules/capture-cycle/CaptureMessages.h"

namespace cyclops {

namespace {

constexpr size_t MaxRing = 4;  // closures in one ring, at most

// Does the trace hook of the stored field's record visit it? "" when it does, otherwise why not.
std::string untracedReason(const TypeGraph &Graph, const FieldRef &F) {
  std::optional<unsigned> I = Graph.find(F.Holder);
  std::optional<EffectiveHook> Hook = I ? Graph.hook(*I) : std::nullopt;
  std::string Name = displayName(F.Holder);
  if (!Hook || !Hook->Hook) return "'" + Name + "' has no trace hook, so its '" + F.Field + "' is not traced";
  if (Hook->Hook->Opaque) return "";
  for (const std::string &Traced : Hook->Hook->TracedFields)
    if (Traced == F.Field) return "";
  return "the trace hook of '" + Name + "' does not visit '" + F.Field + "'";
}

// The fact on the merged program: its requirements hold, its path resolves, and a setter's
// summary says where it stores the closure. False when any of it does not.
bool resolve(const CaptureFact &F, const ProgramSummaries &S, const TypeGraph &Graph, ResolvedCapture &Out) {
  if (!S.satisfied(F.Requires) || !S.expand(F.Path, Out.Path)) return false;
  if (!F.Setter.empty()) {
    std::vector<std::vector<ObjectStep>> Stores = S.stores(F.Setter, F.Arg, F.SetterVirtual);
    if (Stores.empty()) return false;
    Out.Path.insert(Out.Path.end(), Stores.front().begin(), Stores.front().end());
  }
  if (Out.Path.empty()) return false;
  Out.Fact = &F;
  Out.RootType = Out.Path.front().Field.Holder.empty() ? F.RootType : Out.Path.front().Field.Holder;
  Out.UntracedReason = untracedReason(Graph, Out.Path.back().Field);
  return true;
}

std::string posKey(const SourcePos &P) { return P.File + ":" + std::to_string(P.Line) + ":" + std::to_string(P.Column); }

class CaptureCycles {
 public:
  CaptureCycles(const RuleSet &Rules, CheckOutput &Out) : Rules(Rules), Out(Out) {}

  void add(ResolvedCapture C) {
    const CaptureFact &F = *C.Fact;
    std::string Key = posKey(F.At) + "|" + posKey(F.HeldPos) + "|" + F.Setter + "|" + std::to_string(F.Arg);
    if (!Seen.insert(Key).second) return;  // the same function, seen from another translation unit
    ByFunction[F.Function].push_back(std::move(C));
  }

  void report() {
    for (auto &[Function, Captures] : ByFunction) {
      std::sort(Captures.begin(), Captures.end(), [](const ResolvedCapture &A, const ResolvedCapture &B) {
        return std::tie(A.Fact->At.File, A.Fact->At.Line, A.Fact->At.Column) <
               std::tie(B.Fact->At.File, B.Fact->At.Line, B.Fact->At.Column);
      });
      for (const ResolvedCapture &C : Captures)
        if (C.Fact->Root == C.Fact->HeldRoot) single(Function, C);
      rings(Function, Captures);
    }
  }

 private:
  Finding base(const ResolvedCapture &First) {
    Finding F;
    F.Rule = ruleid::CaptureCycle;
    if (const RuleInfo *R = Rules.rule(F.Rule)) F.Level = R->Level;
    F.Pos = First.Fact->At;
    return F;
  }

  static void addKey(std::vector<std::string> &Key, const ResolvedCapture &C) {
    for (const ObjectStep &S : C.Path) Key.push_back(S.Field.Holder + "." + S.Field.Field);
  }

  void single(const std::string &Function, const ResolvedCapture &C) {
    Finding F = base(C);
    F.Message = captureMessage(Rules, C);
    F.Path = captureSteps(C, C.RootType);
    std::vector<std::string> Key{Function};
    addKey(Key, C);
    F.Id = makeFindingId(F.Rule, Key);
    Out.Findings.push_back(std::move(F));
  }

  // Closures of one function whose storing objects and handles form a ring of two or more:
  // `a->on_x = [b] {...}; b->on_y = [a] {...};`. Each ring is reported once, at its first store.
  void rings(const std::string &Function, const std::vector<ResolvedCapture> &Captures) {
    std::vector<size_t> Ring;
    std::set<std::vector<size_t>> Reported;
    for (size_t Start = 0; Start < Captures.size(); ++Start) {
      if (Captures[Start].Fact->Root == Captures[Start].Fact->HeldRoot) continue;
      Ring = {Start};
      extend(Function, Captures, Ring, Reported);
    }
  }

  void extend(const std::string &Function, const std::vector<ResolvedCapture> &Captures, std::vector<size_t> &Ring,
              std::set<std::vector<size_t>> &Reported) {
    const CaptureFact &Last = *Captures[Ring.back()].Fact;
    for (size_t Next = Ring.front() + 1; Next < Captures.size(); ++Next) {
      const CaptureFact &N = *Captures[Next].Fact;
      if (N.Root != Last.HeldRoot || N.Root == N.HeldRoot || std::count(Ring.begin(), Ring.end(), Next)) continue;
      Ring.push_back(Next);
      if (N.HeldRoot == Captures[Ring.front()].Fact->Root) {
        std::vector<size_t> Sorted = Ring;
        std::sort(Sorted.begin(), Sorted.end());
        if (Reported.insert(Sorted).second) ring(Function, Captures, Ring);
      } else if (Ring.size() < MaxRing) {
        extend(Function, Captures, Ring, Reported);
      }
      Ring.pop_back();
    }
  }

  void ring(const std::string &Function, const std::vector<ResolvedCapture> &Captures, const std::vector<size_t> &Ring) {
    std::vector<ResolvedCapture> Members;
    for (size_t I : Ring) Members.push_back(Captures[I]);
    Finding F = base(Members.front());
    F.Message = captureRingMessage(Rules, Members);
    std::vector<std::string> Key{Function};
    for (size_t I = 0; I < Members.size(); ++I) {
      const std::string &Held = Members[(I + 1) % Members.size()].RootType;
      for (PathStep &S : captureSteps(Members[I], Held)) F.Path.push_back(std::move(S));
      addKey(Key, Members[I]);
    }
    F.Id = makeFindingId(F.Rule, Key);
    Out.Findings.push_back(std::move(F));
  }

  const RuleSet &Rules;
  CheckOutput &Out;
  std::set<std::string> Seen;
  std::map<std::string, std::vector<ResolvedCapture>> ByFunction;
};

}  // namespace

void checkCaptureCycles(const TypeGraph &Graph, const ProgramSummaries &Summaries, const RuleSet &Rules,
                        CheckOutput &Out) {
  CaptureCycles Cycles(Rules, Out);
  for (const TUFacts &U : Graph.units())
    for (const CaptureFact &F : U.Captures) {
      ResolvedCapture C;
      if (resolve(F, Summaries, Graph, C)) Cycles.add(std::move(C));
    }
  Cycles.report();
  for (const std::string &R : Summaries.remarks()) Out.Remarks.push_back(R);
}

}  // namespace cyclops
