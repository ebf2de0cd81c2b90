// InstanceModel.cpp - the AST patterns of handle code that cycle-instance understands.
#include "rules/cycle-instance/InstanceModel.h"

#include <set>

#include "clang/AST/DeclTemplate.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"

#include "utils/HandleExprs.h"

namespace cyclops::instance {

using namespace clang;

HandleTypes::HandleTypes(const RuleSet &R) : Rules(R) {
  // "cyc::Handle" -> "cyc": code of the handle libraries themselves is modeled, not read.
  for (const HandleFamily &F : Rules.Families)
    for (const std::string &Name : F.Strong)
      if (size_t At = Name.find("::"); At != std::string::npos) LibraryNamespaces.push_back(Name.substr(0, At));
}

const HandleFamily *HandleTypes::strong(QualType T) {
  if (T.isNull()) return nullptr;
  T = T.getNonReferenceType().getCanonicalType();
  auto [It, New] = StrongCache.try_emplace(T.getTypePtr(), nullptr);
  if (!New) return It->second;
  It->second = strongHandleFamily(Rules, T);  // the one answer (utils/HandleExprs.h), cached
  return It->second;
}

bool HandleTypes::holdsStrong(QualType T) {
  if (T.isNull()) return false;
  T = T.getNonReferenceType().getCanonicalType();
  auto It = HoldsCache.find(T.getTypePtr());
  if (It != HoldsCache.end()) return It->second;
  HoldsCache[T.getTypePtr()] = false;  // a recursive type does not hold handles through itself
  bool Holds = holdsStrongUncached(T, 0);
  HoldsCache[T.getTypePtr()] = Holds;
  return Holds;
}

bool HandleTypes::holdsStrongUncached(QualType T, unsigned Depth) {
  if (Depth > 8) return false;
  if (const ArrayType *AT = T->getAsArrayTypeUnsafe()) return holdsStrong(AT->getElementType());
  const CXXRecordDecl *RD = T->getAsCXXRecordDecl();
  if (!RD) return false;
  if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(RD)) {
    std::string Name = Spec->getSpecializedTemplate()->getQualifiedNameAsString();
    if (Rules.strongFamily(Name)) return true;
    if (Rules.weakFamily(Name)) return false;
    if (Rules.isOwner(Name) || Rules.isPointerOwner(Name)) {
      for (const TemplateArgument &A : Spec->getTemplateArgs().asArray())
        if (A.getKind() == TemplateArgument::Type && holdsStrong(A.getAsType())) return true;
      return false;
    }
  }
  if (!RD->hasDefinition()) return false;
  for (const FieldDecl *F : RD->getDefinition()->fields())
    if (holdsStrong(F->getType())) return true;
  if (const CXXRecordDecl *Def = RD->getDefinition())
    for (const CXXBaseSpecifier &B : Def->bases())
      if (holdsStrong(B.getType())) return true;
  return false;
}

QualType HandleTypes::pointee(QualType T) {
  if (!strong(T)) return QualType();
  const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
      T.getNonReferenceType().getCanonicalType()->getAsCXXRecordDecl());
  if (!Spec || Spec->getTemplateArgs().size() == 0 || Spec->getTemplateArgs()[0].getKind() != TemplateArgument::Type)
    return QualType();
  return Spec->getTemplateArgs()[0].getAsType();
}

bool HandleTypes::designatesHolder(QualType T) {
  if (T.isNull() || !(T->isReferenceType() || T->isPointerType())) return false;  // a copy designates nothing
  T = T.getNonReferenceType();
  if (T->isPointerType()) T = T->getPointeeType();
  return T->getAsCXXRecordDecl() && !strong(T) && holdsStrong(T);
}

bool HandleTypes::isLibrary(const Decl *D) {
  if (!D) return true;
  const SourceManager &SM = D->getASTContext().getSourceManager();
  SourceLocation L = D->getLocation();
  if (const auto *FD = dyn_cast<FunctionDecl>(D))
    if (const FunctionDecl *Pattern = FD->getTemplateInstantiationPattern()) L = Pattern->getLocation();
  if (L.isValid() && SM.isInSystemHeader(SM.getExpansionLoc(L))) return true;
  if (D->isInStdNamespace()) return true;
  const DeclContext *Top = D->getDeclContext();
  while (Top && Top->getParent() && !Top->getParent()->isTranslationUnit()) Top = Top->getParent();
  if (const auto *NS = dyn_cast_or_null<NamespaceDecl>(Top); NS && NS->getIdentifier())
    for (const std::string &Lib : LibraryNamespaces)
      if (NS->getName() == Lib) return true;
  return false;
}

const Expr *strip(const Expr *E) {
  while (E) {
    E = E->IgnoreParenImpCasts();
    if (const auto *M = dyn_cast<MaterializeTemporaryExpr>(E)) E = M->getSubExpr();
    else if (const auto *B = dyn_cast<CXXBindTemporaryExpr>(E)) E = B->getSubExpr();
    else if (const auto *C = dyn_cast<ExprWithCleanups>(E)) E = C->getSubExpr();
    else if (const auto *F = dyn_cast<CXXFunctionalCastExpr>(E)) E = F->getSubExpr();
    else if (const auto *S = dyn_cast<CXXStaticCastExpr>(E)) E = S->getSubExpr();
    else if (const auto *O = dyn_cast<OpaqueValueExpr>(E); O && O->getSourceExpr()) E = O->getSourceExpr();
    else if (const auto *K = dyn_cast<CXXConstructExpr>(E);
             K && K->getNumArgs() >= 1 && !isa<CXXTemporaryObjectExpr>(K) &&
             (K->getNumArgs() == 1 || isa<CXXDefaultArgExpr>(K->getArg(1))) &&
             // Copies, moves and conversions between handles; `Handle(new T)` too.
             (K->getArg(0)->getType()->getAsCXXRecordDecl() || isa<CXXNewExpr>(K->getArg(0)->IgnoreParenImpCasts())))
      E = K->getArg(0);
    else
      break;
  }
  return E;
}

bool isStdMove(const Expr *E) {
  const auto *Call = dyn_cast_or_null<CallExpr>(E);
  if (!Call || Call->getNumArgs() != 1) return false;
  const FunctionDecl *FD = Call->getDirectCallee();
  return FD && FD->isInStdNamespace() && FD->getIdentifier() && (FD->getName() == "move" || FD->getName() == "forward");
}

const VarDecl *localVar(const Expr *E) {
  const auto *D = dyn_cast_or_null<DeclRefExpr>(E ? E->IgnoreParenImpCasts() : nullptr);
  const auto *V = D ? dyn_cast<VarDecl>(D->getDecl()) : nullptr;
  return V && V->hasLocalStorage() ? V : nullptr;
}

LibraryCall libraryCall(HandleTypes &Types, const CallExpr *Call) {
  const FunctionDecl *FD = Call->getDirectCallee();
  if (!FD || !FD->getIdentifier() || !Types.isLibrary(FD)) return LibraryCall::None;
  llvm::StringRef Name = FD->getName();
  if (isStdMove(Call)) return LibraryCall::Move;
  bool ReturnsHandle = Types.strong(Call->getType()) != nullptr;
  if (ReturnsHandle && (Name == "make" || Name == "make_shared" || Name == "allocate_shared" ||
                        Name == "make_intrusive" || Name == "create"))
    return LibraryCall::Make;
  if (ReturnsHandle && Call->getNumArgs() == 1 && Types.strong(Call->getArg(0)->getType()) &&
      (Name.ends_with("pointer_cast") || Name == "handle_cast"))
    return LibraryCall::Cast;
  if (Name == "swap" && Call->getNumArgs() == 2) return LibraryCall::Swap;
  if (Name == "make_pair" || Name == "make_tuple" || Name == "tie" || Name == "forward_as_tuple")
    return LibraryCall::Aggregate;
  return LibraryCall::None;
}

const CXXConstructorDecl *pickConstructor(const CXXRecordDecl *RD, llvm::ArrayRef<const Expr *> Args) {
  if (!RD || !(RD = RD->getDefinition())) return nullptr;
  std::vector<const CXXConstructorDecl *> Fit;
  for (const CXXConstructorDecl *K : RD->ctors()) {
    if (K->isCopyOrMoveConstructor() || K->isDeleted() || Args.size() < K->getMinRequiredArguments() ||
        (Args.size() > K->getNumParams() && !K->isVariadic()))
      continue;
    Fit.push_back(K);
  }
  if (Fit.size() > 1) {
    // Overloads of the same arity: keep those whose parameter types are the arguments'.
    auto Same = [](QualType P, QualType A) {
      return P.getNonReferenceType().getCanonicalType().getUnqualifiedType() ==
             A.getNonReferenceType().getCanonicalType().getUnqualifiedType();
    };
    std::erase_if(Fit, [&](const CXXConstructorDecl *K) {
      for (unsigned I = 0; I < Args.size() && I < K->getNumParams(); ++I)
        if (!Same(K->getParamDecl(I)->getType(), Args[I]->getType())) return true;
      return false;
    });
  }
  return Fit.size() == 1 ? Fit.front() : nullptr;
}

const FunctionDecl *definitionOf(const FunctionDecl *FD) {
  const FunctionDecl *Def = nullptr;
  if (!FD || !FD->hasBody(Def) || !Def || !Def->doesThisDeclarationHaveABody() || Def->isDependentContext())
    return nullptr;
  return Def;
}

namespace {

// Walks a body once, without entering lambdas (their bodies run later, if at all).
class Scanner : public RecursiveASTVisitor<Scanner> {
 public:
  Scanner(HandleTypes &T, BodyScan &O) : Types(T), Out(O) {}

  bool TraverseLambdaExpr(LambdaExpr *) { return true; }

  bool VisitBinaryOperator(BinaryOperator *B) {
    if (B->getOpcode() == BO_Assign) storeTo(B->getLHS());
    return true;
  }
  bool VisitCXXOperatorCallExpr(CXXOperatorCallExpr *Op) {
    if (Op->getOperator() == OO_Equal && Op->getNumArgs() == 2) storeTo(Op->getArg(0));
    return true;
  }
  bool VisitCXXMemberCallExpr(CXXMemberCallExpr *Call) {
    const CXXMethodDecl *M = Call->getMethodDecl();
    if (!M || !M->getIdentifier()) return true;
    const Expr *Self = Call->getImplicitObjectArgument();
    if (!Self) return true;
    Self = Self->IgnoreParenImpCasts();
    QualType T = Self->getType();
    if (T->isPointerType()) T = T->getPointeeType();  // li->push_back(x)
    if (containerOp(M->getName()) != ContainerOp::None && Types.holdsStrong(T) && !Types.strong(T))
      Out.Stores = true;
    if (M->getName() == "reset" && Types.strong(T) && isa<MemberExpr>(Self)) Out.Stores = true;
    return true;
  }
  bool VisitCallExpr(CallExpr *Call) {
    const FunctionDecl *FD = Call->getDirectCallee();
    if (!FD) return true;
    if (libraryCall(Types, Call) == LibraryCall::Make) {
      // make<T>(args) runs T's constructor, which may store its arguments.
      QualType T = Types.pointee(Call->getType());
      if (const CXXRecordDecl *RD = T.isNull() ? nullptr : T->getAsCXXRecordDecl())
        if (const CXXConstructorDecl *K = pickConstructor(RD, {Call->getArgs(), Call->getNumArgs()})) callee(K);
      return true;
    }
    callee(FD);
    const auto *M = dyn_cast<CXXMethodDecl>(FD);
    bool Virtual = M && M->isVirtual() && !M->hasAttr<FinalAttr>();
    if (!Types.isLibrary(FD) && (!definitionOf(FD) || Virtual)) Out.CallsUnknown = true;
    return true;
  }
  bool VisitCXXConstructExpr(CXXConstructExpr *C) {
    callee(C->getConstructor());
    return true;
  }

  void initializer(const CXXCtorInitializer *Init) {
    if (Init->getMember() && Types.holdsStrong(Init->getMember()->getType()) && Init->getInit() &&
        !isNullValue(Init->getInit()))
      Out.Stores = true;
  }

 private:
  void storeTo(const Expr *L) {
    if (Out.Stores) return;
    L = L->IgnoreParenImpCasts();
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(L); Op && Op->getOperator() == OO_Subscript)
      L = Op->getArg(0)->IgnoreParenImpCasts();
    if (const auto *M = dyn_cast<MemberExpr>(L))
      if (const auto *F = dyn_cast<FieldDecl>(M->getMemberDecl()); F && Types.holdsStrong(F->getType()))
        Out.Stores = true;
    // (*li)[0] = li: the object itself is the container.
    if (!isa<MemberExpr>(L) && Types.holdsStrong(L->getType()) && !Types.strong(L->getType()) &&
        !localVar(L))
      Out.Stores = true;
  }
  void callee(const FunctionDecl *FD) {
    const FunctionDecl *Def = definitionOf(FD);
    if (Def && !Types.isLibrary(Def) && Seen.insert(Def).second) Out.Callees.push_back(Def);
  }

  HandleTypes &Types;
  BodyScan &Out;
  std::set<const FunctionDecl *> Seen;
};

}  // namespace

BodyScan scanBody(HandleTypes &Types, const FunctionDecl *FD) {
  BodyScan Out;
  Scanner S(Types, Out);
  if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(FD))
    for (const CXXCtorInitializer *Init : Ctor->inits()) {
      S.initializer(Init);
      if (Init->getInit()) S.TraverseStmt(Init->getInit());
    }
  S.TraverseStmt(FD->getBody());
  return Out;
}

}  // namespace cyclops::instance
