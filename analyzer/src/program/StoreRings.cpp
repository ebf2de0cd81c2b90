// StoreRings.cpp - resolving store facts and finding the rings they close.
#include "program/StoreRings.h"

#include <algorithm>
#include <set>
#include <tuple>

namespace cyclops {

namespace {

std::string posKey(const SourcePos &P) { return P.File + ":" + std::to_string(P.Line) + ":" + std::to_string(P.Column); }

}  // namespace

bool resolveStore(const CaptureFact &F, const ProgramSummaries &S, ResolvedStore &Out) {
  if (!S.satisfied(F.Requires) || !S.expand(F.Path, Out.Path)) return false;
  if (!F.Setter.empty()) {
    std::vector<std::vector<ObjectStep>> Stores = S.stores(F.Setter, F.Arg, F.SetterVirtual);
    if (Stores.empty()) return false;
    Out.Path.insert(Out.Path.end(), Stores.front().begin(), Stores.front().end());
  }
  if (Out.Path.empty()) return false;
  // A closure goes into whatever callable field takes it; a handle must be held strongly.
  if (F.Closure.empty() && !Out.Path.back().Field.Strong) return false;
  Out.Fact = &F;
  Out.RootType = Out.Path.front().Field.Holder.empty() ? F.RootType : Out.Path.front().Field.Holder;
  return true;
}

StoreRings::StoreRings(const TypeGraph &Graph, const ProgramSummaries &Summaries,
                       const std::function<bool(const CaptureFact &)> &Keep) {
  std::set<std::string> Seen;
  for (const TUFacts &U : Graph.units())
    for (const CaptureFact &F : U.Captures) {
      if (!Keep(F)) continue;
      // The same function seen from two translation units (a header) is one.
      std::string Key = posKey(F.At) + "|" + posKey(F.HeldPos) + "|" + F.Setter + "|" + std::to_string(F.Arg);
      ResolvedStore R;
      if (!Seen.count(Key) && resolveStore(F, Summaries, R)) {
        Seen.insert(Key);
        ByFunction[F.Function].push_back(std::move(R));
      }
    }
  for (auto &[Function, Stores] : ByFunction)
    std::stable_sort(Stores.begin(), Stores.end(), [](const ResolvedStore &A, const ResolvedStore &B) {
      return std::tie(A.Fact->At.File, A.Fact->At.Line, A.Fact->At.Column) <
             std::tie(B.Fact->At.File, B.Fact->At.Line, B.Fact->At.Column);
    });
}

void StoreRings::forEachRing(
    const std::function<void(const std::string &, const std::vector<const ResolvedStore *> &)> &Ring) const {
  for (const auto &[Function, Stores] : ByFunction) {
    std::set<std::vector<size_t>> Reported;
    auto Found = [&](const std::vector<size_t> &R) {
      std::vector<size_t> Sorted = R;
      std::sort(Sorted.begin(), Sorted.end());
      if (!Reported.insert(Sorted).second) return;
      std::vector<const ResolvedStore *> Members;
      for (size_t I : R) Members.push_back(&Stores[I]);
      Ring(Function, Members);
    };
    for (size_t Start = 0; Start < Stores.size(); ++Start) {
      std::vector<size_t> R{Start};
      if (Stores[Start].Fact->Root == Stores[Start].Fact->HeldRoot)
        Found(R);
      else
        extend(Stores, R, Found);
    }
  }
}

// Rings through Ring.front() whose other stores come later in source order.
void StoreRings::extend(const std::vector<ResolvedStore> &Stores, std::vector<size_t> &Ring,
                        const std::function<void(const std::vector<size_t> &)> &Found) const {
  const CaptureFact &Last = *Stores[Ring.back()].Fact;
  for (size_t Next = Ring.front() + 1; Next < Stores.size(); ++Next) {
    const CaptureFact &N = *Stores[Next].Fact;
    if (N.Root != Last.HeldRoot || N.Root == N.HeldRoot || std::count(Ring.begin(), Ring.end(), Next)) continue;
    Ring.push_back(Next);
    if (N.HeldRoot == Stores[Ring.front()].Fact->Root)
      Found(Ring);
    else if (Ring.size() < MaxRing)
      extend(Stores, Ring, Found);
    Ring.pop_back();
  }
}

}  // namespace cyclops
