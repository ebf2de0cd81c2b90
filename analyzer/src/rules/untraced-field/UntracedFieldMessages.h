// UntracedFieldMessages.h - every text untraced-field shows: the finding's message and its two
// notes (the field, the hook). The check (UntracedFieldCheck.cpp) decides; this file words.
// Record, Owner: display names; Field: the field's name.
#pragma once

#include <string>

#include "facts/Facts.h"

namespace cyclops {

// "'Node::b' holds cyc handles that CYC_TRACE does not visit: ...": Record's own hook (of kind
// Hook) does not name the field.
std::string untracedFieldMessage(const std::string &Record, const std::string &Field, HookKind Hook);

// "'Derived::b' holds cyc handles, but the trace() that 'Derived' inherits from 'Base' cannot
// visit it: ...": the hook that applies to Record is its base Owner's (of kind Hook), which
// cannot know a field Record adds.
std::string inheritedHookMessage(const std::string &Record, const std::string &Field, HookKind Hook,
                                 const std::string &Owner);

// "'b' holds cyc handles through 'cyc::Handle<Node>'": the note at the field.
std::string untracedFieldNote(const std::string &Field, const std::string &TypeSpelling);

// "the trace hook of 'Base'": the note at the hook that applies to the field's record.
std::string traceHookNote(const std::string &Owner);

}  // namespace cyclops
