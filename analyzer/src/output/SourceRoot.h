// SourceRoot.h - how reports name files: relative to the source root when under it.
//
// SARIF results and baseline files must name a file the same way on every machine that
// checks the project out (a CI clone lives in another folder than a developer's), so a file
// under the source root (`--source-root`, by default the current directory) is named by its
// path relative to that root; any other file keeps its absolute path.
#pragma once

#include <optional>
#include <string>

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace cyclops {

class SourceRoot {
 public:
  // `Dir` must be an existing directory; "" means the current directory.
  static llvm::Expected<SourceRoot> open(llvm::StringRef Dir);

  // The root as an absolute, normalized path without a trailing separator.
  const std::string &path() const { return Root; }

  // `File` (absolute) relative to the root with '/' separators, or nullopt when it is not
  // under the root. A symbolic link in the root's path is seen through.
  std::optional<std::string> relative(llvm::StringRef File) const;

  // The relative path when there is one, the absolute path otherwise.
  std::string display(llvm::StringRef File) const;

 private:
  std::string Root;      // as given, made absolute and normalized
  std::string RealRoot;  // with symbolic links resolved ("" when the same as Root)
};

// An RFC 3986 `file:` URI for an absolute path ("file:///a/b%20c.cpp"); with `Directory`,
// it ends with '/' as a base URI must.
std::string fileUri(llvm::StringRef AbsolutePath, bool Directory = false);

// A relative path as a URI reference: each segment percent-encoded, '/' kept.
std::string relativeUri(llvm::StringRef RelativePath);

}  // namespace cyclops
