#pragma once
#include "shapes/common.h"

namespace shapes {
struct Square {
  std::vector<std::shared_ptr<Circle>> corners;
};
}  // namespace shapes
