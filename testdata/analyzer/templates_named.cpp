// A class template named only as a std::shared_ptr's argument, never used as a complete type,
// is not instantiated by the compiler: the analyzer instantiates it (with Sema) to see its
// fields, in the CLI and in the clang-tidy and compiler front ends alike.
#include <memory>
#include <vector>

namespace named {

template <class T>
struct Box {
  std::shared_ptr<T> item;
};
struct Holder {
  std::shared_ptr<Box<Holder>> box;  // expected-warning {{cycle-type: named::Box<named::Holder>.item -> named::Holder.box -> (named::Box<named::Holder>)}}
};

// The same through a container of handles.
template <class T>
struct Bag {
  std::shared_ptr<T> owner;  // expected-warning {{cycle-type: named::Keeper.bags -> named::Bag<named::Keeper>.owner -> (named::Keeper)}}
};
struct Keeper {
  std::vector<std::shared_ptr<Bag<Keeper>>> bags;
};

}  // namespace named
