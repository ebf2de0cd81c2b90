// InstanceCheck.cpp - cycle-instance: code that links objects into a strong cycle.
//
// Inside each function, in source order, local handles are followed to the objects they refer
// to (a new object per make<T>()/make_shared<T>() or unknown initializer, the same object
// for copies; a handle moved from refers to nothing). Stores of a handle into an object, such
// as `x->self = x`, `li->push_back(li)`, `a->next = b`, `p->kids.emplace_back(c)`,
// `m->items[k] = v` or a setter whose body stores its parameter into a field, add an edge
// between objects; `x->f = nullptr`, `.reset()`, `.clear()` and overwriting a handle field
// remove edges. A store that closes a loop of edges is reported when the loop still stands
// at the end of the function (a cycle broken on purpose before return is fine), with a note
// at each other store of the loop.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"

#include "ExtractContext.h"

namespace cyclops {

using namespace clang;
using namespace clang::ast_matchers;

namespace {

// The strong handle family of a handle type, or null.
const HandleFamily *strongHandle(const RuleSet &Rules, QualType T) {
  if (T.isNull()) return nullptr;
  const auto *Spec =
      dyn_cast_or_null<ClassTemplateSpecializationDecl>(T.getCanonicalType()->getAsCXXRecordDecl());
  if (!Spec) return nullptr;
  return Rules.strongFamily(Spec->getSpecializedTemplate()->getQualifiedNameAsString());
}

// Does a value of type T hold strong handles (any, including type-erased Handle<>)?
bool holdsStrong(const RuleSet &Rules, QualType T, unsigned Depth = 0) {
  if (T.isNull() || Depth > 8) return false;
  T = T.getCanonicalType();
  if (const ArrayType *AT = T->getAsArrayTypeUnsafe()) return holdsStrong(Rules, AT->getElementType(), Depth + 1);
  const CXXRecordDecl *RD = T->getAsCXXRecordDecl();
  if (!RD) return false;
  if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(RD)) {
    std::string Name = Spec->getSpecializedTemplate()->getQualifiedNameAsString();
    if (Rules.strongFamily(Name)) return true;
    if (Rules.weakFamily(Name)) return false;
    if (Rules.isOwner(Name) || Rules.isPointerOwner(Name)) {
      for (const TemplateArgument &A : Spec->getTemplateArgs().asArray())
        if (A.getKind() == TemplateArgument::Type && holdsStrong(Rules, A.getAsType(), Depth + 1)) return true;
      return false;
    }
  }
  if (!RD->hasDefinition()) return false;
  for (const FieldDecl *F : RD->getDefinition()->fields())
    if (holdsStrong(Rules, F->getType(), Depth + 1)) return true;
  return false;
}

const Expr *strip(const Expr *E) {
  while (E) {
    E = E->IgnoreParenImpCasts();
    if (const auto *M = dyn_cast<MaterializeTemporaryExpr>(E)) E = M->getSubExpr();
    else if (const auto *B = dyn_cast<CXXBindTemporaryExpr>(E)) E = B->getSubExpr();
    else if (const auto *C = dyn_cast<ExprWithCleanups>(E)) E = C->getSubExpr();
    else if (const auto *F = dyn_cast<CXXFunctionalCastExpr>(E)) E = F->getSubExpr();
    else if (const auto *K = dyn_cast<CXXConstructExpr>(E); K && K->getNumArgs() >= 1 &&
             !isa<CXXTemporaryObjectExpr>(K))
      E = K->getArg(0);
    else
      break;
  }
  return E;
}

bool isStdMove(const Expr *E) {
  const auto *Call = dyn_cast<CallExpr>(E);
  if (!Call || Call->getNumArgs() != 1) return false;
  const FunctionDecl *FD = Call->getDirectCallee();
  return FD && FD->isInStdNamespace() && FD->getIdentifier() &&
         (FD->getName() == "move" || FD->getName() == "forward");
}

const VarDecl *varOf(const Expr *E) {
  if (const auto *D = dyn_cast_or_null<DeclRefExpr>(E)) return dyn_cast<VarDecl>(D->getDecl());
  return nullptr;
}

// A store: the value of `Value` (a local handle) goes into `Field` ("" for the elements of
// the object itself) of the object that `Receiver` (a local handle) refers to.
struct StoreSite {
  const VarDecl *Receiver = nullptr;
  std::string Field;
  bool SingleValued = false;  // a plain handle field: a new value replaces the old
  const Expr *Value = nullptr;  // null: the field is cleared
  const Expr *At = nullptr;
};

class FunctionWalker {
 public:
  FunctionWalker(ExtractContext &Context, const FunctionDecl *FD)
      : X(Context), Rules(Context.rules()), Fn(FD) {}

  void run() {
    for (const ParmVarDecl *P : Fn->parameters())
      if (strongHandle(Rules, P->getType())) newObject(P);
    walk(Fn->getBody());
    report();
  }

 private:
  struct Object {
    std::string Type;  // the pointee type
    std::string Name;  // the local that first held it
  };
  struct Edge {
    int From, To;
    std::string Field;
    SourcePos Pos;
    std::string Text;
    const HandleFamily *Family;
    bool Live = true;
  };

  void walk(const Stmt *S) {
    if (!S || isa<LambdaExpr>(S)) return;  // a lambda body runs later, if at all
    if (const auto *DS = dyn_cast<DeclStmt>(S)) {
      for (const Decl *D : DS->decls())
        if (const auto *V = dyn_cast<VarDecl>(D)) {
          if (V->hasInit()) walk(V->getInit());
          if (strongHandle(Rules, V->getType())) bind(V, V->getInit());
        }
      applyMoves();
      return;
    }
    for (const Stmt *Child : S->children()) {
      walk(Child);
      // A handle moved from in a statement is empty once the statement is done.
      if (!isa<Expr>(S)) applyMoves();
    }
    if (const auto *E = dyn_cast<Expr>(S)) visitExpr(E);
  }

  void applyMoves() {
    Moved.insert(PendingMoves.begin(), PendingMoves.end());
    PendingMoves.clear();
  }

  void visitExpr(const Expr *E) {
    // `a = b`, `a = make<T>()`, `a = std::move(b)` on locals.
    if (auto [L, R] = assignment(E); L) {
      if (const VarDecl *V = varOf(strip(L)); V && strongHandle(Rules, V->getType())) {
        bind(V, R);
        return;
      }
      if (auto Site = fieldTarget(L)) {
        Site->Value = isNullValue(R) ? nullptr : R;
        Site->At = E;
        store(*Site);
      }
      return;
    }
    if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E)) memberCall(Call);
    if (isStdMove(E))
      if (const VarDecl *V = varOf(strip(cast<CallExpr>(E)->getArg(0)))) PendingMoves.push_back(V);
  }

  static std::pair<const Expr *, const Expr *> assignment(const Expr *E) {
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E); Op && Op->getOperator() == OO_Equal && Op->getNumArgs() == 2)
      return {Op->getArg(0), Op->getArg(1)};
    if (const auto *B = dyn_cast<BinaryOperator>(E); B && B->getOpcode() == BO_Assign)
      return {B->getLHS(), B->getRHS()};
    return {nullptr, nullptr};
  }

  static bool isNullValue(const Expr *E) {
    E = strip(E);
    if (!E) return true;
    if (isa<CXXNullPtrLiteralExpr>(E) || isa<GNUNullExpr>(E)) return true;
    if (const auto *C = dyn_cast<CXXConstructExpr>(E)) return C->getNumArgs() == 0;
    if (const auto *L = dyn_cast<InitListExpr>(E)) return L->getNumInits() == 0;
    return false;
  }

  // The local handle whose object `E` denotes: `a` in `a->f`, `(*a).f`, `a.get()->f`.
  const VarDecl *receiver(const Expr *E) {
    E = E ? E->IgnoreParenImpCasts() : nullptr;
    if (const auto *Op = dyn_cast_or_null<CXXOperatorCallExpr>(E);
        Op && (Op->getOperator() == OO_Arrow || Op->getOperator() == OO_Star) && Op->getNumArgs() >= 1)
      return handleVar(Op->getArg(0));
    if (const auto *Call = dyn_cast_or_null<CXXMemberCallExpr>(E);
        Call && Call->getMethodDecl() && Call->getMethodDecl()->getIdentifier() &&
        Call->getMethodDecl()->getName() == "get")
      return handleVar(Call->getImplicitObjectArgument());
    if (const auto *U = dyn_cast_or_null<UnaryOperator>(E); U && U->getOpcode() == UO_Deref)
      return receiver(U->getSubExpr());
    return nullptr;
  }

  const VarDecl *handleVar(const Expr *E) {
    const VarDecl *V = varOf(E ? E->IgnoreParenImpCasts() : nullptr);
    return V && strongHandle(Rules, V->getType()) ? V : nullptr;
  }

  // `a->f`, `a->f[k]`, `(*a)[k]`: where an assignment stores.
  std::optional<StoreSite> fieldTarget(const Expr *L) {
    L = L->IgnoreParenImpCasts();
    if (const auto *M = dyn_cast<MemberExpr>(L)) {
      const auto *FD = dyn_cast<FieldDecl>(M->getMemberDecl());
      const VarDecl *R = receiver(M->getBase());
      if (!FD || !R || !holdsStrong(Rules, FD->getType())) return std::nullopt;
      StoreSite S;
      S.Receiver = R;
      S.Field = FD->getName().str();
      S.SingleValued = strongHandle(Rules, FD->getType()) != nullptr;
      return S;
    }
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(L); Op && Op->getOperator() == OO_Subscript) {
      if (auto S = containerOf(Op->getArg(0))) return S;
    }
    return std::nullopt;
  }

  // `a->kids` or `*a` / `a->` as a container that holds strong handles.
  std::optional<StoreSite> containerOf(const Expr *E) {
    E = E->IgnoreParenImpCasts();
    StoreSite S;
    if (const auto *M = dyn_cast<MemberExpr>(E)) {
      const auto *FD = dyn_cast<FieldDecl>(M->getMemberDecl());
      S.Receiver = receiver(M->getBase());
      if (!FD || !S.Receiver || !holdsStrong(Rules, FD->getType())) return std::nullopt;
      S.Field = FD->getName().str();
      return S;
    }
    S.Receiver = receiver(E);
    if (!S.Receiver) return std::nullopt;
    QualType Pointee = pointee(S.Receiver);
    if (!holdsStrong(Rules, Pointee)) return std::nullopt;
    return S;  // the object itself is the container: its elements
  }

  QualType pointee(const VarDecl *V) {
    const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
        V->getType().getCanonicalType()->getAsCXXRecordDecl());
    if (!Spec || Spec->getTemplateArgs().size() == 0 ||
        Spec->getTemplateArgs()[0].getKind() != TemplateArgument::Type)
      return QualType();
    return Spec->getTemplateArgs()[0].getAsType();
  }

  void memberCall(const CXXMemberCallExpr *Call) {
    const CXXMethodDecl *M = Call->getMethodDecl();
    if (!M || !M->getIdentifier()) return;
    llvm::StringRef Name = M->getName();
    const Expr *Self = Call->getImplicitObjectArgument();
    static const std::set<llvm::StringRef> Adds = {"push_back", "emplace_back", "push_front", "emplace_front",
                                                   "insert", "emplace", "insert_or_assign", "try_emplace",
                                                   "push", "emplace_hint"};
    static const std::set<llvm::StringRef> Clears = {"clear", "reset"};
    if (Adds.count(Name) || Clears.count(Name)) {
      std::optional<StoreSite> Site;
      if (Name == "reset") {
        // a->next.reset(): the field is a handle.
        if (const auto *ME = dyn_cast<MemberExpr>(Self->IgnoreParenImpCasts())) {
          const auto *FD = dyn_cast<FieldDecl>(ME->getMemberDecl());
          const VarDecl *R = receiver(ME->getBase());
          if (FD && R) Site = StoreSite{R, FD->getName().str(), true, nullptr, Call};
        }
      } else {
        Site = containerOf(Self);
      }
      if (!Site) return;
      Site->At = Call;
      if (Clears.count(Name)) {
        Site->Value = nullptr;
        store(*Site);
        return;
      }
      for (const Expr *Arg : Call->arguments())
        if (varOf(strip(Arg))) {
          Site->Value = Arg;
          store(*Site);
        }
      return;
    }
    // A setter of the pointee: its body stores a parameter into a field of *this.
    const VarDecl *R = receiver(Self);
    const FunctionDecl *Def = nullptr;
    if (!R || !M->hasBody(Def) || !Def->getBody() || M->isStatic()) return;
    for (const Stmt *S : Def->getBody()->children()) {
      const auto *E = dyn_cast<Expr>(S);
      if (!E) continue;
      auto [L, V] = assignment(strip(E));
      if (!L) continue;
      const auto *ME = dyn_cast<MemberExpr>(L->IgnoreParenImpCasts());
      if (!ME || !isa<CXXThisExpr>(ME->getBase()->IgnoreParenImpCasts())) continue;
      const auto *FD = dyn_cast<FieldDecl>(ME->getMemberDecl());
      const Expr *Stored = strip(V);
      if (Stored && isStdMove(Stored)) Stored = strip(cast<CallExpr>(Stored)->getArg(0));
      const auto *Param = dyn_cast_or_null<ParmVarDecl>(varOf(Stored));
      if (!FD || !Param || !holdsStrong(Rules, FD->getType())) continue;
      unsigned Index = Param->getFunctionScopeIndex();
      if (Index >= Call->getNumArgs()) continue;
      store(StoreSite{R, FD->getName().str(), strongHandle(Rules, FD->getType()) != nullptr,
                      Call->getArg(Index), Call});
    }
  }

  int newObject(const VarDecl *V) {
    QualType P = pointee(V);
    Objects.push_back(Object{P.isNull() ? std::string("?") : X.nameOf(P), V->getName().str()});
    int Id = static_cast<int>(Objects.size()) - 1;
    ObjectOf[V] = Id;
    Moved.erase(V);
    return Id;
  }

  // `V = Init`: the object of another local, or a new one.
  void bind(const VarDecl *V, const Expr *Init) {
    const Expr *S = strip(Init);
    bool FromMove = S && isStdMove(S);
    if (FromMove) S = strip(cast<CallExpr>(S)->getArg(0));
    const VarDecl *From = varOf(S);
    if (From && From != V && ObjectOf.count(From) && !Moved.count(From)) {
      ObjectOf[V] = ObjectOf[From];
      Moved.erase(V);
      if (FromMove) Moved.insert(From);
      return;
    }
    if (!Init || isNullValue(Init)) {
      ObjectOf[V] = -1;
      Moved.insert(V);
      return;
    }
    newObject(V);
  }

  std::optional<int> objectOf(const VarDecl *V) {
    auto It = ObjectOf.find(V);
    if (It == ObjectOf.end() || Moved.count(V)) return std::nullopt;
    return It->second;
  }

  void store(const StoreSite &S) {
    std::optional<int> From = objectOf(S.Receiver);
    if (!From) return;
    if (S.SingleValued || !S.Value)
      for (Edge &E : Edges)
        if (E.From == *From && E.Field == S.Field) E.Live = false;
    if (!S.Value) return;
    const Expr *V = strip(S.Value);
    bool IsMove = V && isStdMove(V);
    if (IsMove) V = strip(cast<CallExpr>(V)->getArg(0));
    const VarDecl *ValueVar = varOf(V);
    if (!ValueVar) return;
    std::optional<int> To = objectOf(ValueVar);
    const HandleFamily *Fam = strongHandle(Rules, ValueVar->getType());
    if (!To || !Fam) return;
    SourceManager &SM = X.sources();
    std::string Text = Lexer::getSourceText(CharSourceRange::getTokenRange(S.At->getSourceRange()), SM,
                                            X.ast().getLangOpts())
                           .str();
    Edges.push_back(Edge{*From, *To, S.Field, X.pos(S.At->getBeginLoc()), Text, Fam, true});
    // Does the new edge close a loop? Find a path To ~> From over live edges.
    std::vector<int> Via = pathBetween(*To, *From);
    if (*To == *From || !Via.empty()) {
      std::vector<int> Cycle = Via;
      Cycle.push_back(static_cast<int>(Edges.size()) - 1);
      Candidates.push_back(Cycle);
    }
    if (IsMove) Moved.insert(ValueVar);
  }

  std::vector<int> pathBetween(int From, int To) {
    if (From == To) return {};
    std::map<int, int> Reached;  // object -> edge used to reach it
    std::vector<int> Queue{From};
    Reached[From] = -1;
    for (size_t I = 0; I < Queue.size(); ++I) {
      int O = Queue[I];
      for (int E = 0; E + 1 < static_cast<int>(Edges.size()); ++E) {
        if (!Edges[E].Live || Edges[E].From != O || Reached.count(Edges[E].To)) continue;
        Reached[Edges[E].To] = E;
        if (Edges[E].To == To) {
          std::vector<int> Path;
          for (int At = To; At != From; At = Edges[Reached[At]].From) Path.push_back(Reached[At]);
          std::reverse(Path.begin(), Path.end());
          return Path;
        }
        Queue.push_back(Edges[E].To);
      }
    }
    return {};
  }

  void report() {
    for (const std::vector<int> &Cycle : Candidates) {
      if (!std::all_of(Cycle.begin(), Cycle.end(), [&](int E) { return Edges[E].Live; })) continue;
      const Edge &Closing = Edges[Cycle.back()];
      // The id: the function and the stores' text (whitespace-normalized), not lines.
      std::vector<std::string> Texts, Key;
      for (int E : Cycle) {
        Texts.push_back(Edges[E].Text);
        std::string Compact = Edges[E].Text;
        std::erase_if(Compact, [](char C) { return std::isspace(static_cast<unsigned char>(C)); });
        Key.push_back(Objects[Edges[E].From].Type + "." + Edges[E].Field + " " + Compact);
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
      F.Rule = "cycle-instance";
      if (const RuleInfo *R = Rules.rule(F.Rule)) F.Level = R->Level;
      F.Pos = Closing.Pos;
      F.Message = "strong reference cycle formed by " + llvm::join(Texts, "; ") +
                  (Closing.Family->Collector
                       ? ": the objects stay alive until cyc::gc::collect()"
                       : ": the objects are never freed (" + Closing.Family->Strong.front() +
                             " has no cycle collector)");
      F.Id = makeFindingId(F.Rule, Key);
      for (int E : Cycle) {
        const Edge &Ed = Edges[E];
        PathStep S;
        S.Type = Objects[Ed.From].Type;
        S.Field = Ed.Field;
        S.Pos = Ed.Pos;
        std::string Into = Ed.Field.empty() ? "the elements of the object of '" + Objects[Ed.From].Name + "'"
                                            : "'" + Ed.Field + "' of the object of '" + Objects[Ed.From].Name + "'";
        S.Note = "'" + Ed.Text + "' stores a strong reference to the object of '" + Objects[Ed.To].Name +
                 "' in " + Into;
        F.Path.push_back(std::move(S));
      }
      X.out().Findings.push_back(std::move(F));
    }
  }

  ExtractContext &X;
  const RuleSet &Rules;
  const FunctionDecl *Fn;
  std::vector<Object> Objects;
  std::map<const VarDecl *, int> ObjectOf;
  std::set<const VarDecl *> Moved;
  std::vector<const VarDecl *> PendingMoves;
  std::vector<Edge> Edges;
  std::vector<std::vector<int>> Candidates;
};

class FunctionCollector : public MatchFinder::MatchCallback {
 public:
  void run(const MatchFinder::MatchResult &Result) override {
    if (const auto *FD = Result.Nodes.getNodeAs<FunctionDecl>("fn"))
      if (!FD->isDependentContext() && FD->getBody()) Functions.push_back(FD);
  }
  std::vector<const FunctionDecl *> Functions;
};

}  // namespace

void runInstanceCheck(ExtractContext &X) {
  FunctionCollector Collector;
  MatchFinder Finder;
  Finder.addMatcher(functionDecl(isDefinition(), unless(isExpansionInSystemHeader())).bind("fn"), &Collector);
  Finder.matchAST(X.ast());
  for (const FunctionDecl *FD : Collector.Functions) FunctionWalker(X, FD).run();
}

}  // namespace cyclops
