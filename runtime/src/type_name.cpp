// type_name.cpp - demangling and tidying of type names.
#include "type_name.h"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <string_view>
#include <typeindex>
#include <unordered_map>

namespace cyc::detail {
namespace {

// Index just past the template argument list that starts at `open` (a '<').
std::size_t skip_brackets(const std::string& s, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open; i < s.size(); ++i) {
    if (s[i] == '<') ++depth;
    if (s[i] == '>' && --depth == 0) return i + 1;
  }
  return s.size();
}

// Removes every ", <prefix>...<...>" argument, e.g. ", std::allocator<int>".
void drop_argument(std::string& s, std::string_view prefix) {
  std::string needle = ", " + std::string(prefix);
  for (std::size_t at = s.find(needle); at != std::string::npos; at = s.find(needle, at)) {
    std::size_t open = s.find('<', at + needle.size() - 1);
    if (open == std::string::npos) break;
    s.erase(at, skip_brackets(s, open) - at);
  }
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

}  // namespace

std::string tidy_type_name(std::string s) {
  replace_all(s, "std::__cxx11::", "std::");
  replace_all(s, "std::basic_string<char, std::char_traits<char>, std::allocator<char> >", "std::string");
  replace_all(s, "std::basic_string<char, std::char_traits<char>, std::allocator<char>>", "std::string");
  drop_argument(s, "std::allocator<");
  drop_argument(s, "std::less<");
  drop_argument(s, "std::hash<");
  drop_argument(s, "std::equal_to<");
  drop_argument(s, "std::default_delete<");
  replace_all(s, "cyc::Handle<void>", "cyc::Handle<>");
  replace_all(s, "cyc::Weak<void>", "cyc::Weak<>");
  replace_all(s, " >", ">");
  return s;
}

const std::string& type_name(const std::type_info& type) {
  static std::mutex* mu = new std::mutex;
  static auto* cache = new std::unordered_map<std::type_index, std::string>;
  std::lock_guard<std::mutex> g(*mu);
  auto [it, inserted] = cache->try_emplace(std::type_index(type));
  if (inserted) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> d(abi::__cxa_demangle(type.name(), nullptr, nullptr, &status),
                                             std::free);
    it->second = tidy_type_name(status == 0 && d ? d.get() : type.name());
  }
  return it->second;
}

}  // namespace cyc::detail
