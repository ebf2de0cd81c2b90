// FactsCache.cpp - the facts cache: entry names and keys, validation against the inputs'
// current content, atomic stores, pruning of entries that are out of date.
#include "facts/FactsCache.h"

#include <algorithm>

#if defined(__linux__)
#include <elf.h>
#include <link.h>
#endif

#include "clang/Basic/Version.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "facts/FactsIO.h"
#include "io/InputLimits.h"

#ifndef CYCLOPS_VERSION
#define CYCLOPS_VERSION "unknown"
#endif

namespace cyclops {

namespace {

std::string hex(std::uint64_t V) { return llvm::utohexstr(V, /*LowerCase=*/true, 16); }

// Strings separated by NUL: no two different lists give the same text.
class Hasher {
 public:
  Hasher &add(llvm::StringRef S) {
    Text.append(S.begin(), S.end());
    Text.push_back('\0');
    return *this;
  }
  std::string hex() const { return cyclops::hex(hashContent(Text)); }

 private:
  std::string Text;
};

#if defined(__linux__)
// The GNU build id of the loaded object that holds this code: a hash the linker computed over
// it, so a rebuild with the same result keeps it. "" when the object has none.
std::string gnuBuildId() {
  struct Search {
    std::uintptr_t Code;
    std::string Id;
  } Found{reinterpret_cast<std::uintptr_t>(&gnuBuildId), ""};
  dl_iterate_phdr(
      [](dl_phdr_info *Info, size_t, void *Data) -> int {
        auto &S = *static_cast<Search *>(Data);
        bool Holds = false;
        for (int I = 0; I < Info->dlpi_phnum; ++I) {
          const ElfW(Phdr) &P = Info->dlpi_phdr[I];
          std::uintptr_t Start = Info->dlpi_addr + P.p_vaddr;
          Holds |= P.p_type == PT_LOAD && S.Code >= Start && S.Code < Start + P.p_memsz;
        }
        if (!Holds) return 0;  // the next object
        for (int I = 0; I < Info->dlpi_phnum; ++I) {
          const ElfW(Phdr) &P = Info->dlpi_phdr[I];
          if (P.p_type != PT_NOTE) continue;
          const char *At = reinterpret_cast<const char *>(Info->dlpi_addr + P.p_vaddr);
          const char *End = At + P.p_memsz;
          while (At + sizeof(ElfW(Nhdr)) <= End) {
            const auto *Note = reinterpret_cast<const ElfW(Nhdr) *>(At);
            const char *Name = At + sizeof(ElfW(Nhdr));
            const char *Desc = Name + llvm::alignTo(Note->n_namesz, 4);
            if (Note->n_type == NT_GNU_BUILD_ID && Note->n_namesz == 4 && llvm::StringRef(Name, 3) == "GNU" &&
                Desc + Note->n_descsz <= End) {
              S.Id = llvm::toHex(llvm::StringRef(Desc, Note->n_descsz), /*LowerCase=*/true);
              return 1;
            }
            At = Desc + llvm::alignTo(Note->n_descsz, 4);
          }
        }
        return 1;  // found the object; it has no build id
      },
      &Found);
  return Found.Id;
}
#else
std::string gnuBuildId() { return ""; }
#endif

// Facts depend on the analyzer that extracted them, and the version number alone does not
// change when a development build does: the build id (else the executable's path, size and
// modification time) stands for its code; Clang's version for the parser in the shared library.
std::string buildStamp() {
  Hasher H;
  H.add(clang::getClangFullVersion());
  if (std::string Id = gnuBuildId(); !Id.empty()) return H.add("build-id").add(Id).hex();
  static int Anchor;
  std::string Exe = llvm::sys::fs::getMainExecutable("cyclops", &Anchor);
  llvm::sys::fs::file_status Status;
  if (Exe.empty() || llvm::sys::fs::status(Exe, Status)) return H.add("unknown executable").hex();
  auto Modified = Status.getLastModificationTime().time_since_epoch().count();
  return H.add(Exe).add(std::to_string(Status.getSize())).add(std::to_string(Modified)).hex();
}

// A facts file of another format version is stale (another cyclops wrote it), not damaged.
bool isOtherVersion(llvm::StringRef Text) {
  llvm::Expected<llvm::json::Value> Header = parseJson(Text.split('\n').first);
  if (!Header) {
    llvm::consumeError(Header.takeError());
    return false;
  }
  const llvm::json::Object *O = Header->getAsObject();
  std::optional<std::int64_t> Version = O ? O->getInteger("version") : std::nullopt;
  return Version && *Version != FactsFormatVersion;
}

// Entry names: `<file name>-<16 hex>-<16 hex>.facts`. The file name part is for people.
constexpr size_t HashLength = 16;
constexpr size_t MaxNameStem = 64;

// The file-path hash of an entry's name, or "" when the name is not an entry's.
llvm::StringRef fileHashOfEntry(llvm::StringRef Name) {
  if (!Name.consume_back(FactsExtension)) return "";
  size_t Tail = 2 * (HashLength + 1);
  if (Name.size() <= Tail) return "";
  llvm::StringRef Hashes = Name.take_back(Tail);
  auto isHex = [](llvm::StringRef S) { return llvm::all_of(S, llvm::isHexDigit); };
  llvm::StringRef FileHash = Hashes.substr(1, HashLength), CommandHash = Hashes.substr(HashLength + 2);
  if (Hashes[0] != '-' || Hashes[HashLength + 1] != '-' || !isHex(FileHash) || !isHex(CommandHash)) return "";
  return FileHash;
}

}  // namespace

struct FactsCache::HashSlot {
  std::once_flag Once;
  std::optional<std::uint64_t> Hash;
};

std::string defaultCacheDir(llvm::StringRef BuildDir) {
  llvm::SmallString<256> Dir(BuildDir);
  if (!llvm::sys::fs::is_directory(Dir)) llvm::sys::path::remove_filename(Dir);  // -p DB.json
  llvm::sys::path::append(Dir, ".cyclops-cache");
  return std::string(Dir);
}

FactsCache::FactsCache(std::string Directory, const RuleSet &Rules) : Dir(std::move(Directory)) {
  KeyPrefix = (llvm::Twine("cyclops ") + CYCLOPS_VERSION + "; facts " + llvm::Twine(FactsFormatVersion) + "; build " +
               buildStamp() + "; rules " + hex(hashContent(rulesFingerprint(Rules))))
                  .str();
}

FactsCache::~FactsCache() = default;

FactsCache::Entry FactsCache::entry(llvm::StringRef File, llvm::StringRef Directory,
                                    llvm::ArrayRef<std::string> Args) {
  // Databases name files relative to their directory or not; one file, one name.
  llvm::SmallString<256> Absolute(File);
  if (llvm::sys::path::is_relative(Absolute)) llvm::sys::fs::make_absolute(Directory, Absolute);
  llvm::sys::path::remove_dots(Absolute, /*remove_dot_dot=*/true);
  File = Absolute;
  std::string FileHash = hex(hashContent(File));
  Hasher Command;
  Command.add(File).add(Directory);
  for (const std::string &A : Args) Command.add(A);
  std::string CommandHash = Command.hex();
  {
    std::lock_guard<std::mutex> Lock(StateMutex);
    Covered.insert(FileHash);
  }
  std::string Stem = llvm::sys::path::filename(File).take_front(MaxNameStem).str();
  llvm::SmallString<256> Path(Dir);
  llvm::sys::path::append(Path, Stem + "-" + FileHash + "-" + CommandHash + FactsExtension);
  return {std::string(Path), KeyPrefix + "; command " + CommandHash};
}

std::optional<std::uint64_t> FactsCache::currentHash(llvm::StringRef Path) {
  HashSlot *Slot = nullptr;
  {
    std::lock_guard<std::mutex> Lock(HashesMutex);
    std::unique_ptr<HashSlot> &S = Hashes[Path];
    if (!S) S = std::make_unique<HashSlot>();
    Slot = S.get();  // stable: the map owns slots through pointers
  }
  // Outside the map's lock, so that threads hash different files at once; call_once makes
  // the others wait for the one reading this file.
  std::call_once(Slot->Once, [&] {
    auto Buf = llvm::MemoryBuffer::getFile(Path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
    if (Buf) Slot->Hash = hashContent((*Buf)->getBuffer());
  });
  return Slot->Hash;
}

FactsCache::Lookup FactsCache::lookup(const Entry &E) {
  Lookup Out;
  auto Buf = llvm::MemoryBuffer::getFile(E.Path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!Buf) {
    // Missing (or its directory is): nothing cached yet. Anything else is worth a note.
    if (Buf.getError() != std::errc::no_such_file_or_directory && Buf.getError() != std::errc::not_a_directory)
      Out.Note = "cannot read cache entry '" + E.Path + "': " + Buf.getError().message() + "; analyzing again";
    return Out;
  }
  llvm::Expected<FactsFile> F = parseFacts((*Buf)->getBuffer());
  if (!F) {
    std::string Why = llvm::toString(F.takeError());
    if (!isOtherVersion((*Buf)->getBuffer())) Out.Note = E.Path + ": " + Why + "; analyzing again";
    return Out;
  }
  // The key first: it is cheap, and a foreign key says nothing about the inputs.
  if (F->Key != E.Key || F->Facts.Inputs.empty()) return Out;
  for (const InputFile &In : F->Facts.Inputs) {
    std::optional<std::uint64_t> Now = currentHash(In.Path);
    if (!Now || *Now != In.Hash) return Out;
  }
  keep(E);
  Out.Facts = std::move(F->Facts);
  return Out;
}

void FactsCache::store(const Entry &E, const TUFacts &Facts) {
  if (llvm::Error Err = writeFactsFile(E.Path, Facts, E.Key)) {
    std::string Message = llvm::toString(std::move(Err));
    std::lock_guard<std::mutex> Lock(StateMutex);
    if (WriteFailures++ == 0) FirstWriteError = std::move(Message);
    return;
  }
  keep(E);
}

void FactsCache::keep(const Entry &E) {
  std::lock_guard<std::mutex> Lock(StateMutex);
  Kept.insert(llvm::sys::path::filename(E.Path).str());
}

std::string FactsCache::writeFailure() const {
  std::lock_guard<std::mutex> Lock(StateMutex);
  if (!WriteFailures) return "";
  return "facts cache not updated: " + FirstWriteError +
         (WriteFailures == 1 ? std::string()
                             : " (and " + std::to_string(WriteFailures - 1) + " more entries not written)");
}

void FactsCache::prune(bool WholeDatabase) {
  std::lock_guard<std::mutex> Lock(StateMutex);
  std::error_code EC;
  std::vector<std::string> Doomed;
  for (llvm::sys::fs::directory_iterator It(Dir, EC), End; It != End && !EC; It.increment(EC)) {
    llvm::StringRef Name = llvm::sys::path::filename(It->path());
    llvm::StringRef FileHash = fileHashOfEntry(Name);
    if (FileHash.empty() || Kept.count(Name.str())) continue;
    if (WholeDatabase || Covered.count(FileHash.str())) Doomed.push_back(It->path());
  }
  // Best effort: an entry that cannot be removed is rejected by its key or inputs next time.
  for (const std::string &Path : Doomed) llvm::sys::fs::remove(Path);
}

}  // namespace cyclops
