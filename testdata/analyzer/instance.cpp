// cycle-instance: code that links objects into a strong cycle, for cyc::Handle (freed only by
// the cycle collector) and std::shared_ptr (never freed).
#include <cyc/cyc.h>

#include <deque>
#include <list>
#include <map>
#include <memory>
#include <set>
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

// Every member that adds an element stores it, whichever rule asks.
void self_list_assigned() {
  auto li = cyc::make<std::vector<cyc::Handle<>>>();
  li->assign(2, li);  // expected-warning {{cycle-instance: strong reference cycle formed by li->assign(2, li)}}
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

// Every way of storing a handle that the rule follows.
struct Peers {
  std::set<cyc::Handle<Peers>> set;
  std::map<cyc::Handle<Peers>, int> by_key;
  std::deque<cyc::Handle<Peers>> queue;
  std::list<cyc::Handle<Peers>> list;
  CYC_TRACE(set, by_key, queue, list)
};

void vector_insert() {
  auto li = cyc::make<List>();
  li->insert(li->begin(), li);  // expected-warning {{cycle-instance: li->insert(li->begin(), li)}}
}

void vector_emplace_back() {
  auto t = cyc::make<Tree>();
  t->kids.emplace_back(t);  // expected-warning {{cycle-instance: t->kids.emplace_back(t)}}
}

void vector_element() {
  auto t = cyc::make<Tree>();
  t->kids.resize(1);
  t->kids[0] = t;  // expected-warning {{cycle-instance: t->kids[0] = t}}
  auto li = cyc::make<List>(1);
  (*li)[0] = li;  // expected-warning {{cycle-instance: (*li)[0] = li}}
}

void set_insert() {
  auto p = cyc::make<Peers>();
  p->set.insert(p);  // expected-warning {{cycle-instance: p->set.insert(p)}}
}

void map_key() {
  auto p = cyc::make<Peers>();
  p->by_key[p] = 1;  // expected-warning {{cycle-instance: p->by_key[p] = 1}}
}

void deque_and_list() {
  auto p = cyc::make<Peers>();
  p->queue.push_front(p);  // expected-warning {{cycle-instance: p->queue.push_front(p)}}
  auto q = cyc::make<Peers>();
  q->list.emplace_front(q);  // expected-warning {{cycle-instance: q->list.emplace_front(q)}}
}

void map_forms() {
  auto a = cyc::make<Registry>();
  a->by_name.insert({"me", a});  // expected-warning {{cycle-instance: a->by_name.insert({"me", a})}}
  auto b = cyc::make<Registry>();
  b->by_name.insert(std::make_pair(std::string("me"), b));  // expected-warning {{cycle-instance: b->by_name.insert(std::make_pair(std::string("me"), b))}}
  auto c = cyc::make<Registry>();
  c->by_name.try_emplace("me", c);  // expected-warning {{cycle-instance: c->by_name.try_emplace("me", c)}}
  auto d = cyc::make<Registry>();
  d->by_name.insert_or_assign("me", d);  // expected-warning {{cycle-instance: d->by_name.insert_or_assign("me", d)}}
}

void mutual_through_maps() {
  auto a = cyc::make<Registry>();
  auto b = cyc::make<Registry>();
  a->by_name["b"] = b;
  b->by_name.emplace("a", a);  // expected-warning {{cycle-instance: a->by_name["b"] = b; b->by_name.emplace("a", a)}}
}

void moved_into_the_list() {
  auto li = cyc::make<List>();
  cyc::Handle<> copy = li;
  li->push_back(std::move(copy));  // expected-warning {{cycle-instance: li->push_back(std::move(copy))}}
}

void through_a_reference_to_the_object() {
  auto a = cyc::make<Node>();
  Node &n = *a;
  n.next = a;  // expected-warning {{cycle-instance: n.next = a}}
  auto b = cyc::make<Node>();
  b.get()->self = b;  // expected-warning {{cycle-instance: b.get()->self = b}}
  auto c = cyc::make<Node>();
  (*c).self = c;  // expected-warning {{cycle-instance: (*c).self = c}}
}

void through_an_alias_of_the_handle() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  auto &ref = b;
  a->next = ref;
  cyc::Handle<Node> other = a;
  ref->next = other;  // expected-warning {{cycle-instance: a->next = ref; ref->next = other}}
}

void through_a_field_read() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  a->next = b;
  a->next->next = a;  // expected-warning {{cycle-instance: a->next = b; a->next->next = a}}
}

// A field of a struct held by value in the object, and an aggregate made with make<T>(args).
struct Links {
  cyc::Handle<struct Holder> next;
  std::vector<cyc::Handle<struct Holder>> more;
  CYC_TRACE(next, more)
};
struct Holder {
  Links data;
  cyc::Handle<struct Pair> pair;
  CYC_TRACE(data, pair)
};
struct Pair {
  cyc::Handle<Holder> first;  // expected-warning {{cycle-type: inst::Holder.pair -> inst::Pair.first -> (inst::Holder)}}
  cyc::Handle<Holder> second;  // expected-warning {{cycle-type: inst::Holder.pair -> inst::Pair.second -> (inst::Holder)}}
  CYC_TRACE(first, second)
};

void nested_fields() {
  auto a = cyc::make<Holder>();
  a->data.next = a;  // expected-warning {{cycle-instance: a->data.next = a}}
  auto b = cyc::make<Holder>();
  b->data.more.push_back(b);  // expected-warning {{cycle-instance: b->data.more.push_back(b)}}
  auto c = cyc::make<Holder>();
  c->data.next = c;
  c->data = Links{};  // overwritten whole: not a cycle
}

void aggregate_arguments() {
  auto h = cyc::make<Holder>();
  auto p = cyc::make<Pair>(h);
  h->pair = p;  // expected-warning {{cycle-instance: cyc::make<Pair>(h); h->pair = p}}
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

struct SRegistry {
  std::map<std::string, std::shared_ptr<SRegistry>> by_name;
  std::vector<std::shared_ptr<void>> keep;
  void set_self(std::shared_ptr<SRegistry> s) { by_name["self"] = std::move(s); }
};

void shared_forms() {
  auto a = std::make_shared<SRegistry>();
  a->keep.push_back(a);  // expected-warning {{cycle-instance: a->keep.push_back(a): the objects are never freed}}
  auto b = std::make_shared<SRegistry>();
  b->by_name.emplace("me", b);  // expected-warning {{cycle-instance: b->by_name.emplace("me", b): the objects are never freed}}
  auto c = std::make_shared<SRegistry>();
  c->by_name["me"] = c;  // expected-warning {{cycle-instance: c->by_name["me"] = c: the objects are never freed}}
  auto d = std::make_shared<SRegistry>();
  d->set_self(d);  // expected-warning {{cycle-instance: d->set_self(d): the objects are never freed}}
  auto e = std::make_shared<SRegistry>();
  auto alias = e;
  e->keep.emplace_back(alias);  // expected-warning {{cycle-instance: e->keep.emplace_back(alias): the objects are never freed}}
}

void shared_from_new() {
  std::shared_ptr<SNode> p(new SNode);
  p->self = p;  // expected-warning {{cycle-instance: p->self = p: the objects are never freed}}
}

void shared_not_cycles() {
  auto a = std::make_shared<SRegistry>();
  auto b = std::make_shared<SRegistry>();
  a->by_name["b"] = b;  // a DAG
  auto c = std::make_shared<SRegistry>();
  c->keep.push_back(c);
  c->keep.clear();  // broken before return
  auto d = std::make_shared<SRegistry>();
  d->by_name["d"] = d;
  d->by_name.erase("d");  // a removal may be the one that breaks it: not reported
}

void shared_chain() {
  auto a = std::make_shared<SNode>();
  auto b = std::make_shared<SNode>();
  a->next = b;
}

// Through owners: a unique_ptr to a struct that holds, by value, a struct with the handle.
struct Engine;
struct Wiring {
  cyc::Handle<Engine> engine;
  CYC_TRACE(engine)
};
struct EngineImpl {
  Wiring wiring;
  CYC_TRACE(wiring)
};
struct Engine {
  std::unique_ptr<EngineImpl> impl = std::make_unique<EngineImpl>();
  CYC_TRACE(impl)
};

void through_owners() {
  auto e = cyc::make<Engine>();
  e->impl->wiring.engine = e;  // expected-warning {{cycle-instance: e->impl->wiring.engine = e}}
}

void through_owners_to_another() {
  auto e = cyc::make<Engine>();
  auto f = cyc::make<Engine>();
  e->impl->wiring.engine = f;  // a chain: f does not point back
}

}  // namespace inst
