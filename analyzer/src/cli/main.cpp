// main.cpp - the `cyclops` command line: its options (llvm::cl) and subcommands, each of
// which is a command with an options struct of its own: `cyclops check` (cli/CheckCommand.h,
// with the exit statuses), `cyclops rules`, `cyclops confirm` (confirm/Confirm.h) and
// `cyclops facts` (cli/FactsCommand.h, exit 0 or 2) and `cyclops lsp` (cli/LspCommand.h).
#include <optional>
#include <string>

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include "cli/CheckCommand.h"
#include "cli/FactsCommand.h"
#include "cli/LspCommand.h"
#include "config/RuleDocs.h"
#include "config/Rules.h"
#include "confirm/Confirm.h"
#include "extract/ResourceDir.h"
#include "rules/Registry.h"

namespace cl = llvm::cl;
using namespace cyclops;

namespace {

cl::OptionCategory Category("cyclops options");

cl::SubCommand CheckCmd("check", "Find code and types that can form strong reference cycles");
cl::SubCommand RulesCmd("rules", "List the rules: ids, severities, one-line docs");

// cyclops confirm --findings=F.json [--report=OUT.json] [--html=OUT.html] -- COMMAND [ARGS...]
cl::SubCommand ConfirmCmd("confirm",
                          "Run a program linked with libcyc and match the cycles it collected to the findings. "
                          "Exit status: the command's when it fails; else 0, 1 when cycles no finding "
                          "predicted formed (MISSED), 2 on usage or input errors");
cl::opt<std::string> ConfirmFindings("findings", cl::desc("Findings of cyclops check --format=json (required)"),
                                     cl::value_desc("FILE.json"), cl::sub(ConfirmCmd), cl::cat(Category));
cl::opt<std::string> ConfirmReport("report", cl::desc("Also write the result as JSON to FILE"),
                                   cl::value_desc("OUT.json"), cl::sub(ConfirmCmd), cl::cat(Category));
cl::opt<std::string> ConfirmHtml("html", cl::desc("Also write a page with a diagram of each cycle to FILE"),
                                 cl::value_desc("OUT.html"), cl::sub(ConfirmCmd), cl::cat(Category));
cl::list<std::string> ConfirmCommand(cl::Positional, cl::desc("-- COMMAND [ARGS...]"), cl::sub(ConfirmCmd),
                                     cl::cat(Category));

cl::opt<std::string> BuildDir("p",
                              cl::desc("Build directory containing compile_commands.json; a FILE it does not list "
                                       "(a header, a test) gets the command of the nearest file it lists, and "
                                       "arguments clang does not know (GCC-only flags) are dropped, with a note"),
                              cl::value_desc("BUILD_DIR"), cl::Prefix, cl::sub(CheckCmd), cl::cat(Category));
cl::list<std::string> Files(cl::Positional, cl::desc("[FILES...]"), cl::sub(CheckCmd), cl::cat(Category));
cl::opt<Format> OutputFormat("format", cl::desc("Output format"),
                             cl::values(clEnumValN(Format::Text, "text", "clang-style diagnostics (default)"),
                                        clEnumValN(Format::Json, "json", "JSON"),
                                        clEnumValN(Format::Sarif, "sarif", "SARIF 2.1.0 (GitHub code scanning)"),
                                        clEnumValN(Format::CodeClimate, "codeclimate",
                                                   "Code Climate issues (GitLab Code Quality)")),
                             cl::init(Format::Text), cl::sub(CheckCmd), cl::cat(Category));
cl::opt<Color> ColorOpt("color", cl::desc("Colour in text output"),
                        cl::values(clEnumValN(Color::Auto, "auto", "when writing to a terminal (default)"),
                                   clEnumValN(Color::Always, "always", "always, into -o FILE too"),
                                   clEnumValN(Color::Never, "never", "never")),
                        cl::init(Color::Auto), cl::sub(CheckCmd), cl::cat(Category));
cl::opt<std::string> OutputFile("o", cl::desc("Write the findings to FILE instead of stdout"),
                                cl::value_desc("FILE"), cl::Prefix, cl::sub(CheckCmd), cl::cat(Category));
// cyclops lsp [--compile-commands-dir=DIR] [--rules=FILE]: a language server on stdio.
cl::SubCommand LspCmd("lsp",
                      "Language server (LSP 3.17 over stdio) publishing the findings of the files an editor "
                      "opens and saves, beside clangd (docs/editors.md)");
cl::opt<std::string> LspCompileCommandsDir(
    "compile-commands-dir",
    cl::desc("Directory of compile_commands.json (default: the initialization option compileCommandsDir, else "
             "the workspace root, else its build/)"),
    cl::value_desc("DIR"), cl::sub(LspCmd), cl::cat(Category));
cl::opt<unsigned> LspJobs("j", cl::desc("Translation units indexed at once (default: one fewer than the cores)"),
                          cl::value_desc("N"), cl::init(0), cl::Prefix, cl::sub(LspCmd), cl::cat(Category));

cl::opt<std::string> RulesFile("rules",
                               cl::desc("Rules file: extends the defaults with `base: default`, "
                                        "replaces them otherwise"),
                               cl::value_desc("FILE"), cl::sub(CheckCmd), cl::sub(RulesCmd), cl::sub(LspCmd),
                               cl::cat(Category));
cl::opt<std::string> Explain("explain", cl::desc("Print the documentation of rule ID: what it finds, an example, "
                                                  "the fix, how to suppress"),
                             cl::value_desc("ID"), cl::sub(RulesCmd), cl::cat(Category));
cl::opt<Severity> FailOn("fail-on", cl::desc("Lowest severity that makes the exit status 1"),
                         cl::values(clEnumValN(Severity::Note, "note", "any finding"),
                                    clEnumValN(Severity::Warning, "warning", "warnings and errors (default)"),
                                    clEnumValN(Severity::Error, "error", "errors only")),
                         cl::init(Severity::Warning), cl::sub(CheckCmd), cl::cat(Category));
cl::opt<unsigned> Jobs("j", cl::desc("Translation units analyzed at once (default: one per core)"),
                       cl::value_desc("N"), cl::init(0), cl::Prefix, cl::sub(CheckCmd), cl::cat(Category));
cl::opt<std::string> SourceRootOpt("source-root",
                                   cl::desc("Files under DIR are named relative to it in SARIF, Code Climate "
                                            "and baselines (default: the current directory)"),
                                   cl::value_desc("DIR"), cl::sub(CheckCmd), cl::cat(Category));
cl::opt<std::string> BaselineFile("baseline",
                                  cl::desc("Report and fail only on findings whose id is not in FILE"),
                                  cl::value_desc("FILE"), cl::sub(CheckCmd), cl::cat(Category));
cl::opt<std::string> WriteBaselineFile("write-baseline",
                                       cl::desc("Record this run's findings in FILE (exit status 0 unless "
                                                "the input has errors)"),
                                       cl::value_desc("FILE"), cl::sub(CheckCmd), cl::cat(Category));
cl::opt<std::string> CacheDirOpt("cache-dir",
                                 cl::desc("Keep each translation unit's facts in DIR and reuse them while "
                                          "its inputs, command and the rules are unchanged "
                                          "(default: BUILD_DIR/.cyclops-cache)"),
                                 cl::value_desc("DIR"), cl::sub(CheckCmd), cl::cat(Category));
cl::opt<bool> NoCache("no-cache", cl::desc("Parse every translation unit; neither read nor write the cache"),
                      cl::sub(CheckCmd), cl::cat(Category));
cl::opt<bool> FixOpt("fix",
                     cl::desc("Apply the fix-its of the reported findings to the files, after the report; "
                              "a fix-it that conflicts with one before it is left out, with a note"),
                     cl::sub(CheckCmd), cl::cat(Category));
cl::opt<std::string> ExportFixes("export-fixes",
                                 cl::desc("Write the fix-its --fix would apply to FILE as YAML, as clang-tidy "
                                          "does, for clang-apply-replacements"),
                                 cl::value_desc("FILE"), cl::sub(CheckCmd), cl::cat(Category));
cl::opt<std::string> ResourceDirOpt("resource-dir",
                                    cl::desc("clang's resource directory (builtin headers); found "
                                             "automatically, or from $CYCLOPS_RESOURCE_DIR"),
                                    cl::value_desc("DIR"), cl::sub(CheckCmd), cl::sub(LspCmd), cl::cat(Category));

// cyclops check --facts=DIR: the facts `cyclops facts` wrote, instead of -p BUILD_DIR.
cl::opt<std::string> FactsDir("facts",
                              cl::desc("Merge the facts files (*.facts) under DIR, which `cyclops facts` wrote, "
                                       "instead of parsing a build (-p)"),
                              cl::value_desc("DIR"), cl::sub(CheckCmd), cl::cat(Category));

// cyclops facts -p BUILD_DIR FILE -o OUT.facts [--depfile=OUT.d] [--rules=FILE] [--resource-dir=DIR]
cl::SubCommand FactsCmd("facts",
                        "Extract one translation unit's facts into a file for `cyclops check --facts=DIR` "
                        "(a build step: see cmake/CyclopsFacts.cmake)");
cl::opt<std::string> FactsBuildDir("p", cl::desc("Build directory containing compile_commands.json"),
                                   cl::value_desc("BUILD_DIR"), cl::Prefix, cl::sub(FactsCmd), cl::cat(Category));
cl::opt<std::string> FactsFile(cl::Positional, cl::desc("FILE"), cl::sub(FactsCmd), cl::cat(Category));
cl::opt<std::string> FactsOutput("o", cl::desc("The facts file to write"), cl::value_desc("OUT.facts"), cl::Prefix,
                                 cl::sub(FactsCmd), cl::cat(Category));
cl::opt<std::string> FactsDepFile("depfile",
                                  cl::desc("Also write a Make-syntax depfile: OUT.facts and every file the "
                                           "translation unit read (for Ninja and Make)"),
                                  cl::value_desc("OUT.d"), cl::sub(FactsCmd), cl::cat(Category));
cl::opt<std::string> FactsRules("rules", cl::desc("Rules file (as for cyclops check; both must use the same)"),
                                cl::value_desc("FILE"), cl::sub(FactsCmd), cl::cat(Category));
cl::opt<std::string> FactsResourceDir("resource-dir",
                                      cl::desc("clang's resource directory (builtin headers); found "
                                               "automatically, or from $CYCLOPS_RESOURCE_DIR"),
                                      cl::value_desc("DIR"), cl::sub(FactsCmd), cl::cat(Category));

// clang-tidy's options of the same names, for check -p and facts: GCC-only flags the build
// uses are dropped by themselves; these add what clang needs besides (a define, -std=, a target).
cl::list<std::string> ExtraArgs("extra-arg",
                                cl::desc("Add ARG at the end of every compile command (repeatable; "
                                         "e.g. --extra-arg=-DNDEBUG)"),
                                cl::value_desc("ARG"), cl::sub(CheckCmd), cl::sub(FactsCmd), cl::cat(Category));
cl::list<std::string> ExtraArgsBefore("extra-arg-before",
                                      cl::desc("Add ARG right after the compiler's name in every compile "
                                               "command (repeatable)"),
                                      cl::value_desc("ARG"), cl::sub(CheckCmd), cl::sub(FactsCmd),
                                      cl::cat(Category));

int listRules() {
  std::optional<RuleSet> R = loadRulesOrReport(RulesFile);
  if (!R) return ExitError;
  if (!Explain.empty()) {
    llvm::StringRef Doc = ruleDoc(Explain);
    if (Doc.empty()) {
      reportError("--explain: unknown rule '" + Explain + "' (cyclops rules lists them)");
      return ExitError;
    }
    llvm::outs() << Doc;
    return 0;
  }
  for (const RuleInfo &Rule : R->Rules) {
    std::string Status;
    if (!isImplementedRule(Rule.Id)) Status = " (not checked by this version)";
    else if (!Rule.Enabled) Status = " (disabled)";
    llvm::outs() << llvm::left_justify(Rule.Id, 16) << llvm::left_justify(severityName(Rule.Level), 9)
                 << Rule.Summary << Status << "\n"
                 << llvm::left_justify("", 25) << "docs: cyclops rules --explain=" << Rule.Id << "\n";
  }
  return 0;
}

ExtraArguments extraArguments() {
  return {{ExtraArgsBefore.begin(), ExtraArgsBefore.end()}, {ExtraArgs.begin(), ExtraArgs.end()}};
}

int check(const char *Argv0) {
  return runCheck({BuildDir, FactsDir, {Files.begin(), Files.end()}, extraArguments(), OutputFormat, ColorOpt,
                   OutputFile, RulesFile, FailOn, Jobs, SourceRootOpt, BaselineFile, WriteBaselineFile, CacheDirOpt,
                   NoCache, FixOpt, ExportFixes, ResourceDirOpt, Argv0, reinterpret_cast<void *>(&listRules)});
}

// cyclops facts: exit 0 with the facts (and depfile) written, 2 on any error.
int facts(const char *Argv0) {
  std::optional<RuleSet> Rules = loadRulesOrReport(FactsRules);
  if (!Rules) return ExitError;
  if (FactsBuildDir.empty()) {
    reportError("no build directory: use cyclops facts -p BUILD_DIR FILE -o OUT.facts");
    return ExitError;
  }
  llvm::Expected<std::string> ResourceDir =
      findResourceDir(FactsResourceDir, Argv0, reinterpret_cast<void *>(&listRules));
  if (!ResourceDir) {
    reportError(llvm::toString(ResourceDir.takeError()));
    return ExitError;
  }
  std::vector<std::string> Notes;
  llvm::Error E = runFactsCommand({FactsBuildDir, FactsFile, FactsOutput, FactsDepFile, FactsRules, *ResourceDir,
                                   extraArguments()},
                                  *Rules, Notes);
  for (const std::string &N : Notes) llvm::errs() << "cyclops: note: " << N << "\n";
  if (E) {
    reportError(llvm::toString(std::move(E)));
    return ExitError;
  }
  return 0;
}

// The exit status once everything is written. Stdout too is an output: a failed write to it
// is an error on one line (an unchecked llvm::outs() would abort at exit with "IO failure on
// output stream"), exit 2 unless the status already says another failure (confirm passes on
// a failing command's).
int finish(int Status) {
  llvm::outs().flush();
  if (!llvm::outs().has_error()) return Status;
  reportError("cannot write to standard output: " + llvm::outs().error().message());
  llvm::outs().clear_error();
  return Status == 0 || Status == ExitFindings ? ExitError : Status;
}

// The subcommand the command line chose.
int run(char **argv) {
  if (CheckCmd) return check(argv[0]);
  if (RulesCmd) return listRules();
  if (FactsCmd) return facts(argv[0]);
  if (LspCmd)
    return runLsp({LspCompileCommandsDir, RulesFile, ResourceDirOpt, LspJobs, argv[0],
                   reinterpret_cast<void *>(&listRules)});
  if (ConfirmCmd)
    return confirm::runConfirm(
        {ConfirmFindings, ConfirmReport, ConfirmHtml, {ConfirmCommand.begin(), ConfirmCommand.end()}}, llvm::outs(),
        llvm::errs());
  reportError("expected a subcommand: check, facts, rules, confirm or lsp (see cyclops --help)");
  return ExitError;
}

}  // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM Init(argc, argv);
  // libLLVM registers hundreds of options of its own; --help shows ours.
  cl::HideUnrelatedOptions(Category);
  if (!cl::ParseCommandLineOptions(argc, argv,
                                   "cyclops - find strong reference cycles in C++\n\n"
                                   "  cyclops check -p BUILD_DIR [FILES...] [-o FILE]\n"
                                   "                [--format=text|json|sarif|codeclimate]\n"
                                   "                [--rules=FILE] [--fail-on=note|warning|error] [-j N]\n"
                                   "                [--baseline=FILE] [--write-baseline=FILE] [--source-root=DIR]\n"
                                   "                [--color=auto|always|never] [--cache-dir=DIR | --no-cache]\n"
                                   "                [--fix] [--export-fixes=FILE]\n"
                                   "                [--extra-arg=ARG] [--extra-arg-before=ARG]\n"
                                   "  cyclops check --facts=DIR [FILES...] (options as above, but -p and --extra-arg*)\n"
                                   "  cyclops facts -p BUILD_DIR FILE -o OUT.facts [--depfile=OUT.d] [--rules=FILE]\n"
                                   "                [--extra-arg=ARG] [--extra-arg-before=ARG]\n"
                                   "  cyclops rules [--rules=FILE]\n"
                                   "  cyclops confirm --findings=FILE.json [--report=OUT.json] [--html=OUT.html]\n"
                                   "                -- COMMAND [ARGS...]\n"
                                   "  cyclops lsp [--compile-commands-dir=DIR] [--rules=FILE] [-j N]\n",
                                   &llvm::errs()))
    return ExitError;
  return finish(run(argv));
}
