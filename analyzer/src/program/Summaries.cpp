// Summaries.cpp - merging the function summaries of every translation unit and closing them
// under calls, in rounds, until nothing changes.
#include "program/Summaries.h"

#include <algorithm>
#include <functional>
#include <tuple>

#include "llvm/ADT/StringRef.h"

namespace cyclops {

ProgramSummaries::ProgramSummaries(const std::vector<TUFacts> &Units) {
  index(Units);
  collectOverriders();
  seed();
  close();
}

// The first summary of an id wins: a function defined in a header is the same in every
// translation unit that includes it (the one definition rule).
void ProgramSummaries::index(const std::vector<TUFacts> &Units) {
  for (const TUFacts &U : Units)
    for (const FunctionSummary &S : U.Summaries) ById.emplace(S.Id, &S);
}

void ProgramSummaries::collectOverriders() {
  std::map<std::string, std::vector<std::string>> Direct;
  for (const auto &[Id, S] : ById)
    for (const std::string &O : S->Overrides) Direct[O].push_back(Id);
  std::function<void(const std::string &, std::set<std::string> &)> Walk = [&](const std::string &Id,
                                                                              std::set<std::string> &Seen) {
    auto It = Direct.find(Id);
    if (It == Direct.end()) return;
    for (const std::string &D : It->second)
      if (Seen.insert(D).second) Walk(D, Seen);
  };
  for (const auto &[Id, Ds] : Direct) {
    std::set<std::string> Seen;
    Walk(Id, Seen);
    Overriders[Id].assign(Seen.begin(), Seen.end());
  }
}

void ProgramSummaries::seed() {
  for (const auto &[Id, S] : ById) {
    if (S->ReturnsSelf) Self.insert(Id);
    for (unsigned P : S->Wraps) Wrapping.insert({Id, P});
    for (const std::string &F : S->Deletes)
      if (!S->Class.empty()) OwnedPointers.insert({S->Class, F});
  }
}

void ProgramSummaries::close() {
  unsigned Rounds = 0;
  while (round())
    if (++Rounds == MaxRounds) {
      Remarks.push_back("capture-cycle: the function summaries did not settle after " + std::to_string(MaxRounds) +
                        " rounds of calls; stores made deeper in the call chain are not followed");
      break;
    }
  if (PathCut)
    Remarks.push_back("capture-cycle: some stores lie deeper than " + std::to_string(MaxPathSteps) +
                      " fields, a parameter is stored in more than " + std::to_string(MaxPathsPerParam) +
                      " places, or a function resets more than " + std::to_string(MaxResetsPerFunction) +
                      " fields; those are not followed");
}

// One round: every summary takes in what its callees' summaries say so far. True if anything
// grew.
bool ProgramSummaries::round() {
  bool Changed = false;
  for (const auto &[Id, S] : ById) {
    for (const ParamStoreFact &St : S->Stores) {
      std::vector<Path> Expanded;
      if (expandAll(St.Path, Expanded))
        for (Path &P : Expanded) Changed |= addPath(Stores[{Id, St.Param}], std::move(P));
    }
    for (const ParamForwardFact &F : S->Forwards) {
      std::vector<Path> Receivers;
      if (!expandAll(F.Receiver, Receivers)) continue;
      for (const std::string &T : targets(F.Callee, F.Virtual)) {
        auto Callee = Stores.find({T, F.Arg});
        if (Callee == Stores.end()) continue;
        std::vector<Path> Tails;
        for (const auto &[K, Tail] : Callee->second) Tails.push_back(Tail);
        for (const Path &R : Receivers)
          for (const Path &Tail : Tails) {
            Path P = R;
            P.insert(P.end(), Tail.begin(), Tail.end());
            Changed |= addPath(Stores[{Id, F.Param}], std::move(P));
          }
      }
    }
    for (const Path &Part : S->ReturnsPart) {
      std::vector<Path> Expanded;
      if (expandAll(Part, Expanded))
        for (Path &P : Expanded) Changed |= addPath(Parts[Id], std::move(P));
    }
    Changed |= closeResets(Id, *S);
    if (!Self.count(Id))
      for (const std::string &Of : S->ReturnsSelfOf)
        if (returnsSelf(Of, /*Virtual=*/true)) Changed |= Self.insert(Id).second;
    for (const WrapForwardFact &W : S->WrapsOf)
      if (wraps(W.Callee, W.Arg)) Changed |= Wrapping.insert({Id, W.Param}).second;
  }
  return Changed;
}

// The fields S resets, its own and those of the member functions it calls on parts of *this.
bool ProgramSummaries::closeResets(const std::string &Id, const FunctionSummary &S) {
  bool Changed = false;
  for (const FieldResetFact &R : S.Resets) {
    std::vector<Path> Expanded;
    if (expandAll(R.Path, Expanded))
      for (Path &P : Expanded) Changed |= addReset(Id, std::move(P), R.At, /*Direct=*/true);
  }
  for (const MemberCallFact &C : S.Calls) {
    // A receiver that is not a part of *this adds no prefix: the field let go of is what counts.
    std::vector<Path> Receivers;
    if (!C.OfThis)
      Receivers.emplace_back();
    else if (!expandAll(C.Receiver, Receivers))
      continue;
    for (const std::string &T : targets(C.Callee, C.Virtual)) {
      if (T == Id) continue;
      std::vector<Path> Tails;
      if (auto Callee = Resets.find(T); Callee != Resets.end())
        for (const auto &[K, Tail] : Callee->second) Tails.push_back(Tail);
      for (unsigned A : C.NullArgs)  // `set_cb(nullptr)`: what the setter stores, it resets
        if (auto Stored = Stores.find({T, A}); Stored != Stores.end())
          for (const auto &[K, Tail] : Stored->second) Tails.push_back(Tail);
      for (const Path &R : Receivers)
        for (const Path &Tail : Tails) {
          Path P = R;
          P.insert(P.end(), Tail.begin(), Tail.end());
          Changed |= addReset(Id, std::move(P), C.At, /*Direct=*/false);
        }
    }
  }
  return Changed;
}

bool ProgramSummaries::addReset(const std::string &Id, Path P, const SourcePos &At, bool Direct) {
  std::string K = key(P);
  if (!addPath(Resets[Id], std::move(P), MaxResetsPerFunction)) return false;
  ResetSites.emplace(std::make_pair(Id, K), ResetSite{name(Id), At, Direct, Resets[Id].at(K).back().Field});
  return true;
}

namespace {

bool isPrefix(const std::vector<ObjectStep> &P, const std::vector<ObjectStep> &Of) {
  if (P.empty() || P.size() > Of.size()) return false;
  for (size_t I = 0; I < P.size(); ++I)
    if (P[I].Field.Holder != Of[I].Field.Holder || P[I].Field.Field != Of[I].Field.Field) return false;
  return true;
}

}  // namespace

std::vector<ProgramSummaries::ResetSite> ProgramSummaries::resetsAlong(const std::vector<ObjectStep> &Along) const {
  std::map<std::string, ResetSite> ByFunction;
  for (const auto &[Id, Set] : Resets)
    for (const auto &[K, P] : Set) {
      if (!isPrefix(P, Along)) continue;
      const ResetSite &Site = ResetSites.at({Id, K});
      if (Site.Function.find("::~") != std::string::npos) continue;  // runs once the object is freed
      auto [It, New] = ByFunction.emplace(Id, Site);
      if (!New && Site.Direct && !It->second.Direct) It->second = Site;
    }
  std::vector<ResetSite> Out;
  for (auto &[Id, Site] : ByFunction) Out.push_back(Site);
  std::stable_sort(Out.begin(), Out.end(), [](const ResetSite &A, const ResetSite &B) {
    return std::make_tuple(!A.Direct, A.Function) < std::make_tuple(!B.Direct, B.Function);
  });
  return Out;
}

std::string ProgramSummaries::key(const Path &P) {
  std::string K;
  for (const ObjectStep &S : P) K += S.Field.Holder + "." + S.Field.Field + "/";
  return K;
}

bool ProgramSummaries::addPath(PathSet &Set, Path P, size_t Cap) {
  if (P.size() > MaxPathSteps) {
    PathCut = true;
    return false;
  }
  std::string K = key(P);
  if (Set.count(K)) return false;
  if (Set.size() >= Cap) {
    PathCut = true;
    return false;
  }
  Set.emplace(std::move(K), std::move(P));
  return true;
}

std::vector<std::string> ProgramSummaries::targets(const std::string &Id, bool Virtual) const {
  std::vector<std::string> Out{Id};
  if (!Virtual) return Out;
  if (auto It = Overriders.find(Id); It != Overriders.end()) Out.insert(Out.end(), It->second.begin(), It->second.end());
  return Out;
}

// Every field path P stands for: accessor steps replaced by what the accessor returns (each
// overrider's, for a virtual call), raw pointer steps kept where a destructor deletes them.
bool ProgramSummaries::expandAll(const Path &P, std::vector<Path> &Out) const {
  std::vector<Path> Partial{Path{}};
  for (const ObjectStep &S : P) {
    std::vector<Path> Next;
    if (S.K == ObjectStep::Accessor) {
      for (const Path &Part : parts(S.Callee, S.Virtual))
        for (const Path &Pre : Partial) {
          Path Q = Pre;
          Q.insert(Q.end(), Part.begin(), Part.end());
          Next.push_back(std::move(Q));
        }
    } else if (S.K == ObjectStep::Member || ownsPointer(S.Field.Holder, S.Field.Field)) {
      for (Path &Pre : Partial) {
        Pre.push_back(S);
        Next.push_back(std::move(Pre));
      }
    }
    if (Next.empty()) return false;
    if (Next.size() > MaxPathsPerParam) Next.resize(MaxPathsPerParam);
    Partial = std::move(Next);
  }
  for (Path &Q : Partial) Out.push_back(std::move(Q));
  return true;
}

bool ProgramSummaries::expand(const Path &P, Path &Out) const {
  std::vector<Path> All;
  if (!expandAll(P, All) || All.empty()) return false;
  std::sort(All.begin(), All.end(), [](const Path &A, const Path &B) { return key(A) < key(B); });
  Out = std::move(All.front());
  return true;
}

std::vector<std::vector<ObjectStep>> ProgramSummaries::stores(const std::string &Id, unsigned Param,
                                                              bool Virtual) const {
  PathSet All;
  for (const std::string &T : targets(Id, Virtual))
    if (auto It = Stores.find({T, Param}); It != Stores.end()) All.insert(It->second.begin(), It->second.end());
  std::vector<Path> Out;
  for (auto &[K, P] : All) Out.push_back(P);
  return Out;
}

std::vector<std::vector<ObjectStep>> ProgramSummaries::parts(const std::string &Id, bool Virtual) const {
  PathSet All;
  for (const std::string &T : targets(Id, Virtual))
    if (auto It = Parts.find(T); It != Parts.end()) All.insert(It->second.begin(), It->second.end());
  std::vector<Path> Out;
  for (auto &[K, P] : All) Out.push_back(P);
  return Out;
}

bool ProgramSummaries::returnsSelf(const std::string &Id, bool Virtual) const {
  for (const std::string &T : targets(Id, Virtual))
    if (Self.count(T)) return true;
  return false;
}

bool ProgramSummaries::wraps(const std::string &Id, unsigned Param) const { return Wrapping.count({Id, Param}) > 0; }

bool ProgramSummaries::ownsPointer(const std::string &Holder, const std::string &Field) const {
  return OwnedPointers.count({Holder, Field}) > 0;
}

bool ProgramSummaries::satisfied(const std::vector<std::string> &Requires) const {
  for (llvm::StringRef R : Requires) {
    if (R.consume_front("self:")) {
      if (!returnsSelf(R.str(), /*Virtual=*/true)) return false;
    } else if (R.consume_front("wraps:")) {
      auto [Id, Arg] = R.rsplit(':');
      unsigned N = 0;
      if (Arg.getAsInteger(10, N) || !wraps(Id.str(), N)) return false;
    } else {
      return false;
    }
  }
  return true;
}

std::string ProgramSummaries::name(const std::string &Id) const {
  auto It = ById.find(Id);
  return It == ById.end() ? "" : It->second->Name;
}

}  // namespace cyclops
