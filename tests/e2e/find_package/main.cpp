#include <cstdio>

#include <cyc/cyc.h>

struct Node {
  cyc::Handle<Node> other;
  CYC_TRACE(other)
};

int main() {
  auto a = cyc::make<Node>();
  auto b = cyc::make<Node>();
  a->other = b;
  b->other = a;
  a.reset();
  b.reset();
  std::size_t n = cyc::gc::collect();
  std::printf("outside project: collected %zu\n", n);
  return n == 2 ? 0 : 1;
}
