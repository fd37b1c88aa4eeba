#pragma once
// followLog(): the body of /logtail and /mainlogtail, as Supervisor's
// tail_f_producer writes it: the last `head` bytes of the file, then whatever
// is appended, checked every 100 ms. A rotated file (new inode at the path) is
// followed from its start; a truncated one sends "==> File truncated <==\n" and
// goes on from its start. Runs on the loop until the client goes away; a slow
// client is not sent more than it has taken (memory stays bounded).

#include <cstdint>
#include <string>

#include "common/http_server.h"

namespace boost::asio {
class io_context;
}

namespace rpc {

// REQUIRES: `path` names a readable file (the route answered 404 otherwise).
void followLog(boost::asio::io_context& loop, const std::string& path, common::HttpStream stream,
               int64_t head = 1024);

}  // namespace rpc
