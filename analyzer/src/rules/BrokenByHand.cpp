// BrokenByHand.cpp - the words of a cycle broken by hand.
#include "rules/BrokenByHand.h"

#include "llvm/Support/Path.h"

namespace cyclops {

std::string brokenText(const std::vector<BreakSite> &Broken, bool Collector) {
  const BreakSite &B = Broken.front();
  std::string Text = "a cycle the code breaks by hand: " + B.Function + "() lets go of '" +
                     displayName(B.Field.Holder) + "." + B.Field.Field + "' (" +
                     llvm::sys::path::filename(B.At.File).str() + ":" + std::to_string(B.At.Line) + ")";
  if (Broken.size() > 1) Text += ", and " + std::to_string(Broken.size() - 1) + " more";
  Text += "; the objects are freed when that runs, and leak on a path that skips it";
  if (Collector) Text += " (until cyc::gc::collect(), where the collector sees the cycle)";
  return Text;
}

std::string breakNote(const BreakSite &B) {
  return "'" + B.Function + "()' lets go of '" + displayName(B.Field.Holder) + "." + B.Field.Field + "' here" +
         (B.Direct ? "" : " (through the call here)");
}

void addBreakNotes(Finding &F, const std::vector<BreakSite> &Broken) {
  for (const BreakSite &B : Broken)
    for (PathStep &S : F.Path)
      if (S.Type == B.Field.Holder && S.Field == B.Field.Field) {
        S.Via.push_back({B.At, breakNote(B)});
        break;
      }
}

}  // namespace cyclops
