// InstanceMessages.cpp - cycle-instance's headline.
#include "rules/cycle-instance/InstanceMessages.h"

#include "llvm/ADT/StringExtras.h"

namespace cyclops {

std::string instanceMessage(const std::vector<std::string> &Stores, const HandleFamily *Family) {
  std::string M = "strong reference cycle formed by " + llvm::join(Stores, "; ") + ": ";
  if (!Family) return M + "the objects are not freed while the cycle stands";
  if (Family->Collector) return M + "the objects stay alive until cyc::gc::collect()";
  return M + "the objects are never freed (" + Family->Strong.front() + " has no cycle collector)";
}

}  // namespace cyclops
