#pragma once
#include <memory>

#include "lifetime.h"

namespace regis {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Lifetime lifetime;  // owns the shared state that keeps the callbacks
  void start();
  void start_weak();
  void stop();
};

}  // namespace regis
