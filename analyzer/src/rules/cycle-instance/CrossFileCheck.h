// CrossFileCheck.h - cycle-instance across translation units: the cycles a function closes by
// storing handles through setters whose bodies are in other files (`a->set_next(b);
// b->set_next(a);` with set_next defined in node.cpp), which the per-TU data flow of
// InstanceCheck.h cannot see (to it such a call is unknown).
//
// Runs on the merged program: each function's handle stores (extract/StoreFacts.h, the facts without
// a closure), resolved through the function summaries, searched for rings (StoreRings.h). A ring
// is reported only if one of its stores goes through a function defined elsewhere: the rings
// made of visible stores are InstanceCheck's, which follows them flow-sensitively. This pass is
// not flow-sensitive: a store that a later store in the same function undoes
// (`a->set_next(nullptr)`) does not remove the ring.
#pragma once

#include "config/Rules.h"
#include "program/Summaries.h"
#include "program/TypeGraph.h"
#include "rules/Check.h"

namespace cyclops {

void checkCrossFileInstances(const TypeGraph &Graph, const ProgramSummaries &Summaries, const RuleSet &Rules,
                             CheckOutput &Out);

}  // namespace cyclops
