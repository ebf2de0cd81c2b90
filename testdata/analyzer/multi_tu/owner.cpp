// One translation unit of the multi-TU project: it sees only owner.h's edge.
#include "owner.h"

namespace mtu {
int owner_size() { return static_cast<int>(sizeof(Owner)); }
}  // namespace mtu
