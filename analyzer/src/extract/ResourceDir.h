// ResourceDir.h - where clang's builtin headers (stddef.h, stdarg.h, ...) are.
//
// A LibTooling tool parses with the compiler's builtin headers, which live in clang's
// resource directory and must match the Clang version the tool links (19). clang derives it
// from its own executable's path, which for `cyclops` (built anywhere, installed anywhere) is
// wrong. So every compile command that does not name one gets `-resource-dir=` from here.
#pragma once

#include <string>

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace cyclops {

// A directory with include/stddef.h?
bool isResourceDir(llvm::StringRef Dir);

// In order: `Override` (the --resource-dir option), $CYCLOPS_RESOURCE_DIR, the directory
// found when cyclops was configured, lib/clang/<major> beside the executable, and
// `clang-<major> -print-resource-dir` from PATH. An override that is not a resource directory
// is an error, as is finding none.
llvm::Expected<std::string> findResourceDir(llvm::StringRef Override, const char *Argv0,
                                            void *MainAddr);

}  // namespace cyclops
