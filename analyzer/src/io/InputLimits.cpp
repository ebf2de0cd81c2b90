// InputLimits.cpp - refusing input nested too deeply for LLVM's recursive parsers.
#include "io/InputLimits.h"

#include <optional>

namespace cyclops {
namespace {

// The offset of the first '[' or '{' outside a string that opens level MaxNesting + 1, if any.
// On valid JSON the count is the parser's own depth; on invalid JSON it is that depth up to
// the parser's first error, where the parser stops: so the parser never goes deeper.
std::optional<size_t> tooDeepJson(llvm::StringRef Text) {
  unsigned Depth = 0;
  bool InString = false;
  for (size_t I = 0; I < Text.size(); ++I) {
    const char C = Text[I];
    if (InString) {
      if (C == '\\')
        ++I;  // the escaped character cannot end the string
      else if (C == '"')
        InString = false;
    } else if (C == '"') {
      InString = true;
    } else if (C == '[' || C == '{') {
      if (++Depth > MaxNesting) return I;
    } else if ((C == ']' || C == '}') && Depth > 0) {
      --Depth;
    }
  }
  return std::nullopt;
}

// json::ParseError's position of Offset: line from 1, column from 0, as the parser counts.
llvm::Error parseErrorAt(llvm::StringRef Text, size_t Offset, const char *Message) {
  llvm::StringRef Before = Text.take_front(Offset);
  const unsigned Line = 1 + static_cast<unsigned>(Before.count('\n'));
  const size_t LineStart = Before.rfind('\n');
  const size_t Column = LineStart == llvm::StringRef::npos ? Offset : Offset - LineStart - 1;
  return llvm::make_error<llvm::json::ParseError>(Message, Line, static_cast<unsigned>(Column),
                                                  static_cast<unsigned>(Offset));
}

bool yamlSpace(char C) { return C == ' ' || C == '\t' || C == '\n' || C == '\r'; }

}  // namespace

// Every run of commas counts, in quoted scalars and comments too: telling those apart takes a
// YAML scanner, and a guess wrong in either direction could hide a run. No file cyclops reads
// has a hundred commas in a row.
std::optional<size_t> tooManyEmptyYamlEntries(llvm::StringRef Text) {
  unsigned Run = 0;  // commas in a row, with nothing but white space between them
  for (size_t I = 0; I < Text.size(); ++I) {
    if (Text[I] == ',') {
      if (++Run > MaxNesting) return I;
    } else if (!yamlSpace(Text[I])) {
      Run = 0;
    }
  }
  return std::nullopt;
}

const std::string &emptyEntriesMessage() {
  static const std::string Message = "more than " + std::to_string(MaxNesting) + " empty entries in a row";
  return Message;
}

const std::string &nestingMessage() {
  static const std::string Message = "nested deeper than " + std::to_string(MaxNesting) + " levels";
  return Message;
}

llvm::Expected<llvm::json::Value> parseJson(llvm::StringRef Text) {
  if (std::optional<size_t> Deep = tooDeepJson(Text)) return parseErrorAt(Text, *Deep, nestingMessage().c_str());
  return llvm::json::parse(Text);
}

}  // namespace cyclops
