#include "channel.h"

namespace byhand {

class Connector : public std::enable_shared_from_this<Connector> {
 public:
  void start() {
    channel_ = std::make_unique<Channel>();
    channel_->set_write_callback(std::bind(&Connector::handle_write, shared_from_this()));  // expected-note {{capture-cycle: std::bind stored in 'byhand::Channel.write_cb' by set_write_callback() holds 'shared_from_this()', a strong std::shared_ptr to the 'byhand::Connector' that owns the storing object: a cycle the code breaks by hand: byhand::Connector::remove_channel() lets go of 'byhand::Connector.channel_' (connector.cpp:15), and 2 more; the objects are freed when that runs, and leak on a path that skips it}}
  }
  void handle_write() { remove_channel(); }
  void stop() { remove_channel(); }

 private:
  void remove_channel() { channel_.reset(); }
  std::unique_ptr<Channel> channel_;
};

// The twin that keeps its channel for ever.
class Keeper : public std::enable_shared_from_this<Keeper> {
 public:
  void start() {
    channel_ = std::make_unique<Channel>();
    channel_->set_write_callback(std::bind(&Keeper::handle_write, shared_from_this()));  // expected-warning {{capture-cycle: std::bind stored in 'byhand::Channel.write_cb' by set_write_callback() holds 'shared_from_this()', a strong std::shared_ptr to the 'byhand::Keeper' that owns the storing object: a leak}}
  }
  void handle_write() {}

 private:
  std::unique_ptr<Channel> channel_;
};

// Some code lets go of a channel's callback, but not of the one a Proxy owns: the Proxy's cycle
// is not broken by it.
void drop_callback(Channel &c) { c.set_write_callback(nullptr); }

class Proxy : public std::enable_shared_from_this<Proxy> {
 public:
  void start() {
    channel_.set_write_callback([self = shared_from_this()] { self->flush(); });  // expected-warning {{capture-cycle: lambda stored in 'byhand::Channel.write_cb' by set_write_callback() holds 'self = shared_from_this()', a strong std::shared_ptr to the 'byhand::Proxy' that owns the storing object: a leak}}
  }
  void flush() {}

 private:
  Channel channel_;
};

}  // namespace byhand
