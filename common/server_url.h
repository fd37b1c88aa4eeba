#pragma once
// ServerUrl: where supervisorctl finds supervisord — `serverurl` in
// [supervisorctl] or -s: "unix:///path/to/supervisor.sock" or
// "http://host[:port]" (port 80 when absent), as Supervisor's
// SupervisorTransport reads it. Any path in an http URL is ignored (XML-RPC
// always goes to /RPC2); a unix path is taken as written (the configuration
// layer makes it absolute, like Supervisor's normalize_path).

#include <string>
#include <string_view>

#include "common/result.h"

namespace common {

struct ServerUrl {
  enum class Scheme { unixSocket, http };

  Scheme scheme = Scheme::http;
  std::string socketPath;  // unixSocket
  std::string host;        // http: lowercased, IPv6 without brackets
  unsigned short port = 80;
  std::string text;  // the URL as given, for messages ("unix:///x refused connection")
};

// Errors read like Supervisor's: "Unknown protocol for serverurl ftp://x".
Result<ServerUrl> parseServerUrl(std::string_view url);

}  // namespace common
