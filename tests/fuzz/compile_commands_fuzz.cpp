// compile_commands_fuzz.cpp - compile_commands.json as `cyclops check -p` and `cyclops facts`
// load it (our checks, then clang's JSONCompilationDatabase), and the commands they take from
// it. loadCompilationDatabase reads a path, so each input is written to a scratch file first.
#include "FuzzSupport.h"
#include "extract/CompilationDb.h"

#include "clang/Tooling/CompilationDatabase.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  static cyclops::fuzz::ScratchFile File("compile_commands.json");
  auto DB = cyclops::loadCompilationDatabase(File.write(cyclops::fuzz::asText(Data, Size)));
  if (!cyclops::fuzz::succeeded(DB)) return 0;
  // Every file the database lists (no files named: the whole project), and its commands.
  cyclops::FileSelection Selection = cyclops::selectFiles(**DB, {});
  for (const std::string &F : Selection.Files) (void)(*DB)->getCompileCommands(F);
  return 0;
}
