// FactsExtractor.h - the AST consumer that turns one translation unit into TUFacts.
#pragma once

#include <memory>

#include "config/Rules.h"
#include "facts/TUFacts.h"

namespace clang {
class ASTConsumer;
class ASTContext;
class Sema;
}

namespace cyclops {

// Records (their strong and owning fields, bases, trace hooks) and the findings of the rules
// that need the AST are written to `Out` when the translation unit has been parsed without
// errors.
std::unique_ptr<clang::ASTConsumer> makeFactsConsumer(const RuleSet &Rules, TUFacts &Out);

// The same work on a parsed translation unit, for front ends that own the consumer (the
// clang-tidy module, the compiler plugin). `S` instantiates class templates the translation
// unit only names; without it (null) such a template's fields are not seen. Does nothing when
// the translation unit has errors.
void extractFacts(clang::ASTContext &Ctx, clang::Sema *S, const RuleSet &Rules, TUFacts &Out);

}  // namespace cyclops
