// main.cpp - the `cyclops` command line: `cyclops check` and `cyclops rules`.
//
// Exit codes: 0 nothing at or above --fail-on; 1 findings; 2 usage or input errors (a
// missing or malformed compilation database, a file it does not list, a translation unit
// that does not compile, a bad rules file), each reported on one line.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include "Analyzer.h"
#include "CompilationDb.h"
#include "Output.h"
#include "ResourceDir.h"
#include "Rules.h"
#include "checks/Check.h"

namespace cl = llvm::cl;
using namespace cyclops;

namespace {

enum class Format { Text, Json };

cl::OptionCategory Category("cyclops options");

cl::SubCommand CheckCmd("check", "Find code and types that can form strong reference cycles");
cl::SubCommand RulesCmd("rules", "List the rules: ids, severities, one-line docs");

cl::opt<std::string> BuildDir("p", cl::desc("Build directory containing compile_commands.json"),
                              cl::value_desc("BUILD_DIR"), cl::Prefix, cl::sub(CheckCmd), cl::cat(Category));
cl::list<std::string> Files(cl::Positional, cl::desc("[FILES...]"), cl::sub(CheckCmd), cl::cat(Category));
cl::opt<Format> OutputFormat("format", cl::desc("Output format"),
                             cl::values(clEnumValN(Format::Text, "text", "clang-style diagnostics (default)"),
                                        clEnumValN(Format::Json, "json", "JSON")),
                             cl::init(Format::Text), cl::sub(CheckCmd), cl::cat(Category));
cl::opt<std::string> OutputFile("o", cl::desc("Write the findings to FILE instead of stdout"),
                                cl::value_desc("FILE"), cl::Prefix, cl::sub(CheckCmd), cl::cat(Category));
cl::opt<std::string> RulesFile("rules",
                               cl::desc("Rules file: extends the defaults with `base: default`, "
                                        "replaces them otherwise"),
                               cl::value_desc("FILE"), cl::sub(CheckCmd), cl::sub(RulesCmd), cl::cat(Category));
cl::opt<Severity> FailOn("fail-on", cl::desc("Lowest severity that makes the exit status 1"),
                         cl::values(clEnumValN(Severity::Note, "note", "any finding"),
                                    clEnumValN(Severity::Warning, "warning", "warnings and errors (default)"),
                                    clEnumValN(Severity::Error, "error", "errors only")),
                         cl::init(Severity::Warning), cl::sub(CheckCmd), cl::cat(Category));
cl::opt<unsigned> Jobs("j", cl::desc("Translation units analyzed at once (default: one per core)"),
                       cl::value_desc("N"), cl::init(0), cl::Prefix, cl::sub(CheckCmd), cl::cat(Category));
cl::opt<std::string> ResourceDirOpt("resource-dir",
                                    cl::desc("clang's resource directory (builtin headers); found "
                                             "automatically, or from $CYCLOPS_RESOURCE_DIR"),
                                    cl::value_desc("DIR"), cl::sub(CheckCmd), cl::cat(Category));

constexpr int ExitFindings = 1;
constexpr int ExitError = 2;

void error(const llvm::Twine &Message) { llvm::errs() << "cyclops: error: " << Message << "\n"; }

std::optional<RuleSet> rules() {
  llvm::Expected<RuleSet> R = RulesFile.empty() ? defaultRules() : loadRulesFile(RulesFile);
  if (!R) {
    error(llvm::toString(R.takeError()));
    return std::nullopt;
  }
  return std::move(*R);
}

int listRules() {
  std::optional<RuleSet> R = rules();
  if (!R) return ExitError;
  for (const RuleInfo &Rule : R->Rules) {
    std::string Status;
    if (!isImplementedRule(Rule.Id)) Status = " (not checked by this version)";
    else if (!Rule.Enabled) Status = " (disabled)";
    llvm::outs() << llvm::left_justify(Rule.Id, 16) << llvm::left_justify(severityName(Rule.Level), 9)
                 << Rule.Summary << Status << "\n"
                 << llvm::left_justify("", 25) << "docs: rules/docs/" << Rule.Id << ".md\n";
  }
  return 0;
}

int check(const char *Argv0) {
  std::optional<RuleSet> Rules = rules();
  if (!Rules) return ExitError;
  if (BuildDir.empty()) {
    error("no build directory: use cyclops check -p BUILD_DIR [FILES...]");
    return ExitError;
  }
  auto DB = loadCompilationDatabase(BuildDir);
  if (!DB) {
    error(llvm::toString(DB.takeError()));
    return ExitError;
  }
  llvm::Expected<std::string> ResourceDir =
      findResourceDir(ResourceDirOpt, Argv0, reinterpret_cast<void *>(&listRules));
  if (!ResourceDir) {
    error(llvm::toString(ResourceDir.takeError()));
    return ExitError;
  }

  bool InputErrors = false;
  FileSelection Selection = selectFiles(**DB, Files);
  for (const std::string &E : Selection.Errors) error(E);
  InputErrors = !Selection.Errors.empty();

  AnalysisResult Result;
  if (!Selection.Files.empty())
    Result = analyze(**DB, Selection.Files, *Rules, AnalysisOptions{Jobs, *ResourceDir});
  for (const TUFailure &F : Result.Failures) error(F.File + ": does not compile: " + F.Reason);
  InputErrors = InputErrors || !Result.Failures.empty();
  for (const std::string &R : Result.Remarks) llvm::errs() << "cyclops: note: " << R << "\n";

  std::unique_ptr<llvm::raw_fd_ostream> File;
  if (!OutputFile.empty()) {
    std::error_code EC;
    File = std::make_unique<llvm::raw_fd_ostream>(OutputFile, EC, llvm::sys::fs::OF_Text);
    if (EC) {
      error("cannot write '" + OutputFile + "': " + EC.message());
      return ExitError;
    }
  }
  llvm::raw_ostream &OS = File ? *File : llvm::outs();
  if (OutputFormat == Format::Json)
    writeJson(OS, Result.Findings);
  else
    writeText(OS, Result.Findings, !File && OS.has_colors());
  OS.flush();

  unsigned AtOrAbove = 0;
  for (const Finding &F : Result.Findings)
    if (F.Level >= FailOn) ++AtOrAbove;
  llvm::errs() << "cyclops: " << Result.Findings.size() << " finding"
               << (Result.Findings.size() == 1 ? "" : "s");
  if (Result.Suppressed) llvm::errs() << " (" << Result.Suppressed << " suppressed)";
  llvm::errs() << " in " << Result.TranslationUnits << " translation unit"
               << (Result.TranslationUnits == 1 ? "" : "s");
  if (!Result.Failures.empty()) llvm::errs() << "; " << Result.Failures.size() << " did not compile";
  llvm::errs() << "\n";

  if (InputErrors) return ExitError;
  return AtOrAbove ? ExitFindings : 0;
}

}  // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM Init(argc, argv);
  // libLLVM registers hundreds of options of its own; --help shows ours.
  cl::HideUnrelatedOptions(Category);
  if (!cl::ParseCommandLineOptions(argc, argv,
                                   "cyclops - find strong reference cycles in C++\n\n"
                                   "  cyclops check -p BUILD_DIR [FILES...] [--format=text|json] [-o FILE]\n"
                                   "                [--rules=FILE] [--fail-on=note|warning|error] [-j N]\n"
                                   "  cyclops rules [--rules=FILE]\n",
                                   &llvm::errs()))
    return ExitError;
  if (CheckCmd) return check(argv[0]);
  if (RulesCmd) return listRules();
  error("expected a subcommand: check or rules (see cyclops --help)");
  return ExitError;
}
