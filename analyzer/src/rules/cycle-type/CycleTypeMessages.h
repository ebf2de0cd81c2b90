// CycleTypeMessages.h - every text cycle-type shows: the finding's message, the note of each
// edge of the cycle, and the remark when the enumeration stops. The check (CycleTypeCheck.cpp)
// decides; this file words.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "facts/Facts.h"

namespace cyclops {

// One edge of a cycle of types, as the texts name it (display names, without LocalSuffix).
struct CycleEdgeWords {
  std::string From;    // the type the edge leaves
  std::string Holder;  // the class that declares the field: From, or a base of it
  bool Inherited = false;  // Holder is a base of From (compared as types, not as names)
  std::string Field;   // the field; "" for the elements of a library container
  std::string Target;  // the type the field refers to
  std::string To;      // the type the edge reaches: Target, or a class derived from it
  bool Strong = true;  // a strong reference; else the field holds a part of the object
  std::string TypeSpelling;            // the field's type as written; "" when unknown
  std::optional<std::string> WeakFix;  // the weak handle the field's type could become
  std::string NoFixBecause;            // why a weak handle would not do here, or ""
  bool Closes = false;                 // the edge the finding is reported at (the last one)
};

// "strong fields form a reference cycle: A.b -> B.a -> (A)": the edges from the first one on.
std::string cycleTypeMessage(const std::vector<CycleEdgeWords> &Cycle);

// The note at the edge's field: "'A::b' holds a strong reference to 'B' through
// 'std::shared_ptr<B>'", with what inheritance, a derived target and closing the cycle add.
std::string cycleEdgeNote(const CycleEdgeWords &Edge);

// Why a weak handle would not do: the field is used as only a strong handle can be there; a
// freshly made object is stored into it there (a weak handle would free it at once).
std::string cycleTypeStrongUseReason(const SourcePos &Use);
std::string cycleTypeFreshStoreReason(const SourcePos &Store);

// "; the same cycle through 2 more instantiations: A<int>, A<long>", appended to a finding
// that stands for every instantiation of the same templates.
std::string cycleTypeInstancesSuffix(const std::vector<std::string> &Types);

// Fields that close cycles only by holding what no store in the program puts there.
std::string cycleTypeUnbackedRemark(unsigned Fields);

// The remark when the rules' cycle_type.max_cycles cycles have been looked at.
std::string cycleTypeStoppedRemark(unsigned MaxCycles, unsigned Components);
// A component whose search ran past its step budget; and components whose cycles are all longer
// than max_length.
std::string cycleTypeSearchCutRemark(unsigned Components);
std::string cycleTypeTooLongRemark(unsigned MaxLength, unsigned Components);

}  // namespace cyclops
