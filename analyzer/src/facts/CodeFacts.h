// CodeFacts.h - what one translation unit's function bodies say about handles, for the rules
// that reason about code across translation units (capture-cycle).
//
// Two kinds of records, both plain data (no Clang types), both written to facts files:
//
//   FunctionSummary  what a function does that its callers need to know: the parameters it
//                    stores into parts of *this, the parameters it passes on to other calls,
//                    whether it returns a handle to *this, a part of *this, or an object that
//                    holds a parameter (a callable wrapper). Extracted for every function with a
//                    body in user code (extract/Summaries.cpp); merged and closed under calls
//                    by program/Summaries.cpp.
//   CaptureFact      a closure handed on to a store, and one strong handle it holds, each side
//                    as far as its function can tell; whatever needs another function's body
//                    is named by that function's id and resolved in the merged program. A
//                    fact without a closure is a strong handle stored as it is
//                    (`a->set_next(b)`): cycle-instance's stores, for the cycles they close
//                    through setters defined in other translation units.
//   TypedStoreFact   a value stored into a field, or passed to a function that stores it, with
//                    the record its object is when the expression says more than the field's
//                    declared type (a derived class, a payload of a type-erased holder), and
//                    whether it is a freshly made object. cycle-type's evidence for an edge
//                    that the declaration alone does not back, and its fix-it's safety.
//   ParamPassFact    a parameter passed on to another function, for typed arguments to follow.
//   StrongUseFact    a use of a strong handle field that a weak handle could not serve.
//
// Functions are named by their USR (clang's Unified Symbol Resolution): one function seen
// from two translation units has one id; a function local to a file has its file in the id.
#pragma once

#include <string>
#include <vector>

#include "facts/Facts.h"

namespace cyclops {

// A field on the way from one object to another.
struct FieldRef {
  std::string Holder;    // the record it is reached through (qualified name)
  std::string Field;
  SourcePos Pos;         // the field's declaration
  std::string Spelling;  // its type as written
  std::string Handle;    // the strong handle template the field is ("std::shared_ptr"), or ""
  std::string Family;    // that handle's family, or ""
  std::string Callable;  // the callable template that would hold a closure stored here, or ""
  bool Strong = false;   // keeps what is stored in it alive (a strong handle, an owner of them)
  friend bool operator==(const FieldRef &, const FieldRef &) = default;
};

// One step from an object to a part of it, or to an object it keeps alive.
struct ObjectStep {
  enum Kind : unsigned char {
    Member,      // a field: by value, a strong handle, an owner (unique_ptr, optional, ...)
    RawPointer,  // a raw pointer field: an owner only if its class's destructor deletes it
    Accessor,    // a member function whose result (a reference, a pointer) is a part of the object
  };
  Kind K = Member;
  FieldRef Field;        // Member, RawPointer
  std::string Callee;    // Accessor: its function id
  bool Virtual = false;  // Accessor: called virtually (every overrider counts)
  friend bool operator==(const ObjectStep &, const ObjectStep &) = default;
};

// `on_message_ = std::move(cb)`, `state_->callbacks.push_back(f)`: parameter Param is stored
// into the last field of Path, which leads from *this.
struct ParamStoreFact {
  unsigned Param = 0;
  std::vector<ObjectStep> Path;
  SourcePos At;
  friend bool operator==(const ParamStoreFact &, const ParamStoreFact &) = default;
};

// `socket_.set_on_message(cb)`: parameter Param is passed as argument Arg of Callee, called on
// the object that Receiver leads to from *this.
struct ParamForwardFact {
  unsigned Param = 0;
  std::vector<ObjectStep> Receiver;
  std::string Callee;
  bool Virtual = false;
  unsigned Arg = 0;
  SourcePos At;
};

// `return make_handler(std::move(f))`: the result holds what Callee's argument Arg holds,
// and that argument holds parameter Param.
struct WrapForwardFact {
  unsigned Param = 0;
  std::string Callee;
  unsigned Arg = 0;
};

// `channel_.reset()`, `cb_ = nullptr`, `state_->cbs.clear()`: the field Path ends in loses what
// it held. Path leads from *this, or from another object of the function (a local, a
// parameter): what counts for a cycle is which field (its last step) is let go of.
struct FieldResetFact {
  std::vector<ObjectStep> Path;
  SourcePos At;
};

// `removeAndReset()`, `impl_->stop()`, `ws->setOnMessage(nullptr)`: a member function called on
// an object of the function (Receiver leads to it from *this, or from a local when not OfThis).
// What the callee resets, the caller resets; a null argument resets what the callee stores
// that parameter into.
struct MemberCallFact {
  std::vector<ObjectStep> Receiver;
  std::string Callee;
  bool Virtual = false;
  SourcePos At;
  bool OfThis = true;
  std::vector<unsigned> NullArgs;
};

struct FunctionSummary {
  std::string Id;    // USR
  std::string Name;  // qualified, for messages
  std::string Class;  // a member function's record, named as records are (Facts.h); else ""
  std::vector<std::string> Overrides;  // the ids of the methods it overrides directly
  std::vector<ParamStoreFact> Stores;
  std::vector<ParamForwardFact> Forwards;
  // The result: a strong handle to *this (shared_from_this() and wrappers of it) ...
  bool ReturnsSelf = false;
  std::vector<std::string> ReturnsSelfOf;  // ... or what these functions, called on *this, return
  // ... a reference or pointer to a part of *this (an accessor), by these paths ...
  std::vector<std::vector<ObjectStep>> ReturnsPart;
  // ... an object holding these parameters (a callable wrapper).
  std::vector<unsigned> Wraps;
  std::vector<WrapForwardFact> WrapsOf;
  // A destructor: the raw pointer fields of *this it deletes (they own what they point to).
  std::vector<std::string> Deletes;
  // Fields it resets or clears, and the member functions it calls on parts of *this.
  std::vector<FieldResetFact> Resets;
  std::vector<MemberCallFact> Calls;
};

// A closure handed to a store, and one strong handle it holds.
struct CaptureFact {
  SourcePos At;          // the store, or the call that leads to one
  std::string Function;  // the function it is in (qualified; a file-local one with " @file")
  std::string Closure;   // what holds the handle: "lambda", "std::bind", "cyc::closure", ...;
                         // "" when the handle itself is stored
  std::string Text;      // the store as written, on one line (`b->set_next(a)`)
  bool Local = true;     // every store it makes is visible in its translation unit
  // Where the closure goes: from the object Root (a local id in Function: "this", a
  // variable), along Path, to the storing object; the last step of Path is the field stored
  // into, unless Setter names the function called on that object with the closure as
  // argument Arg (its stores, across translation units, say where it goes).
  std::string Root;
  std::string RootType;  // the static type of Root's object (qualified)
  std::vector<ObjectStep> Path;
  std::string Setter;
  std::string SetterName;
  bool SetterVirtual = false;
  unsigned Arg = 0;
  // The handle.
  std::string Held;        // as written: "self", "s = self", "shared_from_this()"
  SourcePos HeldPos;
  std::string HeldRoot;    // the object it refers to (a local id, as Root)
  std::string Handle;      // its template, e.g. "std::shared_ptr"
  std::string Family;      // its family
  std::string WeakHandle;  // the family's weak handle for it ("cyc::Weak<app::Conn>"), or ""
  bool Traced = false;     // a piece of a cyc::closure: the collector can see it
  bool Implicit = false;   // captured by a capture default ([=])
  bool Wrapped = false;    // captured by the callable a bind / cyc::closure wraps
  std::string Via;         // a captured callable that holds the handle
  // What the identification of the handle's object or the closure needs from other
  // functions' summaries: "self:ID" (ID returns a handle to *this), "wraps:ID:N" (ID returns
  // an object holding its parameter N).
  std::vector<std::string> Requires;
};

// `child_ = std::make_shared<Leaf>()`, `m_data(std::make_unique<Impl<int>>(v))`, `any_ = conn`:
// a value goes into Field of Holder. `setChild(std::make_shared<Leaf>())`: a value is passed as
// argument Arg of Callee, whose summary says where that parameter goes. Recorded when Stored
// says more than the declaration (a class derived from the field's or parameter's target; the
// payload of a type-erased holder) or when the object is freshly made.
struct TypedStoreFact {
  std::string Holder;  // the record declaring the field; "" for an argument
  std::string Field;
  std::string Callee;  // the function an argument is passed to (its id); "" for a field
  unsigned Arg = 0;
  std::string Stored;  // the record of the value's object (qualified), or "" when unknown
  bool Strong = true;  // the value is a strong handle to Stored (else it holds Stored by value
                       // or through an owner); meaningful for type-erased holders
  std::string Family;  // the handle family of a strong value ("std", "cyc"), or ""
  bool Fresh = false;  // a freshly made object (make_shared, new): the store is its first owner
  SourcePos At;
  friend bool operator==(const TypedStoreFact &, const TypedStoreFact &) = default;
};

// In place of a parameter or argument index: the function's result. A TypedStoreFact with
// Callee F and Arg ResultSlot says F returns a Stored; a ParamPassFact from (G, ResultSlot)
// says G's result is passed on.
inline constexpr unsigned ResultSlot = 1024;

// `Box(T v) : any_(std::move(v))`, `return Data(Any(std::move(obj)))`: a function passes its
// parameter Param on as argument Arg of Callee (a call or a construction, member or not). What
// a typed argument of the function carries, Callee's argument then carries. Either index may
// be ResultSlot: `Box(make())` passes make's result, `return p;` passes p to the result. With
// no Callee, the value is stored into Holder::Field (`h->fn = make(h)`, `obj->f = p`).
struct ParamPassFact {
  std::string Function;  // the passing function's id
  unsigned Param = 0;
  std::string Callee;
  unsigned Arg = 0;
  std::string Holder = {};  // without a Callee: the field stored into
  std::string Field = {};
  friend bool operator==(const ParamPassFact &, const ParamPassFact &) = default;
};

// `parent_->notify()`, `auto p = parent_;`: a use of a strong handle field that a weak handle
// could not serve (anything but assigning it, resetting it, locking it). One per field and
// translation unit.
struct StrongUseFact {
  std::string Holder;
  std::string Field;
  SourcePos At;
  friend bool operator==(const StrongUseFact &, const StrongUseFact &) = default;
};

}  // namespace cyclops
