// Registry.cpp - the graph checks, and which rules this version implements.
#include "Check.h"

#include "CycleTypeCheck.h"
#include "MissingTraceCheck.h"
#include "UntracedFieldCheck.h"

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

bool isImplementedRule(llvm::StringRef RuleId) {
  // cycle-instance and capture-cycle run on the AST (InstanceCheck.cpp,
  // CaptureCycleCheck.cpp); the others on the graph.
  if (RuleId == "cycle-instance" || RuleId == "capture-cycle") return true;
  for (const auto &C : makeGraphChecks())
    if (C->ruleId() == RuleId) return true;
  return false;
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
