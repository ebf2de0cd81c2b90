// cyc/trace.h - how the cycle collector sees the handles inside an object.
//
// A type takes part in cycle collection when it has a trace hook, one of:
//
//   struct Node {                          // 1. the macro: declares trace() and records
//     cyc::Handle<Node> next;              //    the field names used in reports
//     std::vector<cyc::Handle<Node>> kids;
//     CYC_TRACE(next, kids)
//   };
//
//   struct Graph {                         // 2. a public member
//     void trace(cyc::Tracer& t) { t(nodes, "nodes"); }
//   };
//
//   void cyc_trace(third_party::Foo& f, cyc::Tracer& t) { t(f.handle, "handle"); }  // 3. ADL
//
// Standard containers (anything with begin()/end()), std::optional, std::unique_ptr, std::pair,
// std::tuple, std::variant, std::array and built-in arrays are traced element by element without help,
// so make<std::vector<cyc::Handle<>>>() is a collectable list. Weak handles are not traced:
// they never keep anything alive. A type for which none of this applies cannot hold handles
// the collector could see, and is not tracked (CPython does not track ints either).
//
// A trace hook must visit every strong handle the object holds, must not create, copy,
// assign or drop handles, and must not call cyc::gc::collect() (that aborts with a message).
// It may be called on any thread that runs a collection. A handle the hook does not visit
// is invisible to the collector: a cycle through it can never be collected.
#pragma once

#include <array>
#include <cstddef>
#include <iterator>
#include <memory>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <variant>

#include <cyc/detail/subtract_pass.h>
#include <cyc/handle.h>

namespace cyc {

namespace detail {
// What CYC_TRACE tells reports about the fields it visits: its argument list as written and the
// class whose CYC_TRACE it is (a base class for an inherited field). A constant of the hook.
struct FieldNames {
  const char* list;
  const std::type_info* owner;
};
}  // namespace detail

// The visitor a trace hook is given. Call it on each field: t(field) or t(field, "name").
class Tracer {
 public:
  template <class V>
  Tracer& operator()(V& value, const char* name = nullptr);

  // Used by CYC_TRACE: visits the index-th of the fields `names` lists (two stores a field).
  template <class V>
  void field(const detail::FieldNames& names, unsigned index, V& value);

  // Called for each strong handle reached.
  void visit(detail::HandleBase& handle) { visit_(*this, handle); }

  // The field being traced, as the hook named it ("" when unnamed, e.g. the elements of a
  // top-level container). Cheap to call only when a report needs it.
  std::string_view field_name() const noexcept;

  // The class whose CYC_TRACE names the field being traced; null when the hook did not say
  // (a member trace() or ADL hook, an unnamed field), which reports read as the object's type.
  const std::type_info* field_owner() const noexcept { return fields_ ? fields_->owner : nullptr; }

 protected:
  using VisitFn = void (*)(Tracer&, detail::HandleBase&);
  explicit Tracer(VisitFn fn) noexcept : visit_(fn) {}
  ~Tracer() = default;

 private:
  VisitFn visit_;
  const detail::FieldNames* fields_ = nullptr;  // CYC_TRACE's fields, the index_-th traced
  unsigned index_ = 0;
  const char* name_ = nullptr;                  // otherwise: the name given to operator()
};

template <class T> struct is_traceable;

namespace detail {

template <class T> struct is_handle : std::false_type {};
template <class T> struct is_handle<Handle<T>> : std::true_type {};
// std::unique_ptr of one object (arrays have no size to trace by).
template <class T> struct is_unique_ptr : std::false_type {};
template <class T, class D> struct is_unique_ptr<std::unique_ptr<T, D>> : std::bool_constant<!std::is_array_v<T>> {};
template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};
template <class T> struct is_pair : std::false_type {};
template <class A, class B> struct is_pair<std::pair<A, B>> : std::true_type {};
template <class T> struct is_tuple : std::false_type {};
template <class... Ts> struct is_tuple<std::tuple<Ts...>> : std::true_type {};
template <class T> struct is_variant : std::false_type {};
template <class... Ts> struct is_variant<std::variant<Ts...>> : std::true_type {};

// Member access goes through here so that CYC_TRACE works in a private section too.
struct TraceAccess {
  template <class T>
  static constexpr bool has_member = requires(T& v, Tracer& t) { v.trace(t); };
  template <class T>
  static void call(T& v, Tracer& t) { v.trace(t); }
  // A hook's walk for a visitor other than Tracer (CYC_TRACE declares one): see detail::walk.
  template <class T, class V>
  static constexpr bool has_walk = requires(T& x, V& v) { x.cyc_walk_(v); };
  template <class T, class V>
  static void walk(T& x, V& v) { x.cyc_walk_(v); }
};

template <class T>
concept has_adl_trace = requires(T& v, Tracer& t) { cyc_trace(v, t); };

template <class T>
concept iterable = requires(T& v) {
  std::begin(v);
  std::end(v);
};

template <class T>
using element_t = std::remove_cvref_t<decltype(*std::begin(std::declval<T&>()))>;

template <class T>
constexpr bool traceable() {
  using U = std::remove_cv_t<T>;
  if constexpr (is_handle<U>::value || TraceAccess::has_member<U> || has_adl_trace<U>)
    return true;
  else if constexpr (is_optional<U>::value)
    return traceable<typename U::value_type>();
  else if constexpr (is_unique_ptr<U>::value)
    return traceable<typename U::element_type>();
  else if constexpr (is_pair<U>::value)
    return traceable<typename U::first_type>() || traceable<typename U::second_type>();
  else if constexpr (is_tuple<U>::value || is_variant<U>::value)
    return []<template <class...> class L, class... Ts>(std::type_identity<L<Ts...>>) {
      return (traceable<Ts>() || ... || false);
    }(std::type_identity<U>{});
  else if constexpr (std::is_array_v<U>)
    return traceable<std::remove_extent_t<U>>();
  else if constexpr (std::is_class_v<U> && iterable<U>) {
    // A range of itself (std::filesystem::path iterates over paths) holds no handles.
    if constexpr (std::is_same_v<element_t<U>, U>)
      return false;
    else
      return traceable<element_t<U>>();
  } else
    return false;
}

}  // namespace detail

// True when T holds handles the collector can see (it has a trace hook, or is a handle, or
// a standard wrapper/container of such types). make<T> tracks exactly these types.
template <class T>
struct is_traceable : std::bool_constant<detail::traceable<T>()> {};
template <class T>
inline constexpr bool is_traceable_v = is_traceable<T>::value;

namespace detail {

// A hook, called with the visitor a walk was given: a Tracer, or a collection's step 1
// (SubtractPass), which takes the hook's own walk, cyc_walk_(), where it has one (CYC_TRACE,
// Closure, Function) and otherwise calls the hook with the Tracer the pass carries.
template <class U>
void call_hook(Tracer& t, U& value) {
  if constexpr (TraceAccess::has_member<U>)
    TraceAccess::call(value, t);
  else
    cyc_trace(value, t);
}
template <class U>
void call_hook(SubtractPass& pass, U& value) {
  if constexpr (TraceAccess::has_walk<U, SubtractPass>)
    TraceAccess::walk(value, pass);
  else
    call_hook(*pass.tracer, value);
}

// Visits every strong handle in `value`, with v.visit(handle): the structure that trace() and
// the collector's step 1 (TypeInfo::subtract) both follow.
template <class V, class T>
void walk(V& v, T& value) {
  using U = std::remove_cv_t<T>;
  if constexpr (!traceable<U>()) {
    return;
  } else if constexpr (is_handle<U>::value) {
    v.visit(const_cast<U&>(value));
  } else if constexpr (TraceAccess::has_member<U> || has_adl_trace<U>) {
    call_hook(v, const_cast<U&>(value));
  } else if constexpr (is_optional<U>::value || is_unique_ptr<U>::value) {
    if (value) walk(v, *const_cast<U&>(value));
  } else if constexpr (is_pair<U>::value) {
    walk(v, const_cast<U&>(value).first);
    walk(v, const_cast<U&>(value).second);
  } else if constexpr (is_tuple<U>::value) {
    std::apply([&v](auto&... e) { (walk(v, e), ...); }, const_cast<U&>(value));
  } else if constexpr (is_variant<U>::value) {
    std::visit([&v](auto& e) { walk(v, e); }, const_cast<U&>(value));
  } else {
    // Arrays and containers. Elements of sets and keys of maps are const: the collector
    // only resets handles inside objects it is about to destroy, so the container's
    // ordering is never consulted again.
    for (auto& e : const_cast<U&>(value)) walk(v, const_cast<element_t<U>&>(e));
  }
}

template <class V, class... Fs>
void walk_fields(V& v, Fs&... fields) {
  (walk(v, fields), ...);
}

}  // namespace detail

// Traces any value: a handle, a type with a hook, or a standard wrapper or container.
// Keys of associative containers are traced too (a handle used as a key is a strong edge).
template <class T>
void trace(Tracer& t, T& value) {
  detail::walk(t, value);
}

template <class V>
Tracer& Tracer::operator()(V& value, const char* name) {
  fields_ = nullptr;
  name_ = name;
  cyc::trace(*this, value);
  return *this;
}

template <class V>
void Tracer::field(const detail::FieldNames& names, unsigned index, V& value) {
  fields_ = &names;
  index_ = index;
  cyc::trace(*this, value);
}

namespace detail {
template <class... Fs>
void trace_fields(Tracer& t, const FieldNames& names, Fs&... fields) {
  unsigned i = 0;
  (t.field(names, i++, fields), ...);
}
}  // namespace detail

}  // namespace cyc

// Declares `void trace(cyc::Tracer&)` visiting the named fields, in order. The field names
// appear in collector reports ("Node.next -> Node.kids -> ..."), with the class that declares
// this hook as their owner (the static type of *this: a base class's hook in a derived object
// still names the base). Works in any access section, and in a local class. Also declares
// cyc_walk_(), the same visits for the collector's step 1 (<cyc/detail/subtract_pass.h>).
#define CYC_TRACE(...)                                                        \
  friend struct ::cyc::detail::TraceAccess;                                   \
  void trace(::cyc::Tracer& cyc_tracer_) {                                    \
    static constexpr ::cyc::detail::FieldNames cyc_fields_{                   \
        #__VA_ARGS__, &typeid(::std::remove_reference_t<decltype(*this)>)};   \
    ::cyc::detail::trace_fields(cyc_tracer_, cyc_fields_, __VA_ARGS__);       \
  }                                                                           \
  void cyc_walk_(::cyc::detail::SubtractPass& cyc_pass_) {                   \
    ::cyc::detail::walk_fields(cyc_pass_, __VA_ARGS__);                       \
  }
