// SourceRoot.cpp - files named relative to the source root; file: URIs.
#include "output/SourceRoot.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

namespace cyclops {
namespace {

// Absolute, without "." and ".." segments, repeated leading '/' (Linux reads "//a" as "/a";
// LLVM would keep "//a" as a network name) or a trailing '/'. A backslash is part of a name
// on POSIX systems and stays one (converting it would name another file). Normalizing a
// normalized path changes nothing.
std::string normalized(llvm::StringRef Path) {
  llvm::SmallString<256> P(Path);
  llvm::sys::fs::make_absolute(P);
  size_t Slashes = 0;
  while (Slashes < P.size() && P[Slashes] == '/') ++Slashes;
  if (Slashes > 1) P.erase(P.begin(), P.begin() + (Slashes - 1));
  llvm::sys::path::remove_dots(P, /*remove_dot_dot=*/true);
  while (P.size() > 1 && P.back() == '/') P.pop_back();
  return std::string(P);
}

std::optional<std::string> under(llvm::StringRef Root, llvm::StringRef File) {
  if (Root.empty() || !File.starts_with(Root)) return std::nullopt;
  if (Root == "/") return File.drop_front(1).str();
  if (File.size() <= Root.size() + 1 || File[Root.size()] != '/') return std::nullopt;
  return File.drop_front(Root.size() + 1).str();
}

// Characters a path segment may hold as they are (RFC 3986 "unreserved").
bool unreserved(char C) { return llvm::isAlnum(C) || C == '-' || C == '.' || C == '_' || C == '~'; }

std::string encodePath(llvm::StringRef Path) {
  std::string Out;
  for (char C : Path) {
    if (unreserved(C) || C == '/') {
      Out += C;
    } else {
      Out += '%';
      Out += llvm::hexdigit(static_cast<unsigned char>(C) >> 4, /*LowerCase=*/false);
      Out += llvm::hexdigit(static_cast<unsigned char>(C) & 15, /*LowerCase=*/false);
    }
  }
  return Out;
}

}  // namespace

llvm::Expected<SourceRoot> SourceRoot::open(llvm::StringRef Dir) {
  llvm::SmallString<256> Path(Dir);
  if (Path.empty()) {
    if (std::error_code EC = llvm::sys::fs::current_path(Path))
      return llvm::createStringError(EC, "cannot determine the current directory: " + EC.message());
  }
  if (!llvm::sys::fs::is_directory(Path))
    return llvm::createStringError(std::make_error_code(std::errc::not_a_directory),
                                   "'" + Dir + "' is not a directory");
  SourceRoot R;
  R.Root = normalized(Path);
  llvm::SmallString<256> Real;
  if (!llvm::sys::fs::real_path(R.Root, Real) && Real != R.Root) R.RealRoot = normalized(Real);
  return R;
}

std::optional<std::string> SourceRoot::relative(llvm::StringRef File) const {
  std::string F = normalized(File);
  if (auto Rel = under(Root, F)) return Rel;
  if (auto Rel = under(RealRoot, F)) return Rel;
  // The file's own path may go through a link that the root's does not.
  llvm::SmallString<256> Real;
  if (llvm::sys::fs::real_path(F, Real) || Real == F) return std::nullopt;
  std::string RealFile = normalized(Real);
  if (auto Rel = under(Root, RealFile)) return Rel;
  return under(RealRoot, RealFile);
}

std::string SourceRoot::display(llvm::StringRef File) const {
  if (auto Rel = relative(File)) return *Rel;
  return File.str();
}

std::string fileUri(llvm::StringRef AbsolutePath, bool Directory) {
  std::string Path = normalized(AbsolutePath);
  if (Directory && Path.back() != '/') Path += '/';
  return "file://" + encodePath(Path);
}

std::string relativeUri(llvm::StringRef RelativePath) { return encodePath(RelativePath); }

}  // namespace cyclops
