// seed.cpp - the seed story: a list that contains itself and a 4 MiB device buffer keeps the
// buffer allocated after fb() returns, until collect().
// Expected: the cycle-instance finding at `li->push_back(li)` is CONFIRMED once, holding
// 4194304 device bytes until the explicit collect().
#include <cstddef>
#include <cstdio>
#include <vector>

#include <cyc/cyc.h>

namespace {

constexpr std::size_t kTensorBytes = std::size_t{4} << 20;

void fa() { auto t = cyc::device::empty(kTensorBytes); }  // freed by refcounting at return

void fb() {
  auto t = cyc::device::empty(kTensorBytes);
  auto li = cyc::make<std::vector<cyc::Handle<>>>();
  li->push_back(t);
  li->push_back(li);
}

}  // namespace

int main() {
  cyc::gc::disable();
  fa();
  fb();
  std::printf("after fb: %zu device bytes held\n", cyc::device::memory_allocated());
  std::printf("collect() found %zu\n", cyc::gc::collect());
  std::printf("after collect: %zu device bytes held\n", cyc::device::memory_allocated());
  return 0;
}
