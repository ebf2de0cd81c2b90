// JsonOutput.cpp - the JSON report, with llvm::json.
#include "Output.h"

#include "llvm/Support/FormatVariadic.h"

namespace cyclops {

llvm::json::Value toJson(const std::vector<Finding> &Findings) {
  llvm::json::Array List;
  for (const Finding &F : Findings) {
    llvm::json::Array Path;
    for (const PathStep &S : F.Path)
      Path.push_back(llvm::json::Object{{"type", S.Type},
                                        {"field", S.Field},
                                        {"file", S.Pos.File},
                                        {"line", static_cast<int64_t>(S.Pos.Line)}});
    List.push_back(llvm::json::Object{{"rule", F.Rule},
                                      {"severity", std::string(severityName(F.Level))},
                                      {"message", F.Message},
                                      {"file", F.Pos.File},
                                      {"line", static_cast<int64_t>(F.Pos.Line)},
                                      {"column", static_cast<int64_t>(F.Pos.Column)},
                                      {"id", F.Id},
                                      {"path", std::move(Path)}});
  }
  return llvm::json::Object{{"findings", std::move(List)}};
}

void writeJson(llvm::raw_ostream &OS, const std::vector<Finding> &Findings) {
  OS << llvm::formatv("{0:2}", toJson(Findings)) << "\n";
}

}  // namespace cyclops
