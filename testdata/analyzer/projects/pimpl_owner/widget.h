#pragma once
#include <memory>

namespace pimpl {

class Widget : public std::enable_shared_from_this<Widget> {
 public:
  Widget();
  ~Widget();
  Widget(const Widget &) = delete;
  Widget &operator=(const Widget &) = delete;
  void listen();
  void listen_weak();
  void repaint();

 private:
  struct Impl;  // defined in widget.cpp
  Impl *p_;     // owned: new in the constructor, delete in the destructor
};

}  // namespace pimpl
