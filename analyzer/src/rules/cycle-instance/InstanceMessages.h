// InstanceMessages.h - the headline of a cycle-instance finding, for both of its checks (the
// per-TU data flow, InstanceCheck.cpp, and the cross-file rings, CrossFileCheck.cpp).
#pragma once

#include <string>
#include <vector>

#include "config/Rules.h"

namespace cyclops {

// "strong reference cycle formed by a->set_next(b); b->set_next(a): <what happens to the
// objects>", Family being the handles' family (null: unknown).
std::string instanceMessage(const std::vector<std::string> &Stores, const HandleFamily *Family);

}  // namespace cyclops
