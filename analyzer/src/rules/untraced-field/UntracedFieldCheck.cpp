// UntracedFieldCheck.cpp - fields holding collector handles that the hook does not name.
#include "rules/untraced-field/UntracedFieldCheck.h"

#include <algorithm>

#include "rules/untraced-field/UntracedFieldMessages.h"

namespace cyclops {

void UntracedFieldCheck::check(const TypeGraph &G, const RuleSet &Rules, CheckOutput &Out) const {
  for (unsigned I = 0; I < G.size(); ++I) {
    const RecordFact &R = G.record(I);
    if (R.Synthetic) continue;
    std::optional<EffectiveHook> H = G.hook(I);
    if (!H || H->Hook->Opaque) continue;  // no hook: missing-trace says so
    bool Inherited = H->Owner != I;
    std::string Name = displayName(R.Name), OwnerName = displayName(G.record(H->Owner).Name);
    for (const FieldFact &Field : R.Fields) {
      if (!G.holdsCollectorHandles(Field)) continue;
      const auto &Traced = H->Hook->TracedFields;
      if (!Inherited && std::find(Traced.begin(), Traced.end(), Field.Name) != Traced.end()) continue;

      std::string Message = Inherited ? inheritedHookMessage(Name, Field.Name, H->Hook->Kind, OwnerName)
                                      : untracedFieldMessage(Name, Field.Name, H->Hook->Kind);
      Finding F = finding(Rules, Message, Field.Pos);
      F.Id = makeFindingId(ruleId(), {R.Name + "::" + Field.Name});
      F.Path.push_back(PathStep{Name, Field.Name, Field.Pos, untracedFieldNote(Field.Name, Field.TypeSpelling)});
      F.Path.push_back(PathStep{OwnerName, "", H->Hook->Pos, traceHookNote(OwnerName)});
      if (!Inherited && H->Hook->Kind == HookKind::Macro && H->Hook->MacroClose) {
        TextEdit E;
        E.Pos = *H->Hook->MacroClose;
        E.Text = (Traced.empty() ? "" : ", ") + Field.Name;
        F.Fixes.push_back(std::move(E));
      }
      Out.Findings.push_back(std::move(F));
    }
  }
}

}  // namespace cyclops
