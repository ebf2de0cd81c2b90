// Expectations.h - clang -verify style expectations written beside the analyzer's inputs.
//
//   code;  // expected-warning {{RULE: FRAGMENT}}
//   // expected-warning@+1 {{RULE: FRAGMENT}}      (also @-N; expected-error, expected-note)
//   // expected-no-diagnostics
#pragma once

#include <string>
#include <vector>

#include "rules/Finding.h"

namespace cyclops::test {

struct Expected {
  std::string File;      // absolute path
  unsigned Line = 0;     // where the finding is expected
  unsigned Written = 0;  // where the expectation is written
  std::string Severity;
  std::string Rule;
  std::string Fragment;
};

struct Expectations {
  std::vector<Expected> Items;
  std::vector<std::string> FilesWithoutDiagnostics;  // files marked expected-no-diagnostics
  std::vector<std::string> Errors;                    // malformed expectations
};

// Reads the expectations of one file (appending to `Into`).
void parseExpectations(const std::string &File, Expectations &Into);

struct MatchResult {
  unsigned Matched = 0;
  std::vector<Expected> Missing;  // expected, not reported
  std::vector<Finding> Extra;     // reported, not expected
};

MatchResult matchFindings(const Expectations &Expect, const std::vector<Finding> &Findings);

std::string describe(const Expected &E);
std::string describe(const Finding &F);

}  // namespace cyclops::test
