// bench_args.h - what the plain benchmark programs of bench/ (gc_bench, pause_bench) share:
// stopping with one line on stderr, and reading their positive integer arguments.
#pragma once

#include <cstddef>
#include <cstdio>
#include <cstdlib>

namespace bench {

// "PROGRAM: WHAT" on stderr, then exit with `status`.
[[noreturn]] inline void fail(const char* program, int status, const char* what) {
  std::fprintf(stderr, "%s: %s\n", program, what);
  std::exit(status);
}

// The argument S as a positive integer; anything else is fail(program, status, ...).
inline std::size_t positive_argument(const char* program, int status, const char* s) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s, &end, 10);
  if (!end || *end || v == 0) fail(program, status, "expected a positive integer argument");
  return static_cast<std::size_t>(v);
}

}  // namespace bench
