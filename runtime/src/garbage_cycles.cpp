// garbage_cycles.cpp - cycles, paths and bytes of the garbage a collection found.
#include "garbage_cycles.h"

#include <algorithm>
#include <string>
#include <unordered_map>

#include <cyc/trace.h>

#include "candidates.h"
#include "type_name.h"

namespace cyc::detail {
namespace {

struct OutEdge {
  std::int32_t target;   // index into the garbage, or -1 for an untracked object
  Header* untracked;
  std::string field;
  const std::type_info* owner;  // the class whose hook names `field`, if it said
};

class EdgeTracer final : public Tracer {
 public:
  explicit EdgeTracer(std::vector<OutEdge>& out) : Tracer(&visit), out_(out) {}

 private:
  static void visit(Tracer& t, HandleBase& hb) {
    auto& self = static_cast<EdgeTracer&>(t);
    Header* h = hb.header();
    if (!h) return;
    if (!h->tracked()) {
      self.out_.push_back({-1, h, std::string(t.field_name()), t.field_owner()});
    } else if (h->gc()->color() == kWhite) {
      self.out_.push_back({h->gc()->refs, nullptr, std::string(t.field_name()), t.field_owner()});
    }
  }
  std::vector<OutEdge>& out_;
};

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
  auto step = [&](std::int32_t v, const OutEdge& e) {
    const std::string& type = type_name(*Header::of(white[v])->type().rtti);
    return gc::Edge{type, e.field, e.owner ? type_name(*e.owner) : type};
  };
  path.push_back(step(last, *closing));
  for (std::int32_t v = last; v != start;) {
    auto [from, edge] = parent.at(v);
    path.push_back(step(from, *edge));
    v = from;
  }
  std::reverse(path.begin(), path.end());
  return path;
}

bool later(const Since& a, const Since& b) noexcept { return a.ns > b.ns; }

// For each component, the latest Since among its objects and every object that reaches it.
// Tarjan numbers a component only after all it reaches, so edges between components go from
// higher numbers to lower: one pass in decreasing order carries each to its successors.
std::vector<Since> latest_upstream(const std::vector<std::vector<OutEdge>>& adj,
                                   const std::vector<std::int32_t>& comp, std::int32_t ncomp,
                                   const std::vector<Since>& objects) {
  const std::int32_t n = static_cast<std::int32_t>(adj.size());
  std::vector<Since> best(ncomp);
  std::vector<std::int32_t> start(ncomp + 1, 0), by_comp(n);  // objects grouped by component
  for (std::int32_t i = 0; i < n; ++i) {
    ++start[comp[i] + 1];
    if (later(objects[i], best[comp[i]])) best[comp[i]] = objects[i];
  }
  for (std::int32_t c = 0; c < ncomp; ++c) start[c + 1] += start[c];
  std::vector<std::int32_t> fill(start.begin(), start.end() - 1);
  for (std::int32_t i = 0; i < n; ++i) by_comp[fill[comp[i]]++] = i;
  for (std::int32_t c = ncomp - 1; c >= 0; --c)
    for (std::int32_t k = start[c]; k < start[c + 1]; ++k)
      for (const OutEdge& e : adj[by_comp[k]])
        if (e.target >= 0 && comp[e.target] != c && later(best[c], best[comp[e.target]]))
          best[comp[e.target]] = best[c];
  return best;
}

}  // namespace

std::size_t object_host_bytes(Header* h) noexcept {
  const TypeInfo& t = h->type();
  return t.alloc_size + (t.host_bytes ? t.host_bytes(h->object()) : 0);
}

std::size_t object_device_bytes(Header* h) noexcept {
  const TypeInfo& t = h->type();
  return t.device_bytes ? t.device_bytes(h->object()) : 0;
}

std::vector<gc::Cycle> describe_garbage(const std::vector<GcHead*>& white, GarbageTiming* timing,
                                        std::vector<Header*>* untracked_out) {
  const std::int32_t n = static_cast<std::int32_t>(white.size());
  for (std::int32_t i = 0; i < n; ++i) white[i]->refs = i;
  std::vector<std::vector<OutEdge>> adj(n);
  for (std::int32_t i = 0; i < n; ++i) {
    EdgeTracer t(adj[i]);
    Header* h = Header::of(white[i]);
    h->type().trace(h->object(), t);
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
  if (timing) {
    std::vector<Since> best = latest_upstream(adj, comp, ncomp, timing->objects);
    timing->cycles.clear();
    for (std::int32_t c : order) timing->cycles.push_back(best[c]);
  }

  // Each cycle frees its own objects (never counted twice), and the garbage that is in no
  // cycle goes with the first cycle, in order, that reaches it without passing through
  // another cycle. Every garbage object is one or the other: its count is not zero and only
  // garbage refers to it, so walking back from it ends in a cycle.
  std::vector<std::int32_t> cycle_of(ncomp, -1);
  for (std::size_t id = 0; id < order.size(); ++id) cycle_of[order[id]] = static_cast<std::int32_t>(id);
  std::vector<std::vector<std::int32_t>> freed(order.size());
  for (std::int32_t v = 0; v < n; ++v)
    if ((owner[v] = cycle_of[comp[v]]) >= 0) freed[owner[v]].push_back(v);
  for (std::size_t id = 0; id < order.size(); ++id) {
    gc::Cycle cycle;
    cycle.path = walk(comp_first[order[id]], adj, comp, white);
    std::vector<std::int32_t>& mine = freed[id];
    for (std::size_t k = 0; k < mine.size(); ++k) {  // grows as it claims what it reaches
      const std::int32_t v = mine[k];
      Header* h = Header::of(white[v]);
      ++cycle.objects;
      cycle.host_bytes += object_host_bytes(h);
      cycle.device_bytes += object_device_bytes(h);
      for (const OutEdge& e : adj[v]) {
        if (e.target < 0) {
          auto& u = untracked.try_emplace(e.untracked, 0u, static_cast<std::int32_t>(id)).first->second;
          ++u.first;
        } else if (owner[e.target] == -1) {
          owner[e.target] = static_cast<std::int32_t>(id);
          mine.push_back(e.target);
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
    cycle.host_bytes += object_host_bytes(h);
    cycle.device_bytes += object_device_bytes(h);
    if (untracked_out) untracked_out->push_back(h);
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
