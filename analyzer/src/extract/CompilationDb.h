// CompilationDb.h - the project as compile_commands.json describes it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace clang::tooling {
class CompilationDatabase;
}

namespace cyclops {

// Loads BUILD_DIR/compile_commands.json (or the .json file itself). A missing, malformed or
// empty database is an error whose message names the file and, for bad JSON, the line.
llvm::Expected<std::unique_ptr<clang::tooling::CompilationDatabase>>
loadCompilationDatabase(llvm::StringRef BuildDir);

// A database that compiles every file with the same arguments, in `Directory` (for tests
// and for single files).
std::unique_ptr<clang::tooling::CompilationDatabase>
makeFixedDatabase(llvm::StringRef Directory, llvm::ArrayRef<std::string> Args);

struct FileSelection {
  std::vector<std::string> Files;   // absolute paths, each listed in the database
  std::vector<std::string> Errors;  // one line for each requested file it does not list
};

// `Requested` empty: every file of the database. Otherwise those files (relative paths are
// taken from the current directory), each of which the database must list.
FileSelection selectFiles(const clang::tooling::CompilationDatabase &DB,
                          llvm::ArrayRef<std::string> Requested);

}  // namespace cyclops
