// cycle-type with cyc::Handle. Cycles through two strong fields are findings; lists and
// trees through one field, binary trees, DAGs and weak back-pointers are not.
#include <cyc/cyc.h>

#include <string>
#include <vector>

namespace handle_types {

// A tree whose children point back to their parent strongly.
struct TreeNode {
  std::string name;
  std::vector<cyc::Handle<TreeNode>> kids;
  cyc::Handle<TreeNode> parent;  // expected-warning {{cycle-type: strong fields form a reference cycle: handle_types::TreeNode.kids -> handle_types::TreeNode.parent -> (handle_types::TreeNode)}}
  CYC_TRACE(kids, parent)
};

// The same tree with a weak back-pointer.
struct GoodTree {
  std::vector<cyc::Handle<GoodTree>> kids;
  cyc::Weak<GoodTree> parent;
  CYC_TRACE(kids)
};

// A singly linked list.
struct ListNode {
  int value = 0;
  cyc::Handle<ListNode> next;
  CYC_TRACE(next)
};

// A doubly linked list whose prev is strong.
struct DNode {
  cyc::Handle<DNode> next;
  cyc::Handle<DNode> m_prev;  // expected-warning {{cycle-type: handle_types::DNode.next -> handle_types::DNode.m_prev -> (handle_types::DNode)}}
  CYC_TRACE(next, m_prev)
};

// A binary tree: two fields, both pointing down.
struct BinaryNode {
  cyc::Handle<BinaryNode> left, right;
  CYC_TRACE(left, right)
};

// Two types that point at each other.
struct Response;
struct Request {
  cyc::Handle<Response> response;
  CYC_TRACE(response)
};
struct Response {
  cyc::Handle<Request> request;  // expected-warning {{cycle-type: handle_types::Request.response -> handle_types::Response.request -> (handle_types::Request)}}
  CYC_TRACE(request)
};

// A DAG of types: A -> B -> C and A -> C.
struct C {
  int value = 0;
};
struct B {
  cyc::Handle<C> c;
  CYC_TRACE(c)
};
struct A {
  cyc::Handle<B> b;
  cyc::Handle<C> c;
  CYC_TRACE(b, c)
};

// Three types in a ring.
struct Ring2;
struct Ring3;
struct Ring1 {
  cyc::Handle<Ring2> next;
  CYC_TRACE(next)
};
struct Ring2 {
  cyc::Handle<Ring3> next;
  CYC_TRACE(next)
};
struct Ring3 {
  cyc::Handle<Ring1> first;  // expected-warning {{cycle-type: handle_types::Ring1.next -> handle_types::Ring2.next -> handle_types::Ring3.first -> (handle_types::Ring1)}}
  CYC_TRACE(first)
};

}  // namespace handle_types
