// JsonReport.cpp - the confirm result as JSON (--report), with llvm::json.
#include "confirm/ConfirmOutput.h"

#include "llvm/Support/FormatVariadic.h"

namespace cyclops::confirm {
namespace {

llvm::json::Value count(uint64_t N) { return llvm::json::Value(N); }

llvm::json::Object totalAndMax(uint64_t Total, uint64_t Max) {
  return llvm::json::Object{{"total", count(Total)}, {"max", count(Max)}};
}

llvm::json::Array steps(const std::vector<FindingStep> &Path) {
  llvm::json::Array A;
  for (const FindingStep &S : Path) A.push_back(llvm::json::Object{{"type", S.Type}, {"field", S.Field}});
  return A;
}

llvm::json::Array steps(const std::vector<ObservedStep> &Path) {
  llvm::json::Array A;
  for (const ObservedStep &S : Path)
    A.push_back(llvm::json::Object{{"type", S.Type}, {"field", S.Field}, {"owner", S.Owner}});
  return A;
}

// What a finding is: the keys of `cyclops check --format=json` that say so.
llvm::json::Object finding(const StaticFinding &F) {
  return llvm::json::Object{{"id", F.Id},     {"rule", F.Rule}, {"severity", F.Severity}, {"message", F.Message},
                            {"file", F.File}, {"line", F.Line}, {"column", F.Column},     {"path", steps(F.Path)}};
}

// How often a cycle formed and what it held.
void occurrences(llvm::json::Object &O, const Occurrences &S) {
  O["formed"] = count(S.Count);
  O["host_bytes"] = totalAndMax(S.HostTotal, S.HostMax);
  O["device_bytes"] = totalAndMax(S.DeviceTotal, S.DeviceMax);
  O["waited_ns"] = totalAndMax(S.WaitedNsTotal, S.WaitedNsMax);
  O["waited_collections"] = totalAndMax(S.WaitedCollectionsTotal, S.WaitedCollectionsMax);
  llvm::json::Object Reasons;
  for (const auto &[Reason, N] : S.Reasons) Reasons[Reason] = count(N);
  O["reasons"] = std::move(Reasons);
}

llvm::json::Array ids(const std::vector<StaticFinding> &Findings, const std::vector<size_t> &Indices) {
  llvm::json::Array A;
  for (size_t I : Indices) A.push_back(Findings[I].Id);
  return A;
}

}  // namespace

llvm::json::Value toJson(const ConfirmView &V) {
  const ConfirmResult &R = V.Result;
  llvm::json::Array Confirmed, NotExercised, Missed, Alive;
  for (const ConfirmedFinding &C : R.Confirmed) {
    llvm::json::Object O = finding(V.Findings[C.Finding]);
    occurrences(O, C.Seen);
    O["observed_path"] = steps(C.Drawn);
    O["also_matches"] = ids(V.Findings, C.AlsoMatches);
    Confirmed.push_back(std::move(O));
  }
  for (size_t I : R.NotExercised) NotExercised.push_back(finding(V.Findings[I]));
  for (const MissedCycle &M : R.Missed) {
    llvm::json::Object O{{"path", steps(M.Path)}};
    occurrences(O, M.Seen);
    Missed.push_back(std::move(O));
  }
  for (const AliveSummary &A : R.Alive)
    Alive.push_back(llvm::json::Object{{"type", A.Type},
                                       {"objects", count(A.Objects)},
                                       {"host_bytes", count(A.HostBytes)},
                                       {"device_bytes", count(A.DeviceBytes)},
                                       {"processes", count(A.Processes)},
                                       {"related_findings", ids(V.Findings, A.RelatedFindings)}});
  llvm::json::Array Command;
  for (const std::string &A : V.Run.Command) Command.push_back(A);
  llvm::json::Object Run{{"command", std::move(Command)},
                         {"exit_status", V.Run.ExitStatus},
                         {"report_written", V.Run.ReportWritten},
                         {"processes", count(R.Processes)},
                         {"cycles_observed", count(R.CyclesObserved)},
                         {"cycle_findings", count(R.CycleFindings)}};
  if (!V.Run.Signal.empty()) Run["signal"] = V.Run.Signal;
  return llvm::json::Object{{"run", std::move(Run)},
                            {"confirmed", std::move(Confirmed)},
                            {"not_exercised", std::move(NotExercised)},
                            {"missed", std::move(Missed)},
                            {"alive_at_exit", std::move(Alive)}};
}

void writeJsonReport(llvm::raw_ostream &OS, const ConfirmView &V) { OS << llvm::formatv("{0:2}", toJson(V)) << "\n"; }

}  // namespace cyclops::confirm
