// Summaries.h - the function summaries of one translation unit (facts/CodeFacts.h): for every
// function with a body in user code, what it stores from its parameters into parts of *this,
// what it passes on to other calls, and what it returns.
//
// A summary says only what the body does itself; calls are kept as calls (forwards, "of"
// lists) and closed over the whole program by program/Summaries.h. Stores inside lambdas
// count as the function's (`post([=] { cb_ = cb; })` stores cb later, but stores it).
#pragma once

namespace cyclops {

class ExtractContext;

// Appends the summaries of every function defined in the translation unit to X.out().Summaries.
void extractSummaries(ExtractContext &X);

}  // namespace cyclops
