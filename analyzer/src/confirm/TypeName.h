// TypeName.h - one spelling for a C++ type name, whether clang printed it (the analyzer's
// findings) or the demangler did (the collector's report).
#pragma once

#include <string>

#include "llvm/ADT/StringRef.h"

namespace cyclops::confirm {

// The form both sides are compared in. It
//  * drops whitespace except between two words ("unsigned long" keeps its space, "> >"
//    and ", " lose theirs) and a leading "::";
//  * drops the standard library's inline namespaces (std::__cxx11::, std::__1::);
//  * drops default-looking template arguments after the first: std::allocator<...>,
//    std::char_traits<...>, std::less<...>, std::hash<...>, std::equal_to<...>,
//    std::default_delete<...> (so std::vector<T, std::allocator<T>> is std::vector<T>);
//  * spells std::basic_string<char> as std::string, cyc::Handle<void> as cyc::Handle<>
//    and cyc::Weak<void> as cyc::Weak<>;
//  * drops integer suffixes of template arguments (std::array<int, 4ul> is
//    std::array<int,4>) and spells GCC's "{anonymous}" as "(anonymous namespace)";
//  * drops the enclosing function of a local class ("f()::Local" is "Local"), which the
//    demangler prints and clang does not.
// The result is for comparison, not for display. Linear in the length of the name times
// its template nesting depth.
std::string normalizeTypeName(llvm::StringRef Name);

}  // namespace cyclops::confirm
