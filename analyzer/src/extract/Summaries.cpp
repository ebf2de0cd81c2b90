// Summaries.cpp - one summary per function body, read with HandleValues.
#include "extract/Summaries.h"

#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"

#include "extract/ExtractContext.h"
#include "extract/HandleValues.h"
#include "utils/HandleExprs.h"

namespace cyclops {

using namespace clang;

namespace {

bool wrapsRequirement(llvm::StringRef R, WrapForwardFact &Out) {
  if (!R.consume_front("wraps:")) return false;
  auto [Id, Arg] = R.rsplit(':');
  unsigned N = 0;
  if (Arg.getAsInteger(10, N)) return false;
  Out.Callee = Id.str();
  Out.Arg = N;
  return true;
}

class SummaryBuilder {
 public:
  SummaryBuilder(ExtractContext &Context, const FunctionDecl *FD) : X(Context), Fn(FD), V(Context, FD) {
    S.Id = V.functionId(FD);
    S.Name = FD->getQualifiedNameAsString();
    if (const auto *M = dyn_cast<CXXMethodDecl>(FD)) {
      S.Class = X.nameOf(M->getParent());
      for (const CXXMethodDecl *O : M->overridden_methods()) S.Overrides.push_back(V.functionId(O));
    }
  }

  FunctionSummary build() {
    if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(Fn)) initializers(Ctor);
    walk(Fn->getBody(), /*InLambda=*/false);
    return std::move(S);
  }

 private:
  void walk(const Stmt *St, bool InLambda) {
    if (!St) return;
    if (const auto *L = dyn_cast<LambdaExpr>(St)) {
      for (const Expr *Init : L->capture_inits()) walk(Init, InLambda);
      if (!L->isGenericLambda()) walk(L->getBody(), true);
      return;
    }
    if (const auto *R = dyn_cast<ReturnStmt>(St); R && !InLambda && R->getRetValue()) returned(R->getRetValue());
    if (const auto *D = dyn_cast<CXXDeleteExpr>(St)) deleted(D);
    if (const auto *E = dyn_cast<Expr>(St); E && !E->isInstantiationDependent()) visit(E);
    for (const Stmt *Child : St->children()) walk(Child, InLambda);
  }

  void visit(const Expr *E) {
    if (reset(E) || called(E)) return;
    for (const StoreSite &St : V.storesOf(E)) {
      // Only what goes into *this is the function's to say; `get_shared()->f` is not.
      if (!St.Where.Root.This || !St.Where.Root.Requires.empty()) continue;
      if (!St.Setter) {
        stored(St.Where.Steps, St.Value, St.At);
        continue;
      }
      for (const HeldParam &P : heldParams(St.Value))
        if (P.Requires.empty())
          S.Forwards.push_back(ParamForwardFact{P.Index, St.Where.Steps, V.functionId(St.Setter->getMethodDecl()),
                                                HandleValues::virtualCall(St.Setter), St.Arg, posOf(St.At)});
    }
  }

  SourcePos posOf(const Expr *E) { return X.pos(E->getBeginLoc()); }

  // `Conn(Callback cb) : cb_(std::move(cb)) {}`: a constructor stores its parameter.
  void initializers(const CXXConstructorDecl *Ctor) {
    for (const CXXCtorInitializer *Init : Ctor->inits()) {
      const FieldDecl *F = Init->getMember();
      if (!Init->isWritten() || !F || !Init->getInit() || Init->getInit()->isInstantiationDependent()) continue;
      ObjectStep Step;
      Step.Field = V.fieldRef(Ctor->getParent(), F);
      stored({Step}, Init->getInit(), Init->getInit());
    }
  }

  // `cb_ = nullptr`, `channel_.reset()`, `state_->cbs.clear()`: a field of *this let go.
  bool reset(const Expr *E) {
    std::optional<Target> T;
    if (auto [L, R] = assignmentParts(E); L && isNullValue(R)) {
      T = V.fieldTarget(L);
    } else if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E)) {
      const CXXMethodDecl *M = Call->getMethodDecl();
      const Expr *Object = Call->getImplicitObjectArgument();
      bool Clears = M && M->getIdentifier() &&
                    ((M->getName() == "reset" && (Call->getNumArgs() == 0 || isNullValue(Call->getArg(0)))) ||
                     containerOp(M->getName()) == ContainerOp::Remove);
      if (Clears && Object)
        if (const auto *ME = dyn_cast<MemberExpr>(Object->IgnoreParenImpCasts())) T = V.memberTarget(ME);
    } else {
      return false;
    }
    if (T && T->Root.known() && !T->Steps.empty() && T->Steps.back().K == ObjectStep::Member)
      S.Resets.push_back(FieldResetFact{T->Steps, posOf(E)});
    return T.has_value();
  }

  // `stop()`, `impl_->close()`: what the callee resets on that object, this function resets.
  // Calls with arguments may also store them (storesOf): those go on to visit's loop.
  bool called(const Expr *E) {
    const auto *Call = dyn_cast<CXXMemberCallExpr>(E);
    const CXXMethodDecl *M = Call ? Call->getMethodDecl() : nullptr;
    const Expr *Object = Call ? Call->getImplicitObjectArgument() : nullptr;
    if (!M || !M->getIdentifier() || M->isStatic() || !Object || containerOp(M->getName()) != ContainerOp::None)
      return false;
    std::optional<Target> T = V.objectOf(Object);
    if (!T) return Call->getNumArgs() == 0;
    MemberCallFact C;
    C.Receiver = T->Steps;
    C.Callee = V.functionId(M);
    C.Virtual = HandleValues::virtualCall(Call);
    C.At = posOf(E);
    C.OfThis = T->Root.This && T->Root.Requires.empty();
    for (unsigned I = 0; I < Call->getNumArgs(); ++I)
      if (!isa<CXXDefaultArgExpr>(Call->getArg(I)) && isNullValue(Call->getArg(I))) C.NullArgs.push_back(I);
    S.Calls.push_back(std::move(C));
    return Call->getNumArgs() == 0;
  }

  // The parameters a value holds: the parameter itself, or a closure holding it.
  std::vector<HeldParam> heldParams(const Expr *Value) {
    if (std::optional<ClosureValue> C = V.closureOf(Value)) return C->Params;
    return {};
  }

  void stored(const std::vector<ObjectStep> &Path, const Expr *Value, const Expr *At) {
    if (Path.empty() || Path.back().K != ObjectStep::Member) return;
    for (const HeldParam &P : heldParams(Value))
      if (P.Requires.empty()) S.Stores.push_back(ParamStoreFact{P.Index, Path, posOf(At)});
  }

  void returned(const Expr *R) {
    QualType T = Fn->getReturnType();
    if (ObjectId Id = V.resolve(R); Id.This) {
      if (Id.Requires.empty()) S.ReturnsSelf = true;
      for (const std::string &Req : Id.Requires)
        if (llvm::StringRef(Req).starts_with("self:")) S.ReturnsSelfOf.push_back(Req.substr(5));
    }
    if (T->isReferenceType() || T->isPointerType())
      if (std::optional<Target> P = V.objectOf(R); P && P->Root.This && P->Root.Requires.empty() && !P->Steps.empty())
        S.ReturnsPart.push_back(P->Steps);
    for (const HeldParam &P : heldParams(R)) {
      if (P.Requires.empty()) {
        S.Wraps.push_back(P.Index);
        continue;
      }
      WrapForwardFact W;
      W.Param = P.Index;
      if (P.Requires.size() == 1 && wrapsRequirement(P.Requires.front(), W)) S.WrapsOf.push_back(W);
    }
  }

  void deleted(const CXXDeleteExpr *D) {
    if (!isa<CXXDestructorDecl>(Fn)) return;
    const auto *M = dyn_cast<MemberExpr>(ignoreWrappers(D->getArgument()));
    if (!M || !isa<CXXThisExpr>(M->getBase()->IgnoreParenImpCasts())) return;
    if (const auto *F = dyn_cast<FieldDecl>(M->getMemberDecl())) S.Deletes.push_back(F->getName().str());
  }

  ExtractContext &X;
  const FunctionDecl *Fn;
  HandleValues V;
  FunctionSummary S;
};

}  // namespace

void extractSummaries(ExtractContext &X) {
  forEachUserFunction(X, [&](const FunctionDecl *FD) {
    FunctionSummary S = SummaryBuilder(X, FD).build();
    if (S.Id.empty()) return;
    bool Empty = S.Stores.empty() && S.Forwards.empty() && !S.ReturnsSelf && S.ReturnsSelfOf.empty() &&
                 S.ReturnsPart.empty() && S.Wraps.empty() && S.WrapsOf.empty() && S.Deletes.empty() &&
                 S.Overrides.empty() && S.Resets.empty() && S.Calls.empty();
    if (!Empty) X.out().Summaries.push_back(std::move(S));
  });
}

}  // namespace cyclops
