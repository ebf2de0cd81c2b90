// TypeGraph.h - the whole program's record types and the strong and owning edges between
// them, merged from every translation unit's facts by fully qualified name.
//
// A node is a record type. Its edges are those of its own fields and of the fields it
// inherits; an edge whose field may refer to a derived class (a strong handle, unique_ptr)
// leads to the target and to every class derived from it anywhere in the program.
//
// Evidence (weigh()): an edge to the declared target is backed by the declaration. An edge to
// a derived class is backed only when the program stores an object of that class (or of a
// class between it and the target) into the field; a type-erased field (FieldFact::Erased)
// gets an edge to each record the program stores into it, and no other. Unbacked edges stay
// in the graph, marked, for the rules to decide.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include "facts/Facts.h"
#include "facts/TUFacts.h"

namespace cyclops {

struct RuleSet;

struct GraphEdge {
  unsigned From = 0;
  unsigned To = 0;
  unsigned Holder = 0;  // the record that declares the field (From or one of its bases)
  const FieldFact *Field = nullptr;
  const FieldEdge *Edge = nullptr;
  bool Backed = true;   // the declaration or a store in the program says the field may hold a To
  bool Payload = false; // an edge of a type-erased field, to a record stored into it
};

class FieldEvidence;

// The trace hook that applies to a record: its own, an ADL one, or one inherited.
struct EffectiveHook {
  const TraceHookFact *Hook = nullptr;
  unsigned Owner = 0;  // the record whose hook it is
};

class TypeGraph {
 public:
  // Takes the facts of every translation unit. The first definition of a name wins (the one
  // definition rule makes them equal); synthetic records never replace real ones.
  TypeGraph(std::vector<TUFacts> Facts, const RuleSet &Rules);

  unsigned size() const { return static_cast<unsigned>(Records.size()); }
  const RecordFact &record(unsigned I) const { return *Records[I]; }
  std::optional<unsigned> find(llvm::StringRef Name) const;

  // Outgoing edges, own and inherited fields, expanded to derived classes; sorted.
  llvm::ArrayRef<GraphEdge> out(unsigned I) const { return Out[I]; }
  llvm::ArrayRef<unsigned> bases(unsigned I) const { return Bases[I]; }

  std::optional<EffectiveHook> hook(unsigned I) const;

  // Marks the edges to derived classes that no store backs, and adds the payload edges of
  // type-erased fields. Once, before the rules run; Evidence must outlive the graph.
  void weigh(const FieldEvidence &Evidence);
  // The evidence weighed by, or null before weigh().
  const FieldEvidence *evidence() const { return Evidence; }
  // Is A the same record as B or derived from it?
  bool isA(unsigned A, unsigned B) const;

  // Does this field hold strong handles of a collector family (libcyc), directly, through
  // owners, or inside records it holds by value?
  bool holdsCollectorHandles(const FieldFact &F) const;
  // Does the record (its own fields) hold any?
  bool recordHoldsCollectorHandles(unsigned I) const;

  // Every translation unit's facts, as given.
  const std::vector<TUFacts> &units() const { return Facts; }

  // Findings of rules that ran on the AST, from every translation unit.
  const std::vector<Finding> &astFindings() const { return AstFindings; }

 private:
  void collectFields(unsigned I, std::vector<std::pair<unsigned, const FieldFact *>> &Fields,
                     std::vector<bool> &Visited) const;
  void subclasses(unsigned I, std::vector<unsigned> &Out, std::vector<bool> &Visited) const;
  bool backedByStore(const GraphEdge &E) const;
  void addPayloadEdges(unsigned I);
  static void sortEdges(std::vector<GraphEdge> &Edges);
  bool holds(unsigned I, std::vector<char> &State) const;

  std::vector<TUFacts> Facts;  // owns the records
  std::vector<const RecordFact *> Records;
  std::map<std::string, unsigned, std::less<>> Index;
  std::vector<std::vector<unsigned>> Bases, Derived;
  std::vector<std::vector<GraphEdge>> Out;
  std::map<std::string, const TraceHookFact *, std::less<>> AdlHooks;
  std::vector<std::string> CollectorFamilies;
  std::vector<Finding> AstFindings;
  const FieldEvidence *Evidence = nullptr;
  std::deque<FieldEdge> PayloadEdges;  // the FieldEdges of payload edges (stable addresses)
  mutable std::vector<char> HoldsMemo;  // 0 unknown, 1 computing, 2 no, 3 yes
};

}  // namespace cyclops
