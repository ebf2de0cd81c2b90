// HandleExprs.h - what types and expressions of the AST mean for refcounted handles: the
// handle family of a type, the value an expression passes on once copies, moves, temporaries
// and conversions are looked through, assignments and setters. Shared by the rules that read
// function bodies (capture-cycle; cycle-instance can use the same queries).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "clang/AST/Decl.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/Expr.h"
#include "llvm/ADT/StringRef.h"

#include "config/Rules.h"

namespace cyclops {

// The family of a strong (weak) handle type such as cyc::Handle<T> / std::weak_ptr<T>, looked
// through aliases and references; null for any other type.
const HandleFamily *strongHandleFamily(const RuleSet &Rules, clang::QualType T);
const HandleFamily *weakHandleFamily(const RuleSet &Rules, clang::QualType T);

// The qualified name of the class template that T (references and aliases looked through)
// instantiates, e.g. "std::function"; "" when T is no template specialization.
std::string specializedTemplateName(clang::QualType T);

// The first type argument of a template specialization: the T of Handle<T>. Null otherwise.
clang::QualType firstTypeArg(clang::QualType T);

// Looks through parentheses, implicit casts and the nodes C++ wraps around temporaries
// (MaterializeTemporaryExpr, CXXBindTemporaryExpr, ExprWithCleanups, functional casts). It
// does not look through constructor calls: what a construction passes on depends on the type.
const clang::Expr *ignoreWrappers(const clang::Expr *E);

// `std::move(x)` or `std::forward<T>(x)`: x. Null for anything else.
const clang::Expr *movedFrom(const clang::Expr *E);

// The variable an expression names directly (after ignoreWrappers), or null.
const clang::VarDecl *namedVar(const clang::Expr *E);

// `a = b`, built in or overloaded: {a, b}; {null, null} for anything else (wrappers are not
// looked through: pass ignoreWrappers(E) for a full statement).
std::pair<const clang::Expr *, const clang::Expr *> assignmentParts(const clang::Expr *E);

// What a member function of a container does with its elements: adds one (push_back, emplace,
// insert, assign, append, prepend, ...), removes some (erase, clear, pop_back, ...), or
// neither. By name only: the caller checks that the object is a library container.
enum class ContainerOp { None, Add, Remove };
ContainerOp containerOp(llvm::StringRef Method);

// A store that a member function makes of one of its parameters into a field of *this, at the
// top level of its body: `field = p;`, `this->field = std::move(p);`, `field.push_back(p);`.
struct ParamStore {
  const clang::FieldDecl *Field = nullptr;
  unsigned Param = 0;             // index of the parameter stored
  const clang::Expr *At = nullptr;  // the store inside the member function
};

// The parameter stores of a setter's definition (empty when it has none or no body).
std::vector<ParamStore> paramStores(const clang::FunctionDecl *Def);

}  // namespace cyclops
