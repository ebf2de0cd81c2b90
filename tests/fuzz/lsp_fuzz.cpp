// lsp_fuzz.cpp - what `cyclops lsp` reads from its client: the whole input as a stream of
// framed messages served by runServer (framing, JSON, dispatch, URIs), with a compile database
// that does not exist, so nothing is parsed. Properties: the URI of a path (fileUri) read back
// by uriToPath names the same file, and toPosition counts no more UTF-16 units than the line
// has bytes.
#include <cstdio>

#include "FuzzSupport.h"
#include "lsp/Protocol.h"
#include "lsp/Server.h"
#include "output/SourceRoot.h"

namespace {

void serve(llvm::StringRef Input) {
  std::FILE *In = fmemopen(const_cast<char *>(Input.data()), Input.size(), "r");
  if (!In) return;  // fmemopen refuses a zero-length buffer on some C libraries
  llvm::raw_null_ostream Out, Log;
  cyclops::lsp::ServerOptions Options{"/nonexistent/cyclops-fuzz", "", "", 1};
  (void)cyclops::lsp::runServer(In, Out, Log, Options);
  std::fclose(In);
}

void uriRoundTrip(llvm::StringRef Input) {
  std::string Path = "/" + Input.str();
  if (Path.find('\0') != std::string::npos) return;
  const std::string Uri = cyclops::fileUri(Path);
  llvm::Expected<std::string> Back = cyclops::lsp::uriToPath(Uri);
  if (!Back || cyclops::fileUri(*Back) != Uri)
    cyclops::fuzz::violated("uriToPath did not read back a fileUri");
  (void)cyclops::lsp::uriToPath(Input);
}

void positions(llvm::StringRef Input) {
  cyclops::lsp::DiagnosticContext C;
  C.Lines = [&](const std::string &, unsigned) { return Input.str(); };
  unsigned Column = static_cast<unsigned>(Input.size()) + 1;
  llvm::json::Object P = cyclops::lsp::toPosition(C, "f.cpp", 1, Column);
  if (P.getInteger("character").value_or(-1) > static_cast<int64_t>(Input.size()))
    cyclops::fuzz::violated("more UTF-16 units than bytes");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  llvm::StringRef Input = cyclops::fuzz::asText(Data, Size);
  serve(Input);
  uriRoundTrip(Input);
  positions(Input);
  return 0;
}
