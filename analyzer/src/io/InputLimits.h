// InputLimits.h - how deeply the files cyclops reads may nest.
//
// LLVM's JSON parser and yaml::Input build their trees recursively, one call per level of
// nesting and without a limit, so a file of a few hundred kilobytes of '[' overflows the stack.
// Every file cyclops reads (rules, baselines, facts, findings, collector reports,
// compile_commands.json) nests a few levels deep; anything deeper than MaxNesting is refused
// before those parsers see it.
#pragma once

#include <optional>
#include <string>

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

namespace cyclops {

// Arrays and objects (JSON), sequences and mappings (YAML), one inside another.
inline constexpr unsigned MaxNesting = 100;

// The error for a file that nests deeper: "nested deeper than 100 levels".
const std::string &nestingMessage();

// LLVM's YAML parser also recurses once per empty entry of a flow collection (`[a,,,,]`). The
// offset of the comma that starts the (MaxNesting + 1)-th empty entry in a row (commas with
// only white space between them, anywhere in the text), if any; and its error, "more than 100
// empty entries in a row".
std::optional<size_t> tooManyEmptyYamlEntries(llvm::StringRef Text);
const std::string &emptyEntriesMessage();

// llvm::json::parse, except that text nesting deeper than MaxNesting is a json::ParseError
// at the bracket that goes too deep: callers report it as they report any syntax error.
llvm::Expected<llvm::json::Value> parseJson(llvm::StringRef Text);

}  // namespace cyclops
