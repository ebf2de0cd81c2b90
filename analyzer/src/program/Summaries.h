// Summaries.h - the function summaries of every translation unit, merged by function id and
// closed under calls: what a call stores, returns and wraps, whichever file defines the callee.
//
// Built once per analysis (not thread-safe to build; the queries are const). The closure is a
// fixpoint over rounds: each round lets every forward (`socket_.set(cb)`), every "returns what
// f returns" and every accessor step take in what the callee's summary says so far; it stops
// when a round changes nothing, or after MaxRounds (remark). Paths longer than MaxPathSteps are
// not followed (remark). Virtual calls take the union over the method and every overrider
// the program has.
//
// Cost: rounds x (forwards + returns) x paths per parameter; merging 1,000 translation units'
// summaries is a few hundred milliseconds (bench/README.md).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "facts/CodeFacts.h"
#include "facts/TUFacts.h"

namespace cyclops {

class ProgramSummaries {
 public:
  static constexpr unsigned MaxRounds = 32;
  static constexpr size_t MaxPathSteps = 8;
  static constexpr size_t MaxPathsPerParam = 16;
  static constexpr size_t MaxResetsPerFunction = 256;

  // A function that lets go of a field (`channel_.reset()`, `cb_ = nullptr`), itself or
  // through a member function it calls; At is the reset, or the call that leads to one.
  struct ResetSite {
    std::string Function;  // qualified name
    SourcePos At;
    bool Direct = false;
    FieldRef Field;  // the field let go of
  };

  explicit ProgramSummaries(const std::vector<TUFacts> &Units);

  // The paths from *this (fields only) into which a call of Id stores its parameter Param.
  std::vector<std::vector<ObjectStep>> stores(const std::string &Id, unsigned Param, bool Virtual) const;
  // The parts of *this (field paths) that a call of Id returns a reference or pointer to.
  std::vector<std::vector<ObjectStep>> parts(const std::string &Id, bool Virtual) const;
  // Does a call of Id return a strong handle to *this?
  bool returnsSelf(const std::string &Id, bool Virtual) const;
  // Does a call of Id return an object that holds what its parameter Param holds?
  bool wraps(const std::string &Id, unsigned Param) const;
  // Does Holder's destructor delete its raw pointer field Field (so the field owns)?
  bool ownsPointer(const std::string &Holder, const std::string &Field) const;
  // The functions that let go of a field along Path (a path of fields from an object of
  // Path's first holder): their reset path, from an object of that type, is a prefix of Path.
  // So `channel_.reset()` in Connector breaks Connector.channel_ -> Channel.cb, and
  // `ws->set_cb(nullptr)` breaks WebSocket.cb, but not State.socket -> WebSocket.cb: that
  // would need the reset to come from a State. Direct resets first, then by name; one site
  // per function.
  std::vector<ResetSite> resetsAlong(const std::vector<ObjectStep> &Path) const;
  // Every requirement of a CaptureFact ("self:ID", "wraps:ID:N") holds.
  bool satisfied(const std::vector<std::string> &Requires) const;
  // Replaces accessor steps by the paths they stand for and checks raw pointer steps; the
  // first expansion (paths sorted), or false when a step cannot be resolved.
  bool expand(const std::vector<ObjectStep> &Path, std::vector<ObjectStep> &Out) const;

  // The function's qualified name, for messages ("" when no summary has it).
  std::string name(const std::string &Id) const;
  // Cut-offs reached while closing the summaries, one line each.
  const std::vector<std::string> &remarks() const { return Remarks; }

 private:
  using Path = std::vector<ObjectStep>;
  using PathSet = std::map<std::string, Path>;  // keyed by a canonical text, for set semantics

  void index(const std::vector<TUFacts> &Units);
  void collectOverriders();
  void seed();
  void close();
  bool round();
  bool closeResets(const std::string &Id, const FunctionSummary &S);
  bool expandAll(const Path &P, std::vector<Path> &Out) const;
  bool addPath(PathSet &Set, Path P, size_t Cap = MaxPathsPerParam);
  bool addReset(const std::string &Id, Path P, const SourcePos &At, bool Direct);
  std::vector<std::string> targets(const std::string &Id, bool Virtual) const;
  static std::string key(const Path &P);

  std::map<std::string, const FunctionSummary *> ById;
  std::map<std::string, std::vector<std::string>> Overriders;  // id -> every (transitive) overrider
  std::map<std::pair<std::string, unsigned>, PathSet> Stores;   // (id, param) -> paths
  std::map<std::string, PathSet> Parts;
  std::set<std::string> Self;
  std::set<std::pair<std::string, unsigned>> Wrapping;
  std::set<std::pair<std::string, std::string>> OwnedPointers;  // (holder, field)
  std::map<std::string, PathSet> Resets;                           // id -> fields it resets
  std::map<std::pair<std::string, std::string>, ResetSite> ResetSites;  // (id, path key) -> where
  std::vector<std::string> Remarks;
  bool PathCut = false;
};

}  // namespace cyclops
