// CompilationDb.cpp - loading compile_commands.json and choosing the translation units.
#include "extract/CompilationDb.h"

#include <algorithm>
#include <set>

#include "clang/Driver/Driver.h"
#include "clang/Driver/Options.h"
#include "clang/Tooling/ArgumentsAdjusters.h"
#include "clang/Tooling/CommonOptionsParser.h"
#include "clang/Tooling/CompilationDatabase.h"
#include "clang/Tooling/JSONCompilationDatabase.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Option/ArgList.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "io/InputLimits.h"

namespace cyclops {

using clang::tooling::CommandLineArguments;
using clang::tooling::CompilationDatabase;

namespace {

llvm::Error fail(const llvm::Twine &Message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), Message.str());
}

std::string absolute(llvm::StringRef Path) {
  llvm::SmallString<256> P(Path);
  llvm::sys::fs::make_absolute(P);
  llvm::sys::path::remove_dots(P, /*remove_dot_dot=*/true);
  return std::string(P);
}

// The command without the arguments clang does not know.
CommandLineArguments dropUnknownArguments(const CommandLineArguments &Args, llvm::StringRef /*File*/) {
  std::vector<size_t> Unknown = unknownArguments(Args);
  if (Unknown.empty()) return Args;
  CommandLineArguments Kept;
  for (size_t I = 0, U = 0; I < Args.size(); ++I) {
    if (U < Unknown.size() && Unknown[U] == I) ++U;
    else Kept.push_back(Args[I]);
  }
  return Kept;
}

std::unique_ptr<CompilationDatabase> adjust(std::unique_ptr<CompilationDatabase> DB, const ExtraArguments &Extra) {
  using namespace clang::tooling;
  auto Adjusting = std::make_unique<ArgumentsAdjustingCompilations>(std::move(DB));
  Adjusting->appendArgumentsAdjuster(dropUnknownArguments);
  if (!Extra.Before.empty())
    Adjusting->appendArgumentsAdjuster(getInsertArgumentAdjuster(Extra.Before, ArgumentInsertPosition::BEGIN));
  if (!Extra.After.empty())
    Adjusting->appendArgumentsAdjuster(getInsertArgumentAdjuster(Extra.After, ArgumentInsertPosition::END));
  return Adjusting;
}

// "the command of 'listed.cpp'" from clang's "inferred from listed.cpp".
std::string inferredFrom(const clang::tooling::CompileCommand &Command) {
  llvm::StringRef H = Command.Heuristic;
  if (H.consume_front("inferred from ")) return "the command of '" + H.str() + "'";
  return "a command " + H.str();
}

}  // namespace

std::vector<size_t> unknownArguments(llvm::ArrayRef<std::string> CommandLine) {
  if (CommandLine.size() < 2) return {};
  std::vector<const char *> Argv;
  for (const std::string &A : CommandLine.drop_front()) Argv.push_back(A.c_str());
  namespace options = clang::driver::options;
  bool ClangCl = clang::driver::IsClangCL(clang::driver::getDriverMode(CommandLine.front(), Argv));
  unsigned MissingIndex = 0, MissingCount = 0;
  llvm::opt::InputArgList Parsed = clang::driver::getDriverOptTable().ParseArgs(
      Argv, MissingIndex, MissingCount, llvm::opt::Visibility(ClangCl ? options::CLOption : options::ClangOption));
  std::vector<size_t> Unknown;
  for (const llvm::opt::Arg *A : Parsed.filtered(options::OPT_UNKNOWN)) Unknown.push_back(A->getIndex() + 1);
  std::sort(Unknown.begin(), Unknown.end());
  return Unknown;
}

ProjectDatabase::ProjectDatabase(std::unique_ptr<CompilationDatabase> Listed, const ExtraArguments &Extra,
                                 bool InferMissing) {
  if (InferMissing) Listed = clang::tooling::inferMissingCompileCommands(std::move(Listed));
  Unadjusted = Listed.get();
  Adjusted = adjust(std::move(Listed), Extra);
}

ProjectDatabase::~ProjectDatabase() = default;
ProjectDatabase::ProjectDatabase(ProjectDatabase &&) noexcept = default;
ProjectDatabase &ProjectDatabase::operator=(ProjectDatabase &&) noexcept = default;

std::string ProjectDatabase::droppedArgumentsNote(llvm::ArrayRef<std::string> Files) const {
  std::set<std::string> Names;
  size_t Commands = 0;
  for (const std::string &F : Files)
    for (const clang::tooling::CompileCommand &C : Unadjusted->getCompileCommands(F)) {
      std::vector<size_t> Unknown = unknownArguments(C.CommandLine);
      for (size_t I : Unknown) Names.insert(C.CommandLine[I]);
      Commands += !Unknown.empty();
    }
  if (Names.empty()) return "";
  return "ignored arguments clang does not know: " + llvm::join(Names, ", ") + " (from " +
         std::to_string(Commands) + " command" + (Commands == 1 ? "" : "s") + ")";
}

llvm::Expected<ProjectDatabase> openProjectDatabase(llvm::StringRef BuildDir, const ExtraArguments &Extra,
                                                    bool InferMissing) {
  llvm::Expected<std::unique_ptr<CompilationDatabase>> Listed = loadCompilationDatabase(BuildDir);
  if (!Listed) return Listed.takeError();
  return ProjectDatabase(std::move(*Listed), Extra, InferMissing);
}

llvm::Expected<std::unique_ptr<CompilationDatabase>> loadCompilationDatabase(llvm::StringRef BuildDir) {
  std::string Path = BuildDir.str();
  if (llvm::sys::fs::is_directory(Path)) {
    llvm::SmallString<256> P(Path);
    llvm::sys::path::append(P, "compile_commands.json");
    Path = std::string(P);
  } else if (!llvm::sys::fs::exists(Path)) {
    return fail("build directory '" + BuildDir + "' does not exist");
  }
  auto Buffer = llvm::MemoryBuffer::getFile(Path, /*IsText=*/true);
  if (!Buffer) {
    if (Buffer.getError() == std::errc::no_such_file_or_directory)
      return fail("no compile_commands.json in '" + BuildDir +
                  "' (configure the project with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)");
    return fail("cannot read '" + Path + "': " + Buffer.getError().message());
  }
  // Check the JSON first: LLVM's parser says where it broke.
  llvm::Expected<llvm::json::Value> Json = parseJson((*Buffer)->getBuffer());
  if (!Json) return fail("'" + Path + "' is malformed: " + llvm::toString(Json.takeError()));
  if (!Json->getAsArray()) return fail("'" + Path + "' is malformed: expected an array of compile commands");
  if (Json->getAsArray()->empty()) return fail("'" + Path + "' lists no translation units");
  std::string Error;
  auto DB = clang::tooling::JSONCompilationDatabase::loadFromBuffer(
      (*Buffer)->getBuffer(), Error, clang::tooling::JSONCommandLineSyntax::AutoDetect);
  if (!DB) return fail("'" + Path + "' is malformed: " + Error);
  return std::unique_ptr<CompilationDatabase>(std::move(DB));
}

std::unique_ptr<CompilationDatabase> makeFixedDatabase(llvm::StringRef Directory,
                                                       llvm::ArrayRef<std::string> Args) {
  std::vector<std::string> CommandLine(Args.begin(), Args.end());
  return std::make_unique<clang::tooling::FixedCompilationDatabase>(Directory, CommandLine);
}

FileSelection selectFiles(const CompilationDatabase &DB, llvm::ArrayRef<std::string> Requested) {
  FileSelection Out;
  std::set<std::string> Seen;
  if (Requested.empty()) {
    for (const std::string &F : DB.getAllFiles())
      if (Seen.insert(F).second) Out.Files.push_back(F);
    std::sort(Out.Files.begin(), Out.Files.end());  // the database's order is a hash map's
    return Out;
  }
  for (const std::string &R : Requested) {
    std::string F = absolute(R);
    if (!llvm::sys::fs::exists(F)) {
      Out.Errors.push_back({R, "'" + R + "': no such file"});
      continue;
    }
    std::vector<clang::tooling::CompileCommand> Commands = DB.getCompileCommands(F);
    if (Commands.empty()) {
      Out.Errors.push_back({R, "'" + R + "' is not in the compilation database"});
      continue;
    }
    if (!Seen.insert(F).second) continue;
    Out.Files.push_back(F);
    if (!Commands.front().Heuristic.empty())
      Out.Notes.push_back("'" + R + "' is not in the compilation database: parsed with " +
                          inferredFrom(Commands.front()));
  }
  return Out;
}

}  // namespace cyclops
