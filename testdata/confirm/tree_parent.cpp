// tree_parent.cpp - a tree whose children hold a strong handle to their parent: every child
// and the root form one strongly connected group that only the collector frees.
// Expected: the cycle-type finding (TreeNode.kids against TreeNode.parent) is CONFIRMED.
#include <cstdio>
#include <vector>

#include <cyc/cyc.h>

namespace confirm {

struct TreeNode {
  int value = 0;
  std::vector<cyc::Handle<TreeNode>> kids;
  cyc::Handle<TreeNode> parent;  // should be cyc::Weak<TreeNode>
  CYC_TRACE(kids, parent)
};

void add_child(const cyc::Handle<TreeNode>& parent, const cyc::Handle<TreeNode>& child) {
  child->parent = parent;
  parent->kids.push_back(child);
}

int build(int n) {
  auto root = cyc::make<TreeNode>();
  for (int i = 0; i < n; ++i) {
    auto child = cyc::make<TreeNode>();
    child->value = i;
    add_child(root, child);
  }
  return static_cast<int>(root->kids.size());
}

}  // namespace confirm

int main() {
  cyc::gc::disable();
  std::printf("built a tree with %d children\n", confirm::build(3));
  std::printf("collect() found %zu\n", cyc::gc::collect());
  return 0;
}
