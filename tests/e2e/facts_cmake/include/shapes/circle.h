#pragma once
#include "shapes/common.h"

namespace shapes {
struct Circle {
  std::shared_ptr<Square> inside;
};
}  // namespace shapes
