// Checks.h - the five cyclops clang-tidy checks, one per rule; CyclopsCheck does the work.
#pragma once

#include "CyclopsCheck.h"
#include "rules/RuleIds.h"

namespace cyclops::tidy {

// cyclops-cycle-instance: code that links objects into a strong cycle.
class CycleInstanceCheck : public CyclopsCheck {
 public:
  CycleInstanceCheck(llvm::StringRef Name, clang::tidy::ClangTidyContext *Ctx)
      : CyclopsCheck(Name, Ctx, ruleid::CycleInstance) {}
};

// cyclops-capture-cycle: a closure holding a strong handle to the object that stores it.
class CaptureCycleCheck : public CyclopsCheck {
 public:
  CaptureCycleCheck(llvm::StringRef Name, clang::tidy::ClangTidyContext *Ctx)
      : CyclopsCheck(Name, Ctx, ruleid::CaptureCycle) {}
};

// cyclops-untraced-field: a handle field its type's trace hook does not visit.
class UntracedFieldCheck : public CyclopsCheck {
 public:
  UntracedFieldCheck(llvm::StringRef Name, clang::tidy::ClangTidyContext *Ctx)
      : CyclopsCheck(Name, Ctx, ruleid::UntracedField) {}
};

// cyclops-missing-trace: a collectable type with handle fields and no trace hook.
class MissingTraceCheck : public CyclopsCheck {
 public:
  MissingTraceCheck(llvm::StringRef Name, clang::tidy::ClangTidyContext *Ctx)
      : CyclopsCheck(Name, Ctx, ruleid::MissingTrace) {}
};

// cyclops-cycle-type: types whose strong fields can form a cycle (across translation units
// with CyclopsFactsDir).
class CycleTypeCheck : public CyclopsCheck {
 public:
  CycleTypeCheck(llvm::StringRef Name, clang::tidy::ClangTidyContext *Ctx)
      : CyclopsCheck(Name, Ctx, ruleid::CycleType) {}
};

}  // namespace cyclops::tidy
