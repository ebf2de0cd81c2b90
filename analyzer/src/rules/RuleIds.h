// RuleIds.h - the id of every rule, written once. Everything else (the rules file's keys, the
// registration table, the findings, the clang-tidy check names) uses these constants.
#pragma once

#include "llvm/ADT/StringRef.h"

namespace cyclops::ruleid {

inline constexpr llvm::StringLiteral CycleInstance{"cycle-instance"};
inline constexpr llvm::StringLiteral CaptureCycle{"capture-cycle"};
inline constexpr llvm::StringLiteral CycleType{"cycle-type"};
inline constexpr llvm::StringLiteral UntracedField{"untraced-field"};
inline constexpr llvm::StringLiteral MissingTrace{"missing-trace"};

// Every rule of this version, in the order `cyclops rules` lists them.
inline constexpr llvm::StringLiteral All[] = {CycleInstance, CaptureCycle, CycleType, UntracedField,
                                              MissingTrace};

}  // namespace cyclops::ruleid
