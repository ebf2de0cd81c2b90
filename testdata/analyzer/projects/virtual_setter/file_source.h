#pragma once
#include <functional>

#include "source.h"

namespace virtset {

struct FileSource : Source {
  void set_sink(std::function<void()> f) override;  // defined in file_source.cpp
  void read() override;

 private:
  std::function<void()> sink_;
};

}  // namespace virtset
