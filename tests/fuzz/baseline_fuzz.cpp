// baseline_fuzz.cpp - the baseline file of `cyclops check --baseline=FILE`. loadBaseline
// reads a path, so each input is written to a scratch file first.
#include "FuzzSupport.h"
#include "output/Baseline.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  static cyclops::fuzz::ScratchFile File("baseline.json");
  llvm::Expected<cyclops::Baseline> B = cyclops::loadBaseline(File.write(cyclops::fuzz::asText(Data, Size)));
  // What a run does next with a baseline it accepted: split its findings by it.
  if (cyclops::fuzz::succeeded(B)) (void)cyclops::splitByBaseline({}, *B);
  return 0;
}
