// Runner.cpp - one clang invocation per translation unit, in parallel.
#include "extract/Runner.h"

#include <memory>
#include <optional>
#include <set>

#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/FileManager.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendAction.h"
#include "clang/Serialization/PCHContainerOperations.h"
#include "clang/Tooling/ArgumentsAdjusters.h"
#include "clang/Tooling/CompilationDatabase.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/VirtualFileSystem.h"

#include "extract/FactsExtractor.h"
#include "extract/Progress.h"
#include "facts/FactsCache.h"

namespace cyclops {

using namespace clang;
using namespace clang::tooling;

namespace {

// Keeps the first error of a translation unit (and counts all of them), prints nothing.
class FirstError : public DiagnosticConsumer {
 public:
  void HandleDiagnostic(DiagnosticsEngine::Level Level, const Diagnostic &Info) override {
    DiagnosticConsumer::HandleDiagnostic(Level, Info);
    if (Level < DiagnosticsEngine::Error || !Message.empty()) return;
    llvm::SmallString<256> Text;
    Info.FormatDiagnostic(Text);
    llvm::raw_string_ostream OS(Message);
    if (Info.hasSourceManager() && Info.getLocation().isValid()) {
      PresumedLoc P = Info.getSourceManager().getPresumedLoc(Info.getLocation());
      if (P.isValid()) OS << P.getFilename() << ":" << P.getLine() << ":" << P.getColumn() << ": ";
    }
    OS << (Level == DiagnosticsEngine::Fatal ? "fatal error: " : "error: ") << Text;
  }
  std::string Message;
};

class FactsAction : public ASTFrontendAction {
 public:
  FactsAction(const RuleSet &R, TUFacts &O) : Rules(R), Out(O) {}
  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &CI, StringRef) override {
    // Not "1 error generated.": the runner reports failures itself, on one line.
    CI.setVerboseOutputStream(std::make_unique<llvm::raw_null_ostream>());
    return makeFactsConsumer(Rules, Out);
  }

 private:
  const RuleSet &Rules;
  TUFacts &Out;
};

bool hasResourceDir(const std::vector<std::string> &Args) {
  for (const std::string &A : Args)
    if (llvm::StringRef(A).starts_with("-resource-dir")) return true;
  return false;
}

struct Outcome {
  std::vector<TUFacts> Facts;
  std::vector<TUFailure> Failures;
  unsigned Analyzed = 0;
  std::vector<std::string> Cached;
  std::vector<std::string> Notes;
};

Outcome runOne(const CompilationDatabase &DB, const std::string &File, const RuleSet &Rules,
               const RunOptions &Options, FactsCache *Cache) {
  Outcome Out;
  std::vector<CompileCommand> Commands = DB.getCompileCommands(File);
  if (Commands.empty()) {
    Out.Failures.push_back({File, "not in the compilation database"});
    return Out;
  }
  ArgumentsAdjuster Adjust = combineAdjusters(
      combineAdjusters(getClangStripOutputAdjuster(), getClangStripDependencyFileAdjuster()),
      getClangSyntaxOnlyAdjuster());
  for (const CompileCommand &Cmd : Commands) {
    std::vector<std::string> Args = Adjust(Cmd.CommandLine, Cmd.Filename);
    // Warnings are the compiler's business: -w keeps a project's -Werror from failing a
    // translation unit on a warning that only clang gives.
    Args.insert(Args.begin() + 1, "-w");
    if (!Options.ResourceDir.empty() && !hasResourceDir(Args))
      Args.insert(Args.begin() + 1, "-resource-dir=" + Options.ResourceDir);
    // The key is the command exactly as clang gets it, so an entry stands for this parse.
    std::optional<FactsCache::Entry> Entry;
    if (Cache) {
      Entry = Cache->entry(Cmd.Filename, Cmd.Directory, Args);
      FactsCache::Lookup Hit = Cache->lookup(*Entry);
      if (Hit.Facts) {
        Out.Facts.push_back(std::move(*Hit.Facts));
        Out.Cached.push_back(File);
        continue;
      }
      if (!Hit.Note.empty()) Out.Notes.push_back(std::move(Hit.Note));
    }
    ++Out.Analyzed;
    // A file system of our own: the process-wide one would make every thread share (and
    // change) one working directory.
    llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> FS = llvm::vfs::createPhysicalFileSystem();
    FS->setCurrentWorkingDirectory(Cmd.Directory);
    llvm::IntrusiveRefCntPtr<FileManager> Files(new FileManager(FileSystemOptions(), FS));
    TUFacts Facts;
    FirstError Errors;
    ToolInvocation Invocation(Args, std::make_unique<FactsAction>(Rules, Facts), Files.get(),
                              std::make_shared<PCHContainerOperations>());
    Invocation.setDiagnosticConsumer(&Errors);
    bool Ok = Invocation.run();
    if (!Ok || Errors.getNumErrors() > 0) {
      Out.Failures.push_back({File, Errors.Message.empty() ? "the compiler failed" : Errors.Message});
      continue;  // not cached: its old entry, if any, goes in FactsCache::prune
    }
    if (Cache) Cache->store(*Entry, Facts);
    Out.Facts.push_back(std::move(Facts));
  }
  return Out;
}

// The status line on stderr, when the options ask for one and stderr is a terminal.
std::unique_ptr<ProgressLine> progressOnTerminal(const RunOptions &Options, size_t Units) {
  if (Options.Progress == ProgressMode::Never || !llvm::sys::Process::StandardErrIsDisplayed()) return nullptr;
  llvm::SmallString<256> Cwd;
  if (llvm::sys::fs::current_path(Cwd)) Cwd.clear();
  unsigned Columns = llvm::sys::Process::StandardErrColumns();
  // One column short of the width: a line that fills it would wrap on some terminals.
  return std::make_unique<ProgressLine>(llvm::errs(), static_cast<unsigned>(Units), std::string(Cwd),
                                        Columns > 1 ? Columns - 1 : 79);
}

}  // namespace

RunResult runTranslationUnits(const CompilationDatabase &DB, const std::vector<std::string> &Files,
                              const RuleSet &Rules, const RunOptions &Options) {
  std::optional<FactsCache> Cache;
  if (!Options.CacheDir.empty()) Cache.emplace(Options.CacheDir, Rules);
  std::vector<Outcome> Outcomes(Files.size());
  {
    std::unique_ptr<ProgressLine> Progress = progressOnTerminal(Options, Files.size());
    llvm::DefaultThreadPool Pool(llvm::hardware_concurrency(Options.Jobs));
    for (size_t I = 0; I < Files.size(); ++I)
      Pool.async([&, I] {
        if (Options.Cancel && Options.Cancel->load()) return;
        Outcomes[I] = runOne(DB, Files[I], Rules, Options, Cache ? &*Cache : nullptr);
        if (Progress) Progress->finished(Files[I]);
        if (Options.OnFinished) Options.OnFinished(Files[I]);
      });
    Pool.wait();
    if (Progress) Progress->finish();
  }
  RunResult Result;
  for (Outcome &O : Outcomes) {
    for (TUFacts &F : O.Facts) Result.Facts.push_back(std::move(F));
    for (TUFailure &F : O.Failures) Result.Failures.push_back(std::move(F));
    Result.Analyzed += O.Analyzed;
    Result.FromCache += static_cast<unsigned>(O.Cached.size());
    for (std::string &F : O.Cached) Result.CachedFiles.push_back(std::move(F));
    for (std::string &N : O.Notes) Result.Notes.push_back(std::move(N));
  }
  if (Cache) {
    if (std::string Failure = Cache->writeFailure(); !Failure.empty()) Result.Notes.push_back(std::move(Failure));
    // A run over the whole database may also drop the entries of files it no longer lists
    // (a fixed database lists none: then only this run's files are pruned).
    std::vector<std::string> All = DB.getAllFiles();
    std::set<std::string> Ran(Files.begin(), Files.end());
    bool Whole = !(Options.Cancel && Options.Cancel->load()) && !All.empty() &&
                 llvm::all_of(All, [&](const std::string &F) { return Ran.count(F) > 0; });
    Cache->prune(Whole);
  }
  return Result;
}

}  // namespace cyclops
