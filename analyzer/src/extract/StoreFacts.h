// StoreFacts.h - the stores of every function body (lambda bodies included) as facts for the
// merged program (facts/CodeFacts.h, CaptureFact): each closure handed to a store with each
// strong handle it holds, and each strong handle stored as it is, whose objects the function
// knows. capture-cycle reads the closures, cycle-instance's cross-file part the handles.
//
//   stores:   `obj->field = v`, `obj->field[k] = v`, `obj->fields.push_back(v)`, and
//             `obj->set_cb(v)` for any member function: its summary, from whatever
//             translation unit defines it, says where (and whether) it stores the argument;
//   closures: lambdas (copy captures, init-captures, what `[=]` captures because the body uses
//             it), binds (std::bind, boost::bind, bind_front...), cyc::closure, and callable
//             wrappers around any of these (HandleValues.h);
//   objects:  a local handle and its copies, a parameter, or *this; `obj` may be reached from
//             one through fields, owners, raw pointers and accessors (`state->socket()`).
//
// Whether a store closes a cycle is decided on the merged program (program/StoreRings.h).
#pragma once

namespace cyclops {

class ExtractContext;

// Appends the capture facts of every function defined in the translation unit to X.out().
void extractStoreFacts(ExtractContext &X);

}  // namespace cyclops
