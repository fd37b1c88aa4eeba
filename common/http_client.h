#pragma once
// HttpClient: supervisorctl's blocking HTTP/1.1 client for one supervisord
// (unix socket or TCP), with Basic auth and one keep-alive connection.
//
// Every call blocks until the answer, a failure or a timeout; nothing runs in
// the background. A failure is a value whose message names the server URL
// ("could not connect to unix:///x: No such file or directory"); lastErrno()
// tells ENOENT from ECONNREFUSED for supervisorctl's own wording. HTTP error
// statuses (401, 500) are responses, not failures. Not for the daemon's loop.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/http_server.h"  // HttpHeader (no Beast there)
#include "common/result.h"
#include "common/server_url.h"

namespace boost::system {
class error_code;
}

namespace common {

struct HttpClientOptions {
  // Basic auth is sent when username is set.
  std::string username;
  std::string password;
  std::chrono::milliseconds connectTimeout = std::chrono::seconds(10);
  // For the whole answer to a request (for get(): up to the response header).
  // Zero: wait as long as the server takes, like Python's supervisorctl
  // (startProcess waits for startsecs).
  std::chrono::milliseconds responseTimeout = std::chrono::milliseconds(0);
};

struct HttpClientResponse {
  int status = 0;
  std::string reason;
  std::vector<HttpHeader> headers;
  std::string body;  // for a streamed get() with status 200: empty (the body went to the callback)

  // The first header named `name` (case-insensitive), or "" when absent.
  std::string_view header(std::string_view name) const;
};

class HttpClient {
 public:
  explicit HttpClient(ServerUrl server, HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // POSTs `body` (e.g. an XML-RPC call to "/RPC2"). A kept-alive connection
  // the server has closed meanwhile is replaced once, transparently.
  Result<HttpClientResponse> post(std::string_view target, std::string body,
                                  std::string_view contentType = "text/xml");
  // GETs `target` and, when the status is 200, passes the body to `onData`
  // piece by piece as it arrives (e.g. /logtail/name for `tail -f`), until the
  // server ends it or `onData` returns false. Other statuses come back with
  // their body. The body may take forever: only the header is timed.
  Result<HttpClientResponse> get(std::string_view target, const std::function<bool(std::string_view)>& onData);

  // The errno of the last failure (ENOENT, ECONNREFUSED, ETIMEDOUT, ...), 0 if
  // the last call succeeded or failed for another reason.
  int lastErrno() const { return lastErrno_; }
  const ServerUrl& server() const { return server_; }
  // Closes the kept-alive connection, if any.
  void close();

  class Connection;

 private:
  common::Error requestFailure(const boost::system::error_code& error);
  ServerUrl server_;
  HttpClientOptions options_;
  std::unique_ptr<Connection> connection_;
  int lastErrno_ = 0;
};

}  // namespace common
