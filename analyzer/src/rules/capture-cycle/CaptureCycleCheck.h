// CaptureCycleCheck.h - capture-cycle: a closure holding a strong handle to the object that
// stores it, or to an object that owns it; or closures that hold each other's storing objects.
//
// Runs on the merged program. Its input is every translation unit's capture facts
// (extract/StoreFacts.h: each closure handed to a store, and a handle it holds, as far as its
// function can tell) and the function summaries closed over the program (program/Summaries.h),
// which resolve what the function could not: the stores a setter defined in another file
// makes, the part of an object an accessor returns, `get_shared()` and other wrappers of
// shared_from_this(), callable wrappers. A fact whose handle refers to the object the closure
// ends up in (root to root, in one function) is a cycle through one closure; facts of one
// function whose roots and handles form a ring are a cycle through several.
//
// Which kind of cycle: only the handles of a cyc::closure stored in a cyc::Function field that
// its type's trace hook visits are traced (collectable, alive until cyc::gc::collect());
// lambda captures, bind arguments and anything held by a std::function are invisible to the
// collector (a leak no collection frees). Handles of a family without a collector are never
// freed either way. The fix changes the closure's body, so no fix-it is offered.
#pragma once

#include "config/Rules.h"
#include "program/Summaries.h"
#include "program/TypeGraph.h"
#include "rules/Check.h"

namespace cyclops {

void checkCaptureCycles(const TypeGraph &Graph, const ProgramSummaries &Summaries, const RuleSet &Rules,
                        CheckOutput &Out);

}  // namespace cyclops
