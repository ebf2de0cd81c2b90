// input_dependent.cpp - a back link made only for some inputs: run without arguments, the
// cycle never forms.
// Expected (no arguments): the cycle-instance finding at `second->next = first` is NOT
// EXERCISED; with --link-back it is CONFIRMED.
#include <cstdio>
#include <cstring>

#include <cyc/cyc.h>

namespace confirm {

struct Step {
  cyc::Handle<Step> next;
  CYC_TRACE(next)
};

void run(bool link_back) {
  auto first = cyc::make<Step>();
  auto second = cyc::make<Step>();
  first->next = second;
  if (link_back) second->next = first;
}

}  // namespace confirm

int main(int argc, char** argv) {
  const bool link_back = argc > 1 && std::strcmp(argv[1], "--link-back") == 0;
  confirm::run(link_back);
  std::printf("collect() found %zu\n", cyc::gc::collect());
  return 0;
}
