// Edges through owners: optional, map, variant, unique_ptr, arrays, members held by value,
// pimpl structs and user-defined containers.
#include <array>
#include <map>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

namespace owners {

// optional and map.
struct Doc;
struct Page {
  std::optional<std::shared_ptr<Doc>> doc;
};
struct Doc {
  std::map<int, std::shared_ptr<Page>> pages;  // expected-warning {{cycle-type: owners::Page.doc -> owners::Doc.pages -> (owners::Page)}}
};

// variant inside a vector.
struct Shape;
struct Group {
  std::vector<std::variant<int, std::shared_ptr<Shape>>> items;
};
struct Shape {
  std::shared_ptr<Group> owner;  // expected-warning {{cycle-type: owners::Group.items -> owners::Shape.owner -> (owners::Group)}}
};

// A built-in array and std::array.
struct Grid;
struct Cell {
  std::shared_ptr<Grid> grid;  // expected-warning {{cycle-type: owners::Grid.cells -> owners::Cell.grid -> (owners::Grid)}}
};
struct Grid {
  std::shared_ptr<Cell> cells[4];
};
struct Board;
struct Square {
  std::shared_ptr<Board> board;  // expected-warning {{cycle-type: owners::Board.squares -> owners::Square.board -> (owners::Board)}}
};
struct Board {
  std::array<std::shared_ptr<Square>, 64> squares;
};

// A member held by value whose field points back at the object that contains it.
struct Car;
struct Engine {
  std::shared_ptr<Car> owner;  // expected-warning {{cycle-type: owners::Car.engine -> owners::Engine.owner -> (owners::Car)}}
};
struct Car {
  Engine engine;
};

// A pimpl that holds its owner strongly.
class Widget {
 public:
  Widget();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};
struct Widget::Impl {
  std::shared_ptr<Widget> owner;  // expected-warning {{cycle-type: owners::Widget.impl -> owners::Widget::Impl.owner -> (owners::Widget)}}
};

// A user container template.
template <class T>
struct Bag {
  std::vector<T> items;
};
struct File;
struct Folder {
  Bag<std::shared_ptr<File>> files;
};
struct File {
  std::shared_ptr<Folder> folder;  // expected-warning {{cycle-type: owners::Folder.files -> owners::Bag<std::shared_ptr<owners::File>>.items -> owners::File.folder -> (owners::Folder)}}
};

// A value member that does not point back (an engine pointing at some other car): one
// strong field through ownership, like a list.
struct Trailer;
struct Hitch {
  std::shared_ptr<Trailer> towed;
};
struct Trailer {
  Hitch hitch;
};

// unique_ptr chains own, they do not share: no cycle of refcounts.
struct Chain {
  std::unique_ptr<Chain> next;
};

}  // namespace owners
