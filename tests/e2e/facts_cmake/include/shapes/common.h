// The shapes, declared: each header defines one, so that no translation unit sees the cycle.
#pragma once
#include <memory>
#include <vector>

namespace shapes {
struct Circle;
struct Square;
}  // namespace shapes
