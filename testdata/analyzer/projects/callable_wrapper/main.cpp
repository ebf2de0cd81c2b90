// Callbacks wrapped by the project's own helpers (a make_handler() functor, a strand's wrap())
// before a setter compiled in session.cpp keeps them in the object they hold.
#include <memory>

#include "session.h"

namespace wrapper {

void serve(Strand &strand) {
  auto s = std::make_shared<Session>();
  s->set_reader(strand.wrap(make_handler([s](int n) { s->on_data(n); })));  // expected-warning {{capture-cycle: holds 's'}}
}

// Fixed: a weak_ptr inside the wrappers.
void serve_weak(Strand &strand) {
  auto s = std::make_shared<Session>();
  s->set_reader(strand.wrap([w = std::weak_ptr<Session>(s)](int n) {
    if (auto p = w.lock()) p->on_data(n);
  }));
}

}  // namespace wrapper
