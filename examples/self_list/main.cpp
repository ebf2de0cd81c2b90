// A self-referencing list keeps a large object alive after the function that built it
// returns, until the cycle collector runs - the same as in Python:
//
//   def fa():  t = Blob(4 MiB)                       # freed on return (refcount)
//   def fb():  li = [Blob(4 MiB)]; li.append(li)     # held until gc.collect()
//
// The program prints the memory held after each step, and exits non-zero if the figures
// are not the expected ones.
#include <cstddef>
#include <cstdio>
#include <vector>

#include <cyc/cyc.h>

namespace {

constexpr std::size_t kBlobBytes = 4u << 20;
std::size_t g_blob_bytes = 0;  // bytes held by live Blobs

// A large object: no handles inside, so it is freed by reference counting alone.
struct Blob {
  std::vector<std::byte> data;
  explicit Blob(std::size_t n) : data(n) { g_blob_bytes += n; }
  ~Blob() { g_blob_bytes -= data.size(); }
  std::size_t cyc_host_bytes() const { return data.capacity(); }
};

using List = std::vector<cyc::Handle<>>;  // a Python-like list

void fa() {
  auto t = cyc::make<Blob>(kBlobBytes);
}

void fb() {
  auto li = cyc::make<List>();
  li->push_back(cyc::make<Blob>(kBlobBytes));
  li->push_back(li);  // li.append(li)
}

int failures = 0;

void show(const char* step, std::size_t expected) {
  std::printf("%-22s: held: %.1f MiB, tracked objects: %zu\n", step,
              static_cast<double>(g_blob_bytes) / (1 << 20), cyc::gc::tracked());
  if (g_blob_bytes != expected) {
    std::printf("  expected %zu bytes held, found %zu\n", expected, g_blob_bytes);
    ++failures;
  }
}

}  // namespace

int main() {
  cyc::gc::disable();  // as in the Python story: nothing collects until we ask
  cyc::gc::add_callback([](const cyc::gc::CollectReport& report) {
    for (const cyc::gc::Cycle& c : report.cycles)
      std::printf("  garbage cycle: %s\n    %zu objects, %.1f MiB host memory\n",
                  cyc::gc::format_path(c.path).c_str(), c.objects,
                  static_cast<double>(c.host_bytes) / (1 << 20));
  });

  show("start", 0);
  fa();
  show("after fa()", 0);
  fb();
  show("after fb()", kBlobBytes);
  std::size_t found = cyc::gc::collect();
  std::printf("cyc::gc::collect() found %zu unreachable object(s)\n", found);
  show("after collect()", 0);
  if (found != 1) ++failures;
  return failures == 0 ? 0 : 1;
}
