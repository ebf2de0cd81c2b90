// InstanceFlow.cpp - the transfer functions of cycle-instance and the fixpoint over a CFG.
#include "rules/cycle-instance/InstanceFlow.h"

#include <algorithm>
#include <optional>
#include <set>

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Analysis/CFG.h"
#include "clang/Lex/Lexer.h"

#include "extract/ExtractContext.h"
#include "utils/HandleExprs.h"

namespace cyclops::instance {

using namespace clang;

TUContext::TUContext(ExtractContext &Context) : X(Context), Types(Context.rules()) {}

namespace {

// Each block keeps up to this many states, one per shape of the paths that reach it, so
// that locals assigned together stay together (`prev = cur; cur = next;` in a loop never
// makes cur and prev the same object). Past it, the block's states are joined into one.
constexpr size_t MaxStatesPerBlock = 8;
// A block whose states were walked this often has not converged in any reasonable sense:
// the function is left unjudged (no findings, and calls to it count as unknown).
constexpr unsigned MaxVisitsPerBlock = 256;
constexpr size_t MaxEdges = 4096;
// Reads through fields followed from a parameter (`a->next->next`) before the value is unknown.
constexpr int MaxLoadDepth = 3;

// What a handle-valued expression refers to: some objects, and maybe something we do not
// know (a global, an element read from a container).
struct Value {
  ObjSet Objs;
  bool Unknown = false;
};

// Where a store goes: a field of some objects (Field "" is the elements of an object that is
// itself a container). Whole: the store replaces the field (`a->next = b`), as opposed to
// adding to it (`a->kids.push_back(b)`, `a->by_name[k] = b`).
struct Place {
  ObjSet Objs;
  int Field = 0;
  bool Whole = false;
};

bool isMethod(const CXXMemberCallExpr *Call, llvm::StringRef Name) {
  const CXXMethodDecl *M = Call->getMethodDecl();
  return M && M->getIdentifier() && M->getName() == Name;
}

bool isElementAccess(const CXXMemberCallExpr *Call) {
  return isMethod(Call, "at") || isMethod(Call, "front") || isMethod(Call, "back");
}

// The states that reach the start of one block.
struct BlockStates {
  std::vector<State> States;
  std::vector<bool> Done;  // walked through the block already
  bool Joined = false;     // past MaxStatesPerBlock: one state, joined into from now on

  // Adds the state of one more path; true when the block has something new to walk.
  bool add(const State &S) {
    if (!S.Reached) return false;
    if (Joined) {
      if (!States.front().join(S)) return false;
      Done.front() = false;
      return true;
    }
    for (const State &Known : States)
      if (S.within(Known)) return false;
    if (States.size() < MaxStatesPerBlock) {
      States.push_back(S);
      Done.push_back(false);
      return true;
    }
    State All = std::move(States.front());
    for (size_t I = 1; I < States.size(); ++I) All.join(States[I]);
    All.join(S);
    States.assign(1, std::move(All));
    Done.assign(1, false);
    Joined = true;
    return true;
  }
};

class Flow {
 public:
  Flow(TUContext &Context, SummarySource &Source, const FunctionDecl *FD)
      : C(Context), X(Context.X), Src(Source), Types(Context.Types), Fn(FD), H(Context.Fields) {}

  FunctionResult run() {
    CFG::BuildOptions Options;
    Options.setAllAlwaysAdd();  // every subexpression is an element, in evaluation order
    Options.AddInitializers = true;
    Options.AddImplicitDtors = false;
    Options.AddTemporaryDtors = false;
    Options.AddCXXDefaultInitExprInCtors = true;
    std::unique_ptr<CFG> G = CFG::buildCFG(Fn, const_cast<Stmt *>(Fn->getBody()), &X.ast(), Options);
    if (!G) return {};
    std::vector<int> Rank = reversePostOrder(*G);
    ParentMap Parents(const_cast<Stmt *>(Fn->getBody()));

    // The worklist takes blocks in reverse post-order, so that a loop's body is walked
    // again only once everything before it has settled.
    std::vector<BlockStates> In(G->getNumBlockIDs());
    In[G->getEntry().getBlockID()].add(entry());
    std::set<std::pair<int, const CFGBlock *>> Work{{Rank[G->getEntry().getBlockID()], &G->getEntry()}};
    std::vector<unsigned> Visits(G->getNumBlockIDs(), 0);
    while (!Work.empty()) {
      const CFGBlock *B = Work.begin()->second;
      Work.erase(Work.begin());
      BlockStates &Here = In[B->getBlockID()];
      for (size_t I = 0; I < Here.States.size(); ++I) {
        if (Here.Done[I]) continue;
        Here.Done[I] = true;
        if (++Visits[B->getBlockID()] > MaxVisitsPerBlock) return {};
        BlockStates Out = walk(*B, Here.States[I], Parents);
        for (const State &S : Out.States) {
          if (S.Edges.size() > MaxEdges) return {};
          propagate(*B, S, Rank, In, Work);
        }
      }
    }

    const std::vector<State> &Exits = In[G->getExit().getBlockID()].States;
    State Exit;
    for (const State &S : Exits) Exit.join(S);
    FunctionResult R;
    R.Sum = summarize(H, Exits, C.Traces, Params);
    report(Exit, R.Cycles);
    return R;
  }

 private:
  static std::vector<int> reversePostOrder(const CFG &G) {
    std::vector<int> Rank(G.getNumBlockIDs(), -1);  // -1: unreachable
    std::vector<const CFGBlock *> Post;
    std::vector<std::pair<const CFGBlock *, CFGBlock::const_succ_iterator>> Stack;
    std::vector<bool> Seen(G.getNumBlockIDs(), false);
    Seen[G.getEntry().getBlockID()] = true;
    Stack.push_back({&G.getEntry(), G.getEntry().succ_begin()});
    while (!Stack.empty()) {
      auto &[B, It] = Stack.back();
      if (It == B->succ_end()) {
        Post.push_back(B);
        Stack.pop_back();
        continue;
      }
      const CFGBlock *Next = It->getReachableBlock();
      ++It;
      if (Next && !Seen[Next->getBlockID()]) {
        Seen[Next->getBlockID()] = true;
        Stack.push_back({Next, Next->succ_begin()});
      }
    }
    int N = static_cast<int>(Post.size());
    for (int I = 0; I < N; ++I) Rank[Post[I]->getBlockID()] = N - 1 - I;
    return Rank;
  }

  // One state through the elements of a block. A call whose callee's summary has several
  // cases forks it, so several states may come out.
  BlockStates walk(const CFGBlock &B, const State &Start, ParentMap &Parents) {
    BlockStates Cur;
    Cur.add(Start);
    for (const CFGElement &E : B) {
      BlockStates Next;
      for (State &S : Cur.States) {
        std::vector<State> Forked;
        Forks = &Forked;
        element(S, E, Parents);
        Forks = nullptr;
        Next.add(S);
        for (State &F : Forked) {
          element(F, E, Parents, /*OnlyCleanup=*/true);
          Next.add(F);
        }
      }
      Cur = std::move(Next);
    }
    return Cur;
  }

  // Hands a state at the end of B to its successors. A branch on a handle (`if (x)`,
  // `while (cur)`, `x == nullptr`) says on each edge whether it is null: a path that
  // contradicts what the state knows ends there.
  void propagate(const CFGBlock &B, const State &S, const std::vector<int> &Rank, std::vector<BlockStates> &In,
                 std::set<std::pair<int, const CFGBlock *>> &Work) {
    std::optional<std::pair<const VarDecl *, bool>> Test;
    if (B.succ_size() == 2)
      if (const Stmt *Cond = B.getTerminatorCondition(); Cond && isa<Expr>(Cond)) Test = nullTest(cast<Expr>(Cond));
    unsigned Index = 0;
    for (const CFGBlock::AdjacentBlock &Succ : B.succs()) {
      bool TrueEdge = Index++ == 0;
      const CFGBlock *Next = Succ.getReachableBlock();
      if (!Next || Rank[Next->getBlockID()] < 0) continue;
      State Out = S;
      if (Test && !refine(Out, Test->first, Test->second == TrueEdge)) continue;
      if (In[Next->getBlockID()].add(Out)) Work.insert({Rank[Next->getBlockID()], Next});
    }
  }

  // ---- the state on entry -------------------------------------------------------------

  State entry() {
    State S;
    S.Reached = true;
    if (const auto *M = dyn_cast<CXXMethodDecl>(Fn); M && M->isInstance()) {
      Object P;
      P.Type = X.nameOf(M->getParent());
      P.Label = "this";
      P.Named = P.Stable = P.NeverNull = true;
      P.KnownFields = isa<CXXConstructorDecl>(M);  // a constructor starts from empty fields
      ThisObj = H.object(ObjKey{ObjKind::This, Fn, 0, 0, false}, P);
    }
    for (unsigned I = 0; I < Fn->getNumParams(); ++I) {
      const ParmVarDecl *Parm = Fn->getParamDecl(I);
      QualType T = Parm->getType();
      bool Handle = Types.strong(T) != nullptr;
      if (!Handle && !Types.designatesHolder(T)) continue;
      Object P;
      P.Type = typeName(Handle ? Types.pointee(T) : pointeeOrSelf(T));
      P.Label = Parm->getName().str();
      P.Named = P.Stable = true;
      int O = H.object(ObjKey{ObjKind::Param, Fn, static_cast<int>(I), 0, false}, P);
      S.Vars[Parm] = ObjSet::of(O);
      bool Rebindable = Handle && T->isLValueReferenceType() && !T.getNonReferenceType().isConstQualified();
      Params.push_back(SummaryParam{I, O, Rebindable ? Parm : nullptr});
    }
    return S;
  }

  // ---- branches on handles ----------------------------------------------------------------

  // The local handle a condition tests, and whether the condition holding means non-null.
  std::optional<std::pair<const VarDecl *, bool>> nullTest(const Expr *Cond) {
    Cond = Cond->IgnoreParenImpCasts();
    if (const auto *U = dyn_cast<UnaryOperator>(Cond); U && U->getOpcode() == UO_LNot) {
      if (auto T = nullTest(U->getSubExpr())) return std::pair(T->first, !T->second);
      return std::nullopt;
    }
    // `x` (explicit operator bool), `x.get()`
    if (const auto *Call = dyn_cast<CXXMemberCallExpr>(Cond); Call && Call->getImplicitObjectArgument() &&
        (isa<CXXConversionDecl>(Call->getMethodDecl()) || isMethod(Call, "get")))
      if (const VarDecl *V = localVar(Call->getImplicitObjectArgument()); V && Types.strong(V->getType()))
        return std::pair(alias(V), true);
    // `x == nullptr`, `nullptr != x`
    const Expr *L = nullptr, *R = nullptr;
    bool Equal = false;
    if (const auto *B = dyn_cast<BinaryOperator>(Cond); B && B->isEqualityOp()) {
      L = B->getLHS(), R = B->getRHS(), Equal = B->getOpcode() == BO_EQ;
    } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Cond);
               Op && Op->getNumArgs() == 2 && (Op->getOperator() == OO_EqualEqual || Op->getOperator() == OO_ExclaimEqual)) {
      L = Op->getArg(0), R = Op->getArg(1), Equal = Op->getOperator() == OO_EqualEqual;
    }
    if (!L) return std::nullopt;
    if (isNullValue(L)) std::swap(L, R);
    if (!isNullValue(R)) return std::nullopt;
    const Expr *Tested = L->IgnoreParenImpCasts();
    if (const auto *Get = dyn_cast<CXXMemberCallExpr>(Tested); Get && isMethod(Get, "get"))
      Tested = Get->getImplicitObjectArgument();
    if (const VarDecl *V = localVar(Tested); V && Types.strong(V->getType())) return std::pair(alias(V), !Equal);
    return std::nullopt;
  }

  // Follows the edge on which V is null (NonNull false) or not; false when the state says
  // that cannot happen.
  bool refine(State &S, const VarDecl *V, bool NonNull) {
    auto It = S.Vars.find(V);
    if (It == S.Vars.end()) return true;
    ObjSet Objs;
    for (int O : It->second)
      if (!S.Null.count(O)) Objs.insert(O);
    if (NonNull) {
      if (Objs.empty()) return false;
      It->second = Objs;  // no longer maybe null
      return true;
    }
    ObjSet MayBeNull;
    for (int O : Objs)
      if (!H[O].NeverNull) MayBeNull.insert(O);
    if (!It->second.MaybeNull && !Objs.empty() && MayBeNull.empty()) return false;
    if (MayBeNull.size() == 1 && Objs.size() == 1 && !It->second.MaybeNull) S.Null.insert(MayBeNull.front());
    It->second = ObjSet();
    return true;
  }

  // ---- transfers ------------------------------------------------------------------------

  // One CFG element. A fork made by a call has had the element's transfer already, and
  // only needs the cleanup.
  void element(State &S, const CFGElement &E, ParentMap &Parents, bool OnlyCleanup = false) {
    if (std::optional<CFGStmt> St = E.getAs<CFGStmt>()) {
      if (!OnlyCleanup) statement(S, St->getStmt());
      // What calls and moves evaluated to is read by the full expression they are part
      // of (a declaration or a return statement reads its initializer's), and stale after
      // it: dropped, so that paths that differ only there are one.
      if (const Stmt *Parent = Parents.getParent(St->getStmt());
          Parent && !isa<Expr>(Parent) && !isa<DeclStmt>(Parent) && !isa<ReturnStmt>(Parent))
        S.Values.clear();
    } else if (std::optional<CFGInitializer> Init = E.getAs<CFGInitializer>()) {
      if (!OnlyCleanup) initializer(S, Init->getInitializer());
      S.Values.clear();
    }
  }

  void statement(State &S, const Stmt *St) {
    if (const auto *DS = dyn_cast<DeclStmt>(St)) {
      for (const Decl *D : DS->decls())
        if (const auto *V = dyn_cast<VarDecl>(D)) bind(S, V, V->getInit());
      return;
    }
    if (const auto *R = dyn_cast<ReturnStmt>(St)) {
      returned(S, R);
      return;
    }
    const auto *E = dyn_cast<Expr>(St);
    if (!E) return;
    if (auto [L, R] = assignmentParts(E); L && assign(S, E, L, R)) return;
    if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E)) return memberCall(S, Call);
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E)) return operatorCall(S, Op);
    if (const auto *Call = dyn_cast<CallExpr>(E)) return call(S, Call);
    if (const auto *New = dyn_cast<CXXNewExpr>(E)) return newObject(S, New);
  }

  // `auto v = init;`, `Node &n = *a;`, `Handle<T> &r = a;`
  void bind(State &S, const VarDecl *V, const Expr *Init) {
    if (!V->hasLocalStorage()) return;
    QualType T = V->getType();
    if (Types.strong(T)) {
      if (T->isReferenceType()) {
        if (const VarDecl *Of = Init ? localVar(strip(Init)) : nullptr) {
          Aliases[V] = alias(Of);  // the same variable under another name
          return;
        }
      }
      if (!Init) {
        S.Vars[V] = ObjSet();  // a default-constructed handle is null
        return;
      }
      S.Vars[V] = known(S, Init, V);
      return;
    }
    if (Types.designatesHolder(T)) {
      std::optional<ObjSet> Objs;
      if (Init) Objs = T->isPointerType() ? pointer(S, Init) : object(S, Init);
      if (Objs) S.Vars[V] = *Objs;
      else S.Vars.erase(V);
    }
  }

  // The objects of a handle expression; what is unknown becomes a new object at E, named
  // after the local it is bound to.
  ObjSet known(State &S, const Expr *E, const VarDecl *Named) {
    Value Val = handle(S, E);
    if (Val.Unknown) Val.Objs.insert(fresh(S, E, Named));
    if (Named) name(Val.Objs, Named);
    return Val.Objs;
  }

  // `a = b` (rebinds a local) or `a->next = b`, `a->by_name[k] = b` (a store). False when
  // the assignment is neither: a user-defined operator= is then a call like any other.
  bool assign(State &S, const Expr *Op, const Expr *L, const Expr *R) {
    if (const VarDecl *V = localVar(L)) {
      V = alias(V);
      if (Types.strong(V->getType())) {
        S.Vars[V] = known(S, R, V);
        return true;
      }
      if (V->getType()->isPointerType() && Types.designatesHolder(V->getType())) {
        if (std::optional<ObjSet> P = pointer(S, R)) S.Vars[V] = *P;
        else S.Vars.erase(V);
        return true;
      }
      return false;
    }
    std::optional<Place> P = place(S, L);
    if (!P) return Types.strong(L->getType()) != nullptr;
    const HandleFamily *Family = Types.strong(L->getType());
    ObjSet Values;
    if (Family) {
      if (isNullValue(R)) {
        if (P->Whole) H.clear(S, P->Objs, P->Field);
        return true;
      }
      Values = known(S, R, nullptr);
    } else {
      Values = valuesIn(S, R, Family);
    }
    // A map keyed by handles stores its keys too: `owners[h] = v`.
    if (const auto *Sub = dyn_cast<CXXOperatorCallExpr>(L->IgnoreParenImpCasts());
        Sub && Sub->getOperator() == OO_Subscript && Sub->getNumArgs() == 2)
      Values.merge(valuesIn(S, Sub->getArg(1), Family));
    if (Values.empty()) {
      if (P->Whole) H.clear(S, P->Objs, P->Field);
      return true;
    }
    storeInto(S, *P, Values, Op, Op->getSourceRange(), Family, P->Whole);
    return true;
  }

  void memberCall(State &S, const CXXMemberCallExpr *Call) {
    const CXXMethodDecl *M = Call->getMethodDecl();
    const auto *ME = dyn_cast<MemberExpr>(Call->getCallee()->IgnoreParens());
    if (!M || !ME) return;
    // The receiver as written: a method of a handle's base class (shared_ptr's operator->
    // lives in __shared_ptr_access) sees it through a derived-to-base cast.
    const Expr *Self = ME->getBase()->IgnoreParenImpCasts();
    llvm::StringRef Name = M->getIdentifier() ? M->getName() : "";
    std::vector<const Expr *> Args(Call->arg_begin(), Call->arg_end());

    // Methods of the handle itself: `h.reset()`, `h.swap(o)`, `a->next.reset()`.
    if (!ME->isArrow() && Types.strong(Self->getType())) {
      if (Name == "reset") {
        ObjSet Objs;
        if (!Args.empty()) Objs = known(S, Args[0], nullptr);
        if (const VarDecl *V = localVar(Self)) {
          S.Vars[alias(V)] = Objs;
        } else if (std::optional<Place> P = place(S, Self); P && P->Whole) {
          if (Objs.empty()) H.clear(S, P->Objs, P->Field);
          else storeInto(S, *P, Objs, Call, Call->getSourceRange(), Types.strong(Self->getType()), true);
        }
      } else if (Name == "swap" && Args.size() == 1) {
        swapLocals(S, Self, Args[0]);
      }
      return;
    }
    if (Name == "shared_from_this") {
      if (std::optional<ObjSet> Objs = ME->isArrow() ? pointer(S, Self) : object(S, Self)) S.Values[Call] = *Objs;
      return;
    }
    // Containers of handles: inserts store their handle arguments, removals clear (a partial
    // removal may be the one that breaks the cycle: the rule prefers silence).
    if (ContainerOp Op = containerOp(Name); Op != ContainerOp::None && Types.isLibrary(M)) {
      if (std::optional<Place> P = containerOfCall(S, Call)) {
        if (Op == ContainerOp::Remove) {
          H.clear(S, P->Objs, P->Field);
          return;
        }
        const HandleFamily *Family = nullptr;
        ObjSet Values;
        for (const Expr *A : Args) Values.merge(valuesIn(S, A, Family));
        if (!Values.empty()) storeInto(S, *P, Values, Call, Call->getSourceRange(), Family, false);
        return;
      }
    }
    std::optional<ObjSet> Receiver = ME->isArrow() ? pointer(S, Self) : object(S, Self);
    if (!Types.isLibrary(M)) {
      const FunctionDecl *Def = definitionOf(M);
      bool Virtual = M->isVirtual() && !ME->hasQualifier() && !M->hasAttr<FinalAttr>() &&
                     !M->getParent()->hasAttr<FinalAttr>();
      if (Def && !Virtual && applyCallee(S, Call, Def, Receiver, Args)) return;
    }
    unknownCall(S, Call, M, Args, Receiver ? &*Receiver : nullptr, M->isConst());
  }

  void operatorCall(State &S, const CXXOperatorCallExpr *Op) {
    const FunctionDecl *FD = Op->getDirectCallee();
    if (!FD) return;
    std::vector<const Expr *> Args(Op->arg_begin(), Op->arg_end());
    std::optional<ObjSet> Receiver;
    const auto *M = dyn_cast<CXXMethodDecl>(FD);
    if (M && M->isInstance() && !Args.empty()) {
      Receiver = object(S, Args.front());
      Args.erase(Args.begin());
    }
    if (Types.isLibrary(FD)) {
      // `*it`, `v[i]`: an element we do not follow.
      if (Types.strong(Op->getType())) S.Values[Op] = ObjSet::of(fresh(S, Op, nullptr));
      return;
    }
    if (const FunctionDecl *Def = definitionOf(FD); Def && applyCallee(S, Op, Def, Receiver, Args)) return;
    unknownCall(S, Op, FD, Args, Receiver ? &*Receiver : nullptr, M && M->isConst());
  }

  void call(State &S, const CallExpr *Call) {
    std::vector<const Expr *> Args(Call->arg_begin(), Call->arg_end());
    switch (libraryCall(Types, Call)) {
      case LibraryCall::Move:
        return moveOut(S, Call);
      case LibraryCall::Make: {
        QualType T = Types.pointee(Call->getType());
        const CXXRecordDecl *RD = T.isNull() ? nullptr : T->getAsCXXRecordDecl();
        return allocate(S, Call, T, RD ? pickConstructor(RD, Args) : nullptr, Args);
      }
      case LibraryCall::Cast: {
        Value V = handle(S, Args[0]);
        if (!V.Unknown) S.Values[Call] = V.Objs;
        return;
      }
      case LibraryCall::Swap:
        return swapLocals(S, Args[0], Args[1]);
      case LibraryCall::Aggregate:
        return;  // the handles inside are found where the aggregate is stored
      case LibraryCall::None:
        break;
    }
    const FunctionDecl *FD = Call->getDirectCallee();
    if (FD && !Types.isLibrary(FD))
      if (const FunctionDecl *Def = definitionOf(FD); Def && applyCallee(S, Call, Def, std::nullopt, Args)) return;
    unknownCall(S, Call, FD, Args, nullptr, true);
  }

  // std::move(x): x is empty from here on (a move into a const reference is rare, and
  // forgetting x can only hide a cycle, never invent one).
  void moveOut(State &S, const CallExpr *Call) {
    const Expr *Arg = Call->getArg(0);
    if (!Types.strong(Arg->getType())) return;
    if (const VarDecl *V = localVar(Arg)) {
      V = alias(V);
      auto It = S.Vars.find(V);
      if (It != S.Vars.end()) S.Values[Call] = It->second;
      S.Vars[V] = ObjSet();
      return;
    }
    Value Val = handle(S, Arg);
    if (!Val.Unknown) S.Values[Call] = Val.Objs;
    if (std::optional<Place> P = place(S, Arg); P && P->Whole) H.clear(S, P->Objs, P->Field);  // std::move(a->next)
  }

  void swapLocals(State &S, const Expr *A, const Expr *B) {
    const VarDecl *VA = localVar(A), *VB = localVar(B);
    if (!VA || !VB || !Types.strong(VA->getType()) || !Types.strong(VB->getType())) return;
    VA = alias(VA);
    VB = alias(VB);
    ObjSet OA = S.Vars[VA], OB = S.Vars[VB];
    S.Vars[VA] = OB;
    S.Vars[VB] = OA;
  }

  void newObject(State &S, const CXXNewExpr *New) {
    QualType T = New->getAllocatedType();
    if (New->isArray() || !T->getAsCXXRecordDecl()) return;
    const Expr *Init = New->getInitializer();
    std::vector<const Expr *> Args;
    const CXXConstructorDecl *Ctor = nullptr;
    if (const auto *K = dyn_cast_or_null<CXXConstructExpr>(Init)) {
      Ctor = K->getConstructor();
      Args.assign(K->arg_begin(), K->arg_end());
    } else if (const auto *L = dyn_cast_or_null<InitListExpr>(Init)) {
      for (const Expr *I : L->inits()) Args.push_back(I);
    } else if (const auto *P = dyn_cast_or_null<CXXParenListInitExpr>(Init)) {
      Args.assign(P->getInitExprs().begin(), P->getInitExprs().end());
    }
    allocate(S, New, T, Ctor, Args);
  }

  // A new object of type T made at Site, initialised by Ctor (or, for an aggregate, from
  // the arguments in field order).
  void allocate(State &S, const Expr *Site, QualType T, const CXXConstructorDecl *Ctor,
                const std::vector<const Expr *> &Args) {
    Object P;
    P.Type = typeName(T);
    P.Label = shortText(Site);
    P.KnownFields = P.NeverNull = true;
    int O = H.allocate(S, ObjKey{ObjKind::Alloc, Site, 0, 0, false}, P);
    S.Values[Site] = ObjSet::of(O);  // before the constructor runs: its cases copy the state
    const CXXRecordDecl *RD = T.isNull() ? nullptr : T->getAsCXXRecordDecl();
    if (RD) RD = RD->getDefinition();
    if (RD && !Types.isLibrary(RD)) {
      const FunctionDecl *Def = Ctor ? definitionOf(Ctor) : nullptr;
      if (Def && !Types.isLibrary(Def) && applyCallee(S, Site, Def, ObjSet::of(O), Args, /*Constructs=*/true)) {
        // the constructor's summary has run on the new object
      } else if (!Ctor && RD->isAggregate() && RD->getNumBases() == 0) {
        size_t I = 0;
        for (const FieldDecl *F : RD->fields()) {
          if (I >= Args.size()) break;
          const Expr *A = Args[I++];
          if (!Types.holdsStrong(F->getType())) continue;
          const HandleFamily *Family = nullptr;
          ObjSet Values = valuesIn(S, A, Family);
          if (!Values.empty())
            storeInto(S, Place{ObjSet::of(O), C.Fields.intern(F->getName().str()), true}, Values, Site,
                      Site->getSourceRange(), Family, true);
        }
      } else {
        for (const Expr *A : Args)
          if (Types.holdsStrong(A->getType()) || Types.designatesHolder(A->getType())) H.at(O).KnownFields = false;
      }
    }
  }

  // A member initializer of a constructor: `Child(Handle<Parent> p) : parent(std::move(p)) {}`.
  void initializer(State &S, const CXXCtorInitializer *Init) {
    const FieldDecl *FD = Init->getMember();
    if (!FD || ThisObj < 0 || !Init->getInit() || !Types.holdsStrong(FD->getType())) return;
    const HandleFamily *Family = Types.strong(FD->getType());
    ObjSet Values = Family ? handle(S, Init->getInit()).Objs : valuesIn(S, Init->getInit(), Family);
    if (Values.empty()) return;
    storeInto(S, Place{ObjSet::of(ThisObj), C.Fields.intern(FD->getName().str()), true}, Values, Init->getInit(),
              SourceRange(Init->getSourceLocation(), Init->getRParenLoc()), Family, true);
  }

  void returned(State &S, const ReturnStmt *R) {
    if (!R->getRetValue() || !Types.strong(Fn->getReturnType())) return;
    S.Returned.merge(known(S, R->getRetValue(), nullptr));
  }

  // A call we do not see into. It adds no edge; what it could change is forgotten.
  void unknownCall(State &S, const Expr *Call, const FunctionDecl *Callee, const std::vector<const Expr *> &Args,
                   const ObjSet *Receiver, bool ConstMethod) {
    bool Library = !Callee || Types.isLibrary(Callee);
    for (size_t I = 0; I < Args.size(); ++I) {
      if (!Callee || I >= Callee->getNumParams()) break;  // variadic: by value
      QualType T = Callee->getParamDecl(I)->getType();
      bool NonConstRef = T->isLValueReferenceType() && !T.getNonReferenceType().isConstQualified();
      if (NonConstRef && Types.strong(T)) {
        // It may point the handle elsewhere.
        if (const VarDecl *V = localVar(Args[I])) S.Vars[alias(V)] = ObjSet::of(fresh(S, Args[I], alias(V)));
        else if (std::optional<Place> P = place(S, Args[I]); P && P->Whole) H.clear(S, P->Objs, P->Field);
        continue;
      }
      if (Library) continue;  // library functions do not unlink user objects
      bool NonConstPtr = T->isPointerType() && !T->getPointeeType().isConstQualified();
      if ((NonConstRef || NonConstPtr) && Types.designatesHolder(T))
        if (std::optional<ObjSet> Objs = NonConstPtr ? pointer(S, Args[I]) : object(S, Args[I])) H.havoc(S, *Objs);
    }
    if (Receiver && !Library && !ConstMethod) H.havoc(S, *Receiver);
    if (Types.strong(Call->getType())) S.Values[Call] = ObjSet::of(fresh(S, Call, nullptr));
  }

  // A call to a function of this translation unit: its summary, with the caller's objects
  // for the callee's roles. False when the callee counts as unknown.
  // A constructor run by make<T>() or new T leaves the call's value alone (Constructs).
  bool applyCallee(State &S, const Expr *Call, const FunctionDecl *Callee, std::optional<ObjSet> This,
                   const std::vector<const Expr *> &Args, bool Constructs = false) {
    const Summary *Sum = Src.summaryOf(Callee);
    if (!Sum) return false;
    bool ReturnsHandle = !Constructs && Types.strong(Call->getType()) != nullptr;
    if (Sum->trivial()) {
      if (ReturnsHandle) S.Values[Call] = ObjSet::of(fresh(S, Call, nullptr));
      return true;
    }
    std::vector<ObjSet> Roles(Sum->Roles.size());
    for (size_t K = 0; K < Sum->Roles.size(); ++K) {
      const Role &R = Sum->Roles[K];
      switch (R.K) {
        case Role::Param:
          if (static_cast<size_t>(R.Index) < Args.size() && static_cast<unsigned>(R.Index) < Callee->getNumParams())
            Roles[K] = argument(S, Callee->getParamDecl(R.Index)->getType(), Args[R.Index]);
          break;
        case Role::This:
          if (This) Roles[K] = *This;
          break;
        case Role::Load:
          Roles[K] = load(S, Roles[R.Index], R.Field, Call, &R.Proto).Objs;
          break;
        case Role::Local: {
          Object P = R.Proto;
          P.Label = shortText(Call);
          P.Named = P.Stable = false;
          P.Base = P.Field = -1;
          P.Depth = 0;
          ObjKey Key{ObjKind::Callee, Call, static_cast<int>(K), 0, false};
          if (R.Proto.Key.Many) {
            // Every earlier object of a callee's loop stays "many" here: its list edges
            // join different objects.
            Key.Many = true;
            Roles[K] = ObjSet::of(H.object(Key, P));
          } else {
            Roles[K] = ObjSet::of(H.allocate(S, Key, P));
          }
          break;
        }
      }
    }
    if (Sum->Cases.empty()) {
      S = State();  // the callee never returns: neither does this path
      return true;
    }
    auto CallTrace = [&](int Inner) {
      return C.Traces.intern(TraceKind::Call, Call, Inner, -1, [&](Trace &T) {
        T.In = Fn;
        T.Text = text(Call->getSourceRange());
        T.Pos = X.pos(Call->getBeginLoc());
      });
    };
    std::vector<const SummaryCase *> Cases;
    for (const SummaryCase &Case : Sum->Cases)
      if (caseApplies(H, Case, Roles)) Cases.push_back(&Case);
    if (Cases.empty())  // a contradiction of our own making: assume any case
      for (const SummaryCase &Case : Sum->Cases) Cases.push_back(&Case);
    // The first case continues this state; each other case, a copy of it.
    State Before = Cases.size() > 1 ? S : State();
    for (size_t I = 0; I < Cases.size(); ++I) {
      State *Target = &S;
      if (I > 0) {
        if (!Forks) break;
        Forks->push_back(Before);
        Target = &Forks->back();
      }
      Applied A = applySummary(H, *Target, *Cases[I], Roles, C.Traces, Call, CallTrace);
      for (const auto &[Index, Objs] : A.Rebinds)
        if (Index < Args.size())
          if (const VarDecl *V = localVar(Args[Index])) Target->Vars[alias(V)] = Objs;
      if (ReturnsHandle) Target->Values[Call] = A.Result;
    }
    return true;
  }

  ObjSet argument(State &S, QualType ParamType, const Expr *Arg) {
    if (Types.strong(ParamType)) return handle(S, Arg).Objs;
    if (Types.designatesHolder(ParamType))
      return (ParamType->isPointerType() ? pointer(S, Arg) : object(S, Arg)).value_or(ObjSet());
    return ObjSet();
  }

  void storeInto(State &S, const Place &P, const ObjSet &Values, const Stmt *At, SourceRange Range,
                 const HandleFamily *Family, bool Replace) {
    int T = C.Traces.intern(TraceKind::Store, At, -1, P.Field, [&](Trace &Tr) {
      Tr.In = Fn;
      Tr.Text = text(Range);
      Tr.Pos = X.pos(Range.getBegin());
      Tr.Family = Family;
      Tr.Note = "stores a strong reference to " + describe(Values.front()) + " in " + into(P.Field, P.Objs.front());
    });
    std::vector<Edge> New = H.store(S, P.Objs, P.Field, Replace, Values, T);
    H.closeCycles(S, New, [](const std::vector<Edge> &) { return false; });
  }

  // ---- evaluation -------------------------------------------------------------------------

  Value handle(State &S, const Expr *E) {
    Value V;
    E = strip(E);
    if (!E || isNullValue(E)) return V;
    if (const VarDecl *Var = localVar(E)) {
      Var = alias(Var);
      auto It = S.Vars.find(Var);
      if (It != S.Vars.end() && Types.strong(Var->getType())) V.Objs = It->second;
      else V.Unknown = true;
      return V;
    }
    if (isa<CallExpr>(E) || isa<CXXNewExpr>(E)) {
      auto It = S.Values.find(E);
      if (It != S.Values.end()) V.Objs = It->second;
      else V.Unknown = true;
      return V;
    }
    if (const auto *Cond = dyn_cast<AbstractConditionalOperator>(E)) {
      Value T = handle(S, Cond->getTrueExpr()), F = handle(S, Cond->getFalseExpr());
      V.Objs = T.Objs;
      V.Objs.merge(F.Objs);
      V.Unknown = T.Unknown || F.Unknown;
      return V;
    }
    if (const auto *M = dyn_cast<MemberExpr>(E); M && Types.strong(M->getType()))
      if (std::optional<Place> Ref = fieldOf(S, M)) return load(S, Ref->Objs, Ref->Field, M);
    V.Unknown = true;
    return V;
  }

  // A read of Field from Bases: what was stored there, and what it held on entry. The entry
  // value of a parameter's (or *this's) field is one object for the whole call, with an edge
  // to it: `this->child->parent = shared_from_this()` closes child -> this -> child.
  Value load(State &S, const ObjSet &Bases, int Field, const Expr *Site, const Object *Proto = nullptr) {
    Value V;
    for (int B : Bases) {
      V.Objs.merge(H.targets(S, B, Field));
      const Object &Ob = H[B];
      if (H.written(S, B, Field) || (Ob.KnownFields && !S.Havocked.count(B))) continue;
      if (!Ob.Stable || Ob.Key.Many || Ob.Depth >= MaxLoadDepth || S.Havocked.count(B)) {
        V.Unknown = true;
        continue;
      }
      Object P;
      P.Type = Proto ? Proto->Type : typeName(Types.pointee(Site->getType()));
      P.Family = Proto ? Proto->Family : Types.strong(Site->getType());
      P.Label = (Ob.Key.Kind == ObjKind::This ? "this" : Ob.Label) + "->" + C.Fields.name(Field);
      P.Stable = true;
      P.Base = B;
      P.Field = Field;
      P.Depth = Ob.Depth + 1;
      int Init = H.object(ObjKey{ObjKind::Load, nullptr, B, Field, false}, P);
      int T = C.Traces.intern(TraceKind::Entry, Site, -1, Field, [&](Trace &Tr) {
        Tr.In = Fn;
        Tr.Text = text(Site->getSourceRange());
        Tr.Pos = X.pos(Site->getBeginLoc());
        Tr.Family = P.Family;
        Tr.Note = "reads " + into(Field, B) + ", which holds a strong reference from before the call";
      });
      S.Edges.insert(Edge{B, Field, Init, T});
      V.Objs.insert(Init);
    }
    return V;
  }

  // The objects a pointer expression points at: `this`, `h.operator->()`, `h.get()`, a local
  // pointer, `&obj`. nullopt: not something we follow.
  std::optional<ObjSet> pointer(State &S, const Expr *E) {
    E = E->IgnoreParenImpCasts();
    if (isa<CXXThisExpr>(E)) return ThisObj >= 0 ? std::optional(ObjSet::of(ThisObj)) : std::nullopt;
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E); Op && Op->getOperator() == OO_Arrow && Op->getNumArgs() >= 1)
      return designee(S, Op->getArg(0));
    if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E); Call && isMethod(Call, "get") && Call->getImplicitObjectArgument())
      return designee(S, Call->getImplicitObjectArgument());
    if (const VarDecl *V = localVar(E); V && V->getType()->isPointerType()) return lookup(S, V);
    if (const auto *U = dyn_cast<UnaryOperator>(E); U && U->getOpcode() == UO_AddrOf) return object(S, U->getSubExpr());
    return std::nullopt;
  }

  // The objects an object expression designates: `*h`, `*p`, a local reference.
  std::optional<ObjSet> object(State &S, const Expr *E) {
    E = E->IgnoreParenImpCasts();
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E); Op && Op->getOperator() == OO_Star && Op->getNumArgs() == 1)
      return designee(S, Op->getArg(0));
    if (const auto *U = dyn_cast<UnaryOperator>(E); U && U->getOpcode() == UO_Deref) return pointer(S, U->getSubExpr());
    if (const VarDecl *V = localVar(E); V && V->getType()->isReferenceType() && !Types.strong(V->getType()))
      return lookup(S, V);
    return std::nullopt;
  }

  std::optional<ObjSet> designee(State &S, const Expr *HandleExpr) {
    HandleExpr = HandleExpr->IgnoreParenImpCasts();  // shared_ptr's operators take a base class
    if (!Types.strong(HandleExpr->getType())) return std::nullopt;
    Value V = handle(S, HandleExpr);
    if (V.Objs.empty() && V.Unknown) return std::nullopt;
    return V.Objs;
  }

  std::optional<ObjSet> lookup(const State &S, const VarDecl *V) {
    auto It = S.Vars.find(V);
    if (It == S.Vars.end()) return std::nullopt;
    return It->second;
  }

  // `a->next`, `this->kids`, `kids`, `(*a).next`, `a->data.next`: the objects and the field.
  std::optional<Place> fieldOf(State &S, const MemberExpr *M) {
    const auto *FD = dyn_cast<FieldDecl>(M->getMemberDecl());
    if (!FD) return std::nullopt;
    std::optional<ObjSet> Objs = M->isArrow() ? pointer(S, M->getBase()) : object(S, M->getBase());
    if (Objs) return Place{*Objs, C.Fields.intern(FD->getName().str()), true};
    // A field of a struct held by value in the object (`a->data.next`), or owned by it
    // through a non-handle owner such as unique_ptr or optional (`a->impl->next`): the
    // object owns that struct, so the store lands in the object, at the field's path.
    const Expr *Base = M->getBase()->IgnoreParenImpCasts();
    if (M->isArrow())
      if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Base); Op && Op->getOperator() == OO_Arrow)
        Base = Op->getArg(0)->IgnoreParenImpCasts();
    if (Base != M->getBase()->IgnoreParenImpCasts() || !M->isArrow())
      if (const auto *Inner = dyn_cast<MemberExpr>(Base); Inner && !Types.strong(Inner->getType()))
        if (std::optional<Place> Outer = fieldOf(S, Inner))
          return Place{Outer->Objs, C.Fields.intern(C.Fields.name(Outer->Field) + "." + FD->getName().str()), true};
    return std::nullopt;
  }

  // Where a store into the glvalue E goes.
  std::optional<Place> place(State &S, const Expr *E) {
    E = E->IgnoreParenImpCasts();
    if (const auto *M = dyn_cast<MemberExpr>(E)) {
      const auto *FD = dyn_cast<FieldDecl>(M->getMemberDecl());
      if (!FD || !Types.holdsStrong(FD->getType())) return std::nullopt;
      return fieldOf(S, M);
    }
    return element(S, E);
  }

  // `c[k]`, `c.at(k)`, `c.front()`: an element of the container c.
  std::optional<Place> element(State &S, const Expr *E) {
    std::optional<Place> P;
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E); Op && Op->getOperator() == OO_Subscript && Op->getNumArgs() == 2)
      P = container(S, Op->getArg(0));
    else if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E); Call && isElementAccess(Call))
      P = containerOfCall(S, Call);
    if (P) P->Whole = false;
    return P;
  }

  // The container E is: a field that holds handles, an element of one, or an object that
  // is itself a container (`*li`).
  std::optional<Place> container(State &S, const Expr *E) {
    E = E->IgnoreParenImpCasts();
    if (const auto *M = dyn_cast<MemberExpr>(E)) {
      const auto *FD = dyn_cast<FieldDecl>(M->getMemberDecl());
      if (!FD || !Types.holdsStrong(FD->getType()) || Types.strong(FD->getType())) return std::nullopt;
      std::optional<Place> P = fieldOf(S, M);
      if (P) P->Whole = false;
      return P;
    }
    if (std::optional<Place> P = element(S, E)) return P;
    if (!Types.holdsStrong(E->getType()) || Types.strong(E->getType())) return std::nullopt;
    if (std::optional<ObjSet> Objs = object(S, E)) return Place{*Objs, C.Fields.intern(""), false};
    return std::nullopt;
  }

  std::optional<Place> containerOfCall(State &S, const CXXMemberCallExpr *Call) {
    const auto *ME = dyn_cast<MemberExpr>(Call->getCallee()->IgnoreParens());
    if (!ME) return std::nullopt;
    if (!ME->isArrow()) return container(S, ME->getBase());
    // li->push_back(x): the object of li is the container.
    QualType Pointee = ME->getBase()->getType()->getPointeeType();
    if (Pointee.isNull() || !Types.holdsStrong(Pointee)) return std::nullopt;
    if (std::optional<ObjSet> Objs = pointer(S, ME->getBase())) return Place{*Objs, C.Fields.intern(""), false};
    return std::nullopt;
  }

  // The handles an inserted value carries: a handle, or the handles inside a pair, a tuple,
  // an initializer list, an aggregate made in place.
  ObjSet valuesIn(State &S, const Expr *E, const HandleFamily *&Family) {
    E = strip(E);
    ObjSet Out;
    if (!E) return Out;
    if (const HandleFamily *F = Types.strong(E->getType())) {
      if (!Family) Family = F;
      return handle(S, E).Objs;
    }
    auto All = [&](auto Range) {
      for (const Expr *Sub : Range) Out.merge(valuesIn(S, Sub, Family));
    };
    if (const auto *L = dyn_cast<InitListExpr>(E)) All(L->inits());
    else if (const auto *K = dyn_cast<CXXConstructExpr>(E)) All(K->arguments());
    else if (const auto *P = dyn_cast<CXXParenListInitExpr>(E)) All(P->getInitExprs());
    else if (const auto *Call = dyn_cast<CallExpr>(E); Call && libraryCall(Types, Call) == LibraryCall::Aggregate)
      All(Call->arguments());
    return Out;
  }

  // ---- objects and words ---------------------------------------------------------------

  // A new object for an unknown value first seen at Site.
  int fresh(State &S, const Expr *Site, const VarDecl *Named) {
    Object P;
    QualType T = Types.pointee(Site->getType());
    if (T.isNull() && Named) T = Types.pointee(Named->getType());
    P.Type = typeName(T);
    P.Label = Named ? Named->getName().str() : shortText(Site);
    P.Named = Named != nullptr;
    return H.allocate(S, ObjKey{ObjKind::Fresh, Site, 0, 0, false}, P);
  }

  // Objects are called after the first local that holds them.
  void name(const ObjSet &Objs, const VarDecl *V) {
    for (int O : Objs) {
      Object &Ob = H.at(O);
      if (!Ob.Named && (Ob.Key.Kind == ObjKind::Alloc || Ob.Key.Kind == ObjKind::Fresh || Ob.Key.Kind == ObjKind::Callee)) {
        Ob.Label = V->getName().str();
        Ob.Named = true;
      }
    }
  }

  const VarDecl *alias(const VarDecl *V) const {
    auto It = Aliases.find(V);
    return It == Aliases.end() ? V : It->second;
  }

  std::string describe(int O) const {
    const Object &Ob = H[O];
    if (Ob.Key.Kind == ObjKind::This) return "'*this'";
    std::string L = "'" + Ob.Label + "'";
    if (Ob.Key.Kind == ObjKind::Load) return "the object in " + L;
    if (Ob.Named) return (Ob.Key.Many ? "an earlier object of " : "the object of ") + L;
    return (Ob.Key.Many ? "an earlier object made by " : "the object made by ") + L;
  }

  std::string into(int Field, int O) const {
    const std::string &F = C.Fields.name(Field);
    return (F.empty() ? "the elements of " : "'" + F + "' of ") + describe(O);
  }

  std::string typeName(QualType T) {
    if (T.isNull()) return "?";
    if (const CXXRecordDecl *RD = T->getAsCXXRecordDecl()) return X.nameOf(RD);
    return X.nameOf(T);
  }

  static QualType pointeeOrSelf(QualType T) {
    T = T.getNonReferenceType();
    return T->isPointerType() ? T->getPointeeType() : T;
  }

  std::string text(SourceRange R) {
    SourceManager &SM = X.sources();
    CharSourceRange Range = SM.getExpansionRange(R);
    return Lexer::getSourceText(Range, SM, X.ast().getLangOpts()).str();
  }

  std::string shortText(const Expr *E) {
    std::string T = text(E->getSourceRange());
    std::replace(T.begin(), T.end(), '\n', ' ');
    return T.size() > 48 ? T.substr(0, 45) + "..." : T;
  }

  // ---- results ----------------------------------------------------------------------------

  void report(const State &Exit, std::vector<FoundCycle> &Out) {
    std::set<std::vector<int>> Seen;  // a cycle found from two of its stores is one cycle
    std::set<const Stmt *> Closers;   // one finding per closing statement
    for (int Id : Exit.Live) {
      const Candidate &Cand = H.candidate(Id);
      if (Cand.Inherited) continue;
      std::vector<int> Traces;
      for (const Edge &E : Cand.Edges) Traces.push_back(E.Trace);
      std::sort(Traces.begin(), Traces.end());
      if (!Seen.insert(Traces).second || !Closers.insert(C.Traces[Cand.Edges.back().Trace].At).second) continue;
      FoundCycle F;
      for (const Edge &E : Cand.Edges) {
        const Trace &T = C.Traces[E.Trace];
        CycleStep Step;
        Step.Type = H[E.From].Type;
        Step.Field = E.Field;
        Step.Trace = E.Trace;
        if (T.Kind == TraceKind::Entry)
          Step.Note = "'" + T.Text + "' reads " + into(E.Field, E.From) + ", which holds a strong reference to " +
                      describe(E.To) + " from before the call";
        else
          Step.Note = "'" + T.Text + "' stores a strong reference to " + describe(E.To) + " in " + into(E.Field, E.From);
        F.Steps.push_back(std::move(Step));
      }
      Out.push_back(std::move(F));
    }
  }

  TUContext &C;
  ExtractContext &X;
  SummarySource &Src;
  HandleTypes &Types;
  const FunctionDecl *Fn;
  Heap H;
  int ThisObj = -1;
  std::vector<SummaryParam> Params;
  std::map<const VarDecl *, const VarDecl *> Aliases;  // `Handle<T> &r = a`: r is a
  std::vector<State> *Forks = nullptr;  // where a call puts the states of its callee's other cases
};

}  // namespace

FunctionResult analyzeFunction(TUContext &C, SummarySource &Summaries, const FunctionDecl *FD) {
  return Flow(C, Summaries, FD).run();
}

}  // namespace cyclops::instance
