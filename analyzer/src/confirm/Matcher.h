// Matcher.h - matches the cycles a run collected to the static findings: which findings
// were confirmed, which were not exercised, and which cycles no finding predicted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "confirm/Findings.h"
#include "confirm/Observations.h"

namespace cyclops::confirm {

// How one observed path lines up with a finding's path. Observed step I stands for the
// finding's steps RunStart[I] .. RunEnd[I] (indices into the finding's path, going round):
// usually one step, more when the observed object holds the next one through a value it
// embeds (the finding walks Outer.inner -> Inner.next; the runtime sees one Outer object
// whose field "next" was declared by Inner's trace hook).
struct Alignment {
  std::vector<size_t> RunStart, RunEnd;
};

// Do `Finding` and `Observed` walk the same cycle? Paths are cycles: any rotation of one
// may line up with the other. Observed step O stands for finding step F when the field
// names are equal and F's type is O's dynamic type or O's owner (a cycle through a base
// class's field matches a derived object); a run of finding steps collapses into one
// observed step when O's type is the run's first type and O's owner its last (see
// Alignment). Types are compared after normalizeTypeName. `TypeLevel` findings (cycle-type)
// describe cycles of types: the observed path may go round them any whole number of times
// (a ring of three Nodes matches Node.next -> (Node)); otherwise it must go round once.
// O(m * n^3) for paths of m and n steps.
std::optional<Alignment> alignPaths(const std::vector<FindingStep> &Finding, const std::vector<ObservedStep> &Observed,
                                    bool TypeLevel);

// Sums over the occurrences of one cycle.
struct Occurrences {
  uint64_t Count = 0;
  uint64_t HostTotal = 0, HostMax = 0;
  uint64_t DeviceTotal = 0, DeviceMax = 0;
  uint64_t WaitedNsTotal = 0, WaitedNsMax = 0;
  uint64_t WaitedCollectionsTotal = 0, WaitedCollectionsMax = 0;
  std::map<std::string, uint64_t> Reasons;      // "explicit" -> 3, ...
  size_t Largest = 0;                           // index of the occurrence that held the most (device, then host) bytes
  uint64_t LargestDevice = 0, LargestHost = 0;  // what that occurrence held

  void add(const ObservedCycle &C, size_t Index);
};

struct ConfirmedFinding {
  size_t Finding = 0;  // index into the findings
  Occurrences Seen;
  // The largest occurrence's path, rotated so that the step that stands for the finding's
  // closing (last) step comes last: drawing it, the edge back to the first is the back edge.
  std::vector<ObservedStep> Drawn;
  std::vector<size_t> AlsoMatches;  // other findings the same observed cycles matched
};

struct MissedCycle {
  std::vector<ObservedStep> Path;  // as the largest occurrence walked it
  Occurrences Seen;
};

struct AliveSummary {
  std::string Type;  // as the first record spelled it
  uint64_t Objects = 0, HostBytes = 0, DeviceBytes = 0;
  size_t Processes = 0;
  std::vector<size_t> RelatedFindings;  // findings whose path goes through this type
};

struct ConfirmResult {
  std::vector<ConfirmedFinding> Confirmed;  // in the findings' order
  std::vector<size_t> NotExercised;         // cycle findings never formed, in the findings' order
  std::vector<MissedCycle> Missed;          // most device bytes first, then host bytes
  std::vector<AliveSummary> Alive;          // most device bytes first, then host bytes
  size_t Processes = 0;                     // distinct pids that wrote records
  size_t CyclesObserved = 0;
  size_t CycleFindings = 0;  // findings of cycle rules (the others are not matched)
};

// Matches every observed cycle against every cycle finding's runtimePath(). An observed cycle that matches
// several findings (three functions that all append a list to itself) counts for each:
// the report does not say which code formed it; AlsoMatches says so.
ConfirmResult match(const std::vector<StaticFinding> &Findings, const Observations &Observed);

}  // namespace cyclops::confirm
