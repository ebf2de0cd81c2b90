// Inheritance both ways: a handle to a base can hold any derived class, and a derived class
// has its bases' fields.
#include <memory>
#include <vector>

namespace inh {

// A canvas holds shapes; one kind of shape holds the canvas.
struct Shape {
  virtual ~Shape() = default;
};
struct Canvas {
  std::vector<std::shared_ptr<Shape>> shapes;
};
struct Circle : Shape {
  std::shared_ptr<Canvas> canvas;  // expected-warning {{cycle-type: inh::Canvas.shapes -> inh::Circle.canvas -> (inh::Canvas)}}
};
struct Square : Shape {
  double side = 1;
};

// The field that closes the cycle is inherited.
struct Subject;
struct Observer {
  virtual ~Observer() = default;
  std::shared_ptr<Subject> subject;
};
struct Logger : Observer {};
struct Subject {
  std::vector<std::shared_ptr<Logger>> loggers;  // expected-warning {{cycle-type: inh::Logger.subject -> inh::Subject.loggers -> (inh::Logger)}}
};

// A composite: directories hold entries, some of which are directories. One field: a tree.
struct Dir;
struct Entry {
  virtual ~Entry() = default;
  std::weak_ptr<Dir> parent;
};
struct Dir : Entry {
  std::vector<std::shared_ptr<Entry>> entries;
};
struct Leaf : Entry {
  int size = 0;
};

}  // namespace inh
