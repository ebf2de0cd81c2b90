// InstanceCheck.cpp - cycle-instance: code that links objects into a strong cycle.
//
// Each function of the translation unit that stores handles into objects (directly, or
// through a function of the same translation unit that does) gets a data-flow pass over its
// CFG (InstanceFlow.cpp) that follows which local refers to which object and which object's
// field holds which other object. A store that closes a loop of such edges is a candidate;
// it is reported, at that store and with a note at every other store of the loop, when the
// loop may still stand where the function returns. Calls apply the callee's summary
// (InstanceSummaries.cpp), computed on demand, bounded in depth and size.
//
// The parts: InstanceModel (AST patterns of handle code), InstanceHeap (objects, edges,
// candidates), InstanceFlow (transfers and fixpoint), InstanceSummaries (calls). This file
// chooses the functions, computes summaries on demand, and turns cycles into findings.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "clang/AST/RecursiveASTVisitor.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"

#include "rules/cycle-instance/InstanceCheck.h"
#include "rules/cycle-instance/InstanceMessages.h"

#include "extract/ExtractContext.h"
#include "rules/RuleIds.h"
#include "rules/cycle-instance/InstanceFlow.h"

namespace cyclops {

using namespace clang;
using namespace instance;

namespace {

// How deep summaries are computed on demand (a calls b calls c ...); deeper callees, and
// recursive ones, count as unknown.
constexpr size_t MaxCalleeDepth = 8;

// The function bodies of user code, template instantiations and lambdas included. System
// headers are skipped whole, without a walk through them (most of a TU's AST).
class FunctionCollector : public RecursiveASTVisitor<FunctionCollector> {
 public:
  explicit FunctionCollector(const SourceManager &Sources) : SM(Sources) {}

  bool shouldVisitTemplateInstantiations() const { return true; }

  bool TraverseDecl(Decl *D) {
    if (D && !isa<TranslationUnitDecl>(D) && D->getLocation().isValid() &&
        SM.isInSystemHeader(SM.getExpansionLoc(D->getLocation())))
      return true;
    return RecursiveASTVisitor::TraverseDecl(D);
  }
  bool VisitFunctionDecl(FunctionDecl *FD) {
    add(FD);
    return true;
  }
  bool VisitLambdaExpr(LambdaExpr *L) {
    add(L->getCallOperator());
    return true;
  }

  std::vector<const FunctionDecl *> Functions;

 private:
  void add(const FunctionDecl *FD) {
    if (FD && FD->doesThisDeclarationHaveABody() && !FD->isDependentContext() && Seen.insert(FD).second)
      Functions.push_back(FD);
  }

  const SourceManager &SM;
  std::set<const FunctionDecl *> Seen;
};

class Driver : public SummarySource {
 public:
  explicit Driver(ExtractContext &X) : C(X) {}

  const Summary *summaryOf(const FunctionDecl *Callee) override {
    const FunctionResult *R = resultOf(Callee, /*ForCallers=*/true);
    return R ? R->Sum.get() : nullptr;
  }

  void check(const FunctionDecl *FD) {
    const FunctionDecl *Def = definitionOf(FD);
    if (!Def || !Reported.insert(Def).second) return;
    if (const FunctionResult *R = resultOf(Def, /*ForCallers=*/false))
      for (const FoundCycle &Cycle : R->Cycles) report(Def, Cycle);
  }

 private:
  // FD's result, computed once. The cheap pre-filter decides whether a CFG is built at all:
  // a function needs one for its own findings when it stores handles into objects or calls
  // a function that does; its callers also care when it can change or return what they
  // give it. Null while FD is being analyzed (recursion) or past the depth limit.
  const FunctionResult *resultOf(const FunctionDecl *FD, bool ForCallers) {
    if (auto It = Results.find(FD); It != Results.end()) return &It->second;
    if (Active.count(FD) || Active.size() >= MaxCalleeDepth) return nullptr;
    Active.insert(FD);
    BodyScan Scan = scanBody(C.Types, FD);
    bool Worth = Scan.Stores;
    for (size_t I = 0; !Worth && I < Scan.Callees.size(); ++I)
      if (const Summary *Sum = summaryOf(Scan.Callees[I])) Worth = !Sum->trivial();
    if (!Worth && ForCallers) Worth = hasInterface(FD) && (Scan.CallsUnknown || C.Types.strong(FD->getReturnType()) ||
                                                          rebindsHandles(FD));
    Active.erase(FD);
    if (!Worth && !ForCallers) return nullptr;  // nothing to report; a caller may still ask
    FunctionResult R;
    if (Worth) {
      Active.insert(FD);
      R = analyzeFunction(C, *this, FD);
      Active.erase(FD);
    } else {
      R.Sum = std::make_unique<Summary>();  // nothing a caller could see: one case, empty
      R.Sum->Cases.emplace_back();
    }
    return &Results.emplace(FD, std::move(R)).first->second;
  }

  // Does FD receive objects a caller knows: *this, a handle, a reference to a holder?
  bool hasInterface(const FunctionDecl *FD) {
    if (const auto *M = dyn_cast<CXXMethodDecl>(FD); M && M->isInstance()) return true;
    for (const ParmVarDecl *P : FD->parameters())
      if (C.Types.strong(P->getType()) || C.Types.designatesHolder(P->getType())) return true;
    return false;
  }

  static std::string nameOf(const FunctionDecl *FD) { return FD ? FD->getQualifiedNameAsString() : "?"; }

  // Does FD take a handle by non-const reference (and may point the caller's at another object)?
  bool rebindsHandles(const FunctionDecl *FD) {
    for (const ParmVarDecl *P : FD->parameters()) {
      QualType T = P->getType();
      if (T->isLValueReferenceType() && !T.getNonReferenceType().isConstQualified() && C.Types.strong(T)) return true;
    }
    return false;
  }

  void report(const FunctionDecl *Fn, const FoundCycle &Cycle) {
    ExtractContext &X = C.X;
    const RuleSet &Rules = X.rules();
    const Trace &Closing = C.Traces[Cycle.Steps.back().Trace];
    const HandleFamily *Family = Closing.Family;
    for (const CycleStep &S : Cycle.Steps)
      if (!Family) Family = C.Traces[S.Trace].Family;

    // The id: the function and the stores' text (whitespace removed), not lines.
    std::vector<std::string> Texts, Key;
    for (const CycleStep &S : Cycle.Steps) {
      const Trace &T = C.Traces[S.Trace];
      Texts.push_back(T.Kind == TraceKind::Entry ? T.Text + " (held on entry)" : T.Text);
      std::string Compact = T.Text;
      for (int I = T.Inner; I >= 0; I = C.Traces[I].Inner) Compact += ">" + C.Traces[I].Text;
      std::erase_if(Compact, [](char Ch) { return std::isspace(static_cast<unsigned char>(Ch)); });
      Key.push_back(S.Type + "." + C.Fields.name(S.Field) + " " + Compact);
    }
    std::rotate(Key.begin(), std::min_element(Key.begin(), Key.end()), Key.end());
    // A function of the anonymous namespace or a static one is a different function in
    // each file: its name alone would give fb() of a.cpp and fb() of b.cpp the same id.
    // As for local types, the file name (not its path) keeps ids the same in every checkout.
    std::string FnName = Fn->getQualifiedNameAsString();
    if (!Fn->isExternallyVisible())
      FnName += std::string(LocalSuffix) + llvm::sys::path::filename(X.pos(Fn->getLocation()).File).str();
    Key.insert(Key.begin(), FnName);

    Finding F;
    F.Rule = ruleid::CycleInstance.str();
    if (const RuleInfo *R = Rules.rule(F.Rule)) F.Level = R->Level;
    F.Pos = Closing.Pos;
    F.Message = instanceMessage(Texts, Family);
    F.Id = makeFindingId(F.Rule, Key);
    std::set<std::pair<std::string, unsigned>> Noted;  // a callee's store once, though two calls run it
    for (const CycleStep &S : Cycle.Steps) {
      const Trace &T = C.Traces[S.Trace];
      PathStep P;
      P.Type = S.Type;
      P.Field = C.Fields.name(S.Field);
      P.Pos = T.Pos;
      P.Note = S.Note;
      // A call's edge is made inside the callee: a note at each store down the chain.
      for (int I = T.Inner; I >= 0; I = C.Traces[I].Inner) {
        const Trace &In = C.Traces[I];
        if (!Noted.insert({In.Pos.File, In.Pos.Line * 1000u + In.Pos.Column}).second) continue;
        std::string Note = "in '" + nameOf(In.In) + "': '" + In.Text + "' ";
        if (In.Kind == TraceKind::Call) Note += "calls '" + nameOf(C.Traces[In.Inner].In) + "', which makes this store";
        else Note += In.Note;
        P.Via.push_back({In.Pos, Note});
      }
      F.Path.push_back(std::move(P));
    }
    X.out().Findings.push_back(std::move(F));
  }

  TUContext C;
  std::map<const FunctionDecl *, FunctionResult> Results;
  std::set<const FunctionDecl *> Active;
  std::set<const FunctionDecl *> Reported;
};

}  // namespace

void runInstanceCheck(ExtractContext &X) {
  FunctionCollector Collector(X.sources());
  Collector.TraverseDecl(X.ast().getTranslationUnitDecl());
  Driver D(X);
  for (const FunctionDecl *FD : Collector.Functions) D.check(FD);
}

}  // namespace cyclops
