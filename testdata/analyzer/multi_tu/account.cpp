// One translation unit of the multi-TU project: it sees only account.h's edge.
#include "account.h"

namespace mtu {
int account_size() { return static_cast<int>(sizeof(Account)); }
}  // namespace mtu
