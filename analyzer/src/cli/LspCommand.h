// LspCommand.h - `cyclops lsp`: the language server (lsp/Server.h) on stdin and stdout.
//
// Standard output carries the protocol and nothing else: the server writes to a duplicate of
// it, and the process's own stdout is pointed at stderr, so that a stray print anywhere
// cannot corrupt the stream. Exit statuses: 0 after shutdown and exit; 1 after exit without
// shutdown, or at the end of the input; 2 when clang's resource directory cannot be found
// (one "cyclops: error: ..." line on stderr).
#pragma once

#include <string>

namespace cyclops {

struct LspOptions {
  std::string CompileCommandsDir;  // --compile-commands-dir
  std::string RulesFile;           // --rules
  std::string ResourceDir;         // --resource-dir; "" to find clang's
  unsigned Jobs = 0;               // -j; 0: one fewer than the cores
  const char *Argv0 = "";          // with MainAddr: where to look for clang's resource dir
  void *MainAddr = nullptr;
};

int runLsp(const LspOptions &Options);

}  // namespace cyclops
