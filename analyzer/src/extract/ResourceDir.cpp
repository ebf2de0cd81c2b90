// ResourceDir.cpp - finding clang's resource directory for the linked Clang version.
#include "extract/ResourceDir.h"

#include <cstdlib>
#include <optional>

#include "llvm/ADT/SmallString.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#ifndef CYCLOPS_CLANG_RESOURCE_DIR
#define CYCLOPS_CLANG_RESOURCE_DIR ""
#endif

namespace cyclops {

bool isResourceDir(llvm::StringRef Dir) {
  if (Dir.empty()) return false;
  llvm::SmallString<256> P(Dir);
  llvm::sys::path::append(P, "include", "stddef.h");
  return llvm::sys::fs::exists(P);
}

namespace {

std::string major() { return std::to_string(LLVM_VERSION_MAJOR); }

// lib/clang/<major> next to the executable's bin/ (an install beside clang itself).
std::optional<std::string> besideExecutable(const char *Argv0, void *MainAddr) {
  std::string Exe = llvm::sys::fs::getMainExecutable(Argv0, MainAddr);
  if (Exe.empty()) return std::nullopt;
  llvm::SmallString<256> P(llvm::sys::path::parent_path(llvm::sys::path::parent_path(Exe)));
  llvm::sys::path::append(P, "lib", "clang", major());
  if (isResourceDir(P)) return std::string(P);
  return std::nullopt;
}

// Asks the matching clang driver on PATH.
std::optional<std::string> fromClangOnPath() {
  for (std::string Name : {"clang-" + major(), std::string("clang")}) {
    llvm::ErrorOr<std::string> Clang = llvm::sys::findProgramByName(Name);
    if (!Clang) continue;
    llvm::SmallString<128> Out;
    if (llvm::sys::fs::createTemporaryFile("cyclops-resource-dir", "txt", Out)) continue;
    llvm::FileRemover Remove(Out);
    std::optional<llvm::StringRef> Redirects[] = {std::nullopt, llvm::StringRef(Out), std::nullopt};
    llvm::StringRef Args[] = {*Clang, "-print-resource-dir"};
    if (llvm::sys::ExecuteAndWait(*Clang, Args, std::nullopt, Redirects, /*SecondsToWait=*/30) != 0)
      continue;
    auto Buf = llvm::MemoryBuffer::getFile(Out);
    if (!Buf) continue;
    std::string Dir = (*Buf)->getBuffer().trim().str();
    // Builtin headers of another Clang version do not fit the parser we link.
    if (llvm::sys::path::filename(Dir) == major() && isResourceDir(Dir)) return Dir;
  }
  return std::nullopt;
}

}  // namespace

llvm::Expected<std::string> findResourceDir(llvm::StringRef Override, const char *Argv0,
                                            void *MainAddr) {
  auto Bad = [](llvm::StringRef Dir, llvm::StringRef From) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "%s '%s' is not a clang resource directory (no include/stddef.h)",
                                   From.str().c_str(), Dir.str().c_str());
  };
  if (!Override.empty()) {
    if (!isResourceDir(Override)) return Bad(Override, "--resource-dir");
    return Override.str();
  }
  if (const char *Env = std::getenv("CYCLOPS_RESOURCE_DIR"); Env && *Env) {
    if (!isResourceDir(Env)) return Bad(Env, "CYCLOPS_RESOURCE_DIR");
    return std::string(Env);
  }
  if (isResourceDir(CYCLOPS_CLANG_RESOURCE_DIR)) return std::string(CYCLOPS_CLANG_RESOURCE_DIR);
  if (auto Dir = besideExecutable(Argv0, MainAddr)) return *Dir;
  if (auto Dir = fromClangOnPath()) return *Dir;
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      "cannot find clang %s's resource directory (its builtin headers); install clang-%s or "
      "set CYCLOPS_RESOURCE_DIR to the output of `clang-%s -print-resource-dir`",
      major().c_str(), major().c_str(), major().c_str());
}

}  // namespace cyclops
