// RuleDocs.cpp - each rule's documentation, compiled in by analyzer/CMakeLists.txt so that the
// binary describes its rules (cyclops rules --explain, SARIF help) wherever it is installed.
#include "config/RuleDocs.h"

namespace cyclops {
namespace {

struct RuleDoc {
  const char *Id;
  const char *Markdown;
};
const RuleDoc RuleDocs[] = {
#include "RuleDocs.inc"
};

}  // namespace

llvm::StringRef ruleDoc(llvm::StringRef Id) {
  for (const RuleDoc &D : RuleDocs)
    if (Id == D.Id) return D.Markdown;
  return {};
}

}  // namespace cyclops
