// PluginAction.cpp - `clang++ -fplugin=libcyclops-plugin.so`: the cyclops analysis of each
// translation unit, after the compiler's own action, with its arguments
//   -fplugin-arg-cyclops-rules=FILE       rules YAML as for `cyclops check --rules`
//   -fplugin-arg-cyclops-facts-dir=DIR    `*.facts` of other translation units (cross-TU cycles)
//   -fplugin-arg-cyclops-fail-on=LEVEL    findings at or above note|warning|error are errors
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendPluginRegistry.h"

#include "PluginConsumer.h"

namespace cyclops::plugin {

using namespace clang;

namespace {

constexpr llvm::StringLiteral Usage = "rules=FILE, facts-dir=DIR, fail-on=note|warning|error";

class CyclopsAction : public PluginASTAction {
 public:
  ActionType getActionType() override { return AddAfterMainAction; }

  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &CI, llvm::StringRef) override {
    return makePluginConsumer(CI.getDiagnostics(), std::move(Options));
  }

  // Each argument arrives without its `-fplugin-arg-cyclops-` prefix. A bad one is a compiler
  // error naming it; returning false then leaves the plugin out of this compilation.
  bool ParseArgs(const CompilerInstance &CI, const std::vector<std::string> &Args) override {
    DiagnosticsEngine &Diags = CI.getDiagnostics();
    unsigned BadArg = Diags.getCustomDiagID(DiagnosticsEngine::Error, "cyclops plugin: %0");
    std::string RulesFile;
    for (const std::string &Arg : Args) {
      auto [Name, Value] = llvm::StringRef(Arg).split('=');
      std::string Spelled = "-fplugin-arg-cyclops-" + Arg;
      if (Name != "rules" && Name != "facts-dir" && Name != "fail-on") {
        Diags.Report(BadArg) << "unknown argument '" + Spelled + "' (known: " + Usage.str() + ")";
        return false;
      }
      if (Value.empty()) {
        Diags.Report(BadArg) << "'" + Spelled + "' needs a value (" + Name.str() + "=...)";
        return false;
      }
      if (Name == "rules") {
        RulesFile = Value.str();
      } else if (Name == "facts-dir") {
        Options.Analysis.FactsDir = Value.str();
      } else {
        Options.FailOn = parseSeverity(Value);
        if (!Options.FailOn) {
          Diags.Report(BadArg) << "'" + Spelled + "': expected note, warning or error";
          return false;
        }
      }
    }
    llvm::Expected<RuleSet> Rules = RulesFile.empty() ? defaultRules() : loadRulesFile(RulesFile);
    if (!Rules) {
      Diags.Report(BadArg) << "cannot load rules: " + llvm::toString(Rules.takeError());
      return false;
    }
    Options.Rules = std::move(*Rules);
    return true;
  }

 private:
  PluginOptions Options;
};

FrontendPluginRegistry::Add<CyclopsAction> Registration("cyclops", "find strong reference cycles (cyclops)");

}  // namespace

}  // namespace cyclops::plugin
