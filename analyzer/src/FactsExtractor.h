// FactsExtractor.h - the AST consumer that turns one translation unit into TUFacts.
#pragma once

#include <memory>

#include "Rules.h"
#include "TUFacts.h"

namespace clang {
class ASTConsumer;
}

namespace cyclops {

// Records (their strong and owning fields, bases, trace hooks) and the findings of the rules
// that need the AST are written to `Out` when the translation unit has been parsed without
// errors.
std::unique_ptr<clang::ASTConsumer> makeFactsConsumer(const RuleSet &Rules, TUFacts &Out);

}  // namespace cyclops
