// A connector that keeps a bind of itself in the channel it owns, and lets go of the channel
// on every outcome of a connection attempt: a cycle broken by hand, reported as a note that
// names where it is broken. Its twin never lets go: a warning.
#pragma once
#include <functional>
#include <memory>

namespace byhand {

struct Channel {
  std::function<void()> write_cb;
  void set_write_callback(std::function<void()> cb);
};

}  // namespace byhand
