// FieldUses.h - what function bodies do with fields, as cycle-type needs it (facts/CodeFacts.h):
//
//   typed stores  the values stored into fields (assignments, `reset(p)`, container adds,
//                 constructor initializers, default member initializers) and the arguments
//                 passed to functions, with the record their object is when the expression
//                 says more than the declaration: `child_ = std::make_shared<Leaf>()` into a
//                 `shared_ptr<Node>`, a payload into a type-erased holder. Also every freshly
//                 made object stored into a strong handle field (a weak handle there would
//                 free it at once). A function's result is one more place: `return
//                 std::make_shared<Leaf>()`.
//   param passes  a parameter, or a call's result, passed on to another function, to the
//                 result, or into a field: what typed arguments follow across functions.
//   strong uses   uses of strong handle fields that a weak handle could not serve: anything
//                 but assigning, resetting or locking it (trace hooks do not count).
//
// Template instantiations are read (that is where `Any(T)` stores an `Impl<T>`); system
// headers are not. One walk per function body; no state outlives the call.
#pragma once

namespace cyclops {

class ExtractContext;

// Appends the translation unit's typed stores and strong uses to X.out().
void extractFieldUses(ExtractContext &X);

}  // namespace cyclops
