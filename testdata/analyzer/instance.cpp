// cycle-instance: code that links objects into a strong cycle, for cyc::Handle (freed only by
// the cycle collector) and std::shared_ptr (never freed).
#include <cyc/cyc.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace inst {

struct Node {
  cyc::Handle<Node> next;
  cyc::Handle<Node> self;
  cyc::Weak<Node> back;
  void set_next(cyc::Handle<Node> n) { next = std::move(n); }
  CYC_TRACE(next, self)
};

struct Tree {
  std::vector<cyc::Handle<Tree>> kids;
  cyc::Handle<Tree> up;  // expected-warning {{cycle-type: inst::Tree.kids -> inst::Tree.up -> (inst::Tree)}}
  CYC_TRACE(kids, up)
};

struct Registry {
  std::map<std::string, cyc::Handle<Registry>> by_name;
  CYC_TRACE(by_name)
};

void self_list() {
  auto li = cyc::make<std::vector<cyc::Handle<>>>();
  li->push_back(li);  // expected-warning {{cycle-instance: strong reference cycle formed by li->push_back(li): the objects stay alive until cyc::gc::collect()}}
}

// The container type spelled through an alias or a typedef (examples/self_list).
struct Blob {
  explicit Blob(int n) : size(n) {}
  int size;
};
using List = std::vector<cyc::Handle<>>;
typedef std::vector<cyc::Handle<>> ListT;

void self_list_alias() {
  auto li = cyc::make<List>();
  li->push_back(cyc::make<Blob>(4));
  li->push_back(li);  // expected-warning {{cycle-instance: strong reference cycle formed by li->push_back(li)}}
}

void self_list_typedef() {
  cyc::Handle<ListT> li = cyc::make<ListT>();
  li->push_back(cyc::make<Blob>(4));
  li->push_back(li);  // expected-warning {{cycle-instance: strong reference cycle formed by li->push_back(li)}}
}

void self_field() {
  auto x = cyc::make<Node>();
  x->self = x;  // expected-warning {{cycle-instance: x->self = x}}
}

void mutual() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  a->next = b;
  b->next = a;  // expected-warning {{cycle-instance: strong reference cycle formed by a->next = b; b->next = a}}
}

void parent_and_child() {
  auto p = cyc::make<Tree>();
  auto child = cyc::make<Tree>();
  child->up = p;
  p->kids.push_back(child);  // expected-warning {{cycle-instance: child->up = p; p->kids.push_back(child)}}
}

void through_copies() {
  auto a = cyc::make<Node>();
  auto alias = a;
  a->next = alias;  // expected-warning {{cycle-instance: a->next = alias}}
}

void through_setter() {
  auto a = cyc::make<Node>();
  a->set_next(a);  // expected-warning {{cycle-instance: a->set_next(a)}}
}

void through_map() {
  auto r = cyc::make<Registry>();
  r->by_name["me"] = r;  // expected-warning {{cycle-instance: r->by_name["me"] = r}}
  auto s = cyc::make<Registry>();
  s->by_name.emplace("me", s);  // expected-warning {{cycle-instance: s->by_name.emplace("me", s)}}
}

// Not cycles.

void chain() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  auto c = cyc::make<Node>();
  a->next = b;
  b->next = c;
}

void weak_back() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  a->next = b;
  b->back = a;
}

void broken_before_return() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  a->next = b;
  b->next = a;
  b->next = nullptr;
  auto li = cyc::make<std::vector<cyc::Handle<>>>();
  li->push_back(li);
  li->clear();
  auto x = cyc::make<Node>();
  x->self = x;
  x->self.reset();
}

void overwritten() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  a->next = b;
  b->next = a;
  b->next = cyc::make<Node>();
}

void moved_out() {
  auto li = cyc::make<std::vector<cyc::Handle<>>>();
  auto item = li;
  auto elsewhere = std::move(item);
  li->push_back(item);  // item is empty here
}

// std::shared_ptr: never freed.
struct SNode {
  std::shared_ptr<SNode> self;
  std::shared_ptr<SNode> next;
};

void shared_self() {
  auto s = std::make_shared<SNode>();
  s->self = s;  // expected-warning {{cycle-instance: s->self = s: the objects are never freed (std::shared_ptr has no cycle collector)}}
}

void shared_mutual() {
  auto a = std::make_shared<SNode>();
  auto b = std::make_shared<SNode>();
  a->next = b;
  b->next = a;  // expected-warning {{cycle-instance: a->next = b; b->next = a: the objects are never freed}}
}

void shared_chain() {
  auto a = std::make_shared<SNode>();
  auto b = std::make_shared<SNode>();
  a->next = b;
}

}  // namespace inst
