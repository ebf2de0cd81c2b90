// FieldEvidence.cpp - typed stores and strong uses, merged over the program.
#include "program/FieldEvidence.h"

#include <algorithm>

#include "llvm/ADT/StringRef.h"

#include "program/Summaries.h"

namespace cyclops {

FieldEvidence::FieldEvidence(const std::vector<TUFacts> &Units, const ProgramSummaries &Program)
    : Summaries(Program) {
  std::vector<const TypedStoreFact *> Arguments;
  for (const TUFacts &TU : Units) {
    for (const TypedStoreFact &T : TU.TypedStores) {
      if (T.Callee.empty())
        add({T.Holder, T.Field}, T, T.At);
      else
        Arguments.push_back(&T);
    }
    for (const ParamPassFact &P : TU.ParamPasses) {
      if (P.Callee.empty())
        StoredAs[{P.Function, P.Param}].push_back({P.Holder, P.Field});
      else
        Passes[{P.Function, P.Param}].push_back({P.Callee, P.Arg});
    }
    for (const StrongUseFact &U : TU.StrongUses) StrongUses.try_emplace({U.Holder, U.Field}, U.At);
    for (const FunctionSummary &S : TU.Summaries)
      if (isConstructor(S))
        for (const ParamStoreFact &P : S.Stores)
          if (P.Path.size() == 1) ConstructorFilled.insert({P.Path.front().Field.Holder, P.Path.front().Field.Field});
  }
  for (const TypedStoreFact *T : Arguments) follow(*T);
}

std::vector<ProgramSummaries::ResetSite> FieldEvidence::resets(const std::string &Holder,
                                                               const std::string &Field) const {
  ObjectStep Step;
  Step.Field.Holder = Holder;
  Step.Field.Field = Field;
  return Summaries.resetsAlong({Step});
}

// An argument lands where its callee stores that parameter (the last field of each path: the
// callee's own fields, or those of parts of it), and where the functions the callee passes
// the parameter on to store it, across calls and constructions (`Box(T v)` -> `Any(T v)` ->
// `Impl<T>(T v) : value(v)`), each (function, parameter) once.
void FieldEvidence::follow(const TypedStoreFact &T) {
  std::set<Place> Seen;
  std::vector<Place> Work{{T.Callee, T.Arg}};
  while (!Work.empty() && Seen.size() < MaxPassesFollowed) {
    Place At = std::move(Work.back());
    Work.pop_back();
    if (!Seen.insert(At).second) continue;
    for (const std::vector<ObjectStep> &Path : Summaries.stores(At.first, At.second, /*Virtual=*/false))
      if (!Path.empty() && Path.back().K == ObjectStep::Member)
        add({Path.back().Field.Holder, Path.back().Field.Field}, T, T.At);
    if (auto It = StoredAs.find(At); It != StoredAs.end())
      for (const Key &Field : It->second) add(Field, T, T.At);
    if (auto It = Passes.find(At); It != Passes.end()) Work.insert(Work.end(), It->second.begin(), It->second.end());
  }
}

// "app::Box<int>::Box" of class "app::Box<int>": the last name of each, template arguments aside.
bool FieldEvidence::isConstructor(const FunctionSummary &S) {
  if (S.Class.empty()) return false;
  llvm::StringRef Class(S.Class);
  Class = Class.substr(0, Class.find('<'));
  llvm::StringRef Name(S.Name);
  size_t Sep = Name.rfind("::");
  if (Sep == llvm::StringRef::npos) return false;
  llvm::StringRef Last = Name.substr(Sep + 2);
  return Class.ends_with(Last) && (Class.size() == Last.size() || Class.drop_back(Last.size()).ends_with("::"));
}

bool FieldEvidence::fromConstructor(const std::string &Holder, const std::string &Field) const {
  return ConstructorFilled.count({Holder, Field}) != 0;
}

void FieldEvidence::add(const Key &K, const TypedStoreFact &T, const SourcePos &At) {
  if (T.Fresh && T.Strong) Fresh.try_emplace(K, At);
  if (T.Stored.empty()) return;
  std::vector<StoredRecord> &List = Stored[K];
  bool Known = std::any_of(List.begin(), List.end(), [&](const StoredRecord &S) {
    return S.Record == T.Stored && S.Strong == T.Strong && S.Family == T.Family;
  });
  if (!Known) List.push_back(StoredRecord{T.Stored, T.Strong, T.Family, At});
}

const std::vector<FieldEvidence::StoredRecord> &FieldEvidence::stored(const std::string &Holder,
                                                                      const std::string &Field) const {
  static const std::vector<StoredRecord> None;
  auto It = Stored.find({Holder, Field});
  return It == Stored.end() ? None : It->second;
}

std::optional<SourcePos> FieldEvidence::freshStore(const std::string &Holder, const std::string &Field) const {
  auto It = Fresh.find({Holder, Field});
  if (It == Fresh.end()) return std::nullopt;
  return It->second;
}

std::optional<SourcePos> FieldEvidence::strongUse(const std::string &Holder, const std::string &Field) const {
  auto It = StrongUses.find({Holder, Field});
  if (It == StrongUses.end()) return std::nullopt;
  return It->second;
}

}  // namespace cyclops
