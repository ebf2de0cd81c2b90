// owners.cpp - a cycle whose edges pass through owners: Engine owns its Impl through a
// unique_ptr, Impl holds a Wiring by value, and the Wiring holds a strong handle back to the
// Engine. An analyzer that only looks at handle fields declared directly in a class misses it.
// Expected: the cycle-instance finding at the store is CONFIRMED (it would be MISSED by an
// analyzer that does not follow stores through owners).
#include <cstdio>
#include <memory>

#include <cyc/cyc.h>

namespace confirm {

struct Engine;

struct Wiring {
  cyc::Handle<Engine> engine;
  CYC_TRACE(engine)
};

struct Impl {
  int state = 0;
  Wiring wiring;
  CYC_TRACE(wiring)
};

struct Engine {
  std::unique_ptr<Impl> impl = std::make_unique<Impl>();
  CYC_TRACE(impl)
};

void start() {
  auto engine = cyc::make<Engine>();
  engine->impl->wiring.engine = engine;
}

}  // namespace confirm

int main() {
  confirm::start();
  std::printf("collect() found %zu\n", cyc::gc::collect());
  return 0;
}
