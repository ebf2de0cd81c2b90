// cycle-type with std::shared_ptr, including aliases and typedefs of the handle.
#include <memory>
#include <string>
#include <vector>

namespace sp {

struct Node;
using NodePtr = std::shared_ptr<Node>;
typedef std::weak_ptr<Node> WeakNodePtr;

// Parent and children, both strong, through aliases.
struct Node {
  std::vector<NodePtr> children;
  NodePtr parent;  // expected-warning {{cycle-type: sp::Node.children -> sp::Node.parent -> (sp::Node)}}
};

// The fixed version: the back-pointer is weak (through a typedef).
struct Fixed {
  std::vector<std::shared_ptr<Fixed>> children;
  std::weak_ptr<Fixed> parent;
};
struct FixedTypedef {
  std::vector<std::shared_ptr<FixedTypedef>> children;
  WeakNodePtr unrelated;
};

// A list and a tree through one field each.
struct List {
  std::shared_ptr<List> next;
};
struct Tree {
  std::vector<std::shared_ptr<Tree>> kids;
};

// Mutual references between two types.
struct Session;
struct Connection {
  std::shared_ptr<Session> session;
};
struct Session {
  std::string user;
  std::shared_ptr<Connection> connection;  // expected-warning {{cycle-type: sp::Connection.session -> sp::Session.connection -> (sp::Connection)}}
};

// One side weak: no cycle.
struct Client;
struct Server {
  std::vector<std::shared_ptr<Client>> clients;
};
struct Client {
  std::weak_ptr<Server> server;
};

// A DAG.
struct Leaf {
  int v = 0;
};
struct Mid {
  std::shared_ptr<Leaf> leaf;
};
struct Top {
  std::shared_ptr<Mid> mid;
  std::shared_ptr<Leaf> leaf;
};

// Broken by hand: the station lets go of its listener when it stops (in another function than the
// stores). A note that names where; the destructor's reset does not count (it runs only once
// the object is freed).
struct Listener;
struct Station {
  std::shared_ptr<Listener> listener;
  void stop();
  ~Station() { listener.reset(); }
};
struct Listener {
  std::shared_ptr<Station> station;  // expected-note {{cycle-type: sp::Station.listener -> sp::Listener.station -> (sp::Station); a cycle the code breaks by hand: sp::Station::stop() lets go of 'sp::Station.listener'}}
};
inline void Station::stop() { listener.reset(); }

// Only the destructor lets go: a warning.
struct Peer;
struct Hub {
  std::shared_ptr<Peer> peer;
  ~Hub() { peer.reset(); }
};
struct Peer {
  std::shared_ptr<Hub> hub;  // expected-warning {{cycle-type: sp::Hub.peer -> sp::Peer.hub -> (sp::Hub)}}
};

}  // namespace sp
