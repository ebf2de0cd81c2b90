// Evidence: a field whose declaration allows more than one type closes a cycle only through
// what the program stores into it. A base-typed handle reaches a derived class, and a
// type-erased holder (std::any, std::shared_ptr<void>) reaches a type, only where a store puts
// one there.
#include <any>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace evidence {

// A session keeps user data in a std::any; a connection stores itself there.
struct Conn;
struct Session {
  std::any user_data;
};
struct Conn {
  std::shared_ptr<Session> session;  // expected-warning {{cycle-type: evidence::Session.user_data -> evidence::Conn.session -> (evidence::Session)}}
};
inline void attach(const std::shared_ptr<Conn> &c, const std::shared_ptr<Session> &s) {
  c->session = s;
  s->user_data = c;
}

// The same layout, but only numbers go into the std::any: no cycle.
struct Tagged;
struct Labels {
  std::any tag;
};
struct Tagged {
  std::shared_ptr<Labels> labels;
};
inline void label(const std::shared_ptr<Labels> &l) { l->tag = 42; }

// A keep-alive handle to void holding the object that holds it.
struct Timer;
struct Task {
  std::shared_ptr<void> keep_alive;
};
struct Timer {
  std::shared_ptr<Task> task;  // expected-warning {{cycle-type: evidence::Task.keep_alive -> evidence::Timer.task -> (evidence::Task)}}
};
inline void schedule(const std::shared_ptr<Timer> &t) {
  t->task = std::make_shared<Task>();
  t->task->keep_alive = t;  // expected-warning {{cycle-instance: strong reference cycle formed by t->task = std::make_shared<Task>(); t->task->keep_alive = t}}
}

// An interpreter's boxed value: a handle to data holding a type-erased payload, one
// Impl<T> per type boxed. Only the payload types the program boxes close cycles, and each
// shape is one finding.
namespace boxed {
struct Placeholder {
  virtual ~Placeholder() = default;
};
template <class T>
struct Impl : Placeholder {
  explicit Impl(T v) : value(std::move(v)) {}
  // Each cycle through a boxed payload is reported at the payload, the field that holds it.
  // expected-warning@+3 {{cycle-type: evidence::boxed::Bound.args -> evidence::boxed::Value.data -> evidence::boxed::Data.obj -> evidence::boxed::Any.data -> evidence::boxed::Impl<std::shared_ptr<const evidence::boxed::Function>>.value -> (evidence::boxed::Bound)}}
  // A script closure capturing the value it becomes:
  // expected-warning@+1 {{cycle-type: .captures -> evidence::boxed::Value.data -> evidence::boxed::Data.obj}}
  T value;  // expected-warning {{cycle-type: evidence::boxed::Object.attrs -> evidence::boxed::Value.data -> evidence::boxed::Data.obj -> evidence::boxed::Any.data}}
};
struct Any {
  template <class T>
  explicit Any(T v) : data(std::make_unique<Impl<T>>(std::move(v))) {}
  std::unique_ptr<Placeholder> data;
};
struct Data {
  Any obj;
};
struct Value {
  template <class T>
  explicit Value(T v) : data(std::make_shared<Data>(Data{Any(std::move(v))})) {}
  std::shared_ptr<Data> data;
};
struct Object {
  std::map<std::string, Value> attrs;
};
// Never boxed: no cycle through it.
struct Unboxed {
  std::vector<Value> items;
};
inline void box() {
  Value object(std::make_shared<Object>());
  Value number(42);
}

// A function value: a base class, a bound function holding arguments, and a script closure
// (a lambda held by value) capturing values. What makes each one a value of the box comes
// through calls: a factory's result, a constructor's parameter.
struct Function : Placeholder {};
struct Bound : Function {
  Bound(std::shared_ptr<const Function> f, std::vector<Value> args) : target(std::move(f)), args(std::move(args)) {}
  std::shared_ptr<const Function> target;
  std::vector<Value> args;
};
template <class F>
struct Closure : Function {
  explicit Closure(F f) : body(std::move(f)) {}
  F body;
};
template <class F>
std::shared_ptr<Function> make_closure(F f) {
  return std::make_shared<Closure<F>>(std::move(f));
}
inline Value bind(const std::shared_ptr<const Function> &f, std::vector<Value> args) {
  return Value(std::shared_ptr<const Function>(std::make_shared<Bound>(f, std::move(args))));
}
inline Value lambda(std::map<std::string, Value> captures) {
  return Value(make_closure([captures] { return captures.size(); }));
}
}  // namespace boxed

// One class template, two instantiations: one finding.
template <class T>
struct Peer {
  std::shared_ptr<Peer<T>> other;
  std::shared_ptr<Peer<T>> back;  // expected-warning {{cycle-type: evidence::Peer<int>.other -> evidence::Peer<int>.back -> (evidence::Peer<int>); the same cycle through 1 more instantiation: evidence::Peer<long>}}
  T value{};
};
inline void pair_up() {
  Peer<int> a;
  Peer<long> b;
  a.value = 1;
  b.value = 2;
}

}  // namespace evidence
