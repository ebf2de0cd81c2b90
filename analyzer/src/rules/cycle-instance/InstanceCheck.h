// InstanceCheck.h - cycle-instance: code that links objects into a strong cycle (the rule is
// described in InstanceCheck.cpp and rules/docs/cycle-instance.md).
#pragma once

namespace cyclops {

class ExtractContext;

// The rule over the function bodies of the TU.
void runInstanceCheck(ExtractContext &X);

}  // namespace cyclops
