// CaptureMessages.cpp - the words of capture-cycle.
#include "rules/capture-cycle/CaptureMessages.h"

namespace cyclops {

namespace {

std::string stepText(const ObjectStep &S) { return displayName(S.Field.Holder) + "." + S.Field.Field; }

std::string heldText(const CaptureFact &F) {
  if (!F.Via.empty()) return "'" + F.Via + "', which holds '" + F.Held + "'";
  return "'" + F.Held + "'" + (F.Wrapped ? " (captured by the lambda it wraps)" : "");
}

// A step the collector does not trace: a handle of a family without a collector on the way.
std::string untracedLink(const RuleSet &Rules, const ResolvedCapture &C) {
  std::string Out;
  for (size_t I = 0; I + 1 < C.Store.Path.size(); ++I) {
    const FieldRef &F = C.Store.Path[I].Field;
    if (const HandleFamily *Fam = Rules.family(F.Family); Fam && !Fam->Collector)
      Out = "'" + stepText(C.Store.Path[I]) + "' is a " + F.Handle;
  }
  return Out;
}

struct Outcome {
  std::string Consequence, Fix;
  bool Leak = true;
};

Outcome outcomeWithoutCollector(const CaptureFact &F, const HandleFamily &Fam, const std::string &Field) {
  Outcome O;
  O.Consequence = "a leak: the objects are never freed (" + F.Handle + " has no cycle collector)";
  if (Fam.Name == "std")
    O.Fix = "capture a std::weak_ptr (weak_from_this() in a member function) and lock() it inside";
  else if (!F.WeakHandle.empty())
    O.Fix = "capture a " + Fam.Weak.front() + " instead";
  else
    O.Fix = "reset '" + Field + "' once the callback has run";
  return O;
}

// Why the collector cannot see the handle; "" when it can.
std::string hiddenReason(const RuleSet &Rules, const ResolvedCapture &C, std::string &Fix, const std::string &WeakFix) {
  const CaptureFact &F = *C.Store.Fact;
  const FieldRef &Stored = C.Store.Path.back().Field;
  const std::string &Callable = Stored.Callable;
  if (std::string Link = untracedLink(Rules, C); !Link.empty()) {
    Fix = WeakFix;
    return Link + ", which the collector does not trace";
  }
  if (F.Wrapped && F.Closure == "cyc::closure") {
    Fix = "pass the handle to cyc::closure as an argument instead of capturing it, or " + WeakFix;
    return "the collector cannot see the captures of the lambda that cyc::closure wraps";
  }
  if (!F.Traced) {
    bool Bound = F.Closure != "lambda" && F.Closure != "cyc::closure" && !F.Wrapped && F.Via.empty();
    std::string Hidden = Bound ? F.Closure + "'s arguments" : "a lambda's captures";
    Fix = WeakFix + ", or store cyc::closure(fn, handles...) in a cyc::Function";
    return "the collector cannot see " + Hidden +
           (Callable == "cyc::Function" ? ", not even in a cyc::Function"
            : Callable.empty()          ? ""
                                        : " inside a " + Callable);
  }
  if (Callable != "cyc::Function") {
    Fix = "store the cyc::closure in a cyc::Function, or " + WeakFix;
    return (Callable.empty() ? "a '" + Stored.Spelling + "'" : "a " + Callable) +
           " hides cyc::closure's handles from the collector";
  }
  Fix = "trace '" + Stored.Field + "' (CYC_TRACE), or " + WeakFix;
  return C.UntracedReason;
}

Outcome outcome(const RuleSet &Rules, const ResolvedCapture &C) {
  const CaptureFact &F = *C.Store.Fact;
  const std::string &Field = C.Store.Path.back().Field.Field;
  const HandleFamily *Fam = Rules.family(F.Family);
  if (!Fam || !Fam->Collector) {
    HandleFamily None;
    return outcomeWithoutCollector(F, Fam ? *Fam : None, Field);
  }
  std::string WeakFix = F.WeakHandle.empty() ? "reset '" + Field + "' once the callback has run"
                                             : "capture a " + F.WeakHandle + " and lock() it inside";
  Outcome O;
  std::string Reason = hiddenReason(Rules, C, O.Fix, WeakFix);
  if (Reason.empty()) {
    O.Leak = false;
    O.Consequence = "a collectable cycle: the objects stay alive until cyc::gc::collect()";
    O.Fix = F.WeakHandle.empty()
                ? WeakFix
                : "pass a " + F.WeakHandle + " to cyc::closure instead to free them with their last outside handle";
  } else {
    O.Consequence = "a leak that no collection frees, because " + Reason;
  }
  return O;
}

std::string storedText(const ResolvedCapture &C) {
  const CaptureFact &F = *C.Store.Fact;
  return F.Closure + " stored in '" + stepText(C.Store.Path.back()) + "'" +
         (F.SetterName.empty() ? std::string() : " by " + F.SetterName + "()") + " holds " + heldText(F) +
         ", a strong " + F.Handle;
}

}  // namespace

std::string captureMessage(const RuleSet &Rules, const ResolvedCapture &C, const std::vector<BreakSite> &Broken) {
  Outcome O = outcome(Rules, C);
  if (!Broken.empty()) {
    const HandleFamily *Fam = Rules.family(C.Store.Fact->Family);
    O.Consequence = brokenText(Broken, Fam && Fam->Collector && !O.Leak);
  }
  std::string To = C.Store.Path.size() == 1 ? "the object that stores it"
                                      : "the '" + displayName(C.Store.RootType) + "' that owns the storing object";
  return storedText(C) + " to " + To + ": " + O.Consequence + "; " + O.Fix;
}

std::string captureRingMessage(const RuleSet &Rules, const std::vector<ResolvedCapture> &Ring,
                               const std::vector<BreakSite> &Broken) {
  std::string Text = storedText(Ring.front()) + " to an object that stores";
  for (size_t I = 1; I < Ring.size(); ++I) {
    const CaptureFact &F = *Ring[I].Store.Fact;
    Text += (I > 1 ? ", which stores" : "") + std::string(" a ") + F.Closure + " holding " + heldText(F) + " in '" +
            stepText(Ring[I].Store.Path.back()) + "'";
  }
  Text += ", a strong " + Ring.back().Store.Fact->Handle + " back to the first: ";
  // The weakest link decides: a leak when any closure is one.
  Outcome Worst = outcome(Rules, Ring.front());
  for (const ResolvedCapture &C : Ring)
    if (Outcome O = outcome(Rules, C); O.Leak && !Worst.Leak) Worst = O;
  if (!Broken.empty()) Worst.Consequence = brokenText(Broken, !Worst.Leak);
  return Text + Worst.Consequence + "; " + Worst.Fix + " in one of them";
}

std::vector<PathStep> captureSteps(const ResolvedCapture &C, const std::string &HeldType) {
  const CaptureFact &F = *C.Store.Fact;
  std::vector<PathStep> Out;
  for (size_t I = 0; I < C.Store.Path.size(); ++I) {
    const FieldRef &R = C.Store.Path[I].Field;
    PathStep S;
    S.Type = R.Holder;
    S.Field = R.Field;
    S.Pos = R.Pos;
    std::string Decl = "'" + stepText(C.Store.Path[I]) + "' (" + R.Spelling + ")";
    S.Note = I + 1 == C.Store.Path.size() ? Decl + " holds the " + F.Closure
                                    : Decl + " holds the object that stores the " + F.Closure;
    Out.push_back(std::move(S));
  }
  PathStep Back;
  Back.Type = F.Closure;
  Back.Field = F.Via.empty() ? F.Held.substr(0, F.Held.find(" = ")) : F.Via;
  Back.Pos = F.HeldPos;
  Back.Note = "the " + F.Closure + (F.Implicit ? " captures '" + F.Held + "' implicitly" : " holds " + heldText(F)) +
              ", a strong reference " + (HeldType == C.Store.RootType ? "back " : "") + "to the '" + displayName(HeldType) +
              "'";
  Out.push_back(std::move(Back));
  return Out;
}

}  // namespace cyclops
