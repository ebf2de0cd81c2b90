// FieldClassifier.cpp - which record types a field's type reaches, and how.
//
// A field reaches a record through a strong handle (Strong), or by holding it as part of
// itself (Owns: by value, through owners such as std::optional, std::vector, std::unique_ptr
// or arrays). Aliases and typedefs are seen through (canonical types); user class templates
// are reached by instantiation and analyzed field by field like any other record.
#include <algorithm>

#include "clang/AST/DeclTemplate.h"
#include "clang/AST/TypeLoc.h"
#include "clang/Lex/Lexer.h"

#include "extract/ExtractContext.h"

namespace cyclops {

using namespace clang;

namespace {

constexpr unsigned MaxDepth = 12;

// The qualified name of the class template `RD` instantiates, or "" when it is not one.
std::string templateNameOf(const CXXRecordDecl *RD) {
  if (const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(RD))
    return Spec->getSpecializedTemplate()->getQualifiedNameAsString();
  return "";
}

// The type arguments of a specialization, packs expanded.
void typeArgs(const TemplateArgumentList &Args, std::vector<QualType> &Out) {
  for (const TemplateArgument &A : Args.asArray()) {
    if (A.getKind() == TemplateArgument::Type)
      Out.push_back(A.getAsType());
    else if (A.getKind() == TemplateArgument::Pack)
      for (const TemplateArgument &P : A.pack_elements())
        if (P.getKind() == TemplateArgument::Type) Out.push_back(P.getAsType());
  }
}

void addEdge(std::vector<FieldEdge> &Out, FieldEdge E) {
  auto Same = std::find_if(Out.begin(), Out.end(), [&](const FieldEdge &O) {
    return O.Target == E.Target && O.Kind == E.Kind && O.Family == E.Family;
  });
  if (Same == Out.end())
    Out.push_back(std::move(E));
  else
    Same->Exact = Same->Exact && E.Exact;
}

class Classifier {
 public:
  Classifier(ExtractContext &Context, SourceLocation UseLoc, std::vector<FieldEdge> &Edges, bool &ErasedOut)
      : X(Context), Use(UseLoc), Out(Edges), Erased(ErasedOut) {}

  // `Exact`: the value held is exactly of type T (false behind a pointer-like owner).
  void visit(QualType T, bool Exact, unsigned Depth) {
    if (Depth > MaxDepth || T.isNull()) return;
    T = T.getCanonicalType();
    if (const ArrayType *AT = X.ast().getAsArrayType(T)) return visit(AT->getElementType(), Exact, Depth + 1);
    const CXXRecordDecl *RD = T->getAsCXXRecordDecl();
    if (!RD) return;  // builtins, enums, raw pointers and references own nothing
    const RuleSet &Rules = X.rules();
    if (Rules.isErased(RD->getQualifiedNameAsString())) {
      Erased = true;  // what it holds comes from the stores into the field
      return;
    }
    std::string Template = templateNameOf(RD);
    if (!Template.empty()) {
      const auto &Args = cast<ClassTemplateSpecializationDecl>(RD)->getTemplateArgs();
      if (const HandleFamily *Fam = Rules.strongFamily(Template)) {
        std::vector<QualType> Types;
        typeArgs(Args, Types);
        if (!Types.empty()) strong(Types.front(), *Fam);
        return;
      }
      if (Rules.weakFamily(Template)) return;
      bool Pointer = Rules.isPointerOwner(Template);
      if (Pointer || Rules.isOwner(Template)) {
        std::vector<QualType> Types;
        typeArgs(Args, Types);
        // unique_ptr<T, D>: only T is held; other owners hold all their type arguments.
        if (Pointer && Types.size() > 1) Types.resize(1);
        for (QualType A : Types) visit(A, Exact && !Pointer, Depth + 1);
        return;
      }
    }
    if (RD->isLambda() && RD->hasDefinition() && X.inUserCode(RD)) {
      // A closure held by value: it contains its captures.
      X.enqueue(RD->getDefinition());
      addEdge(Out, FieldEdge{X.nameOf(RD->getDefinition()), EdgeKind::Owns, "", Exact});
      return;
    }
    if (X.isUserRecord(RD)) {
      // Held by value: the object contains the record's fields.
      const CXXRecordDecl *Def = X.require(RD, Use);
      if (!Def) return;
      addEdge(Out, FieldEdge{X.nameOf(Def), EdgeKind::Owns, "", Exact});
    }
    // Any other library type (std::string, std::function, ...) holds no edges we follow.
  }

 private:
  void strong(QualType Target, const HandleFamily &Fam) {
    Target = Target.getCanonicalType();
    if (Target->isVoidType() || (Target->getAsCXXRecordDecl() &&
                                 X.rules().isErased(Target->getAsCXXRecordDecl()->getQualifiedNameAsString()))) {
      Erased = true;  // shared_ptr<void>, a handle to a type-erased holder
      return;
    }
    const CXXRecordDecl *RD = Target->getAsCXXRecordDecl();
    if (!RD) return;  // a handle to a non-class type
    if (X.isUserRecord(RD)) {
      const CXXRecordDecl *Def = X.require(RD, Use);
      addEdge(Out, FieldEdge{Def ? X.nameOf(Def) : X.nameOf(RD), EdgeKind::Strong, Fam.Name, false});
      return;
    }
    // A library type behind a handle, e.g. Handle<std::vector<Handle<Node>>>: a synthetic
    // record stands for it when it holds edges of its own.
    std::vector<FieldEdge> Inner;
    bool InnerErased = false;
    Classifier(X, Use, Inner, InnerErased).visit(Target, true, 1);
    if (Inner.empty()) return;
    addEdge(Out, FieldEdge{X.synthesize(Target, Use), EdgeKind::Strong, Fam.Name, true});
  }

  ExtractContext &X;
  SourceLocation Use;
  std::vector<FieldEdge> &Out;
  bool &Erased;
};

// `cyc::Handle<Node> parent;` -> replace `cyc::Handle` by `cyc::Weak`. Only when the field's
// type spells a strong handle template directly (not through an alias).
std::optional<TextEdit> weakFix(ExtractContext &X, const FieldDecl *FD) {
  const TypeSourceInfo *TSI = FD->getTypeSourceInfo();
  if (!TSI) return std::nullopt;
  TypeLoc TL = TSI->getTypeLoc().getUnqualifiedLoc();
  SourceLocation Begin = TL.getBeginLoc();
  if (auto E = TL.getAs<ElaboratedTypeLoc>()) TL = E.getNamedTypeLoc().getUnqualifiedLoc();
  auto TS = TL.getAs<TemplateSpecializationTypeLoc>();
  if (!TS) return std::nullopt;
  const TemplateDecl *TD = TS.getTypePtr()->getTemplateName().getAsTemplateDecl();
  if (!TD || !isa<ClassTemplateDecl>(TD)) return std::nullopt;
  const HandleFamily *Fam = X.rules().strongFamily(TD->getQualifiedNameAsString());
  if (!Fam || Fam->Weak.empty() || !Fam->FixIt) return std::nullopt;
  SourceLocation NameLoc = TS.getTemplateNameLoc();
  SourceManager &SM = X.sources();
  if (Begin.isMacroID() || NameLoc.isMacroID() || SM.getFileID(Begin) != SM.getFileID(NameLoc))
    return std::nullopt;
  unsigned Len = Lexer::MeasureTokenLength(NameLoc, SM, X.ast().getLangOpts());
  unsigned From = SM.getFileOffset(Begin), To = SM.getFileOffset(NameLoc) + Len;
  if (To <= From || SM.getSpellingLineNumber(Begin) != SM.getSpellingLineNumber(NameLoc))
    return std::nullopt;
  TextEdit Edit;
  Edit.Pos = X.pos(Begin);
  Edit.Length = To - From;
  Edit.Text = Fam->Weak.front();
  return Edit;
}

}  // namespace

void classifyType(ExtractContext &X, QualType T, SourceLocation Use, std::vector<FieldEdge> &Out, bool *Erased) {
  bool Ignored = false;
  Classifier(X, Use, Out, Erased ? *Erased : Ignored).visit(T, true, 0);
}

void classifyField(ExtractContext &X, const FieldDecl *FD, FieldFact &Out) {
  Out.Name = FD->getName().str();
  Out.Pos = X.pos(FD->getLocation());
  Out.TypeSpelling = X.spelling(FD->getType());
  classifyType(X, FD->getType(), FD->getLocation(), Out.Edges, &Out.Erased);
  bool DirectStrong = std::any_of(Out.Edges.begin(), Out.Edges.end(),
                                  [](const FieldEdge &E) { return E.Kind == EdgeKind::Strong; });
  if (DirectStrong) Out.WeakFix = weakFix(X, FD);
}

}  // namespace cyclops
