// SharedAnalysis.cpp - the per-translation-unit analysis the cyclops checks share.
#include "SharedAnalysis.h"

#include <map>
#include <mutex>
#include <tuple>

namespace cyclops::tidy {

std::shared_ptr<SharedAnalysis> SharedAnalysis::get(const void *Context, llvm::StringRef RulesFile,
                                                    llvm::StringRef FactsDir) {
  using Key = std::tuple<const void *, std::string, std::string>;
  static std::mutex Lock;
  static std::map<Key, std::weak_ptr<SharedAnalysis>> Live;
  std::lock_guard<std::mutex> Guard(Lock);
  // Entries whose checks are gone (an earlier translation unit's) would only grow the map.
  std::erase_if(Live, [](const auto &Entry) { return Entry.second.expired(); });
  std::weak_ptr<SharedAnalysis> &Slot = Live[Key(Context, RulesFile.str(), FactsDir.str())];
  if (std::shared_ptr<SharedAnalysis> Existing = Slot.lock()) return Existing;
  auto Created = std::make_shared<SharedAnalysis>(RulesFile.str(), FactsDir.str());
  Slot = Created;
  return Created;
}

SharedAnalysis::SharedAnalysis(std::string RulesFile, std::string FactsDir) {
  Options.FactsDir = std::move(FactsDir);
  llvm::Expected<RuleSet> Loaded = RulesFile.empty() ? defaultRules() : loadRulesFile(RulesFile);
  if (Loaded) Rules = std::move(*Loaded);
  else RulesError = llvm::toString(Loaded.takeError());
}

std::optional<std::string> SharedAnalysis::takeRulesError() {
  if (Rules || RulesErrorTaken) return std::nullopt;
  RulesErrorTaken = true;
  return RulesError;
}

void SharedAnalysis::startTranslationUnit() {
  Analyzed = RulesErrorTaken = RemarksClaimed = false;
  Result = {};
}

const CurrentTUResult &SharedAnalysis::analyze(clang::ASTContext &Ctx, clang::Sema *S, bool *Ran) {
  if (Ran) *Ran = !Analyzed;
  if (!Analyzed) {
    Result = analyzeCurrentTU(Ctx, S, *Rules, Options);
    Analyzed = true;
  }
  return Result;
}

bool SharedAnalysis::claimRemarks() {
  if (RemarksClaimed) return false;
  RemarksClaimed = true;
  return true;
}

}  // namespace cyclops::tidy
