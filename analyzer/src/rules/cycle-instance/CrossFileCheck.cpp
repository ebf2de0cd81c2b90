// CrossFileCheck.cpp - rings of handle stores through setters of other translation units.
#include "rules/cycle-instance/CrossFileCheck.h"

#include <algorithm>
#include <cctype>


#include "program/StoreRings.h"
#include "rules/RuleIds.h"
#include "rules/cycle-instance/InstanceMessages.h"

namespace cyclops {

namespace {

PathStep stepOf(const ResolvedStore &S) {
  const FieldRef &Stored = S.Path.back().Field;
  PathStep P;
  P.Type = Stored.Holder;
  P.Field = Stored.Field;
  P.Pos = S.Fact->At;
  std::string Where = displayName(Stored.Holder) + "." + Stored.Field;
  P.Note = "'" + S.Fact->Text + "' stores '" + S.Fact->Held + "' in '" + Where + "'" +
           (S.Fact->SetterName.empty() ? std::string() : " (by " + S.Fact->SetterName + "())");
  P.Via.push_back({Stored.Pos, "'" + Where + "' (" + Stored.Spelling + ") holds it strongly"});
  return P;
}

Finding ringFinding(const RuleSet &Rules, const std::string &Function, const std::vector<const ResolvedStore *> &Ring) {
  Finding F;
  F.Rule = ruleid::CycleInstance.str();
  if (const RuleInfo *R = Rules.rule(F.Rule)) F.Level = R->Level;
  F.Pos = Ring.back()->Fact->At;  // the store that closes the cycle, as InstanceCheck reports
  std::vector<std::string> Texts, Key;
  for (const ResolvedStore *S : Ring) {
    Texts.push_back(S->Fact->Text);
    std::string Compact = S->Fact->Text;
    std::erase_if(Compact, [](char Ch) { return std::isspace(static_cast<unsigned char>(Ch)); });
    Key.push_back(S->Path.back().Field.Holder + "." + S->Path.back().Field.Field + " " + Compact);
    F.Path.push_back(stepOf(*S));
  }
  std::rotate(Key.begin(), std::min_element(Key.begin(), Key.end()), Key.end());
  Key.insert(Key.begin(), Function);
  F.Message = instanceMessage(Texts, Rules.family(Ring.front()->Fact->Family));
  F.Id = makeFindingId(F.Rule, Key);
  return F;
}

}  // namespace

void checkCrossFileInstances(const TypeGraph &Graph, const ProgramSummaries &Summaries, const RuleSet &Rules,
                             CheckOutput &Out) {
  StoreRings Rings(Graph, Summaries, [](const CaptureFact &F) { return F.Closure.empty(); });
  Rings.forEachRing([&](const std::string &Function, const std::vector<const ResolvedStore *> &Ring) {
    bool ThroughOtherFile = std::any_of(Ring.begin(), Ring.end(), [](const ResolvedStore *S) { return !S->Fact->Local; });
    if (ThroughOtherFile) Out.Findings.push_back(ringFinding(Rules, Function, Ring));
  });
}

}  // namespace cyclops
