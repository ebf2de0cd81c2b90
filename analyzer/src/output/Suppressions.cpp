// Suppressions.cpp - reading ignore comments from the reported lines.
#include "output/Suppressions.h"

#include <map>
#include <cstring>
#include <memory>

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBuffer.h"

namespace cyclops {

namespace {

class LineReader {
 public:
  // The text of a 1-based line, or "" when the file or line does not exist.
  llvm::StringRef line(const std::string &File, unsigned Line) {
    auto It = Files.find(File);
    if (It == Files.end()) {
      Lines L;
      if (auto Buf = llvm::MemoryBuffer::getFile(File, /*IsText=*/true)) {
        L.Buffer = std::move(*Buf);
        llvm::SmallVector<llvm::StringRef> Split;
        L.Buffer->getBuffer().split(Split, '\n');
        L.Text.assign(Split.begin(), Split.end());
      }
      It = Files.emplace(File, std::move(L)).first;
    }
    const auto &Text = It->second.Text;
    return Line >= 1 && Line <= Text.size() ? Text[Line - 1] : llvm::StringRef();
  }

 private:
  struct Lines {
    std::unique_ptr<llvm::MemoryBuffer> Buffer;
    std::vector<llvm::StringRef> Text;
  };
  std::map<std::string, Lines> Files;
};

bool suppresses(llvm::StringRef Line, llvm::StringRef Rule) {
  while (true) {
    size_t At = Line.find("cyclops: ignore(");
    if (At == llvm::StringRef::npos) return false;
    Line = Line.drop_front(At + strlen("cyclops: ignore("));
    llvm::StringRef List = Line.take_until([](char C) { return C == ')'; });
    llvm::SmallVector<llvm::StringRef> Ids;
    List.split(Ids, ',');
    for (llvm::StringRef Id : Ids) {
      Id = Id.trim();
      Id.consume_front("cyclops-");
      if (Id == Rule || Id == "*") return true;
    }
  }
}

}  // namespace

unsigned applySuppressions(std::vector<Finding> &Findings) {
  LineReader Reader;
  size_t Before = Findings.size();
  std::erase_if(Findings, [&](const Finding &F) {
    return F.Pos.valid() && suppresses(Reader.line(F.Pos.File, F.Pos.Line), F.Rule);
  });
  return static_cast<unsigned>(Before - Findings.size());
}

}  // namespace cyclops
