// CommandRunner.cpp - runs a command with CYC_REPORT pointing at a fresh file.
#include "confirm/CommandRunner.h"

#include <csignal>
#include <cstring>
#include <optional>

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Program.h"

extern char **environ;

namespace cyclops::confirm {
namespace {

llvm::Error fail(const llvm::Twine &Message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), Message);
}

// llvm::sys::ExecuteAndWait reports a death by signal as -2 with strsignal()'s text (and
// " (core dumped)"): recover the number so the status reads as a shell's would.
int signalStatus(llvm::StringRef Description) {
#ifdef NSIG
  for (int S = 1; S < NSIG; ++S)
    if (const char *Name = strsignal(S);
        Name && Description.starts_with(Name) &&
        (Description.size() == std::strlen(Name) || Description[std::strlen(Name)] == ' '))
      return 128 + S;
#endif
  return 128;
}

}  // namespace

llvm::Expected<std::string> freshReportPath() {
  llvm::SmallString<128> Path;
  if (std::error_code EC = llvm::sys::fs::createTemporaryFile("cyclops-confirm", "jsonl", Path))
    return fail("cannot create a temporary file for the collector's report: " + EC.message());
  if (std::error_code EC = llvm::sys::fs::remove(Path))
    return fail("cannot prepare the collector's report '" + Path + "': " + EC.message());
  return std::string(Path);
}

llvm::Expected<CommandStatus> runWithReport(const std::vector<std::string> &Command, llvm::StringRef ReportPath) {
  if (Command.empty() || Command.front().empty()) return fail("no command to run");
  const std::string &Name = Command.front();
  llvm::ErrorOr<std::string> Program = llvm::sys::findProgramByName(Name);
  if (!Program) return fail("cannot run '" + Name + "': not found on PATH");
  if (!llvm::sys::fs::exists(*Program)) return fail("cannot run '" + Name + "': no such file");
  if (llvm::sys::fs::is_directory(*Program)) return fail("cannot run '" + Name + "': it is a directory");
  if (!llvm::sys::fs::can_execute(*Program)) return fail("cannot run '" + Name + "': not executable");

  std::vector<std::string> Env;
  for (char **E = environ; E && *E; ++E)
    if (!llvm::StringRef(*E).starts_with("CYC_REPORT=")) Env.push_back(*E);
  Env.push_back(("CYC_REPORT=" + ReportPath).str());
  std::vector<llvm::StringRef> EnvRefs(Env.begin(), Env.end());
  std::vector<llvm::StringRef> Args(Command.begin(), Command.end());

  std::string Error;
  bool ExecutionFailed = false;
  int RC = llvm::sys::ExecuteAndWait(*Program, Args, llvm::ArrayRef<llvm::StringRef>(EnvRefs), /*Redirects=*/{},
                                     /*SecondsToWait=*/0, /*MemoryLimit=*/0, &Error, &ExecutionFailed);
  if (ExecutionFailed) return fail("cannot run '" + Name + "': " + (Error.empty() ? "failed to start" : Error));
  CommandStatus Status;
  if (RC == -2) {
    Status.Signal = Error.empty() ? "killed by a signal" : Error;
    Status.ExitStatus = signalStatus(Error);
  } else if (RC < 0) {
    return fail("lost track of '" + Name + "': " + (Error.empty() ? "waiting for it failed" : Error));
  } else {
    Status.ExitStatus = RC;
  }
  return Status;
}

}  // namespace cyclops::confirm
