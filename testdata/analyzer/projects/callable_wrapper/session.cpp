#include "session.h"

#include <utility>

namespace wrapper {

void Session::set_reader(std::function<void(int)> f) { reader_ = std::move(f); }

void Session::start() {
  reader_ = make_handler(std::bind(&Session::on_data, shared_from_this(), std::placeholders::_1));  // expected-warning {{capture-cycle: holds 'shared_from_this()'}}
}

// Fixed: a weak capture inside the same wrapper.
void Session::start_weak() {
  reader_ = make_handler([weak = weak_from_this()](int n) {
    if (auto s = weak.lock()) s->on_data(n);
  });
}

void Session::on_data(int) {}

}  // namespace wrapper
