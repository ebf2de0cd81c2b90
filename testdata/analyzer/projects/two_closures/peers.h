#pragma once
#include <functional>

namespace twoclos {

struct Client {
  std::function<void()> on_x;
  void set_on_x(std::function<void()> f);  // defined in peers.cpp
  void ping();
};

struct Server {
  std::function<void()> on_y;
  void set_on_y(std::function<void()> f);  // defined in peers.cpp
  void pong();
};

}  // namespace twoclos
