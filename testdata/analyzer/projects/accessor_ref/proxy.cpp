#include "proxy.h"

#include <utility>

namespace accessor {

void WebSocket::set_on_message(Callback cb) { on_message_ = std::move(cb); }

WebSocket &ProxyState::socket() { return socket_; }

void ProxyState::forward(const std::string &) {}

}  // namespace accessor
