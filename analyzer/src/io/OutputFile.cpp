// OutputFile.cpp - complete files or none: a temporary file renamed into place, checked writes.
#include "io/OutputFile.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

namespace cyclops {
namespace {

namespace fs = llvm::sys::fs;

// What a path that is not a regular file is, for the error that refuses it.
const char *describe(fs::file_type Type) {
  switch (Type) {
    case fs::file_type::directory_file: return "a directory";
    case fs::file_type::character_file: return "a character device";
    case fs::file_type::block_file: return "a block device";
    case fs::file_type::fifo_file: return "a FIFO";
    case fs::file_type::socket_file: return "a socket";
    default: return "something other than a file";
  }
}

}  // namespace

llvm::Expected<OutputFile> OutputFile::open(llvm::StringRef Path, NonRegularFile NonRegular, llvm::StringRef Kind) {
  OutputFile F(Path, Kind);
  fs::file_status Status;
  const bool Exists = !fs::status(Path, Status);  // follows symbolic links
  if (Exists && Status.type() != fs::file_type::regular_file) {
    if (NonRegular == NonRegularFile::Refuse)
      return F.cannotWrite(llvm::Twine("it is ") + describe(Status.type()) + ", not a regular file");
    if (llvm::Error E = F.openInPlace()) return E;
    return F;
  }
  if (llvm::Error E = F.openTemporary(Exists)) return E;
  return F;
}

llvm::Error OutputFile::openTemporary(bool Exists) {
  Target = Path;
  if (Exists && fs::is_symlink_file(Path)) {
    llvm::SmallString<256> Resolved;
    if (std::error_code EC = fs::real_path(Path, Resolved)) return cannotWrite(EC.message());
    Target = std::string(Resolved);
  }
  // Unique per process and thread: two writers of one path each rename a whole file.
  int FD = -1;
  llvm::SmallString<256> Name;
  if (std::error_code EC = fs::createUniqueFile(Target + ".tmp-%%%%%%%%", FD, Name)) return cannotWrite(EC.message());
  Temp = std::string(Name);
  Stream = std::make_unique<llvm::raw_fd_ostream>(FD, /*shouldClose=*/true);
  return llvm::Error::success();
}

llvm::Error OutputFile::openInPlace() {
  std::error_code EC;
  Stream = std::make_unique<llvm::raw_fd_ostream>(Path, EC, fs::OF_Text);
  if (!EC) return llvm::Error::success();
  Stream.reset();
  return cannotWrite(EC.message());
}

OutputFile::~OutputFile() {
  if (Stream) discard();
}

llvm::Error OutputFile::commit() {
  Stream->close();
  std::error_code EC = Stream->has_error() ? Stream->error() : std::error_code();
  Stream->clear_error();
  Stream.reset();
  if (!EC && !Temp.empty()) EC = fs::rename(Temp, Target);
  if (EC && !Temp.empty()) fs::remove(Temp);
  return EC ? cannotWrite(EC.message()) : llvm::Error::success();
}

void OutputFile::discard() {
  if (!Stream) return;
  Stream->close();
  Stream->clear_error();  // abandoned: a write error is no news
  Stream.reset();
  if (!Temp.empty()) fs::remove(Temp);
}

llvm::Error OutputFile::cannotWrite(const llvm::Twine &Reason) const {
  std::string What = Kind.empty() ? "'" + Path + "'" : Kind + " '" + Path + "'";
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "cannot write " + What + ": " + Reason);
}

llvm::Error createParentDirectories(llvm::StringRef Path) {
  llvm::StringRef Dir = llvm::sys::path::parent_path(Path);
  if (Dir.empty()) return llvm::Error::success();
  if (std::error_code EC = fs::create_directories(Dir))
    return llvm::createStringError(EC, "cannot create directory '" + Dir + "': " + EC.message());
  return llvm::Error::success();
}

llvm::Error writeOutputFile(llvm::StringRef Path, NonRegularFile NonRegular,
                            llvm::function_ref<void(llvm::raw_ostream &)> Write, llvm::StringRef Kind) {
  llvm::Expected<OutputFile> File = OutputFile::open(Path, NonRegular, Kind);
  if (!File) return File.takeError();
  Write(File->os());
  return File->commit();
}

}  // namespace cyclops
