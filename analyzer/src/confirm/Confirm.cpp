// Confirm.cpp - `cyclops confirm` from options to exit status: findings, run, report, match,
// outputs.
#include "confirm/Confirm.h"

#include <optional>

#include "llvm/Support/FileSystem.h"

#include "confirm/CommandRunner.h"
#include "confirm/ConfirmOutput.h"
#include "confirm/Findings.h"
#include "confirm/Matcher.h"
#include "confirm/Observations.h"
#include "io/OutputFile.h"

namespace cyclops::confirm {
namespace {

constexpr const char *Usage =
    "cyclops confirm --findings=FILE.json [--report=OUT.json] [--html=OUT.html] -- COMMAND [ARGS...]";

// --report or --html, opened before the command runs so that a path that cannot be written
// fails at once rather than after a long run; none when not asked for. Reports: a device or
// FIFO is written straight into, a regular file replaced whole (OutputFile.h).
llvm::Expected<std::optional<OutputFile>> openOutput(const std::string &Path) {
  if (Path.empty()) return std::nullopt;
  llvm::Expected<OutputFile> F = OutputFile::open(Path, NonRegularFile::WriteInto);
  if (!F) return F.takeError();
  return std::optional<OutputFile>(std::move(*F));
}

}  // namespace

int runConfirm(const ConfirmOptions &Options, llvm::raw_ostream &Out, llvm::raw_ostream &Err) {
  auto Error = [&](const llvm::Twine &Message) { Err << "cyclops: error: " << Message << "\n"; };
  auto Note = [&](const llvm::Twine &Message) { Err << "cyclops: note: " << Message << "\n"; };
  if (Options.FindingsFile.empty()) {
    Error(llvm::Twine("no findings file: use ") + Usage);
    return ConfirmError;
  }
  if (Options.Command.empty()) {
    Error(llvm::Twine("no command to run: use ") + Usage);
    return ConfirmError;
  }
  llvm::Expected<std::vector<StaticFinding>> Findings = readFindings(Options.FindingsFile);
  if (!Findings) {
    Error(llvm::toString(Findings.takeError()));
    return ConfirmError;
  }

  // Dropped unwritten (OutputFile's destructor) on every return before they are committed.
  llvm::Expected<std::optional<OutputFile>> Report = openOutput(Options.ReportFile);
  if (!Report) {
    Error(llvm::toString(Report.takeError()));
    return ConfirmError;
  }
  llvm::Expected<std::optional<OutputFile>> Html = openOutput(Options.HtmlFile);
  if (!Html) {
    Error(llvm::toString(Html.takeError()));
    return ConfirmError;
  }

  llvm::Expected<std::string> ReportPath = freshReportPath();
  if (!ReportPath) {
    Error(llvm::toString(ReportPath.takeError()));
    return ConfirmError;
  }
  Out.flush();
  Err.flush();
  llvm::Expected<CommandStatus> Status = runWithReport(Options.Command, *ReportPath);
  if (!Status) {
    llvm::sys::fs::remove(*ReportPath);
    Error(llvm::toString(Status.takeError()));
    return ConfirmError;
  }
  const int Exit = Status->ExitStatus;
  const std::string Command = commandLine(Options.Command);
  if (!Status->Signal.empty())
    Note("'" + Command + "' was killed by a signal (" + Status->Signal + "); confirm exits with " + llvm::Twine(Exit));
  else if (Exit != 0)
    Note("'" + Command + "' exited with status " + llvm::Twine(Exit) + "; confirm exits with it");

  RunInfo Run{Options.Command, Exit, Status->Signal, true};
  Observations Observed;
  llvm::Expected<std::optional<Observations>> Read = readReport(*ReportPath);
  if (!Read) {
    // Keep the report so that the line at fault can be looked at.
    Error(llvm::toString(Read.takeError()) + " (the report is kept for inspection)");
    return Exit != 0 ? Exit : ConfirmError;
  }
  llvm::sys::fs::remove(*ReportPath);
  if (!*Read) {
    Run.ReportWritten = false;
    Note("'" + Command +
         "' wrote no collector report (CYC_REPORT): it never loaded libcyc or never ran a "
         "collection; counting zero observations");
  } else {
    Observed = std::move(**Read);
  }

  ConfirmResult Result = match(*Findings, Observed);
  ConfirmView View{Run, *Findings, Observed, Result};
  writeTable(Out, View);
  Out.flush();
  if (*Report) writeJsonReport((*Report)->os(), View);
  if (*Html) writeHtml((*Html)->os(), View);
  bool Written = true;
  for (std::optional<OutputFile> *File : {&*Report, &*Html})
    if (*File)
      if (llvm::Error E = (*File)->commit()) {
        Error(llvm::toString(std::move(E)));
        Written = false;
      }

  Err << "cyclops: " << Result.Confirmed.size() << " confirmed, " << Result.NotExercised.size() << " not exercised, "
      << Result.Missed.size() << " missed; " << Result.Alive.size() << " type" << (Result.Alive.size() == 1 ? "" : "s")
      << " alive at exit\n";
  if (Exit != 0) return Exit;
  if (!Written) return ConfirmError;
  return Result.Missed.empty() ? ConfirmOk : ConfirmMissed;
}

}  // namespace cyclops::confirm
