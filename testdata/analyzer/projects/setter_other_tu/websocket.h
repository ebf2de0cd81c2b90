#pragma once
#include <functional>
#include <memory>
#include <string>

namespace setter_tu {

class WebSocket : public std::enable_shared_from_this<WebSocket> {
 public:
  using Callback = std::function<void(const std::string &)>;
  void set_on_message(Callback cb);  // defined in websocket.cpp
  void send(const std::string &text);

 private:
  Callback on_message_;
};

}  // namespace setter_tu
