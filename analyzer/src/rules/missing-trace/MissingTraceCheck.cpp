// MissingTraceCheck.cpp - records whose own fields hold collector handles, without a hook.
#include "rules/missing-trace/MissingTraceCheck.h"

#include "rules/missing-trace/MissingTraceMessages.h"

namespace cyclops {

void MissingTraceCheck::check(const TypeGraph &G, const RuleSet &Rules, CheckOutput &Out) const {
  for (unsigned I = 0; I < G.size(); ++I) {
    const RecordFact &R = G.record(I);
    if (R.Synthetic || G.hook(I)) continue;
    std::vector<const FieldFact *> Held;
    for (const FieldFact &F : R.Fields)
      if (G.holdsCollectorHandles(F)) Held.push_back(&F);
    if (Held.empty()) continue;

    std::vector<std::string> Names;
    for (const FieldFact *F : Held) Names.push_back(F->Name);
    std::string Name = displayName(R.Name);
    Finding F = finding(Rules, missingTraceMessage(Name, Names), R.Pos);
    F.Id = makeFindingId(ruleId(), {R.Name});
    for (const FieldFact *H : Held)
      F.Path.push_back(PathStep{Name, H->Name, H->Pos, missingTraceFieldNote(Name, H->Name, H->TypeSpelling)});
    if (R.InsertHookAt) {
      TextEdit E;
      E.Pos = R.InsertHookAt->Pos;
      E.Text = R.InsertHookAt->OwnLine ? R.InsertHookAt->Indent + traceMacroFor(Names) + "\n"
                                       : traceMacroFor(Names) + " ";
      F.Fixes.push_back(std::move(E));
    }
    Out.Findings.push_back(std::move(F));
  }
}

}  // namespace cyclops
