// cyc/function.h - callables whose captured handles the cycle collector can see.
//
// A callback that captures a strong handle to the object that stores it is a reference
// cycle. With std::function (or any lambda) the captured handle is hidden from the collector,
// so such a cycle is never freed: a true leak. cyc::closure keeps the captured handles as
// traced state instead, and cyc::Function stores it while letting the collector see inside:
//
//   struct Job {
//     cyc::Function<void(int)> on_done;
//     CYC_TRACE(on_done)                    // the edge is reported as "Job.on_done"
//   };
//
//   auto job = cyc::make<Job>();
//   job->on_done = cyc::closure([](cyc::Handle<Job>& self, int code) { ... }, job);
//   job.reset();          // the callback keeps the Job alive...
//   cyc::gc::collect();   // ...until the collector frees the cycle: returns 1
//
// cyc::closure(fn, handles...) returns a cyc::Closure<F, Hs...> holding a copy of `fn` and of
// each handle (decayed: pass std::move(h) to give a handle away). Calling it with args...
// calls fn(handles..., args...), each stored handle passed as an lvalue reference to the
// closure's own copy, so fn may take `cyc::Handle<T>&`, `const cyc::Handle<T>&` or a copy.
// The stored pieces may be strong handles, weak handles (never an edge: a callback that must
// not keep its owner alive captures a cyc::Weak and locks it) or anything traceable, such as
// a std::vector of handles; pieces that cannot hold handles (an int) are simply passed along.
// A Closure is itself traceable when `fn` or any stored piece is, so it also works as a field
// or container element of its own.
//
// cyc::Function<R(Args...)> is a copyable, movable, nullable callable like
// std::function<R(Args...)>, plus a trace hook: its trace() traces the stored callable when
// that callable's type is traceable (a cyc::Closure, a functor with CYC_TRACE or another hook,
// another cyc::Function) and traces nothing otherwise. So:
//
//   * Handles captured by a lambda are INVISIBLE to the collector, whether the lambda is held
//     by a cyc::Function or a std::function. Capture them with cyc::closure.
//   * A cyc::Closure stored in a std::function is hidden again (std::function has no trace
//     hook). Store it in a cyc::Function.
//   * cyc::is_traceable_v<Function<...>> is true whatever it holds, so a type with a Function
//     field, or a container of Functions, is tracked; CYC_TRACE(on_done) names the field.
//
// Reports: an edge through a Function field is reported under that field ("Job.on_done"),
// because a Closure does not rename what it visits. A captured piece with a trace hook of its
// own (a struct using CYC_TRACE) names its fields, as it would anywhere else.
//
// Teardown: when the collector frees garbage, every traced handle inside it is reset before
// any destructor runs (see <cyc/gc.h>), and that includes the handles stored in a Closure held
// by a Function. The Function itself stays non-empty: a destructor that calls it runs `fn`
// with null handles in place of the garbage, never dangling ones. Untraced state (a lambda's
// captures) is dropped by the destructors, as usual.
//
// Threading: as for handles (<cyc/handle.h>). Distinct Function objects, even copies sharing
// targets, may be copied, called and dropped on any thread; one Function object is not
// synchronized (calling it while another thread assigns it is a data race; concurrent calls
// of one Function are fine when `fn` itself allows them). Copying a Function copies its
// handles with atomic increments. The handles a Closure stores are traced fields: a
// collection must not run concurrently with assignment to a Function field of an object it
// examines, nor with `fn` assigning the handles it was passed.
//
// Complexity: calling is one indirect call plus fn's own cost, no allocation. Callables of
// up to four pointers (a Closure of a stateless lambda and up to two handles, a lambda
// capturing a few pointers) are stored inline with no allocation, when they are nothrow
// movable and not over-aligned; larger ones take one heap allocation per construction or
// copy. Moving and swapping never allocate and never throw. trace() is O(stored pieces).
// No RTTI is used.
#pragma once

#include <cstddef>
#include <functional>
#include <new>
#include <tuple>
#include <type_traits>
#include <utility>

#include <cyc/handle.h>
#include <cyc/trace.h>

namespace cyc {

// A function object with traced state: see cyc::closure.
template <class F, class... Hs>
class Closure {
  static_assert(std::is_object_v<F> && std::is_same_v<F, std::decay_t<F>>,
                "cyc::Closure<F, ...>: F must be a decayed function object type");
  static_assert((std::is_same_v<Hs, std::decay_t<Hs>> && ...),
                "cyc::Closure<F, Hs...>: the stored pieces must be decayed object types");

 public:
  using function_type = F;
  using state_type = std::tuple<Hs...>;

  template <class G, class... Us>
    requires(!std::is_same_v<std::remove_cvref_t<G>, Closure> && sizeof...(Us) == sizeof...(Hs) &&
             std::is_constructible_v<F, G &&> && (std::is_constructible_v<Hs, Us &&> && ...))
  explicit Closure(G&& fn, Us&&... state) : fn_(std::forward<G>(fn)), state_(std::forward<Us>(state)...) {}

  // fn(stored..., args...), each stored piece passed as an lvalue.
  template <class... Args>
    requires std::is_invocable_v<F&, Hs&..., Args&&...>
  std::invoke_result_t<F&, Hs&..., Args&&...> operator()(Args&&... args) {
    return call(*this, std::index_sequence_for<Hs...>{}, std::forward<Args>(args)...);
  }
  template <class... Args>
    requires std::is_invocable_v<const F&, const Hs&..., Args&&...>
  std::invoke_result_t<const F&, const Hs&..., Args&&...> operator()(Args&&... args) const {
    return call(*this, std::index_sequence_for<Hs...>{}, std::forward<Args>(args)...);
  }

  // The collector's view: every stored piece, then `fn` (a functor may have a hook too).
  // Declared only when something here can hold a handle the collector could see, so a
  // closure over weak handles only is not traceable (and costs the collector nothing).
  void trace(Tracer& t)
    requires(is_traceable_v<F> || (is_traceable_v<Hs> || ...))
  {
    std::apply([&t](Hs&... pieces) { (cyc::trace(t, pieces), ...); }, state_);
    cyc::trace(t, fn_);
  }
  // The same visits for a collection's step 1 (detail::walk).
  void cyc_walk_(detail::SubtractPass& p)
    requires(is_traceable_v<F> || (is_traceable_v<Hs> || ...))
  {
    std::apply([&p](Hs&... pieces) { (detail::walk(p, pieces), ...); }, state_);
    detail::walk(p, fn_);
  }

  F& function() noexcept { return fn_; }
  const F& function() const noexcept { return fn_; }
  state_type& state() noexcept { return state_; }
  const state_type& state() const noexcept { return state_; }

 private:
  template <class Self, std::size_t... I, class... Args>
  static decltype(auto) call(Self& self, std::index_sequence<I...>, Args&&... args) {
    return std::invoke(self.fn_, std::get<I>(self.state_)..., std::forward<Args>(args)...);
  }

  [[no_unique_address]] F fn_;
  state_type state_;
};

// A callable that calls fn(handles..., args...) and whose handles are traced state.
// Copies (or moves, from rvalues) fn and each handle into the result.
template <class F, class... Hs>
Closure<std::decay_t<F>, std::decay_t<Hs>...> closure(F&& fn, Hs&&... handles) {
  return Closure<std::decay_t<F>, std::decay_t<Hs>...>(std::forward<F>(fn), std::forward<Hs>(handles)...);
}

template <class Signature>
class Function;

namespace detail {

// Room for a callable stored inline: four pointers.
inline constexpr std::size_t kFunctionInline = 4 * sizeof(void*);

union FunctionStorage {
  void* heap;
  alignas(void*) unsigned char buf[kFunctionInline];
};

// Inline storage requires a nothrow move, so that moving a Function can never throw.
template <class F>
inline constexpr bool function_inline_v = sizeof(F) <= kFunctionInline && alignof(F) <= alignof(void*) &&
                                          std::is_nothrow_move_constructible_v<F>;

template <class F>
F& function_target(FunctionStorage& s) noexcept {
  if constexpr (function_inline_v<F>)
    return *std::launder(reinterpret_cast<F*>(s.buf));
  else
    return *static_cast<F*>(s.heap);
}

// One table per callable type and signature: what a Function does with its target.
template <class R, class... Args>
struct FunctionOps {
  R (*call)(FunctionStorage&, Args&&...);
  void (*copy)(const FunctionStorage& from, FunctionStorage& to);  // may throw
  void (*relocate)(FunctionStorage& from, FunctionStorage& to) noexcept;  // leaves `from` vacant
  void (*destroy)(FunctionStorage&) noexcept;
  void (*trace)(FunctionStorage&, Tracer&);  // null: an opaque callable
  void (*subtract)(FunctionStorage&, SubtractPass&);  // trace()'s walk for step 1 (TypeInfo::subtract)
};

template <class F, class R, class... Args>
struct FunctionModel {
  static R call(FunctionStorage& s, Args&&... args) {
    if constexpr (std::is_void_v<R>)
      static_cast<void>(std::invoke(function_target<F>(s), std::forward<Args>(args)...));
    else
      return std::invoke(function_target<F>(s), std::forward<Args>(args)...);
  }
  static void copy(const FunctionStorage& from, FunctionStorage& to) {
    const F& f = function_target<F>(const_cast<FunctionStorage&>(from));
    if constexpr (function_inline_v<F>)
      ::new (static_cast<void*>(to.buf)) F(f);
    else
      to.heap = new F(f);
  }
  static void relocate(FunctionStorage& from, FunctionStorage& to) noexcept {
    if constexpr (function_inline_v<F>) {
      F& f = function_target<F>(from);
      ::new (static_cast<void*>(to.buf)) F(std::move(f));
      f.~F();
    } else {
      to.heap = from.heap;
    }
  }
  static void destroy(FunctionStorage& s) noexcept {
    if constexpr (function_inline_v<F>)
      function_target<F>(s).~F();
    else
      delete static_cast<F*>(s.heap);
  }
  static void trace_target(FunctionStorage& s, Tracer& t) { cyc::trace(t, function_target<F>(s)); }
  static void subtract_target(FunctionStorage& s, SubtractPass& p) { walk(p, function_target<F>(s)); }

  static constexpr FunctionOps<R, Args...> ops{&call, &copy, &relocate, &destroy,
                                               is_traceable_v<F> ? &trace_target : nullptr,
                                               is_traceable_v<F> ? &subtract_target : nullptr};
};

template <class T> struct is_std_function : std::false_type {};
template <class S> struct is_std_function<std::function<S>> : std::true_type {};
template <class T> struct is_cyc_function : std::false_type {};
template <class S> struct is_cyc_function<Function<S>> : std::true_type {};

// As for std::function: a null function pointer or an empty function wrapper makes an empty
// Function, not one that throws when called.
template <class F>
bool is_null_callable(const F& f) noexcept {
  if constexpr (std::is_pointer_v<F> || std::is_member_pointer_v<F>)
    return f == nullptr;
  else if constexpr (is_std_function<F>::value || is_cyc_function<F>::value)
    return !f;
  else
    return false;
}

}  // namespace detail

// A type-erased callable like std::function<R(Args...)> whose target is traced: see the top
// of this file. Calling an empty Function throws std::bad_function_call. A moved-from
// Function is empty.
template <class R, class... Args>
class Function<R(Args...)> {
  using Ops = detail::FunctionOps<R, Args...>;
  template <class F>
  static constexpr const Ops* ops_for() noexcept {
    return &detail::FunctionModel<F, R, Args...>::ops;
  }
  // What a Function can hold (only such a type can be the target).
  template <class D>
  static constexpr bool storable = std::is_object_v<D> && std::is_same_v<D, std::decay_t<D>> &&
                                   std::is_copy_constructible_v<D> && std::is_invocable_r_v<R, D&, Args...>;

 public:
  using result_type = R;

  Function() noexcept = default;
  Function(std::nullptr_t) noexcept {}

  // Stores a copy of any copyable callable invocable as F& with Args... whose result
  // converts to R (any result, for R = void).
  template <class F, class D = std::decay_t<F>>
    requires(!std::is_same_v<D, Function> && storable<D> && std::is_constructible_v<D, F &&>)
  Function(F&& f) {
    if (detail::is_null_callable(f)) return;
    if constexpr (detail::function_inline_v<D>)
      ::new (static_cast<void*>(storage_.buf)) D(std::forward<F>(f));
    else
      storage_.heap = new D(std::forward<F>(f));
    ops_ = ops_for<D>();
  }

  Function(const Function& o) {
    if (o.ops_) {
      o.ops_->copy(o.storage_, storage_);
      ops_ = o.ops_;
    }
  }
  Function(Function&& o) noexcept {
    if (o.ops_) {
      o.ops_->relocate(o.storage_, storage_);
      ops_ = std::exchange(o.ops_, nullptr);
    }
  }
  ~Function() { reset(); }

  // Assignments build the new target first and destroy the old one last, so the old
  // target's destructor (which may drop the last handle to anything) sees *this in its
  // final state.
  Function& operator=(const Function& o) {
    Function(o).swap(*this);
    return *this;
  }
  Function& operator=(Function&& o) noexcept {
    Function(std::move(o)).swap(*this);
    return *this;
  }
  Function& operator=(std::nullptr_t) noexcept {
    reset();
    return *this;
  }
  template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, Function> && std::is_constructible_v<Function, F &&>)
  Function& operator=(F&& f) {
    Function(std::forward<F>(f)).swap(*this);
    return *this;
  }

  // Destroys the target, if any; *this reads empty before the target's destructor runs.
  void reset() noexcept {
    if (const Ops* ops = std::exchange(ops_, nullptr)) ops->destroy(storage_);
  }

  void swap(Function& o) noexcept {
    if (this == &o) return;
    detail::FunctionStorage tmp;
    if (ops_) ops_->relocate(storage_, tmp);
    if (o.ops_) o.ops_->relocate(o.storage_, storage_);
    if (ops_) ops_->relocate(tmp, o.storage_);
    std::swap(ops_, o.ops_);
  }

  explicit operator bool() const noexcept { return ops_ != nullptr; }

  // Calls the target as a non-const lvalue (as std::function does).
  R operator()(Args... args) const {
    if (!ops_) throw std::bad_function_call();
    return ops_->call(storage_, std::forward<Args>(args)...);
  }

  // The collector's view of the target: traced when its type is traceable, else nothing.
  void trace(Tracer& t) {
    if (ops_ && ops_->trace) ops_->trace(storage_, t);
  }
  // The same for a collection's step 1 (detail::walk).
  void cyc_walk_(detail::SubtractPass& p) {
    if (ops_ && ops_->subtract) ops_->subtract(storage_, p);
  }

  // True when the target's handles are visible to the collector (a Closure or another
  // traceable callable); false when empty or opaque (a lambda, a std::function).
  bool traced() const noexcept { return ops_ && ops_->trace; }

  // The target when it is exactly a T, else null. Compares the type's operation table, not
  // RTTI: a Function made in another shared library built with hidden visibility may answer
  // null.
  template <class T>
  T* target() noexcept {
    if constexpr (storable<T>)
      if (ops_ && ops_ == ops_for<T>()) return &detail::function_target<T>(storage_);
    return nullptr;
  }
  template <class T>
  const T* target() const noexcept {
    return const_cast<Function&>(*this).template target<T>();
  }

  friend bool operator==(const Function& f, std::nullptr_t) noexcept { return !f; }

 private:
  mutable detail::FunctionStorage storage_;
  const Ops* ops_ = nullptr;
};

template <class R, class... Args>
void swap(Function<R(Args...)>& a, Function<R(Args...)>& b) noexcept {
  a.swap(b);
}

static_assert(is_traceable_v<Function<void()>>, "a Function field makes its type tracked");

}  // namespace cyc
