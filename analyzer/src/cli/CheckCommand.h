// CheckCommand.h - `cyclops check`: parse a build (or merge the facts files of one), run the
// rules, write the report, and say what happened in one summary line on stderr.
//
// Exit statuses: 0 nothing at or above FailOn (with a baseline: nothing new at or above it;
// with WriteBaselineFile: the run was recorded); 1 findings; 2 usage or input errors (a
// missing or malformed compilation database, a requested file that does not exist (one that
// exists but is not listed is parsed with the command of the nearest listed file), a translation unit
// that does not compile, a bad rules or baseline file, a damaged facts file, an output that
// cannot be written, a file --fix cannot write), each reported on stderr as one
// "cyclops: error: ..." line.
//
// --fix and --export-fixes (output/Fixes.h) take the fix-its of the findings in the report,
// after it is written: --fix rewrites the files and says "cyclops: applied N fix-its in M
// files" on stderr, --export-fixes writes them for clang-apply-replacements. A fix-it left out
// (it conflicts with one before it, its file changed) is a "cyclops: note: ..." line. Neither
// changes the exit status but by an error; with input errors nothing is fixed (as clang-tidy
// without --fix-errors), though --export-fixes is still written.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "llvm/ADT/Twine.h"

#include "config/Rules.h"
#include "extract/CompilationDb.h"

namespace cyclops {

inline constexpr int ExitFindings = 1;
inline constexpr int ExitError = 2;

enum class Format { Text, Json, Sarif, CodeClimate };
enum class Color { Auto, Always, Never };

struct CheckOptions {
  std::string BuildDir;               // -p: the build's compile_commands.json
  std::string FactsDir;               // --facts: merge these facts files instead of parsing
  std::vector<std::string> Files;     // FILES...: only these main files ("" for all)
  ExtraArguments Extra;               // --extra-arg-before, --extra-arg: added to every command
  Format OutputFormat = Format::Text;
  Color ColorMode = Color::Auto;
  std::string OutputFile;             // -o; "" for stdout
  std::string RulesFile;              // --rules; "" for the compiled-in defaults
  Severity FailOn = Severity::Warning;
  unsigned Jobs = 0;                  // -j; 0 for one per core
  std::string SourceRoot;             // --source-root; "" for the current directory
  std::string BaselineFile;           // --baseline
  std::string WriteBaselineFile;      // --write-baseline
  std::string CacheDir;               // --cache-dir; "" for BUILD_DIR/.cyclops-cache
  bool NoCache = false;               // --no-cache
  bool Fix = false;                   // --fix: apply the reported findings' fix-its in place
  std::string ExportFixesFile;        // --export-fixes; "" for none
  std::string ResourceDir;            // --resource-dir; "" to find clang's
  const char *Argv0 = "";             // with MainAddr: where to look for clang's resource dir
  void *MainAddr = nullptr;
};

// Runs the whole of `cyclops check` and returns its exit status. Synchronous; parses on -j
// threads of its own.
int runCheck(const CheckOptions &Options);

// The rules file, or the defaults; a bad file is one error line on stderr and no value.
std::optional<RuleSet> loadRulesOrReport(const std::string &RulesFile);

// "cyclops: error: MESSAGE" on stderr.
void reportError(const llvm::Twine &Message);

}  // namespace cyclops
