// cyc/handle.h - strong and weak handles to libcyc objects.
//
// cyc::Handle<T> is a nullable strong reference, like std::shared_ptr<T>, to an object made
// by cyc::make<T>, in one word where a shared_ptr takes two (so a Handle<Base> can only refer
// to a base class that starts within the first 64 KiB of its object; converting to one
// further in aborts with a message). The object is destroyed the moment its last strong
// handle goes (as in CPython, reference counting frees at once); objects that keep each other
// alive in a cycle are freed by the cycle collector (<cyc/gc.h>).
//
// Threading: reference counts are atomic. Distinct Handle objects that refer to the same
// object may be copied, moved and dropped on any thread at once, exactly as with
// std::shared_ptr. One Handle object is not itself synchronized: reading and writing the
// same Handle from two threads is a data race. A collection must not run concurrently with
// writes to traced fields of the object graph it examines (see <cyc/gc.h>).
//
// Complexity: copy, move, drop and Weak::lock() are O(1). Dropping the last reference to
// a long chain destroys it iteratively (no recursion proportional to its length).
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include <cyc/detail/object.h>

namespace cyc {

template <class T = void> class Handle;
template <class T = void> class Weak;

namespace detail {

struct Access;
struct adopt_t {};
inline constexpr adopt_t adopt{};

// A Handle is one word: the object's Header in the low 48 bits (kOffsetShift) and, above them,
// the offset of the T subobject from the start of the complete object (0 unless T is a base
// class laid out inside it). The object lies at a fixed distance from its Header
// (kObjectOffset), so dereferencing reads no memory but the handle.
inline constexpr unsigned kOffsetShift = 48;
inline constexpr std::uintptr_t kAddressMask = (std::uintptr_t{1} << kOffsetShift) - 1;
inline constexpr std::uintptr_t kMaxSubobjectOffset = (std::uintptr_t{1} << (64 - kOffsetShift)) - 1;
static_assert(sizeof(std::uintptr_t) == 8, "cyc::Handle needs 64-bit pointers");

// Aborts saying which of handle_word()'s limits h and offset break (object.cpp).
[[noreturn]] void no_handle_word(Header* h, std::uintptr_t offset) noexcept;

// The word of a handle to the subobject p of h's object (null h: a null handle). Aborts with a
// message if p lies more than kMaxSubobjectOffset bytes into the object (a base class behind
// 64 KiB of other bases), or the object above the 48-bit addresses that a word leaves room for
// (user space on x86-64 and AArch64 without 52-bit or tagged addresses).
inline std::uintptr_t handle_word(Header* h, const void* p) noexcept {
  if (!h) return 0;
  const auto address = reinterpret_cast<std::uintptr_t>(h);
  const auto offset = static_cast<std::uintptr_t>(static_cast<const char*>(p) -
                                                  static_cast<const char*>(h->object()));
  if (offset > kMaxSubobjectOffset || (address >> kOffsetShift) != 0) [[unlikely]]
    no_handle_word(h, offset);
  return address | (offset << kOffsetShift);
}

// The untyped part of every Handle: what the collector sees through a Tracer.
class HandleBase {
 public:
  // The object's header, or null. For the runtime and tools; not needed by user code.
  Header* header() const noexcept { return reinterpret_cast<Header*>(word_ & kAddressMask); }

  // For the collector's teardown: nulls the handle without dropping its reference (the
  // target is garbage being freed by the collector, whose count no longer matters).
  void forget() noexcept { word_ = 0; }

  // Drops the reference. The handle reads null before the object's destructor can run.
  void reset() noexcept {
    if (Header* h = header()) {
      word_ = 0;
      decref(h);
    }
  }

 protected:
  HandleBase() noexcept = default;
  explicit HandleBase(std::uintptr_t word) noexcept : word_(word) {}

  // The T subobject (for Handle<>: the complete object), or null.
  void* subobject() const noexcept {
    Header* h = header();
    return h ? static_cast<char*>(h->object()) + (word_ >> kOffsetShift) : nullptr;
  }

  std::uintptr_t word_ = 0;

  template <class> friend class cyc::Handle;
  template <class> friend class cyc::Weak;
};

template <class From, class To>
inline constexpr bool handle_convertible_v =
    std::is_void_v<To> || std::is_convertible_v<From*, To*>;

}  // namespace detail

// A strong, nullable, reference-counted handle. Handle<> (Handle<void>) holds any object.
template <class T>
class Handle : public detail::HandleBase {
 public:
  using element_type = T;

  Handle() noexcept = default;
  Handle(std::nullptr_t) noexcept {}
  Handle(const Handle& o) noexcept : HandleBase(o.word_) {
    if (detail::Header* h = header()) detail::incref(h);
  }
  Handle(Handle&& o) noexcept : HandleBase(std::exchange(o.word_, 0)) {}
  // Handle<Derived> -> Handle<Base> -> Handle<>.
  template <class U>
    requires(!std::is_same_v<U, T> && detail::handle_convertible_v<U, T>)
  Handle(const Handle<U>& o) noexcept : HandleBase(converted(o)) {
    if (detail::Header* h = header()) detail::incref(h);
  }
  template <class U>
    requires(!std::is_same_v<U, T> && detail::handle_convertible_v<U, T>)
  Handle(Handle<U>&& o) noexcept : HandleBase(converted(o)) {
    o.word_ = 0;
  }
  ~Handle() { reset(); }

  Handle& operator=(const Handle& o) noexcept {
    Handle(o).swap(*this);
    return *this;
  }
  Handle& operator=(Handle&& o) noexcept {
    Handle(std::move(o)).swap(*this);
    return *this;
  }
  template <class U>
    requires(!std::is_same_v<U, T> && detail::handle_convertible_v<U, T>)
  Handle& operator=(const Handle<U>& o) noexcept {
    Handle(o).swap(*this);
    return *this;
  }
  template <class U>
    requires(!std::is_same_v<U, T> && detail::handle_convertible_v<U, T>)
  Handle& operator=(Handle<U>&& o) noexcept {
    Handle(std::move(o)).swap(*this);
    return *this;
  }
  Handle& operator=(std::nullptr_t) noexcept {
    reset();
    return *this;
  }

  void swap(Handle& o) noexcept { std::swap(word_, o.word_); }

  T* get() const noexcept { return static_cast<T*>(subobject()); }

  // Dereferencing a null handle is a checked error: it aborts with a message naming T.
  template <class U = T>
    requires(!std::is_void_v<U>)
  U& operator*() const noexcept {
    if (!word_) detail::fatal("dereferenced a null cyc::Handle", &typeid(T));
    return *get();
  }
  template <class U = T>
    requires(!std::is_void_v<U>)
  U* operator->() const noexcept {
    if (!word_) detail::fatal("dereferenced a null cyc::Handle", &typeid(T));
    return get();
  }

  explicit operator bool() const noexcept { return word_ != 0; }

  // Number of strong handles to the object (0 for a null handle). Like
  // std::shared_ptr::use_count, only a snapshot when other threads hold handles too.
  std::size_t use_count() const noexcept {
    const detail::Header* h = header();
    return h ? h->strong.load(std::memory_order_relaxed) & detail::kCountMask : 0;
  }

  // The dynamic type of the object (typeid(void) for a null handle).
  const std::type_info& type() const noexcept { return word_ ? *header()->type().rtti : typeid(void); }

 private:
  // The T subobject of o's object (for Handle<>: the complete object), and o's word as a Handle<T>.
  template <class U>
  static void* convert(const Handle<U>& o) noexcept {
    if constexpr (std::is_void_v<T>)
      return o.word_ ? o.header()->object() : nullptr;
    else  // for a const T, get() gives the constness back.
      return const_cast<std::remove_cv_t<T>*>(static_cast<T*>(o.get()));
  }
  template <class U>
  static std::uintptr_t converted(const Handle<U>& o) noexcept {
    if constexpr (std::is_void_v<T>)
      return o.word_ & detail::kAddressMask;
    else
      return detail::handle_word(o.header(), convert(o));
  }

  Handle(detail::adopt_t, T* p, detail::Header* h) noexcept : HandleBase(detail::handle_word(h, p)) {}

  template <class> friend class Handle;
  template <class> friend class Weak;
  friend struct detail::Access;
};

// Identity comparisons: two handles are equal when they refer to the same object, whatever
// their static types.
template <class T, class U>
bool operator==(const Handle<T>& a, const Handle<U>& b) noexcept {
  return a.header() == b.header();
}
template <class T, class U>
std::strong_ordering operator<=>(const Handle<T>& a, const Handle<U>& b) noexcept {
  return std::compare_three_way{}(a.header(), b.header());
}
template <class T>
bool operator==(const Handle<T>& a, std::nullptr_t) noexcept {
  return !a;
}
template <class T>
std::strong_ordering operator<=>(const Handle<T>& a, std::nullptr_t) noexcept {
  return std::compare_three_way{}(a.header(), static_cast<detail::Header*>(nullptr));
}

template <class T>
void swap(Handle<T>& a, Handle<T>& b) noexcept {
  a.swap(b);
}

// A weak reference: never keeps its target alive. lock() returns null once the object is
// dead or has been found to be garbage by the collector (weak references to garbage are
// cleared before any of it is torn down).
template <class T>
class Weak {
 public:
  Weak() noexcept = default;
  Weak(std::nullptr_t) noexcept {}
  template <class U>
    requires detail::handle_convertible_v<U, T>
  Weak(const Handle<U>& h) noexcept : ptr_(Handle<T>::convert(h)), hdr_(h.header()) {
    if (hdr_) detail::incweak(hdr_);
  }
  Weak(const Weak& o) noexcept : ptr_(o.ptr_), hdr_(o.hdr_) {
    if (hdr_) detail::incweak(hdr_);
  }
  // Weak<Derived> -> Weak<Base> -> Weak<>. The target may be gone already, so convert
  // through a virtual base only from a Handle (that conversion reads the object).
  template <class U>
    requires(!std::is_same_v<U, T> && detail::handle_convertible_v<U, T> && !std::is_void_v<U>)
  Weak(const Weak<U>& o) noexcept
      : ptr_(o.ptr_ ? const_cast<void*>(static_cast<const void*>(
                          static_cast<T*>(static_cast<U*>(o.ptr_))))
                    : nullptr),
        hdr_(o.hdr_) {
    if (hdr_) detail::incweak(hdr_);
  }
  Weak(Weak&& o) noexcept : ptr_(std::exchange(o.ptr_, nullptr)), hdr_(std::exchange(o.hdr_, nullptr)) {}
  ~Weak() { reset(); }

  Weak& operator=(const Weak& o) noexcept {
    Weak(o).swap(*this);
    return *this;
  }
  Weak& operator=(Weak&& o) noexcept {
    Weak(std::move(o)).swap(*this);
    return *this;
  }
  template <class U>
    requires detail::handle_convertible_v<U, T>
  Weak& operator=(const Handle<U>& h) noexcept {
    Weak(h).swap(*this);
    return *this;
  }

  void swap(Weak& o) noexcept {
    std::swap(ptr_, o.ptr_);
    std::swap(hdr_, o.hdr_);
  }

  void reset() noexcept {
    if (detail::Header* h = std::exchange(hdr_, nullptr)) {
      ptr_ = nullptr;
      detail::decweak(h);
    }
  }

  // A strong handle to the object, or null if it is gone or being collected.
  Handle<T> lock() const noexcept {
    if (hdr_ && detail::try_incref(hdr_))
      return Handle<T>(detail::adopt, static_cast<T*>(ptr_), hdr_);
    return Handle<T>();
  }

  bool expired() const noexcept { return use_count() == 0; }

  std::size_t use_count() const noexcept {
    if (!hdr_) return 0;
    std::uint32_t s = hdr_->strong.load(std::memory_order_relaxed);
    return (s & detail::kDead) ? 0 : (s & detail::kCountMask);
  }

 private:
  void* ptr_ = nullptr;
  detail::Header* hdr_ = nullptr;

  template <class> friend class Weak;
};

namespace detail {
struct Access {
  template <class T>
  static Handle<T> adopt(T* p, Header* h) noexcept {
    return Handle<T>(detail::adopt, p, h);
  }
  [[noreturn]] static void throw_bad_cast(const std::type_info& from, const std::type_info& to);
};
}  // namespace detail

// Checked downcast. Returns the object as a Handle<T> when its dynamic type is exactly T,
// or, for polymorphic types, when dynamic_cast<T*> succeeds from the handle's static type.
// Returns null on a mismatch (and for a null handle). See also cyc::checked_cast.
template <class T, class U>
Handle<T> handle_cast(const Handle<U>& h) noexcept {
  detail::Header* hdr = h.header();
  if (!hdr) return {};
  if (*hdr->type().rtti == typeid(T)) {
    detail::incref(hdr);
    return detail::Access::adopt<T>(static_cast<T*>(hdr->object()), hdr);
  }
  if constexpr (!std::is_void_v<U> && std::is_polymorphic_v<U> && std::is_polymorphic_v<T>) {
    if (T* p = dynamic_cast<T*>(h.get())) {
      detail::incref(hdr);
      return detail::Access::adopt<T>(p, hdr);
    }
  }
  return {};
}

// Thrown by checked_cast when the object is not a T.
class bad_handle_cast : public std::bad_cast {
 public:
  explicit bad_handle_cast(std::string message) : message_(std::move(message)) {}
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  std::string message_;
};

// Like handle_cast, but a mismatch throws cyc::bad_handle_cast whose message names both
// types ("cyc::checked_cast: the object is a Leaf, not a Node"). A null handle stays null.
template <class T, class U>
Handle<T> checked_cast(const Handle<U>& h) {
  Handle<T> r = handle_cast<T>(h);
  if (!r && h) detail::Access::throw_bad_cast(h.type(), typeid(T));
  return r;
}

}  // namespace cyc

template <class T>
struct std::hash<cyc::Handle<T>> {
  std::size_t operator()(const cyc::Handle<T>& h) const noexcept {
    return std::hash<const void*>{}(h.header());
  }
};
