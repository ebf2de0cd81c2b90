// TableOutput.cpp - the confirm result as aligned text sections on stdout.
#include "confirm/ConfirmOutput.h"

#include "llvm/ADT/StringExtras.h"

namespace cyclops::confirm {
namespace {

using Row = std::vector<std::string>;

// Prints rows under a header, columns padded to their widest cell, the last one unpadded.
void printColumns(llvm::raw_ostream &OS, const Row &Header, const std::vector<Row> &Rows) {
  std::vector<size_t> Width(Header.size(), 0);
  auto Measure = [&](const Row &R) {
    for (size_t C = 0; C < R.size(); ++C) Width[C] = std::max(Width[C], R[C].size());
  };
  Measure(Header);
  for (const Row &R : Rows) Measure(R);
  auto Print = [&](const Row &R) {
    std::string Line = " ";
    for (size_t C = 0; C < R.size(); ++C) {
      Line += " " + R[C];
      if (C + 1 < R.size()) Line += std::string(Width[C] - R[C].size() + 1, ' ');
    }
    OS << llvm::StringRef(Line).rtrim() << "\n";
  };
  Print(Header);
  for (const Row &R : Rows) Print(R);
}

std::string totalAndLargest(uint64_t Total, uint64_t Max) { return formatBytes(Total) + " / " + formatBytes(Max); }

std::string waited(const Occurrences &S) {
  return std::to_string(S.WaitedCollectionsMax) + " / " + formatDuration(S.WaitedNsMax);
}

std::string plural(size_t N, llvm::StringRef One, llvm::StringRef Many) {
  return std::to_string(N) + " " + (N == 1 ? One : Many).str();
}

std::string ids(const std::vector<StaticFinding> &Findings, const std::vector<size_t> &Indices) {
  std::vector<std::string> Ids;
  for (size_t I : Indices) Ids.push_back(Findings[I].Id);
  return llvm::join(Ids, ", ");
}

}  // namespace

void writeTable(llvm::raw_ostream &OS, const ConfirmView &V) {
  const ConfirmResult &R = V.Result;
  OS << "cyclops confirm: " << commandLine(V.Run.Command) << "\n  ";
  if (!V.Run.Signal.empty())
    OS << "killed by a signal (" << V.Run.Signal << "), status " << V.Run.ExitStatus;
  else
    OS << "exit status " << V.Run.ExitStatus;
  if (V.Run.ReportWritten)
    OS << "; " << plural(R.CyclesObserved, "garbage cycle", "garbage cycles") << " collected in "
       << plural(R.Processes, "process", "processes");
  else
    OS << "; no collector report: the program never loaded libcyc or never wrote one";
  OS << "; " << plural(R.CycleFindings, "cycle finding", "cycle findings") << "\n";

  OS << "\nCONFIRMED (" << R.Confirmed.size() << "): findings whose cycles formed at run time\n";
  if (R.Confirmed.empty()) {
    OS << "  none\n";
  } else {
    std::vector<Row> Rows;
    std::vector<std::string> Notes;
    for (const ConfirmedFinding &C : R.Confirmed) {
      const StaticFinding &F = V.Findings[C.Finding];
      std::string Id = F.Id;
      if (!C.AlsoMatches.empty()) {
        Id += "*";
        Notes.push_back("* " + F.Id + ": the same cycles also match " + ids(V.Findings, C.AlsoMatches) +
                        " (the collector cannot tell which code formed them)");
      }
      Rows.push_back({Id, F.Rule, location(F), std::to_string(C.Seen.Count),
                      totalAndLargest(C.Seen.HostTotal, C.Seen.HostMax),
                      totalAndLargest(C.Seen.DeviceTotal, C.Seen.DeviceMax), waited(C.Seen)});
    }
    printColumns(OS,
                 {"ID", "RULE", "LOCATION", "FORMED", "HOST TOTAL / LARGEST", "DEVICE TOTAL / LARGEST",
                  "WAITED MOST: COLLECTIONS / TIME"},
                 Rows);
    for (const std::string &N : Notes) OS << "  " << N << "\n";
  }

  OS << "\nNOT EXERCISED (" << R.NotExercised.size() << "): findings whose cycles this run never formed\n";
  if (R.NotExercised.empty()) {
    OS << "  none\n";
  } else {
    std::vector<Row> Rows;
    for (size_t I : R.NotExercised) {
      const StaticFinding &F = V.Findings[I];
      Rows.push_back({F.Id, F.Rule, location(F), renderPath(F.Path)});
    }
    printColumns(OS, {"ID", "RULE", "LOCATION", "PATH"}, Rows);
  }

  OS << "\nMISSED (" << R.Missed.size()
     << "): cycles the run formed that no finding predicted (a gap in the analyzer)\n";
  if (R.Missed.empty()) {
    OS << "  none\n";
  } else {
    std::vector<Row> Rows;
    for (const MissedCycle &M : R.Missed)
      Rows.push_back({std::to_string(M.Seen.Count), totalAndLargest(M.Seen.HostTotal, M.Seen.HostMax),
                      totalAndLargest(M.Seen.DeviceTotal, M.Seen.DeviceMax), waited(M.Seen), renderPath(M.Path)});
    printColumns(
        OS, {"FORMED", "HOST TOTAL / LARGEST", "DEVICE TOTAL / LARGEST", "WAITED MOST: COLLECTIONS / TIME", "PATH"},
        Rows);
  }

  OS << "\nALIVE AT EXIT (" << R.Alive.size()
     << "): objects no collection freed, held by globals or by cycles the collector cannot see\n";
  if (R.Alive.empty()) {
    OS << "  none\n";
  } else {
    std::vector<Row> Rows;
    for (const AliveSummary &A : R.Alive)
      Rows.push_back({A.Type, std::to_string(A.Objects), formatBytes(A.HostBytes), formatBytes(A.DeviceBytes),
                      A.RelatedFindings.empty() ? "-" : ids(V.Findings, A.RelatedFindings)});
    printColumns(OS, {"TYPE", "OBJECTS", "HOST", "DEVICE", "FINDINGS THROUGH IT"}, Rows);
  }
}

}  // namespace cyclops::confirm
