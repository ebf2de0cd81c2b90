// Progress.h - "[12/66] src/Connector.cc" on a terminal while translation units are parsed.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

namespace cyclops {

// "[Done/Total] File", cut to at most Width characters (Width 0: no limit) by eliding the
// front of File with "..." so that its end, the file name, stays. `File` is shown relative to
// `Cwd` when it lies under it.
std::string progressLine(unsigned Done, unsigned Total, llvm::StringRef File, llvm::StringRef Cwd, size_t Width);

// One status line, rewritten in place ("\r", then spaces over what is left of the previous
// line) as each translation unit finishes, and erased by finish(): what follows on the
// terminal starts on a clean line. Thread-safe: the runner's threads call finished() at once.
class ProgressLine {
 public:
  // Writes to OS, lines cut to Width columns (0: no limit); Cwd as progressLine takes it.
  ProgressLine(llvm::raw_ostream &OS, unsigned Total, std::string Cwd, size_t Width);
  // One more unit is done (compiled, failed or from the cache): shows "[N/Total] File".
  void finished(llvm::StringRef File);
  // Erases the line. Idempotent.
  void finish();

 private:
  void show(const std::string &Line);

  std::mutex Mutex;
  llvm::raw_ostream &OS;
  unsigned Total;
  unsigned Done = 0;
  std::string Cwd;
  size_t Width;
  size_t Shown = 0;  // characters on the line now
};

}  // namespace cyclops
