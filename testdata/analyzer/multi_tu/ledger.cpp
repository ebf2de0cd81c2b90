// One translation unit of the multi-TU project: it sees only ledger.h's edge.
#include "ledger.h"

namespace mtu {
int ledger_size() { return static_cast<int>(sizeof(Ledger)); }
}  // namespace mtu
