// HandleExprs.h - what types and expressions of the AST mean for refcounted handles: the
// handle family of a type, the value an expression passes on once copies, moves, temporaries
// and conversions are looked through, assignments and container operations. Shared by all
// that reads function bodies (extract/HandleValues.h builds on it; cycle-instance).
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

// Is this a null value for a handle or a callable: nullptr, `{}`, a default-constructed one,
// or a conversion of one (`std::function<void()>(nullptr)`)?
bool isNullValue(const clang::Expr *E);

// `std::move(x)` or `std::forward<T>(x)`: x. Null for anything else.
const clang::Expr *movedFrom(const clang::Expr *E);

// `std::make_shared<T>(...)`, `std::make_unique<T>(...)`, `cyc::make<T>(...)`, ...: a call that
// returns a handle to an object it has just made.
bool makesFreshObject(const clang::CallExpr *Call);

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

}  // namespace cyclops
