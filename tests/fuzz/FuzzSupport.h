// FuzzSupport.h - what the fuzz targets share: the input as text, and a scratch file for the
// parsers that read a path rather than a buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace cyclops::fuzz {

inline llvm::StringRef asText(const uint8_t *Data, size_t Size) {
  return llvm::StringRef(reinterpret_cast<const char *>(Data), Size);
}

// An error is a parser's answer to a bad input, not a failure of the target.
template <typename T> bool succeeded(llvm::Expected<T> &Result) {
  if (Result) return true;
  llvm::consumeError(Result.takeError());
  return false;
}

// Stops the run: libFuzzer records the input as a crash. For properties the parsers promise.
[[noreturn]] inline void violated(const char *What) {
  llvm::errs() << "fuzz property violated: " << What << "\n";
  std::abort();
}

// One file, named `Name`, in a directory of its own under the system's temporary directory;
// each write replaces its content. Removed when the process ends normally.
class ScratchFile {
 public:
  explicit ScratchFile(llvm::StringRef Name) {
    if (llvm::sys::fs::createUniqueDirectory("cyclops-fuzz", Dir)) violated("cannot create a scratch directory");
    Path = Dir;
    llvm::sys::path::append(Path, Name);
  }
  ~ScratchFile() {
    llvm::sys::fs::remove(Path);
    llvm::sys::fs::remove(Dir);
  }
  ScratchFile(const ScratchFile &) = delete;
  ScratchFile &operator=(const ScratchFile &) = delete;

  // Replaces the content with `Text`; returns the file's path.
  llvm::StringRef write(llvm::StringRef Text) {
    std::error_code EC;
    llvm::raw_fd_ostream OS(Path, EC);
    if (EC) violated("cannot write the scratch file");
    OS << Text;
    OS.close();
    if (OS.has_error()) violated("cannot write the scratch file");
    return Path;
  }

 private:
  llvm::SmallString<128> Dir;
  llvm::SmallString<128> Path;
};

}  // namespace cyclops::fuzz
