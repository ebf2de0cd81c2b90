// A callback handed to a virtual setter through the interface; only the implementation,
// compiled elsewhere, shows that the callback is kept in the object it holds.
#include <memory>

#include "file_source.h"

namespace virtset {

void open_file() {
  std::shared_ptr<Source> src = std::make_shared<FileSource>();
  src->set_sink([src] { src->read(); });  // expected-warning {{capture-cycle: holds 'src'}}
}

// Fixed: a weak capture.
void open_file_weak() {
  std::shared_ptr<Source> src = std::make_shared<FileSource>();
  src->set_sink([weak = std::weak_ptr<Source>(src)] {
    if (auto s = weak.lock()) s->read();
  });
}

}  // namespace virtset

int main() {
  virtset::open_file();
  virtset::open_file_weak();
}
