#pragma once
#include <cyc/cyc.h>

#include <vector>

#include "model.h"

namespace mtu {
struct Ledger {
  std::vector<cyc::Handle<Owner>> owners;
  CYC_TRACE(owners)
};
}  // namespace mtu
