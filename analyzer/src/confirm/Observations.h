// Observations.h - what a program linked with libcyc observed, as read back from the JSON
// Lines file it writes when CYC_REPORT names one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace cyclops::confirm {

// One step of a collected cycle: an object whose dynamic type is `Type` refers to the next
// step's object through `Field` ("" for the elements of a top-level container); `Owner` is
// the class whose trace hook declared the field (a base class when the field is inherited,
// an embedded value's class when the field belongs to a member held by value).
struct ObservedStep {
  std::string Type;
  std::string Field;
  std::string Owner;  // "" when the record has none
};

// A `"record":"cycle"` line: one garbage cycle one collection found.
struct ObservedCycle {
  int64_t Pid = 0;
  int64_t Collection = 0;
  std::string Reason;  // "explicit", "automatic", "exit"; "" when absent
  int64_t Generation = 0;
  std::vector<ObservedStep> Path;  // walks the cycle; the last step leads back to the first
  uint64_t Objects = 0;
  uint64_t HostBytes = 0;  // held from becoming unreachable until the collection
  uint64_t DeviceBytes = 0;
  uint64_t WaitedNs = 0;  // from becoming unreachable until the collection
  uint64_t WaitedCollections = 0;
  unsigned Line = 0;  // line of the report it came from
};

// An `"record":"alive"` line: objects of one type still alive when the program exited.
struct AliveRecord {
  int64_t Pid = 0;
  std::string Type;
  uint64_t Objects = 0;
  uint64_t HostBytes = 0;
  uint64_t DeviceBytes = 0;
};

struct Observations {
  std::vector<ObservedCycle> Cycles;  // in file order
  std::vector<AliveRecord> Alive;     // in file order
};

// Parses JSON Lines text. Blank lines, unknown keys and records of other kinds are ignored
// (newer runtimes may write more). Errors are one line naming "NAME:LINE": a line that is
// not JSON (with its column), not an object, without "record", or a cycle or alive record
// whose known keys have the wrong type. Linear in the size of the text.
llvm::Expected<Observations> parseReport(llvm::StringRef Text, llvm::StringRef Name);

// Reads the report at `Path`: std::nullopt when there is no such file (the program never
// loaded libcyc, or never wrote a record), an error when it cannot be read or parsed.
llvm::Expected<std::optional<Observations>> readReport(llvm::StringRef Path);

}  // namespace cyclops::confirm
