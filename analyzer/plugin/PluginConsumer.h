// PluginConsumer.h - the compiler plugin's AST consumer: the current translation unit's
// findings, reported through the compiler's own DiagnosticsEngine.
#pragma once

#include <memory>
#include <optional>

#include "config/Rules.h"
#include "frontends/CurrentTU.h"
#include "rules/Finding.h"

namespace clang {
class ASTConsumer;
class DiagnosticsEngine;
}  // namespace clang

namespace cyclops::plugin {

struct PluginOptions {
  RuleSet Rules;
  CurrentTUOptions Analysis;
  // Findings at or above this severity are reported as errors, so the compilation fails.
  std::optional<Severity> FailOn;
};

// A SemaConsumer: the compiler hands it its Sema (MultiplexConsumer forwards InitializeSema
// to plugins), so templates the translation unit only names are instantiated as in the CLI.
// Each finding is a warning (or error, or remark for severity `note`) ending in
// `[cyclops-RULE]`, with its fix-its, followed by a note per step of its cycle.
std::unique_ptr<clang::ASTConsumer> makePluginConsumer(clang::DiagnosticsEngine &Diags, PluginOptions Options);

}  // namespace cyclops::plugin
