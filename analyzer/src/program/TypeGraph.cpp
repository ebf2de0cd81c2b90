// TypeGraph.cpp - merging facts into one graph of types.
#include "program/TypeGraph.h"

#include <algorithm>
#include <tuple>

#include "config/Rules.h"
#include "program/FieldEvidence.h"

namespace cyclops {

TypeGraph::TypeGraph(std::vector<TUFacts> AllFacts, const RuleSet &Rules) : Facts(std::move(AllFacts)) {
  for (const HandleFamily &F : Rules.Families)
    if (F.Collector) CollectorFamilies.push_back(F.Name);

  // Nodes: one per name, sorted so that the graph (and everything found in it) does not
  // depend on the order in which translation units finished.
  std::map<std::string, const RecordFact *, std::less<>> ByName;
  for (const TUFacts &TU : Facts) {
    for (const RecordFact &R : TU.Records) {
      auto [It, New] = ByName.emplace(R.Name, &R);
      if (!New && It->second->Synthetic && !R.Synthetic) It->second = &R;
    }
    for (const TraceHookFact &H : TU.AdlHooks) AdlHooks.emplace(H.Record, &H);
    AstFindings.insert(AstFindings.end(), TU.Findings.begin(), TU.Findings.end());
  }
  for (auto &[Name, R] : ByName) {
    Index.emplace(Name, static_cast<unsigned>(Records.size()));
    Records.push_back(R);
  }

  unsigned N = size();
  Bases.resize(N);
  Derived.resize(N);
  for (unsigned I = 0; I < N; ++I)
    for (const std::string &B : Records[I]->Bases)
      if (auto J = find(B); J && *J != I) {
        Bases[I].push_back(*J);
        Derived[*J].push_back(I);
      }

  Out.resize(N);
  for (unsigned I = 0; I < N; ++I) {
    std::vector<std::pair<unsigned, const FieldFact *>> Fields;
    std::vector<bool> Visited(N, false);
    collectFields(I, Fields, Visited);
    for (auto &[Holder, Field] : Fields) {
      for (const FieldEdge &E : Field->Edges) {
        auto T = find(E.Target);
        if (!T) continue;  // declared but never defined in the program
        std::vector<unsigned> Targets{*T};
        if (!E.Exact) {
          std::vector<bool> Seen(N, false);
          subclasses(*T, Targets, Seen);
        }
        for (unsigned To : Targets) Out[I].push_back(GraphEdge{I, To, Holder, Field, &E});
      }
    }
    sortEdges(Out[I]);
  }
  HoldsMemo.assign(N, 0);
}

void TypeGraph::sortEdges(std::vector<GraphEdge> &Edges) {
  std::stable_sort(Edges.begin(), Edges.end(), [&](const GraphEdge &A, const GraphEdge &B) {
    return std::tie(A.To, A.Holder, A.Field->Name) < std::tie(B.To, B.Holder, B.Field->Name);
  });
}

void TypeGraph::weigh(const FieldEvidence &Ev) {
  Evidence = &Ev;
  for (unsigned I = 0; I < size(); ++I) {
    for (GraphEdge &E : Out[I]) {
      std::optional<unsigned> Declared = find(E.Edge->Target);
      E.Backed = (Declared && *Declared == E.To) || backedByStore(E);
    }
    addPayloadEdges(I);
    sortEdges(Out[I]);
  }
}

// A store of a class between the edge's target and the declared one: `next_ =
// std::make_shared<Leaf>()` backs next_ -> Leaf and next_ -> classes derived from Leaf. A
// store of the declared class itself (or of a base of it) says no more than the declaration.
bool TypeGraph::backedByStore(const GraphEdge &E) const {
  std::optional<unsigned> Declared = find(E.Edge->Target);
  for (unsigned Named : {E.Holder, E.From})
    for (const FieldEvidence::StoredRecord &S : Evidence->stored(Records[Named]->Name, E.Field->Name))
      if (std::optional<unsigned> R = find(S.Record);
          R && isA(E.To, *R) && (!Declared || (*R != *Declared && isA(*R, *Declared))))
        return true;
  return false;
}

// A type-erased field holds what the program stores into it, nothing else.
void TypeGraph::addPayloadEdges(unsigned I) {
  std::vector<std::pair<unsigned, const FieldFact *>> Fields;
  std::vector<bool> Visited(size(), false);
  collectFields(I, Fields, Visited);
  for (auto &[Holder, Field] : Fields) {
    if (!Field->Erased) continue;
    for (unsigned Named : {Holder, I}) {
      for (const FieldEvidence::StoredRecord &S : Evidence->stored(Records[Named]->Name, Field->Name)) {
        std::optional<unsigned> To = find(S.Record);
        if (!To) continue;
        PayloadEdges.push_back(FieldEdge{S.Record, S.Strong ? EdgeKind::Strong : EdgeKind::Owns, S.Family, true});
        GraphEdge E{I, *To, Holder, Field, &PayloadEdges.back()};
        E.Payload = true;
        Out[I].push_back(E);
      }
      if (Named == I) break;  // an own field: one lookup
    }
  }
}

bool TypeGraph::isA(unsigned A, unsigned B) const {
  if (A == B) return true;
  for (unsigned Base : Bases[A])
    if (isA(Base, B)) return true;
  return false;
}

std::optional<unsigned> TypeGraph::find(llvm::StringRef Name) const {
  auto It = Index.find(Name);
  if (It == Index.end()) return std::nullopt;
  return It->second;
}

void TypeGraph::collectFields(unsigned I, std::vector<std::pair<unsigned, const FieldFact *>> &Fields,
                              std::vector<bool> &Visited) const {
  if (Visited[I]) return;  // a virtual base reached twice has one set of fields
  Visited[I] = true;
  for (const FieldFact &F : Records[I]->Fields) Fields.emplace_back(I, &F);
  for (unsigned B : Bases[I]) collectFields(B, Fields, Visited);
}

void TypeGraph::subclasses(unsigned I, std::vector<unsigned> &Result, std::vector<bool> &Visited) const {
  for (unsigned D : Derived[I]) {
    if (Visited[D]) continue;
    Visited[D] = true;
    Result.push_back(D);
    subclasses(D, Result, Visited);
  }
}

std::optional<EffectiveHook> TypeGraph::hook(unsigned I) const {
  const RecordFact &R = *Records[I];
  if (R.Hook) return EffectiveHook{&*R.Hook, I};
  if (auto It = AdlHooks.find(R.Name); It != AdlHooks.end()) return EffectiveHook{It->second, I};
  for (unsigned B : Bases[I])
    if (auto H = hook(B)) return H;
  return std::nullopt;
}

bool TypeGraph::holdsCollectorHandles(const FieldFact &F) const {
  for (const FieldEdge &E : F.Edges) {
    if (E.Kind == EdgeKind::Strong &&
        std::find(CollectorFamilies.begin(), CollectorFamilies.end(), E.Family) != CollectorFamilies.end())
      return true;
    if (E.Kind == EdgeKind::Owns)
      if (auto T = find(E.Target); T && holds(*T, HoldsMemo)) return true;
  }
  return false;
}

bool TypeGraph::recordHoldsCollectorHandles(unsigned I) const { return holds(I, HoldsMemo); }

bool TypeGraph::holds(unsigned I, std::vector<char> &State) const {
  if (State[I] >= 2) return State[I] == 3;
  if (State[I] == 1) return false;  // a by-value cycle cannot exist; be safe anyway
  State[I] = 1;
  bool Result = false;
  std::vector<std::pair<unsigned, const FieldFact *>> Fields;
  std::vector<bool> Visited(size(), false);
  collectFields(I, Fields, Visited);
  for (auto &[Holder, F] : Fields)
    if (holdsCollectorHandles(*F)) {
      Result = true;
      break;
    }
  State[I] = Result ? 3 : 2;
  return Result;
}

}  // namespace cyclops
