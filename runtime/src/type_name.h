// type_name.h - readable C++ type names for diagnostics and collector reports.
#pragma once

#include <string>
#include <typeinfo>

namespace cyc::detail {

// The demangled, tidied name of a type: default template arguments of the standard
// containers dropped, std::string spelled as such, cyc::Handle<void> as cyc::Handle<>.
// Cached; thread-safe.
const std::string& type_name(const std::type_info& type);

// The tidying step alone, exposed for tests.
std::string tidy_type_name(std::string name);

}  // namespace cyc::detail
