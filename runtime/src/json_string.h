// json_string.h - text as a JSON string literal, for what the runtime writes as JSON: the
// CYC_REPORT file (cyc_report_writer.cpp) and the device allocator's snapshot.
#pragma once

#include <string>
#include <string_view>

namespace cyc::detail {

// `text` as a JSON string literal, quotes included. Control characters are escaped, and bytes
// that are not well-formed UTF-8 become U+FFFD, so that readers never reject the result.
std::string json_string(std::string_view text);

}  // namespace cyc::detail
