// The seed story, in C++ on libcyc. In Python with PyTorch:
//
//   def fa():
//       t = torch.empty(1024 * 1024, device="cuda")        # 4 MiB held by a local
//       print("fa : allocated:", torch.cuda.memory_allocated() / 2**20, "memory (MB)")
//   fa()                                                    # 0.0 after: refcounting frees it
//   def fb():
//       t = torch.empty(1024 * 1024, device="cuda")
//       li = [t]; li.append(li)                             # a list that contains itself
//   fb()                                                    # 4.0 after: the cycle holds it
//   gc.collect()                                            # 0.0: the collector frees it
//
// The same program here prints the same figures, on the CUDA backend when a GPU is usable
// and on the host backend otherwise (CYC_DEVICE=cuda|host|auto). It checks each figure to
// the byte and exits non-zero on a mismatch (2 on an error such as a bad CYC_DEVICE).
#include <cstddef>
#include <cstdio>
#include <exception>
#include <vector>

#include <cyc/cyc.h>

namespace {

constexpr std::size_t kTensorBytes = 4u << 20;  // 1024 * 1024 float32
int failures = 0;

void show(const char* name, std::size_t expected) {
  const std::size_t allocated = cyc::device::memory_allocated();
  std::printf("%-14s: allocated: %.1f memory (MB)\n", name, static_cast<double>(allocated) / (1 << 20));
  if (allocated != expected) {
    std::printf("  MISMATCH: expected %zu bytes allocated, found %zu\n", expected, allocated);
    ++failures;
  }
}

void fa() {
  auto t = cyc::device::empty(kTensorBytes);
  show("fa", kTensorBytes);
}

void fb() {
  auto t = cyc::device::empty(kTensorBytes);
  auto li = cyc::make<std::vector<cyc::Handle<>>>();  // li = [t]
  li->push_back(t);
  li->push_back(li);  // li.append(li)
  show("fb", kTensorBytes);
}

int run() {
  cyc::gc::disable();  // as in the story: nothing collects until we ask
  std::printf("cyc::device backend: %s (%s), capacity %.1f MB\n", cyc::device::backend().c_str(),
              cyc::device::backend_description().c_str(),
              static_cast<double>(cyc::device::capacity()) / (1 << 20));
  if (!cyc::device::backend_note().empty()) std::printf("  %s\n", cyc::device::backend_note().c_str());
  cyc::gc::add_callback([](const cyc::gc::CollectReport& report) {
    for (const cyc::gc::Cycle& c : report.cycles)
      std::printf("  garbage cycle: %s\n    %zu object(s), %.1f MB of device memory held until collect()\n",
                  cyc::gc::format_path(c.path).c_str(), c.objects,
                  static_cast<double>(c.device_bytes) / (1 << 20));
  });

  show("start", 0);
  fa();
  show("after fa", 0);
  fb();
  show("after fb", kTensorBytes);
  const std::size_t found = cyc::gc::collect();
  std::printf("gc.collect() found %zu unreachable object(s)\n", found);
  if (found != 1) {
    std::printf("  MISMATCH: expected 1 unreachable object (the list; the buffer goes with it)\n");
    ++failures;
  }
  show("after collect", 0);
  if (failures) {
    std::printf("seed: %d figure(s) differ from the story\n", failures);
    return 1;
  }
  std::printf("seed: all figures as in the story\n");
  return 0;
}

}  // namespace

int main() {
  try {
    return run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "seed: error: %s\n", e.what());
    return 2;
  }
}
