// StoreRings.h - the stores of a function that close cycles: each store fact (CodeFacts.h)
// resolved on the merged program, then grouped by function and searched for rings.
//
// A resolved store is an edge from its root object (through its path of fields) to the object
// of the handle it stores. One store whose handle is its own root is a ring of one
// (`ws->set_on_message([ws] {...})`); stores whose roots and handles chain back to the first
// are a ring of several (`a->set_next(b); b->set_next(a);`). Roots are local to a function, so
// rings never span functions. Each ring is listed once, starting at its first store in source
// order. Cost: per function, rings of at most MaxRing stores, found by a depth-first search.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "facts/CodeFacts.h"
#include "program/Summaries.h"
#include "program/TypeGraph.h"

namespace cyclops {

// A store fact on the merged program.
struct ResolvedStore {
  const CaptureFact *Fact = nullptr;
  std::vector<ObjectStep> Path;  // from the root object; the last step is the field stored into
  std::string RootType;          // the root object's type (qualified)
};

// The fact's requirements hold, its path resolves, and a setter's summary says where it
// stores; false when any does not.
bool resolveStore(const CaptureFact &F, const ProgramSummaries &S, ResolvedStore &Out);

class StoreRings {
 public:
  static constexpr size_t MaxRing = 4;

  // Keep: which facts take part (a rule takes its kind of store).
  StoreRings(const TypeGraph &Graph, const ProgramSummaries &Summaries,
             const std::function<bool(const CaptureFact &)> &Keep);

  // Calls Ring for every ring, its stores in cycle order, first store first.
  void forEachRing(const std::function<void(const std::string &Function, const std::vector<const ResolvedStore *> &)>
                       &Ring) const;

 private:
  void extend(const std::vector<ResolvedStore> &Stores, std::vector<size_t> &Ring,
              const std::function<void(const std::vector<size_t> &)> &Found) const;

  std::map<std::string, std::vector<ResolvedStore>> ByFunction;  // sorted by position
};

}  // namespace cyclops
