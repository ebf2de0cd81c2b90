// MissingTraceMessages.cpp - the words of missing-trace's findings.
#include "rules/missing-trace/MissingTraceMessages.h"

#include "llvm/ADT/StringExtras.h"

namespace cyclops {

std::string traceMacroFor(const std::vector<std::string> &Fields) {
  return "CYC_TRACE(" + llvm::join(Fields, ", ") + ")";
}

std::string missingTraceMessage(const std::string &Record, const std::vector<std::string> &Fields) {
  return "'" + Record + "' holds cyc handles (" + llvm::join(Fields, ", ") +
         ") but has no trace hook: the cycle collector cannot see them; add " + traceMacroFor(Fields);
}

std::string missingTraceFieldNote(const std::string &Record, const std::string &Field, const std::string &TypeSpelling) {
  return "'" + Record + "::" + Field + "' holds cyc handles through '" + TypeSpelling + "'";
}

}  // namespace cyclops
