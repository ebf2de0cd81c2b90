// Rules.h - the declarative configuration: handle families, owners, rules and cut-offs.
//
// rules/default.yaml is compiled into the binary; `--rules=FILE` adds to it (`base: default`)
// or replaces it (`base: none`, the default for a file that does not say). The file is read
// with LLVM's YAMLTraits: an unknown key or a bad value is an error with the file and line, and
// so is a file that is not YAML, holds no document or more than one, or nests deeper than
// MaxNesting (InputLimits.h).
#pragma once

#include <string>
#include <vector>

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include "rules/Finding.h"

namespace cyclops {

// Strong and weak handle templates of one library, e.g. cyc::Handle / cyc::Weak.
struct HandleFamily {
  std::string Name;
  std::vector<std::string> Strong;  // fully qualified template names
  std::vector<std::string> Weak;
  bool Collector = false;  // libcyc: a cycle collector traces these (the trace rules apply)
  bool FixIt = true;       // a strong field may become the first weak handle as it is
};

struct RuleInfo {
  std::string Id;
  Severity Level = Severity::Warning;
  std::string Summary;
  bool Enabled = true;
};

// A callable wrapper whose body cyclops does not read (a library's): a function that returns
// an object holding its argument Arg, e.g. `boost::asio::io_context::strand::wrap` (0) or
// `boost::asio::bind_executor` (1). Functions with a visible body need no entry.
struct WrapperInfo {
  std::string Name;  // fully qualified function name
  unsigned Arg = 0;
};

struct CycleTypeOptions {
  unsigned MaxLength = 8;     // longest type cycle enumerated (edges)
  unsigned MaxCycles = 1000;  // stop enumerating after this many cycles
};

struct RuleSet {
  std::vector<HandleFamily> Families;
  std::vector<std::string> Owners;         // own their template arguments by value
  std::vector<std::string> PointerOwners;  // own one object that may be of a derived class
  std::vector<std::string> Erased;  // type-erased holders: may hold anything (qualified class names)
  std::vector<std::string> BackPointerNames;  // field names that usually point back (parent, prev)
  std::vector<WrapperInfo> Wrappers;
  CycleTypeOptions CycleType;
  std::vector<RuleInfo> Rules;

  const HandleFamily *strongFamily(llvm::StringRef TemplateName) const;
  // The family with this name ("std", "cyc"), or null.
  const HandleFamily *family(llvm::StringRef Name) const;
  const HandleFamily *weakFamily(llvm::StringRef TemplateName) const;
  bool isOwner(llvm::StringRef TemplateName) const;
  bool isPointerOwner(llvm::StringRef TemplateName) const;
  // A type-erased holder: a class listed under `erased:` (qualified, without template arguments).
  bool isErased(llvm::StringRef RecordName) const;
  // True when the field's name, lowercased and split at '_' and case changes, has a word in
  // BackPointerNames ("m_parent", "parentNode", "prev_").
  bool isBackPointerName(llvm::StringRef FieldName) const;
  // The wrapper listed under this qualified function name, or null.
  const WrapperInfo *wrapper(llvm::StringRef FunctionName) const;
  const RuleInfo *rule(llvm::StringRef Id) const;
  bool enabled(llvm::StringRef Id) const;
};

// Every rule id the design defines, in the order `cyclops rules` lists them.
const std::vector<std::string> &knownRuleIds();

// The rules compiled in from rules/default.yaml.
llvm::Expected<RuleSet> defaultRules();

// Parses rules text. `Name` is used in error messages ("NAME:LINE:COL: ..."). `Defaults` is
// what `base: default` extends.
llvm::Expected<RuleSet> parseRules(llvm::StringRef Text, llvm::StringRef Name,
                                   const RuleSet &Defaults);

// Reads and parses a rules file on top of the compiled-in defaults.
llvm::Expected<RuleSet> loadRulesFile(llvm::StringRef Path);

// A canonical text of every value in Rules: equal text, equal rules. Facts extracted under
// one rule set are keyed by it (the facts cache, `cyclops facts`).
std::string rulesFingerprint(const RuleSet &Rules);

}  // namespace cyclops
