// Abbreviate.h - long type names in a message, shortened for the text output.
#pragma once

#include <cstddef>
#include <string>

#include "llvm/ADT/StringRef.h"

namespace cyclops {

// `Message` unchanged when it has at most `Limit` bytes. Otherwise its long template argument
// lists are elided to "<…>", deepest first: lists nested deeper than some depth are elided,
// the depth being the largest at which the message fits in `Limit`, down to 0, where every
// outermost long list is "<…>". A list whose contents are 24 bytes or fewer is kept whole
// (`cyc::Weak<app::Job>`). If even depth 0 does not fit, that is the result: the prose is
// never cut. A '<' opens a list only right after an identifier character or a '>' of a list,
// and is not followed by '<', '=' or a space; a '>' closes one only inside a list and not
// after '-': "a < b", "x << y" and "A -> B" are left alone, and a message with a list left
// open is not abbreviated. O(n log n) in the message for each depth tried.
std::string abbreviateTypes(llvm::StringRef Message, size_t Limit);

}  // namespace cyclops
