// Facts.h - what one translation unit says about the program, independent of Clang.
//
// The extractor (FactsExtractor.cpp) turns each translation unit's AST into these plain
// records; the graph (TypeGraph.cpp) merges the facts of every translation unit, keyed by
// fully qualified names, so that the same type seen from several files is one node.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cyclops {

// A position in a source file: an absolute, normalized path and 1-based line and column.
struct SourcePos {
  std::string File;
  unsigned Line = 0;
  unsigned Column = 0;

  bool valid() const { return !File.empty() && Line != 0; }
  friend bool operator==(const SourcePos &, const SourcePos &) = default;
};

// A textual edit on one line: replace Length bytes at Pos by Text (Length 0 inserts).
struct TextEdit {
  SourcePos Pos;
  unsigned Length = 0;
  std::string Text;
};

enum class EdgeKind : std::uint8_t {
  Strong,  // a refcounted strong handle (possibly inside owners): keeps its target alive
  Owns,    // the target is part of this object (by value, unique_ptr, optional, containers)
};

// One way a field reaches another record type.
struct FieldEdge {
  std::string Target;  // fully qualified name of the record reached
  EdgeKind Kind = EdgeKind::Strong;
  std::string Family;  // the handle family of a Strong edge ("cyc", "std", ...)
  bool Exact = true;   // false when the edge may also refer to classes derived from Target
};

struct FieldFact {
  std::string Name;
  SourcePos Pos;
  std::string TypeSpelling;  // the field's type as written
  std::vector<FieldEdge> Edges;
  // The field's type is, or holds, a type-erased holder (a class the rules list under
  // `erased:`, a strong handle to void): what it holds is known only from the stores into it.
  bool Erased = false;
  // Where the field's type names a strong handle template directly, the edit that turns it
  // into the family's weak handle (`cyc::Handle` -> `cyc::Weak`).
  std::optional<TextEdit> WeakFix;
};

enum class HookKind : std::uint8_t { None, Macro, Member, Adl };

// A trace hook: CYC_TRACE(...), a member trace(cyc::Tracer&), or an ADL cyc_trace(T&, Tracer&).
struct TraceHookFact {
  std::string Record;  // the record traced
  HookKind Kind = HookKind::None;
  SourcePos Pos;
  std::vector<std::string> TracedFields;  // field names the hook visits
  bool Opaque = false;  // the hook calls code we do not follow: do not judge its fields
  std::optional<SourcePos> MacroClose;  // CYC_TRACE: the closing parenthesis (to add a field)
};

// Where a trace hook could be added to a record: before its closing brace.
struct HookInsertion {
  SourcePos Pos;        // where text goes
  bool OwnLine = false; // the brace starts its line: insert a whole line at column 1
  std::string Indent;   // indentation for an inserted line
};

// Records only visible in one translation unit (anonymous namespace, local classes) have
// this and the file name appended to their name, so that they stay apart in the graph.
inline constexpr const char LocalSuffix[] = " @";

// The name to show: without the suffix.
inline std::string displayName(const std::string &Name) {
  size_t At = Name.find(LocalSuffix);
  return At == std::string::npos ? Name : Name.substr(0, At);
}

struct RecordFact {
  std::string Name;  // fully qualified (with template arguments), stable across TUs
  SourcePos Pos;
  std::vector<std::string> Bases;  // fully qualified names of user-defined bases
  std::vector<FieldFact> Fields;
  std::optional<TraceHookFact> Hook;  // a member hook declared in this record
  std::optional<HookInsertion> InsertHookAt;
  bool Synthetic = false;  // a library type seen through (e.g. Handle<std::vector<Handle<X>>>)
};

}  // namespace cyclops
