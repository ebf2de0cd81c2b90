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

// What the command line adds to every compile command, as clang-tidy's options of the same
// names do: Before right after the compiler's name (--extra-arg-before), After at the end,
// before a "--" (--extra-arg).
struct ExtraArguments {
  std::vector<std::string> Before;
  std::vector<std::string> After;
  bool empty() const { return Before.empty() && After.empty(); }
};

// The positions in CommandLine (argv[0] the compiler) of the arguments clang's driver does
// not know, such as GCC's -fconcepts-diagnostics-depth=3: the driver would refuse the
// command for them. Asks the driver's option table, in the command's driver mode (clang-cl's
// options for cl.exe).
std::vector<size_t> unknownArguments(llvm::ArrayRef<std::string> CommandLine);

// The database a run parses with, over the one compile_commands.json describes (Listed):
// with InferMissing, a file it does not list (a header, a test) gets the command of the
// nearest file it lists, as clangd does; every command loses the arguments clang does not
// know (unknownArguments) and gets Extra.
class ProjectDatabase {
 public:
  ProjectDatabase(std::unique_ptr<clang::tooling::CompilationDatabase> Listed, const ExtraArguments &Extra,
                  bool InferMissing);
  ~ProjectDatabase();
  ProjectDatabase(ProjectDatabase &&) noexcept;
  ProjectDatabase &operator=(ProjectDatabase &&) noexcept;

  // The commands as clang gets them.
  const clang::tooling::CompilationDatabase &commands() const { return *Adjusted; }
  // One line naming the arguments clang does not know that were dropped from the commands of
  // Files ("ignored arguments clang does not know: A, B (from N commands)"), or "" for none.
  std::string droppedArgumentsNote(llvm::ArrayRef<std::string> Files) const;

 private:
  const clang::tooling::CompilationDatabase *Unadjusted;  // owned by Adjusted
  std::unique_ptr<clang::tooling::CompilationDatabase> Adjusted;
};

// loadCompilationDatabase, then a ProjectDatabase over it.
llvm::Expected<ProjectDatabase> openProjectDatabase(llvm::StringRef BuildDir, const ExtraArguments &Extra,
                                                    bool InferMissing);

// A requested file that cannot be analyzed: the name as requested, and one line saying why.
struct SelectionError {
  std::string File;
  std::string Message;
};

struct FileSelection {
  std::vector<std::string> Files;      // absolute paths, each with a compile command
  std::vector<SelectionError> Errors;  // one for each requested file without one
  std::vector<std::string> Notes;   // one line for each requested file whose command is inferred
};

// `Requested` empty: every file of the database. Otherwise those files (relative paths are
// taken from the current directory), each of which must exist and have a compile command:
// listed, or inferred (ProjectDatabase), which a note names.
FileSelection selectFiles(const clang::tooling::CompilationDatabase &DB,
                          llvm::ArrayRef<std::string> Requested);

}  // namespace cyclops
