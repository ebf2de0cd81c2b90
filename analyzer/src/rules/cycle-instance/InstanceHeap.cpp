// InstanceHeap.cpp - objects, edges and cycle candidates of the cycle-instance rule.
#include "rules/cycle-instance/InstanceHeap.h"

#include <algorithm>
#include <climits>

namespace cyclops::instance {

bool ObjSet::insert(int Object) {
  auto It = std::lower_bound(Items.begin(), Items.end(), Object);
  if (It != Items.end() && *It == Object) return false;
  Items.insert(It, Object);
  return true;
}

bool ObjSet::merge(const ObjSet &Other) {
  bool Changed = false;
  for (int O : Other) Changed |= insert(O);
  if (Other.MaybeNull && !MaybeNull) MaybeNull = Changed = true;
  return Changed;
}

void ObjSet::replace(int From, int To) {
  auto It = std::lower_bound(Items.begin(), Items.end(), From);
  if (It == Items.end() || *It != From) return;
  Items.erase(It);
  insert(To);
}

bool ObjSet::contains(int Object) const { return std::binary_search(Items.begin(), Items.end(), Object); }

bool ObjSet::within(const ObjSet &Other) const {
  if (empty()) return Other.empty() || Other.MaybeNull;
  return (!MaybeNull || Other.MaybeNull) &&
         std::includes(Other.Items.begin(), Other.Items.end(), Items.begin(), Items.end());
}

int TraceTable::intern(TraceKind Kind, const clang::Stmt *At, int Inner, int Field,
                       llvm::function_ref<void(Trace &)> Fill) {
  auto [It, New] = Index.try_emplace({static_cast<int>(Kind), At, Inner, Field}, static_cast<int>(Items.size()));
  if (!New) return It->second;
  Trace T;
  T.Kind = Kind;
  T.At = At;
  T.Inner = Inner;
  Fill(T);
  if (Inner >= 0 && !T.Family) T.Family = Items[Inner].Family;
  Items.push_back(std::move(T));
  return It->second;
}

int FieldTable::intern(const std::string &Path) {
  auto It = Index.find(Path);
  if (It != Index.end()) return It->second;
  size_t Dot = Path.rfind('.');
  int Parent = Dot == std::string::npos ? -1 : intern(Path.substr(0, Dot));
  int Id = static_cast<int>(Names.size());
  Index.emplace(Path, Id);
  Names.push_back(Path);
  Parents.push_back(Parent);
  return Id;
}

bool FieldTable::within(int Field, int Outer) const {
  for (int F = Field; F >= 0; F = Parents[F])
    if (F == Outer) return true;
  return false;
}

bool State::join(const State &Other) {
  if (!Other.Reached) return false;
  if (!Reached) {
    *this = Other;
    return true;
  }
  bool Changed = false;
  for (const auto &[V, Objs] : Other.Vars) {
    auto [It, New] = Vars.try_emplace(V, Objs);
    if (New) {
      Changed = true;
      continue;
    }
    // Null on one path, an object on the other: that object, or null.
    if (It->second.empty() != Objs.empty() && !It->second.MaybeNull) It->second.MaybeNull = Changed = true;
    Changed |= It->second.merge(Objs);
  }
  for (const Edge &E : Other.Edges) Changed |= Edges.insert(E).second;
  for (auto It = Written.begin(); It != Written.end();) {
    if (Other.Written.count(*It)) {
      ++It;
    } else {
      It = Written.erase(It);
      Changed = true;
    }
  }
  for (int O : Other.Havocked) Changed |= Havocked.insert(O).second;
  for (auto It = Null.begin(); It != Null.end();) {
    if (Other.Null.count(*It)) {
      ++It;
    } else {
      It = Null.erase(It);
      Changed = true;
    }
  }
  for (int C : Other.Live) Changed |= Live.insert(C).second;
  for (const auto &[E, Objs] : Other.Values) {
    auto [It, New] = Values.try_emplace(E, Objs);
    Changed |= New || It->second.merge(Objs);
  }
  Changed |= Returned.merge(Other.Returned);
  return Changed;
}

bool State::within(const State &Other) const {
  if (!Reached) return true;
  if (!Other.Reached) return false;
  auto MapWithin = [](const auto &Mine, const auto &Theirs) {
    for (const auto &[K, Objs] : Mine) {
      auto It = Theirs.find(K);
      if (It == Theirs.end() || !Objs.within(It->second)) return false;
    }
    return true;
  };
  auto SetWithin = [](const auto &Mine, const auto &Theirs) {
    return std::includes(Theirs.begin(), Theirs.end(), Mine.begin(), Mine.end());
  };
  // Written is a must-set: the other state may know less of it, not more.
  return MapWithin(Vars, Other.Vars) && SetWithin(Edges, Other.Edges) && SetWithin(Other.Written, Written) &&
         SetWithin(Other.Null, Null) &&
         SetWithin(Havocked, Other.Havocked) && SetWithin(Live, Other.Live) && MapWithin(Values, Other.Values) &&
         Returned.within(Other.Returned);
}

int Heap::object(const ObjKey &Key, const Object &Proto) {
  auto [It, New] = ByKey.try_emplace(Key, static_cast<int>(Objects.size()));
  if (New) {
    Objects.push_back(Proto);
    Objects.back().Key = Key;
  }
  return It->second;
}

bool Heap::mentions(const State &S, int O) const {
  for (const auto &[V, Objs] : S.Vars)
    if (Objs.contains(O)) return true;
  for (const Edge &E : S.Edges)
    if (E.From == O || E.To == O) return true;
  for (const auto &[E, Objs] : S.Values)
    if (Objs.contains(O)) return true;
  return S.Returned.contains(O) || S.Havocked.count(O) || S.Null.count(O);
}

void Heap::rename(State &S, int From, int To) const {
  for (auto &[V, Objs] : S.Vars) Objs.replace(From, To);
  for (auto &[E, Objs] : S.Values) Objs.replace(From, To);
  S.Returned.replace(From, To);
  std::set<Edge> Edges;
  for (Edge E : S.Edges) {
    if (E.From == From) E.From = To;
    if (E.To == From) E.To = To;
    Edges.insert(E);
  }
  S.Edges = std::move(Edges);
  // "Overwritten" says something of one object; the many-object is several.
  for (auto It = S.Written.begin(); It != S.Written.end();)
    It = It->first == From || It->first == To ? S.Written.erase(It) : std::next(It);
  if (S.Havocked.erase(From)) S.Havocked.insert(To);
  S.Null.erase(From);
}

int Heap::allocate(State &S, ObjKey Key, const Object &Proto) {
  Key.Many = false;
  int Recent = object(Key, Proto);
  if (mentions(S, Recent)) {
    ObjKey Older = Key;
    Older.Many = true;
    Object P = Objects[Recent];
    P.Stable = false;
    int Many = object(Older, P);
    rename(S, Recent, Many);
  }
  return Recent;
}

bool Heap::single(const ObjSet &Objs) const { return Objs.size() == 1 && !Objects[Objs.front()].Key.Many; }

std::vector<Edge> Heap::store(State &S, const ObjSet &Recv, int Field, bool Replace, const ObjSet &Values, int Trace) {
  if (Replace) clear(S, Recv, Field);
  std::vector<Edge> New;
  for (int R : Recv)
    for (int V : Values) {
      Edge E{R, Field, V, Trace};
      if (S.Edges.insert(E).second) New.push_back(E);
    }
  return New;
}

void Heap::clear(State &S, const ObjSet &Recv, int Field) {
  if (!single(Recv)) return;  // which of several objects changed is not known: keep their edges
  int O = Recv.front();
  bool Dropped = false;
  for (auto It = S.Edges.lower_bound(Edge{O, INT_MIN, INT_MIN, INT_MIN}); It != S.Edges.end() && It->From == O;) {
    if (Fields.within(It->Field, Field)) {
      It = S.Edges.erase(It);
      Dropped = true;
    } else {
      ++It;
    }
  }
  S.Written.insert({O, Field});
  if (Dropped) recheck(S);
}

void Heap::havoc(State &S, const ObjSet &Objs) {
  bool Dropped = false;
  for (int O : Objs) {
    auto First = S.Edges.lower_bound(Edge{O, INT_MIN, INT_MIN, INT_MIN});
    auto Last = First;
    while (Last != S.Edges.end() && Last->From == O) ++Last;
    Dropped |= First != Last;
    S.Edges.erase(First, Last);
    S.Havocked.insert(O);
  }
  if (Dropped) recheck(S);
}

bool Heap::written(const State &S, int O, int Field) const {
  for (int F = Field; F >= 0; F = Fields.parent(F))
    if (S.Written.count({O, F})) return true;
  return false;
}

ObjSet Heap::targets(const State &S, int O, int Field) const {
  ObjSet Out;
  for (auto It = S.Edges.lower_bound(Edge{O, Field, INT_MIN, INT_MIN});
       It != S.Edges.end() && It->From == O && It->Field == Field; ++It)
    Out.insert(It->To);
  return Out;
}

std::vector<Edge> Heap::pathBetween(const State &S, int From, int To) const {
  // Breadth first, edges in their set order: the shortest path, the same one every run.
  std::map<int, Edge> Reached;  // object -> the edge that reached it
  std::vector<int> Queue{From};
  Reached[From] = Edge{};
  for (size_t I = 0; I < Queue.size(); ++I) {
    int O = Queue[I];
    for (auto It = S.Edges.lower_bound(Edge{O, INT_MIN, INT_MIN, INT_MIN}); It != S.Edges.end() && It->From == O;
         ++It) {
      if (!Reached.try_emplace(It->To, *It).second) continue;
      if (It->To == To) {
        std::vector<Edge> Path;
        for (int At = To; At != From; At = Reached[At].From) Path.push_back(Reached[At]);
        std::reverse(Path.begin(), Path.end());
        return Path;
      }
      Queue.push_back(It->To);
    }
  }
  return {};
}

void Heap::closeCycles(State &S, const std::vector<Edge> &New,
                       llvm::function_ref<bool(const std::vector<Edge> &)> Inherited) {
  for (const Edge &E : New) {
    // An edge from a many-object to itself joins two of its objects, not one to itself.
    if (E.From == E.To && Objects[E.From].Key.Many) continue;
    std::vector<Edge> Cycle;
    if (E.From != E.To) {
      Cycle = pathBetween(S, E.To, E.From);
      if (Cycle.empty()) continue;
    }
    Cycle.push_back(E);
    std::vector<std::pair<int, int>> Key;
    for (const Edge &C : Cycle) Key.push_back({C.Field, C.Trace});
    auto [It, Added] = CandidateIndex.try_emplace(Key, static_cast<int>(Candidates.size()));
    if (Added) Candidates.push_back(Candidate{Cycle, Inherited(Cycle)});
    S.Live.insert(It->second);
  }
}

bool Heap::stands(const State &S, const Candidate &C) const {
  // Some objects linked by edges of the candidate's stores, in order, back to the first:
  // objects may have been renamed since (an allocation in a loop), the stores have not.
  size_t N = C.Edges.size();
  std::function<bool(size_t, int, int)> Walk = [&](size_t Step, int At, int Start) {
    if (Step == N) return At == Start;
    const Edge &Want = C.Edges[Step];
    for (auto It = S.Edges.lower_bound(Edge{At, Want.Field, INT_MIN, INT_MIN});
         It != S.Edges.end() && It->From == At && It->Field == Want.Field; ++It)
      if (It->Trace == Want.Trace && Walk(Step + 1, It->To, Start)) return true;
    return false;
  };
  for (const Edge &E : S.Edges)
    if (E.Field == C.Edges[0].Field && E.Trace == C.Edges[0].Trace && Walk(1, E.To, E.From)) return true;
  return false;
}

void Heap::recheck(State &S) const {
  for (auto It = S.Live.begin(); It != S.Live.end();)
    It = stands(S, Candidates[*It]) ? std::next(It) : S.Live.erase(It);
}

}  // namespace cyclops::instance
