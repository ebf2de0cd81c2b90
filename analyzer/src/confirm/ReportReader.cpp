// ReportReader.cpp - reads the collector's JSON Lines report (CYC_REPORT) for `cyclops confirm`.
#include "confirm/Observations.h"

#include "confirm/Findings.h"  // describeJsonError

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include "io/InputLimits.h"
#include "io/JsonInteger.h"

namespace cyclops::confirm {
namespace {

llvm::Error fail(const llvm::Twine &Message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), Message);
}

// Reads the known keys of one record; the first one of the wrong type ends the record.
class RecordReader {
 public:
  explicit RecordReader(const llvm::json::Object &Record) : O(Record) {}

  void count(llvm::StringRef Key, uint64_t &Out) {
    if (!Error.empty()) return;
    const llvm::json::Value *V = O.get(Key);
    if (!V) return;
    std::optional<uint64_t> N = V->getAsUINT64();
    if (N)
      Out = *N;
    else
      Error = "\"" + Key.str() + "\" is not a non-negative integer";
  }
  void integer(llvm::StringRef Key, int64_t &Out) {
    if (!Error.empty()) return;
    const llvm::json::Value *V = O.get(Key);
    if (!V) return;
    std::optional<int64_t> N = jsonInteger(*V);
    if (N)
      Out = *N;
    else
      Error = "\"" + Key.str() + "\" is not an integer";
  }
  void string(llvm::StringRef Key, std::string &Out, bool Required = false) {
    if (!Error.empty()) return;
    const llvm::json::Value *V = O.get(Key);
    if (!V) {
      if (Required) Error = "no \"" + Key.str() + "\"";
      return;
    }
    std::optional<llvm::StringRef> S = V->getAsString();
    if (S)
      Out = S->str();
    else
      Error = "\"" + Key.str() + "\" is not a string";
  }
  void path(std::vector<ObservedStep> &Out) {
    if (!Error.empty()) return;
    const llvm::json::Array *A = O.getArray("path");
    if (!A || A->empty()) {
      Error = "a cycle record needs a non-empty \"path\" array";
      return;
    }
    for (size_t I = 0; I < A->size(); ++I) {
      const llvm::json::Object *S = (*A)[I].getAsObject();
      std::optional<llvm::StringRef> Type = S ? S->getString("type") : std::nullopt;
      std::optional<llvm::StringRef> Field = S ? S->getString("field") : std::nullopt;
      if (!Type || !Field) {
        Error = "path step " + std::to_string(I + 1) + " needs \"type\" and \"field\" strings";
        return;
      }
      ObservedStep Step{Type->str(), Field->str(), ""};
      if (const llvm::json::Value *Owner = S->get("owner")) {
        if (!Owner->getAsString()) {
          Error = "path step " + std::to_string(I + 1) + ": \"owner\" is not a string";
          return;
        }
        Step.Owner = Owner->getAsString()->str();
      }
      Out.push_back(std::move(Step));
    }
  }

  std::string Error;

 private:
  const llvm::json::Object &O;
};

}  // namespace

llvm::Expected<Observations> parseReport(llvm::StringRef Text, llvm::StringRef Name) {
  Observations Result;
  unsigned LineNo = 0;
  while (!Text.empty()) {
    auto [Line, Rest] = Text.split('\n');
    Text = Rest;
    ++LineNo;
    if (Line.trim().empty()) continue;
    auto Where = [&] { return (Name + ":" + llvm::Twine(LineNo)).str(); };
    llvm::Expected<llvm::json::Value> V = parseJson(Line);
    if (!V) return fail(describeJsonError(V.takeError(), Name, LineNo - 1));
    const llvm::json::Object *O = V->getAsObject();
    if (!O) return fail(Where() + ": a report line must be a JSON object");
    std::optional<llvm::StringRef> Kind = O->getString("record");
    if (!Kind) return fail(Where() + ": no \"record\" string");
    RecordReader R(*O);
    if (*Kind == "cycle") {
      ObservedCycle C;
      C.Line = LineNo;
      R.integer("pid", C.Pid);
      R.integer("collection", C.Collection);
      R.string("reason", C.Reason);
      R.integer("generation", C.Generation);
      R.path(C.Path);
      R.count("objects", C.Objects);
      R.count("host_bytes", C.HostBytes);
      R.count("device_bytes", C.DeviceBytes);
      R.count("waited_ns", C.WaitedNs);
      R.count("waited_collections", C.WaitedCollections);
      if (!R.Error.empty()) return fail(Where() + ": cycle record: " + R.Error);
      Result.Cycles.push_back(std::move(C));
    } else if (*Kind == "alive") {
      AliveRecord A;
      R.integer("pid", A.Pid);
      R.string("type", A.Type, /*Required=*/true);
      R.count("objects", A.Objects);
      R.count("host_bytes", A.HostBytes);
      R.count("device_bytes", A.DeviceBytes);
      if (!R.Error.empty()) return fail(Where() + ": alive record: " + R.Error);
      Result.Alive.push_back(std::move(A));
    }
  }
  return Result;
}

llvm::Expected<std::optional<Observations>> readReport(llvm::StringRef Path) {
  if (!llvm::sys::fs::exists(Path)) return std::nullopt;
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> Buffer = llvm::MemoryBuffer::getFile(Path, /*IsText=*/true);
  if (!Buffer) return fail("cannot read the collector's report '" + Path + "': " + Buffer.getError().message());
  llvm::Expected<Observations> O = parseReport((*Buffer)->getBuffer(), Path);
  if (!O) return O.takeError();
  return std::optional<Observations>(std::move(*O));
}

}  // namespace cyclops::confirm
