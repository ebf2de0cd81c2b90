#include <memory>

#include "widget.h"

int main() {
  auto w = std::make_shared<pimpl::Widget>();
  w->listen();
  auto quiet = std::make_shared<pimpl::Widget>();
  quiet->listen_weak();
}
