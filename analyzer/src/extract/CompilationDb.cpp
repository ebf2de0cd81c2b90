// CompilationDb.cpp - loading compile_commands.json and choosing the translation units.
#include "extract/CompilationDb.h"

#include <algorithm>
#include <set>

#include "clang/Tooling/CompilationDatabase.h"
#include "clang/Tooling/JSONCompilationDatabase.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "io/InputLimits.h"

namespace cyclops {

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

}  // namespace

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
      Out.Errors.push_back("'" + R + "': no such file");
      continue;
    }
    if (DB.getCompileCommands(F).empty()) {
      Out.Errors.push_back("'" + R + "' is not in the compilation database");
      continue;
    }
    if (Seen.insert(F).second) Out.Files.push_back(F);
  }
  return Out;
}

}  // namespace cyclops
