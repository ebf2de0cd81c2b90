// A pimpl widget owns its Impl through a raw pointer (new / delete); a callback stored in the
// Impl holds the widget, so widget and Impl keep each other alive.
#include "widget.h"

#include <functional>

namespace pimpl {

struct Widget::Impl {
  std::function<void()> on_event;
};

Widget::Widget() : p_(new Impl) {}
Widget::~Widget() { delete p_; }

void Widget::listen() {
  p_->on_event = [self = shared_from_this()] { self->repaint(); };  // expected-warning {{capture-cycle: holds 'self = shared_from_this()'}}
}

// Fixed: a weak capture.
void Widget::listen_weak() {
  p_->on_event = [weak = weak_from_this()] {
    if (auto s = weak.lock()) s->repaint();
  };
}

void Widget::repaint() {}

}  // namespace pimpl
