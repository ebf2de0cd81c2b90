// Finding.h - one result of a rule: what, where, the cycle it walks, and how to fix it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "facts/Facts.h"

namespace cyclops {

enum class Severity { Note = 0, Warning = 1, Error = 2 };

std::string_view severityName(Severity S);
std::optional<Severity> parseSeverity(std::string_view Name);

// A further note for one edge, e.g. at the store inside the function a call runs.
struct StepNote {
  SourcePos Pos;
  std::string Note;
};

// One edge of a cycle (or one field a trace rule is about).
struct PathStep {
  std::string Type;   // the object's type
  std::string Field;  // the field that holds the next object ("" for a container's elements)
  SourcePos Pos;      // where the field (or the store) is
  std::string Note;   // what the edge is, for the note printed at Pos
  std::vector<StepNote> Via = {};  // where a call on the path makes the edge, callee by callee
};

struct Finding {
  std::string Rule;  // rule id, e.g. "cycle-type"
  Severity Level = Severity::Warning;
  std::string Message;
  SourcePos Pos;
  std::vector<PathStep> Path;
  std::vector<TextEdit> Fixes;
  std::string Id;  // stable: see makeFindingId
};

// A limit that cut an analysis short: what was left out, and the setting that raises it.
// Reported on the summary line, in JSON ("truncated") and in SARIF (a tool notification).
struct Truncation {
  std::string Rule;     // the rule whose results it cut ("cycle-type")
  std::string Setting;  // the rules-file setting that raises it ("cycle_type.max_cycles"); "" if fixed
  std::string Message;  // one line
};

// A stable id: a hash of the rule and the normalized path (type and field names only; no
// lines or files), so it survives unrelated edits and reruns. `Key` lists the path's
// elements in a canonical order chosen by the rule.
std::string makeFindingId(std::string_view Rule, const std::vector<std::string> &Key);

// Sorts findings by file, line, column, rule, and drops duplicates by id.
void sortAndDedupe(std::vector<Finding> &Findings);

}  // namespace cyclops
