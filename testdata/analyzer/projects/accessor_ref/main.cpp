// A proxy's shared state owns its socket by value and hands it out by reference; the message
// handler set on that socket keeps the whole state alive. Accessor and setter live in proxy.cpp.
#include <memory>
#include <string>

#include "proxy.h"

namespace accessor {

void start_proxy() {
  auto state = std::make_shared<ProxyState>();
  state->socket().set_on_message([state](const std::string &m) { state->forward(m); });  // expected-warning {{capture-cycle: holds 'state'}}
}

// Fixed: a weak capture.
void start_proxy_weak() {
  auto state = std::make_shared<ProxyState>();
  std::weak_ptr<ProxyState> weak = state;
  state->socket().set_on_message([weak](const std::string &m) {
    if (auto s = weak.lock()) s->forward(m);
  });
}

}  // namespace accessor

int main() {
  accessor::start_proxy();
  accessor::start_proxy_weak();
}
