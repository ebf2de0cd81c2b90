// InstanceSummaries.h - what a function of the translation unit does to the objects its
// callers give it, so that cycle-instance can follow handles through calls:
//
//   void link(H x, H y) { x->next = y; }       // summary: param 0 .next <- param 1
//   link(a, b); link(b, a);                     // the second call closes a -> b -> a
//
// A summary is the function's state at return, seen from outside: its roles are the
// parameters, *this, what they held on entry (a getter returns `this->next`), and objects
// the function made that stay reachable from them or from its result. It lists the edges
// stored between roles (with the callee's traces, for notes), the fields overwritten or
// cleared (kills), the objects an unknown call may have changed, where reference
// parameters point on return, and what is returned. A cycle that a call makes among the
// callee's own roles is the callee's to report (`make_ring()`); the caller reports only
// what the call closes with the caller's edges, or through aliasing (`link(a, a)`).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rules/cycle-instance/InstanceHeap.h"

namespace cyclops::instance {

struct Role {
  enum Kind : std::uint8_t { Param, This, Load, Local } K = Local;
  int Index = -1;  // Param: the parameter; Load: the role read from
  int Field = -1;  // Load: the field read
  Object Proto;    // Local and Load: what the object is (type, label, known fields)
};

struct SummaryEdge {
  int From = -1, Field = -1, To = -1, Trace = -1;  // roles, field, the callee's trace
};

// What one shape of the function's paths does (its data flow keeps the paths that reach
// the return apart, up to a bound: "the loop ran" and "the list was empty" are two cases).
struct SummaryCase {
  std::vector<SummaryEdge> Edges;
  std::vector<std::pair<int, int>> Kills;  // (role, field) overwritten or cleared on these paths
  std::vector<int> Havocs;                 // roles an unknown call may have changed
  std::vector<std::pair<unsigned, std::vector<int>>> Rebinds;  // reference parameter -> roles
  std::vector<int> Returns;                                    // roles the result may refer to
  std::vector<int> NullRoles;  // roles null on these paths: a caller passing objects skips the case

  bool trivial() const {
    return Edges.empty() && Kills.empty() && Havocs.empty() && Rebinds.empty() && Returns.empty();
  }
};

struct Summary {
  std::vector<Role> Roles;
  std::vector<SummaryCase> Cases;  // none: the function never returns

  bool trivial() const {
    for (const SummaryCase &C : Cases)
      if (!C.trivial()) return false;
    return true;
  }
};

// Past these sizes a callee counts as unknown: its calls neither add nor remove edges.
inline constexpr size_t MaxSummaryRoles = 32;
inline constexpr size_t MaxSummaryEdges = 64;  // in all cases together

// A parameter of the function summarised: its object, and its variable when a reassignment
// of that variable is visible to the caller (a non-const reference to a handle).
struct SummaryParam {
  unsigned Index = 0;
  int Object = -1;
  const clang::ValueDecl *RebindableVar = nullptr;
};

// The summary of a function whose states at return are Exits (one case each); null when
// it exceeds the limits.
std::unique_ptr<Summary> summarize(const Heap &H, const std::vector<State> &Exits, const TraceTable &Traces,
                                   const std::vector<SummaryParam> &Params);

// Can the case happen at a call with these objects for the roles? Not when it needs a
// parameter to be null and the caller passes an object that never is.
bool caseApplies(const Heap &H, const SummaryCase &Case, const std::vector<ObjSet> &RoleObjects);

// What applying a summary at a call gives the caller.
struct Applied {
  ObjSet Result;                                   // the objects the call's result refers to
  std::vector<std::pair<unsigned, ObjSet>> Rebinds;  // reference parameter -> objects
};

// Applies one case of a summary at a call, with RoleObjects[r] the caller's objects for role r
// (computed by the caller's data flow: arguments, the receiver, field reads, new objects).
// CallTrace makes the caller's trace for a callee trace.
Applied applySummary(Heap &H, State &S, const SummaryCase &Case,
                     const std::vector<ObjSet> &RoleObjects, const TraceTable &Traces, const clang::Stmt *Call,
                     llvm::function_ref<int(int CalleeTrace)> CallTrace);

}  // namespace cyclops::instance
