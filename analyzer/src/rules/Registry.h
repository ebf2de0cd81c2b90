// Registry.h - the registration table: which rule runs where. Graph rules run on the merged
// type graph of the whole program (rules/Check.h); the rules that read function bodies run on
// each translation unit's AST while extraction has it.
#pragma once

#include <memory>
#include <vector>

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include "rules/Check.h"

namespace cyclops {

class ExtractContext;

// A rule's work on one TU's AST: findings into X.out().Findings, or facts for the merged
// program. Runs after the TU's records and trace hooks are extracted; a Run listed for two
// rules runs once.
struct AstRule {
  llvm::StringLiteral Id;
  void (*Run)(ExtractContext &X);
};
llvm::ArrayRef<AstRule> astRules();

std::vector<std::unique_ptr<GraphCheck>> makeGraphChecks();

// Rules this version of cyclops checks (on the graph or on the AST).
bool isImplementedRule(llvm::StringRef RuleId);

}  // namespace cyclops
