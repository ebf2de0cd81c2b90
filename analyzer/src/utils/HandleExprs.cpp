// HandleExprs.cpp - handle families of types, and the values expressions pass on.
#include "utils/HandleExprs.h"

#include <set>

#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"

namespace cyclops {

using namespace clang;

namespace {

const ClassTemplateSpecializationDecl *specialization(QualType T) {
  if (T.isNull()) return nullptr;
  return dyn_cast_or_null<ClassTemplateSpecializationDecl>(
      T.getNonReferenceType().getCanonicalType()->getAsCXXRecordDecl());
}

}  // namespace

std::string specializedTemplateName(QualType T) {
  const ClassTemplateSpecializationDecl *Spec = specialization(T);
  return Spec ? Spec->getSpecializedTemplate()->getQualifiedNameAsString() : std::string();
}

const HandleFamily *strongHandleFamily(const RuleSet &Rules, QualType T) {
  std::string Name = specializedTemplateName(T);
  return Name.empty() ? nullptr : Rules.strongFamily(Name);
}

const HandleFamily *weakHandleFamily(const RuleSet &Rules, QualType T) {
  std::string Name = specializedTemplateName(T);
  return Name.empty() ? nullptr : Rules.weakFamily(Name);
}

QualType firstTypeArg(QualType T) {
  const ClassTemplateSpecializationDecl *Spec = specialization(T);
  if (!Spec || Spec->getTemplateArgs().size() == 0 ||
      Spec->getTemplateArgs()[0].getKind() != TemplateArgument::Type)
    return QualType();
  return Spec->getTemplateArgs()[0].getAsType();
}

const Expr *ignoreWrappers(const Expr *E) {
  while (E) {
    E = E->IgnoreParenImpCasts();
    if (const auto *M = dyn_cast<MaterializeTemporaryExpr>(E))
      E = M->getSubExpr();
    else if (const auto *B = dyn_cast<CXXBindTemporaryExpr>(E))
      E = B->getSubExpr();
    else if (const auto *C = dyn_cast<ExprWithCleanups>(E))
      E = C->getSubExpr();
    else if (const auto *F = dyn_cast<CXXFunctionalCastExpr>(E))
      E = F->getSubExpr();
    else
      break;
  }
  return E;
}

bool isNullValue(const Expr *E) {
  for (int Depth = 0; E && Depth < 8; ++Depth) {
    E = ignoreWrappers(E);
    if (const auto *S = dyn_cast<CXXStaticCastExpr>(E)) {
      E = S->getSubExpr();
      continue;
    }
    if (const auto *D = dyn_cast<CXXDefaultArgExpr>(E)) {  // `p.reset()` is `p.reset(pointer())`
      E = D->getExpr();
      continue;
    }
    const auto *K = dyn_cast<CXXConstructExpr>(E);
    if (!K) break;
    if (K->getNumArgs() == 0) return true;
    if (K->getNumArgs() > 1 && !isa<CXXDefaultArgExpr>(K->getArg(1))) return false;
    E = K->getArg(0);
  }
  if (!E) return true;
  if (isa<CXXNullPtrLiteralExpr>(E) || isa<GNUNullExpr>(E) || isa<CXXScalarValueInitExpr>(E) ||
      isa<ImplicitValueInitExpr>(E))
    return true;
  const auto *L = dyn_cast<InitListExpr>(E);
  return L && L->getNumInits() == 0;
}

const Expr *movedFrom(const Expr *E) {
  const auto *Call = dyn_cast_or_null<CallExpr>(E);
  if (!Call || Call->getNumArgs() != 1) return nullptr;
  const FunctionDecl *FD = Call->getDirectCallee();
  if (!FD || !FD->isInStdNamespace() || !FD->getIdentifier()) return nullptr;
  if (FD->getName() != "move" && FD->getName() != "forward") return nullptr;
  return Call->getArg(0);
}

bool makesFreshObject(const CallExpr *Call) {
  static const std::set<std::string> Makers = {"std::make_shared",   "std::allocate_shared", "std::make_unique",
                                               "boost::make_shared", "boost::allocate_shared", "cyc::make"};
  const FunctionDecl *FD = Call ? Call->getDirectCallee() : nullptr;
  return FD && Makers.count(FD->getQualifiedNameAsString());
}

const VarDecl *namedVar(const Expr *E) {
  if (const auto *D = dyn_cast_or_null<DeclRefExpr>(ignoreWrappers(E))) return dyn_cast<VarDecl>(D->getDecl());
  return nullptr;
}

std::pair<const Expr *, const Expr *> assignmentParts(const Expr *E) {
  if (const auto *Op = dyn_cast_or_null<CXXOperatorCallExpr>(E);
      Op && Op->getOperator() == OO_Equal && Op->getNumArgs() == 2)
    return {Op->getArg(0), Op->getArg(1)};
  if (const auto *B = dyn_cast_or_null<BinaryOperator>(E); B && B->getOpcode() == BO_Assign)
    return {B->getLHS(), B->getRHS()};
  return {nullptr, nullptr};
}

ContainerOp containerOp(llvm::StringRef Method) {
  static const std::set<llvm::StringRef> Adds = {
      "push_back", "emplace_back", "push_front", "emplace_front", "insert", "emplace",
      "insert_or_assign", "try_emplace", "push", "emplace_hint", "assign", "append", "prepend"};
  static const std::set<llvm::StringRef> Removes = {"clear", "erase", "pop_back", "pop_front", "pop",
                                                    "extract", "erase_if", "remove", "remove_if"};
  if (Adds.count(Method)) return ContainerOp::Add;
  if (Removes.count(Method)) return ContainerOp::Remove;
  return ContainerOp::None;
}

}  // namespace cyclops
