// LspCommand.cpp - `cyclops lsp`: the protocol on a private copy of stdout.
#include "cli/LspCommand.h"

#include <cstdio>
#include <unistd.h>

#include "llvm/Support/raw_ostream.h"

#include "cli/CheckCommand.h"
#include "extract/ResourceDir.h"
#include "lsp/Server.h"

namespace cyclops {

int runLsp(const LspOptions &O) {
  llvm::Expected<std::string> ResourceDir = findResourceDir(O.ResourceDir, O.Argv0, O.MainAddr);
  if (!ResourceDir) {
    reportError(llvm::toString(ResourceDir.takeError()));
    return ExitError;
  }
  llvm::outs().flush();
  int Protocol = ::dup(STDOUT_FILENO);
  if (Protocol < 0 || ::dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
    reportError("cannot set up standard output for the protocol");
    return ExitError;
  }
  llvm::raw_fd_ostream Out(Protocol, /*shouldClose=*/true, /*unbuffered=*/false);
  return lsp::runServer(stdin, Out, llvm::errs(),
                        lsp::ServerOptions{O.CompileCommandsDir, O.RulesFile, *ResourceDir, O.Jobs});
}

}  // namespace cyclops
