#include "websocket.h"

#include <utility>

namespace setter_tu {

void WebSocket::set_on_message(Callback cb) { on_message_ = std::move(cb); }

void WebSocket::send(const std::string &text) {
  if (on_message_) on_message_(text);
}

}  // namespace setter_tu
