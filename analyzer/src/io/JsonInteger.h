// JsonInteger.h - integers read from outside JSON without undefined behaviour.
//
// llvm::json::Value::getAsInteger (and Object::getInteger, json::fromJSON for int and
// int64_t) accept a whole double up to and including 2^63 and convert it to int64_t; for 2^63
// itself (the text 9223372036854775808.0, or 9223372036854775807.0, which rounds to it) that
// conversion is undefined. The readers of files cyclops did not write itself take their
// integers through here instead: the same answers, except that 2^63 is no integer.
#pragma once

#include <cstdint>
#include <optional>

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/JSON.h"

namespace cyclops {

// V as an int64_t: an integer, or a whole double in [-2^63, 2^63); std::nullopt otherwise.
inline std::optional<std::int64_t> jsonInteger(const llvm::json::Value &V) {
  std::optional<double> D = V.getAsNumber();
  // getAsUINT64 answers only for values parsed as integers, which getAsInteger converts safely.
  if (D && *D >= 0x1p63 && !V.getAsUINT64()) return std::nullopt;
  return V.getAsInteger();
}

// The member `Key` of O as jsonInteger reads it; std::nullopt when it is absent.
inline std::optional<std::int64_t> jsonInteger(const llvm::json::Object &O, llvm::StringRef Key) {
  const llvm::json::Value *V = O.get(Key);
  return V ? jsonInteger(*V) : std::nullopt;
}

}  // namespace cyclops
