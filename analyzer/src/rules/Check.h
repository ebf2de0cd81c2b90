// Check.h - a rule that runs on the whole-program type graph. One class per rule, in the
// manner of clang-tidy's checks; rules/Registry.cpp lists them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "llvm/ADT/StringRef.h"

#include "config/Rules.h"
#include "program/TypeGraph.h"
#include "rules/Finding.h"

namespace cyclops {

struct CheckOutput {
  std::vector<Finding> Findings;
  std::vector<std::string> Remarks;  // one-line notes for the user (what a rule left out, and why)
  std::vector<Truncation> Truncated;  // limits that cut a rule's search short
};

class GraphCheck {
 public:
  virtual ~GraphCheck() = default;
  virtual llvm::StringRef ruleId() const = 0;
  virtual void check(const TypeGraph &Graph, const RuleSet &Rules, CheckOutput &Out) const = 0;

 protected:
  // A finding of this check's rule with the severity the rules give it.
  Finding finding(const RuleSet &Rules, std::string Message, SourcePos Pos) const;
};

// "Node.next" for a path step; "[]" stands for the elements of a library container.
std::string stepName(llvm::StringRef Type, llvm::StringRef Field);

}  // namespace cyclops
