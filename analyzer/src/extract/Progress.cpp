// Progress.cpp - the status line of a run on a terminal.
#include "extract/Progress.h"

#include "llvm/Support/Path.h"

namespace cyclops {

namespace {

// File relative to Cwd when it is under it.
llvm::StringRef underCwd(llvm::StringRef File, llvm::StringRef Cwd) {
  Cwd = Cwd.rtrim(llvm::sys::path::get_separator());
  if (Cwd.empty() || !File.starts_with(Cwd) || File.size() <= Cwd.size() + 1) return File;
  if (!llvm::sys::path::is_separator(File[Cwd.size()])) return File;
  return File.drop_front(Cwd.size() + 1);
}

}  // namespace

std::string progressLine(unsigned Done, unsigned Total, llvm::StringRef File, llvm::StringRef Cwd, size_t Width) {
  std::string Prefix = "[" + std::to_string(Done) + "/" + std::to_string(Total) + "] ";
  llvm::StringRef Name = underCwd(File, Cwd);
  if (Width == 0 || Prefix.size() + Name.size() <= Width) return Prefix + Name.str();
  constexpr llvm::StringLiteral Ellipsis = "...";
  if (Width <= Prefix.size() + Ellipsis.size()) return Prefix.substr(0, Width);
  return Prefix + Ellipsis.str() + Name.take_back(Width - Prefix.size() - Ellipsis.size()).str();
}

ProgressLine::ProgressLine(llvm::raw_ostream &Out, unsigned Units, std::string Dir, size_t Columns)
    : OS(Out), Total(Units), Cwd(std::move(Dir)), Width(Columns) {}

void ProgressLine::finished(llvm::StringRef File) {
  std::lock_guard<std::mutex> Lock(Mutex);
  ++Done;
  show(progressLine(Done, Total, File, Cwd, Width));
}

void ProgressLine::finish() {
  std::lock_guard<std::mutex> Lock(Mutex);
  show("");
}

void ProgressLine::show(const std::string &Line) {
  if (Line.empty() && Shown == 0) return;
  OS << '\r' << Line;
  if (Shown > Line.size()) OS.indent(static_cast<unsigned>(Shown - Line.size())) << '\r' << Line;
  OS.flush();
  Shown = Line.size();
}

}  // namespace cyclops
