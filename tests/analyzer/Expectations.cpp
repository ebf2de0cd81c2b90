// Expectations.cpp - parsing expectations and matching them against findings.
#include "Expectations.h"

#include <regex>

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

namespace cyclops::test {

namespace {

std::string canonical(const std::string &Path) {
  llvm::SmallString<256> Real;
  if (llvm::sys::fs::real_path(Path, Real)) return Path;
  return std::string(Real);
}

}  // namespace

void parseExpectations(const std::string &File, Expectations &Into) {
  auto Buffer = llvm::MemoryBuffer::getFile(File, /*IsText=*/true);
  if (!Buffer) {
    Into.Errors.push_back(File + ": cannot read");
    return;
  }
  std::string Path = canonical(File);
  static const std::regex Directive(R"(expected-(warning|error|note)(@([+-]?)(\d+))?\s*\{\{(.*?)\}\})");
  llvm::SmallVector<llvm::StringRef> Lines;
  (*Buffer)->getBuffer().split(Lines, '\n');
  for (unsigned I = 0; I < Lines.size(); ++I) {
    std::string Line = Lines[I].str();
    unsigned LineNo = I + 1;
    if (Line.find("expected-no-diagnostics") != std::string::npos)
      Into.FilesWithoutDiagnostics.push_back(Path);
    for (auto It = std::sregex_iterator(Line.begin(), Line.end(), Directive); It != std::sregex_iterator(); ++It) {
      const std::smatch &M = *It;
      Expected E;
      E.File = Path;
      E.Written = LineNo;
      E.Severity = M[1];
      E.Line = LineNo;
      if (M[2].matched) {
        unsigned Offset = static_cast<unsigned>(std::stoul(M[4]));
        if (M[3] == "+") E.Line = LineNo + Offset;
        else if (M[3] == "-") E.Line = LineNo - Offset;
        else E.Line = Offset;  // @N: an absolute line
      }
      std::string Body = M[5];
      size_t Colon = Body.find(": ");
      if (Colon == std::string::npos) {
        Into.Errors.push_back(Path + ":" + std::to_string(LineNo) + ": expectation without 'rule: ' in {{" + Body + "}}");
        continue;
      }
      E.Rule = Body.substr(0, Colon);
      E.Fragment = Body.substr(Colon + 2);
      Into.Items.push_back(std::move(E));
    }
  }
}

MatchResult matchFindings(const Expectations &Expect, const std::vector<Finding> &Findings) {
  MatchResult R;
  std::vector<bool> Used(Findings.size(), false);
  std::vector<std::string> Files;
  for (const Finding &F : Findings) Files.push_back(canonical(F.Pos.File));
  for (const Expected &E : Expect.Items) {
    bool Found = false;
    for (size_t I = 0; I < Findings.size() && !Found; ++I) {
      const Finding &F = Findings[I];
      if (Used[I] || Files[I] != E.File || F.Pos.Line != E.Line || F.Rule != E.Rule ||
          severityName(F.Level) != E.Severity || F.Message.find(E.Fragment) == std::string::npos)
        continue;
      Used[I] = Found = true;
    }
    if (Found) ++R.Matched;
    else R.Missing.push_back(E);
  }
  for (size_t I = 0; I < Findings.size(); ++I)
    if (!Used[I]) R.Extra.push_back(Findings[I]);
  return R;
}

std::string describe(const Expected &E) {
  return llvm::sys::path::filename(E.File).str() + ":" + std::to_string(E.Line) + ": " + E.Severity + " {{" +
         E.Rule + ": " + E.Fragment + "}} (written on line " + std::to_string(E.Written) + ")";
}

std::string describe(const Finding &F) {
  return llvm::sys::path::filename(F.Pos.File).str() + ":" + std::to_string(F.Pos.Line) + ":" +
         std::to_string(F.Pos.Column) + ": " + std::string(severityName(F.Level)) + ": " + F.Message + " [" +
         F.Rule + "]";
}

}  // namespace cyclops::test
