#pragma once
#include <functional>
#include <memory>

namespace regis {

// Callbacks to run when something ends; kept in shared state defined in lifetime.cpp.
class Lifetime {
 public:
  Lifetime();
  void add(std::function<void()> f);  // defined in lifetime.cpp
  void end();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace regis
