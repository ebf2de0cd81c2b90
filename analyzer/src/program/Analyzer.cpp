// Analyzer.cpp - runs the translation units, merges their facts, runs the rules.
#include "program/Analyzer.h"

#include "output/Suppressions.h"
#include "program/FieldEvidence.h"
#include "program/Summaries.h"
#include "program/TypeGraph.h"
#include "rules/RuleIds.h"
#include "rules/capture-cycle/CaptureCycleCheck.h"
#include "rules/cycle-instance/CrossFileCheck.h"
#include "rules/Registry.h"

namespace cyclops {

AnalysisResult analyzeFacts(std::vector<TUFacts> Facts, const RuleSet &Rules) {
  AnalysisResult Result;
  Result.TranslationUnits = static_cast<unsigned>(Facts.size());
  TypeGraph Graph(std::move(Facts), Rules);
  CheckOutput Out;
  // The whole program's summaries: what the rules that read code decide on, and where the
  // arguments that back cycle-type's edges land.
  ProgramSummaries Summaries(Graph.units());
  FieldEvidence Evidence(Graph.units(), Summaries);
  Graph.weigh(Evidence);
  for (const auto &Check : makeGraphChecks())
    if (Rules.enabled(Check->ruleId())) Check->check(Graph, Rules, Out);
  if (Rules.enabled(ruleid::CaptureCycle)) checkCaptureCycles(Graph, Summaries, Rules, Out);
  if (Rules.enabled(ruleid::CycleInstance)) checkCrossFileInstances(Graph, Summaries, Rules, Out);
  for (const std::string &R : Summaries.remarks()) Out.Truncated.push_back(Truncation{std::string(ruleid::CaptureCycle), "", R});
  for (const Truncation &T : Out.Truncated) Out.Remarks.push_back(T.Message);
  for (const Finding &F : Graph.astFindings())
    if (Rules.enabled(F.Rule)) Out.Findings.push_back(F);

  Result.Findings = std::move(Out.Findings);
  Result.Remarks = std::move(Out.Remarks);
  Result.Truncated = std::move(Out.Truncated);
  sortAndDedupe(Result.Findings);
  Result.Suppressed = applySuppressions(Result.Findings);
  return Result;
}

AnalysisResult analyze(const clang::tooling::CompilationDatabase &DB,
                       const std::vector<std::string> &Files, const RuleSet &Rules,
                       const AnalysisOptions &Options) {
  RunResult Run =
      runTranslationUnits(DB, Files, Rules, RunOptions{Options.Jobs, Options.ResourceDir, Options.CacheDir});
  AnalysisResult Result = analyzeFacts(std::move(Run.Facts), Rules);
  Result.Failures = std::move(Run.Failures);
  Result.FromCache = Run.FromCache;
  Result.Remarks.insert(Result.Remarks.begin(), Run.Notes.begin(), Run.Notes.end());
  return Result;
}

}  // namespace cyclops
