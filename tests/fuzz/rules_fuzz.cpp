// rules_fuzz.cpp - the rules YAML (`--rules=FILE`): parseRules on top of the compiled-in
// defaults, as loadRulesFile reads a file.
#include "FuzzSupport.h"
#include "config/Rules.h"

namespace {

const cyclops::RuleSet &defaults() {
  static const cyclops::RuleSet Defaults = [] {
    llvm::Expected<cyclops::RuleSet> R = cyclops::defaultRules();
    if (!R) cyclops::fuzz::violated("the compiled-in rules do not parse");
    return std::move(*R);
  }();
  return Defaults;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  llvm::Expected<cyclops::RuleSet> Rules = cyclops::parseRules(cyclops::fuzz::asText(Data, Size), "fuzz.yaml", defaults());
  // What the analyzer does next with rules it accepted: key its facts by them.
  if (cyclops::fuzz::succeeded(Rules)) (void)cyclops::rulesFingerprint(*Rules);
  return 0;
}
