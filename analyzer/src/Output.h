// Output.h - findings as clang-style diagnostics or as JSON.
#pragma once

#include <vector>

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include "Finding.h"

namespace cyclops {

// Clang's diagnostic format, printed by clang's own TextDiagnosticPrinter: for each finding
// `file:line:col: warning: MESSAGE [cyclops-RULE]` with the source line, a caret and the
// fix-it, then a note for each edge of its path.
void writeText(llvm::raw_ostream &OS, const std::vector<Finding> &Findings, bool Color);

// {"findings":[{"rule","severity","message","file","line","column","id",
//               "path":[{"type","field","file","line"}...]}]}
llvm::json::Value toJson(const std::vector<Finding> &Findings);
void writeJson(llvm::raw_ostream &OS, const std::vector<Finding> &Findings);

}  // namespace cyclops
