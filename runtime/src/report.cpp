// report.cpp - cycles, paths and bytes of the garbage a collection found.
#include "report.h"

#include <algorithm>
#include <string>
#include <unordered_map>

#include <cyc/trace.h>

#include "heap.h"
#include "type_name.h"

namespace cyc::detail {
namespace {

struct OutEdge {
  std::int32_t target;   // index into the garbage, or -1 for an untracked object
  Header* untracked;
  std::string field;
};

class EdgeTracer final : public Tracer {
 public:
  explicit EdgeTracer(std::vector<OutEdge>& out) : Tracer(&visit), out_(out) {}

 private:
  static void visit(Tracer& t, HandleBase& hb) {
    auto& self = static_cast<EdgeTracer&>(t);
    Header* h = hb.header();
    if (!h) return;
    if (!h->type->tracked()) {
      self.out_.push_back({-1, h, std::string(t.field_name())});
    } else if (h->gc()->color == kWhite) {
      self.out_.push_back({h->gc()->refs, nullptr, std::string(t.field_name())});
    }
  }
  std::vector<OutEdge>& out_;
};

std::size_t host_bytes(Header* h) {
  const TypeInfo& t = *h->type;
  return t.alloc_size + (t.host_bytes ? t.host_bytes(h->object()) : 0);
}

std::size_t device_bytes(Header* h) {
  const TypeInfo& t = *h->type;
  return t.device_bytes ? t.device_bytes(h->object()) : 0;
}

// Tarjan's strongly connected components, iteratively (garbage chains can be millions long).
std::vector<std::int32_t> components(const std::vector<std::vector<OutEdge>>& adj, std::int32_t& count) {
  const std::int32_t n = static_cast<std::int32_t>(adj.size());
  std::vector<std::int32_t> index(n, -1), low(n, 0), comp(n, -1);
  std::vector<std::int32_t> stack;
  std::vector<std::pair<std::int32_t, std::size_t>> call;  // node, next edge
  std::int32_t next_index = 0;
  count = 0;
  for (std::int32_t root = 0; root < n; ++root) {
    if (index[root] != -1) continue;
    call.push_back({root, 0});
    index[root] = low[root] = next_index++;
    stack.push_back(root);
    while (!call.empty()) {
      auto& [v, e] = call.back();
      if (e < adj[v].size()) {
        std::int32_t w = adj[v][e++].target;
        if (w < 0) continue;
        if (index[w] == -1) {
          index[w] = low[w] = next_index++;
          stack.push_back(w);
          call.push_back({w, 0});
        } else if (comp[w] == -1) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      std::int32_t done = v;
      call.pop_back();
      if (!call.empty()) low[call.back().first] = std::min(low[call.back().first], low[done]);
      if (low[done] == index[done]) {
        std::int32_t w;
        do {
          w = stack.back();
          stack.pop_back();
          comp[w] = count;
        } while (w != done);
        ++count;
      }
    }
  }
  return comp;
}

// The shortest walk from `start` around its component back to itself.
std::vector<gc::Edge> walk(std::int32_t start, const std::vector<std::vector<OutEdge>>& adj,
                           const std::vector<std::int32_t>& comp, const std::vector<GcHead*>& white) {
  std::unordered_map<std::int32_t, std::pair<std::int32_t, const OutEdge*>> parent;  // node -> (from, edge)
  std::vector<std::int32_t> frontier{start};
  const OutEdge* closing = nullptr;
  std::int32_t last = start;
  for (std::size_t i = 0; i < frontier.size() && !closing; ++i) {
    std::int32_t v = frontier[i];
    for (const OutEdge& e : adj[v]) {
      if (e.target < 0 || comp[e.target] != comp[start]) continue;
      if (e.target == start) {
        closing = &e;
        last = v;
        break;
      }
      if (parent.emplace(e.target, std::make_pair(v, &e)).second) frontier.push_back(e.target);
    }
  }
  std::vector<gc::Edge> path;
  if (!closing) return path;
  auto name = [&](std::int32_t v) { return type_name(*Header::of(white[v])->type->rtti); };
  path.push_back({name(last), closing->field});
  for (std::int32_t v = last; v != start;) {
    auto [from, edge] = parent.at(v);
    path.push_back({name(from), edge->field});
    v = from;
  }
  std::reverse(path.begin(), path.end());
  return path;
}

}  // namespace

std::vector<gc::Cycle> describe_garbage(const std::vector<GcHead*>& white) {
  const std::int32_t n = static_cast<std::int32_t>(white.size());
  for (std::int32_t i = 0; i < n; ++i) white[i]->refs = i;
  std::vector<std::vector<OutEdge>> adj(n);
  for (std::int32_t i = 0; i < n; ++i) {
    EdgeTracer t(adj[i]);
    Header* h = Header::of(white[i]);
    h->type->trace(h->object(), t);
  }
  std::int32_t ncomp = 0;
  std::vector<std::int32_t> comp = components(adj, ncomp);
  std::vector<std::int32_t> comp_size(ncomp, 0), comp_first(ncomp, -1);
  std::vector<bool> comp_cyclic(ncomp, false);
  for (std::int32_t i = 0; i < n; ++i) {
    ++comp_size[comp[i]];
    if (comp_first[comp[i]] == -1) comp_first[comp[i]] = i;
    for (const OutEdge& e : adj[i])
      if (e.target == i) comp_cyclic[comp[i]] = true;
  }

  std::vector<gc::Cycle> cycles;
  std::vector<std::int32_t> owner(n, -1);  // which cycle frees this object
  std::unordered_map<Header*, std::pair<std::uint32_t, std::int32_t>> untracked;  // refs, owner
  std::vector<std::int32_t> order;  // cyclic components by first object
  for (std::int32_t c = 0; c < ncomp; ++c)
    if (comp_size[c] > 1 || comp_cyclic[c]) order.push_back(c);
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return comp_first[a] < comp_first[b]; });

  for (std::int32_t c : order) {
    const std::int32_t id = static_cast<std::int32_t>(cycles.size());
    gc::Cycle cycle;
    cycle.path = walk(comp_first[c], adj, comp, white);
    // Everything reachable from the cycle and not yet claimed is freed with it.
    std::vector<std::int32_t> todo{comp_first[c]};
    owner[comp_first[c]] = id;
    while (!todo.empty()) {
      std::int32_t v = todo.back();
      todo.pop_back();
      Header* h = Header::of(white[v]);
      ++cycle.objects;
      cycle.host_bytes += host_bytes(h);
      cycle.device_bytes += device_bytes(h);
      for (const OutEdge& e : adj[v]) {
        if (e.target < 0) {
          auto& u = untracked.try_emplace(e.untracked, 0u, id).first->second;
          ++u.first;
        } else if (owner[e.target] == -1) {
          owner[e.target] = id;
          todo.push_back(e.target);
        }
      }
    }
    cycles.push_back(std::move(cycle));
  }
  // An untracked object goes with the garbage when every reference to it is from there.
  for (auto& [h, u] : untracked) {
    if ((h->strong.load(std::memory_order_relaxed) & kCountMask) != u.first) continue;
    gc::Cycle& cycle = cycles[u.second];
    ++cycle.objects;
    cycle.host_bytes += host_bytes(h);
    cycle.device_bytes += device_bytes(h);
  }
  return cycles;
}

}  // namespace cyc::detail

namespace cyc::gc {

std::string format_path(const std::vector<Edge>& path) {
  std::string out;
  for (const Edge& e : path) {
    out += e.type;
    out += e.field.empty() ? "[]" : "." + e.field;
    out += " -> ";
  }
  if (!path.empty()) out += "(" + path.front().type + ")";
  return out;
}

}  // namespace cyc::gc
