// A session registers a cleanup callback with a lifetime object it owns; the registration
// keeps the callback in that member's shared state, whose layout only lifetime.cpp knows.
#include "session.h"

namespace regis {

void Session::start() {
  lifetime.add([keep = shared_from_this()] { keep->stop(); });  // expected-warning {{capture-cycle: holds 'keep = shared_from_this()'}}
}

// Fixed: a weak_ptr, locked when the callback runs.
void Session::start_weak() {
  lifetime.add([weak = weak_from_this()] {
    if (auto s = weak.lock()) s->stop();
  });
}

void Session::stop() {}

}  // namespace regis
