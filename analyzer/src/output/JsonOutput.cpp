// JsonOutput.cpp - the JSON report, with llvm::json.
#include "output/Output.h"

#include "llvm/Support/FormatVariadic.h"

namespace cyclops {

namespace {

llvm::json::Array errorList(const std::vector<InputError> &Errors) {
  llvm::json::Array List;
  for (const InputError &E : Errors) List.push_back(llvm::json::Object{{"file", E.File}, {"message", E.Message}});
  return List;
}

llvm::json::Array truncationList(const std::vector<Truncation> &Truncated) {
  llvm::json::Array List;
  for (const Truncation &T : Truncated)
    List.push_back(llvm::json::Object{{"rule", T.Rule}, {"setting", T.Setting}, {"message", T.Message}});
  return List;
}

}  // namespace

llvm::json::Value toJson(const std::vector<Finding> &Findings, const BaselineSplit *Baseline,
                         const std::vector<InputError> &Errors, const std::vector<Truncation> &Truncated) {
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
  llvm::json::Object Report{{"findings", std::move(List)}};
  if (Baseline) {
    llvm::json::Array Unchanged, Absent;
    for (const Finding &F : Baseline->Unchanged) Unchanged.push_back(F.Id);
    for (const BaselineEntry &E : Baseline->Absent)
      Absent.push_back(llvm::json::Object{{"id", E.Id}, {"rule", E.Rule}, {"file", E.File}, {"message", E.Message}});
    Report["baseline"] = llvm::json::Object{
        {"file", Baseline->Path}, {"unchanged", std::move(Unchanged)}, {"absent", std::move(Absent)}};
  }
  if (!Errors.empty()) Report["errors"] = errorList(Errors);
  if (!Truncated.empty()) Report["truncated"] = truncationList(Truncated);
  return Report;
}

void writeJson(llvm::raw_ostream &OS, const std::vector<Finding> &Findings, const BaselineSplit *Baseline,
               const std::vector<InputError> &Errors, const std::vector<Truncation> &Truncated) {
  OS << llvm::formatv("{0:2}", toJson(Findings, Baseline, Errors, Truncated)) << "\n";
}

}  // namespace cyclops
