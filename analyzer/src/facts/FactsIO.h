// FactsIO.h - one translation unit's facts as a file: the facts cache, `cyclops facts`,
// `cyclops check --facts=DIR` and the IDE front ends (clang-tidy, -fplugin) share it.
//
// A facts file is two lines. The first is a small JSON header:
//
//   {"format":"cyclops-facts","version":2,"key":"...","bytes":N,"xxh3":"..."}
//
// `key` is what its writer computed the facts from (the cache stores a hash of the command
// line and rules there; an empty key means "not from the cache"). `bytes` and `xxh3` are the
// length and hash of the second line, the facts as JSON, so that a truncated or damaged file
// is rejected before it is parsed. Positions are [file index, line, column] into a file table.
// Version 2 added function summaries and capture facts (CodeFacts.h); a body without their
// arrays has none.
//
// Files are written to a temporary name in the same directory and renamed into place
// (OutputFile.h), so a reader (another cyclops, an editor running clang-tidy) never sees half a
// file; a path that exists and is not a regular file is refused.
#pragma once

#include <string>
#include <vector>

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include "facts/TUFacts.h"

namespace cyclops {

// Bumped whenever the meaning or the layout of the facts changes: files of another version
// are rejected (and, in the cache, rebuilt).
inline constexpr int FactsFormatVersion = 3;

// The file name extension of facts files.
inline constexpr const char FactsExtension[] = ".facts";

struct FactsFile {
  std::string Key;
  TUFacts Facts;
};

// The whole file's text, and its parse. Errors name what is wrong ("not a cyclops facts
// file", "checksum mismatch", "version 3, expected 1", a JSON error with its offset).
std::string serializeFacts(const TUFacts &Facts, llvm::StringRef Key);
llvm::Expected<FactsFile> parseFacts(llvm::StringRef Text);

// Writes atomically (temporary file, then rename); creates missing parent directories. Errors
// are one line: "cannot write 'PATH': REASON".
llvm::Error writeFactsFile(llvm::StringRef Path, const TUFacts &Facts, llvm::StringRef Key);
// Errors are prefixed with the path.
llvm::Expected<FactsFile> readFactsFile(llvm::StringRef Path);

// Every `*.facts` file under Dir (recursively), sorted by path.
llvm::Expected<std::vector<std::string>> listFactsFiles(llvm::StringRef Dir);

// The content hash recorded in InputFile::Hash.
std::uint64_t hashContent(llvm::StringRef Content);

}  // namespace cyclops
