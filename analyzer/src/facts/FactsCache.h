// FactsCache.h - decides whether a cached facts file may stand in for parsing a translation
// unit, and stores new ones.
//
// `cyclops check` spends nearly all its time in Clang, parsing translation units; the facts
// it extracts depend only on what Clang read and on the rules. The cache keeps one facts file
// (FactsIO.h) per compile command, so a second run over an unchanged tree parses nothing.
//
// An entry is an ordinary `*.facts` file in the cache directory, named
// `<file name>-<hash of the file's path>-<hash of directory and command>.facts`, so that the
// clang-tidy module, the compiler plugin and `cyclops check --facts=DIR` can read the
// directory as it is. Its header's key records what the facts were computed from:
//
//   * the cyclops version, the facts format version, the cyclops build (its GNU build id, else
//     its executable's size and modification time: a rebuilt analyzer may extract other facts)
//     and Clang's version;
//   * a fingerprint of the rules in effect (every value of the RuleSet, so compiled-in
//     defaults and --rules files count alike);
//   * the translation unit's file, directory and the command line Clang is given.
//
// An entry is used only when its key is this run's AND every input the facts record
// (TUFacts::Inputs: the main file and every header, system headers too) still hashes to the
// recorded content hash. A missing input makes it stale. Anything else - another key, a
// changed or missing input, a truncated, damaged or unreadable file - means: parse again and
// rewrite the entry; cached facts are never trusted beyond that check.
//
// Threading: one FactsCache serves one run; lookup(), store() and hashes are safe to call
// from many threads at once. Each input file is read and hashed at most once per FactsCache,
// however many translation units include it (a memo guarded by a mutex, filled once per path).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include "config/Rules.h"
#include "facts/TUFacts.h"

namespace cyclops {

// The cache `cyclops check -p BUILD_DIR` keeps, and the language server reads, when no other
// is named: BUILD_DIR/.cyclops-cache (BUILD_DIR may also name compile_commands.json itself).
std::string defaultCacheDir(llvm::StringRef BuildDir);

class FactsCache {
 public:
  // Entries live in Dir (created by the first store). Rules: the rules of this run.
  FactsCache(std::string Dir, const RuleSet &Rules);
  ~FactsCache();

  // One compile command's entry: where it is and the key its facts must carry.
  struct Entry {
    std::string Path;
    std::string Key;
  };
  // File: the translation unit's main file as the compile command names it; Args: the command
  // line exactly as Clang gets it. Marks File as covered by this run (see prune()).
  Entry entry(llvm::StringRef File, llvm::StringRef Directory, llvm::ArrayRef<std::string> Args);

  struct Lookup {
    std::optional<TUFacts> Facts;  // set when the entry is fresh: use these, do not parse
    std::string Note;  // a damaged or unreadable entry: one line naming it (missing and stale: empty)
  };
  // Reads and validates an entry (cost: the file's size, plus hashing each input not yet hashed
  // by this FactsCache).
  Lookup lookup(const Entry &E);

  // Writes facts to the entry atomically. A failure is remembered, not returned: a cache that
  // cannot be written slows the next run, it does not fail this one (see writeFailure()).
  void store(const Entry &E, const TUFacts &Facts);

  // The first store that failed and how many did, as one line; empty when none did.
  std::string writeFailure() const;

  // Removes the entries this FactsCache neither found fresh nor stored, so that readers of the
  // directory see no facts that are out of date: those of the files entry() was asked about
  // (a command the database no longer has, a translation unit that no longer compiles), and
  // with WholeDatabase (the run covered every file of the database) those of every other file
  // too (files gone from the database). Files not named like entries are left alone. Call
  // once, after the run.
  void prune(bool WholeDatabase);

  // The content hash of a file as it is now (FactsIO.h's hashContent), or nullopt when it
  // cannot be read. Memoized: each path is read once per FactsCache.
  std::optional<std::uint64_t> currentHash(llvm::StringRef Path);

  const std::string &dir() const { return Dir; }

 private:
  struct HashSlot;

  void keep(const Entry &E);

  std::string Dir;
  std::string KeyPrefix;  // version, format, build, Clang, rules

  std::mutex HashesMutex;
  llvm::StringMap<std::unique_ptr<HashSlot>> Hashes;

  mutable std::mutex StateMutex;
  std::set<std::string> Kept;     // file names of entries found fresh or stored by this run
  std::set<std::string> Covered;  // the file-path hashes of the files entry() was asked about
  std::string FirstWriteError;
  unsigned WriteFailures = 0;
};

}  // namespace cyclops
