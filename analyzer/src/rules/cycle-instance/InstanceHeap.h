// InstanceHeap.h - the abstract heap of the cycle-instance rule: the objects one function
// deals with, which locals refer to which objects, the strong edges stored between objects,
// and the cycles those edges close.
//
// Objects are named by where they come from (a parameter, *this, an allocation site, a call
// site, a field read), not by the variable holding them. An allocation site that runs more
// than once (a loop) has two objects: the one it made last, and a "many" object standing
// for every earlier one (the recency abstraction). Stores into the last one replace what
// its field held; stores into the many object only add. That is what tells
// `for (...) { n = make<Node>(); n->next = head; head = n; }` (each node points at an
// older one: a list) from `a->next = b; b->next = a` (a cycle).
//
// A State is what holds at one program point on some path: edges *may* exist (joins take
// the union), fields that were overwritten *must* have been (joins take the intersection).
// A cycle is a Candidate from the store that closes it; it stays Live while its edges form
// a cycle, so a cycle broken on every path before return is dropped, and one broken on
// some paths only survives the join. Plain data: no Clang types beyond opaque keys.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

#include "config/Rules.h"
#include "facts/Facts.h"

namespace clang {
class Expr;
class FunctionDecl;
class Stmt;
class ValueDecl;
}  // namespace clang

namespace cyclops::instance {

// A small sorted set of object ids; a handle usually refers to one object.
class ObjSet {
 public:
  ObjSet() = default;
  static ObjSet of(int Object) {
    ObjSet S;
    S.insert(Object);
    return S;
  }
  bool insert(int Object);
  bool merge(const ObjSet &Other);  // true when something was added
  void replace(int From, int To);
  bool contains(int Object) const;
  bool within(const ObjSet &Other) const;  // a subset of Other
  bool empty() const { return Items.empty(); }
  size_t size() const { return Items.size(); }
  int front() const { return Items.front(); }
  const int *begin() const { return Items.begin(); }
  const int *end() const { return Items.end(); }
  friend bool operator==(const ObjSet &A, const ObjSet &B) {
    return A.Items == B.Items && A.MaybeNull == B.MaybeNull;
  }

  // A local that is null on some paths and refers to an object on others (the join of
  // the two). The empty set is null outright.
  bool MaybeNull = false;

 private:
  llvm::SmallVector<int, 2> Items;
};

// Where an edge was made: a store in the function, a call whose callee stores (Inner is the
// callee's trace), or a field read whose value was there before the function started.
enum class TraceKind : std::uint8_t { Store, Call, Entry };

struct Trace {
  TraceKind Kind = TraceKind::Store;
  const clang::Stmt *At = nullptr;
  const clang::FunctionDecl *In = nullptr;
  int Inner = -1;
  std::string Text;  // the source text of At, for messages and ids
  SourcePos Pos;
  std::string Note;  // Store and Entry: what happens, in the words of the function `In`
  const HandleFamily *Family = nullptr;  // of the handle stored (Call: the innermost store's)
};

// Traces are shared by every function of a translation unit: a callee's store shows in the
// caller's notes.
class TraceTable {
 public:
  // The trace of (Kind, At, Inner, Field); `Fill` completes it the first time. A store
  // with several fields (`make<Pair>(a, b)`) has a trace per field.
  int intern(TraceKind Kind, const clang::Stmt *At, int Inner, int Field, llvm::function_ref<void(Trace &)> Fill);
  const Trace &operator[](int Id) const { return Items[Id]; }

 private:
  std::map<std::tuple<int, const void *, int, int>, int> Index;
  std::vector<Trace> Items;
};

// Field paths as small integers: "next", "data.next", and "" for the elements of an object
// that is itself a container (`li->push_back(x)`).
class FieldTable {
 public:
  FieldTable() { intern(""); }
  int intern(const std::string &Path);
  const std::string &name(int Field) const { return Names[Field]; }
  int parent(int Field) const { return Parents[Field]; }  // "data" for "data.next"; -1 at the top
  bool within(int Field, int Outer) const;                 // Field is Outer or a part of it

 private:
  std::map<std::string, int> Index;
  std::vector<std::string> Names;
  std::vector<int> Parents;
};

struct Edge {
  int From = -1, Field = -1, To = -1, Trace = -1;
  friend auto operator<=>(const Edge &, const Edge &) = default;
};

enum class ObjKind : std::uint8_t {
  Param,   // what parameter A refers to (Site: the function)
  This,    // *this
  Alloc,   // made at Site: make<T>(), make_shared<T>(), new T
  Fresh,   // an unknown value first seen at Site (a call we do not see into, a global)
  Load,    // Stable: what field B of object A held on entry; else read at Site
  Callee,  // object A of the summary of the function called at Site
};

struct ObjKey {
  ObjKind Kind = ObjKind::Fresh;
  const void *Site = nullptr;
  int A = 0, B = 0;
  bool Many = false;  // the summary of every earlier object of this key
  friend auto operator<=>(const ObjKey &, const ObjKey &) = default;
};

struct Object {
  ObjKey Key;
  std::string Type;   // the pointee type, fully qualified
  std::string Label;  // the local that first held it, or the text that made it
  bool Named = false;       // Label is a local's name
  bool Stable = false;      // one object for the whole call: parameters, *this, their entry contents
  bool KnownFields = false; // holds nothing but what this function stored (a new object)
  bool NeverNull = false;   // a handle to it is never null: a new object, *this
  int Base = -1, Field = -1, Depth = 0;  // Load: read from Base.Field, Depth reads from a stable object
  const HandleFamily *Family = nullptr;   // Load: the handle family of the field read
};

// A cycle as the store that closed it saw it: its edges in order, the closing one last.
struct Candidate {
  std::vector<Edge> Edges;
  bool Inherited = false;  // made by one call among the callee's own objects: the callee's to report
};

struct State {
  bool Reached = false;
  std::map<const clang::ValueDecl *, ObjSet> Vars;  // locals: the objects they refer to or designate
  std::set<Edge> Edges;                             // may exist
  std::set<std::pair<int, int>> Written;            // (object, field) overwritten on every path
  std::set<int> Havocked;                           // objects an unknown call may have changed
  std::set<int> Null;                               // parameters (or what they held) null on this path
  std::set<int> Live;                               // candidates whose cycle may stand
  std::map<const clang::Expr *, ObjSet> Values;     // what calls and moves evaluated to
  ObjSet Returned;                                  // what a return statement returned

  // Joins another path into this one; true when this one changed.
  bool join(const State &Other);
  // Says nothing Other does not say too: joining this into Other would not change it.
  bool within(const State &Other) const;
};

// The objects and cycles of one function. Cost: stores and kills are linear in the number
// of edges; closing a cycle is a breadth-first search over them.
class Heap {
 public:
  explicit Heap(const FieldTable &F) : Fields(F) {}

  // The object of Key, made from Proto the first time.
  int object(const ObjKey &Key, const Object &Proto);
  const Object &operator[](int Id) const { return Objects[Id]; }
  Object &at(int Id) { return Objects[Id]; }

  // A new object at an allocation site: the site's previous object, if the state still
  // knows it, becomes part of the site's many-object.
  int allocate(State &S, ObjKey Key, const Object &Proto);

  // Exactly one object that is not a many-object: a store to it replaces.
  bool single(const ObjSet &Objects) const;

  // Field `Field` of the objects Recv now holds Values (Replace: instead of what it held,
  // where that is certain). Returns the edges that are new.
  std::vector<Edge> store(State &S, const ObjSet &Recv, int Field, bool Replace, const ObjSet &Values, int Trace);
  // Field (and its parts) of Recv no longer holds anything, where that is certain.
  void clear(State &S, const ObjSet &Recv, int Field);
  // An unknown call may have changed any field of these objects: forget their edges.
  void havoc(State &S, const ObjSet &Objects);
  // Did every path overwrite Field (or the field it is part of) of O?
  bool written(const State &S, int O, int Field) const;
  // The objects Field of O may refer to.
  ObjSet targets(const State &S, int O, int Field) const;

  // Records the cycles the new edges close, as live candidates. `Inherited` says whether a
  // cycle belongs to a callee (see InstanceSummaries.h); it is tracked, not reported.
  void closeCycles(State &S, const std::vector<Edge> &New,
                   llvm::function_ref<bool(const std::vector<Edge> &)> Inherited);
  // Drops the live candidates whose edges no longer form a cycle.
  void recheck(State &S) const;
  const Candidate &candidate(int Id) const { return Candidates[Id]; }

 private:
  std::vector<Edge> pathBetween(const State &S, int From, int To) const;
  bool stands(const State &S, const Candidate &C) const;
  void rename(State &S, int From, int To) const;
  bool mentions(const State &S, int O) const;

  const FieldTable &Fields;
  std::map<ObjKey, int> ByKey;
  std::vector<Object> Objects;
  std::map<std::vector<std::pair<int, int>>, int> CandidateIndex;  // (field, trace) per edge
  std::vector<Candidate> Candidates;
};

}  // namespace cyclops::instance
