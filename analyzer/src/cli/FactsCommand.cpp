// FactsCommand.cpp - `cyclops facts`: one translation unit to a facts file and a depfile; and
// the facts directory that `cyclops check --facts=DIR` merges.
#include "cli/FactsCommand.h"

#include <algorithm>
#include <map>
#include <optional>

#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/raw_ostream.h"

#include "extract/Runner.h"
#include "facts/FactsIO.h"
#include "io/OutputFile.h"

namespace cyclops {

namespace {

llvm::Error fail(const llvm::Twine &Message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), Message.str());
}

// The database as it is, except that a file gets its first compile command only: one facts
// file holds one translation unit.
class FirstCommandDatabase : public clang::tooling::CompilationDatabase {
 public:
  explicit FirstCommandDatabase(const CompilationDatabase &B) : Base(B) {}
  std::vector<clang::tooling::CompileCommand> getCompileCommands(llvm::StringRef File) const override {
    std::vector<clang::tooling::CompileCommand> Commands = Base.getCompileCommands(File);
    if (Commands.size() > 1) Commands.resize(1);
    return Commands;
  }
  std::vector<std::string> getAllFiles() const override { return Base.getAllFiles(); }

 private:
  const CompilationDatabase &Base;
};

std::string absolute(llvm::StringRef Path) {
  llvm::SmallString<256> P(Path);
  llvm::sys::fs::make_absolute(P);
  llvm::sys::path::remove_dots(P, /*remove_dot_dot=*/true);
  return std::string(P);
}

// A depfile is a build's state: replaced whole by a rename (OutputFile.h).
llvm::Error writeText(llvm::StringRef Path, llvm::StringRef Text) {
  if (llvm::Error E = createParentDirectories(Path)) return E;
  return writeOutputFile(Path, NonRegularFile::Refuse, [&](llvm::raw_ostream &OS) { OS << Text; });
}

// Make's escapes. A backslash is left as it is: Make and Ninja read it literally unless a
// space or '#' follows, which a path rarely has.
std::string escapeMake(llvm::StringRef Path) {
  std::string Out;
  for (char C : Path) {
    if (C == ' ' || C == '#') Out += '\\';
    if (C == '$') Out += '$';
    Out += C;
  }
  return Out;
}

}  // namespace

std::string makeDepfile(llvm::StringRef Target, llvm::ArrayRef<std::string> Deps) {
  std::string Out = escapeMake(Target) + ":";
  for (const std::string &D : Deps) Out += " \\\n  " + escapeMake(D);
  return Out + "\n";
}

std::string rulesKey(const RuleSet &Rules) {
  return "rules=" + llvm::utohexstr(hashContent(rulesFingerprint(Rules)), /*LowerCase=*/true, 16);
}

llvm::Error runFactsCommand(const FactsCommandOptions &Options, const RuleSet &Rules,
                            std::vector<std::string> &Notes) {
  if (Options.File.empty()) return fail("no file: use cyclops facts -p BUILD_DIR FILE -o OUT.facts");
  if (Options.Output.empty()) return fail("no output file: use -o OUT.facts");
  // A file the database does not list (a header, a test) gets the command of the nearest one.
  llvm::Expected<ProjectDatabase> DB = openProjectDatabase(Options.BuildDir, Options.Extra, /*InferMissing=*/true);
  if (!DB) return DB.takeError();
  FileSelection Selection = selectFiles(DB->commands(), {Options.File});
  if (!Selection.Errors.empty()) return fail(Selection.Errors.front().Message);
  Notes.insert(Notes.end(), Selection.Notes.begin(), Selection.Notes.end());
  const std::string &File = Selection.Files.front();
  if (size_t N = DB->commands().getCompileCommands(File).size(); N > 1)
    Notes.push_back("'" + Options.File + "' has " + std::to_string(N) +
                    " compile commands; its facts are from the first");
  if (std::string Dropped = DB->droppedArgumentsNote({File}); !Dropped.empty()) Notes.push_back(Dropped);

  FirstCommandDatabase First(DB->commands());
  RunOptions Run1;
  Run1.Jobs = 1;
  Run1.ResourceDir = Options.ResourceDir;
  RunResult Run = runTranslationUnits(First, {File}, Rules, Run1);
  if (!Run.Failures.empty()) return fail(Run.Failures.front().File + ": does not compile: " + Run.Failures.front().Reason);
  if (Run.Facts.size() != 1) return fail("'" + Options.File + "': no facts were extracted");
  const TUFacts &Facts = Run.Facts.front();

  if (llvm::Error E = writeFactsFile(Options.Output, Facts, rulesKey(Rules))) return E;
  if (Options.DepFile.empty()) return llvm::Error::success();
  std::vector<std::string> Deps;
  for (const InputFile &In : Facts.Inputs) Deps.push_back(In.Path);
  if (!Options.RulesFile.empty()) Deps.push_back(absolute(Options.RulesFile));
  return writeText(Options.DepFile, makeDepfile(Options.Output, Deps));
}

llvm::Expected<LoadedFacts> loadFactsDir(llvm::StringRef Dir, llvm::ArrayRef<std::string> Requested,
                                         const RuleSet &Rules, unsigned Jobs) {
  llvm::Expected<std::vector<std::string>> Paths = listFactsFiles(Dir);
  if (!Paths) return Paths.takeError();
  if (Paths->empty()) return fail("no facts files (*" + llvm::Twine(FactsExtension) + ") under '" + Dir + "'");

  // Parsing JSON is most of the time a merge takes: in parallel, then in path order.
  struct Read {
    std::optional<FactsFile> File;
    std::string Error;
  };
  std::vector<Read> Files(Paths->size());
  {
    llvm::DefaultThreadPool Pool(llvm::hardware_concurrency(Jobs));
    for (size_t I = 0; I < Paths->size(); ++I)
      Pool.async([&, I] {
        llvm::Expected<FactsFile> F = readFactsFile((*Paths)[I]);
        if (F) Files[I].File = std::move(*F);
        else Files[I].Error = llvm::toString(F.takeError());
      });
    Pool.wait();
  }

  const std::string Key = rulesKey(Rules);
  std::map<std::string, size_t> ByMain;  // main file -> index into Files
  for (size_t I = 0; I < Files.size(); ++I) {
    const std::string &Path = (*Paths)[I];
    if (!Files[I].File) return fail(Files[I].Error);
    // Files from other writers (the cache, the IDE front ends) carry other keys.
    llvm::StringRef FileKey = Files[I].File->Key;
    if (FileKey.starts_with("rules=") && FileKey != Key)
      return fail(Path +
                  ": written with other rules than this check's (give cyclops facts and cyclops check the same "
                  "--rules)");
    const std::string &Main = Files[I].File->Facts.MainFile;
    auto [It, New] = ByMain.try_emplace(Main, I);
    if (New) continue;
    const std::string &Other = (*Paths)[It->second];
    if (serializeFacts(Files[It->second].File->Facts, "") != serializeFacts(Files[I].File->Facts, ""))
      return fail("'" + Other + "' and '" + Path + "' hold different facts for '" + Main +
                  "' (a stale file, or two builds in one directory? remove one)");
    Files[I].File.reset();  // the same translation unit twice: merged once
  }

  LoadedFacts Out;
  std::map<std::string, size_t> Chosen = ByMain;
  if (!Requested.empty()) {
    Chosen.clear();
    for (const std::string &R : Requested) {
      std::string Main = absolute(R);
      auto It = ByMain.find(Main);
      if (It == ByMain.end()) Out.Selection.Errors.push_back({R, "'" + R + "' has no facts under '" + Dir.str() + "'"});
      else Chosen.insert(*It);
    }
  }
  // std::map: by main file.
  for (auto &[Main, I] : Chosen) {
    Out.Selection.Files.push_back(Main);
    Out.Facts.push_back(std::move(Files[I].File->Facts));
  }
  return Out;
}

}  // namespace cyclops
