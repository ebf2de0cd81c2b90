// InstanceSummaries.cpp - a function's effect on its parameters' objects, made from its
// states at return, and applied at each call in the same translation unit.
#include "rules/cycle-instance/InstanceSummaries.h"

#include <algorithm>
#include <climits>
#include <functional>
#include <map>

namespace cyclops::instance {

namespace {

class Summarizer {
 public:
  Summarizer(const Heap &Heap, const TraceTable &Tr, const std::vector<SummaryParam> &P)
      : H(Heap), Traces(Tr), Params(P) {}

  std::unique_ptr<Summary> run(const std::vector<State> &Exits) {
    size_t Edges = 0;
    for (const State &Exit : Exits) {
      if (!Exit.Reached) continue;
      SummaryCase Case = caseOf(Exit);
      Edges += Case.Edges.size();
      Sum->Cases.push_back(std::move(Case));
    }
    if (Sum->Roles.size() > MaxSummaryRoles || Edges > MaxSummaryEdges) return nullptr;
    return std::move(Sum);
  }

 private:
  // The role of an object: how a caller finds it. Shared by all cases.
  int roleFor(int O) {
    if (auto It = RoleOf.find(O); It != RoleOf.end()) return It->second;
    const Object &Ob = H[O];
    Role R;
    if (Ob.Key.Kind == ObjKind::Param && !Ob.Key.Many) {
      R.K = Role::Param;
      R.Index = Ob.Key.A;
    } else if (Ob.Key.Kind == ObjKind::This) {
      R.K = Role::This;
    } else if (Ob.Key.Kind == ObjKind::Load && Ob.Stable && Ob.Base >= 0) {
      R.K = Role::Load;
      R.Index = roleFor(Ob.Base);  // the base gets the lower number: callers map it first
      R.Field = Ob.Field;
      R.Proto = Ob;
    } else {
      R.K = Role::Local;
      R.Proto = Ob;
    }
    int Id = static_cast<int>(Sum->Roles.size());
    Sum->Roles.push_back(std::move(R));
    RoleOf[O] = Id;
    return Id;
  }

  // An object the caller has its own name for: a parameter, *this, what they held.
  bool outside(int O) const {
    const Object &Ob = H[O];
    return !Ob.Key.Many && (Ob.Key.Kind == ObjKind::Param || Ob.Key.Kind == ObjKind::This ||
                            (Ob.Key.Kind == ObjKind::Load && Ob.Stable));
  }

  SummaryCase caseOf(const State &Exit) {
    SummaryCase Case;
    // What the caller can reach: its arguments, *this, the result, rebound references.
    std::set<int> Reach;
    std::vector<int> Work;
    auto Root = [&](int O) {
      if (Reach.insert(O).second) Work.push_back(O);
    };
    for (const SummaryParam &P : Params) {
      if (P.Object >= 0) Root(P.Object);
      if (!P.RebindableVar) continue;
      auto It = Exit.Vars.find(P.RebindableVar);
      if (It == Exit.Vars.end() || It->second == ObjSet::of(P.Object)) continue;
      std::vector<int> Roles;
      for (int O : It->second) {
        Root(O);
        Roles.push_back(roleFor(O));
      }
      Case.Rebinds.push_back({P.Index, std::move(Roles)});
    }
    for (const Edge &E : Exit.Edges)
      if (outside(E.From)) Root(E.From);
    for (int O : Exit.Returned) {
      Root(O);
      Case.Returns.push_back(roleFor(O));
    }
    for (size_t I = 0; I < Work.size(); ++I)
      for (auto It = Exit.Edges.lower_bound(Edge{Work[I], INT_MIN, INT_MIN, INT_MIN});
           It != Exit.Edges.end() && It->From == Work[I]; ++It)
        Root(It->To);

    for (const Edge &E : Exit.Edges) {
      // What a field held on entry is there for the caller already.
      if (!Reach.count(E.From) || Traces[E.Trace].Kind == TraceKind::Entry) continue;
      Case.Edges.push_back(SummaryEdge{roleFor(E.From), E.Field, roleFor(E.To), E.Trace});
    }
    for (const auto &[O, F] : Exit.Written)
      if (outside(O)) Case.Kills.push_back({roleFor(O), F});
    for (int O : Exit.Havocked)
      if (outside(O)) Case.Havocs.push_back(roleFor(O));
    for (int O : Exit.Null)
      if (outside(O)) Case.NullRoles.push_back(roleFor(O));
    return Case;
  }

  const Heap &H;
  const TraceTable &Traces;
  const std::vector<SummaryParam> &Params;
  std::unique_ptr<Summary> Sum = std::make_unique<Summary>();
  std::map<int, int> RoleOf;
};

}  // namespace

std::unique_ptr<Summary> summarize(const Heap &H, const std::vector<State> &Exits, const TraceTable &Traces,
                                   const std::vector<SummaryParam> &Params) {
  return Summarizer(H, Traces, Params).run(Exits);
}

bool caseApplies(const Heap &H, const SummaryCase &Case, const std::vector<ObjSet> &RoleObjects) {
  for (int R : Case.NullRoles) {
    const ObjSet &Objs = RoleObjects[R];
    if (Objs.empty() || Objs.MaybeNull) continue;
    if (std::all_of(Objs.begin(), Objs.end(), [&](int O) { return H[O].NeverNull; })) return false;
  }
  return true;
}

Applied applySummary(Heap &H, State &S, const SummaryCase &Case,
                     const std::vector<ObjSet> &RoleObjects, const TraceTable &Traces, const clang::Stmt *Call,
                     llvm::function_ref<int(int CalleeTrace)> CallTrace) {
  Applied Out;
  // The callee's order of events is gone; this order keeps what it stored last: what an
  // unknown call changed is forgotten, then overwritten fields drop their old edges, then
  // the callee's stores are added.
  for (int R : Case.Havocs) H.havoc(S, RoleObjects[R]);
  for (const auto &[R, F] : Case.Kills) H.clear(S, RoleObjects[R], F);
  std::vector<Edge> New;
  for (const SummaryEdge &E : Case.Edges) {
    if (RoleObjects[E.From].empty() || RoleObjects[E.To].empty()) continue;
    std::vector<Edge> Added = H.store(S, RoleObjects[E.From], E.Field, false, RoleObjects[E.To], CallTrace(E.Trace));
    New.insert(New.end(), Added.begin(), Added.end());
  }
  H.closeCycles(S, New, [&](const std::vector<Edge> &Cycle) {
    // A cycle made by this call alone is the callee's business (reported there, or broken
    // there on every path) when its edges form a cycle among the callee's own roles. Only
    // where the caller passes one object for two roles (`link(a, a)`) is it the caller's.
    for (const Edge &E : Cycle)
      if (Traces[E.Trace].Kind != TraceKind::Call || Traces[E.Trace].At != Call) return false;
    std::function<bool(size_t, int, int)> RoleCycle = [&](size_t Step, int Role, int Start) {
      if (Step == Cycle.size()) return Role == Start;
      const Edge &E = Cycle[Step];
      for (const SummaryEdge &SE : Case.Edges)
        if (SE.Trace == Traces[E.Trace].Inner && SE.Field == E.Field && (Role < 0 || SE.From == Role) &&
            RoleObjects[SE.From].contains(E.From) && RoleObjects[SE.To].contains(E.To) &&
            RoleCycle(Step + 1, SE.To, Start < 0 ? SE.From : Start))
          return true;
      return false;
    };
    return RoleCycle(0, -1, -1);
  });
  for (int R : Case.Returns) Out.Result.merge(RoleObjects[R]);
  for (const auto &[Index, Roles] : Case.Rebinds) {
    ObjSet Objs;
    for (int R : Roles) Objs.merge(RoleObjects[R]);
    Out.Rebinds.push_back({Index, Objs});
  }
  return Out;
}

}  // namespace cyclops::instance
