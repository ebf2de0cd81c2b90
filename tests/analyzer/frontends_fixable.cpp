// frontends_fixable.cpp - findings whose fix-its make the code clean: frontends_test.py applies
// each front end's fix-its to a copy, compiles it, and expects no finding in it.
#include <cyc/cyc.h>

#include <string>
#include <vector>

namespace fixable {

// missing-trace: the fix-it adds CYC_TRACE(next).
// expected-warning@+1 {{missing-trace: 'fixable::Untraced' holds cyc handles (next) but has no trace hook}}
struct Untraced {
  cyc::Handle<Untraced> next;
};

// untraced-field: the fix-it adds the field to CYC_TRACE.
struct Partial {
  cyc::Handle<Partial> a;
  std::vector<cyc::Handle<Partial>> b;  // expected-warning {{untraced-field: 'fixable::Partial::b' holds cyc handles that CYC_TRACE does not visit}}
  CYC_TRACE(a)
};

// cycle-type through a back-pointer: the fix-it makes it a cyc::Weak.
struct TreeNode {
  std::string name;
  std::vector<cyc::Handle<TreeNode>> kids;
  cyc::Handle<TreeNode> parent;  // expected-warning {{cycle-type: fixable::TreeNode.kids -> fixable::TreeNode.parent -> (fixable::TreeNode)}}
  CYC_TRACE(kids, parent)
};

}  // namespace fixable
