// CyclopsTidyModule.cpp - registers the cyclops checks with clang-tidy, which loads this
// shared object with `--load`.
//
// The clang::tidy classes used here (ClangTidyCheck, the module registry) are defined by the
// clang-tidy binary that loads us; this object leaves them undefined on purpose.
#include "ClangTidyModule.h"
#include "ClangTidyModuleRegistry.h"

#include "Checks.h"

namespace cyclops::tidy {

class CyclopsModule : public clang::tidy::ClangTidyModule {
 public:
  void addCheckFactories(clang::tidy::ClangTidyCheckFactories &Factories) override {
    Factories.registerCheck<CycleInstanceCheck>("cyclops-cycle-instance");
    Factories.registerCheck<CaptureCycleCheck>("cyclops-capture-cycle");
    Factories.registerCheck<UntracedFieldCheck>("cyclops-untraced-field");
    Factories.registerCheck<MissingTraceCheck>("cyclops-missing-trace");
    Factories.registerCheck<CycleTypeCheck>("cyclops-cycle-type");
  }
};

namespace {
clang::tidy::ClangTidyModuleRegistry::Add<CyclopsModule> Registration(
    "cyclops-module", "Strong reference cycles among refcounted handles.");
}  // namespace

}  // namespace cyclops::tidy
