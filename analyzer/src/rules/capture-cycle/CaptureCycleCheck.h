// CaptureCycleCheck.h - capture-cycle: a closure holding a strong handle to the object that
// stores it (the rule is described in CaptureCycleCheck.cpp and rules/docs/capture-cycle.md).
#pragma once

namespace cyclops {

class ExtractContext;

// The rule over the function bodies of the TU. Reads the trace hooks already extracted into
// X.out() (run it after the records are drained).
void runCaptureCycleCheck(ExtractContext &X);

}  // namespace cyclops
