// CheckCommand.cpp - `cyclops check`, one step per function: load the inputs, analyze,
// record a baseline, write the report, summarize.
#include "cli/CheckCommand.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <set>

#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/Support/raw_ostream.h"

#include "cli/FactsCommand.h"
#include "extract/CompilationDb.h"
#include "extract/ResourceDir.h"
#include "facts/FactsCache.h"
#include "io/OutputFile.h"
#include "output/Baseline.h"
#include "output/Fixes.h"
#include "output/Output.h"
#include "output/SourceRoot.h"
#include "program/Analyzer.h"

namespace cyclops {

void reportError(const llvm::Twine &Message) { llvm::errs() << "cyclops: error: " << Message << "\n"; }

std::optional<RuleSet> loadRulesOrReport(const std::string &RulesFile) {
  llvm::Expected<RuleSet> R = RulesFile.empty() ? defaultRules() : loadRulesFile(RulesFile);
  if (!R) {
    reportError(llvm::toString(R.takeError()));
    return std::nullopt;
  }
  return std::move(*R);
}

namespace {

// Everything a run reads before it analyzes anything: a bad input should not cost a run.
struct CheckInputs {
  RuleSet Rules;
  std::optional<ProjectDatabase> DB;  // none with --facts
  std::string ResourceDir;            // "" with --facts: nothing is parsed
  SourceRoot Root;
  std::optional<Baseline> Base;
};

// Reports the first problem and returns false.
template <class T>
bool take(llvm::Expected<T> Value, T &Into, const llvm::Twine &Prefix = "") {
  if (!Value) {
    reportError(Prefix + llvm::toString(Value.takeError()));
    return false;
  }
  Into = std::move(*Value);
  return true;
}

template <class T>
bool take(llvm::Expected<T> Value, std::optional<T> &Into) {
  if (!Value) {
    reportError(llvm::toString(Value.takeError()));
    return false;
  }
  Into.emplace(std::move(*Value));
  return true;
}

bool checkSources(const CheckOptions &O) {
  if (!O.BuildDir.empty() && !O.FactsDir.empty()) {
    reportError("-p BUILD_DIR and --facts=DIR exclude each other: parse a build, or merge the facts files of one");
    return false;
  }
  if (O.BuildDir.empty() && O.FactsDir.empty()) {
    reportError("no build directory: use cyclops check -p BUILD_DIR [FILES...] (or --facts=DIR)");
    return false;
  }
  if (!O.FactsDir.empty() && !O.Extra.empty()) {
    reportError("--extra-arg and --extra-arg-before change compile commands: use them with -p BUILD_DIR, not --facts");
    return false;
  }
  return true;
}

std::optional<CheckInputs> loadInputs(const CheckOptions &O) {
  std::optional<RuleSet> Rules = loadRulesOrReport(O.RulesFile);
  if (!Rules || !checkSources(O)) return std::nullopt;
  CheckInputs In{std::move(*Rules), std::nullopt, "", SourceRoot(), std::nullopt};
  if (O.FactsDir.empty() &&
      (!take(openProjectDatabase(O.BuildDir, O.Extra, /*InferMissing=*/true), In.DB) ||
       !take(findResourceDir(O.ResourceDir, O.Argv0, O.MainAddr), In.ResourceDir)))
    return std::nullopt;
  if (!take(SourceRoot::open(O.SourceRoot), In.Root, O.SourceRoot.empty() ? "" : "--source-root: "))
    return std::nullopt;
  if (!O.BaselineFile.empty()) {
    Baseline B;
    if (!take(loadBaseline(O.BaselineFile), B)) return std::nullopt;
    In.Base = std::move(B);
  }
  return In;
}

// The cache lives in the build directory by default: it describes that build's commands.
std::string cacheDirFor(const CheckOptions &O) {
  if (O.NoCache) return "";
  return O.CacheDir.empty() ? defaultCacheDir(O.BuildDir) : O.CacheDir;
}

struct AnalyzedRun {
  AnalysisResult Result;
  FileSelection Selection;
  bool InputErrors = false;  // the run saw only part of the program
};

// The files -p BUILD_DIR [FILES...] chooses, and what the user should know about their commands.
FileSelection selectAndNote(const CheckOptions &O, const ProjectDatabase &DB) {
  FileSelection Selection = selectFiles(DB.commands(), O.Files);
  for (const std::string &N : Selection.Notes) llvm::errs() << "cyclops: note: " << N << "\n";
  if (std::string Dropped = DB.droppedArgumentsNote(Selection.Files); !Dropped.empty())
    llvm::errs() << "cyclops: note: " << Dropped << "\n";
  return Selection;
}

// Parses the selected files (or merges --facts, which parse nothing and need no cache).
std::optional<AnalyzedRun> analyzeInputs(const CheckOptions &O, const CheckInputs &In) {
  AnalyzedRun Run;
  std::optional<LoadedFacts> Merged;
  if (!O.FactsDir.empty()) {
    LoadedFacts L;
    if (!take(loadFactsDir(O.FactsDir, O.Files, In.Rules, O.Jobs), L, "--facts: ")) return std::nullopt;
    Merged = std::move(L);
  }
  Run.Selection = Merged ? std::move(Merged->Selection) : selectAndNote(O, *In.DB);
  for (const SelectionError &E : Run.Selection.Errors) reportError(E.Message);
  if (Merged)
    Run.Result = analyzeFacts(std::move(Merged->Facts), In.Rules);
  else if (!Run.Selection.Files.empty())
    Run.Result = analyze(In.DB->commands(), Run.Selection.Files, In.Rules,
                         AnalysisOptions{O.Jobs, In.ResourceDir, cacheDirFor(O)});
  for (const TUFailure &F : Run.Result.Failures) reportError(F.File + ": does not compile: " + F.Reason);
  for (const std::string &R : Run.Result.Remarks) llvm::errs() << "cyclops: note: " << R << "\n";
  Run.InputErrors = !Run.Selection.Errors.empty() || !Run.Result.Failures.empty();
  return Run;
}

// --write-baseline. A run with input errors saw only part of the program; a baseline of it
// would lack the findings of the rest, so it is not written (the old one, if any, stays).
// Returns whether it was recorded, or an error that ends the run.
llvm::Expected<bool> recordBaseline(const CheckOptions &O, const AnalyzedRun &Run, const SourceRoot &Root) {
  if (O.WriteBaselineFile.empty()) return false;
  if (Run.InputErrors) {
    reportError("not writing baseline '" + O.WriteBaselineFile + "': the input has errors");
    return false;
  }
  if (llvm::Error E = writeBaseline(O.WriteBaselineFile, Run.Result.Findings, Root)) return E;
  return true;
}

// The requested files that could not be analyzed and the translation units that did not
// compile, as the reports list them: one line each.
std::vector<InputError> inputErrors(const AnalyzedRun &Run) {
  std::vector<InputError> Errors;
  for (const SelectionError &E : Run.Selection.Errors) Errors.push_back({E.File, E.Message});
  for (const TUFailure &F : Run.Result.Failures) {
    std::string Message = F.Reason;
    std::replace(Message.begin(), Message.end(), '\n', ' ');
    Errors.push_back({F.File, std::move(Message)});
  }
  return Errors;
}

// The findings in the chosen format on OS; ToFile: OS is -o FILE, never coloured by --color=auto.
void writeFindings(const CheckOptions &O, llvm::raw_ostream &OS, bool ToFile, const std::vector<Finding> &Reported,
                   const CheckInputs &In, const BaselineSplit *Against, const std::vector<InputError> &Errors,
                   const std::vector<Truncation> &Truncated) {
  switch (O.OutputFormat) {
    case Format::Json: writeJson(OS, Reported, Against, Errors, Truncated); break;
    case Format::Sarif: writeSarif(OS, Reported, In.Rules, In.Root, Against, Errors, Truncated); break;
    case Format::CodeClimate: writeCodeClimate(OS, Reported, In.Root); break;
    case Format::Text:
      writeText(OS, Reported,
                O.ColorMode == Color::Always || (O.ColorMode == Color::Auto && !ToFile && OS.has_colors()));
      break;
  }
}

// The report on stdout, or in -o FILE: a report, so a device or FIFO is written straight into
// (-o /dev/stdout) and a regular file replaced whole (io/OutputFile.h).
llvm::Error writeReport(const CheckOptions &O, const std::vector<Finding> &Reported, const CheckInputs &In,
                        const BaselineSplit *Against, const std::vector<InputError> &Errors,
                        const std::vector<Truncation> &Truncated) {
  if (O.OutputFile.empty()) {
    writeFindings(O, llvm::outs(), /*ToFile=*/false, Reported, In, Against, Errors, Truncated);
    llvm::outs().flush();  // before the summary on stderr; a failed write is the caller's
    return llvm::Error::success();
  }
  return writeOutputFile(O.OutputFile, NonRegularFile::WriteInto, [&](llvm::raw_ostream &OS) {
    writeFindings(O, OS, /*ToFile=*/true, Reported, In, Against, Errors, Truncated);
  });
}

// The summary line on stderr, then what left the baseline and what was recorded.
void summarize(const CheckOptions &O, const AnalyzedRun &Run, const std::vector<Finding> &Reported,
               const BaselineSplit *Split, bool Recorded) {
  const AnalysisResult &R = Run.Result;
  llvm::errs() << "cyclops: " << Reported.size() << (Split ? " new" : "") << " finding"
               << (Reported.size() == 1 ? "" : "s");
  if (Split)
    llvm::errs() << ", " << Split->Unchanged.size() << " in the baseline, " << Split->Absent.size()
                 << " gone from it";
  if (R.Suppressed) llvm::errs() << " (" << R.Suppressed << " suppressed)";
  llvm::errs() << " in " << R.TranslationUnits << " translation unit" << (R.TranslationUnits == 1 ? "" : "s");
  if (R.FromCache) llvm::errs() << " (" << R.FromCache << " from the cache)";
  if (!R.Failures.empty()) llvm::errs() << "; " << R.Failures.size() << " did not compile";
  llvm::errs() << "\n";
  if (Split)
    for (const BaselineEntry &E : Split->Absent)
      llvm::errs() << "cyclops: gone from the baseline: " << E.Id << " [" << E.Rule << "] " << E.File << ": "
                   << E.Message << "\n";
  if (Recorded)
    llvm::errs() << "cyclops: recorded " << R.Findings.size() << " finding" << (R.Findings.size() == 1 ? "" : "s")
                 << " in '" << O.WriteBaselineFile << "'\n";
}

// "N THINGs", with the plural when N is not 1.
std::string count(size_t N, llvm::StringRef Thing) {
  return std::to_string(N) + " " + Thing.str() + (N == 1 ? "" : "s");
}

// --fix and --export-fixes on the reported findings; false after an error, said on stderr.
bool fixFindings(const CheckOptions &O, const AnalyzedRun &Run, const std::vector<Finding> &Reported) {
  if (!O.Fix && O.ExportFixesFile.empty()) return true;
  FixPlan Plan = planFixes(Reported);
  for (const std::string &N : Plan.Notes) llvm::errs() << "cyclops: note: " << N << "\n";
  if (!O.ExportFixesFile.empty()) {
    std::string Main = Run.Selection.Files.size() == 1 ? Run.Selection.Files.front() : "";
    if (llvm::Error E = writeOutputFile(O.ExportFixesFile, NonRegularFile::WriteInto,
                                        [&](llvm::raw_ostream &OS) { writeFixesYaml(OS, Plan, Main); })) {
      reportError(llvm::toString(std::move(E)));
      return false;
    }
  }
  if (!O.Fix) return true;
  if (Run.InputErrors) {
    llvm::errs() << "cyclops: note: no fix-its applied: the input has errors\n";
    return true;
  }
  if (llvm::Error E = applyFixes(Plan)) {
    reportError(llvm::toString(std::move(E)));
    return false;
  }
  llvm::errs() << "cyclops: applied " << count(Plan.edits(), "fix-it") << " in " << count(Plan.Files.size(), "file")
               << "\n";
  return true;
}

}  // namespace

int runCheck(const CheckOptions &O) {
  std::optional<CheckInputs> In = loadInputs(O);
  if (!In) return ExitError;
  std::optional<AnalyzedRun> Run = analyzeInputs(O, *In);
  if (!Run) return ExitError;
  bool Recorded = false;
  if (!take(recordBaseline(O, *Run, In->Root), Recorded)) return ExitError;

  // With a baseline, the report is what is new; the rest is listed apart.
  std::optional<BaselineSplit> Split;
  if (In->Base) {
    std::set<std::string> Scope;
    for (const std::string &F : Run->Selection.Files) Scope.insert(In->Root.display(F));
    Split = splitByBaseline(Run->Result.Findings, *In->Base, O.Files.empty() ? nullptr : &Scope);
  }
  const std::vector<Finding> &Reported = Split ? Split->New : Run->Result.Findings;
  if (llvm::Error E = writeReport(O, Reported, *In, Split ? &*Split : nullptr, inputErrors(*Run),
                                 Run->Result.Truncated)) {
    reportError(llvm::toString(std::move(E)));
    return ExitError;
  }
  summarize(O, *Run, Reported, Split ? &*Split : nullptr, Recorded);
  if (!fixFindings(O, *Run, Reported)) return ExitError;

  if (Run->InputErrors) return ExitError;
  if (Recorded) return 0;
  for (const Finding &F : Reported)
    if (F.Level >= O.FailOn) return ExitFindings;
  return 0;
}

}  // namespace cyclops
