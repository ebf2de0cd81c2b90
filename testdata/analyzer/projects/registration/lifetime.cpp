#include "lifetime.h"

#include <utility>
#include <vector>

namespace regis {

struct Lifetime::State {
  std::vector<std::function<void()>> callbacks;
};

Lifetime::Lifetime() : state_(std::make_shared<State>()) {}

void Lifetime::add(std::function<void()> f) { state_->callbacks.push_back(std::move(f)); }

void Lifetime::end() {
  for (auto &f : state_->callbacks) f();
}

}  // namespace regis
