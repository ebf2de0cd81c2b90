// Protocol.h - cyclops's results in LSP 3.17's terms: file URIs, positions, diagnostics and
// quick-fix code actions. Pure functions of their arguments; thread-safe.
//
// Positions: cyclops counts 1-based lines and 1-based byte columns; LSP counts from 0, and
// its characters are UTF-16 code units unless the client accepted "utf-8"
// (general.positionEncodings). The conversion reads the line's text, given by the caller.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/JSON.h"

#include "extract/Runner.h"
#include "rules/Finding.h"

namespace cyclops::lsp {

// JSON-RPC 2.0 and LSP error codes the server answers with.
namespace errc {
inline constexpr int ParseError = -32700;
inline constexpr int InvalidRequest = -32600;
inline constexpr int MethodNotFound = -32601;
inline constexpr int InvalidParams = -32602;
inline constexpr int ServerNotInitialized = -32002;
}  // namespace errc

// The path of a file: URI (the reverse of output/SourceRoot.h's fileUri, which makes the
// URIs this server sends); an error for another scheme, a remote host or a bad escape.
llvm::Expected<std::string> uriToPath(llvm::StringRef Uri);

enum class PositionEncoding { Utf16, Utf8 };

// The text of a line (1-based) of a file, without its line break; "" when unknown.
using LineText = std::function<std::string(const std::string &File, unsigned Line)>;

// How findings become LSP objects.
struct DiagnosticContext {
  PositionEncoding Encoding = PositionEncoding::Utf16;
  LineText Lines;
  // The rule's documentation page ("file:///.../cycle-type.md"), or "" for none.
  std::function<std::string(llvm::StringRef Rule)> DocHref;
};

// An LSP Position for a 1-based line and byte column.
llvm::json::Object toPosition(const DiagnosticContext &C, const std::string &File, unsigned Line, unsigned Column);

// The diagnostic of a finding: its range covers the identifier at Pos, code is the rule id,
// one relatedInformation entry per note of the path (the calls that make an edge included).
llvm::json::Object toDiagnostic(const DiagnosticContext &C, const Finding &F);

// The one diagnostic for a translation unit that does not compile: at the top of the file.
llvm::json::Object failureDiagnostic(const TUFailure &Failure);

// A quickfix code action applying F's fix-its to the files they are in, or none without any.
// Diagnostic: F's, as toDiagnostic made it.
std::optional<llvm::json::Object> toCodeAction(const DiagnosticContext &C, const Finding &F,
                                               llvm::json::Object Diagnostic);

}  // namespace cyclops::lsp
