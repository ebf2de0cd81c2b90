// CaptureMessages.h - every text capture-cycle shows: the finding's message, its notes and
// fix advice. The check (CaptureCycleCheck.cpp) decides; this file words.
#pragma once

#include <string>
#include <vector>

#include "config/Rules.h"
#include "facts/CodeFacts.h"
#include "program/StoreRings.h"
#include "rules/BrokenByHand.h"
#include "rules/Finding.h"

namespace cyclops {

// One closure store of a cycle, resolved on the whole program, and why the collector does not
// see the field it goes into ("" when the field's trace hook visits it).
struct ResolvedCapture {
  ResolvedStore Store;
  std::string UntracedReason;
};

// "lambda stored in 'app::Conn.cb' by set_cb() holds 'self', a strong std::shared_ptr to the
// object that stores it: <consequence>; <fix>". With Broken (sorted, first named), the
// consequence says where the code breaks the cycle by hand instead.
std::string captureMessage(const RuleSet &Rules, const ResolvedCapture &C, const std::vector<BreakSite> &Broken);
// Two or more closures that hold each other's storing objects, C[0] first.
std::string captureRingMessage(const RuleSet &Rules, const std::vector<ResolvedCapture> &Ring,
                               const std::vector<BreakSite> &Broken);
// The notes: each field on the path, then the closure's handle to the object of type HeldType
// (the root itself, or in a ring the next closure's storing object).
std::vector<PathStep> captureSteps(const ResolvedCapture &C, const std::string &HeldType);

}  // namespace cyclops
