// RuleDocs.h - each rule's documentation (rules/docs/<id>.md), compiled into the binary.
#pragma once

#include "llvm/ADT/StringRef.h"

namespace cyclops {

// The markdown of rules/docs/<Id>.md as it was at build time; empty for an unknown id.
llvm::StringRef ruleDoc(llvm::StringRef Id);

}  // namespace cyclops
