// A connection keeps its callbacks in an embedded events struct; a callback stored there
// (directly, or by the struct's setter compiled in conn.cpp) holds the connection itself.
#include <cyc/cyc.h>

#include "conn.h"

namespace memmem {

void watch() {
  auto conn = cyc::make<Conn>();
  conn->events.on_close = [conn] { conn->close(); };  // expected-warning {{capture-cycle: holds 'conn'}}
}

void watch_by_setter() {
  auto conn = cyc::make<Conn>();
  conn->events.set_on_close([conn] { conn->close(); });  // expected-warning {{capture-cycle: holds 'conn'}}
}

// Fixed: a cyc::Weak, locked when called.
void watch_weak() {
  auto conn = cyc::make<Conn>();
  cyc::Weak<Conn> weak = conn;
  conn->events.on_close = [weak] {
    if (auto c = weak.lock()) c->close();
  };
  conn->events.set_on_close([weak] {
    if (auto c = weak.lock()) c->close();
  });
}

}  // namespace memmem

int main() {
  memmem::watch();
  memmem::watch_by_setter();
  memmem::watch_weak();
}
