// CurrentTU.cpp - one translation unit's findings, with the other translation units' facts.
#include "frontends/CurrentTU.h"

#include <set>

#include "clang/AST/ASTContext.h"

#include "extract/FactsExtractor.h"
#include "facts/FactsIO.h"
#include "program/Analyzer.h"

namespace cyclops {

CurrentTUResult analyzeCurrentTU(clang::ASTContext &Ctx, clang::Sema *S, const RuleSet &Rules,
                                 const CurrentTUOptions &Options) {
  CurrentTUResult Result;
  if (Ctx.getDiagnostics().hasErrorOccurred()) return Result;
  std::vector<TUFacts> Facts(1);
  extractFacts(Ctx, S, Rules, Facts[0]);
  const TUFacts &Here = Facts[0];
  std::set<std::string> HereFiles;
  for (const InputFile &In : Here.Inputs) HereFiles.insert(In.Path);
  HereFiles.insert(Here.MainFile);

  if (!Options.FactsDir.empty()) {
    llvm::Expected<std::vector<std::string>> Paths = listFactsFiles(Options.FactsDir);
    if (!Paths) {
      Result.Remarks.push_back("facts directory: " + llvm::toString(Paths.takeError()));
    } else {
      for (const std::string &Path : *Paths) {
        llvm::Expected<FactsFile> F = readFactsFile(Path);
        if (!F) {
          Result.Remarks.push_back("skipped " + llvm::toString(F.takeError()));
          continue;
        }
        // This translation unit's own facts are the fresh ones, extracted above. Findings of
        // the AST rules in other translation units are theirs to report.
        if (F->Facts.MainFile == Here.MainFile) continue;
        F->Facts.Findings.clear();
        Facts.push_back(std::move(F->Facts));
        ++Result.OtherTranslationUnits;
      }
    }
  }

  // The records of this translation unit come first: the graph keeps the first definition of
  // a name, and ours is the one being edited.
  AnalysisResult All = analyzeFacts(std::move(Facts), Rules);
  for (std::string &R : All.Remarks) Result.Remarks.push_back(std::move(R));
  for (Finding &F : All.Findings) {
    if (!HereFiles.count(F.Pos.File)) {
      const PathStep *Step = nullptr;
      for (const PathStep &P : F.Path)
        if (HereFiles.count(P.Pos.File)) {
          Step = &P;
          break;
        }
      if (!Step) continue;  // nothing of it is in this translation unit
      F.Pos = Step->Pos;
    }
    std::erase_if(F.Fixes, [&](const TextEdit &E) { return !HereFiles.count(E.Pos.File); });
    Result.Findings.push_back(std::move(F));
  }
  return Result;
}

}  // namespace cyclops
