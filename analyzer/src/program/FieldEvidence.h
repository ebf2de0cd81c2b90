// FieldEvidence.h - what the whole program is seen storing into each field, and how it uses
// strong handle fields: the evidence cycle-type weighs an edge by, and the facts its fix-it
// needs. Built from every translation unit's typed stores and strong uses (facts/CodeFacts.h);
// an argument passed to a function lands in the fields that the function's summary (closed
// over calls, program/Summaries.h) stores that parameter into.
//
// Immutable once built; queries are const and cheap (map lookups; resets() asks the summaries,
// which must outlive it). Building is linear in the facts, times the paths a parameter's
// summary has (at most ProgramSummaries::MaxPathsPerParam).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "facts/TUFacts.h"
#include "program/Summaries.h"

namespace cyclops {

class FieldEvidence {
 public:
  // A record stored into the field that its declaration does not name by itself.
  struct StoredRecord {
    std::string Record;  // qualified name, as records are named
    bool Strong = true;  // through a strong handle (else by value or an owner)
    std::string Family;  // the strong handle's family
    SourcePos At;        // the store, or the call that leads to one
  };

  FieldEvidence(const std::vector<TUFacts> &Units, const ProgramSummaries &Summaries);

  // The records stored into Holder::Field, first store of each record first; empty when none.
  const std::vector<StoredRecord> &stored(const std::string &Holder, const std::string &Field) const;
  // Where a freshly made object is stored into the field (it would be its only owner).
  std::optional<SourcePos> freshStore(const std::string &Holder, const std::string &Field) const;
  // Is the field filled from a parameter of its class's constructor (`Conn(Server *s) :
  // server_(s)`)? Such a field points back to whoever made or registered the object.
  bool fromConstructor(const std::string &Holder, const std::string &Field) const;
  // The functions that let go of the field (resets, clears, nulls), itself or through a call,
  // from an object of its holder: ProgramSummaries::resetsAlong of that one field.
  std::vector<ProgramSummaries::ResetSite> resets(const std::string &Holder, const std::string &Field) const;
  // Where the field is used as only a strong handle can be.
  std::optional<SourcePos> strongUse(const std::string &Holder, const std::string &Field) const;

 private:
  using Key = std::pair<std::string, std::string>;  // (holder, field)
  using Place = std::pair<std::string, unsigned>;   // (function id, parameter)
  // How many (function, parameter) places one argument is followed through, at most.
  static constexpr size_t MaxPassesFollowed = 64;

  void add(const Key &K, const TypedStoreFact &T, const SourcePos &At);
  void follow(const TypedStoreFact &T);
  static bool isConstructor(const FunctionSummary &S);

  std::map<Key, std::vector<StoredRecord>> Stored;
  std::map<Key, SourcePos> Fresh;
  std::map<Key, SourcePos> StrongUses;
  const ProgramSummaries &Summaries;
  std::set<Key> ConstructorFilled;
  std::map<Place, std::vector<Place>> Passes;  // a parameter -> the arguments it is passed as
  std::map<Place, std::vector<Key>> StoredAs;  // a parameter -> the fields it is stored into
};

}  // namespace cyclops
