// Inheritance both ways: a handle to a base can hold any derived class, and a derived class
// has its bases' fields.
#include <memory>
#include <vector>

namespace inh {

// A canvas holds shapes; one kind of shape holds the canvas. The base-typed field closes the
// cycle only with a store that puts that kind of shape into it (draw() below).
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
// Could close the same cycle, but the program never puts a Stamp into a canvas: no finding.
struct Stamp : Shape {
  std::shared_ptr<Canvas> canvas;
};

inline void draw(Canvas &c, const std::shared_ptr<Canvas> &self) {
  auto circle = std::make_shared<Circle>();
  circle->canvas = self;
  c.shapes.push_back(circle);
}

// The field that closes the cycle is inherited.
struct Subject;
struct Observer {
  virtual ~Observer() = default;
  std::shared_ptr<Subject> subject;  // expected-warning {{cycle-type: inh::Subject.loggers -> inh::Logger.subject -> (inh::Subject)}}
};
struct Logger : Observer {};
struct Subject {
  std::vector<std::shared_ptr<Logger>> loggers;  // the elements have no weak form: the fix goes to subject
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
