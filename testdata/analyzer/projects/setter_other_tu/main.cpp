// A client installs a message handler that answers through the same socket; the setter that
// keeps the handler is compiled in websocket.cpp, so this file alone cannot see the store.
#include <memory>
#include <string>

#include "websocket.h"

namespace setter_tu {

void echo_client() {
  auto ws = std::make_shared<WebSocket>();
  ws->set_on_message([ws](const std::string &) { ws->send("x"); });  // expected-warning {{capture-cycle: holds 'ws'}}
}

// Fixed: the handler holds a weak_ptr and locks it.
void echo_client_weak() {
  auto ws = std::make_shared<WebSocket>();
  std::weak_ptr<WebSocket> weak = ws;
  ws->set_on_message([weak](const std::string &) {
    if (auto s = weak.lock()) s->send("x");
  });
}

}  // namespace setter_tu

int main() {
  setter_tu::echo_client();
  setter_tu::echo_client_weak();
}
