// Finding.cpp - severities, stable finding ids, ordering.
#include "rules/Finding.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/SHA1.h"

namespace cyclops {

std::string_view severityName(Severity S) {
  switch (S) {
    case Severity::Note: return "note";
    case Severity::Warning: return "warning";
    case Severity::Error: return "error";
  }
  return "warning";
}

std::optional<Severity> parseSeverity(std::string_view Name) {
  if (Name == "note") return Severity::Note;
  if (Name == "warning") return Severity::Warning;
  if (Name == "error") return Severity::Error;
  return std::nullopt;
}

std::string makeFindingId(std::string_view Rule, const std::vector<std::string> &Key) {
  llvm::SHA1 Hash;
  Hash.update(llvm::StringRef(Rule.data(), Rule.size()));
  for (const std::string &Part : Key) {
    Hash.update("\n");
    Hash.update(Part);
  }
  std::array<uint8_t, 20> Digest = Hash.final();
  // 64 bits are plenty to tell findings of one project apart.
  return llvm::toHex(llvm::ArrayRef<uint8_t>(Digest.data(), 8), /*LowerCase=*/true);
}

void sortAndDedupe(std::vector<Finding> &Findings) {
  std::stable_sort(Findings.begin(), Findings.end(), [](const Finding &A, const Finding &B) {
    return std::tie(A.Pos.File, A.Pos.Line, A.Pos.Column, A.Rule, A.Id) <
           std::tie(B.Pos.File, B.Pos.Line, B.Pos.Column, B.Rule, B.Id);
  });
  // The same finding seen from several translation units (a header, an inline function) has
  // the same id and the same location. Ids leave lines and paths out, so two findings in
  // different files can share one (fb() in the anonymous namespace of two main.cpp files):
  // those are both kept.
  std::set<std::tuple<std::string, std::string, unsigned, unsigned>> Seen;
  std::erase_if(Findings, [&](const Finding &F) {
    return !Seen.insert({F.Id, F.Pos.File, F.Pos.Line, F.Pos.Column}).second;
  });
}

}  // namespace cyclops
