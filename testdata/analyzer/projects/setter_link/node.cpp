#include "node.h"

namespace setlink {

void Node::set_next(std::shared_ptr<Node> n) { next = std::move(n); }
void Node::set_prev(const std::shared_ptr<Node> &p) { prev = p; }
void Node::set_peer(std::shared_ptr<Node> p) { peer = std::move(p); }

}  // namespace setlink
