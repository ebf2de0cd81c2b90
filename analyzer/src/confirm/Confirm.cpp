// Confirm.cpp - `cyclops confirm` from options to exit status: findings, run, report, match,
// outputs.
#include "confirm/Confirm.h"

#include <memory>
#include <optional>

#include "llvm/Support/FileSystem.h"

#include "confirm/CommandRunner.h"
#include "confirm/ConfirmOutput.h"
#include "confirm/Findings.h"
#include "confirm/Matcher.h"
#include "confirm/Observations.h"

namespace cyclops::confirm {
namespace {

constexpr const char *Usage =
    "cyclops confirm --findings=FILE.json [--report=OUT.json] [--html=OUT.html] -- COMMAND [ARGS...]";

// An output file opened before the command runs, so that a path that cannot be written
// fails at once rather than after a long run; dropped again when nothing will be written.
class OutputFile {
 public:
  bool open(const std::string &Name, std::string &Error) {
    if (Name.empty()) return true;
    std::error_code EC;
    Stream = std::make_unique<llvm::raw_fd_ostream>(Name, EC, llvm::sys::fs::OF_Text);
    if (EC) {
      Stream.reset();
      Error = "cannot write '" + Name + "': " + EC.message();
      return false;
    }
    Path = Name;
    return true;
  }
  llvm::raw_fd_ostream *stream() { return Stream.get(); }
  // Closes the file; false (with the reason) when writing failed.
  bool close(std::string &Error) {
    if (!Stream) return true;
    Stream->close();
    bool Ok = !Stream->has_error();
    if (!Ok) Error = "cannot write '" + Path + "': " + Stream->error().message();
    Stream->clear_error();
    Stream.reset();
    return Ok;
  }
  void discard() {
    if (!Stream) return;
    Stream->close();
    Stream->clear_error();
    Stream.reset();
    llvm::sys::fs::remove(Path);
  }

 private:
  std::string Path;
  std::unique_ptr<llvm::raw_fd_ostream> Stream;
};

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

  OutputFile Report, Html;
  std::string OpenError;
  if (!Report.open(Options.ReportFile, OpenError) || !Html.open(Options.HtmlFile, OpenError)) {
    Error(OpenError);
    Report.discard();
    return ConfirmError;
  }
  auto Abandon = [&](const llvm::Twine &Message) {
    Error(Message);
    Report.discard();
    Html.discard();
    return ConfirmError;
  };

  llvm::Expected<std::string> ReportPath = freshReportPath();
  if (!ReportPath) return Abandon(llvm::toString(ReportPath.takeError()));
  Out.flush();
  Err.flush();
  llvm::Expected<CommandStatus> Status = runWithReport(Options.Command, *ReportPath);
  if (!Status) {
    llvm::sys::fs::remove(*ReportPath);
    return Abandon(llvm::toString(Status.takeError()));
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
    Abandon(llvm::toString(Read.takeError()) + " (the report is kept for inspection)");
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
  if (llvm::raw_fd_ostream *OS = Report.stream()) writeJsonReport(*OS, View);
  if (llvm::raw_fd_ostream *OS = Html.stream()) writeHtml(*OS, View);
  std::string WriteError;
  bool Written = Report.close(WriteError);
  if (!Written) Error(WriteError);
  if (!Html.close(WriteError)) {
    Error(WriteError);
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
