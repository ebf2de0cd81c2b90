// Output.h - findings as clang-style diagnostics, as JSON, as SARIF, or as a GitLab Code Quality
// report.
#pragma once

#include <string>
#include <vector>

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include "config/Rules.h"
#include "output/Baseline.h"
#include "output/SourceRoot.h"
#include "rules/Finding.h"

namespace cyclops {

// A translation unit that could not be analyzed (it does not compile, or a requested file does
// not exist or has no command), as the JSON and SARIF reports list it: the findings of a run
// with errors come from the rest of the program only.
struct InputError {
  std::string File;     // the translation unit's main file, or the file as requested
  std::string Message;  // one line: its first error, "file:line:col: error: message"
};

// Clang's diagnostic format, printed by clang's own TextDiagnosticPrinter: for each finding
// `file:line:col: warning: MESSAGE [cyclops-RULE]` with the source line, a caret and the
// fix-it, then a note for each edge of its path, each with its source line and caret. With
// `Color`, ANSI colours as clang uses them.
void writeText(llvm::raw_ostream &OS, const std::vector<Finding> &Findings, bool Color);

// {"findings":[{"rule","severity","message","file","line","column","id",
//               "path":[{"type","field","file","line"}...]}]}
// With a baseline, `Findings` are the new findings (BaselineSplit::New) and the object has
// "baseline": {"file", "unchanged": [ID...], "absent": [{"id","rule","file","message"}...]}.
// With input errors, the object has "errors": [{"file", "message"}...], in their order; without
// any it has no "errors" key. With limits that cut the analysis short, "truncated":
// [{"rule", "setting", "message"}...] ("setting": the rules-file key that raises it, "" if none).
llvm::json::Value toJson(const std::vector<Finding> &Findings, const BaselineSplit *Baseline = nullptr,
                         const std::vector<InputError> &Errors = {}, const std::vector<Truncation> &Truncated = {});
void writeJson(llvm::raw_ostream &OS, const std::vector<Finding> &Findings,
               const BaselineSplit *Baseline = nullptr, const std::vector<InputError> &Errors = {},
               const std::vector<Truncation> &Truncated = {});

// A SARIF 2.1.0 log with one run, as GitHub code scanning and SARIF viewers read it:
// tool.driver.rules lists every rule of `Rules` with its documentation (rules/docs, compiled
// in); each result has its location, a related location and a code flow step for each edge
// of the cycle (and for each store inside a call that makes one), the stable id as partialFingerprints["cyclops/v1"], and its fix-its as
// `fixes`. Files under `Root` are URIs relative to the base id "%SRCROOT%" (whose absolute
// URI run.originalUriBaseIds gives); others are absolute file: URIs. Columns are counted
// in Unicode code points, as SARIF's default columnKind says, where the file can be read.
// With a baseline, `Findings` are the new findings and every result has a baselineState:
// "new", "unchanged" (BaselineSplit::Unchanged) or "absent" (a recorded finding that is
// gone; its location names only the file).
// The run has one invocation: executionSuccessful is false when there are input errors, and
// then toolExecutionNotifications has one notification per error (level "error", the message
// as its text, a physicalLocation naming the file), in their order; then one per limit that
// cut the analysis short (level "warning", associatedRule naming the rule, its message, which
// names the setting that raises it, as the text); those leave executionSuccessful true.
llvm::json::Value toSarif(const std::vector<Finding> &Findings, const RuleSet &Rules, const SourceRoot &Root,
                          const BaselineSplit *Baseline = nullptr, const std::vector<InputError> &Errors = {},
                          const std::vector<Truncation> &Truncated = {});
void writeSarif(llvm::raw_ostream &OS, const std::vector<Finding> &Findings, const RuleSet &Rules,
                const SourceRoot &Root, const BaselineSplit *Baseline = nullptr,
                const std::vector<InputError> &Errors = {}, const std::vector<Truncation> &Truncated = {});

// A Code Climate issue list, as GitLab reads it for `artifacts: reports: codequality:`: a JSON
// array ("[]" when there is nothing) of
//   {"type": "issue", "check_name": "cyclops-RULE", "description": MESSAGE,
//    "categories": ["Bug Risk"], "severity", "fingerprint",
//    "location": {"path", "lines": {"begin", "end"}},
//    "other_locations": [{"path", "lines"}...], "content": {"body": Markdown}}
// `path` is relative to `Root` when the file is under it (GitLab links it into the
// repository), absolute otherwise. Severities: note -> "info", warning -> "major",
// error -> "critical". The fingerprint is an MD5 of the finding's stable id and its path (and,
// for a second place with the same id in one file, its ordinal there), so it is unique within
// the report and the same across runs and unrelated edits: GitLab matches issues of two
// pipelines by it. `other_locations` are the cycle's other edges. With a baseline, pass the
// new findings only (BaselineSplit::New): the format has no baseline state. Input errors are
// not in it (the format has no place for them): they are on stderr and in the exit status.
// O(n log n) in the findings, plus their paths.
llvm::json::Value toCodeClimate(const std::vector<Finding> &Findings, const SourceRoot &Root);
void writeCodeClimate(llvm::raw_ostream &OS, const std::vector<Finding> &Findings, const SourceRoot &Root);

}  // namespace cyclops
