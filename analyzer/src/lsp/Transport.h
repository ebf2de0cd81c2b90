// Transport.h - the LSP base protocol: messages framed by a header ("Content-Length: N",
// other fields ignored, each line ended by "\r\n", then an empty line) and N bytes of JSON.
//
// The reader never trusts its input: a header without a usable Content-Length, a body over
// the limit, or bytes that are not a header are a Malformed result that says why, after
// which the reader looks for the next header; only the end of the input ends it. The writer
// frames whole messages under a mutex, so threads may send at once and nothing interleaves.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

namespace cyclops::lsp {

// The largest body read; a longer one is skipped and reported as malformed.
inline constexpr size_t MaxMessageBytes = 64u << 20;

struct Incoming {
  enum Kind { Message, Malformed, End } What = End;
  std::string Body;   // Message: the JSON text, not yet parsed
  std::string Error;  // Malformed: one line saying what was wrong
};

// Reads messages from In (blocking). Cost: linear in the bytes read. Not thread-safe.
class MessageReader {
 public:
  explicit MessageReader(std::FILE *Input, size_t Limit = MaxMessageBytes) : In(Input), MaxBody(Limit) {}

  Incoming next();

 private:
  // One header line without its "\r\n"; false at the end of the input.
  bool readLine(std::string &Line);
  // Reads (or, with Keep false, skips) N bytes; false when the input ends first.
  bool readBody(size_t N, std::string &Into, bool Keep);

  std::FILE *In;
  size_t MaxBody;
};

// Writes framed messages to Out, flushing each. Thread-safe.
class MessageWriter {
 public:
  explicit MessageWriter(llvm::raw_ostream &Output) : Out(Output) {}

  void write(const llvm::json::Value &Message);

 private:
  std::mutex Mutex;
  llvm::raw_ostream &Out;
};

}  // namespace cyclops::lsp
