// Not part of the cycle, and not including common.h.
#pragma once
#include <memory>
#include <string>

namespace shapes {
struct Label {
  std::string text;
  std::weak_ptr<Label> next;
};
}  // namespace shapes
