// Abbreviate.cpp - template argument lists elided by depth.
#include "output/Abbreviate.h"

#include <algorithm>
#include <map>
#include <vector>

#include "llvm/ADT/StringExtras.h"

namespace cyclops {

namespace {

constexpr llvm::StringLiteral Ellipsis = "\xE2\x80\xA6";  // U+2026 HORIZONTAL ELLIPSIS

// A list whose contents are at most this long is kept whole: eliding it saves little, and
// short names (`cyc::Weak<Job>`) are what a reader acts on.
constexpr size_t ShortList = 24;

bool identifierChar(char C) { return llvm::isAlnum(C) || C == '_'; }

// Whether the '<' at I opens a template argument list (see abbreviateTypes).
bool opensList(llvm::StringRef S, size_t I, unsigned Depth) {
  if (I == 0 || I + 1 >= S.size()) return false;
  char Next = S[I + 1];
  if (Next == '<' || Next == '=' || Next == ' ') return false;
  char Before = S[I - 1];
  return identifierChar(Before) || (Before == '>' && Depth > 0);
}

// Whether the '>' at I closes the innermost open list.
bool closesList(llvm::StringRef S, size_t I, unsigned Depth) { return Depth > 0 && !(I > 0 && S[I - 1] == '-'); }

// For each '<' that opens a list, the index of the '>' that closes it; empty when a list is
// left open (a '<' that was not one after all).
std::map<size_t, size_t> matchLists(llvm::StringRef S) {
  std::map<size_t, size_t> Close;
  std::vector<size_t> Open;
  for (size_t I = 0; I < S.size(); ++I) {
    if (S[I] == '<' && opensList(S, I, static_cast<unsigned>(Open.size()))) Open.push_back(I);
    else if (S[I] == '>' && closesList(S, I, static_cast<unsigned>(Open.size()))) {
      Close[Open.back()] = I;
      Open.pop_back();
    }
  }
  if (!Open.empty()) Close.clear();
  return Close;
}

// S with the contents of every list opened at a depth above Keep replaced by the ellipsis
// (Keep 0 elides the contents of outermost lists), except short ones, kept whole.
std::string elideBelow(llvm::StringRef S, const std::map<size_t, size_t> &Close, unsigned Keep) {
  std::string Out;
  Out.reserve(S.size());
  unsigned Depth = 0;
  for (size_t I = 0; I < S.size(); ++I) {
    auto It = S[I] == '<' ? Close.find(I) : Close.end();
    if (It != Close.end() && Depth == Keep && It->second - I - 1 > ShortList) {
      Out += '<';
      Out += Ellipsis;
      Out += '>';
      I = It->second;
      continue;
    }
    if (It != Close.end()) ++Depth;
    else if (S[I] == '>' && closesList(S, I, Depth) && Depth > 0) --Depth;
    Out += S[I];
  }
  return Out;
}

// The deepest nesting of lists in S.
unsigned deepest(llvm::StringRef S, const std::map<size_t, size_t> &Close) {
  unsigned Depth = 0, Max = 0;
  for (size_t I = 0; I < S.size(); ++I) {
    if (S[I] == '<' && Close.count(I)) Max = std::max(Max, ++Depth);
    else if (S[I] == '>' && closesList(S, I, Depth)) --Depth;
  }
  return Max;
}

}  // namespace

std::string abbreviateTypes(llvm::StringRef Message, size_t Limit) {
  if (Message.size() <= Limit) return Message.str();
  std::map<size_t, size_t> Close = matchLists(Message);
  std::string Best = Message.str();
  for (unsigned Keep = deepest(Message, Close); Keep-- > 0;) {
    Best = elideBelow(Message, Close, Keep);
    if (Best.size() <= Limit) break;
  }
  return Best;
}

}  // namespace cyclops
