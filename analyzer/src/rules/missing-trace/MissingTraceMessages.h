// MissingTraceMessages.h - every text missing-trace shows: the finding's message, the note at
// each field, and the hook the fix-it writes. The check (MissingTraceCheck.cpp) decides; this
// file words.
#pragma once

#include <string>
#include <vector>

namespace cyclops {

// "CYC_TRACE(a, b)": the hook that visits Fields, as the message advises and the fix-it adds.
std::string traceMacroFor(const std::vector<std::string> &Fields);

// "'Node' holds cyc handles (a, b) but has no trace hook: ...; add CYC_TRACE(a, b)". Record is
// the display name; Fields are its fields that hold handles.
std::string missingTraceMessage(const std::string &Record, const std::vector<std::string> &Fields);

// "'Node::a' holds cyc handles through 'cyc::Handle<Node>'": the note at one of those fields.
std::string missingTraceFieldNote(const std::string &Record, const std::string &Field, const std::string &TypeSpelling);

}  // namespace cyclops
