// UntracedFieldCheck.h - untraced-field: a cyc handle field its type's trace hook does not
// visit. The collector never sees that edge: a cycle through it is never freed, and a live
// object reachable only through it may be taken for garbage. A field a derived class adds
// is never visited by a hook it inherits. The fix-it adds the field to CYC_TRACE.
#pragma once

#include "rules/Check.h"
#include "rules/RuleIds.h"

namespace cyclops {

class UntracedFieldCheck : public GraphCheck {
 public:
  llvm::StringRef ruleId() const override { return ruleid::UntracedField; }
  void check(const TypeGraph &Graph, const RuleSet &Rules, CheckOutput &Out) const override;
};

}  // namespace cyclops
