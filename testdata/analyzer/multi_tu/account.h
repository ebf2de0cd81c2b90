#pragma once
#include <cyc/cyc.h>

#include "model.h"

namespace mtu {
struct Account {
  cyc::Handle<Ledger> ledger;
  CYC_TRACE(ledger)
};
}  // namespace mtu
