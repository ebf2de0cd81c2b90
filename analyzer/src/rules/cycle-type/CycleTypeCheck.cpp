// CycleTypeCheck.cpp - strongly connected components of the backed edges (TypeGraph::weigh:
// the declaration or a store in the program says the field may hold that type), then bounded
// enumeration of their elementary cycles; each cycle with two or more distinct strong fields
// is a finding, one per pattern of templates, and a note where the program lets go of one of
// its fields (rules/BrokenByHand.h).
//
// The limits apply per component, so that more code (another component full of cycles) never
// hides a finding: each component's cycles are enumerated shortest first (length 2, then 3,
// ... up to cycle_type.max_length), and a component stops after cycle_type.max_cycles cycles
// or MaxStepsPerComponent steps of the search. A Truncation names each kind of cut, how many
// components it cut and the setting that raises it.
#include "rules/cycle-type/CycleTypeCheck.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <tuple>

#include "program/FieldEvidence.h"
#include "rules/BrokenByHand.h"
#include "rules/cycle-type/CycleTypeMessages.h"

namespace cyclops {

namespace {

using Cycle = std::vector<const GraphEdge *>;

// Tarjan's algorithm, iteratively, over the edges Follow accepts. Returns the component index
// of each node.
template <typename Pred>
std::vector<unsigned> components(const TypeGraph &G, Pred Follow) {
  unsigned N = G.size();
  std::vector<unsigned> Index(N, ~0u), Low(N, 0), Comp(N, ~0u);
  std::vector<bool> OnStack(N, false);
  std::vector<unsigned> Stack;
  unsigned Next = 0, NextComp = 0;
  struct Frame {
    unsigned Node;
    size_t Edge;
  };
  for (unsigned Root = 0; Root < N; ++Root) {
    if (Index[Root] != ~0u) continue;
    std::vector<Frame> Work{{Root, 0}};
    Index[Root] = Low[Root] = Next++;
    Stack.push_back(Root);
    OnStack[Root] = true;
    while (!Work.empty()) {
      Frame &F = Work.back();
      auto Edges = G.out(F.Node);
      if (F.Edge < Edges.size()) {
        const GraphEdge &E = Edges[F.Edge++];
        if (!Follow(E)) continue;
        unsigned To = E.To;
        if (Index[To] == ~0u) {
          Index[To] = Low[To] = Next++;
          Stack.push_back(To);
          OnStack[To] = true;
          Work.push_back({To, 0});
        } else if (OnStack[To]) {
          Low[F.Node] = std::min(Low[F.Node], Index[To]);
        }
        continue;
      }
      unsigned V = F.Node;
      Work.pop_back();
      if (!Work.empty()) Low[Work.back().Node] = std::min(Low[Work.back().Node], Low[V]);
      if (Low[V] == Index[V]) {
        unsigned W;
        do {
          W = Stack.back();
          Stack.pop_back();
          OnStack[W] = false;
          Comp[W] = NextComp;
        } while (W != V);
        ++NextComp;
      }
    }
  }
  return Comp;
}

std::string fieldKey(const TypeGraph &G, const GraphEdge &E) {
  return G.record(E.Holder).Name + "::" + E.Field->Name;
}

bool isStrong(const GraphEdge &E) { return E.Edge->Kind == EdgeKind::Strong; }

// "app::Box<int>::next" -> "app::Box::next".
std::string withoutTemplateArgs(const std::string &Name) {
  std::string Out;
  int Depth = 0;
  for (char C : Name) {
    if (C == '<') ++Depth;
    if (Depth == 0) Out += C;
    if (C == '>' && Depth > 0) --Depth;
  }
  return Out;
}

class CycleFinder {
 public:
  CycleFinder(const TypeGraph &Graph, const RuleSet &R,
              std::function<Finding(std::string, SourcePos)> MakeFinding, CheckOutput &Output)
      : G(Graph), Rules(R), Make(std::move(MakeFinding)), Out(Output) {}

  static constexpr unsigned long MaxStepsPerComponent = 2'000'000;

  void run() {
    Comp = components(G, [](const GraphEdge &E) { return E.Backed; });
    countUnbacked();
    std::vector<std::vector<unsigned>> Members;
    for (unsigned V = 0; V < G.size(); ++V) {
      if (Comp[V] >= Members.size()) Members.resize(Comp[V] + 1);
      Members[Comp[V]].push_back(V);
      selfLoops(V);
    }
    OnPath.assign(G.size(), false);
    for (const std::vector<unsigned> &Nodes : Members)
      if (Nodes.size() > 1) enumerate(Nodes);
    auto cut = [&](const char *Setting, std::string Message) {
      Out.Truncated.push_back(Truncation{std::string(ruleid::CycleType), Setting, std::move(Message)});
    };
    if (CutByCount) cut("cycle_type.max_cycles", cycleTypeStoppedRemark(Rules.CycleType.MaxCycles, CutByCount));
    if (CutBySteps) cut("cycle_type.max_length", cycleTypeSearchCutRemark(CutBySteps));
    if (CutByLength) cut("cycle_type.max_length", cycleTypeTooLongRemark(Rules.CycleType.MaxLength, CutByLength));
    if (Unbacked) Out.Remarks.push_back(cycleTypeUnbackedRemark(Unbacked));
    for (auto &[Index, Extra] : Instances) Out.Findings[Index].Message += cycleTypeInstancesSuffix(Extra);
  }

 private:
  // The fields that would close cycles if they could hold what their declaration allows (a
  // derived class, anything for a type-erased holder) but that no store backs: said in one
  // remark, not reported.
  void countUnbacked() {
    std::vector<unsigned> Full = components(G, [](const GraphEdge &) { return true; });
    std::set<std::string> Fields;
    for (unsigned V = 0; V < G.size(); ++V)
      for (const GraphEdge &E : G.out(V))
        if (!E.Backed && Full[E.From] == Full[E.To]) Fields.insert(fieldKey(G, E));
    Unbacked = static_cast<unsigned>(Fields.size());
  }

  // One component's cycles, shortest first, within the limits.
  void enumerate(const std::vector<unsigned> &Nodes) {
    Enumerated = 0;
    Steps = 0;
    Stopped = Longer = false;
    size_t Before = Considered;
    for (unsigned Length = 2; Length <= Rules.CycleType.MaxLength && !Stopped; ++Length)
      for (unsigned S : Nodes) {
        Cycle Path;
        walk(S, S, Length, Path);
        if (Stopped) break;
      }
    if (Stopped && Enumerated > Rules.CycleType.MaxCycles) ++CutByCount;
    else if (Stopped) ++CutBySteps;
    // A component always has a cycle: none up to max_length means they are all longer.
    if (!Stopped && Considered == Before && Longer) ++CutByLength;
  }

  // Elementary cycles through S of exactly Length edges whose other nodes all come after S
  // (each cycle is found once, from its first node).
  void walk(unsigned S, unsigned V, unsigned Length, Cycle &Path) {
    if (Stopped) return;
    if (++Steps > MaxStepsPerComponent) {
      Stopped = true;
      return;
    }
    OnPath[V] = true;
    for (const GraphEdge &E : G.out(V)) {
      if (!E.Backed || Comp[E.To] != Comp[S] || E.To < S) continue;
      if (E.To == S) {
        if (Path.size() + 1 != Length) continue;  // a self-loop (one field) is selfLoops()'s
        Path.push_back(&E);
        consider(Path);
        Path.pop_back();
        continue;
      }
      if (OnPath[E.To]) continue;
      if (Path.size() + 2 > Length) {
        Longer = Longer || Path.size() + 2 > Rules.CycleType.MaxLength;
        continue;
      }
      Path.push_back(&E);
      walk(S, E.To, Length, Path);
      Path.pop_back();
    }
    OnPath[V] = false;
  }

  void consider(const Cycle &C) {
    ++Considered;
    if (++Enumerated > Rules.CycleType.MaxCycles) {
      Stopped = true;
      return;
    }
    std::set<std::string> StrongFields;
    bool Owns = false, BackNamed = false;
    for (const GraphEdge *E : C) {
      if (isStrong(*E)) {
        StrongFields.insert(fieldKey(G, *E));
        BackNamed = BackNamed || Rules.isBackPointerName(E->Field->Name);
      } else {
        Owns = true;
      }
    }
    // Two strong fields close a loop; so does one back-pointer inside a part of the object
    // it points to (a pimpl or member whose `owner` holds the whole object). One strong
    // field otherwise is a list or a tree.
    if (StrongFields.size() >= 2 || (StrongFields.size() == 1 && Owns && BackNamed)) report(C);
  }

  // A type pointing at itself through a forward field and a back field.
  void selfLoops(unsigned V) {
    std::vector<const GraphEdge *> Forward, Back;
    std::set<std::string> Seen;
    for (const GraphEdge &E : G.out(V)) {
      if (E.To != V || !E.Backed || !isStrong(E) || !Seen.insert(fieldKey(G, E)).second) continue;
      (Rules.isBackPointerName(E.Field->Name) ? Back : Forward).push_back(&E);
    }
    if (Forward.empty()) return;
    for (const GraphEdge *B : Back) report({Forward.front(), B});
  }

  // The edge reported, and the one the fix-it makes weak. Ranked: a field that can become
  // weak (never used as only a strong handle can be, never the first owner of a fresh object),
  // then one its holder's constructor fills (it points back to whoever made or registered the
  // object), then one named like a back-pointer, then the one declared last (in the common
  // case, the one written to close the loop).
  size_t closing(const Cycle &C) const {
    auto Rank = [&](const GraphEdge &E) {
      return std::make_tuple(fixable(E), fromConstructor(E), Rules.isBackPointerName(E.Field->Name),
                             E.Field->Pos.File, E.Field->Pos.Line);
    };
    size_t Best = C.size();
    for (size_t I = 0; I < C.size(); ++I)
      if (isStrong(*C[I]) && (Best == C.size() || Rank(*C[I]) > Rank(*C[Best]))) Best = I;
    return Best;
  }

  std::string holderName(const GraphEdge &E) const { return G.record(E.Holder).Name; }

  bool fixable(const GraphEdge &E) const { return E.Field->WeakFix && noWeakFixBecause(E).empty(); }

  bool fromConstructor(const GraphEdge &E) const {
    return G.evidence() && G.evidence()->fromConstructor(holderName(E), E.Field->Name);
  }

  // Why a weak handle would not do for this field, or "".
  std::string noWeakFixBecause(const GraphEdge &E) const {
    if (!G.evidence() || E.Payload) return "";
    if (std::optional<SourcePos> Use = G.evidence()->strongUse(holderName(E), E.Field->Name))
      return cycleTypeStrongUseReason(*Use);
    if (std::optional<SourcePos> Fresh = G.evidence()->freshStore(holderName(E), E.Field->Name))
      return cycleTypeFreshStoreReason(*Fresh);
    return "";
  }

  void report(Cycle C) {
    size_t Close = closing(C);
    // Walk from the edge after the closing one; the closing edge comes last.
    std::rotate(C.begin(), C.begin() + static_cast<long>((Close + 1) % C.size()), C.end());
    const GraphEdge &Last = *C.back();

    std::vector<std::string> Key;
    for (const GraphEdge *E : C) Key.push_back(fieldKey(G, *E));
    std::rotate(Key.begin(), std::min_element(Key.begin(), Key.end()), Key.end());
    std::string Id = makeFindingId(ruleid::CycleType, Key);
    if (!Reported.insert(Id).second) return;

    // Another instantiation of templates already reported on: named in that finding.
    std::string Pattern = patternKey(C);
    if (auto It = Patterns.find(Pattern); It != Patterns.end()) {
      for (const GraphEdge *E : C) addInstance(It->second, E->From);
      return;
    }
    Patterns.emplace(Pattern, Out.Findings.size());

    std::vector<CycleEdgeWords> Words;
    for (const GraphEdge *E : C) Words.push_back(words(*E, E == &Last));

    Finding F = Make(cycleTypeMessage(Words), Last.Field->Pos);
    F.Id = Id;
    for (size_t I = 0; I < C.size(); ++I)
      F.Path.push_back(PathStep{Words[I].From, C[I]->Field->Name, C[I]->Field->Pos, cycleEdgeNote(Words[I])});
    if (fixable(Last)) F.Fixes.push_back(*Last.Field->WeakFix);
    if (std::vector<BreakSite> Broken = breakSites(C); !Broken.empty()) {
      F.Level = Severity::Note;  // broken by hand: a possibility, not a leak
      F.Message += "; " + brokenText(Broken, collected(C));
      addBreakNotes(F, Broken);
    }
    for (const GraphEdge *E : C) FirstTypes[Out.Findings.size()].insert(displayName(G.record(E->From).Name));
    Out.Findings.push_back(std::move(F));
  }

  // Where the program lets go of a field of the cycle: each function once, direct resets first.
  std::vector<BreakSite> breakSites(const Cycle &C) const {
    std::vector<BreakSite> Sites;
    if (!G.evidence()) return Sites;
    std::set<std::string> Seen;
    for (const GraphEdge *E : C)
      for (const BreakSite &B : G.evidence()->resets(holderName(*E), E->Field->Name))
        if (Seen.insert(B.Function).second) Sites.push_back(B);
    std::stable_sort(Sites.begin(), Sites.end(),
                     [](const BreakSite &A, const BreakSite &B) { return A.Direct > B.Direct; });
    return Sites;
  }

  // Are all the cycle's strong handles of a collector family (cyc::gc::collect() frees it)?
  bool collected(const Cycle &C) const {
    for (const GraphEdge *E : C) {
      const HandleFamily *Fam = isStrong(*E) ? Rules.family(E->Edge->Family) : nullptr;
      if (isStrong(*E) && (!Fam || !Fam->Collector)) return false;
    }
    return true;
  }

  // The cycle's fields with the template arguments of their classes left out, and any library
  // container the same: the same cycle through another instantiation (`Impl<std::vector<V>>`,
  // `Impl<std::map<K, V>>`) has the same key. Rotated to start at its least field.
  std::string patternKey(const Cycle &C) const {
    std::vector<std::string> Keys;
    for (const GraphEdge *E : C)
      Keys.push_back(G.record(E->Holder).Synthetic ? "[library]::" + E->Field->Name
                                                   : withoutTemplateArgs(fieldKey(G, *E)));
    std::rotate(Keys.begin(), std::min_element(Keys.begin(), Keys.end()), Keys.end());
    std::string Joined;
    for (const std::string &K : Keys) Joined += K + "\n";
    return Joined;
  }

  // A type of another instantiation, when the finding's own cycle does not have it.
  void addInstance(size_t Index, unsigned Record) {
    const std::string Type = displayName(G.record(Record).Name);
    if (G.record(Record).Synthetic || Type.find('<') == std::string::npos || FirstTypes[Index].count(Type)) return;
    std::vector<std::string> &List = Instances[Index];
    if (std::find(List.begin(), List.end(), Type) == List.end()) List.push_back(Type);
  }

  CycleEdgeWords words(const GraphEdge &E, bool Closes) const {
    CycleEdgeWords W;
    W.From = displayName(G.record(E.From).Name);
    W.Holder = displayName(G.record(E.Holder).Name);
    W.Inherited = E.Holder != E.From;
    W.Field = E.Field->Name;
    W.Target = displayName(E.Edge->Target);
    W.To = displayName(G.record(E.To).Name);
    W.Strong = isStrong(E);
    W.TypeSpelling = E.Field->TypeSpelling;
    if (E.Field->WeakFix) W.WeakFix = E.Field->WeakFix->Text;
    if (Closes) W.NoFixBecause = noWeakFixBecause(E);
    W.Closes = Closes;
    return W;
  }

  const TypeGraph &G;
  const RuleSet &Rules;
  std::function<Finding(std::string, SourcePos)> Make;
  CheckOutput &Out;
  std::set<std::string> Reported;
  std::map<std::string, size_t> Patterns;  // pattern key -> the finding reported for it
  std::map<size_t, std::set<std::string>> FirstTypes;  // finding -> the types of its own cycle
  std::map<size_t, std::vector<std::string>> Instances;  // finding -> types of the others
  unsigned Unbacked = 0;
  std::vector<unsigned> Comp;
  std::vector<bool> OnPath;
  // The component being enumerated.
  unsigned Enumerated = 0;
  unsigned long Steps = 0;
  bool Stopped = false;  // a limit cut it
  bool Longer = false;   // the search met paths longer than max_length
  // The whole program.
  size_t Considered = 0;
  unsigned CutByCount = 0, CutBySteps = 0, CutByLength = 0;
};

}  // namespace

void CycleTypeCheck::check(const TypeGraph &Graph, const RuleSet &Rules, CheckOutput &Out) const {
  CycleFinder(Graph, Rules,
              [&](std::string Message, SourcePos Pos) { return finding(Rules, std::move(Message), std::move(Pos)); },
              Out)
      .run();
}

}  // namespace cyclops
