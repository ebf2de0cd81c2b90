// CaptureCycleCheck.cpp - capture-cycle: a closure holding a strong handle to the object that
// stores it.
//
// In every function body (lambda bodies included) a store of a closure into a field is
// matched against the strong handles the closure holds:
//
//   stores:   `obj->field = closure`, `obj->field[k] = closure`, `obj->fields.push_back(closure)`,
//             `obj->set_cb(closure)` where set_cb's body (in this TU) stores its parameter
//             into a field, and `field = ...` / `set_cb(...)` on *this inside a member function;
//   closures: lambdas (copy captures `[self]`, init-captures `[s = self]`, and what `[=]`
//             captures because the body uses it), std::bind's bound arguments, and
//             cyc::closure(fn, handles...) (its handles, and the captures of fn);
//   objects:  a local handle and its copies, or *this (shared_from_this(), a handle built
//             from `this`); `obj` may also be reached from the captured object through strong,
//             owning or by-value fields (`self->child->cb`, `impl->cb` in a member function).
//
// A closure that holds a strong handle to the storing object, or to an object that owns it,
// closes a cycle that runs through the closure. Which kind of cycle it is depends on whether
// the collector can see the closure's handles: only the handles of a cyc::closure stored in a
// cyc::Function field that its type's trace hook visits are traced (a collectable cycle,
// alive until cyc::gc::collect()); lambda captures, std::bind arguments and anything held by
// a std::function are invisible to it (a leak no collection frees). Handles of a family
// without a collector (std::shared_ptr, ...) are never freed either way.
//
// The fix changes the closure's body (a weak capture has to be locked), so no fix-it is
// offered. Limits: one function at a time; a local that names a closure or a handle is
// followed to its initializer, not through later assignments.
#include <map>
#include <set>

#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/LambdaCapture.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "clang/Lex/Lexer.h"
#include "llvm/Support/Path.h"

#include "rules/capture-cycle/CaptureCycleCheck.h"

#include "extract/ExtractContext.h"
#include "rules/RuleIds.h"
#include "utils/HandleExprs.h"

namespace cyclops {

using namespace clang;
using namespace clang::ast_matchers;

namespace {

constexpr llvm::StringLiteral RuleId = ruleid::CaptureCycle;
constexpr int MaxDepth = 8;

// The object an expression refers to, as far as one function can tell: the object of a
// variable holding a handle (copies and init-captures lead back to the variable they copy),
// or the object `this` points to.
struct ObjectId {
  const VarDecl *Var = nullptr;
  bool This = false;
  bool known() const { return Var || This; }
  bool operator==(const ObjectId &O) const { return known() && Var == O.Var && This == O.This; }
};

// A strong handle that a closure holds.
struct HeldHandle {
  std::string Name;  // as written: "self", "s = self", "shared_from_this()"
  SourceLocation Loc;
  ObjectId Object;
  const HandleFamily *Family = nullptr;
  QualType Type;
  bool Traced = false;    // a piece of a cyc::closure: the collector can see it
  bool Implicit = false;  // captured by a capture default ([=])
  bool Wrapped = false;   // captured by the callable that std::bind / cyc::closure wraps
  std::string Via;        // a captured callable that holds the handle: `[inner] { inner(); }`
};

enum class ClosureKind { Lambda, Bind, CycClosure };

struct ClosureValue {
  ClosureKind Kind = ClosureKind::Lambda;
  std::vector<HeldHandle> Handles;
};

// One step from an object to an object it holds (strongly, by an owner, or as a member).
struct Link {
  const CXXRecordDecl *Holder = nullptr;  // the static type of the holding object
  const FieldDecl *Field = nullptr;
};

// Where a store puts its value: the root object, then the fields leading from it to the
// storing object; the last link is the field stored into.
struct Target {
  ObjectId Root;
  std::vector<Link> Links;
};

std::string kindName(ClosureKind K) {
  switch (K) {
    case ClosureKind::Lambda: return "lambda";
    case ClosureKind::Bind: return "std::bind";
    case ClosureKind::CycClosure: return "cyc::closure";
  }
  return "closure";
}

const FunctionDecl *directCallee(const Expr *E) {
  const auto *Call = dyn_cast_or_null<CallExpr>(E);
  if (!Call || isa<CXXMemberCallExpr>(Call) || isa<CXXOperatorCallExpr>(Call)) return nullptr;
  return Call->getDirectCallee();
}

bool calleeIs(const FunctionDecl *FD, std::initializer_list<llvm::StringRef> Names) {
  if (!FD || !FD->getIdentifier()) return false;
  std::string Qualified = FD->getQualifiedNameAsString();
  for (llvm::StringRef N : Names)
    if (Qualified == N) return true;
  return false;
}

// `this` (possibly converted): does E name the object the member function runs on?
bool isThis(const Expr *E) { return E && isa<CXXThisExpr>(E->IgnoreParenImpCasts()); }

// A member function called on `this` whose name says it returns a handle to *this.
bool selfHandleCall(const Expr *E) {
  const auto *Call = dyn_cast_or_null<CXXMemberCallExpr>(E);
  if (!Call || Call->getNumArgs() != 0 || !isThis(Call->getImplicitObjectArgument())) return false;
  const CXXMethodDecl *M = Call->getMethodDecl();
  if (!M || !M->getIdentifier()) return false;
  llvm::StringRef N = M->getName();
  return N == "shared_from_this" || N == "weak_from_this" || N == "sharedFromThis";
}

class StoreWalker {
 public:
  StoreWalker(ExtractContext &Context, const FunctionDecl *FD, std::set<std::pair<unsigned, unsigned>> &Seen,
              std::map<const FunctionDecl *, std::vector<ParamStore>> &SetterCache)
      : X(Context), Rules(Context.rules()), Fn(FD), Reported(Seen), Setters(SetterCache) {}

  void run() { walk(Fn->getBody()); }

 private:
  void walk(const Stmt *S) {
    if (!S) return;
    if (const auto *L = dyn_cast<LambdaExpr>(S)) {
      // A lambda body runs on the objects of this function; a generic one is a template.
      for (const Expr *Init : L->capture_inits()) walk(Init);
      if (!L->isGenericLambda()) walk(L->getBody());
      return;
    }
    if (const auto *E = dyn_cast<Expr>(S); E && !E->isInstantiationDependent()) visit(E);
    for (const Stmt *Child : S->children()) walk(Child);
  }

  void visit(const Expr *E) {
    if (isa<CXXOperatorCallExpr>(E) || isa<BinaryOperator>(E)) {
      if (auto [L, R] = assignmentParts(E); L) {
        if (std::optional<Target> T = fieldTarget(L)) check(E, *T, R, nullptr);
      }
      return;
    }
    const auto *Call = dyn_cast<CXXMemberCallExpr>(E);
    const CXXMethodDecl *M = Call ? Call->getMethodDecl() : nullptr;
    if (!M || !M->getIdentifier()) return;
    const Expr *Object = Call->getImplicitObjectArgument();
    if (containerOp(M->getName()) == ContainerOp::Add) {
      if (const auto *ME = dyn_cast_or_null<MemberExpr>(Object ? Object->IgnoreParenImpCasts() : nullptr)) {
        if (std::optional<Target> T = memberTarget(ME)) {
          for (const Expr *Arg : Call->arguments()) check(Call, *T, Arg, nullptr);
          return;
        }
      }
    }
    // A setter: its body stores a parameter into a field of the object it is called on.
    const FunctionDecl *Def = nullptr;
    if (!Object || M->isStatic() || !M->hasBody(Def) || !Def) return;
    if (X.sources().isInSystemHeader(X.sources().getExpansionLoc(Def->getLocation()))) return;
    auto Cached = Setters.find(Def);
    if (Cached == Setters.end()) Cached = Setters.emplace(Def, paramStores(Def)).first;
    const std::vector<ParamStore> &Stores = Cached->second;
    if (Stores.empty()) return;
    std::optional<Target> Base = objectOf(Object, 0);
    if (!Base) return;
    const CXXRecordDecl *Holder = Call->getRecordDecl();
    for (const ParamStore &PS : Stores) {
      if (PS.Param >= Call->getNumArgs()) continue;
      Target T = *Base;
      T.Links.push_back(Link{Holder ? Holder : dyn_cast<CXXRecordDecl>(PS.Field->getParent()), PS.Field});
      check(Call, T, Call->getArg(PS.Param), M);
    }
  }

  // --- where a store puts its value -------------------------------------------------------

  static const CXXRecordDecl *holderOf(const MemberExpr *M, const FieldDecl *F) {
    QualType T = M->getBase()->getType();
    if (M->isArrow()) T = T->getPointeeType();
    const CXXRecordDecl *RD = T.isNull() ? nullptr : T->getAsCXXRecordDecl();
    return RD ? RD : dyn_cast<CXXRecordDecl>(F->getParent());
  }

  // `x->f = v`, `x->f[k] = v`: the field and the object it belongs to.
  std::optional<Target> fieldTarget(const Expr *L) {
    L = L->IgnoreParenImpCasts();
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(L); Op && Op->getOperator() == OO_Subscript)
      L = Op->getArg(0)->IgnoreParenImpCasts();
    if (const auto *M = dyn_cast<MemberExpr>(L)) return memberTarget(M);
    return std::nullopt;
  }

  std::optional<Target> memberTarget(const MemberExpr *M) {
    const auto *F = dyn_cast<FieldDecl>(M->getMemberDecl());
    if (!F) return std::nullopt;
    std::optional<Target> T = objectOf(M->getBase(), 0);
    if (!T) return std::nullopt;
    T->Links.push_back(Link{holderOf(M, F), F});
    return T;
  }

  // The object that E designates or points to, and how it is reached from a known object.
  std::optional<Target> objectOf(const Expr *E, int Depth) {
    if (!E || Depth > MaxDepth) return std::nullopt;
    E = ignoreWrappers(E);
    if (isa<CXXThisExpr>(E)) return Target{ObjectId{nullptr, true}, {}};
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
        Op && (Op->getOperator() == OO_Arrow || Op->getOperator() == OO_Star) && Op->getNumArgs() == 1)
      return heldBy(Op->getArg(0), Depth + 1);
    if (const auto *U = dyn_cast<UnaryOperator>(E); U && (U->getOpcode() == UO_Deref || U->getOpcode() == UO_AddrOf))
      return objectOf(U->getSubExpr(), Depth + 1);
    if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E)) {
      const CXXMethodDecl *M = Call->getMethodDecl();
      if (M && M->getIdentifier() && M->getName() == "get" && Call->getNumArgs() == 0)
        return heldBy(Call->getImplicitObjectArgument(), Depth + 1);
      return std::nullopt;
    }
    if (const auto *M = dyn_cast<MemberExpr>(E)) {
      // A member held by value is part of the object.
      const auto *F = dyn_cast<FieldDecl>(M->getMemberDecl());
      if (!F || !F->getType()->isRecordType()) return std::nullopt;
      std::optional<Target> T = objectOf(M->getBase(), Depth + 1);
      if (T) T->Links.push_back(Link{holderOf(M, F), F});
      return T;
    }
    // `Conn &c = *self;`, `Conn *c = self.get();`
    if (const VarDecl *V = namedVar(E);
        V && V->hasLocalStorage() && !isa<ParmVarDecl>(V) && V->getInit() &&
        (V->getType()->isReferenceType() || V->getType()->isPointerType()))
      return objectOf(V->getInit(), Depth + 1);
    return std::nullopt;
  }

  // The object a handle, a pointer owner or a container of handles holds.
  std::optional<Target> heldBy(const Expr *H, int Depth) {
    if (!H || Depth > MaxDepth) return std::nullopt;
    H = ignoreWrappers(H);
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(H); Op && Op->getOperator() == OO_Subscript)
      H = Op->getArg(0)->IgnoreParenImpCasts();  // an element of a container field
    if (const auto *M = dyn_cast<MemberExpr>(H)) {
      const auto *F = dyn_cast<FieldDecl>(M->getMemberDecl());
      if (!F || !holds(F->getType())) return std::nullopt;
      std::optional<Target> T = objectOf(M->getBase(), Depth + 1);
      if (T) T->Links.push_back(Link{holderOf(M, F), F});
      return T;
    }
    if (!strongHandleFamily(Rules, H->getType())) return std::nullopt;
    ObjectId Id = resolve(H, Depth + 1);
    if (!Id.known()) return std::nullopt;
    return Target{Id, {}};
  }

  // Does a field of this type keep what it points to alive (a strong handle, a pointer
  // owner, an owner such as std::optional, or a container of those)?
  bool holds(QualType T, int Depth = 0) {
    if (Depth > MaxDepth) return false;
    if (strongHandleFamily(Rules, T)) return true;
    std::string Name = specializedTemplateName(T);
    if (Name.empty()) return false;
    if (Rules.isPointerOwner(Name)) return true;
    if (!Rules.isOwner(Name)) return false;
    const auto *Spec = cast<ClassTemplateSpecializationDecl>(T.getCanonicalType()->getAsCXXRecordDecl());
    for (const TemplateArgument &A : Spec->getTemplateArgs().asArray())
      if (A.getKind() == TemplateArgument::Type &&
          (holds(A.getAsType(), Depth + 1) || A.getAsType()->isRecordType()))
        return true;
    return false;
  }

  // --- which object a handle refers to ----------------------------------------------------

  ObjectId resolve(const Expr *E, int Depth) {
    if (!E || Depth > MaxDepth) return {};
    E = ignoreWrappers(E);
    if (const Expr *From = movedFrom(E)) return resolve(From, Depth + 1);
    if (const auto *K = dyn_cast<CXXConstructExpr>(E)) {
      // A copy or conversion of another handle, or a handle made from `this`
      // (boost::intrusive_ptr<T>(this), scoped_refptr<T>(this)).
      if (K->getNumArgs() < 1) return {};
      const Expr *A = K->getArg(0);
      if (isThis(A)) return ObjectId{nullptr, true};
      if (strongHandleFamily(Rules, A->getType()) || weakHandleFamily(Rules, A->getType()))
        return resolve(A, Depth + 1);
      return {};
    }
    if (selfHandleCall(E)) return ObjectId{nullptr, true};
    if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E)) {
      // weak.lock() / weak.toStrongRef(): the object of the weak handle.
      const CXXMethodDecl *M = Call->getMethodDecl();
      if (M && M->getIdentifier() && (M->getName() == "lock" || M->getName() == "toStrongRef") &&
          weakHandleFamily(Rules, Call->getImplicitObjectArgument()->getType()))
        return resolve(Call->getImplicitObjectArgument(), Depth + 1);
      return {};
    }
    if (const FunctionDecl *FD = directCallee(E)) {
      // Casts between handles of one object, and handles made from `this`.
      static const std::set<llvm::StringRef> SameObject = {
          "static_pointer_cast", "dynamic_pointer_cast", "const_pointer_cast", "reinterpret_pointer_cast",
          "handle_cast", "checked_cast", "WrapRefCounted", "qSharedPointerCast", "qSharedPointerDynamicCast"};
      const auto *Call = cast<CallExpr>(E);
      if (FD->getIdentifier() && SameObject.count(FD->getName()) && Call->getNumArgs() >= 1) {
        if (isThis(Call->getArg(0))) return ObjectId{nullptr, true};
        return resolve(Call->getArg(0), Depth + 1);
      }
      return {};
    }
    if (const auto *D = dyn_cast<DeclRefExpr>(E))
      if (const auto *V = dyn_cast<VarDecl>(D->getDecl())) return resolveVar(V, Depth + 1);
    return {};
  }

  ObjectId resolveVar(const VarDecl *V, int Depth) {
    if (Depth > MaxDepth) return {};
    if (V->isInitCapture()) return resolve(V->getInit(), Depth + 1);
    // A local initialized from another handle (`auto self = shared_from_this();`,
    // `auto alias = a;`) refers to that handle's object.
    if (!isa<ParmVarDecl>(V) && V->hasLocalStorage() && V->getInit())
      if (ObjectId Id = resolve(V->getInit(), Depth + 1); Id.known()) return Id;
    return ObjectId{V->getCanonicalDecl(), false};
  }

  // --- what a closure holds ---------------------------------------------------------------

  std::optional<ClosureValue> closureOf(const Expr *E, int Depth) {
    if (!E || Depth > MaxDepth) return std::nullopt;
    E = ignoreWrappers(E);
    if (const Expr *From = movedFrom(E)) return closureOf(From, Depth + 1);
    if (const auto *L = dyn_cast<LambdaExpr>(E)) {
      ClosureValue C;
      C.Kind = ClosureKind::Lambda;
      lambdaCaptures(L, C.Handles, Depth);
      return C;
    }
    if (const auto *K = dyn_cast<CXXConstructExpr>(E)) {
      if (K->getNumArgs() < 1) return std::nullopt;
      if (specializedTemplateName(K->getType()) == "cyc::Closure" && K->getNumArgs() >= 2)
        return pieces(ClosureKind::CycClosure, K->getArgs(), K->getNumArgs(), Depth);
      // std::function / cyc::Function built from a closure, or a copy of one.
      return closureOf(K->getArg(0), Depth + 1);
    }
    if (const FunctionDecl *FD = directCallee(E)) {
      const auto *Call = cast<CallExpr>(E);
      if (Call->getNumArgs() < 1) return std::nullopt;
      if (calleeIs(FD, {"cyc::closure"}))
        return pieces(ClosureKind::CycClosure, Call->getArgs(), Call->getNumArgs(), Depth);
      if (calleeIs(FD, {"std::bind", "std::bind_front", "std::bind_back", "boost::bind"}))
        return pieces(ClosureKind::Bind, Call->getArgs(), Call->getNumArgs(), Depth);
      return std::nullopt;
    }
    // A local that names a closure: `auto cb = [self] {...}; self->on_done = cb;`
    if (const VarDecl *V = namedVar(E); V && V->hasLocalStorage() && !isa<ParmVarDecl>(V) && V->getInit() &&
                                        !V->getType()->isReferenceType() && !V->isInitCapture())
      return closureOf(V->getInit(), Depth + 1);
    return std::nullopt;
  }

  // cyc::closure(fn, pieces...) / std::bind(fn, args...): the pieces, and what fn captures.
  std::optional<ClosureValue> pieces(ClosureKind Kind, const Expr *const *Args, unsigned N, int Depth) {
    ClosureValue C;
    C.Kind = Kind;
    if (std::optional<ClosureValue> Inner = closureOf(Args[0], Depth + 1))
      for (HeldHandle &H : Inner->Handles) {
        H.Traced = false;  // inside fn: hidden from the collector whatever holds fn
        H.Wrapped = true;
        C.Handles.push_back(std::move(H));
      }
    for (unsigned I = 1; I < N; ++I) {
      const Expr *A = Args[I];
      const HandleFamily *Fam = strongHandleFamily(Rules, A->getType());
      if (!Fam) continue;
      HeldHandle H;
      H.Name = text(A->getSourceRange());
      H.Loc = A->getBeginLoc();
      H.Object = resolve(A, Depth + 1);
      H.Family = Fam;
      H.Type = A->getType().getNonReferenceType();
      H.Traced = Kind == ClosureKind::CycClosure;
      C.Handles.push_back(std::move(H));
    }
    return C;
  }

  void lambdaCaptures(const LambdaExpr *L, std::vector<HeldHandle> &Out, int Depth) {
    for (const LambdaCapture &Cap : L->captures()) {
      // By reference, `this` and `*this` hold no handle (a dangling reference is another story).
      if (!Cap.capturesVariable() || Cap.getCaptureKind() != LCK_ByCopy || Cap.isPackExpansion()) continue;
      const auto *V = dyn_cast<VarDecl>(Cap.getCapturedVar());
      if (!V) continue;
      QualType T = V->getType().getNonReferenceType();
      const HandleFamily *Fam = strongHandleFamily(Rules, T);
      if (!Fam) {
        capturedCallable(Cap, V, Out, Depth);
        continue;
      }
      HeldHandle H;
      H.Name = V->getName().str();
      if (V->isInitCapture() && V->getInit())
        H.Name += " = " + text(V->getInit()->getSourceRange());
      H.Loc = Cap.getLocation();
      H.Object = resolveVar(V, Depth + 1);
      H.Family = Fam;
      H.Type = T;
      H.Implicit = Cap.isImplicit();
      Out.push_back(std::move(H));
    }
  }

  // A captured local callable that holds handles itself (`cyc::Function<void()> inner =
  // cyc::closure(f, b); b->cb = [inner] { inner(); };`): the lambda hides them all.
  void capturedCallable(const LambdaCapture &Cap, const VarDecl *V, std::vector<HeldHandle> &Out, int Depth) {
    if (!V->getInit() || V->getType()->isReferenceType() || isa<ParmVarDecl>(V) || !V->hasLocalStorage())
      return;
    std::optional<ClosureValue> Inner = closureOf(V->getInit(), Depth + 1);
    if (!Inner) return;
    for (HeldHandle &H : Inner->Handles) {
      H.Via = V->getName().str();
      H.Loc = Cap.getLocation();
      H.Traced = H.Wrapped = H.Implicit = false;
      Out.push_back(std::move(H));
    }
  }

  std::string text(SourceRange R) {
    SourceManager &SM = X.sources();
    CharSourceRange Range = Lexer::makeFileCharRange(CharSourceRange::getTokenRange(R), SM, X.ast().getLangOpts());
    std::string S = Lexer::getSourceText(Range, SM, X.ast().getLangOpts()).str();
    // One line in messages.
    std::string Out;
    bool Space = false;
    for (char C : S) {
      if (C == '\n' || C == '\r' || C == '\t' || C == ' ') {
        Space = !Out.empty();
        continue;
      }
      if (Space) Out += ' ';
      Space = false;
      Out += C;
    }
    return Out;
  }

  // --- the finding ------------------------------------------------------------------------

  void check(const Expr *Store, const Target &T, const Expr *Value, const CXXMethodDecl *Setter) {
    if (T.Links.empty()) return;
    for (const Link &L : T.Links)
      if (!L.Holder) return;
    std::optional<ClosureValue> C = closureOf(Value, 0);
    if (!C) return;
    for (const HeldHandle &H : C->Handles) {
      if (!(H.Object == T.Root)) continue;
      SourceManager &SM = X.sources();
      auto Key = std::make_pair(SM.getExpansionLoc(Store->getBeginLoc()).getRawEncoding(),
                                SM.getExpansionLoc(H.Loc).getRawEncoding());
      // Instantiations of one template repeat the same store.
      if (Reported.insert(Key).second) report(Store, T, *C, H, Setter);
      return;
    }
  }

  std::string display(const CXXRecordDecl *RD) { return RD ? displayName(X.nameOf(RD)) : "?"; }

  std::string stepName(const Link &L) { return display(L.Holder) + "." + L.Field->getName().str(); }

  // The callable template that holds the closure in a field of this type (looking into
  // owners: std::vector<std::function<...>>), e.g. "std::function"; "" when none is known.
  std::string callableTemplate(QualType T, int Depth = 0) {
    if (Depth > MaxDepth) return "";
    std::string Name = specializedTemplateName(T);
    if (Name.empty()) return "";
    if (Name == "cyc::Function" || Name == "std::function" || Name == "std::move_only_function" ||
        Name == "std::copyable_function" || Name == "boost::function")
      return Name;
    if (!Rules.isOwner(Name) && !Rules.isPointerOwner(Name)) return "";
    const auto *Spec = cast<ClassTemplateSpecializationDecl>(T.getCanonicalType()->getAsCXXRecordDecl());
    for (const TemplateArgument &A : Spec->getTemplateArgs().asArray())
      if (A.getKind() == TemplateArgument::Type)
        if (std::string In = callableTemplate(A.getAsType(), Depth + 1); !In.empty()) return In;
    return "";
  }

  // Does the trace hook of the field's record visit the field? "" when it does, otherwise why not.
  std::string untracedReason(const FieldDecl *F) {
    const auto *RD = dyn_cast<CXXRecordDecl>(F->getParent());
    if (!RD) return "";
    std::string Name = X.nameOf(RD);
    const TraceHookFact *Hook = nullptr;
    for (const RecordFact &R : X.out().Records)
      if (R.Name == Name && R.Hook) Hook = &*R.Hook;
    for (const TraceHookFact &H : X.out().AdlHooks)
      if (!Hook && H.Record == Name) Hook = &H;
    std::string Field = F->getName().str();
    if (!Hook) return "'" + displayName(Name) + "' has no trace hook, so its '" + Field + "' is not traced";
    if (Hook->Opaque) return "";
    for (const std::string &Traced : Hook->TracedFields)
      if (Traced == Field) return "";
    return "the trace hook of '" + displayName(Name) + "' does not visit '" + Field + "'";
  }

  // "cyc::Weak<app::Conn>" for a cyc::Handle<app::Conn>.
  std::string weakSpelling(const HeldHandle &H) {
    std::string Weak = H.Family->Weak.empty() ? std::string() : H.Family->Weak.front();
    if (Weak.empty()) return "";
    QualType P = firstTypeArg(H.Type);
    const CXXRecordDecl *RD = P.isNull() ? nullptr : P->getAsCXXRecordDecl();
    return Weak + "<" + (RD ? display(RD) : std::string()) + ">";
  }

  void report(const Expr *Store, const Target &T, const ClosureValue &C, const HeldHandle &H,
              const CXXMethodDecl *Setter) {
    const Link &Stored = T.Links.back();
    const CXXRecordDecl *RootType = T.Links.front().Holder;
    std::string What = kindName(C.Kind);
    std::string HandleName = specializedTemplateName(H.Type);
    std::string Callable = callableTemplate(Stored.Field->getType());

    // An edge the collector does not trace: a handle of a family without a collector on the way.
    std::string UntracedLink;
    for (size_t I = 0; I + 1 < T.Links.size(); ++I)
      if (const HandleFamily *F = strongHandleFamily(Rules, T.Links[I].Field->getType()); F && !F->Collector)
        UntracedLink = "'" + stepName(T.Links[I]) + "' is a " + specializedTemplateName(T.Links[I].Field->getType());

    std::string Weak = weakSpelling(H);
    std::string Consequence, Fix;
    if (!H.Family->Collector) {
      Consequence = "a leak: the objects are never freed (" + HandleName + " has no cycle collector)";
      if (H.Family->Name == "std")
        Fix = "capture a std::weak_ptr (weak_from_this() in a member function) and lock() it inside";
      else if (!Weak.empty())
        Fix = "capture a " + H.Family->Weak.front() + " instead";
      else
        Fix = "reset '" + Stored.Field->getName().str() + "' once the callback has run";
    } else {
      std::string Reason;
      std::string WeakFix = Weak.empty() ? "reset '" + Stored.Field->getName().str() + "' once the callback has run"
                                         : "capture a " + Weak + " and lock() it inside";
      if (!UntracedLink.empty()) {
        Reason = UntracedLink + ", which the collector does not trace";
        Fix = WeakFix;
      } else if (H.Wrapped && C.Kind == ClosureKind::CycClosure) {
        Reason = "the collector cannot see the captures of the lambda that cyc::closure wraps";
        Fix = "pass the handle to cyc::closure as an argument instead of capturing it, or " + WeakFix;
      } else if (!H.Traced) {
        bool Bound = C.Kind == ClosureKind::Bind && !H.Wrapped && H.Via.empty();
        std::string Hidden = Bound ? "std::bind's arguments" : "a lambda's captures";
        Reason = "the collector cannot see " + Hidden +
                 (Callable == "cyc::Function" ? ", not even in a cyc::Function"
                  : Callable.empty()          ? ""
                                              : " inside a " + Callable);
        Fix = WeakFix + ", or store cyc::closure(fn, handles...) in a cyc::Function";
      } else if (Callable != "cyc::Function") {
        Reason = (Callable.empty() ? "a '" + X.spelling(Stored.Field->getType()) + "'" : "a " + Callable) +
                 " hides cyc::closure's handles from the collector";
        Fix = "store the cyc::closure in a cyc::Function, or " + WeakFix;
      } else {
        Reason = untracedReason(Stored.Field);
        Fix = "trace '" + Stored.Field->getName().str() + "' (CYC_TRACE), or " + WeakFix;
      }
      if (Reason.empty()) {
        Consequence = "a collectable cycle: the objects stay alive until cyc::gc::collect()";
        Fix = Weak.empty() ? WeakFix
                           : "pass a " + Weak + " to cyc::closure instead to free them with their last outside handle";
      } else {
        Consequence = "a leak that no collection frees, because " + Reason;
      }
    }

    std::string To = T.Links.size() == 1 ? "the object that stores it"
                                         : "the '" + display(RootType) + "' that owns the storing object";
    Finding F;
    F.Rule = RuleId.str();
    if (const RuleInfo *R = Rules.rule(F.Rule)) F.Level = R->Level;
    F.Pos = X.pos(Store->getBeginLoc());
    F.Message = What + " stored in '" + stepName(Stored) + "'" +
                (Setter ? " by " + Setter->getNameAsString() + "()" : std::string()) + " holds " + heldText(H) +
                ", a strong " + HandleName + " to " + To + ": " + Consequence + "; " + Fix;

    std::vector<std::string> Key{functionName()};
    for (size_t I = 0; I < T.Links.size(); ++I) {
      const Link &L = T.Links[I];
      Key.push_back(X.nameOf(L.Holder) + "." + L.Field->getName().str());
      PathStep S;
      S.Type = X.nameOf(L.Holder);
      S.Field = L.Field->getName().str();
      S.Pos = X.pos(L.Field->getLocation());
      std::string Decl = "'" + stepName(L) + "' (" + X.spelling(L.Field->getType()) + ")";
      S.Note = I + 1 == T.Links.size() ? Decl + " holds the " + What
                                       : Decl + " holds the object that stores the " + What;
      F.Path.push_back(std::move(S));
    }
    PathStep Back;
    Back.Type = What;
    Back.Field = H.Via.empty() ? H.Name.substr(0, H.Name.find(" = ")) : H.Via;
    Back.Pos = X.pos(H.Loc);
    Back.Note = "the " + What + (H.Implicit ? " captures '" + H.Name + "' implicitly" : " holds " + heldText(H)) +
                ", a strong reference back to the '" + display(RootType) + "'";
    F.Path.push_back(std::move(Back));
    F.Id = makeFindingId(F.Rule, Key);
    X.out().Findings.push_back(std::move(F));
  }

  static std::string heldText(const HeldHandle &H) {
    if (!H.Via.empty()) return "'" + H.Via + "', which holds '" + H.Name + "'";
    return "'" + H.Name + "'" + (H.Wrapped ? " (captured by the lambda it wraps)" : "");
  }

  // The function, as in the ids of cycle-instance: a function only visible in this file has
  // the file name appended.
  std::string functionName() {
    std::string Name = Fn->getQualifiedNameAsString();
    if (!Fn->isExternallyVisible())
      Name += std::string(LocalSuffix) + llvm::sys::path::filename(X.pos(Fn->getLocation()).File).str();
    return Name;
  }

  ExtractContext &X;
  const RuleSet &Rules;
  const FunctionDecl *Fn;
  std::set<std::pair<unsigned, unsigned>> &Reported;
  std::map<const FunctionDecl *, std::vector<ParamStore>> &Setters;  // parameter stores of setters
};

class FunctionCollector : public MatchFinder::MatchCallback {
 public:
  void run(const MatchFinder::MatchResult &Result) override {
    const auto *FD = Result.Nodes.getNodeAs<FunctionDecl>("fn");
    if (!FD || FD->isDependentContext() || !FD->getBody()) return;
    // A lambda's body is walked with the function that contains it.
    if (const auto *M = dyn_cast<CXXMethodDecl>(FD); M && M->getParent()->isLambda()) return;
    Functions.push_back(FD);
  }
  std::vector<const FunctionDecl *> Functions;
};

}  // namespace

void runCaptureCycleCheck(ExtractContext &X) {
  FunctionCollector Collector;
  MatchFinder Finder;
  Finder.addMatcher(functionDecl(isDefinition(), unless(isExpansionInSystemHeader())).bind("fn"), &Collector);
  Finder.matchAST(X.ast());
  std::set<std::pair<unsigned, unsigned>> Reported;
  std::map<const FunctionDecl *, std::vector<ParamStore>> Setters;
  for (const FunctionDecl *FD : Collector.Functions) StoreWalker(X, FD, Reported, Setters).run();
}

}  // namespace cyclops
