// Structures that must stay silent: lists and trees through one field, DAGs, weak
// back-pointers, for both cyc::Handle and std::shared_ptr; and code that builds them.
// expected-no-diagnostics
#include <cyc/cyc.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace neg {

struct List {
  int value = 0;
  cyc::Handle<List> next;
  CYC_TRACE(next)
};

struct Tree {
  std::string name;
  std::vector<cyc::Handle<Tree>> kids;
  cyc::Weak<Tree> parent;
  CYC_TRACE(kids)
};

struct Graph;
struct Vertex {
  std::vector<cyc::Weak<Vertex>> neighbours;
  cyc::Weak<Graph> graph;
};
struct Graph {
  std::vector<cyc::Handle<Vertex>> vertices;
  CYC_TRACE(vertices)
};

struct Texture {
  int id = 0;
};
struct Material {
  std::shared_ptr<Texture> albedo, normal;
};
struct Mesh {
  std::shared_ptr<Material> material;
  std::shared_ptr<Texture> lightmap;
};
struct Scene {
  std::vector<std::shared_ptr<Mesh>> meshes;
  std::map<std::string, std::shared_ptr<Material>> materials;
};

struct Doc;
struct Para {
  std::weak_ptr<Doc> doc;
  std::optional<std::shared_ptr<Para>> next;
};
struct Doc {
  std::vector<std::shared_ptr<Para>> paras;
};

struct Handler {
  virtual ~Handler() = default;
  std::shared_ptr<Handler> successor;  // a chain of responsibility: one field
};
struct Logging : Handler {
  int level = 0;
};

void build() {
  auto root = cyc::make<Tree>();
  auto kid = cyc::make<Tree>();
  root->kids.push_back(kid);
  kid->parent = root;
  auto a = cyc::make<List>();
  auto b = cyc::make<List>();
  a->next = b;
  auto scene = std::make_shared<Scene>();
  auto mesh = std::make_shared<Mesh>();
  scene->meshes.push_back(mesh);
}

}  // namespace neg
