// InstanceModel.h - what the cycle-instance rule knows about handle code on the AST: which
// types are strong handles or can hold them, which library calls it models (make, move,
// casts, container inserts and removals), and which functions are worth a data-flow pass.
//
// Everything here is a pure question about the AST; the abstract heap (InstanceHeap.h) and
// the data flow (InstanceFlow.h) build on it. Not thread-safe: one instance per translation
// unit, like the ExtractContext it serves.
#pragma once

#include <map>
#include <string>

#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/StringRef.h"

#include "config/Rules.h"
#include "utils/HandleExprs.h"

namespace cyclops::instance {

// Memoized questions about types; each type is looked at once per translation unit.
class HandleTypes {
 public:
  explicit HandleTypes(const RuleSet &Rules);

  // The strong handle family of a handle type (Handle<T>, shared_ptr<T>, references to
  // them), or null.
  const HandleFamily *strong(clang::QualType T);
  // Can a value of this type hold strong handles (a handle, a container of them, a record
  // with such fields)?
  bool holdsStrong(clang::QualType T);
  // The T of a Handle<T> (through references); null for anything else.
  clang::QualType pointee(clang::QualType HandleType);
  // A record (or reference or pointer to one) whose objects can hold strong handles: the
  // parameters that designate an object rather than a handle (`Node &n`, `Node *n`).
  bool designatesHolder(clang::QualType T);
  // Library code is modeled by name, never summarised: system headers, std::, and the
  // namespaces of the handle families (cyc::, boost::).
  bool isLibrary(const clang::Decl *D);

 private:
  bool holdsStrongUncached(clang::QualType T, unsigned Depth);

  const RuleSet &Rules;
  std::map<const clang::Type *, const HandleFamily *> StrongCache;
  std::map<const clang::Type *, bool> HoldsCache;
  std::vector<std::string> LibraryNamespaces;
};

// Looks through parentheses, implicit casts, temporaries and handle conversions
// (`Handle<>(h)`, copy and converting constructors) to the expression that gives the value.
const clang::Expr *strip(const clang::Expr *E);

// std::move / std::forward.
bool isStdMove(const clang::Expr *E);

// The local variable or parameter `E` names (not a global or a static local: those are
// shared with code we do not see).
const clang::VarDecl *localVar(const clang::Expr *E);


// Library calls with a meaning for handles.
enum class LibraryCall {
  None,
  Move,       // std::move(x), std::forward<T>(x)
  Make,       // cyc::make<T>(...), std::make_shared<T>(...): a new object
  Cast,       // std::static_pointer_cast<T>(h), cyc::handle_cast<T>(h): the same object
  Swap,       // std::swap(a, b)
  Aggregate,  // std::make_pair / make_tuple / tie: the handles inside are stored as they are
};
LibraryCall libraryCall(HandleTypes &Types, const clang::CallExpr *Call);

// The function body, if this translation unit has it (templates: the instantiation).
const clang::FunctionDecl *definitionOf(const clang::FunctionDecl *FD);

// The constructor that `T(args...)` inside make<T>(args...) runs, when it is clear: one
// non-copy constructor takes that many arguments, or one whose parameter types are the
// arguments' types. Null otherwise (and for aggregates).
const clang::CXXConstructorDecl *pickConstructor(const clang::CXXRecordDecl *RD,
                                                 llvm::ArrayRef<const clang::Expr *> Args);

// The cheap pre-filter: does this body store handles into objects (an assignment to, or an
// insert into, a field or container that holds strong handles; a member initializer of
// one)? Calls are looked at separately (see InstanceCheck.cpp), because whether a call
// stores depends on its callee's summary.
struct BodyScan {
  bool Stores = false;
  bool CallsUnknown = false;  // calls a user function without a body here, or a virtual one
  std::vector<const clang::FunctionDecl *> Callees;  // user functions called with a body here
};
BodyScan scanBody(HandleTypes &Types, const clang::FunctionDecl *FD);

}  // namespace cyclops::instance
