// HandleValues.h - what an expression of one function body means for handles: which object a
// handle refers to, which object an expression designates and how it is reached from a known
// one, and what a closure holds. The one interpretation that both the function summaries
// (extract/Summaries.cpp) and the capture-cycle rule's extraction read.
//
// Objects are known relative to the function: a local variable (a handle, or a parameter),
// or *this. What another function would tell (a `get_shared()` defined elsewhere, an accessor,
// a callable wrapper) is not looked up: it is named by the function's id in `Requires` or in an
// Accessor step, and resolved in the merged program (program/Summaries.h).
//
// Not thread-safe (one instance per function walk); every query is bounded by MaxDepth.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "clang/AST/DeclCXX.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"

#include "config/Rules.h"
#include "facts/CodeFacts.h"

namespace cyclops {

class ExtractContext;

// An object as far as one function can tell: the object of a variable (a handle and its copies
// and init-captures lead back to the variable they copy), or *this. Requires: what other
// functions must do for this to hold ("self:ID").
struct ObjectId {
  const clang::VarDecl *Var = nullptr;
  bool This = false;
  std::vector<std::string> Requires = {};
  bool known() const { return Var || This; }
  bool sameObject(const ObjectId &O) const { return known() && Var == O.Var && This == O.This; }
};

// Where an expression leads: the root object, then the steps from it.
struct Target {
  ObjectId Root;
  const clang::CXXRecordDecl *RootType = nullptr;  // the root object's static type, when known
  std::vector<ObjectStep> Steps;
};

// A strong handle that a closure holds.
struct HeldHandle {
  std::string Name;  // as written: "self", "s = self", "shared_from_this()"
  clang::SourceLocation Loc;
  ObjectId Object;
  const HandleFamily *Family = nullptr;
  clang::QualType Type;
  bool Traced = false;    // a piece of a cyc::closure: the collector can see it
  bool Implicit = false;  // captured by a capture default ([=])
  bool Wrapped = false;   // captured by the callable that a bind / cyc::closure wraps
  std::string Via;        // a captured callable that holds the handle: `[inner] { inner(); }`
};

// A parameter of the function whose value a closure holds (captured, bound, wrapped).
struct HeldParam {
  unsigned Index = 0;
  std::vector<std::string> Requires;  // "wraps:ID:N" on the way
};

struct ClosureValue {
  std::string Kind = "lambda";  // "lambda", "std::bind", "boost::bind", "cyc::closure", ...
  std::vector<HeldHandle> Handles;
  std::vector<HeldParam> Params;
  std::vector<std::string> Requires;  // what the closure's identification needs ("wraps:ID:N")
};

// A store an expression makes: `x->f = v`, `x->f[k] = v`, `x->fs.push_back(v)`; or a member call
// that may store its argument, `x->set(v)` (Setter the call, Arg the argument's index).
struct StoreSite {
  const clang::Expr *At = nullptr;
  Target Where;  // the object stored into; for a direct store its last step is the field
  const clang::Expr *Value = nullptr;
  const clang::CXXMemberCallExpr *Setter = nullptr;
  unsigned Arg = 0;
};

class HandleValues {
 public:
  // Fn: the function whose body the expressions are in.
  HandleValues(ExtractContext &X, const clang::FunctionDecl *Fn);

  // The object E designates or points to, and the steps that reach it from a known object.
  std::optional<Target> objectOf(const clang::Expr *E, int Depth = 0);
  // `x->f = v`, `x->f[k] = v`: the object that E's field belongs to, with the field as last step.
  std::optional<Target> fieldTarget(const clang::Expr *L);
  std::optional<Target> memberTarget(const clang::MemberExpr *M);
  // The stores E makes (none when it is neither an assignment to a field nor a member call on
  // a known object).
  std::vector<StoreSite> storesOf(const clang::Expr *E);
  // The object a handle refers to.
  ObjectId resolve(const clang::Expr *E, int Depth = 0);
  // What a closure-valued expression holds; nullopt when E is not (known to be) a closure.
  std::optional<ClosureValue> closureOf(const clang::Expr *E, int Depth = 0);
  // The parameter E passes on (looked through copies, moves and conversions), or -1.
  int passedParam(const clang::Expr *E);

  // The function's id (USR), also for the callees it names.
  static std::string functionId(const clang::FunctionDecl *FD);
  // A call's callee is virtual and not named with a qualifier (`Base::f()`).
  static bool virtualCall(const clang::CXXMemberCallExpr *Call);
  ObjectStep memberStep(const clang::MemberExpr *M, const clang::FieldDecl *F);
  FieldRef fieldRef(const clang::CXXRecordDecl *Holder, const clang::FieldDecl *F);
  // One line of source text, whitespace runs collapsed.
  std::string text(clang::SourceRange R);
  // The local id of an object in this function: "this", or the variable's name and position.
  std::string localId(const ObjectId &O);
  // The weak handle spelling for a held handle: "cyc::Weak<app::Conn>"; "" when none.
  std::string weakSpelling(const HeldHandle &H);

 private:
  std::optional<Target> heldBy(const clang::Expr *H, int Depth);
  bool holds(clang::QualType T, int Depth = 0);
  ObjectId resolveVar(const clang::VarDecl *V, int Depth);
  ObjectId resolveCall(const clang::Expr *E, int Depth);
  std::optional<ClosureValue> closureOfCall(const clang::CallExpr *Call, int Depth);
  std::optional<ClosureValue> wrapped(const clang::FunctionDecl *Callee, const clang::CallExpr *Call,
                                      int Depth);
  std::optional<ClosureValue> pieces(std::string Kind, const clang::Expr *const *Args, unsigned N, int Depth);
  void lambdaCaptures(const clang::LambdaExpr *L, ClosureValue &Out, int Depth);
  void capturedCallable(const clang::LambdaCapture &Cap, const clang::VarDecl *V, ClosureValue &Out, int Depth);
  std::optional<Target> accessorStep(const clang::CXXMemberCallExpr *Call, int Depth);
  std::string callableTemplate(clang::QualType T, int Depth = 0);
  const clang::CXXRecordDecl *thisType() const;

  ExtractContext &X;
  const RuleSet &Rules;
  const clang::FunctionDecl *Fn;
};

}  // namespace cyclops
