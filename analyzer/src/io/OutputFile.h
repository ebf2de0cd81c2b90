// OutputFile.h - every file cyclops writes: reports (`check -o`, `confirm --report` and
// `--html`) and state files that cyclops or a build reads back (baselines, facts files and
// their depfiles, facts cache entries).
//
// A file is written to a temporary file in its directory and renamed over its path once it is
// complete, so that no reader (CI, a build, another cyclops, an editor) ever sees half of one
// and a failed write leaves the old file as it was. A symbolic link to a regular file is
// followed: its target is replaced, the link stays. A path that exists and is not a regular
// file (a device, a FIFO, /dev/stdout on a pipe) must not be replaced by a rename: state
// files refuse it, reports are written straight into it. Either way every write is checked,
// and a failed one is an error naming the file and the reason (an unchecked raw_fd_ostream
// would abort the process with "IO failure on output stream").
#pragma once

#include <memory>
#include <string>

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace cyclops {

// What to do with a path that exists and is not a regular file (or a link to one).
enum class NonRegularFile {
  Refuse,     // an error naming it: state files are replaced by a rename or not at all
  WriteInto,  // write straight into it, without a rename: `-o /dev/stdout`, a FIFO
};

class OutputFile {
 public:
  // Prepares Path for writing: creates the temporary file beside it, or opens the device or
  // FIFO it names. Errors are one line, "cannot write KIND 'PATH': REASON", where KIND names
  // what the file is ("baseline") or is left out.
  static llvm::Expected<OutputFile> open(llvm::StringRef Path, NonRegularFile NonRegular,
                                         llvm::StringRef Kind = "");

  OutputFile(OutputFile &&) = default;
  OutputFile &operator=(OutputFile &&) = default;
  ~OutputFile();  // discards a file neither committed nor discarded

  llvm::raw_fd_ostream &os() { return *Stream; }

  // Completes the file: checks every write, then renames the temporary file over the path.
  // After an error nothing was replaced and the temporary file is gone.
  llvm::Error commit();
  // Abandons the file: the temporary file is removed and the path left as it was (what was
  // written straight into a device or FIFO is gone already).
  void discard();

 private:
  OutputFile(llvm::StringRef P, llvm::StringRef K) : Path(P.str()), Kind(K.str()) {}
  llvm::Error cannotWrite(const llvm::Twine &Reason) const;
  llvm::Error openTemporary(bool Exists);
  llvm::Error openInPlace();

  std::string Path;    // as given: errors name it
  std::string Kind;    // "baseline", or ""
  std::string Target;  // what the rename replaces: Path, or the file a link at Path names
  std::string Temp;    // the temporary file; "" when writing straight into Path
  std::unique_ptr<llvm::raw_fd_ostream> Stream;
};

// Creates the directories Path is to be in, when missing ("cannot create directory 'DIR': ...").
llvm::Error createParentDirectories(llvm::StringRef Path);

// Opens Path, lets Write fill it, and commits it.
llvm::Error writeOutputFile(llvm::StringRef Path, NonRegularFile NonRegular,
                            llvm::function_ref<void(llvm::raw_ostream &)> Write, llvm::StringRef Kind = "");

}  // namespace cyclops
