// cycle-instance through calls to functions of the same translation unit: each function is
// summarised (which parameter ends up in which field of which other parameter's object,
// *this included), and the summary is applied where it is called.
#include <cyc/cyc.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace calls {

struct Node {
  cyc::Handle<Node> next;
  void set_next(cyc::Handle<Node> n) { next = std::move(n); }
  cyc::Handle<Node> get_next() const { return next; }
  CYC_TRACE(next)
};

using H = cyc::Handle<Node>;

void link(H x, H y) { x->next = y; }

// ---- cycles made by calls ----------------------------------------------------------------

void linked_both_ways() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  link(a, b);
  link(b, a);  // expected-warning {{cycle-instance: strong reference cycle formed by link(a, b); link(b, a): the objects stay alive until cyc::gc::collect()}}
}

void linked_to_itself() {
  auto a = cyc::make<Node>();
  link(a, a);  // expected-warning {{cycle-instance: strong reference cycle formed by link(a, a)}}
}

void call_then_store() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  link(a, b);
  b->next = a;  // expected-warning {{cycle-instance: link(a, b); b->next = a}}
}

// Through two levels of helpers and a setter.
void relink(H from, H to) { to->set_next(from); }
void relink_twice(H p, H q) { relink(p, q); }

void through_nested_helpers() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  a->set_next(b);
  relink_twice(a, b);  // expected-warning {{cycle-instance: a->set_next(b); relink_twice(a, b)}}
}

// What a helper returns: the object it was given.
H pick(H x, H) { return x; }

void through_a_returned_handle() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  auto c = pick(a, b);
  c->next = a;  // expected-warning {{cycle-instance: c->next = a}}
}

// A getter returns what the field holds.
void through_a_getter() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  a->next = b;
  auto n = a->get_next();
  n->next = a;  // expected-warning {{cycle-instance: a->next = b; n->next = a}}
}

// A member function that stores its argument into *this.
struct Tree {
  std::vector<cyc::Handle<Tree>> kids;
  cyc::Handle<Tree> up;  // expected-warning {{cycle-type: calls::Tree.kids -> calls::Tree.up -> (calls::Tree)}}
  void adopt(cyc::Handle<Tree> kid) { kids.push_back(std::move(kid)); }
  CYC_TRACE(kids, up)
};

void through_a_member_function() {
  auto p = cyc::make<Tree>();
  auto c = cyc::make<Tree>();
  c->up = p;
  p->adopt(c);  // expected-warning {{cycle-instance: c->up = p; p->adopt(c)}}
}

// A constructor that stores its argument: make<T>(args) runs it on the new object.
struct Owner;
struct Part {
  explicit Part(cyc::Handle<Owner> o) : owner(std::move(o)) {}
  cyc::Handle<Owner> owner;  // expected-warning {{cycle-type: calls::Owner.parts -> calls::Part.owner -> (calls::Owner)}}
  CYC_TRACE(owner)
};
struct Owner {
  std::vector<cyc::Handle<Part>> parts;
  CYC_TRACE(parts)
};

void through_a_constructor() {
  auto o = cyc::make<Owner>();
  auto p = cyc::make<Part>(o);
  o->parts.push_back(p);  // expected-warning {{cycle-instance: cyc::make<Part>(o); o->parts.push_back(p)}}
}

// A function that makes and links objects itself reports there; its callers do not.
H make_ring() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  a->next = b;
  b->next = a;  // expected-warning {{cycle-instance: a->next = b; b->next = a}}
  return a;
}

void uses_a_ring() {
  auto r = make_ring();
  auto s = make_ring();
}

void links_both(H x, H y) {
  x->next = y;
  y->next = x;  // expected-warning {{cycle-instance: x->next = y; y->next = x}}
}

// A lambda is a function like any other when it is called.
void through_a_lambda() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  auto join = [](H x, H y) { x->next = y; };
  join(a, b);
  join(b, a);  // expected-warning {{cycle-instance: join(a, b); join(b, a)}}
}

void calls_links_both() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  links_both(a, b);
}

// std::shared_ptr, with shared_from_this: the objects are never freed.
struct Child;
struct Parent : std::enable_shared_from_this<Parent> {
  std::vector<std::shared_ptr<Child>> children;
  void add(const std::shared_ptr<Child> &c);
};
struct Child {
  std::shared_ptr<Parent> parent;  // expected-warning {{cycle-type: calls::Parent.children -> calls::Child.parent -> (calls::Parent)}}
  void set_parent(std::shared_ptr<Parent> p) { parent = std::move(p); }
};

void Parent::add(const std::shared_ptr<Child> &c) {
  c->parent = shared_from_this();
  children.push_back(c);  // expected-warning {{cycle-instance: c->parent = shared_from_this(); children.push_back(c): the objects are never freed (std::shared_ptr has no cycle collector)}}
}

void shared_setter_and_map() {
  auto p = std::make_shared<Parent>();
  auto c = std::make_shared<Child>();
  p->children.push_back(c);
  c->set_parent(p);  // expected-warning {{cycle-instance: p->children.push_back(c); c->set_parent(p): the objects are never freed}}
}

void shared_through_add() {
  auto p = std::make_shared<Parent>();
  auto c = std::make_shared<Child>();
  p->add(c);  // reported inside Parent::add
}

// ---- not cycles --------------------------------------------------------------------------

// Declared here, defined elsewhere: a call neither links nor unlinks as far as we know,
// so nothing is reported from its calls alone...
void external_link(H x, H y);
// ...and one that may change the object it is given (a non-const reference) may have
// broken a cycle: it is not reported.
void external_unlink(Node &n);

void unknown_calls() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  external_link(a, b);
  external_link(b, a);
}

// A non-const member function defined elsewhere may unlink its object; a const one cannot.
struct Linked {
  cyc::Handle<Linked> peer;
  void detach();
  int size() const;
  CYC_TRACE(peer)
};

void unknown_member_functions() {
  auto a = cyc::make<Linked>();
  auto b = cyc::make<Linked>();
  a->peer = b;
  b->peer = a;
  b->detach();
  auto c = cyc::make<Linked>();
  c->peer = c;  // expected-warning {{cycle-instance: c->peer = c}}
  (void)c->size();
}

void unknown_call_may_break() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  a->next = b;
  b->next = a;
  external_unlink(*b);
}

// A helper that breaks the cycle before return.
void unlink(H x) { x->next = nullptr; }

void broken_by_a_helper() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  link(a, b);
  link(b, a);
  unlink(b);
}

// A helper that points the caller's handle at a new object.
void renew(H &h) { h = cyc::make<Node>(); }

void rebound_by_a_helper() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  a->next = b;
  renew(b);
  b->next = a;
}

// Recursion is summarised as far as it goes and stays quiet.
void walk(H n, int depth) {
  if (n && depth > 0) walk(n->next, depth - 1);
}

void walks() {
  auto a = cyc::make<Node>();
  walk(a, 3);
}

// A helper that stores into a copy of the object, not the object.
void store_into_copy(H x, H y) {
  Node copy = *x;
  copy.next = y;
}

void copies_only() {
  auto a = cyc::make<Node>();
  store_into_copy(a, a);
}

// A virtual call runs whichever override the object has. The data flow of one translation unit
// cannot know them all and takes the call as unknown; on the whole program every override is
// known (here only Base's, which stores): the cycle is reported from the merged summaries.
struct Base {
  cyc::Handle<Base> next;
  virtual void attach(cyc::Handle<Base> n) { next = std::move(n); }
  virtual ~Base() = default;
  CYC_TRACE(next)
};

void virtual_calls(Base &base) {
  auto a = cyc::make<Base>();
  a->attach(a);  // expected-warning {{cycle-instance: strong reference cycle formed by a->attach(a): the objects stay alive until cyc::gc::collect()}}
  base.attach(a);
}

// A helper that builds a list in a loop: its nodes point at older ones, not at themselves.
H build_list(int n) {
  H head;
  for (int i = 0; i < n; ++i) {
    auto node = cyc::make<Node>();
    node->next = std::move(head);
    head = std::move(node);
  }
  return head;
}

void lists_from_a_helper() {
  auto l = build_list(3);
  auto build = [] { return build_list(2); };
  auto m = build();
  l->next = m;
}

// Chains through helpers: no edge comes back.
void chain() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  auto c = cyc::make<Node>();
  link(a, b);
  link(b, c);
}

}  // namespace calls
