// Baseline.h - a file of accepted findings, so that CI fails only on new ones.
//
// `cyclops check --write-baseline=FILE` records the findings of a run; `--baseline=FILE`
// then reports and counts for the exit status only the findings whose stable id
// (Finding::Id) is not in it, and says which recorded findings are gone. Ids leave out
// lines and files, so moving code keeps a finding baselined; the file and message recorded
// beside each id are for the people who read and review the baseline.
//
// The file is JSON, written sorted like the findings so that it diffs well:
//   {"version": 1,
//    "findings": [{"id": "0123456789abcdef", "rule": "cycle-type",
//                  "file": "src/node.h", "message": "strong fields form ..."}, ...]}
// `file` is relative to the source root when the file is under it (SourceRoot.h).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include "output/SourceRoot.h"
#include "rules/Finding.h"

namespace cyclops {

struct BaselineEntry {
  std::string Id;
  std::string Rule;
  std::string File;  // as SourceRoot::display names it
  std::string Message;
};

struct Baseline {
  std::string Path;  // the file it was read from
  std::vector<BaselineEntry> Entries;
};

// Reads a baseline. Errors (a missing file, malformed JSON, an unknown version, a field
// missing or of the wrong type) are one line that names the file and, where there is
// one, the place in it.
llvm::Expected<Baseline> loadBaseline(llvm::StringRef Path);

// Writes the baseline of `Findings` to `Path`, replacing it whole by a rename (OutputFile.h): a
// path that exists and is not a regular file is refused. Errors are one line,
// "cannot write baseline 'PATH': REASON".
llvm::Error writeBaseline(llvm::StringRef Path, const std::vector<Finding> &Findings, const SourceRoot &Root);

// The findings of a run compared with a baseline.
struct BaselineSplit {
  std::string Path;                   // the baseline file
  std::vector<Finding> New;           // id not in the baseline: reported, counted for the exit status
  std::vector<Finding> Unchanged;     // id in the baseline
  std::vector<BaselineEntry> Absent;  // in the baseline, found no more
};

// Splits `Findings` by `B`. A run over only some files cannot tell that a finding elsewhere
// is gone: when `Scope` is not null, only entries whose file (as SourceRoot::display names
// files) is in it can be absent. Linear in the sizes of both.
BaselineSplit splitByBaseline(std::vector<Finding> Findings, const Baseline &B,
                              const std::set<std::string> *Scope = nullptr);

}  // namespace cyclops
