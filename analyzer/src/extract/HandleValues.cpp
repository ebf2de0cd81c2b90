// HandleValues.cpp - the objects, steps and closures that expressions of one function mean.
#include "extract/HandleValues.h"

#include <set>

#include "clang/AST/DeclTemplate.h"
#include "clang/AST/LambdaCapture.h"
#include "clang/Index/USRGeneration.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/SmallString.h"

#include "extract/ExtractContext.h"
#include "utils/HandleExprs.h"

namespace cyclops {

using namespace clang;

namespace {

constexpr int MaxDepth = 8;

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

// shared_from_this() and its kin called on `this`: a handle to *this by definition.
bool selfHandleCall(const Expr *E) {
  const auto *Call = dyn_cast_or_null<CXXMemberCallExpr>(E);
  if (!Call || Call->getNumArgs() != 0 || !isThis(Call->getImplicitObjectArgument())) return false;
  const CXXMethodDecl *M = Call->getMethodDecl();
  if (!M || !M->getIdentifier()) return false;
  llvm::StringRef N = M->getName();
  return N == "shared_from_this" || N == "weak_from_this" || N == "sharedFromThis";
}

const CXXRecordDecl *holderOf(const MemberExpr *M, const FieldDecl *F) {
  QualType T = M->getBase()->getType();
  if (M->isArrow()) T = T->getPointeeType();
  const CXXRecordDecl *RD = T.isNull() ? nullptr : T->getAsCXXRecordDecl();
  return RD ? RD : dyn_cast<CXXRecordDecl>(F->getParent());
}

// The binds: their closures are named after them.
bool isBind(const FunctionDecl *FD) {
  return calleeIs(FD, {"std::bind", "std::bind_front", "std::bind_back", "boost::bind", "boost::bind_front",
                       "boost::bind_back", "boost::beast::bind_handler", "boost::beast::bind_front_handler"});
}

void addRequirement(std::vector<std::string> &To, const std::string &R) {
  if (std::find(To.begin(), To.end(), R) == To.end()) To.push_back(R);
}

}  // namespace

HandleValues::HandleValues(ExtractContext &Context, const FunctionDecl *FD)
    : X(Context), Rules(Context.rules()), Fn(FD) {}

const CXXRecordDecl *HandleValues::thisType() const {
  const auto *M = dyn_cast_or_null<CXXMethodDecl>(Fn);
  return M ? M->getParent() : nullptr;
}

std::string HandleValues::functionId(const FunctionDecl *FD) {
  llvm::SmallString<128> USR;
  if (!FD || index::generateUSRForDecl(FD->getCanonicalDecl(), USR)) return "";
  return USR.str().str();
}

bool HandleValues::virtualCall(const CXXMemberCallExpr *Call) {
  const CXXMethodDecl *M = Call->getMethodDecl();
  if (!M || !M->isVirtual()) return false;
  const auto *ME = dyn_cast<MemberExpr>(Call->getCallee()->IgnoreParens());
  return !(ME && ME->hasQualifier());
}

std::string HandleValues::callableTemplate(QualType T, int Depth) {
  if (Depth > MaxDepth) return "";
  std::string Name = specializedTemplateName(T);
  if (Name.empty()) return "";
  if (Name == "cyc::Function" || Name == "std::function" || Name == "std::move_only_function" ||
      Name == "std::copyable_function" || Name == "boost::function")
    return Name;
  if (!Rules.isOwner(Name) && !Rules.isPointerOwner(Name)) return "";
  const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
      T.getNonReferenceType().getCanonicalType()->getAsCXXRecordDecl());
  if (!Spec) return {};
  for (const TemplateArgument &A : Spec->getTemplateArgs().asArray())
    if (A.getKind() == TemplateArgument::Type)
      if (std::string In = callableTemplate(A.getAsType(), Depth + 1); !In.empty()) return In;
  return "";
}

FieldRef HandleValues::fieldRef(const CXXRecordDecl *Holder, const FieldDecl *F) {
  FieldRef R;
  R.Holder = X.nameOf(Holder ? Holder : cast<CXXRecordDecl>(F->getParent()));
  R.Field = F->getName().str();
  R.Pos = X.pos(F->getLocation());
  R.Spelling = X.spelling(F->getType());
  if (const HandleFamily *Fam = strongHandleFamily(Rules, F->getType())) {
    R.Handle = specializedTemplateName(F->getType());
    R.Family = Fam->Name;
  }
  R.Callable = callableTemplate(F->getType());
  R.Strong = holds(F->getType());
  return R;
}

ObjectStep HandleValues::memberStep(const MemberExpr *M, const FieldDecl *F) {
  ObjectStep S;
  S.Field = fieldRef(holderOf(M, F), F);
  return S;
}

std::string HandleValues::text(SourceRange R) {
  SourceManager &SM = X.sources();
  const LangOptions &LO = X.ast().getLangOpts();
  CharSourceRange Range = Lexer::makeFileCharRange(CharSourceRange::getTokenRange(R), SM, LO);
  std::string S = Lexer::getSourceText(Range, SM, LO).str();
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

std::string HandleValues::localId(const ObjectId &O) {
  if (O.This) return "this";
  if (!O.Var) return "";
  SourcePos P = X.pos(O.Var->getLocation());
  return O.Var->getName().str() + "@" + std::to_string(P.Line) + ":" + std::to_string(P.Column);
}

std::string HandleValues::weakSpelling(const HeldHandle &H) {
  std::string Weak = H.Family->Weak.empty() ? std::string() : H.Family->Weak.front();
  if (Weak.empty()) return "";
  QualType P = firstTypeArg(H.Type);
  const CXXRecordDecl *RD = P.isNull() ? nullptr : P->getAsCXXRecordDecl();
  return Weak + "<" + (RD ? displayName(X.nameOf(RD)) : std::string()) + ">";
}

// --- where an expression leads ------------------------------------------------------------

std::optional<Target> HandleValues::fieldTarget(const Expr *L) {
  L = L->IgnoreParenImpCasts();
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(L); Op && Op->getOperator() == OO_Subscript)
    L = Op->getArg(0)->IgnoreParenImpCasts();
  if (const auto *M = dyn_cast<MemberExpr>(L)) return memberTarget(M);
  return std::nullopt;
}

std::optional<Target> HandleValues::memberTarget(const MemberExpr *M) {
  const auto *F = dyn_cast<FieldDecl>(M->getMemberDecl());
  if (!F) return std::nullopt;
  std::optional<Target> T = objectOf(M->getBase(), 0);
  if (!T) return std::nullopt;
  T->Steps.push_back(memberStep(M, F));
  return T;
}

std::optional<Target> HandleValues::objectOf(const Expr *E, int Depth) {
  if (!E || Depth > MaxDepth) return std::nullopt;
  E = ignoreWrappers(E);
  if (isa<CXXThisExpr>(E)) return Target{ObjectId{nullptr, true}, thisType(), {}};
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
      Op && (Op->getOperator() == OO_Arrow || Op->getOperator() == OO_Star) && Op->getNumArgs() == 1)
    return heldBy(Op->getArg(0), Depth + 1);
  if (const auto *U = dyn_cast<UnaryOperator>(E); U && (U->getOpcode() == UO_Deref || U->getOpcode() == UO_AddrOf))
    return objectOf(U->getSubExpr(), Depth + 1);
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E)) {
    const CXXMethodDecl *M = Call->getMethodDecl();
    if (M && M->getIdentifier() && M->getName() == "get" && Call->getNumArgs() == 0)
      return heldBy(Call->getImplicitObjectArgument(), Depth + 1);
    return accessorStep(Call, Depth);
  }
  if (const auto *M = dyn_cast<MemberExpr>(E)) {
    const auto *F = dyn_cast<FieldDecl>(M->getMemberDecl());
    if (!F) return std::nullopt;
    // A member held by value is part of the object; one a raw pointer points to may be owned.
    bool RawPointer = F->getType()->isPointerType() && F->getType()->getPointeeType()->isRecordType();
    if (!F->getType()->isRecordType() && !RawPointer) return std::nullopt;
    std::optional<Target> T = objectOf(M->getBase(), Depth + 1);
    if (!T) return std::nullopt;
    T->Steps.push_back(memberStep(M, F));
    if (RawPointer) T->Steps.back().K = ObjectStep::RawPointer;
    return T;
  }
  // `Conn &c = *self;`, `Conn *c = self.get();`
  if (const VarDecl *V = namedVar(E);
      V && V->hasLocalStorage() && !isa<ParmVarDecl>(V) && V->getInit() &&
      (V->getType()->isReferenceType() || V->getType()->isPointerType()))
    return objectOf(V->getInit(), Depth + 1);
  return std::nullopt;
}

// `state->socket()`: a member function returning a reference or a pointer to a record may
// return a part of its object; its summary says which.
std::optional<Target> HandleValues::accessorStep(const CXXMemberCallExpr *Call, int Depth) {
  const CXXMethodDecl *M = Call->getMethodDecl();
  QualType R = M ? M->getReturnType() : QualType();
  if (!M || M->isStatic() || R.isNull() || !(R->isReferenceType() || R->isPointerType()) ||
      !R->getPointeeType()->isRecordType())
    return std::nullopt;
  std::optional<Target> T = objectOf(Call->getImplicitObjectArgument(), Depth + 1);
  if (!T) return std::nullopt;
  ObjectStep S;
  S.K = ObjectStep::Accessor;
  S.Callee = functionId(M);
  S.Virtual = virtualCall(Call);
  T->Steps.push_back(std::move(S));
  return T;
}

std::optional<Target> HandleValues::heldBy(const Expr *H, int Depth) {
  if (!H || Depth > MaxDepth) return std::nullopt;
  H = ignoreWrappers(H);
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(H); Op && Op->getOperator() == OO_Subscript)
    H = Op->getArg(0)->IgnoreParenImpCasts();  // an element of a container field
  if (const auto *M = dyn_cast<MemberExpr>(H)) {
    const auto *F = dyn_cast<FieldDecl>(M->getMemberDecl());
    if (!F || !holds(F->getType())) return std::nullopt;
    std::optional<Target> T = objectOf(M->getBase(), Depth + 1);
    if (T) T->Steps.push_back(memberStep(M, F));
    return T;
  }
  if (!strongHandleFamily(Rules, H->getType())) return std::nullopt;
  ObjectId Id = resolve(H, Depth + 1);
  if (!Id.known()) return std::nullopt;
  QualType P = firstTypeArg(H->getType());
  return Target{Id, P.isNull() ? nullptr : P->getAsCXXRecordDecl(), {}};
}

bool HandleValues::holds(QualType T, int Depth) {
  if (Depth > MaxDepth) return false;
  if (strongHandleFamily(Rules, T)) return true;
  std::string Name = specializedTemplateName(T);
  if (Name.empty()) return false;
  if (Rules.isPointerOwner(Name)) return true;
  if (!Rules.isOwner(Name)) return false;
  const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
      T.getNonReferenceType().getCanonicalType()->getAsCXXRecordDecl());
  if (!Spec) return {};
  for (const TemplateArgument &A : Spec->getTemplateArgs().asArray())
    if (A.getKind() == TemplateArgument::Type && (holds(A.getAsType(), Depth + 1) || A.getAsType()->isRecordType()))
      return true;
  return false;
}

// --- what an expression stores ------------------------------------------------------------

std::vector<StoreSite> HandleValues::storesOf(const Expr *E) {
  std::vector<StoreSite> Out;
  if (auto [L, R] = assignmentParts(E); L) {
    if (std::optional<Target> T = fieldTarget(L)) Out.push_back(StoreSite{E, std::move(*T), R});
    return Out;
  }
  const auto *Call = dyn_cast<CXXMemberCallExpr>(E);
  const CXXMethodDecl *M = Call ? Call->getMethodDecl() : nullptr;
  const Expr *Object = Call ? Call->getImplicitObjectArgument() : nullptr;
  if (!M || !M->getIdentifier() || M->isStatic() || !Object) return Out;
  if (containerOp(M->getName()) == ContainerOp::Add)
    if (const auto *ME = dyn_cast<MemberExpr>(Object->IgnoreParenImpCasts()))
      if (std::optional<Target> T = memberTarget(ME)) {
        for (const Expr *Arg : Call->arguments()) Out.push_back(StoreSite{Call, *T, Arg});
        return Out;
      }
  // Any other member function may be a setter: its summary tells.
  std::optional<Target> Base = objectOf(Object);
  if (!Base) return Out;
  for (unsigned I = 0; I < Call->getNumArgs(); ++I) Out.push_back(StoreSite{Call, *Base, Call->getArg(I), Call, I});
  return Out;
}

// --- which object a handle refers to ------------------------------------------------------

ObjectId HandleValues::resolve(const Expr *E, int Depth) {
  if (!E || Depth > MaxDepth) return {};
  E = ignoreWrappers(E);
  if (const Expr *From = movedFrom(E)) return resolve(From, Depth + 1);
  if (const auto *K = dyn_cast<CXXConstructExpr>(E)) {
    // A copy or conversion of another handle, or a handle made from `this`
    // (boost::intrusive_ptr<T>(this), scoped_refptr<T>(this)).
    if (K->getNumArgs() < 1) return {};
    const Expr *A = K->getArg(0);
    if (isThis(A)) return ObjectId{nullptr, true};
    if (strongHandleFamily(Rules, A->getType()) || weakHandleFamily(Rules, A->getType())) return resolve(A, Depth + 1);
    return {};
  }
  if (selfHandleCall(E)) return ObjectId{nullptr, true};
  if (isa<CallExpr>(E)) return resolveCall(E, Depth);
  if (const auto *D = dyn_cast<DeclRefExpr>(E))
    if (const auto *V = dyn_cast<VarDecl>(D->getDecl())) return resolveVar(V, Depth + 1);
  return {};
}

ObjectId HandleValues::resolveCall(const Expr *E, int Depth) {
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E)) {
    const CXXMethodDecl *M = Call->getMethodDecl();
    if (!M || !M->getIdentifier()) return {};
    // weak.lock() / weak.toStrongRef(): the object of the weak handle.
    if ((M->getName() == "lock" || M->getName() == "toStrongRef") &&
        weakHandleFamily(Rules, Call->getImplicitObjectArgument()->getType()))
      return resolve(Call->getImplicitObjectArgument(), Depth + 1);
    // `get_shared()`, `self()`, `shared_from_base<T>()` on *this: a handle to *this if its
    // summary says it returns one.
    if (isThis(Call->getImplicitObjectArgument()) && !M->isStatic() && strongHandleFamily(Rules, Call->getType())) {
      ObjectId Self{nullptr, true};
      Self.Requires.push_back("self:" + functionId(M));
      return Self;
    }
    return {};
  }
  const FunctionDecl *FD = directCallee(E);
  if (!FD) return {};
  // Casts between handles of one object, and handles made from `this`.
  static const std::set<llvm::StringRef> SameObject = {
      "static_pointer_cast", "dynamic_pointer_cast", "const_pointer_cast", "reinterpret_pointer_cast",
      "handle_cast",         "checked_cast",         "WrapRefCounted",     "qSharedPointerCast",
      "qSharedPointerDynamicCast"};
  const auto *Call = cast<CallExpr>(E);
  if (FD->getIdentifier() && SameObject.count(FD->getName()) && Call->getNumArgs() >= 1) {
    if (isThis(Call->getArg(0))) return ObjectId{nullptr, true};
    return resolve(Call->getArg(0), Depth + 1);
  }
  return {};
}

ObjectId HandleValues::resolveVar(const VarDecl *V, int Depth) {
  if (Depth > MaxDepth) return {};
  if (V->isInitCapture()) return resolve(V->getInit(), Depth + 1);
  // A local initialized from another handle (`auto self = shared_from_this();`,
  // `auto alias = a;`) refers to that handle's object.
  if (!isa<ParmVarDecl>(V) && V->hasLocalStorage() && V->getInit())
    if (ObjectId Id = resolve(V->getInit(), Depth + 1); Id.known()) return Id;
  return ObjectId{V->getCanonicalDecl(), false};
}

int HandleValues::passedParam(const Expr *E) {
  for (int Depth = 0; E && Depth < 4; ++Depth) {
    E = ignoreWrappers(E);
    if (const Expr *From = movedFrom(E)) {
      E = From;
      continue;
    }
    if (const auto *K = dyn_cast<CXXConstructExpr>(E); K && K->getNumArgs() == 1) {
      E = K->getArg(0);
      continue;
    }
    break;
  }
  const auto *D = dyn_cast_or_null<DeclRefExpr>(E);
  const auto *P = D ? dyn_cast<ParmVarDecl>(D->getDecl()) : nullptr;
  if (!P || P->getDeclContext() != Fn) return -1;
  return static_cast<int>(P->getFunctionScopeIndex());
}

// --- what a closure holds -----------------------------------------------------------------

std::optional<ClosureValue> HandleValues::closureOf(const Expr *E, int Depth) {
  if (!E || Depth > MaxDepth) return std::nullopt;
  E = ignoreWrappers(E);
  if (const Expr *From = movedFrom(E)) return closureOf(From, Depth + 1);
  if (int P = passedParam(E); P >= 0) {
    ClosureValue C;
    C.Params.push_back(HeldParam{static_cast<unsigned>(P), {}});
    return C;
  }
  if (const auto *L = dyn_cast<LambdaExpr>(E)) {
    ClosureValue C;
    lambdaCaptures(L, C, Depth);
    return C;
  }
  if (const auto *K = dyn_cast<CXXConstructExpr>(E)) {
    if (K->getNumArgs() < 1) return std::nullopt;
    if (specializedTemplateName(K->getType()) == "cyc::Closure" && K->getNumArgs() >= 2)
      return pieces("cyc::closure", K->getArgs(), K->getNumArgs(), Depth);
    // std::function / cyc::Function built from a closure, a copy of one, an object made with it.
    return closureOf(K->getArg(0), Depth + 1);
  }
  if (const auto *Init = dyn_cast<InitListExpr>(E)) {  // `Handler<F>{std::move(f)}`
    for (const Expr *I : Init->inits())
      if (std::optional<ClosureValue> C = closureOf(I, Depth + 1)) return C;
    return std::nullopt;
  }
  if (const auto *Call = dyn_cast<CallExpr>(E); Call && !isa<CXXOperatorCallExpr>(Call))
    return closureOfCall(Call, Depth);
  // A local that names a closure: `auto cb = [self] {...}; self->on_done = cb;`
  if (const VarDecl *V = namedVar(E); V && V->hasLocalStorage() && !isa<ParmVarDecl>(V) && V->getInit() &&
                                      !V->getType()->isReferenceType() && !V->isInitCapture())
    return closureOf(V->getInit(), Depth + 1);
  return std::nullopt;
}

std::optional<ClosureValue> HandleValues::closureOfCall(const CallExpr *Call, int Depth) {
  const FunctionDecl *FD = Call->getDirectCallee();
  if (!FD || Call->getNumArgs() < 1) return std::nullopt;
  if (!isa<CXXMemberCallExpr>(Call)) {
    if (calleeIs(FD, {"cyc::closure"})) return pieces("cyc::closure", Call->getArgs(), Call->getNumArgs(), Depth);
    if (isBind(FD)) return pieces(FD->getQualifiedNameAsString(), Call->getArgs(), Call->getNumArgs(), Depth);
  }
  return wrapped(FD, Call, Depth);
}

// `strand.wrap(f)`, `make_handler(f)`, `asio::bind_executor(ex, f)`: a callable wrapper holds
// what its argument holds. A wrapper listed in the rules (`wrappers:`) is known; any other
// function holds its argument if its summary says it returns an object that does.
std::optional<ClosureValue> HandleValues::wrapped(const FunctionDecl *Callee, const CallExpr *Call, int Depth) {
  std::string Name = Callee->getQualifiedNameAsString();
  const WrapperInfo *Listed = Rules.wrapper(Name);
  for (unsigned I = 0; I < Call->getNumArgs(); ++I) {
    if (Listed && Listed->Arg != I) continue;
    std::optional<ClosureValue> Inner = closureOf(Call->getArg(I), Depth + 1);
    if (!Inner || (Inner->Handles.empty() && Inner->Params.empty())) continue;
    if (Listed) return Inner;
    std::string R = "wraps:" + functionId(Callee) + ":" + std::to_string(I);
    addRequirement(Inner->Requires, R);
    for (HeldHandle &H : Inner->Handles) addRequirement(H.Object.Requires, R);
    for (HeldParam &P : Inner->Params) addRequirement(P.Requires, R);
    return Inner;
  }
  return std::nullopt;
}

std::optional<ClosureValue> HandleValues::pieces(std::string Kind, const Expr *const *Args, unsigned N, int Depth) {
  ClosureValue C;
  C.Kind = std::move(Kind);
  bool Traced = C.Kind == "cyc::closure";
  if (std::optional<ClosureValue> Inner = closureOf(Args[0], Depth + 1)) {
    for (HeldHandle &H : Inner->Handles) {
      H.Traced = false;  // inside fn: hidden from the collector whatever holds fn
      H.Wrapped = true;
      C.Handles.push_back(std::move(H));
    }
    C.Params = std::move(Inner->Params);
  }
  for (unsigned I = 1; I < N; ++I) {
    const Expr *A = Args[I];
    if (int P = passedParam(A); P >= 0) C.Params.push_back(HeldParam{static_cast<unsigned>(P), {}});
    const HandleFamily *Fam = strongHandleFamily(Rules, A->getType());
    if (!Fam) continue;
    HeldHandle H;
    H.Name = text(A->getSourceRange());
    H.Loc = A->getBeginLoc();
    H.Object = resolve(A, Depth + 1);
    H.Family = Fam;
    H.Type = A->getType().getNonReferenceType();
    H.Traced = Traced;
    C.Handles.push_back(std::move(H));
  }
  return C;
}

void HandleValues::lambdaCaptures(const LambdaExpr *L, ClosureValue &Out, int Depth) {
  for (const LambdaCapture &Cap : L->captures()) {
    // By reference, `this` and `*this` hold no handle (a dangling reference is another story).
    if (!Cap.capturesVariable() || Cap.getCaptureKind() != LCK_ByCopy || Cap.isPackExpansion()) continue;
    const auto *V = dyn_cast<VarDecl>(Cap.getCapturedVar());
    if (!V) continue;
    if (const auto *Parm = dyn_cast<ParmVarDecl>(V); Parm && Parm->getDeclContext() == Fn)
      Out.Params.push_back(HeldParam{Parm->getFunctionScopeIndex(), {}});
    else if (V->isInitCapture())
      if (int P = passedParam(V->getInit()); P >= 0) Out.Params.push_back(HeldParam{static_cast<unsigned>(P), {}});
    QualType T = V->getType().getNonReferenceType();
    const HandleFamily *Fam = strongHandleFamily(Rules, T);
    if (!Fam) {
      capturedCallable(Cap, V, Out, Depth);
      continue;
    }
    HeldHandle H;
    H.Name = V->getName().str();
    if (V->isInitCapture() && V->getInit()) H.Name += " = " + text(V->getInit()->getSourceRange());
    H.Loc = Cap.getLocation();
    H.Object = resolveVar(V, Depth + 1);
    H.Family = Fam;
    H.Type = T;
    H.Implicit = Cap.isImplicit();
    Out.Handles.push_back(std::move(H));
  }
}

// A captured local callable that holds handles itself (`cyc::Function<void()> inner =
// cyc::closure(f, b); b->cb = [inner] { inner(); };`): the lambda hides them all.
void HandleValues::capturedCallable(const LambdaCapture &Cap, const VarDecl *V, ClosureValue &Out, int Depth) {
  if (!V->getInit() || V->getType()->isReferenceType() || isa<ParmVarDecl>(V) || !V->hasLocalStorage()) return;
  std::optional<ClosureValue> Inner = closureOf(V->getInit(), Depth + 1);
  if (!Inner) return;
  for (HeldHandle &H : Inner->Handles) {
    H.Via = V->getName().str();
    H.Loc = Cap.getLocation();
    H.Traced = H.Wrapped = H.Implicit = false;
    Out.Handles.push_back(std::move(H));
  }
}

}  // namespace cyclops
