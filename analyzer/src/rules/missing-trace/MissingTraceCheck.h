// MissingTraceCheck.h - missing-trace: a type that holds cyc handles and has no trace hook.
//
// libcyc tracks (and can collect) only types with a trace hook: CYC_TRACE(...), a member
// trace(cyc::Tracer&), or an ADL cyc_trace(T&, cyc::Tracer&), own or inherited. The handles
// of a type without one are invisible to the collector, so a cycle through them is never
// freed. The fix-it adds CYC_TRACE naming the fields.
#pragma once

#include "rules/Check.h"
#include "rules/RuleIds.h"

namespace cyclops {

class MissingTraceCheck : public GraphCheck {
 public:
  llvm::StringRef ruleId() const override { return ruleid::MissingTrace; }
  void check(const TypeGraph &Graph, const RuleSet &Rules, CheckOutput &Out) const override;
};

}  // namespace cyclops
