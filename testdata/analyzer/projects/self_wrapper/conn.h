#pragma once
#include <functional>
#include <memory>

namespace selfwrap {

class Conn : public std::enable_shared_from_this<Conn> {
 public:
  std::shared_ptr<Conn> get_shared();  // defined in shared.cpp
  std::shared_ptr<Conn> self() { return shared_from_this(); }
  void start_bind();
  void start_self();
  void start_weak();
  void on_read(int n);
  void close();

 private:
  std::function<void(int)> handler_;
  std::function<void()> on_close_;
};

// A base that hands out shared_ptrs of the derived type.
class Component : public std::enable_shared_from_this<Component> {
 public:
  virtual ~Component() = default;

 protected:
  template <class T> std::shared_ptr<T> shared_from_base() { return std::static_pointer_cast<T>(shared_from_this()); }
};

class Service : public Component {
 public:
  void start_base();
  void start_cast();
  void start_weak();
  void tick();

 private:
  std::function<void()> on_tick_;
};

}  // namespace selfwrap
