#pragma once
#include <functional>

namespace memmem {

struct Events {
  std::function<void()> on_close;
  void set_on_close(std::function<void()> f);  // defined in conn.cpp
};

struct Conn {
  Events events;  // by value
  void close();
};

}  // namespace memmem
