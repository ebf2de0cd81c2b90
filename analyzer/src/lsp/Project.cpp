// Project.cpp - the server's compile database, rules, cache and facts.
#include "lsp/Project.h"

#include <algorithm>

#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Threading.h"

#include "facts/FactsCache.h"
#include "frontends/CurrentTU.h"

namespace cyclops::lsp {

namespace {

// Path taken from Root when relative.
std::string underRoot(llvm::StringRef Root, llvm::StringRef Path) {
  if (Path.empty() || llvm::sys::path::is_absolute(Path)) return Path.str();
  llvm::SmallString<256> Full(Root);
  llvm::sys::path::append(Full, Path);
  llvm::sys::path::remove_dots(Full, /*remove_dot_dot=*/true);
  return std::string(Full);
}

bool hasDatabase(llvm::StringRef Dir) {
  llvm::SmallString<256> Path(Dir);
  llvm::sys::path::append(Path, "compile_commands.json");
  return llvm::sys::fs::exists(Path);
}

}  // namespace

llvm::Expected<std::string> findCompileCommandsDir(const ProjectSettings &S) {
  if (!S.CompileCommandsDir.empty()) return underRoot(S.Root, S.CompileCommandsDir);
  for (llvm::StringRef Sub : {"", "build"}) {
    std::string Dir = underRoot(S.Root, Sub);
    if (hasDatabase(Dir)) return Dir;
  }
  return llvm::createStringError("no compile_commands.json in '" + S.Root + "' or its build/ folder: set "
                                 "--compile-commands-dir or the initialization option compileCommandsDir");
}

llvm::Expected<std::unique_ptr<Project>> Project::open(const ProjectSettings &S) {
  std::unique_ptr<Project> P(new Project());
  llvm::Expected<RuleSet> Rules =
      S.RulesFile.empty() ? defaultRules() : loadRulesFile(underRoot(S.Root, S.RulesFile));
  if (!Rules) return Rules.takeError();
  P->Rules = std::move(*Rules);
  llvm::Expected<std::string> Dir = findCompileCommandsDir(S);
  if (!Dir) return Dir.takeError();
  llvm::Expected<ProjectDatabase> DB = openProjectDatabase(*Dir, ExtraArguments{}, /*InferMissing=*/true);
  if (!DB) return DB.takeError();
  P->DB.emplace(std::move(*DB));
  P->BuildDir = *Dir;
  P->CacheDir = defaultCacheDir(*Dir);
  P->ResourceDir = S.ResourceDir;
  unsigned Cores = llvm::hardware_concurrency().compute_thread_count();
  P->Jobs = S.Jobs ? S.Jobs : std::max(1u, Cores - 1);
  for (std::string &F : selectFiles(P->DB->commands(), {}).Files) P->Listed.insert(std::move(F));
  return P;
}

void Project::index(const std::function<void(unsigned, unsigned)> &OnFinished, const std::atomic<bool> &Cancel) {
  std::vector<std::string> Files(Listed.begin(), Listed.end());
  const unsigned Total = static_cast<unsigned>(Files.size());
  std::atomic<unsigned> Done{0};
  RunOptions Options{Jobs, ResourceDir, CacheDir, ProgressMode::Never};
  Options.OnFinished = [&](const std::string &) { OnFinished(++Done, Total); };
  Options.Cancel = &Cancel;
  RunResult Run = runTranslationUnits(DB->commands(), Files, Rules, Options);
  std::lock_guard<std::mutex> Lock(FactsMutex);
  for (TUFacts &F : Run.Facts) {
    F.Findings.clear();  // another translation unit's AST findings are reported when it is analyzed
    Facts.try_emplace(F.MainFile, std::move(F));
  }
}

FileAnalysis Project::analyze(const std::string &File) {
  FileAnalysis Out;
  FileSelection Selected = selectFiles(DB->commands(), {File});
  if (Selected.Files.empty()) {
    Out.Failure = TUFailure{File, Selected.Errors.empty() ? "no compile command" : Selected.Errors.front().Message};
    return Out;
  }
  const std::string Path = Selected.Files.front();
  const bool IsListed = Listed.count(Path) > 0;
  // A header's facts describe no translation unit of the build: they are not cached.
  RunResult Run = runTranslationUnits(DB->commands(), {Path}, Rules,
                                      RunOptions{1, ResourceDir, IsListed ? CacheDir : "", ProgressMode::Never});
  Out.Remarks = std::move(Run.Notes);
  if (!Run.Failures.empty()) {
    Out.Failure = std::move(Run.Failures.front());
    return Out;
  }
  if (Run.Facts.empty()) return Out;
  TUFacts Here = std::move(Run.Facts.front());
  std::vector<TUFacts> Others;
  {
    std::lock_guard<std::mutex> Lock(FactsMutex);
    if (IsListed) {
      TUFacts Kept = Here;
      Kept.Findings.clear();
      Facts.insert_or_assign(Here.MainFile, std::move(Kept));
    }
    Others.reserve(Facts.size());
    for (const auto &[Main, F] : Facts)
      if (Main != Here.MainFile) Others.push_back(F);
  }
  CurrentTUResult R = analyzeWithOthers(std::move(Here), std::move(Others), Rules, {Path});
  Out.Findings = std::move(R.Findings);
  Out.Remarks.insert(Out.Remarks.end(), R.Remarks.begin(), R.Remarks.end());
  return Out;
}

}  // namespace cyclops::lsp
