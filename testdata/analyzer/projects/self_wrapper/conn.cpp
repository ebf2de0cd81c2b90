// shared_from_this() reached through the wrappers real code grows around it (a getter compiled
// elsewhere, self(), a base-class shared_from_base<T>(), a static_pointer_cast), kept by a member.
#include "conn.h"

namespace selfwrap {

void Conn::start_bind() {
  handler_ = std::bind(&Conn::on_read, get_shared(), std::placeholders::_1);  // expected-warning {{capture-cycle: holds 'get_shared()'}}
}

void Conn::start_self() {
  on_close_ = [s = self()] { s->close(); };  // expected-warning {{capture-cycle: holds 's = self()'}}
}

void Service::start_base() {
  on_tick_ = [me = shared_from_base<Service>()] { me->tick(); };  // expected-warning {{capture-cycle: holds 'me = shared_from_base<Service>()'}}
}

void Service::start_cast() {
  on_tick_ = std::bind(&Service::tick, std::static_pointer_cast<Service>(shared_from_this()));  // expected-warning {{capture-cycle: holds 'std::static_pointer_cast<Service>(shared_from_this())'}}
}

// Fixed: weak_from_this(), locked when called.
void Conn::start_weak() {
  handler_ = [weak = weak_from_this()](int n) {
    if (auto s = weak.lock()) s->on_read(n);
  };
}

void Service::start_weak() {
  on_tick_ = [weak = weak_from_this()] {
    if (auto s = weak.lock()) std::static_pointer_cast<Service>(s)->tick();
  };
}

void Conn::on_read(int) {}
void Conn::close() {}
void Service::tick() {}

}  // namespace selfwrap
