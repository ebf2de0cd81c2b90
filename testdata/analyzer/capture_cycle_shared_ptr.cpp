// capture-cycle with std::shared_ptr, and handle families without a cycle collector: a
// callback stored in the object it captures (or in an object that object owns) keeps both
// alive for ever.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

// Minimal stand-ins for boost::intrusive_ptr (no weak handle) and Qt's shared pointers.
namespace boost {
template <class T> class intrusive_ptr {
 public:
  intrusive_ptr(T *p) : p_(p) {}
  T *operator->() const { return p_; }

 private:
  T *p_;
};
template <class F, class... A> auto bind(F f, A... a) { return std::bind(f, a...); }
// A callable wrapper whose body is library code: declared, not defined here. The rules list it
// under `wrappers:` (rules/default.yaml), so what it returns holds its argument.
namespace asio {
struct io_context {
  struct strand {
    std::function<void()> wrap(std::function<void()> handler);
  };
};
}  // namespace asio
}  // namespace boost
template <class T> class QSharedPointer {
 public:
  T *operator->() const { return p_; }

 private:
  T *p_ = nullptr;
};

namespace capsp {

struct Conn : std::enable_shared_from_this<Conn> {
  std::function<void()> on_done;
  std::function<void(int)> on_data;
  std::vector<std::function<void()>> listeners;
  std::map<std::string, std::function<void()>> handlers;

  void set_on_done(std::function<void()> cb) { on_done = std::move(cb); }
  void finish() {}
  void tick(int) {}
  void start();
  void start_alias();
  void start_bind();
  void start_boost_bind();
  void start_strand(boost::asio::io_context::strand &strand);
  void start_setter();
  void start_quiet();
};

// Inside a member function: shared_from_this() is the object itself.

void Conn::start() {
  on_done = [self = shared_from_this()] { self->finish(); };  // expected-warning {{capture-cycle: lambda stored in 'capsp::Conn.on_done' holds 'self = shared_from_this()', a strong std::shared_ptr to the object that stores it: a leak: the objects are never freed (std::shared_ptr has no cycle collector); capture a std::weak_ptr (weak_from_this() in a member function) and lock() it inside}}
}

void Conn::start_alias() {
  auto self = shared_from_this();
  on_data = [self](int n) { self->tick(n); };  // expected-warning {{capture-cycle: lambda stored in 'capsp::Conn.on_data' holds 'self', a strong std::shared_ptr to the object that stores it}}
}

void Conn::start_bind() {
  on_data = std::bind(&Conn::tick, shared_from_this(), std::placeholders::_1);  // expected-warning {{capture-cycle: std::bind stored in 'capsp::Conn.on_data' holds 'shared_from_this()', a strong std::shared_ptr}}
}

// A bind is named as what it is.
void Conn::start_boost_bind() {
  on_done = boost::bind(&Conn::finish, shared_from_this());  // expected-warning {{capture-cycle: boost::bind stored in 'capsp::Conn.on_done' holds 'shared_from_this()', a strong std::shared_ptr to the object that stores it: a leak}}
}

// Through a wrapper listed in the rules, and (quiet) through an unknown function that may or
// may not keep its argument.
std::function<void()> unknown_wrapper(std::function<void()> f);
void Conn::start_strand(boost::asio::io_context::strand &strand) {
  on_done = strand.wrap([self = shared_from_this()] { self->finish(); });  // expected-warning {{capture-cycle: lambda stored in 'capsp::Conn.on_done' holds 'self = shared_from_this()'}}
  on_done = unknown_wrapper([self = shared_from_this()] { self->finish(); });
}

void Conn::start_setter() {
  set_on_done([self = shared_from_this()] { self->finish(); });  // expected-warning {{capture-cycle: lambda stored in 'capsp::Conn.on_done' by set_on_done() holds 'self = shared_from_this()'}}
}

void Conn::start_quiet() {
  on_done = [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->finish();
  };
  on_data = [this](int n) { tick(n); };
  on_done = [=] { finish(); };  // [=] captures `this`, a raw pointer
}

// Through a local handle.

void copy_capture() {
  auto c = std::make_shared<Conn>();
  c->on_done = [c] { c->finish(); };  // expected-warning {{capture-cycle: lambda stored in 'capsp::Conn.on_done' holds 'c', a strong std::shared_ptr to the object that stores it: a leak: the objects are never freed (std::shared_ptr has no cycle collector); capture a std::weak_ptr (weak_from_this() in a member function) and lock() it inside}}
}

void implicit_capture() {
  auto c = std::make_shared<Conn>();
  c->on_done = [=] { c->finish(); };  // expected-warning {{capture-cycle: holds 'c', a strong std::shared_ptr to the object}}
}

void init_capture_and_copies(const std::shared_ptr<Conn> &c) {
  c->on_done = [keep = c] { keep->finish(); };  // expected-warning {{capture-cycle: holds 'keep = c'}}
  auto alias = c;
  (*c).on_done = [alias] { alias->finish(); };  // expected-warning {{capture-cycle: holds 'alias'}}
}

void containers() {
  auto c = std::make_shared<Conn>();
  c->listeners.push_back([c] { c->finish(); });  // expected-warning {{capture-cycle: lambda stored in 'capsp::Conn.listeners' holds 'c'}}
  c->handlers["done"] = [c] { c->finish(); };  // expected-warning {{capture-cycle: lambda stored in 'capsp::Conn.handlers' holds 'c'}}
  c->listeners.assign(1, [c] { c->finish(); });  // expected-warning {{capture-cycle: lambda stored in 'capsp::Conn.listeners' holds 'c'}}
}

void named_closure() {
  auto c = std::make_shared<Conn>();
  auto cb = [c] { c->finish(); };
  c->on_done = cb;  // expected-warning {{capture-cycle: lambda stored in 'capsp::Conn.on_done' holds 'c'}}
}

void wrapped_callback() {
  auto c = std::make_shared<Conn>();
  std::function<void()> cb = [c] { c->finish(); };
  c->on_done = [cb = std::move(cb)] { cb(); };  // expected-warning {{capture-cycle: lambda stored in 'capsp::Conn.on_done' holds 'cb', which holds 'c', a strong std::shared_ptr to the object that stores it}}
}

void through_setter() {
  auto c = std::make_shared<Conn>();
  c->set_on_done([c] { c->finish(); });  // expected-warning {{capture-cycle: by set_on_done() holds 'c'}}
}

void locked_weak() {
  auto c = std::make_shared<Conn>();
  std::weak_ptr<Conn> w = c;
  c->on_done = [s = w.lock()] { s->finish(); };  // expected-warning {{capture-cycle: holds 's = w.lock()'}}
}

// Through an object it owns.

struct Timer {
  std::function<void()> callback;
  void set_callback(std::function<void()> f) { callback = std::move(f); }
};

struct Session : std::enable_shared_from_this<Session> {
  std::shared_ptr<Timer> timer;
  std::unique_ptr<Timer> own_timer;
  Timer inline_timer;
  Timer *raw_timer = nullptr;
  void tick() {}
  void arm();
};

void Session::arm() {
  timer->callback = std::bind(&Session::tick, shared_from_this());  // expected-warning {{capture-cycle: std::bind stored in 'capsp::Timer.callback' holds 'shared_from_this()', a strong std::shared_ptr to the 'capsp::Session' that owns the storing object: a leak}}
  own_timer->callback = [self = shared_from_this()] { self->tick(); };  // expected-warning {{capture-cycle: lambda stored in 'capsp::Timer.callback' holds 'self = shared_from_this()', a strong std::shared_ptr to the 'capsp::Session' that owns the storing object}}
  inline_timer.callback = [self = shared_from_this()] { self->tick(); };  // expected-warning {{capture-cycle: to the 'capsp::Session' that owns the storing object}}
  timer->set_callback([self = shared_from_this()] { self->tick(); });  // expected-warning {{capture-cycle: lambda stored in 'capsp::Timer.callback' by set_callback() holds 'self = shared_from_this()'}}
  raw_timer->callback = [self = shared_from_this()] { self->tick(); };  // not owned
}

void owned_from_outside() {
  auto s = std::make_shared<Session>();
  s->timer->callback = [s] { s->tick(); };  // expected-warning {{capture-cycle: lambda stored in 'capsp::Timer.callback' holds 's', a strong std::shared_ptr to the 'capsp::Session' that owns the storing object}}
}

// Other families.

struct Job {
  std::function<void()> done;
  void run();
};

void Job::run() {
  done = [self = boost::intrusive_ptr<Job>(this)] { (void)self; };  // expected-warning {{capture-cycle: a strong boost::intrusive_ptr to the object that stores it: a leak: the objects are never freed (boost::intrusive_ptr has no cycle collector); reset 'done' once the callback has run}}
}

struct Widget {
  std::function<void()> clicked;
};

void qt_capture(QSharedPointer<Widget> w) {
  w->clicked = [w] { (void)w; };  // expected-warning {{capture-cycle: lambda stored in 'capsp::Widget.clicked' holds 'w', a strong QSharedPointer to the object that stores it: a leak: the objects are never freed (QSharedPointer has no cycle collector); capture a QWeakPointer instead}}
}

// Not cycles.

void unrelated_objects() {
  auto a = std::make_shared<Conn>();
  auto b = std::make_shared<Conn>();
  b->on_done = [a] { a->finish(); };
  std::function<void()> local = [a] { a->finish(); };
  local();
  auto t = std::make_shared<Timer>();
  t->callback = [a] { a->finish(); };
}

void references_and_weak() {
  auto c = std::make_shared<Conn>();
  c->on_done = [&c] { c->finish(); };
  std::weak_ptr<Conn> w = c;
  c->on_done = [w] {
    if (auto s = w.lock()) s->finish();
  };
  c->on_done = [w2 = std::weak_ptr<Conn>(c)] { (void)w2; };
}

void unused_under_capture_default() {
  auto c = std::make_shared<Conn>();
  int n = 3;
  c->on_data = [=](int) { (void)n; };
}

void suppressed() {
  auto c = std::make_shared<Conn>();
  c->on_done = [c] { c->finish(); };  // cyclops: ignore(capture-cycle)
}

}  // namespace capsp
