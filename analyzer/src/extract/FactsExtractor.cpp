// FactsExtractor.cpp - facts from the AST: record types, their fields' edges, bases and
// trace hooks, found with AST matchers.
#include "extract/FactsExtractor.h"

#include <map>
#include <set>

#include "clang/AST/ASTConsumer.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "clang/Lex/Lexer.h"
#include "clang/Sema/SemaConsumer.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include "extract/ExtractContext.h"
#include "extract/FieldUses.h"
#include "extract/Summaries.h"
#include "facts/FactsIO.h"
#include "rules/Registry.h"
#include "rules/RuleIds.h"

namespace cyclops {

using namespace clang;
using namespace clang::ast_matchers;

namespace {

bool isTracerRef(QualType T) {
  const auto *Ref = T->getAs<LValueReferenceType>();
  if (!Ref) return false;
  const CXXRecordDecl *RD = Ref->getPointeeType()->getAsCXXRecordDecl();
  return RD && RD->getQualifiedNameAsString() == "cyc::Tracer";
}

// The fields a hook body names, and whether it calls other code of the object (a helper
// member function), in which case we cannot tell what it visits.
void readHookBody(ASTContext &Ctx, const Stmt *Body, const CXXRecordDecl *Traced,
                  TraceHookFact &Hook) {
  auto Fields = match(findAll(memberExpr(member(fieldDecl().bind("field")))), *Body, Ctx);
  for (const BoundNodes &N : Fields) {
    const auto *FD = N.getNodeAs<FieldDecl>("field");
    std::string Name = FD->getName().str();
    if (std::find(Hook.TracedFields.begin(), Hook.TracedFields.end(), Name) == Hook.TracedFields.end())
      Hook.TracedFields.push_back(Name);
  }
  auto Calls = match(findAll(cxxMemberCallExpr(callee(cxxMethodDecl().bind("method")))), *Body, Ctx);
  for (const BoundNodes &N : Calls) {
    const auto *M = N.getNodeAs<CXXMethodDecl>("method");
    const CXXRecordDecl *Owner = M->getParent();
    bool OfTraced = Traced && (Owner == Traced || Traced->isDerivedFrom(Owner));
    // A base's trace() visits the base's fields, which the base's own hook is judged for.
    if (OfTraced && !(M->getIdentifier() && M->getName() == "trace")) Hook.Opaque = true;
  }
}

class Extractor : public MatchFinder::MatchCallback {
 public:
  explicit Extractor(ExtractContext &Context) : X(Context) {}

  void run(const MatchFinder::MatchResult &Result) override {
    if (const auto *RD = Result.Nodes.getNodeAs<CXXRecordDecl>("record")) {
      if (!RD->isDependentContext() && X.isUserRecord(RD)) X.enqueue(RD);
    } else if (const auto *FD = Result.Nodes.getNodeAs<FunctionDecl>("adl")) {
      adlHook(FD);
    }
  }

  // Extracts every queued record; extraction may queue more (bases, instantiations).
  void drain() {
    while (const CXXRecordDecl *RD = X.nextPending()) X.out().Records.push_back(record(RD));
  }

 private:
  RecordFact record(const CXXRecordDecl *RD) {
    if (RD->isLambda()) return closure(RD);
    RecordFact R;
    R.Name = X.nameOf(RD);
    R.Pos = X.pos(RD->getLocation());
    for (const CXXBaseSpecifier &B : RD->bases()) {
      const CXXRecordDecl *Base = B.getType()->getAsCXXRecordDecl();
      if (const CXXRecordDecl *Def = X.require(Base, B.getBeginLoc())) R.Bases.push_back(X.nameOf(Def));
    }
    for (const FieldDecl *FD : RD->fields()) {
      FieldFact F;
      classifyField(X, FD, F);
      R.Fields.push_back(std::move(F));
    }
    R.Hook = memberHook(RD, R.Name);
    R.InsertHookAt = hookInsertion(RD);
    return R;
  }

  // A closure type held by value (`Impl<F>::f` holding a lambda): its captures are its fields,
  // named after what they capture. Synthetic: no trace hook can be added to it.
  RecordFact closure(const CXXRecordDecl *RD) {
    RecordFact R;
    R.Name = X.nameOf(RD);
    R.Pos = X.pos(RD->getLocation());
    R.Synthetic = true;
    llvm::DenseMap<const ValueDecl *, FieldDecl *> Captures;
    FieldDecl *This = nullptr;
    RD->getCaptureFields(Captures, This);
    std::map<const FieldDecl *, std::string> Names;
    for (const auto &[Var, Field] : Captures) Names[Field] = Var->getName().str();
    if (This) Names[This] = "this";
    for (const FieldDecl *FD : RD->fields()) {
      FieldFact F;
      classifyField(X, FD, F);
      F.Name = Names.count(FD) ? Names[FD] : "";
      F.WeakFix.reset();  // the capture's type is not spelled in a declaration
      R.Fields.push_back(std::move(F));
    }
    return R;
  }

  std::optional<TraceHookFact> memberHook(const CXXRecordDecl *RD, const std::string &Name) {
    for (const CXXMethodDecl *M : RD->methods()) {
      if (!M->getIdentifier() || M->getName() != "trace" || M->getNumParams() != 1 ||
          !isTracerRef(M->getParamDecl(0)->getType()))
        continue;
      TraceHookFact Hook;
      Hook.Record = Name;
      Hook.Pos = X.pos(M->getLocation());
      SourceManager &SM = X.sources();
      SourceLocation Loc = M->getLocation();
      if (Loc.isMacroID() &&
          Lexer::getImmediateMacroName(Loc, SM, X.ast().getLangOpts()) == "CYC_TRACE") {
        Hook.Kind = HookKind::Macro;
        SourceLocation Close = SM.getExpansionRange(Loc).getEnd();
        if (Close.isFileID() && *SM.getCharacterData(Close) == ')') Hook.MacroClose = X.pos(Close);
      } else {
        Hook.Kind = HookKind::Member;
      }
      const FunctionDecl *Def = nullptr;
      if (!M->hasBody(Def)) {
        // A member of a class template specialization that was never called: read the
        // template's definition (fields are matched by name).
        if (const FunctionDecl *Pattern = M->getTemplateInstantiationPattern())
          Pattern->hasBody(Def);
      }
      if (Def && Def->getBody())
        readHookBody(X.ast(), Def->getBody(), RD, Hook);
      else
        Hook.Opaque = true;
      return Hook;
    }
    return std::nullopt;
  }

  std::optional<HookInsertion> hookInsertion(const CXXRecordDecl *RD) {
    SourceLocation Brace = RD->getBraceRange().getEnd();
    SourceManager &SM = X.sources();
    if (Brace.isInvalid() || Brace.isMacroID() || SM.isInSystemHeader(Brace)) return std::nullopt;
    if (RD->getTemplateInstantiationPattern()) return std::nullopt;  // edit the template instead
    HookInsertion H;
    H.Pos = X.pos(Brace);
    // Is the brace the first thing on its line?
    const char *P = SM.getCharacterData(Brace);
    unsigned Col = SM.getSpellingColumnNumber(Brace);
    std::string Before(P - (Col - 1), P);
    H.OwnLine = Before.find_first_not_of(" \t") == std::string::npos;
    if (H.OwnLine) {
      H.Indent = Before + "  ";
      H.Pos.Column = 1;
    }
    return H;
  }

  void adlHook(const FunctionDecl *FD) {
    if (FD->isDependentContext() || FD->getNumParams() != 2 ||
        !isTracerRef(FD->getParamDecl(1)->getType()))
      return;
    const auto *Ref = FD->getParamDecl(0)->getType()->getAs<LValueReferenceType>();
    if (!Ref) return;
    const CXXRecordDecl *RD = Ref->getPointeeType()->getAsCXXRecordDecl();
    if (!RD || !X.isUserRecord(RD) || !FD->getBody()) return;
    const CXXRecordDecl *Def = X.require(RD, FD->getLocation());
    TraceHookFact Hook;
    Hook.Record = X.nameOf(Def ? Def : RD);
    Hook.Kind = HookKind::Adl;
    Hook.Pos = X.pos(FD->getLocation());
    readHookBody(X.ast(), FD->getBody(), Def, Hook);
    X.out().AdlHooks.push_back(std::move(Hook));
  }

  ExtractContext &X;
};

// Every file the translation unit read, with the hash of the content it read: the main file
// first, then by path. Files clang opened but did not read (a failed __has_include probe)
// are not inputs.
void recordInputs(ASTContext &Ctx, TUFacts &Out) {
  SourceManager &SM = Ctx.getSourceManager();
  FileManager &FM = SM.getFileManager();
  // The name positions use (ExtractContext.cpp), unless removing ".." lexically names another
  // file: across a symbolic link (/lib/gcc/x/12/../../../../include is /usr/include when /lib
  // links to /usr/lib). Then the real path, so that the facts cache can read the input again.
  auto absolute = [&](FileEntryRef F) {
    llvm::SmallString<256> Path(F.getName());
    FM.makeAbsolutePath(Path);
    llvm::SmallString<256> Short(Path);
    llvm::sys::path::remove_dots(Short, /*remove_dot_dot=*/true);
    llvm::sys::fs::UniqueID ID;
    llvm::SmallString<256> Real;
    if ((llvm::sys::fs::getUniqueID(Short, ID) || !(ID == F.getUniqueID())) && !llvm::sys::fs::real_path(Path, Real))
      return std::string(Real);
    return std::string(Short);
  };
  std::string Main;
  if (OptionalFileEntryRef F = SM.getFileEntryRefForID(SM.getMainFileID())) Main = absolute(*F);
  std::vector<InputFile> Headers;
  for (auto It = SM.fileinfo_begin(); It != SM.fileinfo_end(); ++It) {
    std::optional<llvm::MemoryBufferRef> Buf = It->second->getBufferIfLoaded();
    if (!Buf) continue;
    InputFile In{absolute(It->first), hashContent(Buf->getBuffer())};
    if (In.Path == Main)
      Out.Inputs.insert(Out.Inputs.begin(), std::move(In));
    else
      Headers.push_back(std::move(In));
  }
  std::sort(Headers.begin(), Headers.end(), [](const InputFile &A, const InputFile &B) { return A.Path < B.Path; });
  Headers.erase(std::unique(Headers.begin(), Headers.end()), Headers.end());
  Out.Inputs.insert(Out.Inputs.end(), Headers.begin(), Headers.end());
}

class FactsConsumer : public SemaConsumer {
 public:
  FactsConsumer(const RuleSet &R, TUFacts &O) : Rules(R), Out(O) {}

  void InitializeSema(Sema &S) override { SemaRef = &S; }
  void ForgetSema() override { SemaRef = nullptr; }

  void HandleTranslationUnit(ASTContext &Ctx) override { extractFacts(Ctx, SemaRef, Rules, Out); }

 private:
  const RuleSet &Rules;
  TUFacts &Out;
  Sema *SemaRef = nullptr;
};

}  // namespace

std::unique_ptr<ASTConsumer> makeFactsConsumer(const RuleSet &Rules, TUFacts &Out) {
  return std::make_unique<FactsConsumer>(Rules, Out);
}

void extractFacts(ASTContext &Ctx, Sema *S, const RuleSet &Rules, TUFacts &Out) {
  // Facts of a translation unit that does not compile are not trusted.
  if (Ctx.getDiagnostics().hasErrorOccurred()) return;
  ExtractContext X(Ctx, S, Rules, Out);
  Extractor Records(X);
  MatchFinder Finder;
  Finder.addMatcher(
      cxxRecordDecl(isDefinition(), unless(isExpansionInSystemHeader()), unless(isLambda())).bind("record"),
      &Records);
  Finder.addMatcher(functionDecl(hasName("cyc_trace"), isDefinition(), parameterCountIs(2),
                                 unless(isExpansionInSystemHeader()))
                        .bind("adl"),
                    &Records);
  Finder.matchAST(Ctx);
  Records.drain();
  extractSummaries(X);
  if (Rules.enabled(ruleid::CycleType)) extractFieldUses(X);
  std::set<void (*)(ExtractContext &)> Ran;  // an extraction two rules read runs once
  for (const AstRule &R : astRules())
    if (Rules.enabled(R.Id) && Ran.insert(R.Run).second) R.Run(X);
  recordInputs(Ctx, Out);
}

}  // namespace cyclops
