// Server.h - `cyclops lsp`: a language server (LSP 3.17, JSON-RPC 2.0 over Content-Length
// framing) that publishes cyclops's findings for the files an editor opens, beside clangd.
//
// What it does:
//   * initialize: finds the project (Project.h) from the options, else initializationOptions,
//     else the workspace root; a project that cannot be opened is one window/showMessage error
//     and the server answers on, analyzing nothing.
//   * initialized: indexes the whole project on a thread of its own (the facts cache first;
//     missing or stale entries are parsed and stored), with work-done $/progress when the
//     client supports it, then analyzes the open files again, now with every other file's facts.
//   * didOpen, didSave: analyze that file on the analysis thread and publish its diagnostics
//     (Protocol.h); a newer open or save of the same file makes a run in progress stale, and
//     its result is dropped. didClose clears the file's diagnostics.
//   * codeAction: the fix-its of the published findings whose range meets the request's, as
//     quickfix actions.
//   * shutdown, then exit: exit status 0; exit without shutdown, or the end of the input: 1.
// A message that cannot be framed or parsed gets a JSON-RPC error (id null) and the server
// reads on; an unknown request gets MethodNotFound; an unknown notification is ignored.
//
// Only protocol is written to Out; logs go to Log (stderr). Threading: the caller's thread
// reads and dispatches; one analysis thread and one index thread run beside it.
#pragma once

#include <cstdio>
#include <string>

#include "llvm/Support/raw_ostream.h"

namespace cyclops::lsp {

struct ServerOptions {
  std::string CompileCommandsDir;  // --compile-commands-dir; "" for initializationOptions or the root's
  std::string RulesFile;           // --rules; "" for initializationOptions or the defaults
  std::string ResourceDir;         // clang's builtin headers
  unsigned Jobs = 0;               // translation units indexed at once; 0: one fewer than the cores
};

// Serves until exit or the end of In; returns the exit status.
int runServer(std::FILE *In, llvm::raw_ostream &Out, llvm::raw_ostream &Log, const ServerOptions &Options);

}  // namespace cyclops::lsp
