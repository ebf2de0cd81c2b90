#pragma once
#include <functional>
#include <utility>

namespace wrapper {

// The project's own callable wrapper: holds F and forwards calls to it.
template <class F> struct Handler {
  F f;
  template <class... A> void operator()(A &&...a) const { f(std::forward<A>(a)...); }
};

template <class F> auto make_handler(F f) { return Handler<F>{std::move(f)}; }

// Runs wrapped calls one at a time (here: at once).
class Strand {
 public:
  void dispatch(const std::function<void()> &task) { task(); }
  template <class F> auto wrap(F f) {
    return [this, f](auto &&...a) { dispatch([f, a...] { f(a...); }); };
  }
};

}  // namespace wrapper
