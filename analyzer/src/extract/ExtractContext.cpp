// ExtractContext.cpp - names stable across translation units, positions, the work list.
#include "extract/ExtractContext.h"

#include "clang/AST/QualTypeNames.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/TemplateBase.h"
#include "clang/Basic/FileManager.h"
#include "clang/Sema/Sema.h"
#include "llvm/Support/Path.h"

namespace cyclops {

using namespace clang;

ExtractContext::ExtractContext(ASTContext &C, Sema *S, const RuleSet &R, TUFacts &O)
    : Ctx(C), SemaRef(S), Rules(R), Out(O), NamePolicy(C.getLangOpts()),
      SpellPolicy(C.getLangOpts()) {
  NamePolicy.SuppressTagKeyword = true;
  NamePolicy.SuppressScope = false;
  NamePolicy.FullyQualifiedName = true;
  NamePolicy.PrintCanonicalTypes = true;
  NamePolicy.SuppressInlineNamespace = true;
  NamePolicy.AnonymousTagLocations = true;
  NamePolicy.SplitTemplateClosers = false;
  SpellPolicy.SuppressTagKeyword = true;
  SpellPolicy.SuppressScope = false;
  SpellPolicy.SuppressInlineNamespace = true;
  SpellPolicy.SplitTemplateClosers = false;
  FileID Main = C.getSourceManager().getMainFileID();
  MainFile = absolutePath(Main);
  Out.MainFile = MainFile;
}

std::string ExtractContext::absolutePath(FileID FID) {
  auto It = PathCache.find(FID.getHashValue());
  if (It != PathCache.end()) return It->second;
  std::string Result;
  SourceManager &SM = sources();
  if (OptionalFileEntryRef FE = SM.getFileEntryRefForID(FID)) {
    llvm::SmallString<256> P(FE->getName());
    SM.getFileManager().makeAbsolutePath(P);
    llvm::sys::path::remove_dots(P, /*remove_dot_dot=*/true);
    Result = std::string(P);
  }
  PathCache.emplace(FID.getHashValue(), Result);
  return Result;
}

SourcePos ExtractContext::pos(SourceLocation Loc) {
  SourcePos P;
  if (Loc.isInvalid()) return P;
  SourceManager &SM = sources();
  SourceLocation L = SM.getExpansionLoc(Loc);
  P.File = absolutePath(SM.getFileID(L));
  P.Line = SM.getExpansionLineNumber(L);
  P.Column = SM.getExpansionColumnNumber(L);
  return P;
}

std::string ExtractContext::nameOf(QualType T) {
  return TypeName::getFullyQualifiedName(T.getCanonicalType(), Ctx, NamePolicy,
                                         /*WithGlobalNsPrefix=*/false);
}

std::string ExtractContext::spelling(QualType T) { return T.getAsString(SpellPolicy); }

std::string ExtractContext::nameOf(const CXXRecordDecl *RD) {
  std::string Name = nameOf(Ctx.getRecordType(RD));
  // Types of the anonymous namespace and local classes are different types in each TU.
  // The file name (not its path) keeps ids the same in every checkout.
  // A closure type's name says where it is written, which is the same in every TU.
  if (RD->isInAnonymousNamespace() || (RD->getParentFunctionOrMethod() && !RD->isLambda()))
    Name += std::string(LocalSuffix) + llvm::sys::path::filename(MainFile).str();
  return Name;
}

bool ExtractContext::isUserRecord(const CXXRecordDecl *RD) {
  if (!RD || RD->isLambda()) return false;
  SourceLocation L = RD->getLocation();
  if (const CXXRecordDecl *Pattern = RD->getTemplateInstantiationPattern())
    L = Pattern->getLocation();
  if (L.isInvalid()) return false;
  return !sources().isInSystemHeader(sources().getExpansionLoc(L));
}

bool ExtractContext::inUserCode(const Decl *D) {
  return !sources().isInSystemHeader(sources().getExpansionLoc(D->getLocation()));
}

const CXXRecordDecl *ExtractContext::require(const CXXRecordDecl *RD, SourceLocation Use) {
  if (!RD || !isUserRecord(RD)) return nullptr;
  const CXXRecordDecl *Def = RD->getDefinition();
  if (!Def && SemaRef && isa<ClassTemplateSpecializationDecl>(RD)) {
    // Instantiate it the way a use as a complete type would; a template that cannot be
    // instantiated for these arguments simply stays unknown.
    DiagnosticsEngine &Diags = Ctx.getDiagnostics();
    bool Suppressed = Diags.getSuppressAllDiagnostics();
    Diags.setSuppressAllDiagnostics(true);
    (void)SemaRef->isCompleteType(Use.isValid() ? Use : RD->getLocation(),
                                  Ctx.getRecordType(RD));
    Diags.setSuppressAllDiagnostics(Suppressed);
    Def = RD->getDefinition();
  }
  if (Def && !Def->isDependentContext()) enqueue(Def);
  return Def;
}

void ExtractContext::enqueue(const CXXRecordDecl *Def) {
  if (Queued.insert(Def).second) Pending.push_back(Def);
}

const CXXRecordDecl *ExtractContext::nextPending() {
  if (Pending.empty()) return nullptr;
  const CXXRecordDecl *RD = Pending.back();
  Pending.pop_back();
  return RD;
}

std::string ExtractContext::synthesize(QualType LibraryType, SourceLocation Use) {
  std::string Name = nameOf(LibraryType);
  if (!Synthesized.insert(Name).second) return Name;
  RecordFact R;
  R.Name = Name;
  R.Synthetic = true;
  R.Pos = pos(Use);
  FieldFact Elements;  // the library type's contents, seen as one unnamed field
  Elements.Pos = R.Pos;
  Elements.TypeSpelling = spelling(LibraryType);
  classifyType(*this, LibraryType, Use, Elements.Edges);
  if (!Elements.Edges.empty()) R.Fields.push_back(std::move(Elements));
  Out.Records.push_back(std::move(R));
  return Name;
}

namespace {

class UserFunctions : public RecursiveASTVisitor<UserFunctions> {
 public:
  UserFunctions(ExtractContext &Context, llvm::function_ref<void(const FunctionDecl *)> Fn)
      : X(Context), Visit(Fn) {}
  bool shouldVisitTemplateInstantiations() const { return true; }
  bool shouldVisitImplicitCode() const { return false; }

  bool VisitFunctionDecl(FunctionDecl *FD) {
    if (!FD->doesThisDeclarationHaveABody() || FD->isDependentContext()) return true;
    if (const auto *M = dyn_cast<CXXMethodDecl>(FD); M && M->getParent()->isLambda()) return true;
    if (!X.inUserCode(FD)) return true;
    Visit(FD);
    return true;
  }

 private:
  ExtractContext &X;
  llvm::function_ref<void(const FunctionDecl *)> Visit;
};

}  // namespace

void forEachUserFunction(ExtractContext &X, llvm::function_ref<void(const FunctionDecl *)> Visit) {
  UserFunctions(X, Visit).TraverseAST(X.ast());
}

}  // namespace cyclops
