// CliRunner.cpp - runs cyclops as a child process with llvm::sys::ExecuteAndWait.
#include "CliRunner.h"

#include <gtest/gtest.h>

#include <optional>

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

extern char **environ;

namespace cyclops::test {

CliResult cyclops(const std::vector<std::string> &Args, const std::vector<std::string> &Env) {
  llvm::SmallString<128> OutFile, ErrFile;
  EXPECT_FALSE(llvm::sys::fs::createTemporaryFile("cyclops-out", "txt", OutFile));
  EXPECT_FALSE(llvm::sys::fs::createTemporaryFile("cyclops-err", "txt", ErrFile));
  std::vector<llvm::StringRef> Argv{CYCLOPS_BINARY};
  for (const std::string &A : Args) Argv.push_back(A);
  std::vector<std::string> EnvStrings;
  std::vector<llvm::StringRef> EnvRefs;
  std::optional<llvm::ArrayRef<llvm::StringRef>> EnvArg;
  if (!Env.empty()) {
    for (char **E = environ; *E; ++E) EnvStrings.push_back(*E);
    EnvStrings.insert(EnvStrings.end(), Env.begin(), Env.end());
    for (const std::string &S : EnvStrings) EnvRefs.push_back(S);
    EnvArg = EnvRefs;
  }
  std::optional<llvm::StringRef> Redirects[] = {std::nullopt, llvm::StringRef(OutFile), llvm::StringRef(ErrFile)};
  std::string Error;
  CliResult R;
  R.Exit = llvm::sys::ExecuteAndWait(CYCLOPS_BINARY, Argv, EnvArg, Redirects, /*SecondsToWait=*/300, 0, &Error);
  EXPECT_TRUE(Error.empty()) << Error;
  R.Out = slurp(OutFile);
  R.Err = slurp(ErrFile);
  llvm::sys::fs::remove(OutFile);
  llvm::sys::fs::remove(ErrFile);
  return R;
}

std::string slurp(llvm::StringRef Path) {
  auto B = llvm::MemoryBuffer::getFile(Path, /*IsText=*/false);
  return B ? (*B)->getBuffer().str() : std::string();
}

void spit(llvm::StringRef Path, llvm::StringRef Text) {
  std::error_code EC;
  llvm::raw_fd_ostream OS(Path, EC);
  ASSERT_FALSE(EC) << Path.str() << ": " << EC.message();
  OS << Text;
}

std::vector<std::string> lines(llvm::StringRef Text) {
  llvm::SmallVector<llvm::StringRef> Parts;
  Text.split(Parts, '\n', -1, /*KeepEmpty=*/false);
  return {Parts.begin(), Parts.end()};
}

std::vector<std::string> errorLines(const CliResult &R) {
  std::vector<std::string> E;
  for (const std::string &L : lines(R.Err))
    if (llvm::StringRef(L).starts_with("cyclops: error: ")) E.push_back(L);
  return E;
}

}  // namespace cyclops::test
