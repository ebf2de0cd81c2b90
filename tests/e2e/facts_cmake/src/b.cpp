#include "shapes/square.h"

namespace shapes {
int square_size() { return static_cast<int>(sizeof(Square)); }
}  // namespace shapes
