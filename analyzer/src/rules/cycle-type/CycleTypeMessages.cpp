// CycleTypeMessages.cpp - the words of cycle-type's findings.
#include "rules/cycle-type/CycleTypeMessages.h"

#include "rules/Check.h"

#include "llvm/Support/Path.h"

namespace cyclops {

std::string cycleTypeMessage(const std::vector<CycleEdgeWords> &Cycle) {
  std::string Walk;
  for (const CycleEdgeWords &E : Cycle) Walk += stepName(E.From, E.Field) + " -> ";
  Walk += "(" + (Cycle.empty() ? std::string() : Cycle.front().From) + ")";
  return "strong fields form a reference cycle: " + Walk;
}

namespace {

// "'A::b'", or "the elements of 'A'".
std::string fieldName(const CycleEdgeWords &E) {
  return E.Field.empty() ? "the elements of '" + E.Holder + "'" : "'" + E.Holder + "::" + E.Field + "'";
}

// "holds a strong reference to 'B' (here a 'D')".
std::string whatItHolds(const CycleEdgeWords &E) {
  std::string What = E.Strong ? "holds a strong reference to '" + E.Target + "'"
                               : "holds a '" + E.Target + "' as part of the object";
  if (E.To != E.Target) What += " (here a '" + E.To + "')";
  return What;
}

}  // namespace

std::string cycleEdgeNote(const CycleEdgeWords &E) {
  std::string Note = E.Inherited ? "'" + E.From + "' inherits " + fieldName(E) + ", which " + whatItHolds(E)
                                 : fieldName(E) + " " + whatItHolds(E);
  // The type, unless it is just the handle the note already names.
  if (!E.TypeSpelling.empty() && !E.WeakFix) Note += " through '" + E.TypeSpelling + "'";
  if (E.Closes) {
    Note += "; it closes the cycle";
    if (!E.NoFixBecause.empty())
      Note += "; no fix-it: " + E.NoFixBecause;
    else if (E.WeakFix)
      Note += ": make it a weak handle ('" + *E.WeakFix + "')";
  }
  return Note;
}

namespace {

std::string at(const SourcePos &P) {
  return llvm::sys::path::filename(P.File).str() + ":" + std::to_string(P.Line);
}

}  // namespace

std::string cycleTypeStrongUseReason(const SourcePos &Use) {
  return "a weak handle would not compile where it is used as a strong one (" + at(Use) + ")";
}

std::string cycleTypeFreshStoreReason(const SourcePos &Store) {
  return "a new object is stored into it (" + at(Store) + "), which a weak handle would free at once";
}

std::string cycleTypeInstancesSuffix(const std::vector<std::string> &Types) {
  std::string Out = "; the same cycle through " + std::to_string(Types.size()) + " more " +
                    (Types.size() == 1 ? "instantiation" : "instantiations") + ": ";
  for (size_t I = 0; I < Types.size(); ++I) Out += (I ? ", " : "") + Types[I];
  return Out;
}

std::string cycleTypeUnbackedRemark(unsigned Fields) {
  return "cycle-type: " + std::to_string(Fields) + (Fields == 1 ? " field closes" : " fields close") +
         " cycles of types only by holding a class its declaration allows but no store in the program puts there "
         "(a derived class, the payload of a type-erased holder); those cycles are not reported";
}

namespace {

std::string groups(unsigned N) { return std::to_string(N) + (N == 1 ? " group" : " groups"); }

}  // namespace

std::string cycleTypeStoppedRemark(unsigned MaxCycles, unsigned Components) {
  return "cycle-type: stopped after " + std::to_string(MaxCycles) + " cycles of types in " + groups(Components) +
         " of types that hold each other, shortest cycles first; longer ones there are not reported "
         "(cycle_type.max_cycles in the rules raises it)";
}

std::string cycleTypeSearchCutRemark(unsigned Components) {
  return "cycle-type: the search for cycles of types stopped early in " + groups(Components) +
         " of types that hold each other too densely; shorter cycles there were reported first, longer ones may be "
         "missing (a smaller cycle_type.max_length searches less)";
}

std::string cycleTypeTooLongRemark(unsigned MaxLength, unsigned Components) {
  return "cycle-type: " + groups(Components) + " of types hold each other only through cycles longer than " +
         std::to_string(MaxLength) + " fields, which are not reported (cycle_type.max_length in the rules raises it)";
}

}  // namespace cyclops
