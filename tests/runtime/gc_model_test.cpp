// gc_model_test.cpp - a model-based randomized test of the cycle collector.
//
// GcModel.*: random operations on a graph of Nodes (make, link, unlink, drop and copy handles,
// weak handles and Weak::lock(), collect(generation), safepoint(), thresholds, enable/disable,
// set_automatic, SAVE_ALL and garbage(), callbacks that count, collect re-entrantly or throw),
// drawn from a seeded generator and mirrored in a model made of plain structs: ids, ordered
// edges, the handles the test holds. After every operation the runtime must agree with the
// model: which nodes are alive (each destructor records its node's id), their edges, their
// counts (use_count() = in-degree + handles held), gc::tracked(). After every collection: one of
// generation 2 finds exactly the live nodes that the test's handles and garbage() do not reach,
// and returns how many; a younger one finds only unreachable nodes. make<T> and safepoint()
// collect exactly when the counts, thresholds and threading rule of <cyc/gc.h> say, and the
// generation CPython's rule picks.
//
// GcModelThreads.*: the main thread builds graphs, hands worker threads strong and weak handles
// into them, then drops its own handles and collects while the workers copy, drop and lock
// theirs. Traced fields are written only by the main thread, never while a worker can reach
// them. Afterwards no node a worker still holds may have been destroyed, and a full collection
// must leave alive exactly what the workers' handles reach, with the counts they make.
//
// Fixed seeds run by default (fewer under sanitizers). The environment changes them:
//   CYC_MODEL_SEEDS=N         seeds 1..N (GcModelThreads.*: rounds)
//   CYC_MODEL_OPS=N           operations per seed of GcModel.*
//   CYC_MODEL_SEED=S          seed S only: replays a failure of GcModel.*, whose message names
//                             its seed and operation (thread interleavings do not replay)
// A long run of the single-threaded part:
//   CYC_MODEL_SEEDS=2000 CYC_MODEL_OPS=2000 build/tests/runtime/gc_model_test --gtest_filter='GcModel.*'
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <cyc/cyc.h>

#if __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h>
#define CYC_MODEL_HAVE_SINGLE_THREADED 1
#endif

namespace {

namespace gc = cyc::gc;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// Whether the process has only ever had one thread, as the runtime sees it: automatic
// collections then run on allocation whatever gc::get_automatic() says.
bool process_single_threaded() {
#ifdef CYC_MODEL_HAVE_SINGLE_THREADED
  return __libc_single_threaded;
#else
  return false;
#endif
}

// --- configuration ------------------------------------------------------------------------

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  if (!text || !*text) return fallback;
  char* end = nullptr;
  const unsigned long long n = std::strtoull(text, &end, 10);
  if (*end) {
    ADD_FAILURE() << name << "=" << text << " is not a number";
    return fallback;
  }
  return n;
}

struct Plan {
  std::vector<std::uint64_t> seeds;
  std::size_t ops = 0;
};

// The seeds and operations to run: the defaults given, unless the environment says otherwise.
Plan plan(std::size_t seeds, std::size_t ops) {
  Plan p;
  p.ops = static_cast<std::size_t>(env_number("CYC_MODEL_OPS", ops));
  if (std::getenv("CYC_MODEL_SEED")) {
    p.seeds.push_back(env_number("CYC_MODEL_SEED", 1));
  } else {
    const std::uint64_t n = env_number("CYC_MODEL_SEEDS", seeds);
    for (std::uint64_t s = 1; s <= n; ++s) p.seeds.push_back(s);
  }
  return p;
}

template <class... Parts>
std::string str(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

// splitmix64: the same stream from the same seed on every platform.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  bool percent(unsigned p) { return below(100) < p; }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[below(v.size())];
  }

 private:
  std::uint64_t state_;
};

// --- the nodes ----------------------------------------------------------------------------

struct Node;

// Every node made since the last reset, by id, and how often each was destroyed. Written by
// constructors (main thread) and destructors (any thread).
class Registry {
 public:
  void reset(std::size_t capacity) {
    capacity_ = capacity;
    destroyed_ = std::make_unique<std::atomic<std::uint32_t>[]>(capacity);
    objects_ = std::make_unique<std::atomic<Node*>[]>(capacity);
    created_.store(0);
    destructions_.store(0);
  }
  int enroll(Node* n) {
    const std::size_t id = created_.fetch_add(1);
    if (id >= capacity_) {
      std::fprintf(stderr, "gc_model_test: more nodes made than the registry was sized for\n");
      std::abort();
    }
    objects_[id].store(n, std::memory_order_relaxed);
    return static_cast<int>(id);
  }
  void record_destruction(int id) {
    if (id < 0 || static_cast<std::size_t>(id) >= created_.load()) {
      std::fprintf(stderr, "gc_model_test: a destructor ran for unknown node id %d\n", id);
      std::abort();
    }
    objects_[id].store(nullptr, std::memory_order_relaxed);
    destroyed_[id].fetch_add(1, std::memory_order_acq_rel);
    destructions_.fetch_add(1, std::memory_order_relaxed);
  }
  std::uint32_t destroyed(int id) const { return destroyed_[id].load(std::memory_order_acquire); }
  bool known(int id) const { return id >= 0 && static_cast<std::size_t>(id) < created_.load(); }
  Node* object(int id) const { return objects_[id].load(std::memory_order_relaxed); }
  std::size_t created() const { return created_.load(); }
  std::uint64_t destructions() const { return destructions_.load(); }

 private:
  std::size_t capacity_ = 0;
  std::unique_ptr<std::atomic<std::uint32_t>[]> destroyed_;
  std::unique_ptr<std::atomic<Node*>[]> objects_;
  std::atomic<std::size_t> created_{0};
  std::atomic<std::uint64_t> destructions_{0};
};

Registry& registry() {
  static Registry r;
  return r;
}

struct Node {
  static constexpr std::uint32_t kMagic = 0x6D6F64u;
  std::uint32_t magic = kMagic;
  int id;
  std::vector<cyc::Handle<Node>> kids;
  cyc::Weak<Node> weak;  // not traced: never keeps its target alive
  CYC_TRACE(kids)

  Node() : id(registry().enroll(this)) {}
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  ~Node() {
    magic = 0;
    registry().record_destruction(id);
  }
};

// --- the model ----------------------------------------------------------------------------

struct ModelNode {
  bool alive = true;
  std::vector<int> kids;  // in the order of Node::kids
  int weak = -1;          // the target of Node::weak
  std::size_t slot = 0;   // index in Model::alive() while alive
};

// What the runtime should hold: nodes, their edges, and the handles the test holds.
class Model {
 public:
  std::vector<int> roots;  // the targets of the test's root handles, in their order
  std::vector<int> saved;  // the targets of gc::garbage()'s handles
  std::vector<int> weaks;  // the targets of the test's weak handles, in their order

  int add_node() {
    const int id = static_cast<int>(nodes_.size());
    nodes_.emplace_back();
    nodes_.back().slot = alive_.size();
    alive_.push_back(id);
    count_.push_back(0);
    mark_.push_back(0);
    holder_.emplace_back();
    return id;
  }
  ModelNode& node(int id) { return nodes_[static_cast<std::size_t>(id)]; }
  const ModelNode& node(int id) const { return nodes_[static_cast<std::size_t>(id)]; }
  bool alive(int id) const { return node(id).alive; }
  std::size_t size() const { return nodes_.size(); }
  const std::vector<int>& alive() const { return alive_; }
  std::size_t dead_count() const { return nodes_.size() - alive_.size(); }

  // Strong counts of the live nodes: handles held by the test and garbage(), and edges.
  const std::vector<std::size_t>& counts() {
    for (int id : alive_) count_[static_cast<std::size_t>(id)] = 0;
    for (int id : roots) ++count_[static_cast<std::size_t>(id)];
    for (int id : saved) ++count_[static_cast<std::size_t>(id)];
    for (int id : alive_)
      for (int kid : node(id).kids) ++count_[static_cast<std::size_t>(kid)];
    return count_;
  }

  // Reference counting: destroys every live node nothing refers to any more, and what that
  // frees in turn.
  void release_unheld() {
    counts();
    std::vector<int> work;
    for (int id : alive_)
      if (count_[static_cast<std::size_t>(id)] == 0) work.push_back(id);
    while (!work.empty()) {
      const int id = work.back();
      work.pop_back();
      if (!alive(id)) continue;
      for (int kid : node(id).kids)
        if (alive(kid) && --count_[static_cast<std::size_t>(kid)] == 0) work.push_back(kid);
      kill(id);
    }
  }

  void kill(int id) {
    ModelNode& n = node(id);
    n.alive = false;
    n.kids.clear();
    const int last = alive_.back();
    alive_[n.slot] = last;
    node(last).slot = n.slot;
    alive_.pop_back();
    died_.push_back(id);
  }

  // The nodes that died since the last call.
  std::vector<int> take_died() { return std::exchange(died_, {}); }

  // Marks everything reachable from `from` through edges; reached(id) says which afterwards.
  // Records for each node one way the test can get a handle to it (see Holder).
  struct Holder {
    int root = -1;    // roots[root] refers to it, or
    int parent = -1;  // node(parent).kids[slot] does
    int slot = -1;
  };
  void reach(const std::vector<int>& from, bool with_saved) {
    ++epoch_;
    std::vector<int> work;
    auto visit = [&](int id, Holder h) {
      if (mark_[static_cast<std::size_t>(id)] == epoch_) return;
      mark_[static_cast<std::size_t>(id)] = epoch_;
      holder_[static_cast<std::size_t>(id)] = h;
      work.push_back(id);
    };
    for (std::size_t i = 0; i < from.size(); ++i)
      visit(from[i], Holder{static_cast<int>(i), -1, -1});
    if (with_saved)
      for (int id : saved) visit(id, Holder{});
    reached_.clear();
    while (!work.empty()) {
      const int id = work.back();
      work.pop_back();
      reached_.push_back(id);
      const std::vector<int>& kids = node(id).kids;
      for (std::size_t k = 0; k < kids.size(); ++k)
        visit(kids[k], Holder{-1, id, static_cast<int>(k)});
    }
  }
  bool reached(int id) const { return mark_[static_cast<std::size_t>(id)] == epoch_; }
  const std::vector<int>& reached_ids() const { return reached_; }
  const Holder& holder(int id) const { return holder_[static_cast<std::size_t>(id)]; }

  // The live nodes that neither the test's handles nor garbage() reach: what a full
  // collection must find.
  std::vector<int> unreachable() {
    reach(roots, true);
    std::vector<int> out;
    for (int id : alive_)
      if (!reached(id)) out.push_back(id);
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::vector<ModelNode> nodes_;
  std::vector<int> alive_;
  std::vector<int> died_;
  std::vector<std::size_t> count_;
  std::vector<std::uint32_t> mark_;
  std::vector<Holder> holder_;
  std::vector<int> reached_;
  std::uint32_t epoch_ = 0;
};

// --- the single-threaded run --------------------------------------------------------------

enum class Op : std::uint8_t {
  kMake,
  kLink,
  kUnlink,
  kReplace,
  kDropRoot,
  kCopyRoot,
  kCopyOut,
  kSetWeak,
  kClearWeak,
  kMakeWeak,
  kDropWeak,
  kLockWeak,
  kLockWeakSlot,
  kCollect,
  kSetThreshold,
  kToggleEnabled,
  kSafepoint,
  kSetAutomatic,
  kSetDebug,
  kReadGarbage,
  kAdoptGarbage,
  kClearGarbage,
  kAddCallback,
  kRemoveCallback,
  kDropAllRoots,
};

struct Weighted {
  Op op;
  unsigned weight;
};

constexpr Weighted kMix[] = {
    {Op::kMake, 14},         {Op::kLink, 16},       {Op::kUnlink, 6},
    {Op::kReplace, 3},       {Op::kDropRoot, 11},   {Op::kCopyRoot, 4},
    {Op::kCopyOut, 5},       {Op::kSetWeak, 3},     {Op::kClearWeak, 1},
    {Op::kMakeWeak, 3},      {Op::kDropWeak, 2},    {Op::kLockWeak, 5},
    {Op::kLockWeakSlot, 3},  {Op::kCollect, 7},     {Op::kSetThreshold, 1},
    {Op::kToggleEnabled, 1}, {Op::kSafepoint, 2},   {Op::kSetAutomatic, 1},
    {Op::kSetDebug, 1},      {Op::kReadGarbage, 1}, {Op::kAdoptGarbage, 1},
    {Op::kClearGarbage, 1},  {Op::kAddCallback, 1}, {Op::kRemoveCallback, 1},
    {Op::kDropAllRoots, 1},
};

constexpr std::size_t kMaxAlive = 96;   // keeps the graph dense enough for cycles
constexpr std::size_t kRecentOps = 12;  // how many operations a failure lists

struct Mismatch {
  std::string what;
};
struct CallbackThrew {};

enum class CallbackKind : std::uint8_t { kCounting, kReentrant, kThrowing };

// Totals over a run, for the summary line.
struct Tally {
  std::size_t ops = 0, explicit_collections = 0, automatic_collections = 0, full_collections = 0;
  std::size_t found = 0, saved = 0, locks = 0, locked = 0, made = 0;

  void add(const Tally& o) {
    ops += o.ops;
    explicit_collections += o.explicit_collections;
    automatic_collections += o.automatic_collections;
    full_collections += o.full_collections;
    found += o.found;
    saved += o.saved;
    locks += o.locks;
    locked += o.locked;
    made += o.made;
  }
};

class ModelRun {
 public:
  ModelRun(std::uint64_t seed, std::size_t ops) : seed_(seed), ops_(ops), rng_(seed) {}
  ModelRun(const ModelRun&) = delete;
  ModelRun& operator=(const ModelRun&) = delete;
  ~ModelRun() { restore_collector(); }

  // Runs the operations, then drops everything. Returns what first went wrong, with the
  // seed and operation to replay it, or an empty string.
  std::string run() {
    registry().reset(ops_ + 16);
    baseline_tracked_ = gc::tracked();
    try {
      for (op_index_ = 0; op_index_ < ops_; ++op_index_) {
        perform(draw());
        check_state();
        remember();
      }
      finish();
    } catch (const Mismatch& m) {
      return failure_message(m.what);
    }
    return {};
  }

  const Tally& tally() const { return tally_; }

 private:
  // --- drawing and describing ---

  Op draw() {
    unsigned total = 0;
    for (const Weighted& w : kMix) total += w.weight;
    std::size_t r = rng_.below(total);
    for (const Weighted& w : kMix) {
      if (r < w.weight) return w.op;
      r -= w.weight;
    }
    return Op::kMake;
  }

  void describe(std::string what) { current_ = std::move(what); }

  void remember() {
    recent_.push_back(current_);
    if (recent_.size() > kRecentOps) recent_.pop_front();
  }

  [[noreturn]] void fail(const std::string& what) const { throw Mismatch{what}; }

  std::string failure_message(const std::string& what) const {
    std::ostringstream out;
    out << "seed " << seed_ << ", operation " << op_index_ << " of " << ops_ << " (" << current_
        << "): " << what << "\n  replay: CYC_MODEL_SEED=" << seed_ << " CYC_MODEL_OPS=" << ops_
        << "\n  operations before it, oldest first:";
    for (const std::string& op : recent_) out << "\n    " << op;
    return out.str();
  }

  // --- access to the runtime's side ---

  Node& node(int id) const {
    Node* n = registry().object(id);
    if (!n) fail(str("node ", id, " is gone, but the model has it alive"));
    return *n;
  }

  const cyc::Handle<Node>& handle(int id) const {
    const Model::Holder& h = model_.holder(id);
    if (h.root >= 0) return roots_[static_cast<std::size_t>(h.root)];
    return node(h.parent).kids[static_cast<std::size_t>(h.slot)];
  }

  // The nodes the test can reach from its root handles (holders recorded in the model).
  const std::vector<int>& reachable_nodes() {
    model_.reach(model_.roots, false);
    return model_.reached_ids();
  }

  // A reachable node with at least one edge, or -1.
  int reachable_node_with_kids() {
    const std::vector<int>& ids = reachable_nodes();
    std::vector<int> with;
    for (int id : ids)
      if (!model_.node(id).kids.empty()) with.push_back(id);
    return with.empty() ? -1 : rng_.pick(with);
  }

  std::vector<int> garbage_ids() const {
    std::vector<int> ids;
    for (const cyc::Handle<>& h : gc::garbage()) {
      cyc::Handle<Node> n = cyc::handle_cast<Node>(h);
      if (!n) fail("garbage() holds something that is not a Node");
      ids.push_back(n->id);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  // --- the operations ---

  void perform(Op op) {
    switch (op) {
      case Op::kMake: return make();
      case Op::kLink: return link();
      case Op::kUnlink: return unlink();
      case Op::kReplace: return replace();
      case Op::kDropRoot: return drop_root();
      case Op::kCopyRoot: return copy_root();
      case Op::kCopyOut: return copy_out();
      case Op::kSetWeak: return set_weak();
      case Op::kClearWeak: return clear_weak();
      case Op::kMakeWeak: return make_weak();
      case Op::kDropWeak: return drop_weak();
      case Op::kLockWeak: return lock_weak();
      case Op::kLockWeakSlot: return lock_weak_slot();
      case Op::kCollect: return collect(pick_generation());
      case Op::kSetThreshold: return set_threshold();
      case Op::kToggleEnabled: return toggle_enabled();
      case Op::kSafepoint: return safepoint();
      case Op::kSetAutomatic: return set_automatic();
      case Op::kSetDebug: return set_debug();
      case Op::kReadGarbage: return read_garbage();
      case Op::kAdoptGarbage: return adopt_garbage();
      case Op::kClearGarbage: return clear_garbage();
      case Op::kAddCallback: return add_callback();
      case Op::kRemoveCallback: return remove_callback();
      case Op::kDropAllRoots: return drop_all_roots();
    }
  }

  void make() {
    if (model_.alive().size() >= kMaxAlive) return roots_.empty() ? collect(2) : drop_root();
    const auto counts = gc::get_count();
    const auto before = gc::stats();
    cyc::Handle<Node> h = cyc::make<Node>();
    const int id = model_.add_node();
    describe(str("make ", id));
    ++tally_.made;
    if (h->id != id) fail(str("the new node has id ", h->id));
    roots_.push_back(std::move(h));
    model_.roots.push_back(id);
    absorb_automatic(counts, before);
  }

  void link() {
    const std::vector<int>& ids = reachable_nodes();
    if (ids.empty()) return make();
    const int a = rng_.pick(ids);
    const int b = rng_.pick(ids);
    describe(str("link ", a, " -> ", b));
    cyc::Handle<Node> h = handle(b);
    node(a).kids.push_back(std::move(h));
    model_.node(a).kids.push_back(b);
  }

  void unlink() {
    const int a = reachable_node_with_kids();
    if (a < 0) return link();
    std::vector<int>& kids = model_.node(a).kids;
    const std::size_t k = rng_.below(kids.size());
    describe(str("unlink ", a, " -> ", kids[k], " (edge ", k, ")"));
    Node& n = node(a);
    n.kids.erase(n.kids.begin() + static_cast<std::ptrdiff_t>(k));
    kids.erase(kids.begin() + static_cast<std::ptrdiff_t>(k));
    model_.release_unheld();
  }

  void replace() {
    const int a = reachable_node_with_kids();
    if (a < 0) return link();
    const std::size_t k = rng_.below(model_.node(a).kids.size());
    const int b = rng_.pick(model_.reached_ids());
    describe(
        str("replace ", a, " -> ", model_.node(a).kids[k], " (edge ", k, ") by ", a, " -> ", b));
    cyc::Handle<Node> h = handle(b);
    node(a).kids[k] = std::move(h);
    model_.node(a).kids[k] = b;
    model_.release_unheld();
  }

  void drop_root() {
    if (roots_.empty()) return make();
    const std::size_t i = rng_.below(roots_.size());
    describe(str("drop root ", i, " (node ", model_.roots[i], ")"));
    std::swap(roots_[i], roots_.back());
    std::swap(model_.roots[i], model_.roots.back());
    roots_.pop_back();
    model_.roots.pop_back();
    model_.release_unheld();
  }

  void copy_root() {
    if (roots_.empty()) return make();
    const std::size_t i = rng_.below(roots_.size());
    describe(str("copy root ", i, " (node ", model_.roots[i], ")"));
    cyc::Handle<Node> h = roots_[i];
    roots_.push_back(std::move(h));
    model_.roots.push_back(model_.roots[i]);
  }

  void copy_out() {
    const int a = reachable_node_with_kids();
    if (a < 0) return link();
    const std::size_t k = rng_.below(model_.node(a).kids.size());
    const int b = model_.node(a).kids[k];
    describe(str("copy out ", a, ".kids[", k, "] (node ", b, ")"));
    roots_.push_back(node(a).kids[k]);
    model_.roots.push_back(b);
  }

  void set_weak() {
    const std::vector<int>& ids = reachable_nodes();
    if (ids.empty()) return make();
    const int a = rng_.pick(ids);
    const int b = rng_.pick(ids);
    describe(str("weak ", a, " ~> ", b));
    node(a).weak = handle(b);
    model_.node(a).weak = b;
  }

  void clear_weak() {
    const std::vector<int>& ids = reachable_nodes();
    if (ids.empty()) return make();
    const int a = rng_.pick(ids);
    describe(str("clear weak of ", a));
    node(a).weak.reset();
    model_.node(a).weak = -1;
  }

  void make_weak() {
    if (roots_.empty()) return make();
    const std::size_t i = rng_.below(roots_.size());
    describe(str("make weak to root ", i, " (node ", model_.roots[i], ")"));
    weaks_.emplace_back(roots_[i]);
    model_.weaks.push_back(model_.roots[i]);
  }

  void drop_weak() {
    if (weaks_.empty()) return make_weak();
    const std::size_t i = rng_.below(weaks_.size());
    describe(str("drop weak ", i, " (node ", model_.weaks[i], ")"));
    std::swap(weaks_[i], weaks_.back());
    std::swap(model_.weaks[i], model_.weaks.back());
    weaks_.pop_back();
    model_.weaks.pop_back();
  }

  void lock_weak() {
    if (weaks_.empty()) return make_weak();
    const std::size_t i = rng_.below(weaks_.size());
    describe(str("lock weak ", i, " (node ", model_.weaks[i], ")"));
    check_lock(weaks_[i], model_.weaks[i]);
  }

  void lock_weak_slot() {
    const std::vector<int>& ids = reachable_nodes();
    if (ids.empty()) return make();
    const int a = rng_.pick(ids);
    const int target = model_.node(a).weak;
    describe(str("lock weak of ", a, " (node ", target, ")"));
    check_lock(node(a).weak, target);
  }

  // Weak::lock() gives the node exactly while the model has it alive; sometimes the test
  // keeps what it got as a root.
  void check_lock(const cyc::Weak<Node>& w, int target) {
    const bool alive = target >= 0 && model_.alive(target);
    if (w.expired() == alive) fail(str("Weak::expired() is ", w.expired(), " for node ", target));
    ++tally_.locks;
    cyc::Handle<Node> h = w.lock();
    if (static_cast<bool>(h) != alive)
      fail(str("Weak::lock() of node ", target, (alive ? " (alive)" : " (dead)"), " returned ",
               (h ? "it" : "null")));
    if (!h) return;
    ++tally_.locked;
    if (h.get() != registry().object(target)) fail(str("Weak::lock() returned another node"));
    if (rng_.percent(50)) {
      roots_.push_back(std::move(h));
      model_.roots.push_back(target);
    }
  }

  int pick_generation() {
    const std::size_t r = rng_.below(10);
    return r < 5 ? 2 : r < 8 ? 0 : 1;
  }

  void collect(int generation) {
    describe(str("collect(", generation, ")"));
    ++tally_.explicit_collections;
    run_collection(static_cast<std::size_t>(generation),
                   [generation] { return gc::collect(generation); });
  }

  // safepoint() runs the collection make<T> would run if one is due, whatever the threads.
  void safepoint() {
    describe("safepoint()");
    const std::size_t due = due_generation(gc::get_count(), gc::stats(), true);
    if (due != kNone) ++tally_.automatic_collections;
    run_collection(due, [] { return gc::safepoint(); });
  }

  // Runs `call`, which must run one collection of `generation` (kNone: none) and return what
  // it found, or throw a throwing callback's exception; then checks the collection.
  template <class Call>
  void run_collection(std::size_t generation, Call call) {
    const auto before = gc::stats();
    const bool should_throw = generation != kNone && throwing_callback_registered();
    std::size_t n = 0;
    bool threw = false;
    try {
      n = call();
    } catch (const CallbackThrew&) {
      threw = true;
    }
    const auto after = gc::stats();
    const std::size_t ran = only_collection(before, after);
    if (ran != generation)
      fail(str(
          "expected ",
          generation == kNone ? "no collection" : str("a collection of generation ", generation),
          ", got ", ran == kNone ? "none" : str("one of generation ", ran)));
    if (threw != should_throw)
      fail(should_throw ? "a throwing callback's exception did not leave the call"
                        : "the call threw");
    if (ran == kNone) {
      if (n != 0) fail(str("returned ", n, " without a collection"));
      return check_callbacks(kNone, 0);
    }
    const std::size_t found = after[ran].collected - before[ran].collected;
    if (!threw && n != found) fail(str("returned ", n, ", but stats() counted ", found));
    absorb_collection(static_cast<int>(ran), found);
  }

  // The generation of the automatic collection due with these counts (CPython's rule), or
  // kNone. `anywhere`: as safepoint() decides; else as make<T> does, which also depends on
  // the threads (see set_automatic in <cyc/gc.h>).
  std::size_t due_generation(const std::array<std::size_t, gc::kGenerations>& counts,
                             const std::array<gc::GenerationStats, gc::kGenerations>& stats, bool anywhere) const {
    const bool here =
        anywhere || automatic_ == gc::Automatic::kAnyThread || process_single_threaded();
    if (!here || !enabled_ || threshold_[0] == 0 || counts[0] < threshold_[0]) return kNone;
    // The oldest generation also waits for enough long-lived objects (<cyc/gc.h>).
    const gc::GenerationStats& oldest = stats[2];
    const bool long_lived_due = oldest.promoted >= oldest.tracked_after / 4;
    return counts[2] >= threshold_[2] && long_lived_due ? 2 : counts[1] >= threshold_[1] ? 1 : 0;
  }

  // The generation of the one collection between two stats() snapshots; kNone if none ran.
  static constexpr std::size_t kNone = 99;
  std::size_t only_collection(
      const std::array<gc::GenerationStats, gc::kGenerations>& before,
      const std::array<gc::GenerationStats, gc::kGenerations>& after) const {
    std::size_t ran = kNone;
    for (std::size_t g = 0; g < gc::kGenerations; ++g) {
      const std::size_t n = after[g].collections - before[g].collections;
      if (n == 0) continue;
      if (n > 1 || ran != kNone) fail("more than one collection ran in one operation");
      ran = g;
    }
    return ran;
  }

  // After a make: an automatic collection ran exactly when one was due (see due_generation),
  // of the generation CPython's rule picks.
  void absorb_automatic(const std::array<std::size_t, gc::kGenerations>& counts,
                        const std::array<gc::GenerationStats, gc::kGenerations>& before) {
    const std::size_t ran = only_collection(before, gc::stats());
    const std::size_t due = due_generation(counts, before, false);
    if (ran != due)
      fail(str("make ran ",
               ran == kNone ? "no collection" : str("a collection of generation ", ran),
               ", expected ", due == kNone ? "none" : str("one of generation ", due), " (counts ",
               counts[0], ", ", counts[1], ", ", counts[2], ", thresholds ", threshold_[0], ", ",
               threshold_[1], ", ", threshold_[2], (enabled_ ? "" : ", disabled"), ")"));
    if (ran == kNone) return check_callbacks(kNone, 0);
    ++tally_.automatic_collections;
    const auto after = gc::stats();
    // On the process's only thread an automatic collection leaves the teardown of its garbage
    // to the allocations after it; safepoint() finishes it, so that the model sees what the
    // collection freed. Disabled, it runs no collection (the teardown's drops may have made
    // one due).
    if (process_single_threaded()) {
      gc::disable();
      gc::safepoint();
      gc::enable();
      if (only_collection(after, gc::stats()) != kNone) fail("safepoint() while disabled collected");
    }
    absorb_collection(static_cast<int>(ran), after[ran].collected - before[ran].collected);
  }

  // Checks what a collection of `generation` that found `n` objects did, against the model,
  // and brings the model up to date.
  void absorb_collection(int generation, std::size_t n) {
    const std::vector<int> unreachable = model_.unreachable();  // also marks the reachable
    if (generation == 2) ++tally_.full_collections;
    if (save_all_)
      absorb_saved(generation, n, unreachable);
    else
      absorb_freed(generation, n, unreachable);
    check_callbacks(static_cast<std::size_t>(generation), n);
  }

  void absorb_freed(int generation, std::size_t n, const std::vector<int>& unreachable) {
    std::vector<int> destroyed;
    for (int id : model_.alive())
      if (registry().destroyed(id) != 0) destroyed.push_back(id);
    std::sort(destroyed.begin(), destroyed.end());
    for (int id : destroyed)
      if (model_.reached(id))
        fail(str("the collection destroyed node ", id, ", which is reachable"));
    if (generation == 2) {
      if (destroyed != unreachable)
        fail(str("a full collection destroyed ", destroyed.size(), " nodes; ", unreachable.size(),
                 " are unreachable", first_difference(destroyed, unreachable)));
      if (n != unreachable.size())
        fail(str("a full collection returned ", n, "; ", unreachable.size(),
                 " nodes are unreachable"));
    } else if (n > destroyed.size() || (n == 0) != destroyed.empty()) {
      // A young collection also frees, by reference counting, older nodes only its garbage held.
      fail(str("collect(", generation, ") returned ", n, " but destroyed ", destroyed.size(),
               " nodes"));
    }
    tally_.found += n;
    for (int id : destroyed) model_.kill(id);
    model_.release_unheld();
  }

  void absorb_saved(int generation, std::size_t n, const std::vector<int>& unreachable) {
    for (int id : model_.alive())
      if (registry().destroyed(id) != 0) fail(str("node ", id, " was destroyed under SAVE_ALL"));
    std::vector<int> held = garbage_ids();
    std::vector<int> before = model_.saved;
    std::sort(before.begin(), before.end());
    std::vector<int> added;
    std::set_difference(held.begin(), held.end(), before.begin(), before.end(),
                        std::back_inserter(added));
    if (held.size() != before.size() + added.size())
      fail("garbage() lost handles it held before the collection");
    if (added.size() != n)
      fail(
          str("the collection returned ", n, " but added ", added.size(), " objects to garbage()"));
    if (std::adjacent_find(added.begin(), added.end()) != added.end())
      fail("garbage() holds a node twice from one collection");
    for (int id : added)
      if (model_.reached(id))
        fail(str("SAVE_ALL kept node ", id, " as garbage, but it is reachable"));
    if (generation == 2 && added != unreachable)
      fail(str("a full collection kept ", added.size(), " nodes; ", unreachable.size(),
               " are unreachable", first_difference(added, unreachable)));
    tally_.saved += n;
    model_.saved.insert(model_.saved.end(), added.begin(), added.end());
  }

  static std::string first_difference(const std::vector<int>& got, const std::vector<int>& want) {
    std::vector<int> extra, missing;
    std::set_difference(got.begin(), got.end(), want.begin(), want.end(),
                        std::back_inserter(extra));
    std::set_difference(want.begin(), want.end(), got.begin(), got.end(),
                        std::back_inserter(missing));
    return str(" (", extra.empty() ? "" : str("extra: node ", extra[0], " "),
               missing.empty() ? "" : str("missing: node ", missing[0]), ")");
  }

  void set_threshold() {
    static constexpr std::size_t t0s[] = {0, 1, 2, 3, 5, 8, 40, 700};
    static constexpr std::size_t t1s[] = {1, 2, 3, 10};
    static constexpr std::size_t t2s[] = {1, 2, 5, 10};
    threshold_ = {t0s[rng_.below(std::size(t0s))], t1s[rng_.below(std::size(t1s))],
                  t2s[rng_.below(std::size(t2s))]};
    describe(str("set_threshold(", threshold_[0], ", ", threshold_[1], ", ", threshold_[2], ")"));
    gc::set_threshold(threshold_[0], threshold_[1], threshold_[2]);
    if (gc::get_threshold() != threshold_) fail("get_threshold() differs from what was set");
  }

  void toggle_enabled() {
    enabled_ = !enabled_;
    describe(enabled_ ? "enable" : "disable");
    if (enabled_)
      gc::enable();
    else
      gc::disable();
    if (gc::is_enabled() != enabled_) fail("is_enabled() differs from what was set");
  }

  void set_automatic() {
    automatic_ = automatic_ == gc::Automatic::kAnyThread ? gc::Automatic::kWhileSingleThreaded
                                                         : gc::Automatic::kAnyThread;
    describe(automatic_ == gc::Automatic::kAnyThread ? "set_automatic(kAnyThread)"
                                                     : "set_automatic(kWhileSingleThreaded)");
    gc::set_automatic(automatic_);
    if (gc::get_automatic() != automatic_) fail("get_automatic() differs from what was set");
  }

  // SAVE_ALL and CHECK_WRITES, each on or off.
  void set_debug() {
    const unsigned flags =
        (rng_.percent(50) ? gc::SAVE_ALL : 0u) | (rng_.percent(50) ? gc::CHECK_WRITES : 0u);
    save_all_ = (flags & gc::SAVE_ALL) != 0;
    describe(str("set_debug(", save_all_ ? "SAVE_ALL" : "",
                 (flags & gc::CHECK_WRITES) ? " CHECK_WRITES" : "", ")"));
    gc::set_debug(flags);
    if (gc::get_debug() != flags) fail("get_debug() differs from what was set");
  }

  void read_garbage() {
    describe("garbage()");
    std::vector<int> want = model_.saved;
    std::sort(want.begin(), want.end());
    if (garbage_ids() != want) fail("garbage() differs from the model's saved garbage");
  }

  void adopt_garbage() {
    std::vector<cyc::Handle<>> saved = gc::garbage();
    if (saved.empty()) return read_garbage();
    const std::size_t i = rng_.below(saved.size());
    cyc::Handle<Node> h = cyc::handle_cast<Node>(saved[i]);
    if (!h) fail("garbage() holds something that is not a Node");
    describe(str("adopt garbage()[", i, "] (node ", h->id, ")"));
    if (std::find(model_.saved.begin(), model_.saved.end(), h->id) == model_.saved.end())
      fail(str("garbage() holds node ", h->id, ", which the model never saved"));
    model_.roots.push_back(h->id);
    roots_.push_back(std::move(h));
  }

  void clear_garbage() {
    describe("clear_garbage()");
    gc::clear_garbage();
    model_.saved.clear();
    model_.release_unheld();
  }

  void add_callback() {
    const std::size_t r = rng_.below(10);
    const CallbackKind kind = r < 5   ? CallbackKind::kCounting
                              : r < 9 ? CallbackKind::kReentrant
                                      : CallbackKind::kThrowing;
    std::size_t id = 0;
    switch (kind) {
      case CallbackKind::kCounting:
        id = gc::add_callback(
            [this](const gc::CollectReport& report) { reports_.push_back(summarize(report)); });
        break;
      case CallbackKind::kReentrant:
        id = gc::add_callback([this](const gc::CollectReport&) {
          reentrant_results_.push_back(gc::collect());
          reentrant_results_.push_back(gc::collect(0));
        });
        break;
      case CallbackKind::kThrowing:
        id = gc::add_callback([](const gc::CollectReport&) { throw CallbackThrew{}; });
        break;
    }
    describe(str("add ",
                 kind == CallbackKind::kCounting    ? "counting"
                 : kind == CallbackKind::kReentrant ? "re-entrant"
                                                    : "throwing",
                 " callback ", id));
    callbacks_.push_back({id, kind});
  }

  void remove_callback() {
    if (callbacks_.empty()) return add_callback();
    const std::size_t i = rng_.below(callbacks_.size());
    const std::size_t id = callbacks_[i].first;
    describe(str("remove callback ", id));
    callbacks_.erase(callbacks_.begin() + static_cast<std::ptrdiff_t>(i));
    if (!gc::remove_callback(id)) fail("remove_callback() did not find a registered callback");
    if (gc::remove_callback(id)) fail("remove_callback() removed a callback twice");
  }

  void drop_all_roots() {
    describe(str("drop all ", roots_.size(), " roots"));
    roots_.clear();
    model_.roots.clear();
    model_.release_unheld();
  }

  // --- callbacks ---

  struct ReportSummary {
    int generation;
    std::size_t collected;
    std::size_t objects;  // the sum over its cycles
    bool paths_ok;        // every cycle has a path through Node.kids
  };

  static ReportSummary summarize(const gc::CollectReport& r) {
    ReportSummary s{r.generation, r.collected, 0, true};
    for (const gc::Cycle& c : r.cycles) {
      s.objects += c.objects;
      if (c.path.empty()) s.paths_ok = false;
      for (const gc::Edge& e : c.path)
        if (e.field != "kids") s.paths_ok = false;
    }
    return s;
  }

  bool throwing_callback_registered() const {
    for (const auto& [id, kind] : callbacks_)
      if (kind == CallbackKind::kThrowing) return true;
    return false;
  }

  // The callbacks up to the first throwing one ran once for the collection (kNone: none ran).
  void check_callbacks(std::size_t generation, std::size_t n) {
    std::size_t counting = 0, reentrant = 0;
    if (generation != kNone) {
      for (const auto& [id, kind] : callbacks_) {
        if (kind == CallbackKind::kThrowing) break;
        (kind == CallbackKind::kCounting ? counting : reentrant) += 1;
      }
    }
    if (reports_.size() != counting)
      fail(str(reports_.size(), " counting callbacks ran, expected ", counting));
    for (const ReportSummary& r : reports_) {
      if (static_cast<std::size_t>(r.generation) != generation || r.collected != n)
        fail(str("a callback saw generation ", r.generation, " and ", r.collected,
                 " collected, not ", generation, " and ", n));
      if (r.objects != n) fail(str("the report's cycles hold ", r.objects, " objects, not ", n));
      if (!r.paths_ok) fail("a reported cycle has an empty path or a field other than kids");
    }
    if (reentrant_results_.size() != 2 * reentrant)
      fail(str(reentrant_results_.size() / 2, " re-entrant callbacks ran, expected ", reentrant));
    for (std::size_t r : reentrant_results_)
      if (r != 0) fail(str("collect() from a callback returned ", r, ", not 0"));
    reports_.clear();
    reentrant_results_.clear();
  }

  // --- the state after every operation ---

  void check_state() {
    check_callbacks(kNone, 0);  // no collection ran that the operation did not account for
    for (int id : model_.alive())
      if (registry().destroyed(id) != 0)
        fail(str("node ", id, " was destroyed, but the model holds it"));
    for (int id : model_.take_died()) {
      const std::uint32_t times = registry().destroyed(id);
      if (times != 1)
        fail(str("node ", id, " should have been destroyed once, was ", times, " times"));
    }
    if (registry().destructions() != model_.dead_count())
      fail(str(registry().destructions(), " destructions, but the model has ", model_.dead_count(),
               " dead nodes"));
    if (gc::tracked() != baseline_tracked_ + model_.alive().size())
      fail(str("gc::tracked() is ", gc::tracked() - baseline_tracked_,
               " over the baseline, the model has ", model_.alive().size(), " live nodes"));
    check_edges_and_counts();
  }

  // Every live node's edges are the model's, and every count the test can read (through a
  // root or an edge) is the model's in-degree plus handles held.
  void check_edges_and_counts() {
    const std::vector<std::size_t>& counts = model_.counts();
    seen_.assign(model_.size(), nullptr);
    for (std::size_t i = 0; i < roots_.size(); ++i) {
      const int id = model_.roots[i];
      if (!model_.alive(id)) fail(str("root ", i, " refers to node ", id, ", dead in the model"));
      if (roots_[i].get() != registry().object(id))
        fail(str("root ", i, " does not refer to node ", id));
      if (!seen_[static_cast<std::size_t>(id)]) seen_[static_cast<std::size_t>(id)] = &roots_[i];
    }
    for (int id : model_.alive()) {
      const Node& n = node(id);
      if (n.magic != Node::kMagic || n.id != id) fail(str("node ", id, " is corrupted"));
      const std::vector<int>& kids = model_.node(id).kids;
      if (n.kids.size() != kids.size())
        fail(str("node ", id, " has ", n.kids.size(), " edges, the model ", kids.size()));
      for (std::size_t k = 0; k < kids.size(); ++k) {
        if (n.kids[k].get() != registry().object(kids[k]))
          fail(str("edge ", k, " of node ", id, " does not refer to node ", kids[k]));
        if (!seen_[static_cast<std::size_t>(kids[k])])
          seen_[static_cast<std::size_t>(kids[k])] = &n.kids[k];
      }
    }
    for (int id : model_.alive()) {
      const cyc::Handle<Node>* h = seen_[static_cast<std::size_t>(id)];
      if (h && h->use_count() != counts[static_cast<std::size_t>(id)])
        fail(str("node ", id, " has use_count ", h->use_count(), ", the model ",
                 counts[static_cast<std::size_t>(id)]));
    }
  }

  // --- the end of a run ---

  // Drops everything the test holds; a full collection then leaves nothing alive.
  void finish() {
    op_index_ = ops_;
    for (std::size_t i = 0; i < weaks_.size(); ++i) {
      describe(str("final lock of weak ", i));
      check_lock(weaks_[i], model_.weaks[i]);
    }
    describe("final cleanup");
    while (!callbacks_.empty()) {
      gc::remove_callback(callbacks_.back().first);
      callbacks_.pop_back();
    }
    save_all_ = false;
    gc::set_debug(0);
    clear_garbage();
    weaks_.clear();
    model_.weaks.clear();
    drop_all_roots();
    check_state();
    enabled_ = true;
    gc::enable();
    automatic_ = gc::Automatic::kWhileSingleThreaded;
    gc::set_automatic(automatic_);
    collect(2);
    check_state();
    if (!model_.alive().empty())
      fail(str(model_.alive().size(), " nodes alive after the final collection"));
    if (gc::tracked() != baseline_tracked_)
      fail("gc::tracked() did not return to where it started");
    tally_.ops = ops_;
  }

  void restore_collector() {
    for (const auto& [id, kind] : callbacks_) gc::remove_callback(id);
    callbacks_.clear();
    gc::set_debug(0);
    gc::clear_garbage();
    gc::set_threshold(700, 10, 10);
    gc::enable();
    gc::set_automatic(gc::Automatic::kWhileSingleThreaded);
    roots_.clear();
    weaks_.clear();
    gc::collect();
  }

  const std::uint64_t seed_;
  const std::size_t ops_;
  Rng rng_;
  Model model_;
  std::vector<cyc::Handle<Node>> roots_;
  std::vector<cyc::Weak<Node>> weaks_;
  std::vector<const cyc::Handle<Node>*> seen_;
  std::vector<std::pair<std::size_t, CallbackKind>> callbacks_;
  std::vector<ReportSummary> reports_;
  std::vector<std::size_t> reentrant_results_;
  std::array<std::size_t, gc::kGenerations> threshold_ = {700, 10, 10};
  bool enabled_ = true;
  gc::Automatic automatic_ = gc::Automatic::kWhileSingleThreaded;
  bool save_all_ = false;
  std::size_t baseline_tracked_ = 0;
  std::size_t op_index_ = 0;
  std::string current_;
  std::deque<std::string> recent_;
  Tally tally_;
};

void expect_default_collector() {
  ASSERT_EQ(gc::get_threshold(), (std::array<std::size_t, 3>{700, 10, 10}));
  ASSERT_TRUE(gc::is_enabled());
  ASSERT_EQ(gc::get_automatic(), gc::Automatic::kWhileSingleThreaded);
  ASSERT_EQ(gc::get_debug(), 0u);
  ASSERT_TRUE(gc::garbage().empty());
}

void run_seeds(const char* name, const Plan& p) {
  expect_default_collector();
  Tally total;
  for (std::uint64_t seed : p.seeds) {
    ModelRun run(seed, p.ops);
    const std::string error = run.run();
    if (!error.empty()) {
      ADD_FAILURE() << error;
      return;
    }
    total.add(run.tally());
  }
  std::printf(
      "%s: %zu seeds x %zu operations: %zu nodes made, %zu explicit and %zu automatic "
      "collections (%zu full), %zu objects found, %zu kept by SAVE_ALL, %zu of %zu locks "
      "succeeded\n",
      name, p.seeds.size(), p.ops, total.made, total.explicit_collections,
      total.automatic_collections, total.full_collections, total.found, total.saved, total.locked,
      total.locks);
}

TEST(GcModel, RandomOperations) {
  run_seeds("GcModel.RandomOperations", plan(kSanitized ? 150 : 1000, 1000));
}

// The same operations once the process has started a second thread: the runtime then takes
// its atomic paths (compare-exchanges, the buffer lock) instead of the single-threaded ones.
TEST(GcModel, RandomOperationsAfterAThreadRan) {
  std::thread([] {}).join();
  run_seeds("GcModel.RandomOperationsAfterAThreadRan", plan(kSanitized ? 150 : 1000, 1000));
}

// --- the multi-threaded part --------------------------------------------------------------

// A handle a worker holds, with the id of its node. `anchor`: handed over before the round
// (and, without copies out of garbage, never dropped during it). `lineage`: copied from an anchor
// or out of a node reached from one, so the node stays reachable from an anchor.
struct Held {
  cyc::Handle<Node> handle;
  int id = -1;
  bool anchor = false;
  bool lineage = false;
};

struct WeakRef {
  cyc::Weak<Node> weak;
  int id = -1;
};

struct Worker {
  std::uint64_t seed = 0;
  bool out_of_garbage = false;  // also copy out of locked objects, and drop sources right after
  std::vector<Held> held;
  std::vector<WeakRef> weaks;
  std::vector<std::string> problems;
  std::size_t ops = 0, locks = 0, locked = 0, copied_out = 0;
  std::atomic<std::size_t> progress{0};  // ops, for the main thread to read while it runs
};

constexpr std::size_t kMaxHeld = 48;
constexpr std::size_t kMaxWeaks = 16;

// A node a worker just got a handle to must be intact and never destroyed.
void check_held(Worker& w, const cyc::Handle<Node>& h, int id, const char* how) {
  if (!registry().known(id) || registry().destroyed(id) != 0 || h->magic != Node::kMagic ||
      h->id != id)
    w.problems.push_back(str("a worker ", how, " node ", id, ", which was destroyed"));
}

void worker_copy(Worker& w, Rng& rng) {
  if (w.held.empty() || w.held.size() >= kMaxHeld) return;
  Held copy = w.held[rng.below(w.held.size())];
  copy.anchor = false;
  w.held.push_back(std::move(copy));
}

void worker_drop(Worker& w, Rng& rng) {
  if (w.held.empty()) return;
  const std::size_t i = rng.below(w.held.size());
  if (w.held[i].anchor && !w.out_of_garbage) return;
  std::swap(w.held[i], w.held.back());
  w.held.pop_back();
}

// Weak::lock(); with copies out of garbage, copies an edge out of the locked object and drops it:
//   if (auto x = weak.lock()) y = x->kids[i];
void worker_lock(Worker& w, Rng& rng) {
  if (w.weaks.empty()) return;
  const WeakRef& ref = w.weaks[rng.below(w.weaks.size())];
  ++w.locks;
  cyc::Handle<Node> x = ref.weak.lock();
  if (!x) return;
  ++w.locked;
  check_held(w, x, ref.id, "locked");
  const std::size_t edges = x->kids.size();
  if (w.out_of_garbage && edges > 0 && w.held.size() < kMaxHeld) {
    Held y{x->kids[rng.below(edges)], -1, false, false};
    y.id = y.handle->id;
    check_held(w, y.handle, y.id, "copied out of a locked object");
    ++w.copied_out;
    w.held.push_back(std::move(y));
  } else if (rng.percent(30) && w.held.size() < kMaxHeld) {
    w.held.push_back(Held{std::move(x), ref.id, false, false});
  }
}

// Copies an edge out of a held node. Without copies out of garbage, only out of nodes an anchor
// reaches; with them, the source may be dropped right after.
void worker_copy_out(Worker& w, Rng& rng) {
  if (w.held.empty() || w.held.size() >= kMaxHeld) return;
  const std::size_t i = rng.below(w.held.size());
  if (!w.out_of_garbage && !w.held[i].lineage) return;
  const Node& source = *w.held[i].handle;
  if (source.kids.empty()) return;
  Held y{source.kids[rng.below(source.kids.size())], -1, false, w.held[i].lineage};
  y.id = y.handle->id;
  check_held(w, y.handle, y.id, "copied out of a held object");
  ++w.copied_out;
  if (w.out_of_garbage && rng.percent(50)) {
    std::swap(w.held[i], w.held.back());
    w.held.pop_back();
  }
  w.held.push_back(std::move(y));
}

void worker_make_weak(Worker& w, Rng& rng) {
  if (w.held.empty() || w.weaks.size() >= kMaxWeaks) return;
  const Held& h = w.held[rng.below(w.held.size())];
  w.weaks.push_back(WeakRef{cyc::Weak<Node>(h.handle), h.id});
}

void work(Worker& w, const std::atomic<bool>& stop, std::atomic<int>& started) {
  Rng rng(w.seed);
  started.fetch_add(1);
  while (!stop.load(std::memory_order_acquire)) {
    w.progress.store(++w.ops, std::memory_order_relaxed);
    const std::size_t r = rng.below(12);
    if (r < 2)
      worker_copy(w, rng);
    else if (r < 4)
      worker_drop(w, rng);
    else if (r < 7)
      worker_lock(w, rng);
    else if (r < 10)
      worker_copy_out(w, rng);
    else if (r < 11)
      worker_make_weak(w, rng);
    else
      std::this_thread::yield();
  }
}

// One round's graph, built before the workers start; its edges never change while they run.
class RoundGraph {
 public:
  explicit RoundGraph(Rng& rng) : rng_(rng) {}

  // Rings, random graphs and chains with back edges, a few edges between them, weak slots.
  void build() {
    const std::size_t shapes = 2 + rng_.below(4);
    for (std::size_t s = 0; s < shapes; ++s) {
      const std::size_t first = nodes_.size();
      switch (rng_.below(3)) {
        case 0: ring(2 + rng_.below(40)); break;
        case 1: random_graph(4 + rng_.below(24)); break;
        default: chain_with_back_edges(3 + rng_.below(30)); break;
      }
      if (first > 0 && rng_.percent(40))
        edge(first + rng_.below(nodes_.size() - first), rng_.below(first));
    }
    for (std::size_t i = 0; i < nodes_.size(); ++i)
      if (rng_.percent(20)) {
        const std::size_t t = rng_.below(nodes_.size());
        nodes_[i]->weak = nodes_[t];
      }
  }

  // A 2- or 3-node cycle that only the main thread ever sees, dropped at once.
  void garbage_cycle() {
    const std::size_t first = nodes_.size();
    const std::size_t n = 2 + rng_.below(2);
    for (std::size_t i = 0; i < n; ++i) add();
    for (std::size_t i = 0; i < n; ++i) edge(first + i, first + (i + 1) % n);
    for (std::size_t i = first; i < nodes_.size(); ++i) nodes_[i].reset();
  }

  std::size_t size() const { return nodes_.size(); }
  const cyc::Handle<Node>& handle(std::size_t i) const { return nodes_[i]; }
  const std::vector<std::vector<int>>& edges() const { return kids_; }
  // Drops the handles the graph was built with (ids stay positions: later nodes append).
  void drop_handles() {
    for (cyc::Handle<Node>& h : nodes_) h.reset();
  }

 private:
  std::size_t add() {
    nodes_.push_back(cyc::make<Node>());
    kids_.emplace_back();
    return nodes_.size() - 1;
  }
  void edge(std::size_t a, std::size_t b) {
    nodes_[a]->kids.push_back(nodes_[b]);
    kids_[a].push_back(static_cast<int>(b));
  }
  void ring(std::size_t n) {
    const std::size_t first = nodes_.size();
    for (std::size_t i = 0; i < n; ++i) add();
    for (std::size_t i = 0; i < n; ++i) edge(first + i, first + (i + 1) % n);
  }
  void random_graph(std::size_t n) {
    const std::size_t first = nodes_.size();
    for (std::size_t i = 0; i < n; ++i) add();
    for (std::size_t e = 0; e < 2 * n; ++e) edge(first + rng_.below(n), first + rng_.below(n));
  }
  void chain_with_back_edges(std::size_t n) {
    const std::size_t first = nodes_.size();
    for (std::size_t i = 0; i < n; ++i) add();
    for (std::size_t i = 0; i + 1 < n; ++i) edge(first + i, first + i + 1);
    for (std::size_t i = 0; i < n / 4 + 1; ++i) edge(first + rng_.below(n), first + rng_.below(n));
  }

  Rng& rng_;
  std::vector<cyc::Handle<Node>> nodes_;  // ids are indices (the registry was reset)
  std::vector<std::vector<int>> kids_;
};

constexpr int kWorkers = 3;
constexpr std::size_t kGarbageCyclesPerRound = 24;
constexpr std::size_t kWorkerOpsPerRound = 500;  // at least, each, while the main thread collects

struct RoundTally {
  std::size_t rounds = 0, worker_ops = 0, locks = 0, locked = 0, copied_out = 0, collections = 0;
};

// One round: build, hand out, race, then check against the model. Returns what went wrong.
class Round {
 public:
  Round(std::uint64_t seed, bool out_of_garbage)
      : seed_(seed), out_of_garbage_(out_of_garbage), rng_(seed), graph_(rng_) {}

  std::string run(RoundTally& tally) {
    registry().reset(4096);
    const std::size_t tracked = gc::tracked();
    choose_automatic();
    graph_.build();
    const std::size_t built = graph_.size();
    hand_out();
    graph_.drop_handles();
    race(tally);
    std::string error = check_held_nodes_alive();
    if (error.empty()) error = check_final_collection(built);
    release_workers();
    gc::set_threshold(700, 10, 10);
    gc::set_automatic(gc::Automatic::kWhileSingleThreaded);
    gc::collect();
    if (error.empty() && registry().destructions() != registry().created())
      error = str(registry().created() - registry().destructions(),
                  " nodes alive after everything was dropped");
    if (error.empty() && gc::tracked() != tracked)
      error = "gc::tracked() did not return to where it started";
    for (const Worker& w : workers_) {
      tally.worker_ops += w.ops;
      tally.locks += w.locks;
      tally.locked += w.locked;
      tally.copied_out += w.copied_out;
    }
    ++tally.rounds;
    return error.empty() ? error : str("round seed ", seed_, ": ", error);
  }

 private:
  // Half the rounds let make<T> collect on the main thread (the only one that allocates and
  // writes traced fields, so the threading rule holds), with low thresholds; the others leave
  // automatic collections to safepoint().
  void choose_automatic() {
    if (!rng_.percent(50)) return;
    gc::set_automatic(gc::Automatic::kAnyThread);
    gc::set_threshold(1 + rng_.below(16), 1 + rng_.below(4), 1 + rng_.below(4));
  }

  // Main keeps handles to about a third of the nodes; each worker gets a few anchors and weaks.
  void hand_out() {
    for (std::size_t i = 0; i < graph_.size(); ++i)
      if (rng_.percent(35)) mine_.push_back(graph_.handle(i));
    for (int t = 0; t < kWorkers; ++t) {
      Worker& w = workers_[static_cast<std::size_t>(t)];
      w.seed = rng_.next();
      w.out_of_garbage = out_of_garbage_;
      for (int k = 0; k < 3; ++k) {
        const std::size_t i = rng_.below(graph_.size());
        w.held.push_back(Held{graph_.handle(i), static_cast<int>(i), true, true});
      }
      for (int k = 0; k < 6; ++k) {
        const std::size_t i = rng_.below(graph_.size());
        w.weaks.push_back(WeakRef{cyc::Weak<Node>(graph_.handle(i)), static_cast<int>(i)});
      }
    }
  }

  // The workers run while the main thread drops its handles in random order, makes and
  // drops small cycles of its own, and collects.
  void race(RoundTally& tally) {
    std::atomic<bool> stop{false};
    std::atomic<int> started{0};
    std::vector<std::thread> threads;
    for (Worker& w : workers_)
      threads.emplace_back([&w, &stop, &started] { work(w, stop, started); });
    while (started.load() < kWorkers) std::this_thread::yield();
    for (std::size_t i = mine_.size(); i > 1; --i) std::swap(mine_[i - 1], mine_[rng_.below(i)]);
    std::size_t cycles = 0;
    while (!mine_.empty()) {
      mine_.pop_back();
      switch (rng_.below(5)) {
        case 0:
          gc::collect(static_cast<int>(rng_.below(3)));
          ++tally.collections;
          break;
        case 1:
          if (cycles++ < kGarbageCyclesPerRound) graph_.garbage_cycle();
          break;
        case 2: gc::safepoint(); break;
        case 3: std::this_thread::yield(); break;
        default: break;
      }
    }
    // Keep collecting until every worker has done its share against these collections.
    while (slowest_worker() < kWorkerOpsPerRound) {
      gc::collect(static_cast<int>(rng_.below(3)));
      ++tally.collections;
      std::this_thread::yield();
    }
    stop.store(true, std::memory_order_release);
    for (std::thread& t : threads) t.join();
  }

  std::size_t slowest_worker() const {
    std::size_t least = SIZE_MAX;
    for (const Worker& w : workers_)
      least = std::min(least, w.progress.load(std::memory_order_relaxed));
    return least;
  }

  // No node a worker still holds was destroyed. A held node that was is forgotten, not
  // dropped: its memory may be gone.
  std::string check_held_nodes_alive() {
    std::string error;
    for (Worker& w : workers_) {
      if (!w.problems.empty() && error.empty()) error = w.problems.front();
      for (Held& h : w.held)
        if (registry().destroyed(h.id) != 0) {
          if (error.empty())
            error = str("a worker held node ", h.id, " to the end, but it was destroyed");
          h.handle.forget();
        }
    }
    return error;
  }

  // With the workers stopped, a full collection must leave alive exactly what their handles
  // reach through the edges as built, with the counts those edges and handles make.
  std::string check_final_collection(std::size_t built) {
    const std::vector<std::vector<int>>& kids = graph_.edges();
    std::vector<std::size_t> count(kids.size(), 0);
    std::vector<char> reached(kids.size(), 0);
    std::vector<int> work;
    for (const Worker& w : workers_)
      for (const Held& h : w.held) {
        ++count[static_cast<std::size_t>(h.id)];
        work.push_back(h.id);
      }
    while (!work.empty()) {
      const auto id = static_cast<std::size_t>(work.back());
      work.pop_back();
      if (reached[id]) continue;
      reached[id] = 1;
      for (int kid : kids[id]) {
        ++count[static_cast<std::size_t>(kid)];
        work.push_back(kid);
      }
    }
    std::size_t alive_before = 0, expected_alive = 0;
    for (std::size_t id = 0; id < kids.size(); ++id) {
      alive_before += registry().destroyed(static_cast<int>(id)) == 0;
      expected_alive += reached[id];
    }
    const std::size_t found = gc::collect();
    if (found != alive_before - expected_alive)
      return str("the final collection returned ", found, "; ", alive_before - expected_alive,
                 " nodes were unreachable");
    for (std::size_t id = 0; id < kids.size(); ++id) {
      const bool alive = registry().destroyed(static_cast<int>(id)) == 0;
      if (alive != static_cast<bool>(reached[id]))
        return str("after the final collection node ", id, (alive ? " is alive" : " is gone"),
                   (reached[id] ? ", but the workers reach it" : ", but nothing reaches it"),
                   id < built ? "" : " (a main-thread cycle)");
    }
    for (std::size_t id = 0; id < kids.size(); ++id) {
      if (!reached[id]) continue;
      const Node* node = registry().object(static_cast<int>(id));
      for (std::size_t k = 0; k < kids[id].size(); ++k)
        if (node->kids[k].use_count() != count[static_cast<std::size_t>(kids[id][k])])
          return str("node ", kids[id][k], " has use_count ", node->kids[k].use_count(),
                     ", expected ", count[static_cast<std::size_t>(kids[id][k])]);
    }
    for (const Worker& w : workers_)
      for (const Held& h : w.held)
        if (h.handle.use_count() != count[static_cast<std::size_t>(h.id)])
          return str("node ", h.id, " has use_count ", h.handle.use_count(), ", expected ",
                     count[static_cast<std::size_t>(h.id)]);
    for (const Worker& w : workers_)
      for (const WeakRef& r : w.weaks)
        if (static_cast<bool>(r.weak.lock()) !=
            static_cast<bool>(reached[static_cast<std::size_t>(r.id)]))
          return str("Weak::lock() of node ", r.id, " disagrees with what the workers reach");
    return {};
  }

  void release_workers() {
    for (Worker& w : workers_) {
      w.held.clear();
      w.weaks.clear();
    }
  }

  const std::uint64_t seed_;
  const bool out_of_garbage_;
  Rng rng_;
  RoundGraph graph_;
  std::vector<cyc::Handle<Node>> mine_;
  std::array<Worker, kWorkers> workers_;
};

void run_rounds(const char* name, bool out_of_garbage) {
  expect_default_collector();
  const Plan p = plan(kSanitized ? 150 : 400, 0);
  RoundTally tally;
  for (std::uint64_t seed : p.seeds) {
    const std::string error = Round(seed, out_of_garbage).run(tally);
    if (!error.empty()) {
      ADD_FAILURE() << error << "\n  (" << tally.rounds << " rounds passed before it)";
      return;
    }
  }
  std::printf(
      "%s: %zu rounds, %zu worker operations, %zu of %zu locks succeeded, %zu copies out "
      "of objects, %zu collections on the main thread\n",
      name, tally.rounds, tally.worker_ops, tally.locked, tally.locks, tally.copied_out,
      tally.collections);
}

// Copies and drops of handles whose nodes an anchor keeps reachable, copies out of them, and
// Weak::lock() anywhere (the locked object is only read, then kept or dropped), racing with
// the main thread's drops and collections: what the threading contract allows, short of the
// copies out of garbage below.
TEST(GcModelThreads, WorkersCopyDropAndLockWhileMainCollects) {
  run_rounds("GcModelThreads.WorkersCopyDropAndLockWhileMainCollects", false);
}

// --- copies out of garbage ----------------------------------------------------------------

// Copies out of garbage: workers also copy edges out of objects they just locked and drop
// those at once, and drop handles right after copying out of them.
TEST(GcModelThreads, WorkersCopyOutOfLockedObjectsWhileMainCollects) {
  run_rounds("GcModelThreads.WorkersCopyOutOfLockedObjectsWhileMainCollects", true);
}

// A ring X0 -> X1 -> ... -> X(n-1) -> X0. Returns the handle to X0 (ids are positions: the
// registry was reset); `second`, when given, receives a handle to X1. Made without a single
// drop, so no node of it is a candidate yet.
cyc::Handle<Node> make_ring(std::size_t n, cyc::Handle<Node>* second = nullptr) {
  cyc::Handle<Node> first = cyc::make<Node>();
  Node* last = first.get();
  for (std::size_t i = 1; i < n; ++i) {
    cyc::Handle<Node> next = cyc::make<Node>();
    if (i == 1 && second) *second = next;
    Node* raw = next.get();
    last->kids.push_back(std::move(next));
    last = raw;
  }
  last->kids.push_back(first);
  return first;
}

// How long a full collection of a garbage ring of n nodes takes here: the span over which the
// races below spread their delays (the test asserts nothing about time).
std::chrono::nanoseconds collection_time(std::size_t n) {
  std::chrono::nanoseconds best = std::chrono::nanoseconds::max();
  for (int i = 0; i < 3; ++i) {
    registry().reset(n);
    make_ring(n);
    const auto start = std::chrono::steady_clock::now();
    gc::collect();
    best = std::min(best, std::chrono::duration_cast<std::chrono::nanoseconds>(
                              std::chrono::steady_clock::now() - start));
  }
  return best;
}

void spin_for(std::chrono::nanoseconds d) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
  }
}

constexpr std::size_t kRingSizes[] = {64, 512, 4096};

struct RaceTally {
  std::size_t rounds = 0;
  std::size_t held = 0;        // the worker ended the round holding X1
  std::size_t destroyed = 0;   // ... and X1 was destroyed anyway
  std::size_t miscounted = 0;  // ... or X1 survived with a count that lost the worker's copy
  std::string first;           // the first round that went wrong
};

// One round of a copy out of garbage: `worker` runs on its own thread after `delay`, while the main
// thread runs `main_side` (which drops the main thread's handles) and collects. The worker
// returns the handle to X1 it ends with, if any. X1 must not be destroyed while it holds it,
// and everything must go once it drops it.
template <class WorkerFn, class MainFn>
void race_round(std::size_t n, std::chrono::nanoseconds delay, WorkerFn worker, MainFn main_side,
                RaceTally& tally) {
  const std::size_t tracked = gc::tracked() - n;  // the ring is made already
  std::atomic<bool> ready{false}, go{false};
  cyc::Handle<Node> kept;
  std::thread t([&] {
    ready.store(true);
    while (!go.load(std::memory_order_acquire)) {
    }
    spin_for(delay);
    kept = worker();
  });
  while (!ready.load()) std::this_thread::yield();
  main_side();
  go.store(true, std::memory_order_release);
  const std::size_t n_found = gc::collect();
  t.join();
  ++tally.rounds;
  std::string error;
  if (kept) {
    ++tally.held;
    if (registry().destroyed(1) != 0) {
      ++tally.destroyed;
      error =
          str("the worker holds X1, but the collection (which found ", n_found, ") destroyed it");
      kept.forget();  // its memory is gone: do not drop it
    } else if (n_found != 0) {
      error = str("the collection found ", n_found, " objects while the worker held X1");
    } else if (kept.use_count() != 2) {
      // X0's edge and the worker's copy. A count short of that would free X1 under X0.
      ++tally.miscounted;
      error = str("X1 survived with use_count ", kept.use_count(),
                  ", not 2 (X0's edge and the worker's copy)");
      if (kept.use_count() < 2) kept.forget();  // what is left then matches the count
    }
  }
  kept.reset();
  gc::collect();
  if (error.empty() && registry().destructions() != n)
    error = str(n - registry().destructions(), " ring nodes alive after the worker dropped X1");
  if (error.empty() && gc::tracked() != tracked)
    error = "gc::tracked() did not return to where it started";
  if (!error.empty() && tally.first.empty())
    tally.first = str("ring of ", n, ", delay ", delay.count(), " ns: ", error);
}

// Runs `round(n, delay)` over the ring sizes, with delays spread over a collection's length.
template <class RoundFn>
RaceTally race_rounds(RoundFn round) {
  const Plan p = plan(kSanitized ? 200 : 600, 0);
  RaceTally tally;
  std::chrono::nanoseconds span[std::size(kRingSizes)];
  for (std::size_t s = 0; s < std::size(kRingSizes); ++s) span[s] = collection_time(kRingSizes[s]);
  for (std::uint64_t seed : p.seeds) {
    Rng rng(seed);
    const std::size_t s = seed % std::size(kRingSizes);
    const auto delay = std::chrono::nanoseconds(
        static_cast<std::int64_t>(rng.below(static_cast<std::size_t>(span[s].count()) + 1)));
    registry().reset(kRingSizes[s]);
    round(kRingSizes[s], delay, tally);
  }
  return tally;
}

void report_race(const char* name, const RaceTally& tally) {
  std::printf(
      "%s: %zu rounds; the worker ended holding X1 in %zu, X1 was destroyed under it in %zu, "
      "survived with a wrong count in %zu\n",
      name, tally.rounds, tally.held, tally.destroyed, tally.miscounted);
  EXPECT_TRUE(tally.first.empty())
      << tally.first << " (" << tally.destroyed << " of " << tally.rounds
      << " rounds destroyed a held node, " << tally.miscounted << " left it with a wrong count)";
}

// Only X0 has a weak reference. The main thread drops its last handle to the ring and
// collects; meanwhile a worker locks X0, copies X1 out of it, drops X0 and keeps X1. X0's
// count is back to what the collector read, but X1 is held.
TEST(GcModelThreads, WeakLockCopyDuringCollect) {
  const RaceTally tally =
      race_rounds([](std::size_t n, std::chrono::nanoseconds delay, RaceTally& t) {
        cyc::Handle<Node> x0 = make_ring(n);
        const cyc::Weak<Node> weak = x0;
        race_round(
            n, delay,
            [&weak] {
              cyc::Handle<Node> y;
              if (auto x = weak.lock()) y = x->kids[0];
              return y;
            },
            [&x0] { x0.reset(); }, t);
      });
  report_race("GcModelThreads.WeakLockCopyDuringCollect", tally);
}

// No weak references. The worker holds X0 from before the collection; the main thread drops
// X1, then X0 (so the collector reads X1's count first), and collects; meanwhile the worker
// copies X1 out of X0 and drops X0 (a drop of a buffered object, which takes the lock-free
// path) and keeps X1.
TEST(GcModelThreads, StrongCopyDropDuringCollect) {
  const RaceTally tally =
      race_rounds([](std::size_t n, std::chrono::nanoseconds delay, RaceTally& t) {
        cyc::Handle<Node> x1;
        cyc::Handle<Node> x0 = make_ring(n, &x1);
        cyc::Handle<Node> theirs = x0;
        race_round(
            n, delay,
            [&theirs] {
              cyc::Handle<Node> y = theirs->kids[0];
              theirs.reset();
              return y;
            },
            [&x0, &x1] {
              x1.reset();
              x0.reset();
            },
            t);
      });
  report_race("GcModelThreads.StrongCopyDropDuringCollect", tally);
}

}  // namespace
