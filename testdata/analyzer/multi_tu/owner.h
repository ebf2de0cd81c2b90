#pragma once
#include <cyc/cyc.h>

#include "model.h"

namespace mtu {
struct Owner {
  cyc::Handle<Account> account;  // expected-warning {{cycle-type: mtu::Account.ledger -> mtu::Ledger.owners -> mtu::Owner.account -> (mtu::Account)}}
  CYC_TRACE(account)
};
}  // namespace mtu
