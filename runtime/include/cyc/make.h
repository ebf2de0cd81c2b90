// cyc/make.h - creating libcyc objects.
//
//   auto n = cyc::make<Node>("a");                        // Node{"a"} or Node("a")
//   auto li = cyc::make<std::vector<cyc::Handle<>>>();     // a collectable list
//
// make<T> performs one allocation holding the reference counts, the collector's bookkeeping
// (for traceable T only: see <cyc/trace.h>) and the T itself, and returns the only strong
// handle to it. It works for any T: types that cannot hold handles are simply not tracked.
// Making a traceable object may first run an automatic collection on the calling thread
// (see cyc::gc::set_threshold). Throws whatever T's constructor throws, or std::bad_alloc;
// nothing leaks either way.
//
// Optional hooks, found by name on T: `std::size_t cyc_host_bytes() const` and
// `std::size_t cyc_device_bytes() const` report memory the object owns outside its own
// allocation (a heap buffer, device memory), so that collector reports can say how many
// bytes a garbage cycle held. Without a host hook, a T with capacity() and value_type
// (std::vector, std::string) counts capacity() * sizeof(value_type).
#pragma once

#include <algorithm>
#include <atomic>
#include <concepts>
#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

#include <cyc/handle.h>
#include <cyc/trace.h>

namespace cyc {
namespace detail {

constexpr std::size_t round_up(std::size_t n, std::size_t a) { return (n + a - 1) / a * a; }

template <class T>
constexpr TypeInfo make_type_info() {
  constexpr bool tracked = is_traceable_v<T>;
  constexpr std::size_t align = std::max<std::size_t>(alignof(T), alignof(Header));
  // The object right after the Header (kObjectOffset), padding in front of the headers.
  constexpr std::size_t object_at = round_up((tracked ? sizeof(GcHead) : 0) + sizeof(Header), align);
  constexpr std::size_t header_offset = object_at - kObjectOffset;
  TypeInfo ti{};
  ti.rtti = &typeid(T);
  ti.destroy = [](void* p) noexcept { static_cast<T*>(p)->~T(); };
  if constexpr (tracked) {
    ti.trace = [](void* p, Tracer& t) { cyc::trace(t, *static_cast<T*>(p)); };
    ti.subtract = [](void* p, SubtractPass& pass) noexcept { walk(pass, *static_cast<T*>(p)); };
  }
  if constexpr (requires(const T& v) { static_cast<std::size_t>(v.cyc_host_bytes()); })
    ti.host_bytes = [](const void* p) noexcept {
      return static_cast<std::size_t>(static_cast<const T*>(p)->cyc_host_bytes());
    };
  else if constexpr (requires(const T& v) {
                       typename T::value_type;
                       { v.capacity() } -> std::convertible_to<std::size_t>;
                     })
    // std::vector, std::string and friends: their element buffer.
    ti.host_bytes = [](const void* p) noexcept {
      return static_cast<const T*>(p)->capacity() * sizeof(typename T::value_type);
    };
  if constexpr (requires(const T& v) { static_cast<std::size_t>(v.cyc_device_bytes()); })
    ti.device_bytes = [](const void* p) noexcept {
      return static_cast<std::size_t>(static_cast<const T*>(p)->cyc_device_bytes());
    };
  ti.alloc_size = object_at + sizeof(T);
  ti.alloc_align = align;
  ti.header_offset = static_cast<std::uint32_t>(header_offset);
  return ti;
}

template <class T>
inline constexpr TypeInfo type_info_v = make_type_info<T>();

// T's index in the type table (Header::meta), taken on the first make<T> in the process
// (register_type); 0 until then. A load and a predicted branch on every make<T>.
template <class T>
inline constinit std::atomic<std::uint32_t> type_index_v{0};

template <class T>
std::uint32_t type_index() noexcept {
  const std::uint32_t index = type_index_v<T>.load(std::memory_order_acquire);
  if (index != 0) [[likely]] return index;
  return register_type(type_info_v<T>, type_index_v<T>);
}

}  // namespace detail

template <class T, class... Args>
Handle<T> make(Args&&... args) {
  static_assert(std::is_object_v<T> && !std::is_array_v<T> && !std::is_const_v<T>,
                "cyc::make<T>: T must be a non-const, non-array object type");
  detail::Header* h = detail::allocate(detail::type_info_v<T>, detail::type_index<T>());
  T* p;
  // Aggregates are initialized from the arguments given; the members not named are
  // value-initialized, which is what a user of make<Node>("a") means.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
  try {
    if constexpr (std::is_constructible_v<T, Args&&...>)
      p = ::new (h->object()) T(std::forward<Args>(args)...);
    else
      p = ::new (h->object()) T{std::forward<Args>(args)...};
  } catch (...) {
    detail::free_memory(h);
    throw;
  }
#pragma GCC diagnostic pop
  detail::publish(h, detail::type_info_v<T>);
  return detail::Access::adopt<T>(p, h);
}

}  // namespace cyc
