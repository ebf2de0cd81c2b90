#include "shapes/circle.h"

namespace shapes {
int circle_size() { return static_cast<int>(sizeof(Circle)); }
}  // namespace shapes
