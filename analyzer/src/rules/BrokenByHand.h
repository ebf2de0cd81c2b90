// BrokenByHand.h - a cycle the program breaks by hand: a function lets go of one of its fields
// (`channel_.reset()`, `cb_ = nullptr`, itself or through a call; ProgramSummaries::resetsAlong).
// Such a cycle is reported as a note, in the words below, by every rule that finds cycles
// (capture-cycle, cycle-type): the objects are freed when that function runs, and leak on a
// path that skips it.
#pragma once

#include <string>
#include <vector>

#include "program/Summaries.h"
#include "rules/Finding.h"

namespace cyclops {

// Where the program lets go of a field of the cycle.
using BreakSite = ProgramSummaries::ResetSite;

// "a cycle the code breaks by hand: Connector::stop() lets go of 'Connector.channel_'
// (Connector.cc:210), and 2 more; the objects are freed when that runs, and leak on a path
// that skips it", naming the first site; with Collector, that cyc::gc::collect() frees it too.
std::string brokenText(const std::vector<BreakSite> &Broken, bool Collector);

// The note at a break site: "'Conn::stop()' lets go of 'Conn.channel_' here".
std::string breakNote(const BreakSite &B);

// A note at each break site, on the path step of the field it lets go of (matched by its
// holder, as the step names it, and field).
void addBreakNotes(Finding &F, const std::vector<BreakSite> &Broken);

}  // namespace cyclops
