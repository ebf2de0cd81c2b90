// StoreFacts.cpp - closures and handles handed to stores, as facts for the merged program.
#include "extract/StoreFacts.h"

#include <set>

#include "clang/AST/ExprCXX.h"
#include "llvm/Support/Path.h"

#include "extract/ExtractContext.h"
#include "extract/HandleValues.h"
#include "utils/HandleExprs.h"

namespace cyclops {

using namespace clang;

namespace {

class StoreWalker {
 public:
  StoreWalker(ExtractContext &Context, const FunctionDecl *FD, std::set<std::string> &Seen)
      : X(Context), Fn(FD), V(Context, FD), Emitted(Seen) {}

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
    for (const StoreSite &S : V.storesOf(E)) valueStored(S);
  }

  // A closure or a handle handed to a store: a fact per handle whose object is known.
  void valueStored(const StoreSite &S) {
    const Expr *Value = S.Value;
    if (!S.Where.Root.known()) return;
    if (!S.Setter && (S.Where.Steps.empty() || S.Where.Steps.back().K != ObjectStep::Member)) return;
    if (const HandleFamily *Fam = strongHandleFamily(X.rules(), Value->getType())) {
      handleStored(S, Value, Fam);
      return;
    }
    std::optional<ClosureValue> C = V.closureOf(Value);
    if (!C) return;
    for (const HeldHandle &H : C->Handles)
      if (H.Object.known()) emit(S, *C, H);
  }

  // `a->set_next(b)`, `a->next = b`: the handle itself is stored.
  void handleStored(const StoreSite &S, const Expr *Value, const HandleFamily *Fam) {
    HeldHandle H;
    H.Object = V.resolve(Value);
    if (!H.Object.known()) return;
    H.Name = V.text(Value->getSourceRange());
    H.Loc = Value->getBeginLoc();
    H.Family = Fam;
    H.Type = Value->getType().getNonReferenceType();
    ClosureValue None;
    None.Kind = "";
    emit(S, None, H);
  }

  void emit(const StoreSite &S, const ClosureValue &C, const HeldHandle &H) {
    CaptureFact F;
    F.At = X.pos(S.At->getBeginLoc());
    F.Function = functionName();
    F.Closure = C.Kind;
    F.Text = V.text(S.At->getSourceRange());
    F.Root = V.localId(S.Where.Root);
    F.RootType = rootType(S);
    F.Path = S.Where.Steps;
    if (S.Setter) {
      const CXXMethodDecl *M = S.Setter->getMethodDecl();
      F.Setter = V.functionId(M);
      F.SetterName = M->getNameAsString();
      F.SetterVirtual = HandleValues::virtualCall(S.Setter);
      F.Arg = S.Arg;
      const FunctionDecl *Def = nullptr;
      F.Local = M->hasBody(Def) && !F.SetterVirtual;
    }
    F.Held = H.Name;
    F.HeldPos = X.pos(H.Loc);
    F.HeldRoot = V.localId(H.Object);
    F.Handle = specializedTemplateName(H.Type);
    F.Family = H.Family->Name;
    F.WeakHandle = V.weakSpelling(H);
    F.Traced = H.Traced;
    F.Implicit = H.Implicit;
    F.Wrapped = H.Wrapped;
    F.Via = H.Via;
    F.Requires = S.Where.Root.Requires;
    for (const std::vector<std::string> *Rs : {&H.Object.Requires, &C.Requires})
      for (const std::string &R : *Rs)
        if (std::find(F.Requires.begin(), F.Requires.end(), R) == F.Requires.end()) F.Requires.push_back(R);
    // Instantiations of one template repeat the same store.
    std::string Key = F.At.File + ":" + std::to_string(F.At.Line) + ":" + std::to_string(F.At.Column) + "|" +
                      F.HeldPos.File + ":" + std::to_string(F.HeldPos.Line) + ":" +
                      std::to_string(F.HeldPos.Column) + "|" + F.Setter + "|" + std::to_string(F.Arg);
    if (Emitted.insert(Key).second) X.out().Captures.push_back(std::move(F));
  }

  std::string rootType(const StoreSite &S) {
    if (S.Where.RootType) return X.nameOf(S.Where.RootType);
    if (!S.Where.Steps.empty() && S.Where.Steps.front().K != ObjectStep::Accessor)
      return S.Where.Steps.front().Field.Holder;
    if (S.Setter)
      if (const CXXRecordDecl *RD = S.Setter->getRecordDecl()) return X.nameOf(RD);
    return "";
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
  const FunctionDecl *Fn;
  HandleValues V;
  std::set<std::string> &Emitted;
};

}  // namespace

void extractStoreFacts(ExtractContext &X) {
  std::set<std::string> Emitted;
  forEachUserFunction(X, [&](const FunctionDecl *FD) { StoreWalker(X, FD, Emitted).run(); });
}

}  // namespace cyclops
