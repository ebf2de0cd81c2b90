// Transport.cpp - Content-Length framing in both directions.
#include "lsp/Transport.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"

namespace cyclops::lsp {

namespace {

// A header line longer than this is not a header (it is a body sent without one, or noise).
constexpr size_t MaxHeaderLine = 4096;

}  // namespace

bool MessageReader::readLine(std::string &Line) {
  Line.clear();
  int C;
  while ((C = std::fgetc(In)) != EOF) {
    if (C == '\n') {
      if (!Line.empty() && Line.back() == '\r') Line.pop_back();
      return true;
    }
    if (Line.size() <= MaxHeaderLine) Line.push_back(static_cast<char>(C));
  }
  return !Line.empty();
}

bool MessageReader::readBody(size_t N, std::string &Into, bool Keep) {
  char Buffer[8192];
  Into.clear();
  while (N > 0) {
    size_t Got = std::fread(Buffer, 1, std::min(N, sizeof Buffer), In);
    if (Got == 0) return false;
    if (Keep) Into.append(Buffer, Got);
    N -= Got;
  }
  return true;
}

Incoming MessageReader::next() {
  std::string Line, Problem;
  std::optional<uint64_t> Length;
  bool SawHeader = false;
  while (true) {
    if (!readLine(Line)) return {};
    if (Line.empty()) {
      if (!SawHeader) continue;  // blank lines between messages
      break;
    }
    SawHeader = true;
    llvm::StringRef Name, Value;
    std::tie(Name, Value) = llvm::StringRef(Line).split(':');
    if (Line.size() > MaxHeaderLine || Value.data() == nullptr || Name.size() == Line.size()) {
      if (Problem.empty()) Problem = "a header line that is not 'Name: value'";
      continue;
    }
    if (!Name.trim().equals_insensitive("Content-Length")) continue;
    uint64_t N = 0;
    if (Value.trim().getAsInteger(10, N)) {
      if (Problem.empty()) Problem = "Content-Length '" + Value.trim().str() + "' is not a number";
      continue;
    }
    Length = N;
  }
  Incoming R;
  if (!Length && Problem.empty()) Problem = "a header without Content-Length";
  if (!Problem.empty()) return {Incoming::Malformed, "", Problem};
  bool Keep = *Length <= MaxBody;
  if (!readBody(static_cast<size_t>(*Length), R.Body, Keep)) return {};
  if (!Keep)
    return {Incoming::Malformed, "",
            "a message of " + std::to_string(*Length) + " bytes, over the limit of " + std::to_string(MaxBody)};
  R.What = Incoming::Message;
  return R;
}

void MessageWriter::write(const llvm::json::Value &Message) {
  std::string Body;
  llvm::raw_string_ostream(Body) << Message;
  std::lock_guard<std::mutex> Lock(Mutex);
  Out << "Content-Length: " << Body.size() << "\r\n\r\n" << Body;
  Out.flush();
}

}  // namespace cyclops::lsp
