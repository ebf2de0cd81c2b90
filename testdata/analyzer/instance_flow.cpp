// cycle-instance over control flow: a store made on some path counts, a cycle broken on
// every path before return does not, loops are followed until nothing changes.
#include <cyc/cyc.h>

#include <memory>
#include <utility>
#include <vector>

namespace flow {

struct Node {
  cyc::Handle<Node> next;
  cyc::Handle<Node> prev;  // expected-note {{cycle-type: flow::Node.next -> flow::Node.prev -> (flow::Node); a cycle the code breaks by hand: flow::broken_after_the_loop() lets go of}}
  cyc::Handle<Node> self;
  cyc::Weak<Node> back;
  CYC_TRACE(next, prev, self)
};

struct Tree {
  std::vector<cyc::Handle<Tree>> kids;
  cyc::Handle<Tree> up;  // expected-warning {{cycle-type: flow::Tree.kids -> flow::Tree.up -> (flow::Tree)}}
  cyc::Weak<Tree> parent;
  CYC_TRACE(kids, up)
};

using List = std::vector<cyc::Handle<>>;

bool flip();
int count();

// ---- cycles on some path -----------------------------------------------------------------

void closed_in_one_branch() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  a->next = b;
  if (flip()) {
    b->next = a;  // expected-warning {{cycle-instance: strong reference cycle formed by a->next = b; b->next = a}}
  }
}

void broken_in_one_branch_only() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  a->next = b;
  b->next = a;  // expected-warning {{cycle-instance: a->next = b; b->next = a}}
  if (flip()) b->next = nullptr;
}

void broken_only_before_an_early_return() {
  auto li = cyc::make<List>();
  li->push_back(li);  // expected-warning {{cycle-instance: li->push_back(li)}}
  if (flip()) {
    li->clear();
    return;
  }
}

void linked_again_after_the_break() {
  auto x = cyc::make<Node>();
  x->self = x;
  x->self = nullptr;
  if (flip()) x->self = x;  // expected-warning {{cycle-instance: x->self = x}}
}

void one_of_two_objects() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  auto t = flip() ? a : b;
  t->next = a;  // expected-warning {{cycle-instance: t->next = a}}
}

void in_a_switch(int k) {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  switch (k) {
    case 0:
      a->next = b;
      break;
    case 1:
      a->prev = b;
      break;
    default:
      return;
  }
  b->next = a;  // expected-warning {{cycle-instance: a->next = b; b->next = a}}
}

void in_a_try_block() {
  auto a = cyc::make<Node>();
  try {
    a->self = a;  // expected-warning {{cycle-instance: a->self = a}}
  } catch (...) {
    a->self = nullptr;
  }
}

// Moved from on one path only: on the other, item is still the list.
void moved_on_one_path_only() {
  auto li = cyc::make<List>();
  cyc::Handle<List> item = li;
  cyc::Handle<List> sink;
  if (flip()) sink = std::move(item);
  li->push_back(item);  // expected-warning {{cycle-instance: li->push_back(item)}}
}

// ---- loops that close cycles -------------------------------------------------------------

// The same two objects, linked both ways on every iteration.
void mutual_in_a_loop() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  for (int i = 0; i < count(); ++i) {
    a->next = b;
    b->next = a;  // expected-warning {{cycle-instance: a->next = b; b->next = a}}
  }
}

// Each object made in the loop holds itself.
void self_in_each_iteration() {
  for (int i = 0; i < count(); ++i) {
    auto n = cyc::make<Node>();
    n->self = n;  // expected-warning {{cycle-instance: n->self = n}}
  }
}

// A ring: the loop builds a chain from `first`, the last store closes it (when the loop
// does not run, `first->next = first` is the shortest such cycle).
void ring_built_in_a_loop() {
  auto first = cyc::make<Node>();
  auto last = first;
  for (int i = 0; i < count(); ++i) {
    auto n = cyc::make<Node>();
    last->next = n;
    last = n;
  }
  last->next = first;  // expected-warning {{cycle-instance: last->next = first}}
}

// A doubly linked list with a strong back edge: each new node and the one before it.
void doubly_linked_with_strong_prev() {
  cyc::Handle<Node> head;
  for (int i = 0; i < count(); ++i) {
    auto node = cyc::make<Node>();
    node->next = head;
    if (head) head->prev = node;  // expected-warning {{cycle-instance: node->next = head; head->prev = node}}
    head = node;
  }
}

// Children made in a loop, each with a strong edge up to the parent.
void children_with_strong_up() {
  auto p = cyc::make<Tree>();
  for (int i = 0; i < count(); ++i) {
    auto c = cyc::make<Tree>();
    c->up = p;
    p->kids.push_back(c);  // expected-warning {{cycle-instance: c->up = p; p->kids.push_back(c)}}
  }
}

void while_loop_with_break() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  while (true) {
    a->next = b;
    if (flip()) break;
    a->next = nullptr;
  }
  b->next = a;  // expected-warning {{cycle-instance: a->next = b; b->next = a}}
}

// ---- not cycles --------------------------------------------------------------------------

// Broken on every path: the same edge in both branches.
void broken_in_both_branches() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  a->next = b;
  b->next = a;
  if (flip())
    b->next = nullptr;
  else
    b->next.reset();
}

// Broken on every path, each branch at a different edge.
void broken_at_either_edge() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  a->next = b;
  b->next = a;
  if (flip())
    a->next = nullptr;
  else
    b->next = nullptr;
}

// Broken after the loop that made it.
void broken_after_the_loop() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  for (int i = 0; i < count(); ++i) {
    a->next = b;
    b->next = a;
  }
  b->next = nullptr;
}

// Made and broken within each iteration.
void broken_within_each_iteration() {
  for (int i = 0; i < count(); ++i) {
    auto n = cyc::make<Node>();
    n->self = n;
    n->self = nullptr;
  }
}

// Overwritten on every path: b->next no longer refers to a.
void overwritten_in_both_branches() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  a->next = b;
  b->next = a;
  if (flip())
    b->next = cyc::make<Node>();
  else
    b->next = b->prev;
}

// A list built in a loop: each node points at an older one, none points back.
void list_built_in_a_loop() {
  cyc::Handle<Node> head;
  for (int i = 0; i < count(); ++i) {
    auto node = cyc::make<Node>();
    node->next = head;
    head = node;
  }
}

// A list built forwards: each node points at a newer one.
void list_built_forwards() {
  auto first = cyc::make<Node>();
  auto last = first;
  for (int i = 0; i < count(); ++i) {
    auto n = cyc::make<Node>();
    last->next = n;
    last = n;
  }
}

// A tree built in a loop, with weak edges back to the parent.
void tree_built_in_a_loop() {
  auto root = cyc::make<Tree>();
  for (int i = 0; i < count(); ++i) {
    auto kid = cyc::make<Tree>();
    kid->parent = root;
    root->kids.push_back(kid);
    for (int j = 0; j < count(); ++j) {
      auto leaf = cyc::make<Tree>();
      leaf->parent = kid;
      kid->kids.push_back(leaf);
    }
  }
}

// A doubly linked list whose back edges are weak.
void doubly_linked_with_weak_back() {
  cyc::Handle<Node> head;
  for (int i = 0; i < count(); ++i) {
    auto node = cyc::make<Node>();
    node->next = head;
    if (head) head->back = node;
    head = node;
  }
}

// Different objects made in one iteration, linked one way.
void pairs_made_in_a_loop() {
  for (int i = 0; i < count(); ++i) {
    auto a = cyc::make<Node>();
    auto b = cyc::make<Node>();
    a->next = b;
    b->back = a;
  }
}

// A diamond: two paths to one object are not a cycle.
void dag() {
  auto top = cyc::make<Tree>();
  auto left = cyc::make<Tree>();
  auto right = cyc::make<Tree>();
  auto bottom = cyc::make<Tree>();
  top->kids.push_back(left);
  top->kids.push_back(right);
  left->kids.push_back(bottom);
  right->kids.push_back(bottom);
}

// Moved from on every path before the store: item is empty when it is pushed.
void moved_on_every_path() {
  auto li = cyc::make<List>();
  cyc::Handle<List> item = li;
  cyc::Handle<List> one, two;
  if (flip())
    one = std::move(item);
  else
    two = std::move(item);
  li->push_back(item);
}

void moved_into_the_container_first() {
  auto li = cyc::make<List>();
  auto other = cyc::make<List>();
  cyc::Handle<List> item = li;
  other->push_back(std::move(item));
  li->push_back(item);
}

void moved_before_a_loop() {
  auto li = cyc::make<List>();
  cyc::Handle<List> item = li;
  auto keep = std::move(item);
  for (int i = 0; i < count(); ++i) li->push_back(item);
}

// The values are copies, not the heap objects: storing into them links nothing.
void stores_into_copies() {
  auto a = cyc::make<Node>();
  Node copy = *a;
  copy.next = a;
  auto li = cyc::make<List>();
  List snapshot = *li;
  snapshot.push_back(li);
}

// The handle was pointed at a new object on every path before the store.
void rebound_on_every_path() {
  auto a = cyc::make<Node>();
  auto b = a;
  if (flip())
    b = cyc::make<Node>();
  else
    b = nullptr;
  a->next = b;
}

// ---- branches on null ---------------------------------------------------------------------

// b may be null or a new object: where it is not null, the cycle closes.
void maybe_null() {
  auto a = cyc::make<Node>();
  cyc::Handle<Node> b;
  if (flip()) b = cyc::make<Node>();
  a->next = b;
  if (b) b->next = a;  // expected-warning {{cycle-instance: a->next = b; b->next = a}}
}

// A new object is never null: these branches are never taken.
void never_null() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  a->next = b;
  if (!b) b->next = a;
  if (a == nullptr) a->self = a;
}

// ---- walking lists that exist already ---------------------------------------------------

// Reversed in place: `prev` and `cur` are never the same node, though both walk the list.
cyc::Handle<Node> reverse(cyc::Handle<Node> head) {
  cyc::Handle<Node> prev;
  cyc::Handle<Node> cur = head;
  while (cur) {
    cyc::Handle<Node> next = cur->next;
    cur->next = prev;
    prev = cur;
    cur = next;
  }
  return prev;
}

// Appended at the end, found by walking `next`.
void append(cyc::Handle<Node> head, cyc::Handle<Node> tail) {
  cyc::Handle<Node> n = head;
  while (n->next) n = n->next;
  n->next = tail;
}

// Two lists trade their tails.
void swap_tails(cyc::Handle<Node> a, cyc::Handle<Node> b) {
  cyc::Handle<Node> t = a->next;
  a->next = b->next;
  b->next = t;
}

void uses_list_helpers() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  a->next = b;
  auto r = reverse(a);
  append(r, cyc::make<Node>());
  auto c = cyc::make<Node>();
  auto d = cyc::make<Node>();
  c->next = cyc::make<Node>();
  d->next = cyc::make<Node>();
  swap_tails(c, d);
}

// After reverse(a), b->next is a: trading their tails makes a->next = a.
void trades_after_reversing() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  a->next = b;
  reverse(a);
  swap_tails(a, b);  // expected-warning {{cycle-instance: swap_tails(a, b)}}
}

// Back edges made strong while walking: each node and the one before it (`n->next` is the
// edge the list had when the function was called).
void strong_back_edges(cyc::Handle<Node> head) {
  cyc::Handle<Node> before;
  for (cyc::Handle<Node> n = head; n; n = n->next) {
    n->prev = before;  // expected-warning {{cycle-instance: n->next (held on entry); n->prev = before}}
    before = n;
  }
}

}  // namespace flow
