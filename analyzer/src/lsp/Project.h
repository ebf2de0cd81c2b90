// Project.h - what the language server analyzes: one compile database, its rules and facts
// cache, and the facts of every translation unit the database lists.
//
// Settings come from the command line, else from the client's initializationOptions
// ("compileCommandsDir", "rules"; relative paths are taken from the workspace root); without
// a directory, compile_commands.json is looked for as clangd does, in the workspace root and
// then in its build/ folder. The facts cache is the one `cyclops check -p DIR` keeps
// (DIR/.cyclops-cache).
//
// Threading: index() and analyze() may run at once, on different threads; the facts map is
// guarded by a mutex, and analyze() works on a copy. Memory: one TUFacts per listed
// translation unit, plus a copy of all of them while an analysis runs; no AST outlives the
// parse that made it.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "llvm/Support/Error.h"

#include "config/Rules.h"
#include "extract/CompilationDb.h"
#include "extract/Runner.h"
#include "rules/Finding.h"

namespace cyclops::lsp {

struct ProjectSettings {
  std::string CompileCommandsDir;  // "" to look in Root, then Root/build
  std::string RulesFile;           // "" for the compiled-in defaults
  std::string Root;                // the workspace root (absolute)
  std::string ResourceDir;         // clang's builtin headers
  unsigned Jobs = 0;               // translation units indexed at once; 0: one fewer than the cores
};

// One file's analysis: its findings, or why it could not be analyzed.
struct FileAnalysis {
  std::vector<Finding> Findings;     // those that lie in the file (or whose path passes through it)
  std::optional<TUFailure> Failure;  // the translation unit does not compile
  std::vector<std::string> Remarks;
};

class Project {
 public:
  // Loads the database and the rules; an error names the file or the setting at fault.
  static llvm::Expected<std::unique_ptr<Project>> open(const ProjectSettings &Settings);

  // Fills the facts of every listed translation unit: from the cache where fresh, else parsed
  // and stored in it. OnFinished(done, total) after each file; stops early (parsing nothing
  // more) once Cancel is set. Facts already recorded by analyze() are kept.
  void index(const std::function<void(unsigned Done, unsigned Total)> &OnFinished, const std::atomic<bool> &Cancel);

  // Parses File now (a listed file refreshes its cache entry and its facts; another, a
  // header, gets the command of the nearest listed file) and runs the rules over it and the
  // facts of the rest of the project.
  FileAnalysis analyze(const std::string &File);

  const std::string &buildDir() const { return BuildDir; }
  const std::string &cacheDir() const { return CacheDir; }
  size_t listedFiles() const { return Listed.size(); }

 private:
  Project() = default;

  std::string BuildDir, CacheDir, ResourceDir;
  unsigned Jobs = 1;
  RuleSet Rules;
  std::optional<ProjectDatabase> DB;
  std::set<std::string> Listed;  // the files the database lists

  std::mutex FactsMutex;
  std::map<std::string, TUFacts> Facts;  // by main file: the last known facts of each listed file
};

// The directory of the compile database the settings mean, or an error saying where it looked.
llvm::Expected<std::string> findCompileCommandsDir(const ProjectSettings &Settings);

}  // namespace cyclops::lsp
