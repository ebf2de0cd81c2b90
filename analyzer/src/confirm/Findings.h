// Findings.h - the static findings `cyclops confirm` matches against: what it reads back
// from `cyclops check --format=json`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace cyclops::confirm {

// One edge of a finding's path: an object of `Type` holds the next one through `Field`
// ("" for the elements of a container). The last step leads back to the first.
struct FindingStep {
  std::string Type;
  std::string Field;
  std::string File;  // where the field (or the store) is; "" when absent
  int64_t Line = 0;
};

// One finding of `cyclops check`, as written by JsonOutput.cpp.
struct StaticFinding {
  std::string Rule;      // "cycle-type", "cycle-instance", ...
  std::string Severity;  // "note", "warning", "error"; "" when absent
  std::string Message;
  std::string File;
  int64_t Line = 0;
  int64_t Column = 0;
  std::string Id;
  std::vector<FindingStep> Path;
};

// Does this rule's finding describe a cycle that can form at run time? cycle-type,
// cycle-instance and capture-cycle do; untraced-field and missing-trace name one field and
// are not matched against collected cycles.
bool isCycleRule(llvm::StringRef Rule);

// Does this rule describe a cycle of types (any number of objects going round it), rather
// than one formed by a particular piece of code? Only cycle-type.
bool isTypeLevelRule(llvm::StringRef Rule);

// The part of a cycle finding's path that the collector reports. A capture-cycle path ends
// with the closure itself ({"type": "lambda" | "std::bind" | "cyc::closure", "field": the
// captured name}); at run time a closure is no object of its own: the handles of a
// cyc::closure are reported under the field of the cyc::Function that holds it (Job.on_done),
// so that last step is dropped. Other rules' paths are returned whole.
std::vector<FindingStep> runtimePath(const StaticFinding &F);

// Parses the JSON of `cyclops check --format=json`. `Name` names the input in errors, which
// are one line: "NAME:LINE:COLUMN: invalid JSON: ..." for syntax errors, "NAME: finding 3:
// ..." for a finding without the keys matching needs (rule, id, path steps' type and field).
// Unknown keys are ignored, so newer analyzers' output still reads.
llvm::Expected<std::vector<StaticFinding>> parseFindings(llvm::StringRef Text, llvm::StringRef Name);

// Reads and parses the file at `Path`; a file that cannot be read is an error naming it.
llvm::Expected<std::vector<StaticFinding>> readFindings(llvm::StringRef Path);

// The text of a JSON syntax error from llvm::json::parse, as "NAME:LINE:COLUMN: MESSAGE"
// (llvm's own text is "[LINE:COLUMN, byte=OFFSET]: MESSAGE"). Shared by both readers.
std::string describeJsonError(llvm::Error E, llvm::StringRef Name, unsigned LineOffset = 0);

}  // namespace cyclops::confirm
