// FactsCommand.h - `cyclops facts` (one translation unit's facts into a file, with a depfile
// for Ninja and Make) and the reading side of `cyclops check --facts=DIR`.
//
// Together they split one whole-program analysis into a build's worth of steps: each facts
// step parses one translation unit, as a compile step does (and re-runs when the build system
// sees one of its inputs change), and the check merges the files, which costs a small
// fraction of parsing (bench/facts_merge_bench.cpp measures it).
//
// Both are synchronous; loadFactsDir reads files on a thread pool of its own.
#pragma once

#include <string>
#include <vector>

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include "config/Rules.h"
#include "extract/CompilationDb.h"
#include "facts/TUFacts.h"

namespace cyclops {

struct FactsCommandOptions {
  std::string BuildDir;     // -p: the directory of compile_commands.json (or the file)
  std::string File;         // the translation unit's main file, as the database lists it
  std::string Output;       // -o: the facts file
  std::string DepFile;      // --depfile: where the Make-syntax depfile goes; empty: none
  std::string RulesFile;    // --rules, when given: an input of the facts like the headers
  std::string ResourceDir;  // clang's builtin headers, already resolved (ResourceDir.h)
  ExtraArguments Extra;     // --extra-arg-before, --extra-arg: added to the command
};

// Parses `File` with its compile command and writes its facts to `Output` (atomically, see
// FactsIO.h), then the depfile. A file the database compiles several times (one source in
// two targets) is parsed with its first command, the one a build uses for a single object,
// and a note saying so is added to `Notes`, as is one naming the arguments clang does not
// know, which are dropped. A file the database does not list is parsed, as by `cyclops check`,
// with the command of the nearest listed file, and a note names that file. Errors are one line:
// the file does not exist, it does not compile (the first error, file:line:col), a file cannot
// be written.
llvm::Error runFactsCommand(const FactsCommandOptions &Options, const RuleSet &Rules,
                            std::vector<std::string> &Notes);

// "Target: Dep1 Dep2 ...\n" in Make syntax, which Ninja reads too: spaces and '#' are
// escaped with a backslash, '$' is doubled. One dependency per line, joined by " \".
std::string makeDepfile(llvm::StringRef Target, llvm::ArrayRef<std::string> Deps);

// The key `cyclops facts` records in its files: a fingerprint of everything in the rules (the
// handle families decide which edges the facts hold). `cyclops check --facts` refuses files
// written with other rules than its own, since their merge would silently miss edges.
std::string rulesKey(const RuleSet &Rules);

struct LoadedFacts {
  // One per translation unit, ordered by main file: the order `cyclops check -p` parses them
  // in, so that both merge the same way ("the first definition of a name wins").
  std::vector<TUFacts> Facts;
  // The main files merged, and one error line for each requested file without facts.
  FileSelection Selection;
};

// Reads every `*.facts` file under Dir (recursively), `Jobs` at once (0: one per core).
// `Requested` empty: all of them; otherwise the facts of those main files (relative paths are
// taken from the current directory), as `cyclops check -p BUILD_DIR FILES...` parses only
// those. Errors (the whole load fails): Dir is not a directory or holds no facts files; a file
// is damaged, of another format version or written with other rules (the message names it);
// two files hold different facts for one main file (the message names both: a stale file or
// two configurations in one directory). Two files with equal facts for one main file (one
// source in two targets) are merged as one.
llvm::Expected<LoadedFacts> loadFactsDir(llvm::StringRef Dir, llvm::ArrayRef<std::string> Requested,
                                         const RuleSet &Rules, unsigned Jobs);

}  // namespace cyclops
