// report.h - naming the garbage a collection found, for CollectReport.
#pragma once

#include <vector>

#include <cyc/detail/object.h>
#include <cyc/gc.h>

namespace cyc::detail {

// Splits the garbage (objects colored kWhite, still intact) into cycles: each strongly
// connected group of garbage with a walk around it, plus the garbage only it kept alive
// (including untracked objects whose every reference comes from it), with their bytes.
// Overwrites GcHead::refs of the garbage. O(garbage objects + their handles).
std::vector<gc::Cycle> describe_garbage(const std::vector<GcHead*>& white);

}  // namespace cyc::detail
