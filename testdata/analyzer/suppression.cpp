// `// cyclops: ignore(rule-id)` on the reported line silences that rule there, and only there.
#include <cyc/cyc.h>

#include <memory>
#include <vector>

namespace sup {

struct Window {
  std::vector<std::shared_ptr<Window>> children;
  std::shared_ptr<Window> parent;  // cyclops: ignore(cycle-type)
};

struct Panel {
  std::vector<std::shared_ptr<Panel>> children;
  std::shared_ptr<Panel> parent;  // cyclops: ignore(cyclops-missing-trace, cyclops-cycle-type)
};

struct Frame {
  std::vector<std::shared_ptr<Frame>> children;
  std::shared_ptr<Frame> parent;  // cyclops: ignore(missing-trace) expected-warning {{cycle-type: sup::Frame.children -> sup::Frame.parent}}
};

struct Raw {  // cyclops: ignore(*)
  cyc::Handle<Raw> next;
};

void leak() {
  auto li = cyc::make<std::vector<cyc::Handle<>>>();
  li->push_back(li);  // cyclops: ignore(cycle-instance) -- kept on purpose for a demo
}

}  // namespace sup
