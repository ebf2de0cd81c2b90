// FactsIO.cpp - facts files: TUFacts <-> JSON with llvm::json, a checksummed header, atomic
// writes.
#include "facts/FactsIO.h"

#include <algorithm>
#include <map>
#include <set>

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include "io/InputLimits.h"
#include "io/JsonInteger.h"
#include "io/OutputFile.h"

namespace cyclops {

namespace json = llvm::json;

namespace {

constexpr const char FormatName[] = "cyclops-facts";

std::string hex(std::uint64_t V) { return llvm::utohexstr(V, /*LowerCase=*/true, 16); }

// ---- writing ------------------------------------------------------------------------------

class Writer {
 public:
  json::Value pos(const SourcePos &P) {
    if (P.File.empty() && P.Line == 0) return nullptr;
    return json::Array{fileIndex(P.File), P.Line, P.Column};
  }

  json::Value edit(const TextEdit &E) { return json::Object{{"pos", pos(E.Pos)}, {"length", E.Length}, {"text", E.Text}}; }

  json::Value field(const FieldFact &F) {
    json::Array Edges;
    for (const FieldEdge &E : F.Edges)
      Edges.push_back(json::Object{{"target", E.Target},
                                   {"kind", E.Kind == EdgeKind::Strong ? "strong" : "owns"},
                                   {"family", E.Family},
                                   {"exact", E.Exact}});
    json::Object O{{"name", F.Name}, {"pos", pos(F.Pos)}, {"type", F.TypeSpelling}, {"edges", std::move(Edges)}};
    if (F.WeakFix) O["weak_fix"] = edit(*F.WeakFix);
    if (F.Erased) O["erased"] = true;
    return O;
  }

  json::Value hook(const TraceHookFact &H) {
    json::Object O{{"record", H.Record},
                   {"kind", static_cast<int>(H.Kind)},
                   {"pos", pos(H.Pos)},
                   {"fields", json::Array(H.TracedFields)},
                   {"opaque", H.Opaque}};
    if (H.MacroClose) O["macro_close"] = pos(*H.MacroClose);
    return O;
  }

  json::Value record(const RecordFact &R) {
    json::Array Fields;
    for (const FieldFact &F : R.Fields) Fields.push_back(field(F));
    json::Object O{{"name", R.Name},
                   {"pos", pos(R.Pos)},
                   {"bases", json::Array(R.Bases)},
                   {"fields", std::move(Fields)},
                   {"synthetic", R.Synthetic}};
    if (R.Hook) O["hook"] = hook(*R.Hook);
    if (R.InsertHookAt)
      O["insert_hook"] = json::Object{
          {"pos", pos(R.InsertHookAt->Pos)}, {"own_line", R.InsertHookAt->OwnLine}, {"indent", R.InsertHookAt->Indent}};
    return O;
  }

  json::Value finding(const Finding &F) {
    json::Array Path;
    for (const PathStep &S : F.Path) {
      json::Array Via;
      for (const StepNote &N : S.Via) Via.push_back(json::Object{{"pos", pos(N.Pos)}, {"note", N.Note}});
      Path.push_back(json::Object{
          {"type", S.Type}, {"field", S.Field}, {"pos", pos(S.Pos)}, {"note", S.Note}, {"via", std::move(Via)}});
    }
    json::Array Fixes;
    for (const TextEdit &E : F.Fixes) Fixes.push_back(edit(E));
    return json::Object{{"rule", F.Rule},
                        {"level", static_cast<int>(F.Level)},
                        {"message", F.Message},
                        {"pos", pos(F.Pos)},
                        {"path", std::move(Path)},
                        {"fixes", std::move(Fixes)},
                        {"id", F.Id}};
  }

  json::Value fieldRef(const FieldRef &F) {
    return json::Object{{"holder", F.Holder},     {"field", F.Field},   {"pos", pos(F.Pos)}, {"type", F.Spelling},
                        {"handle", F.Handle},     {"family", F.Family}, {"callable", F.Callable},
                        {"strong", F.Strong}};
  }

  json::Value path(const std::vector<ObjectStep> &P) {
    json::Array Out;
    for (const ObjectStep &S : P) {
      json::Object O{{"kind", static_cast<int>(S.K)}};
      if (S.K == ObjectStep::Accessor) {
        O["callee"] = S.Callee;
        O["virtual"] = S.Virtual;
      } else {
        O["field"] = fieldRef(S.Field);
      }
      Out.push_back(std::move(O));
    }
    return Out;
  }

  json::Value summary(const FunctionSummary &S) {
    json::Array Stores, Forwards, Parts, WrapsOf, Resets, Calls;
    for (const ParamStoreFact &St : S.Stores)
      Stores.push_back(json::Object{{"param", St.Param}, {"path", path(St.Path)}, {"at", pos(St.At)}});
    for (const ParamForwardFact &F : S.Forwards)
      Forwards.push_back(json::Object{{"param", F.Param},
                                      {"receiver", path(F.Receiver)},
                                      {"callee", F.Callee},
                                      {"virtual", F.Virtual},
                                      {"arg", F.Arg},
                                      {"at", pos(F.At)}});
    for (const auto &P : S.ReturnsPart) Parts.push_back(path(P));
    for (const WrapForwardFact &W : S.WrapsOf)
      WrapsOf.push_back(json::Object{{"param", W.Param}, {"callee", W.Callee}, {"arg", W.Arg}});
    for (const FieldResetFact &R : S.Resets) Resets.push_back(json::Object{{"path", path(R.Path)}, {"at", pos(R.At)}});
    for (const MemberCallFact &C : S.Calls)
      Calls.push_back(json::Object{{"receiver", path(C.Receiver)},
                                   {"callee", C.Callee},
                                   {"virtual", C.Virtual},
                                   {"at", pos(C.At)},
                                   {"of_this", C.OfThis},
                                   {"null_args", json::Array(C.NullArgs)}});
    return json::Object{{"id", S.Id},
                        {"name", S.Name},
                        {"class", S.Class},
                        {"overrides", json::Array(S.Overrides)},
                        {"stores", std::move(Stores)},
                        {"forwards", std::move(Forwards)},
                        {"returns_self", S.ReturnsSelf},
                        {"returns_self_of", json::Array(S.ReturnsSelfOf)},
                        {"returns_part", std::move(Parts)},
                        {"wraps", json::Array(S.Wraps)},
                        {"wraps_of", std::move(WrapsOf)},
                        {"deletes", json::Array(S.Deletes)},
                        {"resets", std::move(Resets)},
                        {"calls", std::move(Calls)}};
  }

  json::Value capture(const CaptureFact &C) {
    return json::Object{{"at", pos(C.At)},          {"function", C.Function},
                        {"closure", C.Closure},     {"text", C.Text},
                        {"local", C.Local},         {"root", C.Root},
                        {"root_type", C.RootType},  {"path", path(C.Path)},
                        {"setter", C.Setter},       {"setter_name", C.SetterName},
                        {"setter_virtual", C.SetterVirtual}, {"arg", C.Arg},
                        {"held", C.Held},           {"held_pos", pos(C.HeldPos)},
                        {"held_root", C.HeldRoot},  {"handle", C.Handle},
                        {"family", C.Family},       {"weak_handle", C.WeakHandle},
                        {"traced", C.Traced},       {"implicit", C.Implicit},
                        {"wrapped", C.Wrapped},     {"via", C.Via},
                        {"requires", json::Array(C.Requires)}};
  }

  json::Value typedStore(const TypedStoreFact &T) {
    return json::Object{{"holder", T.Holder}, {"field", T.Field},   {"callee", T.Callee},
                        {"arg", T.Arg},       {"stored", T.Stored}, {"strong", T.Strong},
                        {"family", T.Family}, {"fresh", T.Fresh},   {"at", pos(T.At)}};
  }

  json::Value paramPass(const ParamPassFact &P) {
    return json::Object{{"function", P.Function}, {"param", P.Param}, {"callee", P.Callee},
                        {"arg", P.Arg},           {"holder", P.Holder}, {"field", P.Field}};
  }

  json::Value strongUse(const StrongUseFact &U) {
    return json::Object{{"holder", U.Holder}, {"field", U.Field}, {"at", pos(U.At)}};
  }

  json::Array files() const { return json::Array(Files); }

 private:
  std::int64_t fileIndex(const std::string &File) {
    auto [It, New] = Index.try_emplace(File, Files.size());
    if (New) Files.push_back(File);
    return static_cast<std::int64_t>(It->second);
  }
  std::vector<std::string> Files;
  std::map<std::string, size_t> Index;
};

// ---- reading ------------------------------------------------------------------------------

// Reads with a json::Path root, so that an error names where in the facts it is.
class Reader {
 public:
  explicit Reader(std::vector<std::string> Table) : Files(std::move(Table)) {}

  bool pos(const json::Value *V, SourcePos &Out, json::Path P) {
    if (!V || V->kind() == json::Value::Null) return true;
    const json::Array *A = V->getAsArray();
    if (!A || A->size() != 3) return P.report("expected [file, line, column]"), false;
    std::optional<std::int64_t> F = jsonInteger((*A)[0]), L = jsonInteger((*A)[1]), C = jsonInteger((*A)[2]);
    if (!F || !L || !C || *F < 0 || static_cast<size_t>(*F) >= Files.size() || *L < 0 || *C < 0)
      return P.report("bad position"), false;
    Out.File = Files[*F];
    Out.Line = static_cast<unsigned>(*L);
    Out.Column = static_cast<unsigned>(*C);
    return true;
  }

  // An integer member, read as ObjectMapper::map reads one but through jsonInteger.
  static bool integer(const json::Value &V, llvm::StringLiteral Key, std::int64_t &Out, json::Path P) {
    const json::Object *O = V.getAsObject();
    const json::Value *I = O ? O->get(Key) : nullptr;
    if (!I) return P.field(Key).report("missing value"), false;
    std::optional<std::int64_t> N = jsonInteger(*I);
    if (!N) return P.field(Key).report("expected integer"), false;
    Out = *N;
    return true;
  }

  bool edit(const json::Value &V, TextEdit &E, json::Path P) {
    json::ObjectMapper O(V, P);
    std::int64_t Length = 0;
    if (!O || !pos(V.getAsObject()->get("pos"), E.Pos, P.field("pos")) || !integer(V, "length", Length, P) ||
        !O.map("text", E.Text))
      return false;
    if (Length < 0) return P.field("length").report("negative length"), false;
    E.Length = static_cast<unsigned>(Length);
    return true;
  }

  bool field(const json::Value &V, FieldFact &F, json::Path P) {
    json::ObjectMapper O(V, P);
    if (!O || !O.map("name", F.Name) || !pos(V.getAsObject()->get("pos"), F.Pos, P.field("pos")) ||
        !O.map("type", F.TypeSpelling))
      return false;
    const json::Array *Edges = V.getAsObject()->getArray("edges");
    // A json::Path points to its parent: every level an error may name is a variable, never
    // a temporary that is gone by the time a nested value is reported.
    json::Path EdgesP = P.field("edges");
    if (!Edges) return EdgesP.report("expected an array"), false;
    for (size_t I = 0; I < Edges->size(); ++I) {
      json::Path EP = EdgesP.index(I);
      json::ObjectMapper EO((*Edges)[I], EP);
      FieldEdge E;
      std::string Kind;
      if (!EO || !EO.map("target", E.Target) || !EO.map("kind", Kind) || !EO.map("family", E.Family) ||
          !EO.map("exact", E.Exact))
        return false;
      if (Kind != "strong" && Kind != "owns") return EP.field("kind").report("expected strong or owns"), false;
      E.Kind = Kind == "strong" ? EdgeKind::Strong : EdgeKind::Owns;
      F.Edges.push_back(std::move(E));
    }
    if (const json::Value *Fix = V.getAsObject()->get("weak_fix")) {
      F.WeakFix.emplace();
      if (!edit(*Fix, *F.WeakFix, P.field("weak_fix"))) return false;
    }
    if (const json::Value *Erased = V.getAsObject()->get("erased")) {
      std::optional<bool> B = Erased->getAsBoolean();
      if (!B) return P.field("erased").report("expected a boolean"), false;
      F.Erased = *B;
    }
    return true;
  }

  bool hook(const json::Value &V, TraceHookFact &H, json::Path P) {
    json::ObjectMapper O(V, P);
    std::int64_t Kind = 0;
    if (!O || !O.map("record", H.Record) || !integer(V, "kind", Kind, P) ||
        !pos(V.getAsObject()->get("pos"), H.Pos, P.field("pos")) || !O.map("fields", H.TracedFields) ||
        !O.map("opaque", H.Opaque))
      return false;
    if (Kind < 0 || Kind > static_cast<int>(HookKind::Adl)) return P.field("kind").report("bad hook kind"), false;
    H.Kind = static_cast<HookKind>(Kind);
    if (const json::Value *Close = V.getAsObject()->get("macro_close")) {
      H.MacroClose.emplace();
      if (!pos(Close, *H.MacroClose, P.field("macro_close"))) return false;
    }
    return true;
  }

  bool record(const json::Value &V, RecordFact &R, json::Path P) {
    json::ObjectMapper O(V, P);
    if (!O || !O.map("name", R.Name) || !pos(V.getAsObject()->get("pos"), R.Pos, P.field("pos")) ||
        !O.map("bases", R.Bases) || !O.map("synthetic", R.Synthetic))
      return false;
    const json::Array *Fields = V.getAsObject()->getArray("fields");
    if (!Fields) return P.field("fields").report("expected an array"), false;
    R.Fields.resize(Fields->size());
    for (size_t I = 0; I < Fields->size(); ++I)
      if (!field((*Fields)[I], R.Fields[I], P.field("fields").index(I))) return false;
    if (const json::Value *H = V.getAsObject()->get("hook")) {
      R.Hook.emplace();
      if (!hook(*H, *R.Hook, P.field("hook"))) return false;
    }
    if (const json::Value *H = V.getAsObject()->get("insert_hook")) {
      json::Path HP = P.field("insert_hook");
      json::ObjectMapper HO(*H, HP);
      R.InsertHookAt.emplace();
      if (!HO || !pos(H->getAsObject()->get("pos"), R.InsertHookAt->Pos, HP.field("pos")) ||
          !HO.map("own_line", R.InsertHookAt->OwnLine) || !HO.map("indent", R.InsertHookAt->Indent))
        return false;
    }
    return true;
  }

  bool fieldRef(const json::Value &V, FieldRef &F, json::Path P) {
    json::ObjectMapper O(V, P);
    return O && O.map("holder", F.Holder) && O.map("field", F.Field) &&
           pos(V.getAsObject()->get("pos"), F.Pos, P.field("pos")) && O.map("type", F.Spelling) &&
           O.map("handle", F.Handle) && O.map("family", F.Family) && O.map("callable", F.Callable) &&
           O.map("strong", F.Strong);
  }

  bool path(const json::Value *V, std::vector<ObjectStep> &Out, json::Path P) {
    const json::Array *A = V ? V->getAsArray() : nullptr;
    if (!A) return P.report("expected an array"), false;
    for (size_t I = 0; I < A->size(); ++I) {
      json::Path SP = P.index(I);
      json::ObjectMapper O((*A)[I], SP);
      std::int64_t Kind = 0;
      if (!O || !integer((*A)[I], "kind", Kind, SP)) return false;
      if (Kind < 0 || Kind > ObjectStep::Accessor) return SP.field("kind").report("bad step kind"), false;
      ObjectStep S;
      S.K = static_cast<ObjectStep::Kind>(Kind);
      if (S.K == ObjectStep::Accessor) {
        if (!O.map("callee", S.Callee) || !O.map("virtual", S.Virtual)) return false;
      } else {
        const json::Value *F = (*A)[I].getAsObject()->get("field");
        if (!F) return SP.field("field").report("missing value"), false;
        if (!fieldRef(*F, S.Field, SP.field("field"))) return false;
      }
      Out.push_back(std::move(S));
    }
    return true;
  }

  bool index(const json::Value &V, llvm::StringLiteral Key, unsigned &Out, json::Path P) {
    std::int64_t N = 0;
    if (!integer(V, Key, N, P)) return false;
    if (N < 0 || N > ResultSlot) return P.field(Key).report("out of range"), false;
    Out = static_cast<unsigned>(N);
    return true;
  }

  template <class T, class F>
  bool each(const json::Object &O, llvm::StringLiteral Key, std::vector<T> &Out, json::Path P, F Read) {
    const json::Array *A = O.getArray(Key);
    json::Path AP = P.field(Key);
    if (!A) return AP.report("expected an array"), false;
    Out.resize(A->size());
    for (size_t I = 0; I < A->size(); ++I)
      if (!Read((*A)[I], Out[I], AP.index(I))) return false;
    return true;
  }

  bool summary(const json::Value &V, FunctionSummary &S, json::Path P) {
    json::ObjectMapper O(V, P);
    if (!O || !O.map("id", S.Id) || !O.map("name", S.Name) || !O.map("class", S.Class) ||
        !O.map("overrides", S.Overrides) || !O.map("returns_self", S.ReturnsSelf) ||
        !O.map("returns_self_of", S.ReturnsSelfOf) || !O.map("deletes", S.Deletes))
      return false;
    const json::Object &Obj = *V.getAsObject();
    return each(Obj, "stores", S.Stores, P,
                [&](const json::Value &E, ParamStoreFact &St, json::Path EP) {
                  return index(E, "param", St.Param, EP) && path(E.getAsObject()->get("path"), St.Path, EP.field("path")) &&
                         pos(E.getAsObject()->get("at"), St.At, EP.field("at"));
                }) &&
           each(Obj, "forwards", S.Forwards, P,
                [&](const json::Value &E, ParamForwardFact &F, json::Path EP) {
                  json::ObjectMapper EO(E, EP);
                  return EO && index(E, "param", F.Param, EP) &&
                         path(E.getAsObject()->get("receiver"), F.Receiver, EP.field("receiver")) &&
                         EO.map("callee", F.Callee) && EO.map("virtual", F.Virtual) && index(E, "arg", F.Arg, EP) &&
                         pos(E.getAsObject()->get("at"), F.At, EP.field("at"));
                }) &&
           each(Obj, "returns_part", S.ReturnsPart, P,
                [&](const json::Value &E, std::vector<ObjectStep> &Part, json::Path EP) { return path(&E, Part, EP); }) &&
           each(Obj, "wraps", S.Wraps, P,
                [&](const json::Value &E, unsigned &W, json::Path EP) {
                  std::optional<std::int64_t> N = jsonInteger(E);
                  if (!N || *N < 0 || *N > 1024) return EP.report("expected a parameter index"), false;
                  W = static_cast<unsigned>(*N);
                  return true;
                }) &&
           each(Obj, "wraps_of", S.WrapsOf, P,
                [&](const json::Value &E, WrapForwardFact &W, json::Path EP) {
                  json::ObjectMapper EO(E, EP);
                  return EO && index(E, "param", W.Param, EP) && EO.map("callee", W.Callee) &&
                         index(E, "arg", W.Arg, EP);
                }) &&
           each(Obj, "resets", S.Resets, P,
                [&](const json::Value &E, FieldResetFact &R, json::Path EP) {
                  json::ObjectMapper EO(E, EP);
                  return EO && path(E.getAsObject()->get("path"), R.Path, EP.field("path")) &&
                         pos(E.getAsObject()->get("at"), R.At, EP.field("at"));
                }) &&
           each(Obj, "calls", S.Calls, P, [&](const json::Value &E, MemberCallFact &C, json::Path EP) {
             json::ObjectMapper EO(E, EP);
             return EO && path(E.getAsObject()->get("receiver"), C.Receiver, EP.field("receiver")) &&
                    EO.map("callee", C.Callee) && EO.map("virtual", C.Virtual) &&
                    pos(E.getAsObject()->get("at"), C.At, EP.field("at")) && EO.map("of_this", C.OfThis) &&
                    each(*E.getAsObject(), "null_args", C.NullArgs, EP,
                         [&](const json::Value &N, unsigned &Out, json::Path NP) {
                           std::optional<std::int64_t> I = jsonInteger(N);
                           if (!I || *I < 0 || *I > 1024) return NP.report("expected an argument index"), false;
                           Out = static_cast<unsigned>(*I);
                           return true;
                         });
           });
  }

  bool capture(const json::Value &V, CaptureFact &C, json::Path P) {
    json::ObjectMapper O(V, P);
    const json::Object *Obj = V.getAsObject();
    return O && pos(Obj->get("at"), C.At, P.field("at")) && O.map("function", C.Function) &&
           O.map("closure", C.Closure) && O.map("text", C.Text) && O.map("local", C.Local) && O.map("root", C.Root) && O.map("root_type", C.RootType) &&
           path(Obj->get("path"), C.Path, P.field("path")) && O.map("setter", C.Setter) &&
           O.map("setter_name", C.SetterName) && O.map("setter_virtual", C.SetterVirtual) &&
           index(V, "arg", C.Arg, P) && O.map("held", C.Held) && pos(Obj->get("held_pos"), C.HeldPos, P.field("held_pos")) &&
           O.map("held_root", C.HeldRoot) && O.map("handle", C.Handle) && O.map("family", C.Family) &&
           O.map("weak_handle", C.WeakHandle) && O.map("traced", C.Traced) && O.map("implicit", C.Implicit) &&
           O.map("wrapped", C.Wrapped) && O.map("via", C.Via) && O.map("requires", C.Requires);
  }

  bool typedStore(const json::Value &V, TypedStoreFact &T, json::Path P) {
    json::ObjectMapper O(V, P);
    return O && O.map("holder", T.Holder) && O.map("field", T.Field) && O.map("callee", T.Callee) &&
           index(V, "arg", T.Arg, P) && O.map("stored", T.Stored) && O.map("strong", T.Strong) &&
           O.map("family", T.Family) && O.map("fresh", T.Fresh) && pos(V.getAsObject()->get("at"), T.At, P.field("at"));
  }

  bool paramPass(const json::Value &V, ParamPassFact &T, json::Path P) {
    json::ObjectMapper O(V, P);
    return O && O.map("function", T.Function) && index(V, "param", T.Param, P) && O.map("callee", T.Callee) &&
           index(V, "arg", T.Arg, P) && O.map("holder", T.Holder) && O.map("field", T.Field);
  }

  bool strongUse(const json::Value &V, StrongUseFact &U, json::Path P) {
    json::ObjectMapper O(V, P);
    return O && O.map("holder", U.Holder) && O.map("field", U.Field) && pos(V.getAsObject()->get("at"), U.At, P.field("at"));
  }

  bool finding(const json::Value &V, Finding &F, json::Path P) {
    json::ObjectMapper O(V, P);
    std::int64_t Level = 0;
    if (!O || !O.map("rule", F.Rule) || !integer(V, "level", Level, P) || !O.map("message", F.Message) ||
        !pos(V.getAsObject()->get("pos"), F.Pos, P.field("pos")) || !O.map("id", F.Id))
      return false;
    if (Level < 0 || Level > static_cast<int>(Severity::Error)) return P.field("level").report("bad level"), false;
    F.Level = static_cast<Severity>(Level);
    const json::Array *Path = V.getAsObject()->getArray("path");
    const json::Array *Fixes = V.getAsObject()->getArray("fixes");
    if (!Path || !Fixes) return P.report("expected path and fixes arrays"), false;
    json::Path PathP = P.field("path");  // outlives SP and VP, which point to it (see field)
    for (size_t I = 0; I < Path->size(); ++I) {
      json::Path SP = PathP.index(I);
      json::ObjectMapper SO((*Path)[I], SP);
      PathStep S;
      if (!SO || !SO.map("type", S.Type) || !SO.map("field", S.Field) ||
          !pos((*Path)[I].getAsObject()->get("pos"), S.Pos, SP.field("pos")) || !SO.map("note", S.Note))
        return false;
      const json::Array *Via = (*Path)[I].getAsObject()->getArray("via");
      json::Path ViaP = SP.field("via");
      if (!Via) return ViaP.report("expected an array"), false;
      for (size_t J = 0; J < Via->size(); ++J) {
        json::Path VP = ViaP.index(J);
        json::ObjectMapper VO((*Via)[J], VP);
        StepNote N;
        if (!VO || !pos((*Via)[J].getAsObject()->get("pos"), N.Pos, VP.field("pos")) || !VO.map("note", N.Note))
          return false;
        S.Via.push_back(std::move(N));
      }
      F.Path.push_back(std::move(S));
    }
    for (size_t I = 0; I < Fixes->size(); ++I) {
      TextEdit E;
      if (!edit((*Fixes)[I], E, P.field("fixes").index(I))) return false;
      F.Fixes.push_back(std::move(E));
    }
    return true;
  }

 private:
  std::vector<std::string> Files;
};

llvm::Error malformed(const llvm::Twine &What) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "not a valid cyclops facts file: " + What);
}

}  // namespace

std::uint64_t hashContent(llvm::StringRef Content) { return llvm::xxh3_64bits(Content); }

std::string serializeFacts(const TUFacts &Facts, llvm::StringRef Key) {
  Writer W;
  json::Array Inputs, Records, Hooks, Summaries, Captures, TypedStores, ParamPasses, StrongUses, Findings;
  for (const InputFile &I : Facts.Inputs) Inputs.push_back(json::Array{I.Path, hex(I.Hash)});
  for (const RecordFact &R : Facts.Records) Records.push_back(W.record(R));
  for (const TraceHookFact &H : Facts.AdlHooks) Hooks.push_back(W.hook(H));
  for (const FunctionSummary &S : Facts.Summaries) Summaries.push_back(W.summary(S));
  for (const CaptureFact &C : Facts.Captures) Captures.push_back(W.capture(C));
  for (const TypedStoreFact &T : Facts.TypedStores) TypedStores.push_back(W.typedStore(T));
  for (const ParamPassFact &P : Facts.ParamPasses) ParamPasses.push_back(W.paramPass(P));
  for (const StrongUseFact &U : Facts.StrongUses) StrongUses.push_back(W.strongUse(U));
  for (const Finding &F : Facts.Findings) Findings.push_back(W.finding(F));
  json::Object Body{{"main_file", Facts.MainFile},
                    {"inputs", std::move(Inputs)},
                    {"records", std::move(Records)},
                    {"adl_hooks", std::move(Hooks)},
                    {"summaries", std::move(Summaries)},
                    {"captures", std::move(Captures)},
                    {"typed_stores", std::move(TypedStores)},
                    {"param_passes", std::move(ParamPasses)},
                    {"strong_uses", std::move(StrongUses)},
                    {"findings", std::move(Findings)}};
  Body["files"] = W.files();  // last: the writer has seen every position by now
  std::string Text;
  llvm::raw_string_ostream(Text) << json::Value(std::move(Body));
  json::Object Header{{"format", FormatName},
                      {"version", FactsFormatVersion},
                      {"key", Key},
                      {"bytes", static_cast<std::int64_t>(Text.size())},
                      {"xxh3", hex(hashContent(Text))}};
  std::string Out;
  llvm::raw_string_ostream(Out) << json::Value(std::move(Header)) << "\n" << Text << "\n";
  return Out;
}

llvm::Expected<FactsFile> parseFacts(llvm::StringRef Text) {
  auto [HeaderLine, Rest] = Text.split('\n');
  llvm::Expected<json::Value> Header = parseJson(HeaderLine);
  if (!Header) {
    llvm::consumeError(Header.takeError());
    return malformed("no header line");
  }
  const json::Object *H = Header->getAsObject();
  if (!H || H->getString("format") != std::optional<llvm::StringRef>(FormatName)) return malformed("no header line");
  std::optional<std::int64_t> Version = jsonInteger(*H, "version");
  if (Version != FactsFormatVersion)
    return malformed(llvm::formatv("format version {0}, this cyclops reads version {1}",
                                   Version ? std::to_string(*Version) : "?", FactsFormatVersion));
  std::optional<std::int64_t> Bytes = jsonInteger(*H, "bytes");
  std::optional<llvm::StringRef> Hash = H->getString("xxh3");
  std::optional<llvm::StringRef> Key = H->getString("key");
  if (!Bytes || !Hash || !Key) return malformed("incomplete header");
  llvm::StringRef Body = Rest;
  Body.consume_back("\n");
  if (static_cast<std::int64_t>(Body.size()) != *Bytes)
    return malformed(llvm::formatv("{0} bytes of facts, the header says {1} (truncated?)", Body.size(), *Bytes));
  if (hex(hashContent(Body)) != *Hash) return malformed("checksum mismatch (damaged?)");

  llvm::Expected<json::Value> Value = parseJson(Body);
  if (!Value) return malformed(llvm::toString(Value.takeError()));
  const json::Object *O = Value->getAsObject();
  if (!O) return malformed("the facts are not an object");
  json::Path::Root Root("facts");
  json::Path P(Root);
  std::vector<std::string> Files;
  FactsFile Out;
  Out.Key = Key->str();
  TUFacts &F = Out.Facts;
  json::ObjectMapper M(*Value, P);
  bool Ok = M && M.map("files", Files) && M.map("main_file", F.MainFile);
  Reader R(std::move(Files));
  // The facts of code (summaries, captures, typed stores, parameter passes, strong uses) may be
  // left out: none.
  const std::set<llvm::StringRef> Optional{"summaries", "captures", "typed_stores", "param_passes",
                                              "strong_uses"};
  auto each = [&](llvm::StringRef Name, auto &&Fn) {
    if (!Ok) return;
    const json::Array *A = O->getArray(Name);
    if (!A && !O->get(Name) && Optional.count(Name)) return;
    if (!A) {
      P.field(Name).report("expected an array");
      Ok = false;
      return;
    }
    for (size_t I = 0; Ok && I < A->size(); ++I) Ok = Fn((*A)[I], P.field(Name).index(I));
  };
  each("inputs", [&](const json::Value &V, json::Path IP) {
    const json::Array *A = V.getAsArray();
    std::optional<llvm::StringRef> Path = A && A->size() == 2 ? (*A)[0].getAsString() : std::nullopt;
    std::optional<llvm::StringRef> Hex = A && A->size() == 2 ? (*A)[1].getAsString() : std::nullopt;
    InputFile In;
    if (!Path || !Hex || Hex->getAsInteger(16, In.Hash)) return IP.report("expected [path, hash]"), false;
    In.Path = Path->str();
    F.Inputs.push_back(std::move(In));
    return true;
  });
  each("records", [&](const json::Value &V, json::Path RP) {
    F.Records.emplace_back();
    return R.record(V, F.Records.back(), RP);
  });
  each("adl_hooks", [&](const json::Value &V, json::Path HP) {
    F.AdlHooks.emplace_back();
    return R.hook(V, F.AdlHooks.back(), HP);
  });
  each("summaries", [&](const json::Value &V, json::Path SP) {
    F.Summaries.emplace_back();
    return R.summary(V, F.Summaries.back(), SP);
  });
  each("captures", [&](const json::Value &V, json::Path CP) {
    F.Captures.emplace_back();
    return R.capture(V, F.Captures.back(), CP);
  });
  each("typed_stores", [&](const json::Value &V, json::Path TP) {
    F.TypedStores.emplace_back();
    return R.typedStore(V, F.TypedStores.back(), TP);
  });
  each("param_passes", [&](const json::Value &V, json::Path PP) {
    F.ParamPasses.emplace_back();
    return R.paramPass(V, F.ParamPasses.back(), PP);
  });
  each("strong_uses", [&](const json::Value &V, json::Path UP) {
    F.StrongUses.emplace_back();
    return R.strongUse(V, F.StrongUses.back(), UP);
  });
  each("findings", [&](const json::Value &V, json::Path FP) {
    F.Findings.emplace_back();
    return R.finding(V, F.Findings.back(), FP);
  });
  if (!Ok) return malformed(llvm::toString(Root.getError()));
  return Out;
}

llvm::Error writeFactsFile(llvm::StringRef Path, const TUFacts &Facts, llvm::StringRef Key) {
  if (llvm::Error E = createParentDirectories(Path)) return E;
  std::string Text = serializeFacts(Facts, Key);
  return writeOutputFile(Path, NonRegularFile::Refuse, [&](llvm::raw_ostream &OS) { OS << Text; });
}

llvm::Expected<FactsFile> readFactsFile(llvm::StringRef Path) {
  auto Buf = llvm::MemoryBuffer::getFile(Path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!Buf) return llvm::createStringError(Buf.getError(), "cannot read '" + Path + "': " + Buf.getError().message());
  llvm::Expected<FactsFile> F = parseFacts((*Buf)->getBuffer());
  if (!F) return llvm::createStringError(llvm::inconvertibleErrorCode(), Path + ": " + llvm::toString(F.takeError()));
  return F;
}

llvm::Expected<std::vector<std::string>> listFactsFiles(llvm::StringRef Dir) {
  if (!llvm::sys::fs::is_directory(Dir))
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "'" + Dir + "' is not a directory");
  std::vector<std::string> Out;
  std::error_code EC;
  for (llvm::sys::fs::recursive_directory_iterator It(Dir, EC), End; It != End && !EC; It.increment(EC))
    if (llvm::StringRef(It->path()).ends_with(FactsExtension) && It->type() != llvm::sys::fs::file_type::directory_file)
      Out.push_back(It->path());
  if (EC) return llvm::createStringError(EC, "cannot list '" + Dir + "': " + EC.message());
  std::sort(Out.begin(), Out.end());
  return Out;
}

}  // namespace cyclops
