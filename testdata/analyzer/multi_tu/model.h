// The three types of the multi-TU project; each translation unit defines one of them and
// sees the others only as declarations, so no single TU sees the cycle.
#pragma once

namespace mtu {
struct Account;
struct Ledger;
struct Owner;
}  // namespace mtu
