#pragma once
#include <functional>

namespace virtset {

// An interface: callers see only this.
struct Source {
  virtual ~Source() = default;
  virtual void set_sink(std::function<void()> f) = 0;
  virtual void read() = 0;
};

}  // namespace virtset
