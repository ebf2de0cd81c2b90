// CaptureStores.h - capture-cycle's extraction: in every function body (lambda bodies
// included), each closure handed to a store, with each strong handle it holds whose object the
// function knows, as a CaptureFact (facts/CodeFacts.h).
//
//   stores:   `obj->field = closure`, `obj->field[k] = closure`, `obj->fields.push_back(closure)`,
//             and `obj->set_cb(closure)` for any member function: its summary, from whatever
//             translation unit defines it, says where (and whether) it stores the argument;
//   closures: lambdas (copy captures, init-captures, what `[=]` captures because the body uses
//             it), binds (std::bind, boost::bind, bind_front...), cyc::closure, and callable
//             wrappers around any of these (HandleValues.h);
//   objects:  a local handle and its copies, a parameter, or *this; `obj` may be reached from
//             one through fields, owners, raw pointers and accessors (`state->socket()`).
//
// The decision (does the handle's object end up storing the closure?) is made on the merged
// program by CaptureCycleCheck.h.
#pragma once

namespace cyclops {

class ExtractContext;

// Appends the capture facts of every function defined in the translation unit to X.out().
void extractCaptureStores(ExtractContext &X);

}  // namespace cyclops
