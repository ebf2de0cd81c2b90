// Two peers wired to each other: each stores a callback that holds the other, so neither
// closure alone is a cycle, but the pair is (cyc::Handle: the collector cannot see lambdas).
#include <cyc/cyc.h>

#include "peers.h"

namespace twoclos {

void link() {
  auto a = cyc::make<Client>();
  auto b = cyc::make<Server>();
  a->on_x = [b] { b->pong(); };  // expected-warning {{capture-cycle: holds 'b'}}
  b->on_y = [a] { a->ping(); };
}

void link_by_setters() {
  auto a = cyc::make<Client>();
  auto b = cyc::make<Server>();
  a->set_on_x([b] { b->pong(); });  // expected-warning {{capture-cycle: holds 'b'}}
  b->set_on_y([a] { a->ping(); });
}

// Fixed: the way back is weak.
void link_weak() {
  auto a = cyc::make<Client>();
  auto b = cyc::make<Server>();
  a->set_on_x([b] { b->pong(); });
  b->set_on_y([w = cyc::Weak<Client>(a)] {
    if (auto p = w.lock()) p->ping();
  });
}

}  // namespace twoclos

int main() {
  twoclos::link();
  twoclos::link_by_setters();
  twoclos::link_weak();
}
