// report_fuzz.cpp - the collector's JSON Lines report (CYC_REPORT) that `cyclops confirm` reads.
#include "FuzzSupport.h"
#include "confirm/Observations.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  using namespace cyclops::confirm;
  llvm::Expected<Observations> O = parseReport(cyclops::fuzz::asText(Data, Size), "fuzz.jsonl");
  if (!cyclops::fuzz::succeeded(O)) return 0;
  // The reader promises every cycle record a path.
  for (const ObservedCycle &C : O->Cycles)
    if (C.Path.empty()) cyclops::fuzz::violated("a cycle record without a path");
  return 0;
}
