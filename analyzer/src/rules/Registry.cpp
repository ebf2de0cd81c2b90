// Registry.cpp - the registration table: the graph checks, the AST rules, and which rules
// this version implements.
#include "rules/Registry.h"

#include "llvm/ADT/STLExtras.h"

#include "rules/RuleIds.h"
#include "extract/StoreFacts.h"
#include "rules/cycle-instance/InstanceCheck.h"

#include "rules/cycle-type/CycleTypeCheck.h"
#include "rules/missing-trace/MissingTraceCheck.h"
#include "rules/untraced-field/UntracedFieldCheck.h"

namespace cyclops {

Finding GraphCheck::finding(const RuleSet &Rules, std::string Message, SourcePos Pos) const {
  Finding F;
  F.Rule = ruleId().str();
  if (const RuleInfo *R = Rules.rule(F.Rule)) F.Level = R->Level;
  F.Message = std::move(Message);
  F.Pos = std::move(Pos);
  return F;
}

std::vector<std::unique_ptr<GraphCheck>> makeGraphChecks() {
  std::vector<std::unique_ptr<GraphCheck>> Checks;
  Checks.push_back(std::make_unique<CycleTypeCheck>());
  Checks.push_back(std::make_unique<MissingTraceCheck>());
  Checks.push_back(std::make_unique<UntracedFieldCheck>());
  return Checks;
}

llvm::ArrayRef<AstRule> astRules() {
  // capture-cycle and cycle-instance's cross-file part read the store facts extracted here
  // and decide on the merged program (program/Analyzer.cpp).
  static const AstRule Rules[] = {
      {ruleid::CycleInstance, &runInstanceCheck},
      {ruleid::CaptureCycle, &extractStoreFacts},
      {ruleid::CycleInstance, &extractStoreFacts},
  };
  return Rules;
}

bool isImplementedRule(llvm::StringRef RuleId) {
  return llvm::is_contained(ruleid::All, RuleId);
}

std::string stepName(llvm::StringRef Type, llvm::StringRef Field) {
  std::string S = Type.str();
  if (Field.empty())
    S += "[]";
  else
    S += "." + Field.str();
  return S;
}

}  // namespace cyclops
