// UntracedFieldMessages.cpp - the words of untraced-field's findings.
#include "rules/untraced-field/UntracedFieldMessages.h"

namespace cyclops {

namespace {

std::string hookName(HookKind K) {
  switch (K) {
    case HookKind::Macro: return "CYC_TRACE";
    case HookKind::Member: return "trace()";
    case HookKind::Adl: return "cyc_trace()";
    case HookKind::None: break;
  }
  return "trace hook";
}

}  // namespace

std::string untracedFieldMessage(const std::string &Record, const std::string &Field, HookKind Hook) {
  return "'" + Record + "::" + Field + "' holds cyc handles that " + hookName(Hook) +
         " does not visit: the cycle collector cannot see them";
}

std::string inheritedHookMessage(const std::string &Record, const std::string &Field, HookKind Hook,
                                 const std::string &Owner) {
  return "'" + Record + "::" + Field + "' holds cyc handles, but the " + hookName(Hook) + " that '" + Record +
         "' inherits from '" + Owner + "' cannot visit it: give '" + Record + "' its own trace hook";
}

std::string untracedFieldNote(const std::string &Field, const std::string &TypeSpelling) {
  return "'" + Field + "' holds cyc handles through '" + TypeSpelling + "'";
}

std::string traceHookNote(const std::string &Owner) { return "the trace hook of '" + Owner + "'"; }

}  // namespace cyclops
