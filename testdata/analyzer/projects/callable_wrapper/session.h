#pragma once
#include <functional>
#include <memory>

#include "handler.h"

namespace wrapper {

class Session : public std::enable_shared_from_this<Session> {
 public:
  void start();
  void start_weak();
  void set_reader(std::function<void(int)> f);  // defined in session.cpp
  void on_data(int n);

 private:
  std::function<void(int)> reader_;
};

}  // namespace wrapper
