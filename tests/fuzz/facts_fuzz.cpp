// facts_fuzz.cpp - facts files (the facts cache, `cyclops facts`, `check --facts=DIR`).
//
// A facts file's header carries the length and hash of the facts, so almost every mutation of
// a whole file is rejected by the header check. Each input is therefore parsed twice: as it
// is, and as the facts line of a file whose header matches it, which reaches the facts reader.
// Facts it accepts must survive a round trip through serializeFacts.
#include "FuzzSupport.h"
#include "facts/FactsIO.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/JSON.h"

namespace {

using cyclops::fuzz::violated;

// A facts file whose header matches `Body`, as writeFactsFile would write it.
std::string withHeader(llvm::StringRef Body) {
  llvm::json::Object Header{{"format", "cyclops-facts"},
                            {"version", cyclops::FactsFormatVersion},
                            {"key", "fuzz"},
                            {"bytes", static_cast<std::int64_t>(Body.size())},
                            {"xxh3", llvm::utohexstr(cyclops::hashContent(Body), /*LowerCase=*/true, 16)}};
  std::string Out;
  llvm::raw_string_ostream(Out) << llvm::json::Value(std::move(Header)) << "\n" << Body << "\n";
  return Out;
}

// Written facts read back, and writing what was read back gives the same file.
void checkRoundTrip(const cyclops::FactsFile &F) {
  std::string Written = cyclops::serializeFacts(F.Facts, F.Key);
  llvm::Expected<cyclops::FactsFile> Again = cyclops::parseFacts(Written);
  if (!Again) {
    llvm::errs() << llvm::toString(Again.takeError()) << "\n";
    violated("serializeFacts wrote a file that parseFacts rejects");
  }
  if (cyclops::serializeFacts(Again->Facts, Again->Key) != Written) violated("a facts file changes on a round trip");
}

void parse(llvm::StringRef Text) {
  llvm::Expected<cyclops::FactsFile> F = cyclops::parseFacts(Text);
  if (cyclops::fuzz::succeeded(F)) checkRoundTrip(*F);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  llvm::StringRef Text = cyclops::fuzz::asText(Data, Size);
  parse(Text);
  parse(withHeader(Text));
  return 0;
}
