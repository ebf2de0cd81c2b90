// findings_fuzz.cpp - the findings JSON that `cyclops confirm --findings=F.json` reads.
#include "FuzzSupport.h"
#include "confirm/Findings.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  using namespace cyclops::confirm;
  llvm::Expected<std::vector<StaticFinding>> Findings = parseFindings(cyclops::fuzz::asText(Data, Size), "fuzz.json");
  if (!cyclops::fuzz::succeeded(Findings)) return 0;
  // The reader promises every cycle finding a path to match against.
  for (const StaticFinding &F : *Findings)
    if (isCycleRule(F.Rule) && runtimePath(F).empty()) cyclops::fuzz::violated("a cycle finding without a path");
  return 0;
}
