// ExtractContext.h - shared state of one translation unit's fact extraction: stable names,
// source positions, the records still to visit. Used by FactsExtractor.cpp (records and
// trace hooks), FieldClassifier.cpp (field types -> edges) and InstanceCheck.cpp.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include "config/Rules.h"
#include "facts/Facts.h"
#include "facts/TUFacts.h"

namespace clang {
class Sema;
}

namespace cyclops {

class ExtractContext {
 public:
  ExtractContext(clang::ASTContext &Ctx, clang::Sema *S, const RuleSet &Rules, TUFacts &Out);

  clang::ASTContext &ast() { return Ctx; }
  clang::SourceManager &sources() { return Ctx.getSourceManager(); }
  const RuleSet &rules() const { return Rules; }
  TUFacts &out() { return Out; }

  // The record's fully qualified name with template arguments, e.g. "app::Box<app::Node>".
  // Records only visible in this TU (anonymous namespace, local classes) get " @file".
  std::string nameOf(const clang::CXXRecordDecl *RD);
  // A type's fully qualified spelling (canonical), for synthetic records and messages.
  std::string nameOf(clang::QualType T);
  // The type as the user wrote it, for messages.
  std::string spelling(clang::QualType T);

  SourcePos pos(clang::SourceLocation Loc);
  std::string absolutePath(clang::FileID FID);

  // A record defined in user code (not a system header)?
  bool isUserRecord(const clang::CXXRecordDecl *RD);
  // Is D declared in user code (where its location expands, not in a system header)?
  bool inUserCode(const clang::Decl *D);

  // Makes sure a user record reached by an edge or as a base is visited: instantiates class
  // template specializations that this TU only names (a Handle<Box<T>> field needs Box<T>'s
  // fields) and queues the definition. Returns the definition, or null.
  const clang::CXXRecordDecl *require(const clang::CXXRecordDecl *RD, clang::SourceLocation Use);

  // Queues a record definition for extraction once.
  void enqueue(const clang::CXXRecordDecl *Def);
  const clang::CXXRecordDecl *nextPending();

  // A synthetic record for a library type reached through a strong handle, e.g. the
  // std::vector<cyc::Handle<>> behind Handle<std::vector<cyc::Handle<>>>. Returns its name.
  std::string synthesize(clang::QualType LibraryType, clang::SourceLocation Use);

 private:
  clang::ASTContext &Ctx;
  clang::Sema *SemaRef;
  const RuleSet &Rules;
  TUFacts &Out;
  clang::PrintingPolicy NamePolicy;
  clang::PrintingPolicy SpellPolicy;
  std::string MainFile;
  std::map<unsigned, std::string> PathCache;  // FileID hash -> absolute path
  std::set<const clang::CXXRecordDecl *> Queued;
  std::vector<const clang::CXXRecordDecl *> Pending;
  std::set<std::string> Synthesized;
};

// Calls Visit on every function with a body in user code (not in a system header), template
// instantiations included, in traversal order. A lambda's call operator is not one of them: its
// body is read with the function that contains it. What the extractions of function bodies
// (summaries, store facts, field uses) read.
void forEachUserFunction(ExtractContext &X, llvm::function_ref<void(const clang::FunctionDecl *)> Visit);

// FieldClassifier.cpp: the edges of a field's type, and the weak-handle fix-it.
void classifyField(ExtractContext &X, const clang::FieldDecl *FD, FieldFact &Out);
// The edges that a value of type T held by an object contributes (used for synthetic records);
// *Erased, when given, is set if T is or holds a type-erased holder.
void classifyType(ExtractContext &X, clang::QualType T, clang::SourceLocation Use,
                  std::vector<FieldEdge> &Out, bool *Erased = nullptr);

}  // namespace cyclops
