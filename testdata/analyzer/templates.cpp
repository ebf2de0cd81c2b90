// Class templates are analyzed by instantiation; alias templates are seen through.
#include <cyc/cyc.h>

#include <memory>

namespace tmpl {

// Box<Holder> is only named through a handle: the analyzer instantiates it to see `item`.
template <class T>
struct Box {
  cyc::Handle<T> item;
  CYC_TRACE(item)
};
struct Holder {
  cyc::Handle<Box<Holder>> box;  // expected-warning {{cycle-type: tmpl::Box<tmpl::Holder>.item -> tmpl::Holder.box -> (tmpl::Box<tmpl::Holder>)}}
  CYC_TRACE(box)
};

// An alias template of a strong handle.
template <class T>
using Ptr = std::shared_ptr<T>;
struct Peer2;
struct Peer1 {
  Ptr<Peer2> other;
};
struct Peer2 {
  Ptr<Peer1> back;  // expected-warning {{cycle-type: tmpl::Peer1.other -> tmpl::Peer2.back -> (tmpl::Peer1)}}
};

// A recursive template through one field: a list.
template <class T>
struct Chain {
  T value;
  std::shared_ptr<Chain<T>> next;
};
Chain<int> chain_of_ints;

// Each instantiation is a type of its own: Link<Station> and Link<Track> together close a
// cycle; the template pattern itself is not analyzed.
template <class T>
struct Link {
  // expected-warning@+1 {{cycle-type: tmpl::Station.out -> tmpl::Link<tmpl::Track>.target -> tmpl::Track.to -> tmpl::Link<tmpl::Station>.target -> (tmpl::Station)}}
  std::shared_ptr<T> target;
};
struct Station;
struct Track {
  Link<Station> to;
};
struct Station {
  Link<Track> out;
};
Track a_track;

}  // namespace tmpl
