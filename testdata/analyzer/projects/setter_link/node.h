// A doubly linked pair made through setters that are defined in node.cpp, so the function
// that links two nodes sees only calls it cannot follow.
#pragma once
#include <memory>

namespace setlink {

struct Node {
  std::shared_ptr<Node> next;
  std::weak_ptr<Node> prev;
  std::shared_ptr<Node> peer;
  void set_next(std::shared_ptr<Node> n);
  void set_prev(const std::shared_ptr<Node> &p);
  void set_peer(std::shared_ptr<Node> p);
};

}  // namespace setlink
