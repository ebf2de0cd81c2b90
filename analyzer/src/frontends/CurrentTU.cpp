// CurrentTU.cpp - one translation unit's findings, with the other translation units' facts.
#include "frontends/CurrentTU.h"

#include "clang/AST/ASTContext.h"

#include "extract/FactsExtractor.h"
#include "facts/FactsIO.h"
#include "program/Analyzer.h"

namespace cyclops {

namespace {

// The facts of FactsDir but those of MainFile (Here's own facts are the fresh ones); files
// that cannot be read become remarks.
std::vector<TUFacts> readOtherFacts(const std::string &FactsDir, const std::string &MainFile,
                                    std::vector<std::string> &Remarks) {
  std::vector<TUFacts> Others;
  llvm::Expected<std::vector<std::string>> Paths = listFactsFiles(FactsDir);
  if (!Paths) {
    Remarks.push_back("facts directory: " + llvm::toString(Paths.takeError()));
    return Others;
  }
  for (const std::string &Path : *Paths) {
    llvm::Expected<FactsFile> F = readFactsFile(Path);
    if (!F) {
      Remarks.push_back("skipped " + llvm::toString(F.takeError()));
      continue;
    }
    if (F->Facts.MainFile != MainFile) Others.push_back(std::move(F->Facts));
  }
  return Others;
}

// The first of F's places (its own, then its path's steps) in Shown, or null.
const SourcePos *shownPlace(const Finding &F, const std::set<std::string> &Shown) {
  if (Shown.count(F.Pos.File)) return &F.Pos;
  for (const PathStep &P : F.Path)
    if (Shown.count(P.Pos.File)) return &P.Pos;
  return nullptr;
}

}  // namespace

CurrentTUResult analyzeWithOthers(TUFacts Here, std::vector<TUFacts> Others, const RuleSet &Rules,
                                  const std::set<std::string> &Shown) {
  CurrentTUResult Result;
  std::set<std::string> Files = Shown;
  if (Files.empty()) {
    for (const InputFile &In : Here.Inputs) Files.insert(In.Path);
    Files.insert(Here.MainFile);
  }
  // The records of this translation unit come first: the graph keeps the first definition of
  // a name, and ours is the one being edited.
  std::vector<TUFacts> Facts;
  Facts.reserve(Others.size() + 1);
  Facts.push_back(std::move(Here));
  for (TUFacts &O : Others) {
    if (O.MainFile == Facts.front().MainFile) continue;
    O.Findings.clear();  // the AST rules' findings of another translation unit are its own
    Facts.push_back(std::move(O));
    ++Result.OtherTranslationUnits;
  }
  AnalysisResult All = analyzeFacts(std::move(Facts), Rules);
  for (std::string &R : All.Remarks) Result.Remarks.push_back(std::move(R));
  for (Finding &F : All.Findings) {
    const SourcePos *Place = shownPlace(F, Files);
    if (!Place) continue;  // nothing of it is in the files shown
    F.Pos = SourcePos(*Place);
    std::erase_if(F.Fixes, [&](const TextEdit &E) { return !Files.count(E.Pos.File); });
    Result.Findings.push_back(std::move(F));
  }
  return Result;
}

CurrentTUResult analyzeCurrentTU(clang::ASTContext &Ctx, clang::Sema *S, const RuleSet &Rules,
                                 const CurrentTUOptions &Options) {
  if (Ctx.getDiagnostics().hasErrorOccurred()) return {};
  TUFacts Here;
  extractFacts(Ctx, S, Rules, Here);
  std::vector<std::string> Remarks;
  std::vector<TUFacts> Others;
  if (!Options.FactsDir.empty()) Others = readOtherFacts(Options.FactsDir, Here.MainFile, Remarks);
  CurrentTUResult Result = analyzeWithOthers(std::move(Here), std::move(Others), Rules);
  Result.Remarks.insert(Result.Remarks.begin(), Remarks.begin(), Remarks.end());
  return Result;
}

}  // namespace cyclops
