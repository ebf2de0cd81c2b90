// Linking objects through setters of another file: strong both ways is a cycle; a weak back
// pointer (set_prev stores into a std::weak_ptr) is not.
#include "node.h"

namespace setlink {

void ring() {
  auto a = std::make_shared<Node>();
  auto b = std::make_shared<Node>();
  a->set_next(b);
  b->set_next(a);  // expected-warning {{cycle-instance: strong reference cycle formed by a->set_next(b); b->set_next(a): the objects are never freed}}
}

void mixed() {
  auto a = std::make_shared<Node>();
  auto b = std::make_shared<Node>();
  a->peer = b;
  b->set_peer(a);  // expected-warning {{cycle-instance: strong reference cycle formed by a->peer = b; b->set_peer(a)}}
}

void self_link() {
  auto a = std::make_shared<Node>();
  a->set_next(a);  // expected-warning {{cycle-instance: strong reference cycle formed by a->set_next(a)}}
}

// The fixed twin: the back link is weak.
void list_fixed() {
  auto a = std::make_shared<Node>();
  auto b = std::make_shared<Node>();
  a->set_next(b);
  b->set_prev(a);
}

}  // namespace setlink
