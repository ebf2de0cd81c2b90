// FieldUses.cpp - typed stores, parameter passes and strong uses, one function body at a time.
#include "extract/FieldUses.h"

#include <set>
#include <utility>

#include "clang/AST/ExprCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"

#include "extract/ExtractContext.h"
#include "extract/HandleValues.h"
#include "utils/HandleExprs.h"

namespace cyclops {

using namespace clang;

namespace {

constexpr int MaxDepth = 8;

// What a value's expression says about the object it refers to or holds.
struct ValueObject {
  const CXXRecordDecl *Record = nullptr;  // a user record
  const HandleFamily *Family = nullptr;   // the value is a strong handle of this family
  bool Fresh = false;                     // made by this very expression
};

// E with wrappers, moves and the one-argument constructions Through accepts looked through.
template <typename Pred>
const Expr *lookThrough(const Expr *E, Pred Through) {
  for (int Depth = 0; E && Depth < MaxDepth; ++Depth) {
    E = ignoreWrappers(E);
    if (const Expr *From = movedFrom(E)) {
      E = From;
      continue;
    }
    const auto *C = dyn_cast<CXXConstructExpr>(E);
    if (!C || C->getNumArgs() != 1 || !Through(C)) break;
    E = C->getArg(0);
  }
  return E;
}

// The methods of a strong handle that a weak handle has too: a field used only through
// these (and assigned to) can become weak.
bool weakCompatible(llvm::StringRef Method) {
  static const std::set<llvm::StringRef> Names = {"reset", "use_count", "swap", "lock", "expired", "owner_before"};
  return Names.count(Method) != 0;
}

class BodyWalker {
 public:
  BodyWalker(ExtractContext &Context, std::set<std::pair<std::string, std::string>> &Used)
      : X(Context), Rules(Context.rules()), StrongUsed(Used) {}

  void run(const FunctionDecl *FD) {
    Fn = FD;
    // cyc_walk_: the collector's walk that CYC_TRACE declares beside trace() (<cyc/trace.h>).
    TraceHook = Fn->getIdentifier() &&
                (Fn->getName() == "trace" || Fn->getName() == "cyc_trace" || Fn->getName() == "cyc_walk_");
    if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(Fn))
      for (const CXXCtorInitializer *Init : Ctor->inits()) {
        if (!Init->isWritten() || !Init->getInit()) continue;
        if (Init->getMember()) initialized(Init->getMember(), Init->getInit());
        walk(Init->getInit());  // the calls it makes: `m_data(get(std::forward<T>(t)))`
      }
    walk(Fn->getBody());
  }

  // `std::shared_ptr<Base> p = std::make_shared<Leaf>();`, `p(std::make_shared<Leaf>())`.
  void initialized(const FieldDecl *F, const Expr *Init) {
    const Expr *Value = ignoreWrappers(Init);
    if (const auto *C = dyn_cast<CXXConstructExpr>(Value); C && C->getNumArgs() >= 1) Value = C->getArg(0);
    stored(F, Value, declared(F->getType()), Init);
  }

 private:
  void walk(const Stmt *S, bool InLambda = false) {
    if (!S) return;
    if (const auto *L = dyn_cast<LambdaExpr>(S)) {
      for (const Expr *Init : L->capture_inits()) walk(Init, InLambda);
      if (!L->isGenericLambda()) walk(L->getBody(), true);
      return;
    }
    if (const auto *R = dyn_cast<ReturnStmt>(S); R && !InLambda && R->getRetValue() &&
                                                 !R->getRetValue()->isInstantiationDependent())
      returned(R->getRetValue());
    if (const auto *E = dyn_cast<Expr>(S); E && !E->isInstantiationDependent()) visit(E);
    for (const Stmt *Child : S->children()) walk(Child, InLambda);
  }

  // `return std::make_shared<Leaf>()` in a function returning shared_ptr<Node>: its result
  // carries a Leaf; `return p;`, `return make();`: what p or make() carries.
  void returned(const Expr *R) {
    const CXXRecordDecl *Declared = Fn ? declared(Fn->getReturnType()) : nullptr;
    if (!Declared) return;
    std::string Id = HandleValues::functionId(Fn);
    if (carriesMore(Declared)) passOn(R, ParamPassFact{"", 0, Id, ResultSlot});
    ValueObject O = valueObject(R);
    if (!moreDerived(O.Record, Declared)) return;
    TypedStoreFact T = fact(O, Declared, R);
    T.Callee = Id;
    T.Arg = ResultSlot;
    X.out().TypedStores.push_back(std::move(T));
  }

  // The user function whose result E is, handle conversions looked through; null otherwise.
  const FunctionDecl *resultOf(const Expr *E) {
    E = lookThrough(E, [&](const CXXConstructExpr *C) { return handleLike(C->getType()); });
    const auto *Call = dyn_cast_or_null<CallExpr>(E);
    if (!Call || isa<CXXOperatorCallExpr>(Call) || makesFreshObject(Call)) return nullptr;
    const FunctionDecl *G = Call->getDirectCallee();
    return G && X.inUserCode(G) ? G : nullptr;
  }

  void visit(const Expr *E) {
    if (auto [L, R] = assignmentParts(E); L) {
      assigned(L, R);
    } else if (const auto *M = dyn_cast<CXXMemberCallExpr>(E)) {
      memberCalled(M);
    }
    if (const auto *Call = dyn_cast<CallExpr>(E); Call && !isa<CXXOperatorCallExpr>(Call)) called(Call);
    if (const auto *C = dyn_cast<CXXConstructExpr>(E)) constructed(C);
    if (const auto *ME = dyn_cast<MemberExpr>(E)) used(ME);
  }

  // `f = v`, `f[k] = v`.
  void assigned(const Expr *L, const Expr *R) {
    const Expr *Lhs = ignoreWrappers(L);
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Lhs); Op && Op->getOperator() == OO_Subscript)
      Lhs = ignoreWrappers(Op->getArg(0));
    const auto *ME = dyn_cast<MemberExpr>(Lhs);
    const auto *F = ME ? dyn_cast<FieldDecl>(ME->getMemberDecl()) : nullptr;
    if (!F) return;
    if (Lhs == ignoreWrappers(L)) WeakOk.insert(ME);
    stored(F, R, declared(L->getType()), L);
  }

  // `f.reset(p)`, `f.push_back(v)`; `f.lock()`, `f.reset()` are weak-compatible uses.
  void memberCalled(const CXXMemberCallExpr *Call) {
    const CXXMethodDecl *M = Call->getMethodDecl();
    const auto *ME = dyn_cast_or_null<MemberExpr>(ignoreWrappers(Call->getImplicitObjectArgument()));
    const auto *F = ME ? dyn_cast<FieldDecl>(ME->getMemberDecl()) : nullptr;
    if (!M || !M->getIdentifier() || !F) return;
    llvm::StringRef Name = M->getName();
    if (weakCompatible(Name)) WeakOk.insert(ME);
    if (Call->getNumArgs() == 0) return;
    if (Name == "reset")
      stored(F, Call->getArg(0), declared(F->getType()), Call);
    else if (containerOp(Name) == ContainerOp::Add)
      stored(F, Call->getArg(Call->getNumArgs() - 1), declared(firstTypeArg(F->getType())), Call);
  }

  // `setChild(std::make_shared<Leaf>())`: where the parameter goes, the summaries say.
  void called(const CallExpr *Call) {
    const FunctionDecl *Callee = Call->getDirectCallee();
    if (!Callee) return;
    if (makesFreshObject(Call)) return madeWith(Call);
    if (!X.inUserCode(Callee)) return;
    unsigned N = std::min(Call->getNumArgs(), Callee->getNumParams());
    for (unsigned I = 0; I < N; ++I) passed(Callee, I, Call->getArg(I));
  }

  void constructed(const CXXConstructExpr *C) {
    const CXXConstructorDecl *Ctor = C->getConstructor();
    if (!Ctor || !X.inUserCode(Ctor) || Ctor->isCopyOrMoveConstructor()) return;
    unsigned N = std::min(C->getNumArgs(), Ctor->getNumParams());
    for (unsigned I = 0; I < N; ++I) passed(Ctor, I, C->getArg(I));
  }

  // `std::make_shared<T>(args...)`: the arguments go to T's constructor with as many
  // parameters, when T has exactly one.
  void madeWith(const CallExpr *Call) {
    const CXXRecordDecl *RD = userRecord(Call->getType().isNull() ? QualType() : firstTypeArg(Call->getType()));
    if (!RD || Call->getNumArgs() == 0) return;
    const CXXConstructorDecl *Only = nullptr;
    for (const CXXConstructorDecl *Ctor : RD->ctors()) {
      if (Ctor->isCopyOrMoveConstructor() || Ctor->getNumParams() != Call->getNumArgs()) continue;
      if (Only) return;
      Only = Ctor;
    }
    if (!Only) return;
    for (unsigned I = 0; I < Call->getNumArgs(); ++I) passed(Only, I, Call->getArg(I));
  }

  void passed(const FunctionDecl *Callee, unsigned I, const Expr *Arg) {
    if (isa<CXXDefaultArgExpr>(Arg)) return;
    const CXXRecordDecl *Declared = declared(Callee->getParamDecl(I)->getType());
    // What the argument carries from the caller's parameter or from a call's result...
    if (carriesMore(Declared)) passOn(Arg, ParamPassFact{"", 0, HandleValues::functionId(Callee), I});
    // ... and what its own type says.
    ValueObject O = valueObject(Arg);
    if (!worthSaying(O, Declared)) return;
    TypedStoreFact T = fact(O, Declared, Arg);
    T.Callee = HandleValues::functionId(Callee);
    T.Arg = I;
    if (!T.Callee.empty()) X.out().TypedStores.push_back(std::move(T));
  }

  void stored(const FieldDecl *F, const Expr *Value, const CXXRecordDecl *Declared, const Expr *At) {
    if (!Value || isNullValue(Value)) return;
    const auto *Holder = dyn_cast<CXXRecordDecl>(F->getParent());
    if (!Holder || !X.isUserRecord(Holder)) return;
    if (carriesMore(Declared))  // what a parameter or a call carries
      passOn(Value, ParamPassFact{"", 0, "", 0, X.nameOf(Holder), F->getName().str()});
    ValueObject O = valueObject(Value);
    if (!worthSaying(O, Declared)) return;
    TypedStoreFact T = fact(O, Declared, At);
    T.Holder = X.nameOf(Holder);
    T.Field = F->getName().str();
    X.out().TypedStores.push_back(std::move(T));
  }

  // To: where E's value goes (a callee's argument, the result, a field). Says so when E is the
  // function's own parameter or a call's result, whose value comes from elsewhere.
  void passOn(const Expr *E, ParamPassFact To) {
    if (int P = ownParam(E); P >= 0 && Fn) {
      To.Function = HandleValues::functionId(Fn);
      To.Param = static_cast<unsigned>(P);
    } else if (const FunctionDecl *G = resultOf(E)) {
      To.Function = HandleValues::functionId(G);
      To.Param = ResultSlot;
    } else {
      return;
    }
    X.out().ParamPasses.push_back(std::move(To));
  }

  // Can a value declared as a handle to (or an object of) RD be of another class? Only if RD
  // is polymorphic: where it is not, parameters and results of its type carry nothing more
  // than the declaration, and are not followed (most of a program's passes).
  static bool carriesMore(const CXXRecordDecl *RD) { return RD && RD->isPolymorphic(); }

  // Freshly made objects, and objects of a class more derived than the declaration says.
  bool worthSaying(const ValueObject &O, const CXXRecordDecl *Declared) const {
    if (O.Fresh && O.Family) return true;
    return Declared ? moreDerived(O.Record, Declared) : O.Record != nullptr;
  }

  // Is R a class strictly derived from Declared?
  static bool moreDerived(const CXXRecordDecl *R, const CXXRecordDecl *Declared) {
    return R && Declared && R != Declared && R->isDerivedFrom(Declared);
  }

  TypedStoreFact fact(const ValueObject &O, const CXXRecordDecl *Declared, const Expr *At) {
    TypedStoreFact T;
    if (O.Record && O.Record != Declared) T.Stored = X.nameOf(O.Record);
    T.Strong = O.Family != nullptr;
    if (O.Family) T.Family = O.Family->Name;
    T.Fresh = O.Fresh;
    T.At = X.pos(At->getBeginLoc());
    return T;
  }

  // The index of the function's parameter that E passes on as it is (copied, moved,
  // forwarded), or -1.
  int ownParam(const Expr *E) const {
    E = lookThrough(E, [](const CXXConstructExpr *C) { return C->getConstructor()->isCopyOrMoveConstructor(); });
    const auto *Ref = dyn_cast_or_null<DeclRefExpr>(E);
    const auto *P = Ref ? dyn_cast<ParmVarDecl>(Ref->getDecl()) : nullptr;
    if (!P || !Fn || P->getDeclContext() != Fn) return -1;
    return static_cast<int>(P->getFunctionScopeIndex());
  }

  // A use of a strong handle field other than assigning, resetting or locking it.
  void used(const MemberExpr *ME) {
    const auto *F = dyn_cast<FieldDecl>(ME->getMemberDecl());
    if (!F || TraceHook || WeakOk.count(ME) || !strongHandleFamily(Rules, F->getType())) return;
    const auto *Holder = dyn_cast<CXXRecordDecl>(F->getParent());
    if (!Holder || !X.isUserRecord(Holder)) return;
    std::string Name = X.nameOf(Holder);
    if (!StrongUsed.emplace(Name, F->getName().str()).second) return;
    X.out().StrongUses.push_back(StrongUseFact{Name, F->getName().str(), X.pos(ME->getBeginLoc())});
  }

  // The object a value refers to or holds, looking through moves, copies and the conversions
  // of handles (to a base, from a raw pointer).
  ValueObject valueObject(const Expr *E) {
    ValueObject O;
    for (int Depth = 0; E && Depth < MaxDepth; ++Depth) {
      E = ignoreWrappers(E);
      if (const Expr *From = movedFrom(E)) {
        E = From;
        continue;
      }
      if (const auto *Cast = dyn_cast<ExplicitCastExpr>(E); Cast && upcast(Cast->getCastKind())) {
        E = Cast->getSubExpr();  // `static_cast<Base *>(new Derived)`
        continue;
      }
      if (const auto *New = dyn_cast<CXXNewExpr>(E)) {
        O.Fresh = true;
        O.Record = userRecord(New->getAllocatedType());
        return O;
      }
      const auto *C = dyn_cast<CXXConstructExpr>(E);
      if (!C || C->getNumArgs() == 0 || isa<CXXDefaultArgExpr>(C->getArg(0))) break;
      if (erased(C->getType())) {  // `std::any(conn)`: what it holds is the argument
        E = C->getArg(0);
        continue;
      }
      if (!handleLike(C->getType())) break;
      if (!O.Family) O.Family = strongHandleFamily(Rules, C->getType());
      E = C->getArg(0);
    }
    if (!E) return O;
    if (const auto *Call = dyn_cast<CallExpr>(E); Call && makesFreshObject(Call)) O.Fresh = true;
    QualType T = E->getType();
    if (const HandleFamily *F = strongHandleFamily(Rules, T)) {
      if (!O.Family) O.Family = F;
      T = firstTypeArg(T);
    } else if (handleLike(T)) {
      T = firstTypeArg(T);
    } else if (T->isPointerType()) {
      T = T->getPointeeType();
    }
    O.Record = userRecord(T);
    return O;
  }

  // The record a declared type refers to: a handle's or an owning pointer's target, a
  // pointer's pointee, or the record itself.
  const CXXRecordDecl *declared(QualType T) {
    if (T.isNull()) return nullptr;
    T = T.getNonReferenceType();
    if (handleLike(T))
      T = firstTypeArg(T);
    else if (T->isPointerType())
      T = T->getPointeeType();
    return userRecord(T);
  }

  static bool upcast(CastKind K) {
    return K == CK_DerivedToBase || K == CK_UncheckedDerivedToBase || K == CK_NoOp;
  }

  bool erased(QualType T) const {
    const CXXRecordDecl *RD = T.isNull() ? nullptr : T.getCanonicalType()->getAsCXXRecordDecl();
    return RD && Rules.isErased(RD->getQualifiedNameAsString());
  }

  bool handleLike(QualType T) const {
    if (strongHandleFamily(Rules, T)) return true;
    std::string Name = specializedTemplateName(T);
    return !Name.empty() && Rules.isPointerOwner(Name);
  }

  const CXXRecordDecl *userRecord(QualType T) {
    if (T.isNull()) return nullptr;
    const CXXRecordDecl *RD = T.getCanonicalType()->getAsCXXRecordDecl();
    if (!RD || !RD->hasDefinition()) return nullptr;
    RD = RD->getDefinition();
    return X.isUserRecord(RD) ? RD : nullptr;
  }

  ExtractContext &X;
  const RuleSet &Rules;
  const FunctionDecl *Fn = nullptr;  // the function walked; null for a default member initializer
  std::set<std::pair<std::string, std::string>> &StrongUsed;  // (holder, field) already said
  std::set<const MemberExpr *> WeakOk;  // uses a weak handle serves (seen at their parent)
  bool TraceHook = false;
};

// Default member initializers, once per class (instantiations included).
class InitializerFinder : public RecursiveASTVisitor<InitializerFinder> {
 public:
  InitializerFinder(ExtractContext &Context, std::set<std::pair<std::string, std::string>> &Used)
      : X(Context), StrongUsed(Used) {}
  bool shouldVisitTemplateInstantiations() const { return true; }
  bool shouldVisitImplicitCode() const { return false; }

  bool VisitFieldDecl(FieldDecl *F) {
    const auto *RD = dyn_cast<CXXRecordDecl>(F->getParent());
    if (!F->hasInClassInitializer() || !F->getInClassInitializer() || !RD || RD->isDependentContext() ||
        !X.inUserCode(F))
      return true;
    BodyWalker(X, StrongUsed).initialized(F, F->getInClassInitializer());
    return true;
  }

 private:
  ExtractContext &X;
  std::set<std::pair<std::string, std::string>> &StrongUsed;
};

}  // namespace

void extractFieldUses(ExtractContext &X) {
  std::set<std::pair<std::string, std::string>> StrongUsed;
  forEachUserFunction(X, [&](const FunctionDecl *FD) { BodyWalker(X, StrongUsed).run(FD); });
  InitializerFinder(X, StrongUsed).TraverseAST(X.ast());
}

}  // namespace cyclops
