#pragma once
#include <functional>
#include <memory>
#include <string>

namespace accessor {

class WebSocket {
 public:
  using Callback = std::function<void(const std::string &)>;
  void set_on_message(Callback cb);  // defined in proxy.cpp

 private:
  Callback on_message_;
};

class ProxyState : public std::enable_shared_from_this<ProxyState> {
 public:
  WebSocket &socket();  // defined in proxy.cpp
  void forward(const std::string &text);

 private:
  WebSocket socket_;  // owned by value
};

}  // namespace accessor
