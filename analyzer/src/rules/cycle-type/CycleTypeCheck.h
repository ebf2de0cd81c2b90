// CycleTypeCheck.h - cycle-type: types whose strong fields can close a reference cycle.
//
// A recursive structure through one field (a list's next, a tree's kids, a composite's
// children of a base type) is usually acyclic and is not reported. Reported are: a cycle of
// types through two or more distinct strong fields (Request.response / Response.request,
// A -> B -> C -> A), and a type with strong fields to itself pointing opposite ways (kids and
// parent, next and prev: a field named like a back-pointer, see back_pointer_names), or
// that owns a part (a pimpl, a member by value) whose back-pointer holds the whole object.
#pragma once

#include "rules/Check.h"
#include "rules/RuleIds.h"

namespace cyclops {

class CycleTypeCheck : public GraphCheck {
 public:
  llvm::StringRef ruleId() const override { return ruleid::CycleType; }
  void check(const TypeGraph &Graph, const RuleSet &Rules, CheckOutput &Out) const override;
};

}  // namespace cyclops
