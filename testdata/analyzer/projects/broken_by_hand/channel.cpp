#include "channel.h"

namespace byhand {

void Channel::set_write_callback(std::function<void()> cb) { write_cb = std::move(cb); }

}  // namespace byhand
