// Render.cpp - sizes, durations, paths and commands as the confirm outputs spell them.
#include "confirm/ConfirmOutput.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"

namespace cyclops::confirm {
namespace {

std::string scaled(double Value, unsigned Decimals, llvm::StringRef Unit) {
  std::string S;
  llvm::raw_string_ostream(S) << llvm::format(Decimals == 1 ? "%.1f " : "%.2f ", Value) << Unit;
  return S;
}

// The smallest P that divides N with Steps[i] == Steps[i % P] for every i, from the prefix
// function of Knuth, Morris and Pratt: Border[I] is the length of the longest proper prefix of
// Steps[0..I] that is also its suffix. The shortest period of the whole is N - Border[N-1]; a
// path goes round it a whole number of times only when it divides N. O(N) step comparisons.
template <typename Step>
size_t period(const std::vector<Step> &Steps) {
  auto Same = [](const Step &A, const Step &B) { return A.Type == B.Type && A.Field == B.Field; };
  const size_t N = Steps.size();
  if (N == 0) return 0;
  std::vector<size_t> Border(N, 0);
  for (size_t I = 1; I < N; ++I) {
    size_t K = Border[I - 1];
    while (K > 0 && !Same(Steps[I], Steps[K])) K = Border[K - 1];
    Border[I] = Same(Steps[I], Steps[K]) ? K + 1 : 0;
  }
  const size_t Shortest = N - Border[N - 1];
  return N % Shortest == 0 ? Shortest : N;
}

// Paths longer than this are shortened: to one period and a count of rounds when they
// repeat, else to their first steps and a count of the others.
constexpr size_t LongPath = 6;

template <typename Step>
std::string render(const std::vector<Step> &Path) {
  if (Path.empty()) return "";
  size_t Period = Path.size();
  if (Path.size() > LongPath)
    Period = period(Path);
  size_t Shown = Period > LongPath ? LongPath - 1 : Period;
  std::string S;
  for (size_t I = 0; I < Shown; ++I) S += stepName(Path[I].Type, Path[I].Field) + " -> ";
  if (Shown < Period) S += "... " + std::to_string(Period - Shown) + " more steps -> ";
  S += "(" + Path.front().Type + ")";
  if (Period < Path.size()) S += " (" + std::to_string(Path.size() / Period) + " rounds)";
  return S;
}

}  // namespace

std::string formatBytes(uint64_t Bytes) {
  if (Bytes < 1024) return std::to_string(Bytes) + " B";
  static const char *Units[] = {"KiB", "MiB", "GiB", "TiB"};
  double V = static_cast<double>(Bytes) / 1024;
  size_t U = 0;
  while (V >= 1024 && U + 1 < std::size(Units)) {
    V /= 1024;
    ++U;
  }
  return scaled(V, 1, Units[U]);
}

std::string formatDuration(uint64_t Nanos) {
  if (Nanos < 1000) return std::to_string(Nanos) + " ns";
  double V = static_cast<double>(Nanos);
  if (Nanos < 1000 * 1000) return scaled(V / 1e3, 1, "us");
  if (Nanos < 1000ull * 1000 * 1000) return scaled(V / 1e6, 2, "ms");
  return scaled(V / 1e9, 2, "s");
}

std::string stepName(llvm::StringRef Type, llvm::StringRef Field) {
  return Field.empty() ? (Type + "[]").str() : (Type + "." + Field).str();
}

size_t repeatingPeriod(const std::vector<ObservedStep> &Path) { return period(Path); }
size_t repeatingPeriod(const std::vector<FindingStep> &Path) { return period(Path); }

std::string renderPath(const std::vector<ObservedStep> &Path) { return render(Path); }
std::string renderPath(const std::vector<FindingStep> &Path) { return render(Path); }

std::string location(const StaticFinding &F) {
  if (F.File.empty()) return "-";
  return F.Line > 0 ? F.File + ":" + std::to_string(F.Line) : F.File;
}

std::string commandLine(const std::vector<std::string> &Command) {
  std::vector<std::string> Words;
  for (const std::string &A : Command) {
    bool Plain = !A.empty() &&
                 llvm::all_of(A, [](char C) { return llvm::isAlnum(C) || llvm::StringRef("-_./=:,+@%").contains(C); });
    if (Plain) {
      Words.push_back(A);
      continue;
    }
    std::string Q = "'";
    for (char C : A) Q += C == '\'' ? std::string("'\\''") : std::string(1, C);
    Words.push_back(Q + "'");
  }
  return llvm::join(Words, " ");
}

}  // namespace cyclops::confirm
