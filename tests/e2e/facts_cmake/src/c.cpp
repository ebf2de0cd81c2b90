#include "shapes/label.h"

namespace shapes {
int label_size() { return static_cast<int>(sizeof(Label)); }
}  // namespace shapes
