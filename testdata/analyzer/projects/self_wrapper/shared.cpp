#include "conn.h"

namespace selfwrap {

std::shared_ptr<Conn> Conn::get_shared() { return shared_from_this(); }

}  // namespace selfwrap
