// TypeName.cpp - normalizes type names so that clang's and the demangler's spellings compare.
#include "confirm/TypeName.h"

#include <cctype>
#include <vector>

#include "llvm/ADT/StringExtras.h"

namespace cyclops::confirm {
namespace {

bool isWordChar(char C) { return std::isalnum(static_cast<unsigned char>(C)) || C == '_'; }

// Collapses whitespace: a single space survives only between two word characters.
std::string squeeze(llvm::StringRef S) {
  std::string Out;
  bool PendingSpace = false;
  for (char C : S) {
    if (std::isspace(static_cast<unsigned char>(C))) {
      PendingSpace = true;
      continue;
    }
    if (PendingSpace && !Out.empty() && isWordChar(Out.back()) && isWordChar(C)) Out += ' ';
    PendingSpace = false;
    Out += C;
  }
  return Out;
}

void replaceAll(std::string &S, llvm::StringRef From, llvm::StringRef To) {
  for (size_t At = S.find(From); At != std::string::npos; At = S.find(From, At + To.size()))
    S.replace(At, From.size(), To.str());
}

// Index of the '>' that closes the '<' at `Open`, or npos.
size_t closingAngle(llvm::StringRef S, size_t Open) {
  int Depth = 0;
  for (size_t I = Open; I < S.size(); ++I) {
    if (S[I] == '<')
      ++Depth;
    else if (S[I] == '>' && --Depth == 0)
      return I;
  }
  return llvm::StringRef::npos;
}

// Splits a template argument list at its top-level commas.
std::vector<llvm::StringRef> splitArguments(llvm::StringRef S) {
  std::vector<llvm::StringRef> Args;
  int Depth = 0;
  size_t Start = 0;
  for (size_t I = 0; I < S.size(); ++I) {
    char C = S[I];
    if (C == '<' || C == '(' || C == '[')
      ++Depth;
    else if (C == '>' || C == ')' || C == ']')
      --Depth;
    else if (C == ',' && Depth == 0) {
      Args.push_back(S.slice(Start, I));
      Start = I + 1;
    }
  }
  Args.push_back(S.substr(Start));
  return Args;
}

bool isDefaultArgument(llvm::StringRef Arg) {
  for (llvm::StringRef Prefix :
       {"std::allocator<", "std::char_traits<", "std::less<", "std::hash<", "std::equal_to<", "std::default_delete<"})
    if (Arg.starts_with(Prefix)) return true;
  return false;
}

// "4ul" -> "4": the demangler spells integral template arguments with their suffix.
std::string dropIntegerSuffix(llvm::StringRef Arg) {
  llvm::StringRef Digits = Arg;
  Digits.consume_front("-");
  size_t End = Digits.find_if_not([](char C) { return std::isdigit(static_cast<unsigned char>(C)); });
  if (End == 0 || End == llvm::StringRef::npos) return Arg.str();
  if (Digits.substr(End).find_if_not([](char C) { return C == 'u' || C == 'U' || C == 'l' || C == 'L'; }) !=
      llvm::StringRef::npos)
    return Arg.str();
  return Arg.drop_back(Digits.size() - End).str();
}

// "ns::f(int)::Local" -> "Local": cuts the name after its last top-level scope that is a
// function (a segment with a ')' that is not "(anonymous namespace)").
std::string dropFunctionScope(const std::string &S) {
  int Depth = 0;
  size_t SegmentStart = 0, Cut = 0;
  bool SegmentHasParen = false;
  for (size_t I = 0; I < S.size(); ++I) {
    char C = S[I];
    if (C == '<')
      ++Depth;
    else if (C == '>')
      --Depth;
    else if (Depth == 0 && C == ')')
      SegmentHasParen = true;
    else if (Depth == 0 && C == ':' && I + 1 < S.size() && S[I + 1] == ':') {
      if (SegmentHasParen && S[SegmentStart] != '(') Cut = I + 2;
      SegmentStart = I + 2;
      SegmentHasParen = false;
      ++I;
    }
  }
  return S.substr(Cut);
}

// Normalizes a name already squeezed and freed of inline namespaces.
std::string normalize(llvm::StringRef S) {
  S.consume_front("::");
  std::string Out;
  size_t I = 0;
  while (I < S.size()) {
    size_t Open = S.find('<', I);
    size_t Close = Open == llvm::StringRef::npos ? Open : closingAngle(S, Open);
    if (Close == llvm::StringRef::npos) {  // no (balanced) argument list left
      Out += S.substr(I).str();
      break;
    }
    Out += S.slice(I, Open + 1).str();
    llvm::StringRef Inner = S.slice(Open + 1, Close);
    if (!Inner.empty()) {
      std::vector<std::string> Kept;
      std::vector<llvm::StringRef> Args = splitArguments(Inner);
      for (size_t A = 0; A < Args.size(); ++A) {
        std::string Arg = dropIntegerSuffix(normalize(Args[A]));
        if (A > 0 && isDefaultArgument(Arg)) continue;
        Kept.push_back(std::move(Arg));
      }
      Out += llvm::join(Kept, ",");
    }
    Out += '>';
    I = Close + 1;
  }
  Out = dropFunctionScope(Out);
  if (Out == "std::basic_string<char>") return "std::string";
  if (Out == "cyc::Handle<void>") return "cyc::Handle<>";
  if (Out == "cyc::Weak<void>") return "cyc::Weak<>";
  return Out;
}

}  // namespace

std::string normalizeTypeName(llvm::StringRef Name) {
  std::string S = squeeze(Name);
  replaceAll(S, "std::__cxx11::", "std::");
  replaceAll(S, "std::__1::", "std::");
  replaceAll(S, "{anonymous}", "(anonymous namespace)");
  return normalize(S);
}

}  // namespace cyclops::confirm
